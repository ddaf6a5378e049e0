# Never let `helm uninstall` touch a prod cluster, in any pane mode.
#
# Copy to ~/.config/failsafe/policies/. The cluster is the helm kube context (and its
# cluster and server), classified by the inventory in config.toml, else by name; list
# your prod clusters in the inventory when their names do not say "prod":
#
#   [inventory]
#   prod = ["arn:aws:eks:*:111122223333:cluster/*", "gke_*_payments"]
package failsafe.user

import rego.v1

block contains {
	"id": "user.helm-uninstall-prod",
	"reason": sprintf("`helm uninstall` on `%s` (prod) would delete the release and its resources; uninstall from the release pipeline", [input.target.name]),
} if {
	input.tool == "helm"
	input.verb == "uninstall"
	input.target.env == "prod"
}
