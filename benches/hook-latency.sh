#!/usr/bin/env bash
# How long does `failsafe hook` take to answer an agent?
#
# Pipes a Claude Code PreToolUse call for
#     git status && kubectl get pods -n prod | grep api
# into `failsafe hook` (the line is split, git and kubectl are judged in read mode with
# the bundled policies and logged), and for comparison a call for a tool failsafe does
# not judge (`Read`: parse the JSON and answer nothing). Everything runs in a temp dir
# with its own HOME and config. Uses hyperfine when it can be installed, else a loop
# timed from Python (or, without it, a loop with `date +%s%N`); with valgrind, also the
# instruction count of one call.
#
#   ./benches/hook-latency.sh             # 500 runs each
#   RUNS=100 ./benches/hook-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-500}"

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null 2>&1; } || true
fi

cargo build --quiet --release --locked --bin failsafe
bin="$PWD/target/release/failsafe"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/.kube" "$work/config" "$work/repo"
cat > "$work/home/.kube/config" <<'KUBE'
apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: prod
  context: {cluster: prod, user: dev, namespace: default}
clusters:
- name: prod
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: dev
  user: {}
KUBE
git -C "$work/repo" init -q -b main
git -C "$work/repo" -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m init

cat > "$work/bash.json" <<JSON
{"session_id":"s","transcript_path":"$work/home/.claude/projects/x/s.jsonl","cwd":"$work/repo","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git status && kubectl get pods -n prod | grep api","description":"status"},"tool_use_id":"t"}
JSON
cat > "$work/read.json" <<JSON
{"session_id":"s","transcript_path":"$work/home/.claude/projects/x/s.jsonl","cwd":"$work/repo","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"$work/repo/README.md"},"tool_use_id":"t"}
JSON

export HOME="$work/home" FAILSAFE_CONFIG_DIR="$work/config" FAILSAFE_PANE=bench
export PATH="/usr/bin:/bin"
cd "$work/repo"

# The answer must be silence (allowed), or the benchmark measures the wrong thing.
out="$("$bin" hook < "$work/bash.json")"
[ -z "$out" ] || { echo "bench: unexpected answer: $out" >&2; exit 1; }

if command -v hyperfine >/dev/null 2>&1 && hyperfine --help 2>&1 | grep -q -- '--input'; then
    hyperfine -N --warmup 30 --runs "$runs" --export-json "$work/result.json" \
        -n "hook: git status && kubectl get pods -n prod | grep api" --input "$work/bash.json" "$bin hook" \
        -n "hook: Read (no command to judge)" --input "$work/read.json" "$bin hook" \
        -n "floor: /bin/true" --input "$work/read.json" /bin/true >/dev/null
    python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"])
    p95 = t[int(len(t) * 0.95) - 1] * 1000
    print(f"{r['command']:<58} median {r['median']*1000:6.3f} ms  mean {r['mean']*1000:6.3f} ms  p95 {p95:6.3f} ms")
PY
elif command -v python3 >/dev/null 2>&1; then
    # hyperfine before 1.16 has no --input, and its shell mode cannot resolve a 1 ms
    # command: time each run from Python instead, with /bin/true as the floor of the
    # same harness (fork, exec, wait).
    python3 - "$runs" "$bin" "$work/bash.json" "$work/read.json" <<'PY'
import subprocess, sys, time
runs, b, bash, read = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def bench(name, argv, stdin_path):
    data = open(stdin_path, "rb").read()
    for _ in range(30):
        subprocess.run(argv, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    print(f"{name:<58} median {ts[len(ts)//2]:6.3f} ms  p10 {ts[len(ts)//10]:6.3f} ms  p95 {ts[int(len(ts)*0.95)-1]:6.3f} ms")
bench("hook: git status && kubectl get pods -n prod | grep api", [b, "hook"], bash)
bench("hook: Read (no command to judge)", [b, "hook"], read)
bench("floor: /bin/true", ["/bin/true"], read)
PY
else
    echo "bench: neither hyperfine (1.16+) nor python3; timing a loop with date +%s%N" >&2
    for input in bash read; do
        times=()
        for _ in $(seq "$runs"); do
            start=$(date +%s%N)
            "$bin" hook < "$work/$input.json" >/dev/null
            end=$(date +%s%N)
            times+=($(( (end - start) / 1000 )))
        done
        printf '%s\n' "${times[@]}" | sort -n | awk -v name="$input" '{a[NR]=$1} END {printf "hook %-6s median %.3f ms  p95 %.3f ms\n", name, a[int(NR/2)+1]/1000, a[int(NR*0.95)]/1000}'
    done
fi

if command -v valgrind >/dev/null 2>&1; then
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" hook < "$work/bash.json" 2>&1 |
        awk '/Collected/ {printf "instructions for the whole hook call (callgrind): %\047d\n", $4}'
fi
