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

# Verbs that honour --dry-run. A plugin or unknown verb receives the flag but need not
# honour it, so for those a dry run proves nothing.
dry_run_verbs := {
	"apply", "create", "delete", "patch", "replace", "scale", "autoscale", "label",
	"annotate", "set", "expose", "run", "taint", "drain", "cordon", "uncordon", "rollout",
}

asking_for_help if input.verb == ""

asking_for_help if input.verb == "help"

asking_for_help if input.flags.help

asking_for_help if input.flags.version

dry_run if {
	input.kubectl.dry_run in {"client", "server"}
	input.verb in dry_run_verbs
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

raw_flag_set if {
	input.flags.raw
	input.flags.raw != "false"
}

block contains {
	"id": "kubectl.raw-kubeconfig",
	"reason": "`kubectl config view --raw` prints the kubeconfig's credentials; plain `config view` is allowed in read mode",
} if {
	input.verb == "config"
	input.subverb == "view"
	raw_flag_set
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

# A percent-encoded path can spell `secrets` without the letters; read mode does not
# try to decode it.
raw_path_may_name_secrets(path) if contains(path, "%")
