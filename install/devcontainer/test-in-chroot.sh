#!/usr/bin/env bash
# Tests the devcontainer feature for real: runs install/devcontainer/failsafe/install.sh
# inside a minimal Debian root (debootstrap --variant=minbase, from the mirror apt uses)
# through chroot, as a devcontainer build would, for a non-root remote user; then, from
# that user's login shell, checks that the shims come first and that a force push is
# refused with exit 77.
#
#   install/devcontainer/test-in-chroot.sh FAILSAFE_BINARY CACHE_DIR [sealed]
#
# With `sealed`, the feature runs with sealed=true and mode=rw: first for the remote user root, which
# must fail the build and change nothing; then for the agent user, after which the real
# git must be out of that user's reach (by its sealed path and by /usr/bin/git, now a
# shim), the policy bundle must apply from /etc/failsafe, and the sealed log must hold
# the sealing and the refusals.
#
# Needs root and debootstrap. The root file system is built once (about a minute and a
# half) and cached as CACHE_DIR/debootstrap-<suite>-minbase.tar; every run unpacks a
# fresh copy in a temp dir and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary="$(realpath "$1")"
cache="$2"
sealed="${3:-}"
case "$sealed" in ""|sealed) ;; *) echo "test-in-chroot.sh: third argument: sealed or nothing" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "test-in-chroot.sh: needs root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null 2>&1 || { echo "test-in-chroot.sh: needs debootstrap" >&2; exit 2; }

# The suite and mirror this machine's apt uses (deb822 or one-line sources).
# shellcheck disable=SC1091 # the machine's own file
. /etc/os-release
suite="${VERSION_CODENAME:-bookworm}"
mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1 || true)"
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

mkdir -p "$cache"
tarball="$cache/debootstrap-$suite-minbase.tar"
# Two runs at once (the plain and the sealed test) build the root once.
exec 9> "$cache/.lock"
flock 9
if [ ! -f "$tarball" ]; then
    build="$(mktemp -d)"
    echo "== debootstrap --variant=minbase $suite from $mirror (once; cached as $tarball)"
    if ! debootstrap --variant=minbase "$suite" "$build" "$mirror" > "$cache/debootstrap.log" 2>&1; then
        tail -n 20 "$cache/debootstrap.log" >&2
        rm -rf "$build"
        exit 1
    fi
    tar -C "$build" -cf "$tarball.tmp" .
    mv -f "$tarball.tmp" "$tarball"
    rm -rf "$build"
fi
flock -u 9

root="$(mktemp -d)"
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    # A sealed log is append-only (chattr +a) where the file system allows it.
    if [ -e "$root/var/log/failsafe/decisions.jsonl" ]; then
        chattr -a "$root/var/log/failsafe/decisions.jsonl" 2>/dev/null \
            || chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chattr -a /var/log/failsafe/decisions.jsonl 2>/dev/null \
            || true
    fi
    rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
# mktemp -d makes 0700 directories; the root of a file system is 0755, or the agent user
# cannot reach anything in it.
chmod 0755 "$root"
mount -t proc proc "$root/proc"

# git from this machine, with any library the minimal root lacks.
cp /usr/bin/git "$root/usr/bin/git"
for lib in $(ldd /usr/bin/git | awk '$2 == "=>" { print $3 }'); do
    [ -e "$root$lib" ] || cp "$lib" "$root$lib"
done

# The feature as the devcontainer CLI hands it over, a policy bundle, a prebuilt binary.
cp -R install/devcontainer/failsafe "$root/tmp/feature"
cp "$binary" "$root/tmp/feature/failsafe-prebuilt"
mkdir -p "$root/tmp/feature/policies"
cat > "$root/tmp/feature/policies/team.rego" <<'EOF'
package failsafe.user

import rego.v1

block contains {"id": "team.no-tags", "reason": "tags are pushed by the release job"} if {
	input.tool == "git"
	input.verb == "push"
	input.flags.tags
}
EOF

in_root() { chroot "$root" /usr/bin/env -i "$@"; }
container_path="/usr/local/share/failsafe/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

in_root PATH=/usr/sbin:/usr/bin:/sbin:/bin useradd -m -s /bin/bash agent
fail() { echo "FAIL: $*" >&2; exit 1; }
# containerEnv is already in effect when a feature installs: PATH starts with the shims.
feature() {
    in_root PATH="$container_path" HOME=/root FAILSAFE_AGENT=1 \
        BINARY=failsafe-prebuilt POLICYBUNDLE=policies MODE=ro "$@" \
        /bin/sh /tmp/feature/install.sh
}
if [ -n "$sealed" ]; then
    echo "== the feature's install.sh, sealed, remote user root (must fail)"
    set +e
    feature _REMOTE_USER=root _REMOTE_USER_HOME=/root SEALED=true > "$root/tmp/root.out" 2>&1
    status=$?
    set -e
    cat "$root/tmp/root.out"
    [ "$status" != 0 ] || fail "sealing for the remote user root did not fail the build"
    grep -q "sealing against root is meaningless" "$root/tmp/root.out" || fail "no clear message for a root remote user"
    for left in usr/local/bin/failsafe usr/libexec/failsafe etc/failsafe; do
        [ ! -e "$root/$left" ] || fail "the failed sealed build left /$left behind"
    done
    echo "ok: sealed with remote user root fails the build and changes nothing"
    echo "== the feature's install.sh, sealed (as root, remote user agent)"
    feature _REMOTE_USER=agent _REMOTE_USER_HOME=/home/agent _CONTAINER_USER=root SEALED=true MODE=rw
else
    echo "== the feature's install.sh (as root, remote user agent)"
    feature _REMOTE_USER=agent _REMOTE_USER_HOME=/home/agent SEALED=false
fi

# A repository with a remote, owned by the agent user.
mkdir -p "$root/work"
git init -q --bare -b main "$root/work/remote.git"
git init -q -b main "$root/work/repo"
git -C "$root/work/repo" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m init
git -C "$root/work/repo" remote add origin /work/remote.git
in_root PATH=/usr/bin:/bin chown -R agent:agent /work

# The agent: the container's environment, a login shell, as the remote user.
as_agent() {
    chroot --userspec=agent:agent "$root" /usr/bin/env -i HOME=/home/agent USER=agent \
        PATH="$container_path" FAILSAFE_AGENT=1 FAILSAFE_SHIMS=/usr/local/share/failsafe/shims \
        /bin/bash -lc "cd /work/repo && $1"
}

found="$(as_agent 'command -v git')"
[ "$found" = /usr/local/share/failsafe/shims/git ] || fail "bash -lc finds git at $found, not the shim"
echo "ok: the agent's login shell finds $found"

as_agent 'git status --short --branch' > /dev/null || fail "git status was not allowed"
echo "ok: git status runs the real git"

set +e
as_agent 'git push --force origin main' 2> "$root/tmp/push.err"
status=$?
set -e
[ "$status" = 77 ] || { cat "$root/tmp/push.err" >&2; fail "force push exited $status, not 77"; }
# Read mode blocks it; the sealed run is in write mode (mode=rw), where it needs approval.
# shellcheck disable=SC2016 # backticks are part of the message
if [ -n "$sealed" ]; then want='failsafe: needs a human'"'"'s approval: `git push --force origin main`'
else want='failsafe: blocked `git push --force origin main`'; fi
grep -qF "$want" "$root/tmp/push.err" || { cat "$root/tmp/push.err" >&2; fail "no refusal message"; }
echo "ok: force push refused (exit 77)"

set +e
as_agent 'git push origin --tags' 2> "$root/tmp/tags.err"
status=$?
set -e
if [ "$status" != 77 ] || ! grep -q team.no-tags "$root/tmp/tags.err"; then
    fail "the policy bundle did not apply (exit $status)"
fi
echo "ok: the policy bundle applies"

as_agent 'failsafe doctor' > "$root/tmp/doctor.out" || { cat "$root/tmp/doctor.out" >&2; fail "failsafe doctor failed"; }
echo "ok: failsafe doctor passes in the agent's login shell"

if [ -n "$sealed" ]; then
    grep -q "can execute no real guarded tool" "$root/tmp/doctor.out" || { cat "$root/tmp/doctor.out" >&2; fail "doctor does not report the seal"; }
    set +e
    as_agent '/usr/libexec/failsafe/real/git --version' > "$root/tmp/real.out" 2>&1
    status=$?
    set -e
    if [ "$status" = 0 ] || grep -q "git version" "$root/tmp/real.out"; then
        fail "the agent ran the sealed git directly (exit $status)"
    fi
    echo "ok: the sealed git is not executable by the agent (exit $status)"
    set +e
    as_agent 'PATH=/usr/bin:/bin FAILSAFE_CONFIG_DIR=/tmp/own /usr/bin/git push --force origin main' 2> "$root/tmp/abs.err"
    status=$?
    set -e
    [ "$status" = 77 ] || { cat "$root/tmp/abs.err" >&2; fail "/usr/bin/git push --force exited $status, not 77"; }
    echo "ok: /usr/bin/git is a shim: a PATH rewrite and a config-dir override change nothing (exit 77)"
    set +e
    as_agent 'failsafe mode set rw' 2> "$root/tmp/mode.err"
    status=$?
    set -e
    if [ "$status" = 0 ] || ! grep -q "changed by root" "$root/tmp/mode.err"; then
        fail "the agent set its own mode (exit $status)"
    fi
    echo "ok: the agent cannot set its own mode"
    mode="$(as_agent 'failsafe mode get')"
    [ "$mode" = write ] || fail "the agent's mode is $mode, not write (option mode=rw)"
    grep -q '"kind":"mode","change":"read → write","subject":"user-agent"' "$root/var/log/failsafe/decisions.jsonl" \
        || fail "the mode the feature set is not in the sealed log"
    echo "ok: the mode option set the agent user's mode, logged"
    log="$root/var/log/failsafe/decisions.jsonl"
    grep -q '"kind":"shims","change":"install"' "$log" || fail "the sealing is not in the sealed log"
    grep -q 'push' "$log" || fail "the refused push is not in the sealed log"
    [ ! -e "$root/home/agent/.config/failsafe" ] || fail "the sealed feature wrote the remote user's config"
    echo "ok: the sealed log holds the sealing and the refusals"
fi

# Debian's /etc/profile resets PATH: without FAILSAFE_AGENT the snippet stays out of it.
plain="$(chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin /bin/bash -lc 'command -v git')"
[ "$plain" = /usr/bin/git ] || fail "a login shell without FAILSAFE_AGENT finds $plain"
echo "ok: a login shell without FAILSAFE_AGENT=1 is left alone"
echo "devcontainer feature${sealed:+ (sealed)}: all checks passed"
