# Bundled read-mode policy for kubectl: an allowlist.
#
# Read mode means nothing that changes the cluster, opens a way into it (exec, attach,
# port-forward, proxy, cp, debug) or reveals a stored credential. A verb not listed here
# is blocked, including plugins and verbs this policy has never heard of.
package failsafe.bundled.kubectl

import rego.v1

# Verbs that only read.
read_verbs := {
	"get", "describe", "logs", "top", "events", "explain", "api-resources",
	"api-versions", "cluster-info", "version", "diff", "wait", "kustomize",
	"completion", "options",
}

# Verbs that read only with one of these subverbs.
read_subverbs := {
	"plugin": {"list"},
	"auth": {"can-i", "whoami"},
	"rollout": {"status", "history"},
	"config": {"view", "get-contexts", "get-clusters", "get-users", "current-context"},
}

# Output formats that never print a Secret's data; every other format might (yaml,
# json, jsonpath, templates, custom-columns, and formats kubectl adds later, like kyaml).
harmless_outputs := {"", "wide", "name"}

# Commands that define and honour --dry-run (kubectl pkg/cmd: those calling
# AddDryRunFlag). A plugin or unknown verb receives the flag but need not honour it, so
# for those a dry run proves nothing. Where kubectl ignores the flag for some options
# (`--raw`, `create --edit`, `scale --record`), the fact already says `none`.
dry_run_verbs := {
	"apply", "create", "delete", "patch", "replace", "scale", "autoscale", "label",
	"annotate", "set", "expose", "run", "taint", "drain", "cordon", "uncordon",
}

# Of a verb whose other subcommands have no --dry-run, the ones that do.
dry_run_commands := {"rollout undo"}

# Subcommands of the verbs above that have no --dry-run of their own.
no_dry_run_commands := {"create token", "apply edit-last-applied", "apply view-last-applied"}

asking_for_help if input.verb == ""

asking_for_help if input.verb == "help"

asking_for_help if input.flags.help

asking_for_help if input.flags.version

dry_run if {
	input.kubectl.dry_run in {"client", "server"}
	input.verb in dry_run_verbs
	not command_words in no_dry_run_commands
}

dry_run if {
	input.kubectl.dry_run in {"client", "server"}
	command_words in dry_run_commands
}

allowed if asking_for_help

allowed if dry_run

allowed if input.verb in read_verbs

allowed if input.subverb in read_subverbs[input.verb]

command_words := trim_space(concat(" ", [input.verb, input.subverb]))

block contains {
	"id": "kubectl.not-read-only",
	"reason": sprintf("`kubectl %s` can change the cluster or reach inside it, and this pane is read-only", [command_words]),
} if {
	not allowed
}

secrets_requested if input.kubectl.resource == "secrets"

secrets_requested if "secrets" in input.kubectl.resources

# `get -f manifest.yaml` or `get -k dir` names objects failsafe cannot see; they may be
# secrets.
objects_unknown if {
	input.kubectl.resource == ""
	some flag in {"filename", "kustomize"}
	input.flags[flag]
}

# kubectl.output is the effective -o format (also `--template` alone and kuberc defaults).
output_reveals if not input.kubectl.output in harmless_outputs

output_reveals if input.flags["show-managed-fields"]

# `create secret … --dry-run=client -o yaml` only prints what the command line itself
# gave; every other verb prints the stored object, dry run or not.
prints_stored_object if input.verb != "create"

prints_stored_object if input.kubectl.dry_run == "server"

block contains {
	"id": "kubectl.secret-data",
	"reason": sprintf("`kubectl %s` with `-o %s` prints the secrets' data; the plain table (no -o) is allowed in read mode", [command_words, input.kubectl.output]),
} if {
	secrets_requested
	output_reveals
	prints_stored_object
}

block contains {
	"id": "kubectl.secret-data",
	"reason": sprintf("`kubectl %s -f/-k … -o %s` may print secrets' data: failsafe cannot see which objects the files name", [command_words, input.kubectl.output]),
} if {
	objects_unknown
	output_reveals
}

# A switch as pflag reads it: given, and not one of Go's false spellings.
switch_on(name) if {
	value := input.flags[name]
	not value in {false, "0", "f", "F", "false", "FALSE", "False"}
}

# `--flatten` prints credentials unredacted just like `--raw` (checked with kubectl
# v1.32: `config view --flatten` shows tokens, `config view` shows REDACTED).
block contains {
	"id": "kubectl.raw-kubeconfig",
	"reason": sprintf("`kubectl config view --%s` prints the kubeconfig's credentials; plain `config view` is allowed in read mode", [flag]),
} if {
	input.verb == "config"
	input.subverb == "view"
	some flag in {"raw", "flatten"}
	switch_on(flag)
}

# Subresources that reach through the API server into a pod, service or node, like
# `kubectl proxy` and `port-forward`. The fact resolves percent-encoding, `//` and `..`
# as the API server sees the path, and reports `proxy` for any spelling with a proxy
# segment.
tunnel_subresources := {"proxy", "exec", "attach", "portforward"}

block contains {
	"id": "kubectl.raw-proxy",
	"reason": sprintf("`kubectl get --raw %s` goes through the API server's `%s` subresource into the cluster, like `kubectl proxy`, and this pane is read-only", [input.flags.raw, input.kubectl.subresource]),
} if {
	input.verb == "get"
	input.kubectl.subresource in tunnel_subresources
}

block contains {
	"id": "kubectl.raw-secret-read",
	"reason": sprintf("`kubectl get --raw %s` reads Secret objects straight from the API", [input.flags.raw]),
} if {
	input.verb == "get"
	is_string(input.flags.raw)
	raw_path_may_name_secrets(input.flags.raw)
}

raw_path_may_name_secrets(path) if contains(lower(path), "secret")

raw_path_may_name_secrets(_) if "secrets" in input.kubectl.resources

# A percent-encoded path can spell `secrets` without the letters; read mode does not
# try to decode it.
raw_path_may_name_secrets(path) if contains(path, "%")
