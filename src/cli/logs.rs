//! `failsafe log`, `failsafe log verify` and `failsafe report`: reading the decision log.

use super::{err, out};
use crate::exit;
use crate::log::{self, ReportFormat};
use std::str::FromStr;

/// Runs `failsafe log [--tail N] [--json]`.
pub fn show(tail: Option<usize>, json: bool) -> i32 {
    match log::read_records(&super::config_dir(), tail) {
        Ok(records) => {
            out(&log::render_log(&records, json));
            exit::OK
        }
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            exit::NO
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
