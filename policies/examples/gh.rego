# Guard the GitHub CLI's irreversible commands, in every pane mode (user policies apply
# in read and write mode alike). Needs the gh tool spec: copy tools/gh.toml to
# ~/.config/failsafe/tools/ and this file to ~/.config/failsafe/policies/, then run
# `failsafe install-shims`.
package failsafe.user

import rego.v1

gh_repo := input.args[0] if {
	count(input.args) > 0
} else := input.flags.repo if {
	is_string(input.flags.repo)
} else := "the current repository"

block contains {
	"id": "user.gh-repo-delete",
	"reason": sprintf("`gh repo delete` deletes %s with its issues, pull requests and wiki; GitHub cannot undo it", [gh_repo]),
} if {
	input.tool == "gh"
	input.verb == "repo"
	input.subverb == "delete"
}

block contains {
	"id": "user.gh-release-delete",
	"reason": sprintf("`gh release %s` deletes published release files people may depend on", [input.subverb]),
} if {
	input.tool == "gh"
	input.verb == "release"
	input.subverb in {"delete", "delete-asset"}
}

block contains {
	"id": "user.gh-api-delete",
	"reason": sprintf("`gh api -X DELETE %s` deletes something through the GitHub API", [concat(" ", input.args)]),
} if {
	input.tool == "gh"
	input.verb == "api"
	is_string(input.flags.method)
	upper(input.flags.method) == "DELETE"
}

ask contains {
	"id": "user.gh-pr-merge-admin",
	"reason": "`gh pr merge --admin` merges past the branch protection rules",
} if {
	input.tool == "gh"
	input.verb == "pr"
	input.subverb == "merge"
	input.flags.admin == true
}
