#!/usr/bin/env bash
# The test command from the README. Installs what the test suite needs when it is
# missing, then runs every test (extra arguments go to `cargo test`).
#
# - git, python3 and its venv module, Chromium for the HTML report test, tmux for the
#   terminal test, and (as root) debootstrap for the devcontainer test, from apt when
#   running as root; valgrind too, for the instruction budget that runs after the tests
#   (benches/instruction-budget.sh, with the debug binary the tests built);
# - with FAILSAFE_FUZZ=1, afterwards: every cargo-fuzz target for FAILSAFE_FUZZ_SECONDS
#   (default 60) through scripts/fuzz.sh (needs the nightly toolchain);
# - .venv-test/: a Python virtualenv with the real aws CLI and moto's local AWS
#   emulator, for tests/aws_moto.rs. Created once; delete it to rebuild it. Its
#   location reaches the tests as FAILSAFE_TEST_AWS_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need_apt+=(python3-venv)
fi
[ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || need_apt+=(chromium)
# The terminal test drives a real tmux server through a client on a pty (script(1)).
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v script >/dev/null 2>&1 || need_apt+=(bsdutils)
# The WezTerm test loads its Lua module with a stand-in `wezterm`.
command -v lua5.4 >/dev/null 2>&1 || command -v lua >/dev/null 2>&1 || need_apt+=(lua5.4)
# The devcontainer feature test builds a minimal Debian root; it runs only as root.
if [ "$(id -u)" = 0 ]; then
    command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
fi
# For the instruction budget (benches/instruction-budget.sh); skipped where it is missing.
if ! command -v valgrind >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    need_apt+=(valgrind)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "scripts/test.sh: installing from apt (tests need them): ${need_apt[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
    else
        echo "scripts/test.sh: please install: ${need_apt[*]}" >&2
        exit 1
    fi
fi

# The aws CLI v1 and moto 5 (its server mode serves every AWS API on one local port).
venv=.venv-test
# Pinned: policies/data/aws-operations.txt is generated from this awscli's models, and a
# test fails when the two drift apart (rerun scripts/gen-aws-operations.py after a bump).
aws_packages=('awscli==1.46.3' 'moto[server]==5.2.5')
want="$(printf '%s\n' "${aws_packages[@]}")"
if [ "$(cat "$venv/.ready" 2>/dev/null)" != "$want" ]; then
    echo "scripts/test.sh: creating $venv from PyPI (aws CLI v1 and moto for the aws tests; about 480 MB, once)" >&2
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${aws_packages[@]}"
    "$venv/bin/aws" --version >/dev/null
    "$venv/bin/moto_server" --help >/dev/null
    printf '%s\n' "$want" > "$venv/.ready"
fi
FAILSAFE_TEST_AWS_VENV="$(pwd)/$venv"
export FAILSAFE_TEST_AWS_VENV

# Library and integration tests (the crate has no doctests), then one summary line.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --lib --tests "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -Eo '^test result: .* [0-9]+ failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s += $1} END {print s + 0}')
echo "tests: $passed passed, $failed failed"
if [ "$status" = 0 ] && [ $# = 0 ]; then
    if command -v valgrind >/dev/null 2>&1; then
        echo "== instruction budget (benches/instruction-budget.sh)"
        ./benches/instruction-budget.sh || status=$?
    else
        echo "scripts/test.sh: valgrind is not installed, so the instruction budget was not checked" >&2
    fi
fi
if [ "$status" = 0 ] && [ "${FAILSAFE_FUZZ:-}" = 1 ]; then
    scripts/fuzz.sh "${FAILSAFE_FUZZ_SECONDS:-60}" || status=$?
fi
exit "$status"
