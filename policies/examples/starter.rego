# A starter user policy. It applies in every pane mode, read and write alike.
#
# Rules:
#   block          contains {"id": ..., "reason": ...}  refuses the command
#   ask            contains {"id": ..., "reason": ...}  a human must approve it
#   allow_override contains {"id": ..., "reason": ...}  lifts the bundled read-mode blocks
#
# `input` is the fact: run `failsafe explain --json -- kubectl get pods` to see one.
package failsafe.user

import rego.v1

# A dry run changes nothing, so let it through even in read mode.
allow_override contains {"id": "user.dry-run", "reason": "dry-run only"} if {
	input.kubectl.dry_run in {"client", "server"}
}

# prod is read-only, whatever the pane mode says.
block contains {"id": "user.prod-read-only", "reason": "prod is read-only"} if {
	input.kubectl.cluster_name == "prod"
	not input.verb in {"get", "describe", "logs", "top", "events", "explain", "version", "diff"}
}
