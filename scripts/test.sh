#!/usr/bin/env bash
# The test command from the README. Installs what the test suite needs when it is
# missing (git), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
    else
        echo "scripts/test.sh: please install: ${need_apt[*]}" >&2
        exit 1
    fi
fi

cargo test --locked "$@"
