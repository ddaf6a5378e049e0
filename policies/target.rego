# Every mode: a command whose target failsafe cannot determine is refused, naming what
# could not be determined. In write mode the user's target policies ("prod is
# read-only") are the only guard; a wrong or missing target would silence them.
package failsafe.bundled.target

import rego.v1

block contains {
	"id": "target.uncertain",
	"reason": sprintf("failsafe could not determine where this command lands: %s", [item]),
} if {
	some item in input.target.uncertain
}
