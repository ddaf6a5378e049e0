# Every mode, never overridable: an agent may not flip its own pane, trust a repo
# policy, approve its own request, lock failsafe down or remove the shims. (The hook
# front end feeds `failsafe …` commands here; in shim mode the commands refuse on
# their own.)
package failsafe.bundled.self

import rego.v1

human_only := {
	"toggle": "",
	"mode": "set",
	"trust": "add|remove",
	"approve": "",
	"lockdown": "",
	"watch": "",
	"install-shims": "",
	"uninstall-shims": "",
}

block contains {
	"id": "self.human-only-command",
	"reason": sprintf("`failsafe %s` changes what failsafe allows; only a human may run it, from their own terminal", [trim_space(concat(" ", [input.verb, input.subverb]))]),
} if {
	input.tool == "failsafe"
	subverbs := human_only[input.verb]
	applies(subverbs, input.subverb)
}

applies("", _) := true

applies(subverbs, subverb) if {
	subverbs != ""
	subverb in split(subverbs, "|")
}
