# Bundled read-mode policy for terraform and OpenTofu: an allowlist.
#
# Read mode means nothing that changes real infrastructure or the state that records
# it, and no stored credential changes. Planning, showing state and outputs, formatting,
# validating and initialising stay allowed: they only read, or write local files. A
# command not listed here is blocked, including commands this policy has never heard of.
#
# Options from TF_CLI_ARGS and TF_CLI_ARGS_<command> are already merged into `flags`
# and `args`, exactly where terraform merges them.
package failsafe.bundled.terraform

import rego.v1

# Commands that only read, or only write local files (fmt, init, get, providers lock).
read_verbs := {
	"plan", "show", "output", "validate", "fmt", "graph", "console", "get", "version",
	"providers", "modules", "metadata", "init",
}

# Commands that read only with one of these subcommands.
read_subverbs := {
	"state": {"list", "show", "pull"},
	"workspace": {"list", "show", "select"},
}

# Without a subcommand these print their help and run nothing.
parent_verbs := {"state", "workspace"}

# A switch as terraform reads it: bare, or `=` anything but a false spelling.
switch_on(name) if input.flags[name] == true

switch_on(name) if {
	is_string(input.flags[name])
	not input.flags[name] in {"0", "f", "F", "false", "FALSE", "False"}
}

asking_for_help if input.verb == ""

asking_for_help if input.verb == "help"

# -h, -help and --help anywhere print help; -v, -version and --version anywhere make
# terraform run `version` instead of the command.
asking_for_help if {
	some name in {"help", "h", "version", "v"}
	input.flags[name] == true
}

asking_for_help if {
	input.verb in parent_verbs
	input.subverb == ""
}

init_moves_state if {
	input.verb == "init"
	some name in {"migrate-state", "force-copy"}
	switch_on(name)
}

creates_workspace if {
	input.verb == "workspace"
	input.subverb == "select"
	switch_on("or-create")
}

allowed if asking_for_help

allowed if {
	input.verb in read_verbs
	not init_moves_state
}

allowed if {
	input.subverb in read_subverbs[input.verb]
	not creates_workspace
}

command_words := trim_space(concat(" ", [input.verb, input.subverb]))

binary := input.binary if is_string(input.binary) else := "terraform"

in_workspace := sprintf(" in workspace `%s`", [input.terraform.workspace]) if {
	is_string(input.terraform.workspace)
	input.terraform.workspace != ""
} else := ""

# What each blocked command does, in the words a tired human needs.
effects := {
	"apply": "changes real infrastructure%s; `plan` shows what it would do",
	"destroy": "destroys real infrastructure%s; `plan -destroy` shows what it would do",
	"import": "adds existing infrastructure to the state%s",
	"refresh": "rewrites the state from what the providers report%s",
	"taint": "marks a resource for replacement in the state%s",
	"untaint": "changes a resource's mark in the state%s",
	"test": "creates and destroys real infrastructure to run its tests%s",
	"force-unlock": "removes the lock that keeps two runs from changing the state at once%s",
	"login": "stores a credential for a remote host%s",
	"logout": "removes a stored credential%s",
}

effect := sprintf(effects[input.verb], [in_workspace]) if {
	effects[input.verb]
} else := "is not a command failsafe knows to be read-only (unknown commands are blocked in read mode)"

block contains {
	"id": "terraform.not-read-only",
	"reason": sprintf("`%s %s` %s, and this pane is read-only", [binary, command_words, effect]),
} if {
	not allowed
	not input.verb in parent_verbs
	not input.verb == "init"
}

block contains {
	"id": "terraform.state-write",
	"reason": sprintf("`%s %s` changes the state%s, and this pane is read-only; `state list`, `state show` and `state pull` only read it", [binary, command_words, in_workspace]),
} if {
	not allowed
	input.verb == "state"
}

block contains {
	"id": "terraform.workspace-write",
	"reason": sprintf("`%s %s` creates or deletes a workspace and its state, and this pane is read-only; `workspace list`, `show` and `select` (without -or-create) are allowed", [binary, command_words]),
} if {
	not allowed
	input.verb == "workspace"
}

block contains {
	"id": "terraform.init-migrates-state",
	"reason": sprintf("`%s init` with -migrate-state or -force-copy copies the state to another backend, and this pane is read-only; plain `init` is allowed", [binary]),
} if {
	init_moves_state
	not asking_for_help
}
