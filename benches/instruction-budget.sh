#!/usr/bin/env bash
# The instruction budget: counts, with valgrind's callgrind, the instructions the failsafe
# shim executes for `kubectl get pods` and `git status` (up to the exec of the real tool)
# and fails when either exceeds its budget in benches/instruction-budget.txt by more than
# 10 %. Instruction counts, not time: they do not depend on how busy the machine is.
#
#   ./benches/instruction-budget.sh [path/to/failsafe]   # default: the debug build
#   UPDATE=1 ./benches/instruction-budget.sh             # write the measured counts as budgets
#
# scripts/test.sh runs it after the tests (with the binary they built) when valgrind is
# installed. Budgets are per build profile (`debug`, `release`); a missing budget is
# reported, not enforced.
set -euo pipefail
cd "$(dirname "$0")/.."
budgets=benches/instruction-budget.txt
host="$(rustc -vV | sed -n 's/^host: //p')"
bin="${1:-}"
if [ -z "$bin" ]; then
    for candidate in "target/$host/debug/failsafe" target/debug/failsafe; do
        [ -x "$candidate" ] && { bin="$candidate"; break; }
    done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "instruction-budget: no failsafe binary (build it first)" >&2; exit 1; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
case "$bin" in
    */release/*) profile=release ;;
    *) profile=debug ;;
esac
command -v valgrind >/dev/null 2>&1 || { echo "instruction-budget: valgrind is not installed" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shims" "$work/bin" "$work/home/.kube" "$work/config" "$work/repo"
for tool in kubectl git; do
    cp /bin/true "$work/bin/$tool"
    ln -s "$bin" "$work/shims/$tool"
done
cat > "$work/home/.kube/config" <<'KUBE'
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: kind-dev, user: dev, namespace: default}
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: dev
  user: {}
KUBE
real_git="$(command -v git)"
"$real_git" -C "$work/repo" init -q -b main
"$real_git" -C "$work/repo" -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m init

# Instructions of one shim run up to the exec of the real tool (callgrind dumps its
# counters on entering `execvp`; a refused command is counted to its exit). The shims'
# directory is left off PATH: under valgrind /proc/self/exe is valgrind itself, so the
# shim could not recognise its own symlinks there.
count() { # name, command...
    local name="$1"; shift
    local out="$work/$name.callgrind"
    local env=(env -i HOME="$work/home" FAILSAFE_CONFIG_DIR="$work/config" FAILSAFE_PANE=budget
        PATH="$work/bin:/usr/bin:/bin")
    # Once to create the log and caches, then the measured run.
    "${env[@]}" "$@" >/dev/null 2>&1 || true
    "${env[@]}" valgrind --tool=callgrind --dump-before=execvp --callgrind-out-file="$out" "$@" \
        >/dev/null 2>"$work/$name.err" || true
    [ -f "$out.1" ] && out="$out.1"
    sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out" | head -1
}

status=0
declare -A measured
for name in kubectl-get-pods git-status; do
    case "$name" in
        kubectl-get-pods) measured[$name]="$(cd "$work/repo" && count "$name" "$work/shims/kubectl" get pods)" ;;
        git-status) measured[$name]="$(cd "$work/repo" && count "$name" "$work/shims/git" status)" ;;
    esac
done
printf '%-18s %-8s %14s %14s %8s\n' command profile instructions budget ratio
for name in kubectl-get-pods git-status; do
    got="${measured[$name]}"
    budget="$(awk -v p="$profile" -v n="$name" '$1 == p && $2 == n {print $3}' "$budgets" 2>/dev/null || true)"
    if [ -z "$got" ]; then
        echo "instruction-budget: no count for $name" >&2; status=1; continue
    fi
    if [ -z "$budget" ]; then
        printf '%-18s %-8s %14s %14s %8s\n' "$name" "$profile" "$got" "-" "-"
        continue
    fi
    ratio="$(awk -v g="$got" -v b="$budget" 'BEGIN {printf "%.3f", g / b}')"
    printf '%-18s %-8s %14s %14s %8s\n' "$name" "$profile" "$got" "$budget" "$ratio"
    if awk -v g="$got" -v b="$budget" 'BEGIN {exit !(g > b * 1.10)}'; then
        echo "instruction-budget: $name takes $got instructions, more than 10 % over its budget of $budget ($budgets)" >&2
        status=1
    fi
done
if [ "${UPDATE:-}" = 1 ]; then
    tmp="$(mktemp)"
    grep -v "^$profile " "$budgets" 2>/dev/null | grep -v '^#' > "$tmp.rest" || true
    {
        echo "# Instruction budgets for benches/instruction-budget.sh: <profile> <command> <instructions>."
        echo "# Measured through the shim up to the exec of the real tool; the check fails above +10 %."
        echo "# Update with: UPDATE=1 ./benches/instruction-budget.sh [binary]"
        cat "$tmp.rest"
        for name in kubectl-get-pods git-status; do echo "$profile $name ${measured[$name]}"; done
    } > "$tmp"
    sort -o "$tmp.body" <(grep -v '^#' "$tmp") && { grep '^#' "$tmp"; cat "$tmp.body"; } > "$budgets"
    rm -f "$tmp" "$tmp.rest" "$tmp.body"
    echo "instruction-budget: wrote $budgets"
    exit 0
fi
exit "$status"
