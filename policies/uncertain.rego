# Read mode only: a command failsafe could not fully read is refused, naming what could
# not be determined. Guessing would let an unreadable argument or config slip through.
package failsafe.bundled.uncertain

import rego.v1

block contains {
	"id": "uncertain.unreadable-input",
	"reason": sprintf("failsafe could not determine: %s", [item]),
} if {
	some item in input.uncertain
}
