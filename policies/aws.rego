# Bundled read-mode policy for aws: an allowlist.
#
# Read mode means nothing that changes an AWS account and nothing whose purpose is to
# reveal a stored credential (secret values, decrypted parameters, configured keys).
# An operation not listed here is blocked, including services and operations this
# policy has never heard of. The fact's verb is the service and its subverb the
# operation (`aws --region eu-west-1 ec2 describe-instances` → `ec2`,
# `describe-instances`).
package failsafe.bundled.aws

import rego.v1

# Operation name prefixes of the API calls that only read.
read_prefixes := [
	"describe-", "list-", "get-", "head-", "batch-get-", "search-", "lookup-",
	"filter-", "validate-", "estimate-", "simulate-",
]

# Operations that only read and have no such prefix.
read_operations := {"scan", "query", "wait", "tail"}

# Commands the aws CLI implements itself, where API prefixes mean nothing: of these,
# only the listed ones read.
own_commands := {
	"s3": {"ls", "presign"},
	"configure": {"list", "get", "list-profiles"},
}

# aws's global options: next to a lone `help` word they do not stop it asking for help.
global_options := {
	"profile", "region", "endpoint-url", "output", "query", "color", "ca-bundle",
	"cli-read-timeout", "cli-connect-timeout", "cli-binary-format", "debug",
	"no-verify-ssl", "no-paginate", "no-sign-request", "no-cli-pager",
	"cli-auto-prompt", "no-cli-auto-prompt", "version", "v2-debug",
}

profile := object.get(input, ["aws", "profile"], "")

account := object.get(input, ["aws", "account"], "")

command_words := trim_space(concat(" ", [input.verb, input.subverb]))

# Where the command lands, for the reasons.
landing := sprintf(" (account %s, profile `%s`)", [account, profile]) if {
	account != ""
} else := sprintf(" (profile `%s`)", [profile]) if {
	profile != ""
} else := ""

# What read mode would allow instead.
hint := "read mode allows `s3 ls`, `s3 presign`, `s3 cp|sync` to a local path, and `s3 cp|mv|rm|sync --dryrun`" if {
	input.verb == "s3"
} else := "read mode allows `configure list`, `configure get` and `configure list-profiles`" if {
	input.verb == "configure"
} else := "read mode allows describe-*, list-*, get-* and the other read-only operations, and --dry-run where the operation honours it"

# `aws`, `aws help`, `aws ec2 help`, `aws ec2 describe-instances help`, `--version`.
asking_for_help if input.verb == ""

asking_for_help if input.verb == "help"

asking_for_help if input.subverb == "help"

asking_for_help if {
	input.args == ["help"]
	every name, _ in input.flags {
		name in global_options
	}
}

asking_for_help if input.flags.version == true

asking_for_help if input.flags.help == true

allowed if asking_for_help

# A dry run the aws CLI honours for this very operation (`--dry-run` where the model
# promises it changes nothing, `s3 cp|mv|rm|sync --dryrun`): nothing is changed. A
# dry-run flag the operation does not define makes aws stop with an error; a dry run
# that still prints a credential (`codeartifact login --dry-run`) is not honoured here.
allowed if input.aws.dry_run == true

allowed if {
	not own_commands[input.verb]
	some prefix in read_prefixes
	startswith(input.subverb, prefix)
}

allowed if {
	not own_commands[input.verb]
	input.subverb in read_operations
}

allowed if input.subverb in own_commands[input.verb]

# A download: from S3 to a local path, deleting nothing.
allowed if {
	input.verb == "s3"
	input.subverb in {"cp", "sync"}
	input.aws.destination_is_s3 == false
	not input.aws.delete
}

block contains {
	"id": "aws.no-operation",
	"reason": "`aws configure` alone prompts for new keys and writes them to the aws config files, and this pane is read-only; read mode allows `configure list`, `configure get` and `configure list-profiles`",
} if {
	not allowed
	input.verb == "configure"
	input.subverb == ""
}

block contains {
	"id": "aws.no-operation",
	"reason": sprintf("`aws %s` has no operation after the service, so failsafe cannot tell what it would do; %s", [input.verb, hint]),
} if {
	not allowed
	input.verb != "configure"
	input.subverb == ""
}

s3_upload if {
	input.verb == "s3"
	input.subverb in {"cp", "sync", "mv"}
	input.aws.destination_is_s3 == true
}

s3_destination := input.args[count(input.args) - 1] if {
	count(input.args) > 0
} else := ""

block contains {
	"id": "aws.s3-upload",
	"reason": sprintf("`aws s3 %s` writes to `%s`%s, and this pane is read-only; copying from S3 to a local path is allowed", [input.subverb, s3_destination, landing]),
} if {
	not allowed
	s3_upload
}

s3_sync_delete if {
	input.verb == "s3"
	input.subverb == "sync"
	input.aws.destination_is_s3 == false
	input.aws.delete == true
}

block contains {
	"id": "aws.s3-sync-delete",
	"reason": "`aws s3 sync --delete` deletes local files that are not in the bucket, and this pane is read-only; the same sync without --delete is allowed",
} if {
	not allowed
	s3_sync_delete
}

credentials_export if {
	input.verb == "configure"
	input.subverb == "export-credentials"
}

block contains {
	"id": "aws.credentials",
	"reason": sprintf("`aws configure export-credentials` prints the credentials of profile `%s`; read mode never reveals stored credentials", [profile]),
} if {
	credentials_export
}

secret_keys := {"aws_secret_access_key", "aws_session_token", "aws_security_token"}

block contains {
	"id": "aws.credentials",
	"reason": sprintf("`aws configure get %s` prints a stored secret key; `configure get` of other settings (region, output, aws_access_key_id) is allowed", [name]),
} if {
	input.verb == "configure"
	input.subverb == "get"
	some name in input.args
	parts := split(lower(name), ".")
	parts[count(parts) - 1] in secret_keys
}

# Reads that print or mint a credential (a password, secret, private key, access key or
# token): `aws.reveals_credentials`, from the table generated out of the aws CLI's
# service models (policies/data/aws-operations.txt). The rules below with their own ids
# (secret values, decrypted parameters, API key values) explain their cases better.
# (`eks get-token` is not in the table: kubectl runs it on every request to an EKS
# cluster, and its token only opens that cluster to the identity already configured.)
minted_credential if {
	input.aws.reveals_credentials == true
	not explained_secret
}

explained_secret if input.subverb in secret_reads[input.verb]

explained_secret if credentials_export

explained_secret if {
	input.verb == "ssm"
	input.subverb in ssm_reads
}

explained_secret if {
	input.verb == "apigateway"
	input.subverb in {"get-api-key", "get-api-keys"}
}

block contains {
	"id": "aws.credentials",
	"reason": sprintf("`aws %s %s` prints or mints a credential (a password, secret, key or token)%s; read mode never reveals credentials", [input.verb, input.subverb, landing]),
} if {
	minted_credential
}

explained if minted_credential

explained if s3_upload

explained if s3_sync_delete

explained if credentials_export

# What a blocked command may do.
effect := "changes the aws CLI's configuration files" if {
	input.verb == "configure"
} else := sprintf("can change the AWS account%s", [landing])

block contains {
	"id": "aws.not-read-only",
	"reason": sprintf("`aws %s` %s, and this pane is read-only; %s", [command_words, effect, hint]),
} if {
	not allowed
	input.subverb != ""
	not explained
}

# Reads whose purpose is to print a stored secret.
secret_reads := {
	"secretsmanager": {"get-secret-value", "batch-get-secret-value"},
}

block contains {
	"id": "aws.secret-value",
	"reason": sprintf("`aws %s` prints the stored secret value; `describe-secret` and `list-secrets` show everything else and are allowed", [command_words]),
} if {
	input.subverb in secret_reads[input.verb]
}

# The input file of --cli-input-json/--cli-input-yaml can set any parameter.
from_input_file if {
	some option in {"cli-input-json", "cli-input-yaml"}
	input.flags[option]
}

ssm_reads := {"get-parameter", "get-parameters", "get-parameters-by-path", "get-parameter-history"}

decrypts if input.flags["with-decryption"]

decrypts if {
	from_input_file
	not input.flags["no-with-decryption"]
}

block contains {
	"id": "aws.decrypted-parameter",
	"reason": sprintf("`aws ssm %s` with --with-decryption (or an input file that may set WithDecryption) prints decrypted SecureString values; without it the parameter is allowed", [input.subverb]),
} if {
	input.verb == "ssm"
	input.subverb in ssm_reads
	decrypts
}

api_key_values if {
	some option in {"include-value", "include-values"}
	input.flags[option]
}

api_key_values if {
	from_input_file
	not input.flags["no-include-value"]
	not input.flags["no-include-values"]
}

block contains {
	"id": "aws.secret-value",
	"reason": sprintf("`aws apigateway %s` with --include-value(s) (or an input file that may set it) prints the API keys themselves; without it the call is allowed", [input.subverb]),
} if {
	input.verb == "apigateway"
	input.subverb in {"get-api-key", "get-api-keys"}
	api_key_values
}
