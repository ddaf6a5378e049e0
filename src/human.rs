//! The log records of what a human did: mode changes, trust changes, approval steps,
//! lockdowns, shim installs. Each is one record in the same hash-chained decision log
//! as the decisions (`DecisionRecord::action`), so `log`, `log verify` and `report` see
//! them, and an edit to one breaks the chain like an edit to a decision.
//!
//! Never decides anything and never prints; the caller says what a failure to log means.

use crate::config::{LogSettings, Settings};
use crate::log::{self, DecisionRecord, LoggedAction};
use std::path::Path;

/// The closed set of human actions that are logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A pane's mode changed.
    Mode,
    /// A repo policy was trusted or untrusted.
    Trust,
    /// A step in the life of an approval: request, grant, use, deny, expire.
    Approval,
    /// A lockdown was switched on or off.
    Lockdown,
    /// The circuit breaker locked a pane down.
    Breaker,
    /// Shims were installed or removed.
    Shims,
}

impl ActionKind {
    /// The word in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Mode => "mode",
            ActionKind::Trust => "trust",
            ActionKind::Approval => "approval",
            ActionKind::Lockdown => "lockdown",
            ActionKind::Breaker => "breaker",
            ActionKind::Shims => "shims",
        }
    }
}

/// A record for `action`, made from `pane` (whose pane the action was about; `""` for
/// none) and the caller's working directory. `source` is `human` for the CLI, `shim` for
/// steps a shim takes (an approval request or use, a breaker trip).
pub fn record(source: &str, pane: &str, action: LoggedAction) -> DecisionRecord {
    DecisionRecord {
        time: log::now(),
        source: source.to_string(),
        cwd: std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        pane: pane.to_string(),
        decision: action.kind.clone(),
        action: Some(action),
        ..DecisionRecord::default()
    }
}

/// A new action of `kind` with `change` done to `subject`.
pub fn action(kind: ActionKind, change: &str, subject: &str) -> LoggedAction {
    LoggedAction {
        kind: kind.as_str().to_string(),
        change: change.to_string(),
        subject: subject.to_string(),
        ..LoggedAction::default()
    }
}

/// Appends `rec` to the log of `config_dir` under that dir's log settings (defaults when
/// config.toml cannot be read).
///
/// # Errors
/// The log's own error, as a `failsafe: warning: …` line for the human.
pub fn append(config_dir: &Path, mut rec: DecisionRecord) -> Result<(), String> {
    if let Some(a) = &mut rec.action {
        a.subject = log::redact_text(&a.subject);
        a.reason = log::redact_text(&a.reason);
    }
    let settings: LogSettings = Settings::load(config_dir)
        .map(|s| s.log)
        .unwrap_or_default();
    log::append(config_dir, &settings, rec).map_err(|e| {
        format!("failsafe: warning: this change was not logged: {e}\n  help:   fix the decision log (`failsafe log verify`) so changes leave a trace\n")
    })
}

/// Logs a shim install or removal (`change`: `install` or `uninstall`) of `tools` in
/// `dir` to this process's config dir; a failure to log is a warning on stderr.
pub fn log_shims(change: &str, dir: &Path, tools: &str) {
    let mut action = action(ActionKind::Shims, change, &dir.display().to_string());
    action.reason = tools.to_string();
    let config_dir = crate::config::process_config_dir();
    if let Err(warning) = append(&config_dir, record("human", "", action)) {
        crate::cli::err(&warning);
    }
}
