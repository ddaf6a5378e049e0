#!/usr/bin/env bash
# How much does the failsafe shim add in front of a tool?
#
# For each command, in a temp dir with its own HOME and config (pane in read mode, so
# the bundled policies are evaluated and every decision is logged):
#   - wall time with hyperfine: a do-nothing stand-in called directly, through the
#     exec-only floor (a shim that checks nothing, linked dynamically and statically),
#     and through failsafe;
#   - instructions with valgrind's callgrind (failsafe up to the exec of the real tool);
#   - peak RSS of the failsafe process.
# Commands: kubectl get pods, git status, git push (refused), terraform plan, aws s3 ls,
# and kubectl get pods again with 20 user policy files.
#
#   ./benches/shim-latency.sh              # 1000 runs each
#   RUNS=200 ./benches/shim-latency.sh
#   LOG_LINES=1000000 ./benches/shim-latency.sh   # pre-fill the decision log first
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-1000}"
log_lines="${LOG_LINES:-0}"
[ -x /usr/bin/time ] || { [ "$(id -u)" = 0 ] && apt-get install -y -qq --no-install-recommends time >/dev/null 2>&1; } || true
for tool in hyperfine valgrind jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            apt-get install -y -qq --no-install-recommends "$tool" >/dev/null 2>&1 \
                || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool"; }
        else
            echo "bench: please install $tool" >&2
            exit 1
        fi
    fi
done

host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --quiet --release --locked --bin failsafe --example standin
out="target/$host/release"
[ -x "$out/failsafe" ] || out=target/release
bin="$PWD/$out/failsafe"
standin="$PWD/$out/examples/standin"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rustc -O --edition 2021 benches/exec_floor.rs -o "$work/floor-dynamic"
rustc -O --edition 2021 -C target-feature=+crt-static benches/exec_floor.rs -o "$work/floor-static"
echo "failsafe: $(file -b "$bin" | cut -d, -f1-2,4)"

tools=(kubectl git terraform aws)
mkdir -p "$work/shims" "$work/bin" "$work/home/.kube" "$work/home/.aws" "$work/config" "$work/config20/policies" "$work/repo"
for kind in dynamic static; do mkdir -p "$work/floor-$kind.d"; done
for tool in "${tools[@]}"; do
    cp "$standin" "$work/bin/$tool"
    ln -s "$bin" "$work/shims/$tool"
    ln -s "$work/floor-dynamic" "$work/floor-dynamic.d/$tool"
    ln -s "$work/floor-static" "$work/floor-static.d/$tool"
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
printf '[default]\nregion = eu-west-1\n' > "$work/home/.aws/config"
# 20 user policy files of the kind a team writes: each a few rules about one tool.
for i in $(seq -w 1 20); do
    cat > "$work/config20/policies/team-$i.rego" <<REGO
package failsafe.user
import rego.v1

# Team rule $i: production namespaces need a human.
block contains {"id": "team.$i.prod-delete", "reason": "deleting in prod-$i needs a human"} if {
    input.tool == "kubectl"
    input.verb == "delete"
    input.target.namespace == "prod-$i"
}

ask contains {"id": "team.$i.scale", "reason": "scaling in prod-$i"} if {
    input.tool == "kubectl"
    input.verb == "scale"
    startswith(input.target.namespace, "prod-$i")
}
REGO
done
real_git="$(command -v git)"
"$real_git" -C "$work/repo" init -q -b main
"$real_git" -C "$work/repo" -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m init
"$real_git" -C "$work/repo" remote add origin https://example.com/repo.git

export HOME="$work/home" FAILSAFE_CONFIG_DIR="$work/config" FAILSAFE_PANE=bench
export PATH="$work/shims:$work/bin:/usr/bin:/bin"
cd "$work/repo"

if [ "$log_lines" -gt 0 ]; then
    # One real record, then copies of it: the shim reads only the log's tail.
    git status
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
    printf '[log]\nmax_bytes = 0\n' > "$work/config/config.toml"
fi

# name | command line | config dir
scenarios=(
    "kubectl get pods|kubectl get pods|$work/config"
    "git status|git status|$work/config"
    "git push (refused)|git push --force origin main|$work/config"
    "terraform plan|terraform plan|$work/config"
    "aws s3 ls|aws s3 ls|$work/config"
    "kubectl get pods, 20 user files|kubectl get pods|$work/config20"
)
: > "$work/rows"
for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name cmdline config <<<"$scenario"
    tool="${cmdline%% *}"
    args="${cmdline#* }"
    export FAILSAFE_CONFIG_DIR="$config"
    "$work/shims/$tool" $args >/dev/null 2>&1 || true   # warm the log and the policy cache
    PATH="$work/floor-dynamic.d:$work/bin:/usr/bin:/bin" hyperfine -N -i --warmup 50 --runs "$runs" \
        --export-json "$work/floor-dynamic.json" "$work/floor-dynamic.d/$tool $args" >/dev/null
    PATH="$work/floor-static.d:$work/bin:/usr/bin:/bin" hyperfine -N -i --warmup 50 --runs "$runs" \
        --export-json "$work/floor-static.json" "$work/floor-static.d/$tool $args" >/dev/null
    hyperfine -N -i --warmup 50 --runs "$runs" --export-json "$work/timing.json" \
        "$work/bin/$tool $args" "$work/shims/$tool $args" >/dev/null
    # Counted up to the exec of the real tool (see benches/instruction-budget.sh).
    rm -f "$work"/cg.out*
    PATH="$work/bin:/usr/bin:/bin" valgrind --tool=callgrind --dump-before=execvp \
        --callgrind-out-file="$work/cg.out" "$work/shims/$tool" $args >/dev/null 2>&1 || true
    cg="$work/cg.out"; [ -f "$cg.1" ] && cg="$cg.1"
    instr="$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cg" | head -1)"
    # GNU time's own footprint is small; a forked Python would report its own size.
    /usr/bin/time -o "$work/rss" -f %M "$work/shims/$tool" $args >/dev/null 2>&1 || true
    rss="$(tail -1 "$work/rss")"
    jq -r --arg name "$name" --arg instr "$instr" --arg rss "$rss" \
        --slurpfile dyn "$work/floor-dynamic.json" --slurpfile st "$work/floor-static.json" \
        '[$name, (.results[0].median*1000), ($dyn[0].results[0].median*1000), ($st[0].results[0].median*1000), (.results[1].median*1000), $instr, $rss] | @tsv' \
        "$work/timing.json" >> "$work/rows"
done
export FAILSAFE_CONFIG_DIR="$work/config"

python3 - "$work/rows" <<'PY'
import sys
print(f"{'command':<32} {'direct':>8} {'floor dyn':>10} {'floor static':>13} {'failsafe':>9} {'added':>8} {'instructions':>13} {'peak RSS':>9}")
for line in open(sys.argv[1]):
    name, direct, dyn, st, fs, instr, rss = line.rstrip("\n").split("\t")
    direct, dyn, st, fs = map(float, (direct, dyn, st, fs))
    print(f"{name:<32} {direct:7.3f}ms {dyn - direct:+9.3f}ms {st - direct:+12.3f}ms {fs:8.3f}ms {fs - direct:+7.3f}ms {int(instr or 0):>13,} {int(rss)/1024:7.1f}MB")
PY
echo "(floor and added: median minus the direct median; $runs runs each; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
