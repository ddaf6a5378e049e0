#!/bin/sh
# Cost of one decision-log append on an empty log and on a 1,000,000-line log.
#
# Runs the ignored test `log::bench::bench_append` in an optimised build: it
# builds a 1,000,000-line log (about 400 MB, in a temp dir that is removed afterwards),
# then times 2,000 appends against each log, twice, interleaved, and prints the medians
# and 90th percentiles in microseconds. The two medians should be within 0.2 ms of each
# other: an append reads only the last few KiB of the file.
#
# Usage: benches/log_append.sh   (from anywhere inside the repository)
set -eu
cd "$(dirname "$0")/.."
exec cargo test --release --lib log::bench::bench_append -- --ignored --nocapture --test-threads=1
