# The write-mode safety net: the few commands nobody can take back ask a human in write
# mode too (docs/policies.md, "The safety net"). In read mode the read-mode policies
# already block them, so this file is loaded only in write mode. Switched off with `[safety_net] enabled = false`
# in config.toml; lifted like any bundled rule by a user's or trusted repo's
# allow_override. Loaded only for the verbs that can fire (src/policy/bundled.rs).
package failsafe.bundled.irreversible

import rego.v1

disabled if data.failsafe.config.safety_net.enabled == false


prod if input.target.env == "prod"

# Asking for help runs nothing (the read-mode policies say so per tool in detail).
asking_for_help if {
	some name in {"help", "h", "version", "v"}
	input.flags[name] == true
}

asking_for_help if {
	input.tool == "aws"
	"help" in array.concat([input.subverb], input.args)
}

active if {
	not disabled
	not asking_for_help
}

# ------------------------------------------------------------------------------ git

push := input.git.push if {
	active
	input.tool == "git"
	input.verb in {"push", "send-pack"}
}

targets := concat(", ", push.targets) if count(push.targets) > 0

targets := "the upstream branch" if count(push.targets) == 0

ask contains {
	"id": "irreversible.git-force-push",
	"reason": sprintf("a force push to a protected branch (%s) rewrites history everyone else has", [targets]),
} if {
	push.force
	not push.mirror
	input.git.protected
}

ask contains {
	"id": "irreversible.git-delete-branch",
	"reason": sprintf("this push deletes a protected branch on the remote (%s)", [targets]),
} if {
	push.delete
	not push.mirror
	input.git.protected
}

ask contains {
	"id": "irreversible.git-mirror-push",
	"reason": sprintf("`--mirror` overwrites and deletes whatever differs on the remote, protected branches included (%s)", [targets]),
} if {
	push.mirror
}

rewrites_history if input.verb in {"rebase", "reset", "filter-branch", "filter-repo"}

rewrites_history if {
	input.verb == "commit"
	input.flags.amend
}

rewrites_history if {
	input.verb == "branch"
	some flag in {"delete", "D", "force", "f", "move", "M"}
	input.flags[flag]
}

ask contains {
	"id": "irreversible.git-rewrite-history",
	"reason": sprintf("`git %s` rewrites the protected branch %s, which is already on a remote", [input.verb, concat(", ", input.git.moved_branches)]),
} if {
	active
	input.tool == "git"
	rewrites_history
	input.git.protected
	input.git.upstream != ""
}

# -------------------------------------------------------------------------- kubectl

kubectl_delete if {
	active
	input.tool == "kubectl"
	input.verb == "delete"
	not input.kubectl.dry_run in {"client", "server"}
}

lasting_kinds := {"namespaces", "persistentvolumes", "persistentvolumeclaims", "customresourcedefinitions"}

ask contains {
	"id": "irreversible.kubectl-delete-kind",
	"reason": sprintf("deleting %s loses the data or every object in it for good", [concat(", ", [k | some k in input.kubectl.resources; k in lasting_kinds])]),
} if {
	kubectl_delete
	some kind in input.kubectl.resources
	kind in lasting_kinds
}

ask contains {
	"id": "irreversible.kubectl-delete-prod",
	"reason": sprintf("`kubectl delete` on the prod cluster %s", [input.target.name]),
} if {
	kubectl_delete
	prod
}

# ----------------------------------------------------------------------------- helm

ask contains {
	"id": "irreversible.helm-uninstall-prod",
	"reason": sprintf("`helm uninstall` on the prod cluster %s deletes the release and everything it created", [input.target.name]),
} if {
	active
	input.tool == "helm"
	input.verb in {"uninstall", "delete", "del", "un"}
	not input.helm.dry_run == true
	prod
}

# ------------------------------------------------------------------------ terraform

ask contains {
	"id": "irreversible.terraform-destroy-prod",
	"reason": sprintf("`%s %s` destroys infrastructure in the prod workspace %s", [input.binary, input.verb, input.target.name]),
} if {
	active
	input.tool == "terraform"
	input.verb in {"destroy", "apply"}
	input.terraform.destroy
	prod
}

ask contains {
	"id": "irreversible.terraform-state-prod",
	"reason": sprintf("`%s state %s` rewrites the prod state of %s", [input.binary, input.subverb, input.target.name]),
} if {
	active
	input.tool == "terraform"
	input.verb == "state"
	input.subverb in {"rm", "push"}
	prod
}

ask contains {
	"id": "irreversible.terraform-workspace-delete-prod",
	"reason": sprintf("`%s workspace delete` removes the prod workspace %s and its state", [input.binary, input.target.name]),
} if {
	active
	input.tool == "terraform"
	input.verb == "workspace"
	input.subverb == "delete"
	prod
}

# ------------------------------------------------------------------------------ aws

aws_prod if {
	active
	input.tool == "aws"
	not input.aws.dry_run
	prod
}

ask contains {
	"id": "irreversible.aws-delete-prod",
	"reason": sprintf("`aws %s %s` in the prod account %s", [input.verb, input.subverb, input.target.name]),
} if {
	aws_prod
	some prefix in {"delete-", "terminate-"}
	startswith(input.subverb, prefix)
}

ask contains {
	"id": "irreversible.aws-s3-bulk-delete-prod",
	"reason": sprintf("`aws s3 %s` deletes objects in bulk in the prod account %s", [input.subverb, input.target.name]),
} if {
	aws_prod
	input.verb == "s3"
	s3_bulk_delete
}

s3_bulk_delete if {
	input.subverb == "rm"
	input.aws.recursive
}

s3_bulk_delete if {
	input.subverb == "rb"
	input.flags.force
}

s3_bulk_delete if {
	input.subverb == "sync"
	input.aws.delete
}
