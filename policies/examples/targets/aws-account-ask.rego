# Ask a human before any aws command that may change account 111122223333, in every
# pane mode. Reads (describe-*, list-*, get-* …), dry runs, help and downloads from S3
# run without asking.
#
# Copy to ~/.config/failsafe/policies/ and put your own account id in `guarded_accounts`.
# The account comes from the profile in ~/.aws/config (`sso_account_id`, or the account
# of `role_arn`); see docs/tools/aws.md.
package failsafe.user

import rego.v1

guarded_accounts := {"111122223333"}

aws_read_prefixes := [
	"describe-", "list-", "get-", "head-", "batch-get-", "search-", "lookup-",
	"filter-", "validate-", "estimate-", "simulate-",
]

aws_only_reads if input.subverb in {"", "help", "scan", "query", "wait", "tail"}

aws_only_reads if input.verb == "help"

aws_only_reads if input.aws.dry_run

aws_only_reads if {
	input.verb != "s3"
	some prefix in aws_read_prefixes
	startswith(input.subverb, prefix)
}

aws_only_reads if {
	input.verb == "s3"
	input.subverb in {"ls", "presign"}
}

aws_only_reads if {
	input.verb == "s3"
	input.subverb in {"cp", "sync"}
	not input.aws.destination_is_s3
	not input.aws.delete
}

ask contains {
	"id": "user.aws-account-change",
	"reason": sprintf("`aws %s %s` may change account %s (profile `%s`); a human approves each change there", [input.verb, input.subverb, input.aws.account, input.aws.profile]),
} if {
	input.tool == "aws"
	input.aws.account in guarded_accounts
	not aws_only_reads
}
