//! Writing a judgement to the decision log, and what to do when that fails.
//!
//! The log room redacts, chains and appends; this module only turns a judgement into a
//! record and applies `log.required`: by default an unwritable log is a warning and the
//! decision stands; with `required = true` the command is refused.

use crate::judge::Judgement;
use crate::log::{self, DecisionRecord, LoggedReason, LoggedTarget};
use crate::policy::Reason;

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

/// Logs `j`. `Ok(None)` when logged; on failure `Ok(Some(warning))` for the caller to
/// print after its own message, or — with `log.required` — `Err` with the refusal text.
pub fn record(j: &Judgement) -> Result<Option<String>, String> {
    match log::append(&j.config_dir, &j.settings.log, record_of(j)) {
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
