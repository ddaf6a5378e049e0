# Bundled read-mode policy for git, pushes: force, delete, mirror, prune, and anything
# landing on a protected branch, and the plumbing `send-pack`. Loaded only for
# `git push` and `git send-pack` (see src/policy/bundled.rs).
package failsafe.bundled.git

import rego.v1

push := input.git.push if input.verb == "push"

targets := concat(", ", push.targets) if count(push.targets) > 0

targets := "the current branch's upstream" if count(push.targets) == 0

block contains {
	"id": "git.push-force",
	"reason": sprintf("a force push rewrites history on the remote (%s) for everyone who has it, and this pane is read-only", [targets]),
} if {
	push.force_kind == "force"
	not push.mirror
}

block contains {
	"id": "git.push-force-protected",
	"reason": sprintf("even a --force-with-lease push may not rewrite a protected branch (%s)", [targets]),
} if {
	push.force
	push.force_kind == "lease"
	input.git.protected
}

block contains {
	"id": "git.push-delete",
	"reason": sprintf("this push deletes branches or tags on the remote (%s)", [targets]),
} if {
	push.delete
}

block contains {
	"id": "git.push-mirror",
	"reason": "`git push --mirror` makes the remote an exact copy of this repository, deleting and overwriting whatever differs",
} if {
	push.mirror
}

block contains {
	"id": "git.push-prune",
	"reason": "`git push --prune` deletes remote branches that have no local counterpart",
} if {
	input.verb == "push"
	input.flags.prune
}

block contains {
	"id": "git.push-protected",
	"reason": sprintf("this push lands on a protected branch (%s), and this pane is read-only", [targets]),
} if {
	input.verb == "push"
	input.git.protected
}

block contains {
	"id": "git.send-pack",
	"reason": "`git send-pack` is a plumbing push that failsafe does not inspect; use `git push`",
} if {
	input.verb == "send-pack"
}
