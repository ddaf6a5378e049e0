#!/bin/sh
# The failsafe devcontainer feature: installs failsafe system-wide, creates its shims in
# /usr/local/share/failsafe/shims (first on PATH through the feature's containerEnv), and
# keeps them first in login shells with /etc/profile.d/failsafe.sh. Runs as root at image
# build time; options arrive as TOOLS, MODE, POLICYBUNDLE, BINARY, SOURCE, SEALED.
set -eu

TOOLS="${TOOLS:-}"
MODE="${MODE:-ro}"
POLICYBUNDLE="${POLICYBUNDLE:-}"
BINARY="${BINARY:-}"
SOURCE="${SOURCE:-}"
SEALED="${SEALED:-false}"
here="$(cd "$(dirname "$0")" && pwd)"
bin=/usr/local/bin/failsafe
shims=/usr/local/share/failsafe/shims
user="${_REMOTE_USER:-root}"
user_home="${_REMOTE_USER_HOME:-}"
if [ -z "$user_home" ]; then
    user_home="$(getent passwd "$user" 2>/dev/null | cut -d: -f6)" || true
    [ -n "$user_home" ] || user_home=/root
fi

say() { printf 'failsafe feature: %s\n' "$*"; }
die() { printf 'failsafe feature: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (devcontainer features do)"
case "$MODE" in ro|rw) ;; *) die "option mode is \`$MODE\`; use ro or rw" ;; esac

# 1. The binary: an option, a file shipped with the feature, or a cargo build.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$BINARY" in
    https://*|http://*)
        say "downloading $BINARY"
        if command -v curl >/dev/null 2>&1; then curl -fsSL "$BINARY" -o "$tmp/failsafe"
        elif command -v wget >/dev/null 2>&1; then wget -qO "$tmp/failsafe" "$BINARY"
        else die "neither curl nor wget to download $BINARY"; fi
        src="$tmp/failsafe" ;;
    /*) src="$BINARY" ;;
    "")
        if [ -f "$here/failsafe" ]; then src="$here/failsafe"
        elif command -v cargo >/dev/null 2>&1; then
            [ -n "$SOURCE" ] || die "no binary and no source to build from"
            say "building failsafe with cargo from $SOURCE (several minutes)"
            if [ -f "$SOURCE/Cargo.toml" ]; then
                cargo install --locked --path "$SOURCE" --root "$tmp/root"
            else
                cargo install --locked --git "$SOURCE" --root "$tmp/root" failsafe
            fi
            src="$tmp/root/bin/failsafe"
        else
            die "no failsafe binary: set the binary option (a path or URL), put a built failsafe next to install.sh, or add the rust feature before this one"
        fi ;;
    *) src="$here/$BINARY" ;;
esac
[ -f "$src" ] || die "no failsafe binary at $src"
install -m 0755 "$src" "$bin.new"
mv -f "$bin.new" "$bin"
say "installed $bin ($("$bin" --version))"

# 2. Shims, readable by every user (install-shims makes new directories owner-only).
install -d -m 0755 /usr/local/share/failsafe "$shims"
# install-shims judges "installed" on PATH without the shim dir, and refuses when the
# shim dir on PATH already holds shims; at build time PATH is root's, not an agent's.
build_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$shims" | paste -sd: -)"
if [ -n "$TOOLS" ]; then
    PATH="$build_path" "$bin" install-shims --dir "$shims" --tools "$TOOLS"
else
    PATH="$build_path" "$bin" install-shims --dir "$shims"
fi
chmod 0755 "$shims"

# 3. Login shells: Debian's /etc/profile resets PATH; the snippet puts the shims back
# for environments with FAILSAFE_AGENT=1 (the feature's containerEnv sets it).
{
    printf '# Installed by the failsafe devcontainer feature.\n'
    # shellcheck disable=SC2016 # written literally: the profile expands it
    printf ': "${FAILSAFE_SHIMS:=%s}"\n' "$shims"
    cat "$here/profile.sh"
} > /etc/profile.d/failsafe.sh
chmod 0644 /etc/profile.d/failsafe.sh

# 4. The remote user's config: policies and the default pane's mode.
config="$user_home/.config/failsafe"
if [ -n "$POLICYBUNDLE" ]; then
    case "$POLICYBUNDLE" in /*) bundle="$POLICYBUNDLE" ;; *) bundle="$here/$POLICYBUNDLE" ;; esac
    mkdir -p "$config/policies"
    if [ -d "$bundle" ]; then cp "$bundle"/*.rego "$config/policies/"
    elif [ -f "$bundle" ]; then cp "$bundle" "$config/policies/"
    else die "policyBundle $bundle is neither a file nor a directory"; fi
    FAILSAFE_CONFIG_DIR="$config" "$bin" validate "$config"/policies/*.rego
fi
if [ "$MODE" = rw ]; then
    env -u FAILSAFE_PANE PATH="$build_path" FAILSAFE_CONFIG_DIR="$config" "$bin" mode set rw --pane default
fi
if [ -d "$config" ]; then
    chown -R "$user" "$user_home/.config" 2>/dev/null || true
    chmod 0700 "$config"
fi
if [ "$SEALED" = true ]; then
    say "the sealed option is reserved and does nothing yet"
fi
say "done: shims in $shims; check from a shell in the container with \`failsafe doctor\`"
