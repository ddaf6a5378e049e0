# Bundled read-mode policy for git: a denylist of the irreversible.
#
# Most git verbs are local and recoverable through the reflog, so git is judged the other
# way round from the cloud tools: everything is allowed except what destroys remote
# history, uncommitted work or the reflog itself.
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
	"id": "git.reset-hard",
	"reason": "`git reset --hard` throws away uncommitted changes in the working tree",
} if {
	input.verb == "reset"
	input.flags.hard
}

block contains {
	"id": "git.clean-force",
	"reason": "`git clean -f` deletes untracked files for good; `git clean -n` shows what it would delete",
} if {
	input.verb == "clean"
	input.flags.force
	not input.flags["dry-run"]
}

checkout_discards if input.flags.force

checkout_discards if "." in input.args

checkout_discards if count(input.git.paths) > 0

block contains {
	"id": "git.checkout-discard",
	"reason": "this checkout overwrites uncommitted changes in the working tree",
} if {
	input.verb == "checkout"
	checkout_discards
}

block contains {
	"id": "git.restore-worktree",
	"reason": "`git restore` without --staged overwrites uncommitted changes in the working tree; `git restore --staged` only unstages",
} if {
	input.verb == "restore"
	restores_worktree
}

restores_worktree if not input.flags.staged

restores_worktree if input.flags.worktree

block contains {
	"id": "git.switch-discard",
	"reason": "this switch throws away local changes or resets an existing branch",
} if {
	input.verb == "switch"
	some flag in {"discard-changes", "force", "force-create"}
	input.flags[flag]
}

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
	"id": "git.rm-force",
	"reason": "`git rm -f` deletes files including their uncommitted changes",
} if {
	input.verb == "rm"
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
