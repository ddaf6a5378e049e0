#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a fixed time (default 60 s each):
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain (`cargo +nightly`) and cargo-fuzz; installs cargo-fuzz
# (`cargo install cargo-fuzz --locked`) when it is missing. Each target starts from its
# seed corpus in fuzz/corpus/<target>/ and grows a scratch corpus in
# fuzz/run-corpus/<target>/ (ignored by git). A crash or a hang (any input taking more
# than 10 s) fails the script; libFuzzer leaves the input in fuzz/artifacts/<target>/.
# Leak detection is off: the targets keep a per-process world in statics on purpose.
# scripts/test.sh runs this only when FAILSAFE_FUZZ=1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "scripts/fuzz.sh: a nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "scripts/fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi
for t in "${targets[@]}"; do
    mkdir -p "fuzz/run-corpus/$t"
    echo "scripts/fuzz.sh: $t for ${seconds}s" >&2
    log="fuzz/run-corpus/$t.log"
    set +e
    (cd fuzz && ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" cargo +nightly fuzz run "$t" "run-corpus/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1) \
        >"$log" 2>&1
    status=$?
    set -e
    grep -E '^(Done|stat::number_of_executed_units|==[0-9]+== ERROR|SUMMARY|thread .* panicked)' "$log" >&2 || true
    if [ "$status" != 0 ]; then
        tail -n 40 "$log" >&2
        echo "scripts/fuzz.sh: $t failed (log: $log; input: fuzz/artifacts/$t/)" >&2
        exit "$status"
    fi
    echo "scripts/fuzz.sh: $t ran ${seconds}s clean" >&2
done
