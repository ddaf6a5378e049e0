# Bundled read-mode policy for git, history and refs: stashes, branches, the reflog and
# unreachable commits that would be gone for good. Loaded only for the verbs it names
# (see src/policy/bundled.rs).
package failsafe.bundled.git

import rego.v1

block contains {
	"id": "git.stash-drop",
	"reason": sprintf("`git stash %s` deletes stashed work", [input.subverb]),
} if {
	input.verb == "stash"
	input.subverb in {"drop", "clear"}
}

block contains {
	"id": "git.branch-force",
	"reason": "forced branch deletion, move or reset can lose commits that exist nowhere else",
} if {
	input.verb == "branch"
	input.flags.force
}

block contains {
	"id": "git.history-rewrite",
	"reason": sprintf("`git %s` rewrites the repository's whole history", [input.verb]),
} if {
	input.verb in {"filter-branch", "filter-repo"}
}

block contains {
	"id": "git.reflog-expire",
	"reason": sprintf("`git reflog %s` removes the record that makes lost commits recoverable", [input.subverb]),
} if {
	input.verb == "reflog"
	input.subverb in {"expire", "delete"}
}

block contains {
	"id": "git.gc-prune-now",
	"reason": "`git gc --prune=now` deletes unreachable commits immediately instead of after the grace period",
} if {
	input.verb == "gc"
	input.flags.prune in {"now", "all"}
}

block contains {
	"id": "git.prune-now",
	"reason": "`git prune --expire=now` deletes unreachable commits immediately",
} if {
	input.verb == "prune"
	input.flags.expire in {"now", "all"}
}

block contains {
	"id": "git.update-ref-delete",
	"reason": "`git update-ref -d` deletes a ref outright",
} if {
	input.verb == "update-ref"
	input.flags.delete
}

block contains {
	"id": "git.worktree-remove-force",
	"reason": "`git worktree remove --force` deletes a worktree with its uncommitted changes",
} if {
	input.verb == "worktree"
	input.subverb == "remove"
	input.flags.force
}

block contains {
	"id": "git.update-ref-stdin",
	"reason": "`git update-ref --stdin` changes or deletes refs that failsafe cannot see on the command line",
} if {
	input.verb == "update-ref"
	input.flags.stdin
}
