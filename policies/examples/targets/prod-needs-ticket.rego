# In write mode, changes to a prod cluster need a change ticket.
#
# Copy to ~/.config/failsafe/policies/. The ticket is the one the human named when
# switching the pane to write mode, and the fact carries it as `input.ticket`:
#
#   failsafe mode set rw --for 30m --ticket OPS-123 --reason "roll out payments 2.4"
#
# A write mode without a ticket still lets the agent work on dev and staging.
package failsafe.user

import rego.v1

changes := {
	"apply", "create", "delete", "patch", "replace", "scale", "set", "edit", "label",
	"annotate", "rollout", "drain", "cordon", "uncordon", "taint", "run", "expose",
	"autoscale",
}

has_ticket if {
	is_string(input.ticket)
	input.ticket != ""
}

block contains {
	"id": "user.prod-needs-ticket",
	"reason": sprintf("`kubectl %s` on `%s` (prod) needs a change ticket; the human sets one with `failsafe mode set rw --ticket ID`", [input.verb, input.target.name]),
} if {
	input.tool == "kubectl"
	input.mode == "write"
	input.target.env == "prod"
	input.verb in changes
	not has_ticket
}
