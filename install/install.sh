#!/usr/bin/env bash
# Build and install failsafe, create its shims, and show it refusing a command.
#
#   ./install/install.sh                  # binary in ~/.local/bin, shims in ~/.local/share/failsafe/shims
#   ./install/install.sh --agent-profile  # also keep the shims first in the agent's login shells
#   ./install/install.sh --uninstall      # remove binary, shims and profile blocks (keeps config and log)
#   ./install/install.sh --uninstall --purge   # … and the config dir with the decision log
#
# Options:
#   --tools LIST      shim only these tools (comma-separated), installed or not; default:
#                     every guarded tool found on PATH
#   --agent-profile   add a block to ~/.profile (and ~/.bash_profile, ~/.bash_login,
#                     ~/.bashrc when they exist, ~/.zlogin when zsh is installed) that puts
#                     the shims first in login shells whose environment has FAILSAFE_AGENT=1
#                     — the agent's, never yours
#   --agent-profile=system
#                     instead, install the snippet as /etc/profile.d/failsafe.sh (as root;
#                     for a machine or container whose agents run as their own users)
#   --no-demo         skip the demo
#   --uninstall       undo everything this script did; add --purge to delete the config too
#
# Environment: PREFIX (default ~/.local) for the binary; FAILSAFE_BINARY=/path to install
# that binary instead of building one. Safe to run again: it replaces what it installed.
#
# Run it from your own terminal, not from an agent's: installing shims is a human's job.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout="$(pwd)"

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

tools=""
agent_profile=0
demo=1
uninstall=0
purge=0
while [ $# -gt 0 ]; do
    case "$1" in
        --tools) [ $# -ge 2 ] || die "--tools needs a list, e.g. --tools kubectl,git"; tools="$2"; shift ;;
        --tools=*) tools="${1#--tools=}" ;;
        --agent-profile) agent_profile=1 ;;
        --agent-profile=system) agent_profile=system ;;
        --no-demo) demo=0 ;;
        --uninstall) uninstall=1 ;;
        --purge) purge=1 ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option \`$1\` (see --help)" ;;
    esac
    shift
done
[ "$purge" = 0 ] || [ "$uninstall" = 1 ] || die "--purge goes with --uninstall"

prefix="${PREFIX:-$HOME/.local}"
bindir="$prefix/bin"
failsafe="$bindir/failsafe"
data="${XDG_DATA_HOME:-$HOME/.local/share}/failsafe"
shims="$data/shims"
config="${FAILSAFE_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/failsafe}"
begin_marker="# >>> failsafe agent profile >>>"
end_marker="# <<< failsafe agent profile <<<"

# Login files that may get the block. ~/.profile always (bash reads it when there is no
# ~/.bash_profile or ~/.bash_login, sh and dash always); the others only when present,
# ~/.zlogin when zsh is installed (it is the last file a zsh login shell reads).
profile_files() {
    printf '%s\n' "$HOME/.profile"
    local f
    for f in "$HOME/.bash_profile" "$HOME/.bash_login" "$HOME/.bashrc"; do
        [ -e "$f" ] && printf '%s\n' "$f"
    done
    if [ -e "$HOME/.zlogin" ] || command -v zsh >/dev/null 2>&1; then
        printf '%s\n' "$HOME/.zlogin"
    fi
    return 0
}

# Removes the failsafe block from $1 (no-op when absent), keeping everything else.
strip_block() {
    local file="$1"
    [ -f "$file" ] && grep -qF "$begin_marker" "$file" || return 0
    local tmp
    tmp="$(mktemp "$file.failsafe.XXXXXX")"
    # Blank lines right before the block went in with it (add_block writes one).
    awk -v b="$begin_marker" -v e="$end_marker" '
        $0 == b { skip = 1; blank = 0; next }
        $0 == e { skip = 0; next }
        skip { next }
        $0 == "" { blank++; next }
        { while (blank > 0) { print ""; blank-- } print }
        END { while (blank > 0) { print ""; blank-- } }' "$file" > "$tmp"
    chmod --reference="$file" "$tmp" 2>/dev/null || true
    mv -f "$tmp" "$file"
    # A file that held nothing but the block was made by add_block.
    [ -s "$file" ] || rm -f "$file"
}

# Appends the block at the end of $1, after whatever else rebuilds PATH there.
# shellcheck disable=SC2094 # strip_block has finished with the file before we append
add_block() {
    local file="$1"
    strip_block "$file"
    {
        [ -s "$file" ] && printf '\n'
        printf '%s\n' "$begin_marker"
        printf '%s\n' "# Only the agent's shells (FAILSAFE_AGENT=1) get the shims first; see docs/install.md."
        printf 'if [ -r "%s/profile.sh" ]; then . "%s/profile.sh"; fi\n' "$data" "$data"
        printf '%s\n' "$end_marker"
    } >> "$file"
}

if [ "$uninstall" = 1 ]; then
    say "== removing shims from $shims"
    if [ -x "$failsafe" ]; then
        "$failsafe" uninstall-shims --dir "$shims"
    elif [ -d "$shims" ]; then
        # No binary left to ask: remove only symlinks that point at a file named failsafe.
        for link in "$shims"/*; do
            [ -L "$link" ] && [ "$(basename "$(readlink "$link")")" = failsafe ] && rm -f "$link"
        done
        rmdir "$shims" 2>/dev/null || true
    fi
    say "== removing profile blocks"
    for f in "$HOME/.profile" "$HOME/.bash_profile" "$HOME/.bash_login" "$HOME/.bashrc" "$HOME/.zlogin"; do
        if [ -f "$f" ] && grep -qF "$begin_marker" "$f"; then
            strip_block "$f"
            say "   $f"
        fi
    done
    if [ -f /etc/profile.d/failsafe.sh ] && [ "$(id -u)" = 0 ] \
        && grep -qF 'Installed by failsafe install/install.sh' /etc/profile.d/failsafe.sh; then
        rm -f /etc/profile.d/failsafe.sh
        say "   /etc/profile.d/failsafe.sh"
    fi
    rm -f "$data/profile.sh"
    rm -rf "$data/terminal"
    rmdir "$data" 2>/dev/null || true
    say "== removing $failsafe"
    rm -f "$failsafe"
    if [ "$purge" = 1 ]; then
        say "== removing $config (policies, modes, trust store, decision log)"
        rm -rf "$config"
    else
        say "kept your config and decision log in $config (add --purge to remove them)"
    fi
    say "failsafe is uninstalled"
    exit 0
fi

mkdir -p "$bindir"
if [ -n "${FAILSAFE_BINARY:-}" ]; then
    [ -x "$FAILSAFE_BINARY" ] || die "FAILSAFE_BINARY=$FAILSAFE_BINARY is not an executable file"
    say "== installing $FAILSAFE_BINARY as $failsafe"
    built="$FAILSAFE_BINARY"
else
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install a Rust toolchain (1.95 or newer) from https://rustup.rs, or set FAILSAFE_BINARY to a built failsafe"
    say "== building failsafe (release): several minutes the first time (more on a small or busy machine), seconds after that"
    cargo build --release --locked
    built="$checkout/target/release/failsafe"
fi
# Copy then rename: a shim that is running keeps its old file, the next call gets the new.
cp "$built" "$failsafe.new.$$"
chmod 755 "$failsafe.new.$$"
mv -f "$failsafe.new.$$" "$failsafe"
say "   installed $failsafe ($("$failsafe" --version))"

say "== installing shims"
if [ -n "$tools" ]; then
    "$failsafe" install-shims --dir "$shims" --tools "$tools"
else
    "$failsafe" install-shims --dir "$shims"
fi
cp "$checkout/install/profile.d/failsafe.sh" "$data/profile.sh.new.$$"
mv -f "$data/profile.sh.new.$$" "$data/profile.sh"
# Terminal toggles and badges (tmux, WezTerm, iTerm2, Claude Code): see docs/install.md.
rm -rf "$data/terminal"
cp -R "$checkout/install/terminal" "$data/terminal"

system_profile=/etc/profile.d/failsafe.sh
if [ "$agent_profile" = system ]; then
    [ "$(id -u)" = 0 ] || die "--agent-profile=system writes $system_profile: run it as root"
    say "== agent login shells: $system_profile (active only with FAILSAFE_AGENT=1)"
    {
        printf '# Installed by failsafe install/install.sh --agent-profile=system.\n'
        cat "$checkout/install/profile.d/failsafe.sh"
    } > "$system_profile.new.$$"
    chmod 644 "$system_profile.new.$$"
    mv -f "$system_profile.new.$$" "$system_profile"
fi
if [ "$agent_profile" = 1 ]; then
    say "== agent login shells: adding a block (active only with FAILSAFE_AGENT=1) to"
    while IFS= read -r f; do
        add_block "$f"
        say "   $f"
    done < <(profile_files)
fi

if [ "$demo" = 1 ]; then
    say "== demo: an agent whose PATH starts with $shims"
    demo_dir="$(mktemp -d)"
    trap 'rm -rf "$demo_dir"' EXIT
    if ! real_git="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$shims" | paste -sd: -)" command -v git)"; then
        say "   (git is not installed: demo skipped)"
    else
        # shellcheck disable=SC2030,SC2031 # the demo's PATH is meant to stay in its subshell
        (
            cd "$demo_dir"
            "$real_git" init -q --bare remote.git
            "$real_git" init -q -b main work
            cd work
            "$real_git" -c user.name=demo -c user.email=demo@example.com commit -q --allow-empty -m init
            "$real_git" remote add origin ../remote.git
            # A throwaway config dir, pane and shim dir installed for them: your own log,
            # policies and modes are not touched, your panes' modes do not matter here,
            # and the demo is not logged as a decision made outside the installed set-up.
            export FAILSAFE_CONFIG_DIR="$demo_dir/config"
            export FAILSAFE_PANE="install-demo-$$"
            "$failsafe" install-shims --dir "$demo_dir/shims" --tools git >/dev/null
            export PATH="$demo_dir/shims:$PATH"
            echo "\$ git status --short --branch"
            git status --short --branch
            echo "\$ git push --force origin main"
            set +e
            git push --force origin main
            status=$?
            set -e
            echo "(exit status $status: refused, nothing was pushed)"
        )
    fi
fi

say ""
say "failsafe is installed."
# shellcheck disable=SC2031 # the user's PATH, not the demo's
case ":$PATH:" in
    *":$bindir:"*) ;;
    *)
        say ""
        say "note: $bindir is not on your PATH, so \`failsafe\` is not found in your own terminal."
        say "      add this to your ~/.profile (or ~/.bashrc), then open a new terminal:"
        say "        export PATH=\"$bindir:\$PATH\""
        say "      (the agent needs nothing extra: its shim directory holds a \`failsafe\` link)"
        ;;
esac
cat <<EOF

Give your agent this environment (its launch script, devcontainer or CI job — not your
own terminal):
  export PATH="$shims:\$PATH"
  export FAILSAFE_AGENT=1
EOF
if [ "$agent_profile" = 0 ]; then
    say "If the agent runs login shells (bash -lc, zsh -lc), also run: $0 --agent-profile"
fi
cat <<EOF
Then check it from the agent's side:
  failsafe doctor                (in the agent's shell), or from here:
  env FAILSAFE_AGENT=1 PATH="$shims:\$PATH" bash -lc 'failsafe doctor'
Undo with: $0 --uninstall
EOF
