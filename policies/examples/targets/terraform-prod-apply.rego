# Block `terraform apply` and `terraform destroy` on a prod workspace, in every pane
# mode: prod changes go through the release pipeline, not through an agent.
#
# Copy to ~/.config/failsafe/policies/. The workspace is classified by the inventory
# in config.toml (`[inventory] prod = ["prod-*"]`), else by its name (`prod`,
# `production`, `prd`, `live` …); see docs/targets.md.
package failsafe.user

import rego.v1

terraform_changes := {"apply", "destroy"}

block contains {
	"id": "user.terraform-prod-apply",
	"reason": sprintf("`terraform %s` on workspace `%s` (prod) is for the release pipeline, even in write mode; `terraform plan` is fine", [input.verb, input.target.name]),
} if {
	input.tool == "terraform"
	input.verb in terraform_changes
	input.target.kind == "workspace"
	input.target.env == "prod"
}
