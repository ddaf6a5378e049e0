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

# Any `--no-…` flag that could be a (possibly abbreviated) negation of `--name`: git
# honours `-n --no-dry-run` as "not a dry run", and the walker keeps no order between
# different flags, so a possible negation always wins.
negated(name) if {
	some flag, _ in input.flags
	startswith(flag, "no-")
	startswith(concat("", ["no-", name]), flag)
}

dry_run if {
	input.flags["dry-run"]
	not negated("dry-run")
}

block contains {
	"id": "git.clean-force",
	"reason": "`git clean -f` deletes untracked files for good; `git clean -n` shows what it would delete",
} if {
	input.verb == "clean"
	input.flags.force
	not dry_run
}

# Without -f, `clean.requireForce=false` (from `-c` or any config file, which read mode
# lets an agent write) makes `git clean` delete too; only a dry run is certainly safe.
block contains {
	"id": "git.clean",
	"reason": "`git clean` deletes untracked files for good when `clean.requireForce` is false; `git clean -n` shows what it would delete",
} if {
	input.verb == "clean"
	not input.flags.force
	not dry_run
}

checkout_discards if input.flags.force

checkout_discards if input.flags.patch

checkout_discards if "." in input.args

checkout_discards if count(input.git.paths) > 0

# The paths come from a file failsafe does not read.
checkout_discards if input.flags["pathspec-from-file"]

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

restores_worktree if negated("staged")

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

block contains {
	"id": "git.read-tree-update",
	"reason": "`git read-tree -u` overwrites files in the working tree with the tree it reads",
} if {
	input.verb == "read-tree"
	input.flags.u
}

block contains {
	"id": "git.checkout-index-force",
	"reason": "`git checkout-index --force` overwrites modified files in the working tree",
} if {
	input.verb == "checkout-index"
	input.flags.force
}

# `checkout -B NAME` of a branch that exists resets it (like `branch -f`): its commits
# are then reachable only from the reflog.
block contains {
	"id": "git.checkout-reset-branch",
	"reason": sprintf("`-B` resets the existing branch %s to another commit; `git checkout -b` creates a new one", [concat(", ", [sprintf("`%s`", [b]) | some b in input.git.resets_branches])]),
} if {
	input.verb == "checkout"
	count(input.git.resets_branches) > 0
}
