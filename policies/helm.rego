# Bundled read-mode policy for helm: an allowlist.
#
# Read mode means nothing that changes a cluster (installing, upgrading, rolling back,
# uninstalling or testing a release) and nothing that changes which repositories,
# registries and plugins helm uses. Reading releases and charts stays allowed, `get
# values` and `get manifest` included: they are ordinary reads that may happen to show
# sensitive values. A verb not listed here is blocked, including plugins and verbs this
# policy has never heard of.
package failsafe.bundled.helm

import rego.v1

# Verbs that only read (or only write local files: pull, package, create).
read_verbs := {
	"list", "status", "history", "get", "show", "search", "template", "lint", "version",
	"env", "verify", "completion", "pull", "package", "create",
}

# Verbs that read only with one of these subverbs (aliases are already canonical:
# `repo ls` is `repo list`, `dep up` is `dependency update`).
read_subverbs := {
	"dependency": {"list", "build", "update"},
	"repo": {"list", "update"},
	"plugin": {"list"},
}

# Parent commands: without a subcommand they print their help and run nothing.
parent_verbs := {"dependency", "repo", "plugin", "registry"}

# helm's own commands. `--help` on anything else would reach a plugin, which receives
# the word unparsed and may do whatever it likes with it.
builtin_verbs := read_verbs | parent_verbs | {
	"install", "upgrade", "uninstall", "rollback", "test", "push", "help", "docs",
}

asking_for_help if input.verb == ""

asking_for_help if input.verb == "help"

asking_for_help if {
	input.flags.help == true
	input.verb in builtin_verbs
}

asking_for_help if {
	input.verb in parent_verbs
	input.subverb == ""
}

# `--dry-run`, `--dry-run=client`, `--dry-run=server` or the legacy `--dry-run=true`, as
# the last `--dry-run` on the line; the enricher reads it per command the way helm does
# and reports `false` for `none`, `false`, `--dry-run=`, values helm refuses, and
# commands that have no --dry-run (docs/tools/helm.md).
dry_run if input.helm.dry_run in {"client", "server", true}

allowed if asking_for_help

allowed if input.verb in read_verbs

allowed if input.subverb in read_subverbs[input.verb]

allowed if {
	input.verb in {"install", "upgrade"}
	dry_run
}

command_words := trim_space(concat(" ", [input.verb, input.subverb]))

# Where the command lands, for the reason text.
on_cluster := sprintf(" on context `%s`", [input.helm.kube_context]) if {
	is_string(input.helm.kube_context)
	input.helm.kube_context != ""
} else := ""

# What each blocked command does, in the words a tired human needs.
effects := {
	"install": "installs a release%s",
	"upgrade": "changes a release%s",
	"uninstall": "deletes a release and everything it created%s",
	"rollback": "rolls a release back to an older revision%s",
	"test": "runs the release's test pods%s",
	"push": "uploads a chart to a registry%s",
	"registry": "logs in to or out of a registry, changing stored credentials%s",
	"repo": "changes which chart repositories helm uses%s",
	"plugin": "installs, removes or changes helm plugins, which run code on this machine%s",
	"dependency": "is not a dependency command failsafe knows to be read-only%s",
	"docs": "writes helm's documentation files%s",
}

effect := sprintf(effects[input.verb], [on_cluster]) if {
	effects[input.verb]
} else := "is a plugin or a command failsafe does not know to be read-only (plugins and unknown commands are blocked in read mode)"

hint := "; add `--dry-run=client` or `--dry-run=server` to preview it" if {
	input.verb in {"install", "upgrade"}
} else := ""

block contains {
	"id": "helm.not-read-only",
	"reason": sprintf("`helm %s` %s, and this pane is read-only%s", [command_words, effect, hint]),
} if {
	not allowed
}
