//! `failsafe log`, `failsafe log verify` and `failsafe report`: reading the decision log.

use super::{err, out, LogFilter};
use crate::exit;
use crate::log::{self, DecisionRecord, ReportFormat};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

/// How often `--follow` looks for new records.
const FOLLOW_POLL: Duration = Duration::from_millis(300);

/// A [`LogFilter`] ready to test records.
struct Keep {
    /// Records at or after this time (same fixed format as the log, so text compares).
    since: Option<String>,
    filter: LogFilter,
    pane: Option<String>,
}

impl Keep {
    fn new(filter: &LogFilter) -> Result<Keep, String> {
        let since = match &filter.since {
            Some(text) => {
                let d = log::parse_since(text).map_err(|e| e.to_string())?;
                let from = SystemTime::now()
                    .checked_sub(d)
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                Some(log::format_time(from))
            }
            None => None,
        };
        Ok(Keep {
            since,
            pane: filter
                .pane
                .as_deref()
                .map(|p| crate::mode::PaneId::new(p).as_str().to_string()),
            filter: filter.clone(),
        })
    }

    fn any(&self) -> bool {
        self.since.is_some()
            || self.filter.decision.is_some()
            || self.filter.tool.is_some()
            || self.pane.is_some()
            || self.filter.env.is_some()
    }

    fn keeps(&self, r: &DecisionRecord) -> bool {
        let f = &self.filter;
        self.since.as_deref().is_none_or(|s| r.time.as_str() >= s)
            && f.decision.as_deref().is_none_or(|d| r.decision == d)
            && f.tool
                .as_deref()
                .is_none_or(|t| r.tool == t || r.binary == t)
            && self.pane.as_deref().is_none_or(|p| r.pane == p)
            && f.env.as_deref().is_none_or(|e| r.target.env == e)
    }
}

/// Runs `failsafe log [--tail N] [filters] [--follow] [--json]`.
pub fn show(tail: Option<usize>, filter: &LogFilter, follow: bool, json: bool) -> i32 {
    let keep = match Keep::new(filter) {
        Ok(k) => k,
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            return exit::USAGE;
        }
    };
    let config = super::config_dir();
    // Without filters `--tail N` reads only the end of the log.
    let read = log::read_records(&config, if keep.any() { None } else { tail });
    let mut records = match read {
        Ok(r) => r,
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            return exit::NO;
        }
    };
    records.retain(|r| keep.keeps(r));
    if let Some(n) = tail {
        let extra = records.len().saturating_sub(n);
        records.drain(..extra);
    }
    out(&log::render_log(&records, json));
    if !follow {
        return exit::OK;
    }
    // The hash of the newest record seen: everything after it is new.
    let mut last = match log::read_records(&config, Some(1)) {
        Ok(r) => r.last().map(|r| r.hash.clone()),
        Err(_) => None,
    };
    loop {
        std::thread::sleep(FOLLOW_POLL);
        // Only the end of the log: far more than can be written between two polls.
        let Ok(all) = log::read_records(&config, Some(1000)) else {
            continue;
        };
        let start = last
            .as_ref()
            .and_then(|h| all.iter().rposition(|r| &r.hash == h))
            .map_or(0, |i| i + 1);
        let fresh: Vec<DecisionRecord> = all
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .filter(|r| keep.keeps(r))
            .cloned()
            .collect();
        if let Some(newest) = all.last() {
            last = Some(newest.hash.clone());
        }
        if !fresh.is_empty() {
            out(&log::render_log(&fresh, json));
        }
    }
}

/// Runs `failsafe log verify [--json]`: exit 0 when the chain is intact, 1 otherwise.
pub fn verify(json: bool) -> i32 {
    match log::verify(&super::config_dir()) {
        Ok(report) => {
            out(&log::render_verify(&report, json));
            if report.is_intact() {
                exit::OK
            } else {
                exit::NO
            }
        }
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            exit::NO
        }
    }
}

/// Runs `failsafe report`.
pub fn report(since: &str, format: &str, share: bool) -> i32 {
    let since = match log::parse_since(since) {
        Ok(d) => d,
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            return exit::USAGE;
        }
    };
    let Ok(format) = ReportFormat::from_str(format) else {
        err(&format!(
            "failsafe: unknown report format `{format}`\n  help:   use md, json or html\n"
        ));
        return exit::USAGE;
    };
    match log::read_records(&super::config_dir(), None) {
        Ok(records) => {
            out(&log::report(&records, since, format, share));
            exit::OK
        }
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            exit::NO
        }
    }
}
