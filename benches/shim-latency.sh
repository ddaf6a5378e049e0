#!/usr/bin/env bash
# How much time does the failsafe shim add in front of a tool?
#
# Compares, with hyperfine, a compiled do-nothing stand-in called directly, through a
# "null shim" (finds the real tool and execs it, checking nothing: the floor any exec-based
# guard pays on this machine), and through the failsafe shim, for `kubectl get pods` (with a kubeconfig) and
# `git status` (in a real repository). Everything runs in a temp dir with its own HOME and
# config; the pane is in read mode, so the bundled policies are evaluated.
#
#   ./benches/shim-latency.sh              # 1000 runs each
#   RUNS=200 ./benches/shim-latency.sh
#   LOG_LINES=1000000 ./benches/shim-latency.sh   # pre-fill the decision log first
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-1000}"
log_lines="${LOG_LINES:-0}"

if ! command -v hyperfine >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine; }
    else
        echo "bench: please install hyperfine" >&2
        exit 1
    fi
fi
command -v jq >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq jq >/dev/null 2>&1; } || true

cargo build --quiet --release --locked --bin failsafe --example standin --example null_shim
bin="$PWD/target/release/failsafe"
standin="$PWD/target/release/examples/standin"
null_shim="$PWD/target/release/examples/null_shim"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shims" "$work/null" "$work/bin" "$work/home/.kube" "$work/config" "$work/repo"
for tool in kubectl git; do
    cp "$standin" "$work/bin/$tool"
    ln -s "$bin" "$work/shims/$tool"
    ln -s "$null_shim" "$work/null/$tool"
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

if [ "$log_lines" -gt 0 ]; then
    # One real record, then copies of it: the shim reads only the log's tail, so the
    # copies stand in for a long history.
    (cd "$work/repo" && HOME="$work/home" FAILSAFE_CONFIG_DIR="$work/config" FAILSAFE_PANE=bench \
        PATH="$work/shims:$work/bin:/usr/bin:/bin" git status)
    python3 - "$work/config/decisions.jsonl" "$log_lines" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
line = open(path, "rb").read().splitlines()[-1] + b"\n"
with open(path, "wb") as f:
    chunk = line * 10000
    for _ in range(n // 10000):
        f.write(chunk)
    f.write(line * (n % 10000))
PY
    echo "decision log pre-filled with $(wc -l < "$work/config/decisions.jsonl") lines ($(du -h "$work/config/decisions.jsonl" | cut -f1))"
    printf '[log]\nmax_bytes = 0\n' > "$work/config/config.toml"
fi

export HOME="$work/home" FAILSAFE_CONFIG_DIR="$work/config" FAILSAFE_PANE=bench
export PATH="$work/shims:$work/bin:/usr/bin:/bin"
cd "$work/repo"

# The null shim must find the real tool, not failsafe's shim, so it runs with its own PATH.
PATH="$work/null:$work/bin:/usr/bin:/bin" hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/null.json" \
    -n "kubectl get pods (null shim)" "$work/null/kubectl get pods" \
    -n "git status (null shim)" "$work/null/git status" >/dev/null
hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/result.json" \
    -n "kubectl get pods (direct)" "$work/bin/kubectl get pods" \
    -n "kubectl get pods (failsafe)" "$work/shims/kubectl get pods" \
    -n "git status (direct)" "$work/bin/git status" \
    -n "git status (failsafe)" "$work/shims/git status" >/dev/null

python3 - "$work/result.json" "$work/null.json" <<'PY'
import json, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
def ms(name): return r[name]["median"] * 1000
print(f"{'command':<30} {'median':>9} {'mean':>9} {'added (median)':>15}")
for tool in ("kubectl get pods", "git status"):
    d = r[f"{tool} (direct)"]
    print(f"{tool + ' (direct)':<30} {d['median']*1000:8.3f}ms {d['mean']*1000:8.3f}ms")
    for kind in ("null shim", "failsafe"):
        s = r[f"{tool} ({kind})"]
        print(f"{tool + ' (' + kind + ')':<30} {s['median']*1000:8.3f}ms {s['mean']*1000:8.3f}ms {(s['median']-d['median'])*1000:13.3f}ms")
PY
