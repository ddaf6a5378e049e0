//! The decision log: one JSON line per decision, appended to `<config>/decisions.jsonl`.
//!
//! Owns the record format, the redaction of secrets before anything is written, the
//! hash chain that makes edits visible (and `failsafe log verify`), the lock that keeps
//! concurrent shims from forking the chain, rotation, and reading the log back for
//! `failsafe log` and `failsafe report`.
//!
//! It never decides anything, never prints, and never reads the whole log on the hot
//! path: [`append`] costs the same for an empty log and a log of a million lines. When
//! the log cannot be written it returns a [`LogError`]; whether that refuses the command
//! (`log.required = true`) is the caller's choice.
//!
//! Layout: `store` (files, locks, rotation), `read` (reading back), `chain` (hashing,
//! verify), `redact` and `scan` (secrets), `report`, `markdown`, `html` and `share`
//! (summaries), `render` (the text of `failsafe log`), `time` (timestamps). User
//! documentation: `docs/log.md`.

#[cfg(test)]
mod bench;
mod chain;
mod changes;
#[cfg(test)]
mod fixtures;
mod html;
mod markdown;
mod read;
mod redact;
mod render;
mod report;
mod scan;
mod share;
mod store;
mod time;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub use chain::{verify, BadRecord, VerifyReport, GENESIS_HASH};
pub use read::{log_files, read_records};
pub use redact::{redact_argv, redact_text};
pub use render::{render_log, render_verify};
pub use report::{parse_since, report, report_at, ReportFormat};
pub use share::Scrubber;
pub use store::{append, LOG_FILE_NAME};
pub use time::{format_time, now};

/// A record in a few words: the command as typed, or what a human did.
pub fn describe(record: &DecisionRecord) -> String {
    render::command_line(record)
}

/// One decision, as one line of `decisions.jsonl`.
///
/// Fields are written in this order, `hash` last; what the hash covers is described on
/// [`GENESIS_HASH`]. Every field has a default so that older lines still parse when
/// fields are added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionRecord {
    /// When the decision was made: RFC 3339, UTC, microseconds (see [`now`]).
    pub time: String,
    /// `shim`, `hook`, `explain` or `test`.
    pub source: String,
    /// Canonical tool: `kubectl`, `terraform` (also for tofu), ….
    pub tool: String,
    /// The name the tool was invoked as (`tofu`, `kubectl`).
    pub binary: String,
    /// First command word (`delete`, `push`; the service for aws).
    pub verb: String,
    /// Second command word where the tool has one, else `""`.
    pub subverb: String,
    /// The argument vector, argv\[0\] included; [`append`] redacts it before writing.
    pub argv: Vec<String>,
    /// The effective working directory (not redacted).
    pub cwd: String,
    /// The pane's mode at decision time: `read` or `write`.
    pub mode: String,
    /// The pane id.
    pub pane: String,
    /// `allow`, `block`, `ask` or `override`.
    pub decision: String,
    /// Every reason that contributed, in the order the policy gave them.
    pub reasons: Vec<LoggedReason>,
    /// Where the command lands.
    pub target: LoggedTarget,
    /// Time spent deciding, in microseconds.
    pub duration_us: u64,
    /// Set when the decision was made under a config dir or pane id that an environment
    /// variable moved away from the set-up the shims were installed for; such a record
    /// is also written to the installed config dir's log. Absent otherwise (and in every
    /// older line), so it costs nothing and leaves old hashes valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escape: Option<LoggedEscape>,
    /// Set on the record of something a human (or failsafe on a human's behalf) did
    /// rather than a command decided: a mode change, a trust change, an approval step, a
    /// lockdown, a shim install. Absent on decisions and in every older line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<LoggedAction>,
    /// The `hash` of the record before this one ([`GENESIS_HASH`] for the first);
    /// set by [`append`].
    pub prev_hash: String,
    /// SHA-256 of this record, lowercase hex; set by [`append`].
    pub hash: String,
}

/// One reason of a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedReason {
    /// Rule id, e.g. `kubectl.mutating-verb`.
    pub id: String,
    /// The human sentence the rule gave ([`append`] hides secrets in it too).
    pub reason: String,
    /// `file:line` of the rule, e.g. `bundled/kubectl.rego:12`.
    pub location: String,
    /// `bundled`, `user` or `repo`.
    pub layer: String,
    /// `block`, `ask` or `allow_override`.
    pub effect: String,
}

/// Where a command lands, as classified when it was decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedTarget {
    /// `prod`, `staging`, `dev` or `unknown`.
    pub env: String,
    /// The classified name: context, account, workspace or branch.
    pub name: String,
    /// `cluster`, `account`, `workspace`, `branch` or `""`.
    pub kind: String,
}

/// What a human action record says (see [`DecisionRecord::action`]). Empty fields are
/// left out of the line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedAction {
    /// `mode`, `trust`, `approval`, `lockdown`, `breaker` or `shims`.
    pub kind: String,
    /// What happened: `read → write`; `request`, `grant`, `use`, `deny`, `expire`;
    /// `on`, `off`; `add`, `remove`; `install`, `uninstall`.
    pub change: String,
    /// What it happened to: a pane id, a file, a shim directory.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// The pane incarnation a mode or approval is bound to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub incarnation: String,
    /// When it lapses (RFC 3339), for a mode with `--for` or an approval.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub until: String,
    /// The reason the human gave, or the reason failsafe acted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The change ticket the human named.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ticket: String,
    /// The approval id, for approval records.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub approval: String,
    /// The hash of the fact an approval is bound to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fact_hash: String,
}

/// How a decision escaped the installed set-up (see `docs/threat-model.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedEscape {
    /// The config dir `FAILSAFE_CONFIG_DIR` chose, when it is not the installed one;
    /// `""` when the config dir was not moved.
    pub config_dir: String,
    /// `FAILSAFE_PANE` when that variable set the pane id to something the installed
    /// set-up did not have; `""` otherwise.
    pub pane_from: String,
    /// The config dir the shims were installed for (whose log also gets the record).
    pub installed_config_dir: String,
    /// Where that came from: the install record next to the shims, or `default` (no
    /// install record found: `$XDG_CONFIG_HOME/failsafe`, else `~/.config/failsafe`).
    pub installed_from: String,
}

/// Why the log could not be written or read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The config directory could not be created.
    #[error("cannot create log directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The log file could not be opened or created.
    #[error("cannot open decision log {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The lock on the log file could not be taken.
    #[error("cannot lock decision log {}: {source}", path.display())]
    Lock {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The log (or its directory) could not be read.
    #[error("cannot read decision log {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The record could not be written.
    #[error("cannot write decision log {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The log file kept being replaced while waiting for its lock.
    #[error("decision log {} kept changing while waiting for its lock", path.display())]
    Unstable {
        /// The file.
        path: PathBuf,
    },
    /// The record could not be encoded as JSON (a bug in failsafe).
    #[error("cannot encode a decision record for {} (a bug in failsafe): {source}", path.display())]
    Encode {
        /// The file it was meant for.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A `--since` value that is not a number followed by `s`, `m`, `h`, `d` or `w`.
    #[error("invalid duration `{value}`: expected a number and a unit, like 30m, 24h, 7d or 2w")]
    BadSince {
        /// What was given.
        value: String,
    },
}
