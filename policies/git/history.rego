# Bundled read-mode policy for git, history and refs: stashes, branches, the reflog and
# unreachable commits that would be gone for good; and commands written into git's
# config files for later. Loaded only for the verbs it names
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

# `input.git.expires_now` lists the expiry options and settings (from `-c`, the
# environment or any config file: read mode lets an agent run `git config`) that make
# this command drop unreachable commits, stashes, reflog entries or worktree records
# now: an expiry less than a day old, in the future, `now`, `all`, or a spelling failsafe
# cannot read. The enricher fills it only for gc, prune, repack -d and maintenance run.
expiring := concat(", ", [quoted(e) | some e in input.git.expires_now])

# `name=value` entries are user values; the others are phrases (`no --expire …`).
quoted(e) := sprintf("`%s`", [e]) if contains(e, "=")

quoted(e) := e if not contains(e, "=")

block contains {
	"id": "git.gc-prune-now",
	"reason": sprintf("`git gc` would delete recent unreachable commits or reflog entries right away instead of after the grace period: %s", [expiring]),
} if {
	input.verb == "gc"
	count(input.git.expires_now) > 0
}

block contains {
	"id": "git.maintenance-prune-now",
	"reason": sprintf("`git maintenance run` runs `git gc`, which would delete recent unreachable commits or reflog entries right away: %s", [expiring]),
} if {
	input.verb == "maintenance"
	count(input.git.expires_now) > 0
}

# `git prune` without `--expire` deletes every unreachable object, however recent.
block contains {
	"id": "git.prune-now",
	"reason": sprintf("`git prune` would delete recent unreachable commits right away: %s; `git prune -n` shows what it would delete", [expiring]),
} if {
	input.verb == "prune"
	not prune_dry_run
	count(input.git.expires_now) > 0
}

# `-n`, unless a `--no-…` flag could negate it (`--no-dry-run`, `--no-d`).
prune_dry_run if {
	input.flags["dry-run"]
	not prune_dry_run_negated
}

prune_dry_run_negated if {
	some flag, _ in input.flags
	startswith(flag, "no-")
	startswith("no-dry-run", flag)
}

# `repack -a -d` drops unreachable objects from the packs it deletes (`-A` would loosen
# them for a later, grace-period prune).
block contains {
	"id": "git.repack-drop-unreachable",
	"reason": sprintf("`git repack` would delete unreachable commits from the packs it removes: %s; `git repack -A -d` keeps them", [expiring]),
} if {
	input.verb == "repack"
	count(input.git.expires_now) > 0
}

block contains {
	"id": "git.update-ref-delete",
	"reason": "`git update-ref -d` deletes a ref outright",
} if {
	input.verb == "update-ref"
	input.flags.delete
}

# The all-zero object id as the new value deletes the ref too (git's null oid, SHA-1 or
# SHA-256 length).
block contains {
	"id": "git.update-ref-delete",
	"reason": sprintf("`git update-ref %s %s` sets the ref to the null object id, which deletes it", [input.args[0], input.args[1]]),
} if {
	input.verb == "update-ref"
	not input.flags.stdin
	regex.match(`^(0{40}|0{64})$`, input.args[1])
}

block contains {
	"id": "git.worktree-remove-force",
	"reason": "`git worktree remove --force` deletes a worktree with its uncommitted changes",
} if {
	input.verb == "worktree"
	input.subverb == "remove"
	input.flags.force
}

# The updates come on stdin, which failsafe cannot read (a `delete` line or a zero new
# value deletes a ref), so every `--stdin` is refused.
block contains {
	"id": "git.update-ref-stdin",
	"reason": "`git update-ref --stdin` changes or deletes refs that failsafe cannot see on the command line",
} if {
	input.verb == "update-ref"
	input.flags.stdin
}

block contains {
	"id": "git.worktree-reset-branch",
	"reason": sprintf("`git worktree add -B` resets the existing branch %s to another commit; `-b` creates a new one", [concat(", ", [sprintf("`%s`", [b]) | some b in input.git.resets_branches])]),
} if {
	input.verb == "worktree"
	count(input.git.resets_branches) > 0
}

# Read mode lets an agent run `git config`, and git later runs what the config files
# say as the user's own choice: writing a command into them (`core.pager`,
# `core.fsmonitor`, `core.hooksPath`, a diff or filter driver, …) hides it for later.
block contains {
	"id": "git.config-command",
	"reason": sprintf("this writes a command git would run later into a config file: %s", [concat(", ", [sprintf("`%s`", [c]) | some c in input.git.config_sets_command])]),
} if {
	input.verb == "config"
	count(input.git.config_sets_command) > 0
}
