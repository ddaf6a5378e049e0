//! Which expiry options and settings a history-pruning command obeys, and which of them
//! make it drop what became unreachable recently — the commits, stashes and reflog
//! entries of the session the agent is in.
//!
//! - `gc`: `--prune=<date>` (else `gc.pruneExpire`, default `2.weeks.ago`),
//!   `gc.reflogExpire`, `gc.reflogExpireUnreachable` and their `gc.<pattern>.…` forms
//!   (gc runs `reflog expire --all`, which reads them), `gc.worktreePruneExpire`;
//! - `maintenance run` when it runs the `gc` task (`--task=gc`, or no `--task` and
//!   `maintenance.gc.enabled` not false — gc is the only task enabled by default): the
//!   same settings;
//! - `prune`: `--expire=<date>`; without it git prunes every unreachable object;
//! - `repack -d`: with `-a` (and neither `-A`, `--cruft` nor `-k`) it drops unreachable
//!   objects from the packs it deletes; with `-A` `--unpack-unreachable=<date>` and with
//!   `--cruft` `--cruft-expiration=<date>` say which it drops.
//!
//! Pure: the walk, the config and the time come in; what is immediate is decided by
//! [`super::expiry`].

use super::expiry::is_immediate;
use super::layers::Config;
use crate::facts::walker::Walked;

/// The options and settings of the walked command that drop recent work now, each as
/// `name=value` (or a short plain phrase when an option is missing: `no --expire …`,
/// `-a -d without …`); empty for other verbs.
pub fn expiring_now(walked: &Walked, config: &Config, now: i64) -> Vec<String> {
    let mut found = Found {
        now,
        out: Vec::new(),
    };
    match walked.verb.as_str() {
        "gc" => {
            match walked.flag_str("prune") {
                Some(v) => found.check("--prune", Some(v)),
                None => found.gc_prune_setting(config),
            }
            found.gc_settings(config);
        }
        "maintenance" if walked.subverb == "run" && runs_gc(walked, config) => {
            found.gc_prune_setting(config);
            found.gc_settings(config);
        }
        "prune" => match walked.flag_str("expire") {
            Some(v) => found.check("--expire", Some(v)),
            None => found
                .out
                .push("no --expire (git then prunes every unreachable object)".to_string()),
        },
        "repack" if walked.has_flag("d") => found.repack(walked),
        _ => {}
    }
    found.out
}

/// The immediate expiries found so far.
struct Found {
    now: i64,
    out: Vec<String>,
}

impl Found {
    /// Records `label=value` when the value is immediate. A bare key (no `=`, `None`)
    /// makes git refuse to run; it is recorded all the same (fail closed).
    fn check(&mut self, label: &str, value: Option<&str>) {
        if value.is_some_and(|v| !is_immediate(v, self.now)) {
            return;
        }
        self.out.push(format!("{label}={}", value.unwrap_or("")));
    }

    fn gc_prune_setting(&mut self, config: &Config) {
        if let Some(s) = config.get("gc", None, "pruneexpire") {
            self.check("gc.pruneExpire", s.entry.value.as_deref());
        }
    }

    /// The reflog and worktree expiries `git gc` obeys, each key's winning value.
    fn gc_settings(&mut self, config: &Config) {
        let subsections: Vec<Option<&str>> = std::iter::once(None)
            .chain(config.subsections("gc").into_iter().map(Some))
            .collect();
        for sub in subsections {
            for (name, label) in [
                ("reflogexpire", "reflogExpire"),
                ("reflogexpireunreachable", "reflogExpireUnreachable"),
            ] {
                if let Some(s) = config.get("gc", sub, name) {
                    let key = match sub {
                        Some(p) => format!("gc.{p}.{label}"),
                        None => format!("gc.{label}"),
                    };
                    self.check(&key, s.entry.value.as_deref());
                }
            }
        }
        if let Some(s) = config.get("gc", None, "worktreepruneexpire") {
            self.check("gc.worktreePruneExpire", s.entry.value.as_deref());
        }
    }

    fn repack(&mut self, walked: &Walked) {
        let has = |f: &str| walked.has_flag(f);
        if has("keep-unreachable") {
            return;
        }
        if has("cruft") {
            if let Some(v) = walked.flag_str("cruft-expiration") {
                self.check("--cruft-expiration", Some(v));
            }
        } else if has("A") {
            if let Some(v) = walked.flag_str("unpack-unreachable") {
                self.check("--unpack-unreachable", Some(v));
            }
        } else if has("a") {
            self.out.push("-a -d without -A, --cruft or -k".to_string());
        }
    }
}

/// Whether `maintenance run` runs the gc task.
fn runs_gc(walked: &Walked, config: &Config) -> bool {
    let tasks = walked.flag_values("task");
    if tasks.is_empty() {
        config.bool("maintenance", Some("gc"), "enabled") != Some(false)
    } else {
        tasks.contains(&"gc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::git::layers::Scope;
    use rstest::rstest;

    const NOW: i64 = 1_796_400_000;

    fn walk(argv: &[&str]) -> Walked {
        let rest: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        crate::facts::walker::walk(&crate::facts::git::tests::spec(), &rest)
    }

    #[rstest]
    #[case(&["gc"], "", &[])]
    #[case(&["gc", "--prune=now"], "", &["--prune=now"])]
    #[case(&["gc", "--prune=1.second.ago"], "", &["--prune=1.second.ago"])]
    #[case(&["gc", "--prune=2099-01-01"], "", &["--prune=2099-01-01"])]
    #[case(&["gc", "--prune=2.weeks.ago"], "[gc]\npruneExpire = now\n", &[])]
    #[case(&["gc", "--prune"], "[gc]\npruneExpire = 0.seconds.ago\n", &["gc.pruneExpire=0.seconds.ago"])]
    #[case(&["gc"], "[gc]\nreflogExpire = now\n", &["gc.reflogExpire=now"])]
    #[case(&["gc"], "[gc]\nreflogExpire = never\nreflogExpireUnreachable = all\n", &["gc.reflogExpireUnreachable=all"])]
    #[case(&["gc"], "[gc \"refs/stash\"]\nreflogExpire = now\n", &["gc.refs/stash.reflogExpire=now"])]
    #[case(&["gc"], "[gc]\nworktreePruneExpire = now\n", &["gc.worktreePruneExpire=now"])]
    #[case(&["gc"], "[gc]\npruneExpire = 90.days\nreflogExpire = 1.week\n", &[])]
    #[case(&["maintenance", "run"], "[gc]\npruneExpire = now\n", &["gc.pruneExpire=now"])]
    #[case(&["maintenance", "run", "--task=gc"], "[gc]\nreflogExpire = now\n", &["gc.reflogExpire=now"])]
    #[case(&["maintenance", "run", "--task", "gc"], "[gc]\nreflogExpire = now\n", &["gc.reflogExpire=now"])]
    #[case(&["maintenance", "run", "--task=commit-graph"], "[gc]\npruneExpire = now\n", &[])]
    #[case(&["maintenance", "run"], "[gc]\npruneExpire = now\n[maintenance \"gc\"]\nenabled = false\n", &[])]
    #[case(&["maintenance", "run"], "", &[])]
    #[case(&["prune"], "", &["no --expire (git then prunes every unreachable object)"])]
    #[case(&["prune", "--expire=23.hours.ago"], "", &["--expire=23.hours.ago"])]
    #[case(&["prune", "--expire", "2.weeks.ago"], "", &[])]
    #[case(&["repack", "-a", "-d"], "", &["-a -d without -A, --cruft or -k"])]
    #[case(&["repack", "-ad"], "", &["-a -d without -A, --cruft or -k"])]
    #[case(&["repack", "-A", "-d"], "", &[])]
    #[case(&["repack", "-a", "-d", "-k"], "", &[])]
    #[case(&["repack", "--cruft", "-d"], "", &[])]
    #[case(&["repack", "-A", "-d", "--unpack-unreachable=now"], "", &["--unpack-unreachable=now"])]
    #[case(&["repack", "--cruft", "-d", "--cruft-expiration=1.hour.ago"], "", &["--cruft-expiration=1.hour.ago"])]
    #[case(&["repack", "-a"], "", &[])]
    #[case(&["status"], "[gc]\npruneExpire = now\n", &[])]
    fn expiring(#[case] argv: &[&str], #[case] config: &str, #[case] want: &[&str]) {
        let config = Config::from_text(config, Scope::Local).unwrap_or_default();
        assert_eq!(expiring_now(&walk(argv), &config, NOW), want, "{argv:?}");
    }
}
