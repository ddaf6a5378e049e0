//! Differential tests: the real tools are the oracle for the facts.
//!
//! Each submodule generates command lines and worlds (config files, environment) from a
//! small grammar with a seeded RNG, builds failsafe's fact in-process, runs the real
//! tool on the same world, and compares the fields the policies rely on. A
//! disagreement is shrunk (parts dropped one at a time while it still disagrees) and
//! reported with the seed that reproduces it.
//!
//! - `FAILSAFE_DIFF_CASES=N` runs N cases per tool (default: a lean count for CI);
//! - `FAILSAFE_DIFF_SEED=S` starts from seed S (case i uses seed S + i), so
//!   `FAILSAFE_DIFF_SEED=<printed seed> FAILSAFE_DIFF_CASES=1` replays one case.
//!
//! A test whose real tool is not installed prints that it was skipped and passes.

mod helm;
mod kubectl;
mod terraform;

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The default first seed (a fixed one keeps CI deterministic).
const DEFAULT_SEED: u64 = 2026;

/// How many cases to run: `FAILSAFE_DIFF_CASES`, else `default`.
pub fn case_count(default: usize) -> usize {
    std::env::var("FAILSAFE_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The first seed: `FAILSAFE_DIFF_SEED`, else [`DEFAULT_SEED`].
pub fn first_seed() -> u64 {
    std::env::var("FAILSAFE_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// A generated case that knows its one-step-smaller variants.
pub trait Shrink: Clone + Debug + Send + Sync {
    /// Every variant with one part dropped.
    fn smaller(&self) -> Vec<Self>;
    /// A reproduction a human can read and paste.
    fn show(&self) -> String;
}

/// Drops parts while the case still disagrees.
fn shrink<C: Shrink>(mut case: C, check: &(dyn Fn(&C) -> Result<(), String> + Sync)) -> C {
    loop {
        let next = case.smaller().into_iter().find(|c| check(c).is_err());
        match next {
            Some(c) => case = c,
            None => return case,
        }
    }
}

/// Generates and checks `n` cases on two threads, then shrinks and reports up to three
/// disagreements. Returns the number of cases run.
pub fn run<C: Shrink>(
    tool: &str,
    n: usize,
    generate: &(dyn Fn(u64) -> C + Sync),
    check: &(dyn Fn(&C) -> Result<(), String> + Sync),
) -> usize {
    let seed = first_seed();
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(u64, C, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let case_seed = seed.wrapping_add(i as u64);
                let case = generate(case_seed);
                if let Err(why) = check(&case) {
                    failures.lock().unwrap().push((case_seed, case, why));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.0);
    let total = failures.len();
    println!("{tool} differential: {n} cases from seed {seed}, {total} disagreements");
    if total > 0 {
        let mut kinds: std::collections::BTreeMap<&str, usize> =
            std::collections::BTreeMap::default();
        for (_, _, why) in &failures {
            *kinds.entry(why.lines().next().unwrap_or("")).or_default() += 1;
        }
        let mut report = format!(
            "{total} of {n} {tool} cases disagree with the real {tool} (first seed {seed}): {kinds:?}; the first, shrunk:\n"
        );
        for (case_seed, case, why) in failures.into_iter().take(3) {
            let small = shrink(case, check);
            let small_why = check(&small).err().unwrap_or(why);
            report.push_str(&format!(
                "\n--- seed {case_seed} (replay: FAILSAFE_DIFF_SEED={case_seed} FAILSAFE_DIFF_CASES=1)\n{}\ndisagreement: {small_why}\n",
                small.show()
            ));
        }
        panic!("{report}");
    }
    n
}

/// Every vector with one element dropped.
pub fn drop_one<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    (0..items.len())
        .map(|i| {
            let mut v = items.to_vec();
            v.remove(i);
            v
        })
        .collect()
}
