#!/usr/bin/env python3
"""Writes policies/data/aws-operations.txt: the aws CLI operations whose output reveals
or mints a credential, and the ones that honour a dry-run switch, read from the aws
CLI's own command table and the botocore service models it ships with.

Run it with the Python of a venv that has the aws CLI (v1):

    .venv-test/bin/python scripts/gen-aws-operations.py            # rewrite the file
    .venv-test/bin/python scripts/gen-aws-operations.py --stdout   # print it

The failsafe binary embeds the file and looks operations up by binary search (see
src/facts/aws/operations.rs); tests/aws_moto.rs regenerates it and fails when the
committed copy is stale.

Rules (docs/tools/aws.md explains them to users):

* credential read (`creds`): the operation's output has a credential value within two
  members of its root (list and map levels do not count), or within three when the
  path passes a member named `*Credentials`. A credential value is a string or blob
  member (or a list of them, or a structure marked `sensitive`) whose name, lowercased
  without punctuation, ends with one of CREDENTIAL_SUFFIXES or is `token` or `secret`
  and marked `sensitive` (itself or the structure holding it). Deeper
  matches (`rds describe-db-instances` ... `PendingModifiedValues.MasterUserPassword`)
  are ordinary reads that may happen to contain a secret, and stay reads.
* `creds-if:FLAG:P:N` / `creds-unless:FLAG:P:N`: a credential read only when the
  boolean parameter FLAG is true / false (INPUT_SWITCHES, checked against the model).
* CUSTOM_CREDENTIALS: CLI customisations without a model that print a credential.
* `dry-run:P:N`: the operation has a boolean `DryRun` member (CLI `--dry-run`) whose
  documentation promises that nothing is done (DRY_RUN_PROMISES); `dryrun:P:0` and
  `dry-run:P:N` for the customisations in CUSTOM_DRY_RUNS. Any other dry-run switch of a
  customisation stops this script until a human classifies it.

P and N are the shortest abbreviations (in characters after `--`) argparse accepts for
the switch and for its `no-` form: the aws CLI's parsers allow abbreviations, first the
main parser (global options), then the operation's. 0 means there is no such form.
"""

import argparse
import io
import re
import sys
from pathlib import Path

import awscli  # noqa: F401  (makes `import botocore` the copy the aws CLI uses)
import awscli.clidriver as clidriver
import botocore
from awscli.argparser import ArgTableArgParser
from awscli.clidriver import ServiceCommand, ServiceOperation
from awscli.customizations.commands import BasicCommand

OUT = Path(__file__).resolve().parent.parent / "policies" / "data" / "aws-operations.txt"

CREDENTIAL_SUFFIXES = (
    "password", "passwords", "passworddata", "passphrase", "secretaccesskey",
    "secretkey", "sessiontoken", "securitytoken", "accesstoken", "refreshtoken",
    "idtoken", "authtoken", "authorizationtoken", "authenticationtoken", "bearertoken",
    "webidentitytoken", "clientsecret", "clientsecretvalue", "secretstring",
    "secretbinary", "secretvalue", "privatekey", "presharedkey",
)
SENSITIVE_ONLY_NAMES = ("token", "secret")

# (service, operation) -> (kind, parameter): the output holds a credential only when a
# boolean parameter says so. The parameter must exist in the model.
INPUT_SWITCHES = {
    ("apigateway", "get-api-key"): ("creds-if", "includeValue"),
    ("apigateway", "get-api-keys"): ("creds-if", "includeValues"),
    ("datazone", "get-connection"): ("creds-if", "withSecret"),
    ("glue", "get-connection"): ("creds-unless", "HidePassword"),
    ("glue", "get-connections"): ("creds-unless", "HidePassword"),
    ("ssm", "get-parameter"): ("creds-if", "WithDecryption"),
    ("ssm", "get-parameter-history"): ("creds-if", "WithDecryption"),
    ("ssm", "get-parameters"): ("creds-if", "WithDecryption"),
    ("ssm", "get-parameters-by-path"): ("creds-if", "WithDecryption"),
    ("stepfunctions", "test-state"): ("creds-if", "revealSecrets"),
}

# Customisations (no service model) that print a credential. `eks get-token` is left
# out on purpose: kubectl runs it for every request to an EKS cluster, and the token it
# prints only opens that cluster to the identity already configured.
CUSTOM_CREDENTIALS = {
    ("ecr", "get-login"),
    ("ecr", "get-login-password"),
    ("ecr-public", "get-login-password"),
    ("rds", "generate-db-auth-token"),
    ("codeartifact", "login"),
    ("codecommit", "credential-helper"),
}

# The same for aws CLI v2 customisations, which the v1 CLI used here cannot check.
V2_CREDENTIALS = {
    ("configure", "export-credentials"),
}

# Customisations with a dry-run switch: True when it changes nothing and prints no
# credential, False (with the reason) when it must not excuse the command.
CUSTOM_DRY_RUNS = {
    ("s3", "cp"): True,
    ("s3", "mv"): True,
    ("s3", "rm"): True,
    ("s3", "sync"): True,
    ("eks", "update-kubeconfig"): True,  # prints the kubeconfig instead of writing it
    ("emr-containers", "update-role-trust-policy"): True,  # prints the policy
    ("codeartifact", "login"): False,  # prints the unredacted auth token
}

# A `DryRun` member is honoured only when its documentation says nothing is done.
DRY_RUN_PROMISES = re.compile(
    r"without actually|does not make the request|but does not make|without "
    r"(?:modifying|deleting|triggering|making)|isn.t sent|is not sent|no changes|"
    r"does not make any changes|whether any effect should take place|rather than run",
    re.I,
)


def norm(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def sensitive(shape):
    return bool(shape.serialization.get("sensitive") or shape.metadata.get("sensitive"))


def is_credential(name, shape, parent_sensitive):
    inner = shape
    while inner.type_name == "list":
        inner = inner.member
    n = norm(name)
    named = n.endswith(CREDENTIAL_SUFFIXES) or (
        n in SENSITIVE_ONLY_NAMES
        and (parent_sensitive or sensitive(shape) or sensitive(inner))
    )
    if not named:
        return False
    return inner.type_name in ("string", "blob") or (
        inner.type_name == "structure" and sensitive(inner)
    )


def reaches_credential(shape, hops, limit, seen):
    if shape.name in seen:
        return False
    seen = seen | {shape.name}
    t = shape.type_name
    if t == "list":
        return reaches_credential(shape.member, hops, limit, seen)
    if t == "map":
        return reaches_credential(shape.value, hops, limit, seen)
    if t != "structure":
        return False
    for name, member in shape.members.items():
        if hops + 1 > limit:
            continue
        if is_credential(name, member, sensitive(shape)):
            return True
        deeper = limit + 1 if norm(name).endswith("credentials") else limit
        if reaches_credential(member, hops + 1, deeper, seen):
            return True
    return False


def output_reveals(model):
    out = model.output_shape
    if out is None:
        return False
    return reaches_credential(out, 0, 2, frozenset())


def option_strings(parser):
    return [s for s in parser._option_string_actions if s.startswith("--")]


def shortest(name, options, main_options):
    """Shortest abbreviation of --name that argparse reads as --name, or 0."""
    full = "--" + name
    if full not in options:
        return 0
    best = len(name)
    for length in range(len(name), 0, -1):
        prefix = full[: 2 + length]
        if [o for o in main_options if o.startswith(prefix)]:
            break
        if [o for o in options if o.startswith(prefix)] != [full]:
            break
        best = length
    return best


def switch_token(kind, name, options, main_options):
    p = shortest(name, options, main_options)
    n = shortest("no-" + name, options, main_options)
    if p == 0:
        raise SystemExit(f"{kind}: `--{name}` is not an option of its command")
    return f"{kind}:{name}:{p}:{n}"


def custom_commands(name, cmd, path):
    """Every (path, BasicCommand) below a customisation, itself included."""
    yield path, cmd
    for sub_name, sub in sorted((cmd.subcommand_table or {}).items()):
        if isinstance(sub, BasicCommand):
            yield from custom_commands(sub_name, sub, path + (sub_name,))


def basic_parser(cmd):
    cmd._subcommand_table = cmd._build_subcommand_table()
    cmd._arg_table = cmd._build_arg_table()
    return ArgTableArgParser(cmd.arg_table, cmd.subcommand_table)


def generate():
    driver = clidriver.create_clidriver()
    table = driver._get_command_table()
    main_options = option_strings(driver._create_parser(table))
    lines = {}
    seen_custom = set()

    def add(service, operation, token):
        lines.setdefault((service, operation), []).append(token)

    def visit_custom(path, cmd):
        if len(path) != 2:
            return
        parser = basic_parser(cmd)
        options = option_strings(parser)
        key = tuple(path)
        if key in CUSTOM_CREDENTIALS:
            add(*key, "creds")
            seen_custom.add(key)
        for name in ("dry-run", "dryrun"):
            if "--" + name not in options:
                continue
            if key not in CUSTOM_DRY_RUNS:
                raise SystemExit(
                    f"`aws {' '.join(key)}` has --{name}: add it to CUSTOM_DRY_RUNS "
                    "after reading what it does"
                )
            if CUSTOM_DRY_RUNS[key]:
                add(*key, switch_token("dry-run" if name == "dry-run" else "dryrun", name, options, main_options))

    for service, cmd in sorted(table.items()):
        if isinstance(cmd, BasicCommand):
            for path, sub in custom_commands(service, cmd, (service,)):
                visit_custom(path, sub)
            continue
        if not isinstance(cmd, ServiceCommand):
            continue
        for operation, op in sorted(cmd._get_command_table().items()):
            if isinstance(op, BasicCommand):
                for path, sub in custom_commands(operation, op, (service, operation)):
                    visit_custom(path, sub)
                continue
            if not isinstance(op, ServiceOperation):
                continue
            model = op._operation_model
            members = model.input_shape.members if model.input_shape else {}
            parser = None

            def options():
                nonlocal parser
                if parser is None:
                    parser = op._create_operation_parser(op.arg_table)
                return option_strings(parser)

            switch = INPUT_SWITCHES.get((service, operation))
            if switch:
                kind, member = switch
                if member not in members or members[member].type_name != "boolean":
                    raise SystemExit(f"{service} {operation}: no boolean input {member}")
                cli = botocore.xform_name(member, "-")
                add(service, operation, switch_token(kind, cli, options(), main_options))
            elif output_reveals(model):
                add(service, operation, "creds")
            for member, shape in members.items():
                if botocore.xform_name(member, "-") != "dry-run":
                    continue
                if shape.type_name != "boolean":
                    continue
                if not DRY_RUN_PROMISES.search(shape.documentation or ""):
                    continue
                add(service, operation, switch_token("dry-run", "dry-run", options(), main_options))
    missing = set(CUSTOM_CREDENTIALS) - seen_custom
    missing -= {k for k in CUSTOM_CREDENTIALS if k in lines}
    if missing:
        raise SystemExit(f"CUSTOM_CREDENTIALS names commands the aws CLI lacks: {sorted(missing)}")
    for key in INPUT_SWITCHES:
        if key not in lines:
            raise SystemExit(f"INPUT_SWITCHES names an operation the aws CLI lacks: {key}")

    for key in V2_CREDENTIALS:
        lines.setdefault(key, ["creds"])

    out = io.StringIO()
    out.write(
        "# Generated by scripts/gen-aws-operations.py from the aws CLI's command table and\n"
        f"# botocore models: awscli {awscli.__version__}, botocore {botocore.__version__}.\n"
        "# Do not edit; rerun the script. One operation a line, sorted:\n"
        "#   SERVICE OPERATION TOKEN...\n"
        "# creds | creds-if:FLAG:P:N | creds-unless:FLAG:P:N | dry-run:dry-run:P:N |\n"
        "# dryrun:dryrun:P:N  (P, N: shortest accepted abbreviation of --FLAG, --no-FLAG)\n"
    )
    for (service, operation), tokens in sorted(lines.items(), key=lambda kv: f"{kv[0][0]} {kv[0][1]}"):
        out.write(f"{service} {operation} {' '.join(tokens)}\n")
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = ap.parse_args()
    text = generate()
    if args.stdout:
        sys.stdout.write(text)
    else:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text)
        print(f"wrote {OUT} ({text.count(chr(10))} lines)", file=sys.stderr)


if __name__ == "__main__":
    main()
