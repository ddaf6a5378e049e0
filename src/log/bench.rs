//! The append benchmark: `benches/log_append.sh`, or
//! `cargo test --release --lib log::bench -- --ignored --nocapture`.
//!
//! Times `append` on an empty log and on a log of 1,000,000 lines and prints the
//! medians; they should differ by well under 0.2 ms. Compiled only for tests.

use super::chain::{self, GENESIS_HASH};
use super::store::append;
use super::{LogError, LOG_FILE_NAME};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use crate::log::fixtures::{log_settings as settings, numbered as record};

/// `cargo test --release --lib log::bench -- --ignored --nocapture`
/// (or `benches/log_append.sh`): median cost of one append on an empty log and on a
/// log of 1,000,000 lines.
#[test]
#[ignore = "benchmark; run explicitly"]
#[allow(clippy::print_stdout)]
fn bench_append() -> Result<(), Box<dyn std::error::Error>> {
    use std::time::Instant;
    const CALLS: usize = 2_000;
    let sample = |dir: &Path| -> Result<Vec<u128>, LogError> {
        let mut times = Vec::with_capacity(CALLS);
        for n in 0..CALLS {
            let mut r = record(n);
            r.argv = [
                "kubectl",
                "--context",
                "prod",
                "get",
                "pods",
                "-n",
                "payments",
                "--token=abc",
            ]
            .map(String::from)
            .to_vec();
            let start = Instant::now();
            append(dir, &settings(u64::MAX), r)?;
            times.push(start.elapsed().as_nanos());
        }
        times.sort_unstable();
        Ok(times)
    };
    let empty = tempfile::tempdir()?;
    let big = tempfile::tempdir()?;
    let mut template = record(0);
    template.prev_hash = GENESIS_HASH.to_string();
    let line = chain::seal(&mut template)?;
    let built = Instant::now();
    {
        let mut out =
            io::BufWriter::with_capacity(1 << 20, File::create(big.path().join(LOG_FILE_NAME))?);
        for _ in 0..1_000_000 {
            out.write_all(&line)?;
        }
        out.flush()?;
    }
    let size = fs::metadata(big.path().join(LOG_FILE_NAME))?.len();
    println!(
        "built a 1,000,000-line log ({size} bytes) in {:?}",
        built.elapsed()
    );
    let pct = |t: &[u128], p: usize| t.get(t.len() * p / 100).copied().unwrap_or(0) as f64 / 1000.0;
    // Interleave the two runs twice so cache and disk state affect both alike.
    for round in 1..=2 {
        let e = sample(empty.path())?;
        let b = sample(big.path())?;
        println!(
            "round {round}: {CALLS} appends, median µs: empty log {:.1} (p90 {:.1}), 1M-line log {:.1} (p90 {:.1}), difference {:.1} µs",
            pct(&e, 50),
            pct(&e, 90),
            pct(&b, 50),
            pct(&b, 90),
            pct(&b, 50) - pct(&e, 50)
        );
    }
    Ok(())
}
