#!/usr/bin/env bash
# Build and install failsafe, create its shims, and show it refusing a command.
#
#   ./install/install.sh            # binary in ~/.local/bin, shims in ~/.local/share/failsafe/shims
#   PREFIX=/opt/failsafe ./install/install.sh
#
# Run it from your own terminal, not from an agent's: installing shims is a human's job.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${PREFIX:-$HOME/.local}"
echo "== building failsafe (release) into $prefix/bin"
# .cargo/config.toml links the binary statically on Linux; where the static C library is
# missing, the same build without those flags gives a dynamic binary.
if ! cargo install --quiet --locked --path . --root "$prefix" --force; then
    host="$(rustc -vV | sed -n 's/^host: //p')"
    flags_var="CARGO_TARGET_$(printf '%s' "$host" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
    echo "== the static build failed (is the static C library installed, e.g. glibc-static?); building a dynamic binary"
    env "$flags_var=" cargo install --quiet --locked --path . --root "$prefix" --force
fi
failsafe="$prefix/bin/failsafe"

echo "== installing shims"
"$failsafe" install-shims
shims="${XDG_DATA_HOME:-$HOME/.local/share}/failsafe/shims"

echo "== demo: an agent whose PATH starts with $shims"
demo="$(mktemp -d)"
trap 'rm -rf "$demo"' EXIT
real_git="$(command -v git)"
(
    cd "$demo"
    "$real_git" init -q --bare remote.git
    "$real_git" init -q -b main work
    cd work
    "$real_git" -c user.name=demo -c user.email=demo@example.com commit -q --allow-empty -m init
    "$real_git" remote add origin ../remote.git
    # Judge in a fresh pane so your own panes' modes do not matter here.
    export FAILSAFE_PANE="install-demo-$$"
    export PATH="$shims:$PATH"
    echo "\$ git status --short --branch"
    git status --short --branch
    echo "\$ git push --force origin main"
    set +e
    git push --force origin main
    status=$?
    set -e
    echo "(exit status $status: refused, nothing was pushed)"
)

cat <<EOF2

failsafe is installed. Give your agent this PATH (not your own terminal):
  export PATH="$shims:\$PATH"
Then check it from the agent's side with:  failsafe doctor
EOF2
