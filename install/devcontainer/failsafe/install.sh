#!/bin/sh
# The failsafe devcontainer feature: installs failsafe system-wide, creates its shims in
# /usr/local/share/failsafe/shims (first on PATH through the feature's containerEnv), and
# keeps them first in login shells with /etc/profile.d/failsafe.sh. Runs as root at image
# build time; options arrive as TOOLS, MODE, POLICYBUNDLE, BINARY, SOURCE, SEALED, and
# the users as _REMOTE_USER, _REMOTE_USER_HOME, _CONTAINER_USER (the devcontainer CLI).
#
# SEALED=true: `failsafe install-shims --sealed --agent-user <remote user>` (docs/sealed.md)
# instead of plain shims; policies and mode go to /etc/failsafe, root's. The build fails
# when sealing cannot hold: a remote user that is root or has passwordless sudo.
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
case "$SEALED" in true|false) ;; *) die "option sealed is \`$SEALED\`; use true or false" ;; esac

# 0. Sealed: check that it can hold before anything changes.
agents=""
if [ "$SEALED" = true ]; then
    uid="$(id -u "$user" 2>/dev/null)" || die "sealed: the remote user \`$user\` does not exist (yet); create it before this feature runs (the common-utils feature or the image does)"
    if [ "$uid" = 0 ]; then
        die "sealed: the remote user is root (\`$user\`). Sealing keeps the real tools, config and log away from a user that is not root; root can undo all of it, so sealing against root is meaningless. Set \"remoteUser\" in devcontainer.json to an unprivileged user (e.g. \"vscode\"), or set sealed to false."
    fi
    agents="$user"
    # The container user runs processes too (postCreateCommand, the entrypoint): when it
    # is another unprivileged user, it is sealed out as well.
    cuser="${_CONTAINER_USER:-}"
    if [ -n "$cuser" ] && [ "$cuser" != "$user" ] && cuid="$(id -u "$cuser" 2>/dev/null)" && [ "$cuid" != 0 ]; then
        agents="$agents,$cuser"
    fi
    if command -v sudo >/dev/null 2>&1; then
        for a in $(printf '%s' "$agents" | tr ',' ' '); do
            if sudo -n -l -U "$a" 2>/dev/null | grep -q NOPASSWD; then
                die "sealed: \`$a\` may run sudo without a password, which makes it root whenever it likes: sealing would keep nothing from it. Remove its sudo rule (the common-utils feature and mcr.microsoft.com/devcontainers images add /etc/sudoers.d/$a; delete it in your Dockerfile or a later step), or set sealed to false."
            fi
        done
    fi
    if ! getent group failsafe >/dev/null 2>&1 && ! command -v groupadd >/dev/null 2>&1; then
        die "sealed: no \`failsafe\` group and no groupadd to create it (install the passwd / shadow package first)"
    fi
fi

# Login shells: Debian's /etc/profile resets PATH; the snippet puts the shims back for
# environments with FAILSAFE_AGENT=1 (the feature's containerEnv sets it).
install_profile() {
    {
        printf '# Installed by the failsafe devcontainer feature.\n'
        # shellcheck disable=SC2016 # written literally: the profile expands it
        printf ': "${FAILSAFE_SHIMS:=%s}"\n' "$shims"
        cat "$here/profile.sh"
    } > /etc/profile.d/failsafe.sh
    chmod 0644 /etc/profile.d/failsafe.sh
}

# The sealed install: install-shims --sealed puts the setgid binary at $bin, shims at the
# tools' own paths and in /usr/local/lib/failsafe/shims; $shims (first on PATH through
# containerEnv) becomes a link to that directory. Policies and mode go to /etc/failsafe.
sealed_install() {
    install -m 0755 "$src" "$tmp/failsafe"
    say "sealing for $agents ($("$tmp/failsafe" --version))"
    if [ -n "$TOOLS" ]; then
        PATH="$build_path" "$tmp/failsafe" install-shims --sealed --agent-user "$agents" --tools "$TOOLS" \
            || die "sealed: install-shims --sealed failed (above); nothing was sealed"
    else
        PATH="$build_path" "$tmp/failsafe" install-shims --sealed --agent-user "$agents" \
            || die "sealed: install-shims --sealed failed (above); nothing was sealed"
    fi
    install -d -m 0755 /usr/local/share/failsafe
    if [ -d "$shims" ] && [ ! -L "$shims" ]; then rm -rf "$shims"; fi
    ln -sfn /usr/local/lib/failsafe/shims "$shims"
    install_profile
    if [ -n "$POLICYBUNDLE" ]; then
        case "$POLICYBUNDLE" in /*) bundle="$POLICYBUNDLE" ;; *) bundle="$here/$POLICYBUNDLE" ;; esac
        if [ -d "$bundle" ]; then cp "$bundle"/*.rego /etc/failsafe/policies/
        elif [ -f "$bundle" ]; then cp "$bundle" /etc/failsafe/policies/
        else die "policyBundle $bundle is neither a file nor a directory"; fi
        chown -R root:root /etc/failsafe/policies
        chmod 0644 /etc/failsafe/policies/*.rego
        "$bin" validate /etc/failsafe/policies/*.rego
    fi
    if [ "$MODE" = rw ]; then
        for a in $(printf '%s' "$agents" | tr ',' ' '); do
            "$bin" mode set rw --agent "$a"
        done
    fi
    say "done: sealed for $agents; real tools in /usr/libexec/failsafe/real, config in /etc/failsafe, log in /var/log/failsafe; change a mode with \`sudo failsafe mode set rw --agent $user --for 30m\` (as root: \`docker exec -u root\`); check with \`failsafe doctor\` as $user"
}

# install-shims judges "installed" on PATH without the shim dir, and refuses when the
# shim dir on PATH already holds shims; at build time PATH is root's, not an agent's.
build_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$shims" | paste -sd: -)"

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
if [ "$SEALED" = true ]; then
    sealed_install
    exit 0
fi
install -m 0755 "$src" "$bin.new"
mv -f "$bin.new" "$bin"
say "installed $bin ($("$bin" --version))"

# 2. Shims, readable by every user (install-shims makes new directories owner-only).
install -d -m 0755 /usr/local/share/failsafe "$shims"
if [ -n "$TOOLS" ]; then
    PATH="$build_path" "$bin" install-shims --dir "$shims" --tools "$TOOLS"
else
    PATH="$build_path" "$bin" install-shims --dir "$shims"
fi
chmod 0755 "$shims"

# 3. Login shells.
install_profile

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
say "done: shims in $shims; check from a shell in the container with \`failsafe doctor\`"
