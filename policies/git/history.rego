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

expires_now(value) if {
	is_string(value)
	lower(trim_space(value)) in {"now", "all"}
}

block contains {
	"id": "git.gc-prune-now",
	"reason": "`git gc --prune=now` deletes unreachable commits immediately instead of after the grace period",
} if {
	input.verb == "gc"
	expires_now(input.flags.prune)
}

# `gc.pruneExpire` set to now from `-c`, the environment or a config file (read mode
# lets an agent run `git config`) has the same effect as `--prune=now`.
block contains {
	"id": "git.gc-prune-now",
	"reason": "`gc.pruneExpire` is set to now, so `git gc` deletes unreachable commits immediately",
} if {
	input.verb == "gc"
	gc_prunes_now
}

gc_prunes_now if expires_now(input.git.gc_prune_expire)

gc_prunes_now if {
	some setting in input.git.config_overrides
	parts := split(setting, "=")
	count(parts) > 1
	lower(trim_space(parts[0])) == "gc.pruneexpire"
	expires_now(concat("=", array.slice(parts, 1, count(parts))))
}

# `git prune` without `--expire` deletes every unreachable object, however recent.
block contains {
	"id": "git.prune-now",
	"reason": "`git prune` without `--expire`, or with `--expire=now`, deletes unreachable commits immediately",
} if {
	input.verb == "prune"
	not prune_dry_run
	prune_expires_now
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

prune_expires_now if not input.flags.expire

prune_expires_now if expires_now(input.flags.expire)

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
