"""The aws CLI v1 as an oracle for tests/diff_aws.rs.

Reads one JSON object a line on stdin: {"argv": [...words after `aws`], "env": {...}}.
For each, runs awscli's own driver in this process (no start-up cost per case) with the
given environment, records which command the CLI dispatched to (its lineage, e.g.
["ec2", "describe-instances"] or ["s3", "ls"]) and, for the first API call, the botocore
service and operation, region, profile and URL, then aborts that call in `before-call`
before anything is signed or sent. The environment should also set AWS_ENDPOINT_URL to a
dead loopback port as a belt. Writes one JSON line per case on stdout.
"""

import io
import json
import os
import sys
import contextlib

import botocore
from botocore import xform_name
import awscli.clidriver
from awscli.clidriver import create_clidriver, ServiceOperation
from awscli.customizations.commands import BasicCommand


class Abort(Exception):
    """Raised in before-call: nothing leaves the process."""


STATE = {}


def _wrap(cls):
    original = cls.__call__

    def call(self, *args, **kwargs):
        try:
            STATE["lineage"] = list(self.lineage_names)
        except Exception:  # pragma: no cover - defensive
            pass
        return original(self, *args, **kwargs)

    cls.__call__ = call


_wrap(ServiceOperation)
_wrap(BasicCommand)


def before_call(model, params, request_signer, context, **kwargs):
    if "call" not in STATE:
        STATE["call"] = {
            "service": model.service_model.service_name,
            "operation": xform_name(model.name, "-"),
            "region": getattr(request_signer, "_region_name", None),
            "url": params.get("url"),
        }
    raise Abort()


def run(argv, env):
    STATE.clear()
    saved = dict(os.environ)
    os.environ.clear()
    # awscli sets AWS_DATA_PATH at import time to find its own data (`cli.json`).
    if "AWS_DATA_PATH" in saved:
        os.environ["AWS_DATA_PATH"] = saved["AWS_DATA_PATH"]
    os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    rc = None
    profile = None
    try:
        driver = create_clidriver()
        driver.session.register("before-call", before_call)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = driver.main(list(argv))
            except SystemExit as e:
                rc = e.code
        try:
            profile = driver.session.profile
        except Exception:
            profile = None
    except Exception as e:  # the driver itself failed
        err.write("oracle: %r" % (e,))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "lineage": STATE.get("lineage"),
        "call": STATE.get("call"),
        "profile": profile,
        "rc": rc,
        "stderr": err.getvalue().strip()[:300],
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        res = run(req["argv"], req["env"])
        sys.__stdout__.write(json.dumps(res) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
