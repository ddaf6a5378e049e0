//! Writing a judgement to the decision log, and what to do when that fails.
//!
//! The log room redacts, chains and appends; this module only turns a judgement into a
//! record and applies `log.required`: by default an unwritable log is a warning and the
//! decision stands; with `required = true` the command is refused.
//!
//! A decision made under a config dir or pane id that `FAILSAFE_CONFIG_DIR` or
//! `FAILSAFE_PANE` moved away from the installed set-up is marked (`escape`) and also
//! written to the installed config dir's log, so moving the config dir cannot hide it
//! (docs/threat-model.md). Nothing extra is read unless one of those variables is set.

use crate::config::{self, Escape};
use crate::judge::Judgement;
use crate::log::{self, DecisionRecord, LoggedEscape, LoggedReason, LoggedTarget};
use crate::policy::Reason;
use std::path::Path;

fn logged(r: &Reason) -> LoggedReason {
    LoggedReason {
        id: r.id.clone(),
        reason: r.reason.clone(),
        location: r.location.clone(),
        layer: r.layer.as_str().to_string(),
        effect: r.effect.rule_name().to_string(),
    }
}

/// The log record of a judgement (argv unredacted; `log::append` redacts it).
pub fn record_of(j: &Judgement) -> DecisionRecord {
    let fact = &j.fact;
    let reasons = j
        .decision
        .reasons
        .iter()
        .chain(j.decision.lifted.iter())
        .chain(j.decision.overrides.iter())
        .map(logged)
        .collect();
    DecisionRecord {
        time: log::now(),
        source: serde_json::to_value(fact.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        tool: fact.tool.clone(),
        binary: fact.binary.clone(),
        verb: fact.verb.clone(),
        subverb: fact.subverb.clone(),
        argv: fact.argv.clone(),
        cwd: fact.cwd.clone(),
        mode: fact.mode.as_str().to_string(),
        pane: fact.pane.clone(),
        decision: j.decision.verdict.as_str().to_string(),
        reasons,
        target: LoggedTarget {
            env: fact.target.env.clone(),
            name: fact.target.name.clone(),
            kind: fact.target.kind.clone(),
        },
        duration_us: j.duration_us,
        ..DecisionRecord::default()
    }
}

/// The `escape` field of a record.
pub fn logged_escape(e: &Escape) -> LoggedEscape {
    LoggedEscape {
        config_dir: e
            .config_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        pane_from: if e.pane_from_var {
            "FAILSAFE_PANE".to_string()
        } else {
            String::new()
        },
        installed_config_dir: e.installed_config_dir.display().to_string(),
        installed_from: e
            .install_record
            .as_ref()
            .map_or_else(|| "default".to_string(), |p| p.display().to_string()),
    }
}

/// The escape of this process's decision, if any (see [`config::detect_escape`]).
fn process_escape(j: &Judgement) -> Option<Escape> {
    let argv0 = j.fact.argv.first().map(String::as_str).unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    config::detect_escape(
        &config::process_env,
        config::process_home().as_deref(),
        &|| config::running_shim_dir(argv0, &j.fact.binary, &path),
        &j.config_dir,
    )
}

/// What became of a decision's log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    /// Written to every log it belongs in.
    Written,
    /// Not (fully) written; the decision stands and this warning is printed after the
    /// caller's own message.
    Warning(String),
    /// Not written and `log.required` is set: the command must be refused with this text.
    Refused(String),
}

/// Logs `j` and says what became of the record (see [`Logged`]).
///
/// A decision that escapes the installed set-up is marked and written to both logs.
pub fn record(j: &Judgement) -> Logged {
    match write(j) {
        Ok(None) => Logged::Written,
        Ok(Some(warning)) => Logged::Warning(warning),
        Err(refusal) => Logged::Refused(refusal),
    }
}

/// [`record`], with `?` for the refusal.
fn write(j: &Judgement) -> Result<Option<String>, String> {
    let mut rec = record_of(j);
    let escape = process_escape(j);
    let mut installed_log_warning = None;
    if let Some(e) = &escape {
        rec.escape = Some(logged_escape(e));
        if !config::same_dir(&e.installed_config_dir, &j.config_dir) {
            installed_log_warning = append_installed(&e.installed_config_dir, rec.clone(), j)?;
        }
    }
    let main = outcome(log::append(&j.config_dir, &j.settings.log, rec), j)?;
    Ok(match (main, installed_log_warning) {
        (Some(a), Some(b)) => Some(a + &b),
        (a, b) => a.or(b),
    })
}

/// Appends the record to the installed config dir's log, under that dir's own log
/// settings (defaults when its config.toml cannot be read).
fn append_installed(
    dir: &Path,
    rec: DecisionRecord,
    j: &Judgement,
) -> Result<Option<String>, String> {
    let settings = crate::config::Settings::load(dir)
        .map(|s| s.log)
        .unwrap_or_default();
    outcome(log::append(dir, &settings, rec), j)
}

/// Applies `log.required` to the result of one append.
fn outcome(result: Result<(), log::LogError>, j: &Judgement) -> Result<Option<String>, String> {
    match result {
        Ok(()) => Ok(None),
        Err(e) if j.settings.log.required => Err(format!(
            "failsafe: blocked `{}`: its decision cannot be written to the log: {e}\n  reason: config.toml sets `log.required = true`, so nothing runs unlogged\n  help:   fix the log file's permissions or free disk space, or set `log.required = false`\n",
            crate::refusal::command_line(&j.fact)
        )),
        Err(e) => Ok(Some(format!(
            "failsafe: warning: decision not logged: {e}\n  help:   the decision stands; set `log.required = true` in config.toml to refuse instead\n"
        ))),
    }
}
