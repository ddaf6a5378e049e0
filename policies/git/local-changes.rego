# Bundled read-mode policy for git, uncommitted work: commands that throw away changes
# in the working tree. Loaded only for the verbs it names (see src/policy/bundled.rs).
package failsafe.bundled.git

import rego.v1

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
	"id": "git.rm-force",
	"reason": "`git rm -f` deletes files including their uncommitted changes",
} if {
	input.verb == "rm"
	input.flags.force
}
