# Guard gcloud's deletions and token printing, in every pane mode (user policies apply
# in read and write mode alike). Needs the gcloud tool spec: copy tools/gcloud.toml to
# ~/.config/failsafe/tools/ and this file to ~/.config/failsafe/policies/, then run
# `failsafe install-shims`.
package failsafe.user

import rego.v1

# The command words: verb, subverb, then the positionals (`compute instances delete
# web-1` → ["compute", "instances", "delete", "web-1"]).
gcloud_words := array.concat([input.verb, input.subverb], input.args) if input.tool == "gcloud"

gcloud_project := sprintf("project `%s`", [input.flags.project]) if {
	is_string(input.flags.project)
} else := "the configured project"

gcloud_deletes if {
	some word in gcloud_words
	gcloud_delete_word(word)
}

gcloud_delete_word(word) if word == "delete"

gcloud_delete_word(word) if endswith(word, "-delete")

block contains {
	"id": "user.gcloud-delete",
	"reason": sprintf("`gcloud %s` deletes cloud resources in %s", [concat(" ", [w | some w in gcloud_words; w != ""]), gcloud_project]),
} if {
	input.tool == "gcloud"
	gcloud_deletes
}

ask contains {
	"id": "user.gcloud-print-token",
	"reason": "this gcloud command prints a live credential (an access or identity token)",
} if {
	input.tool == "gcloud"
	some word in gcloud_words
	word in {"print-access-token", "print-identity-token"}
}
