//! `failsafe approve ID`, `approve --deny ID`, `approve --list`: a human answers the
//! approval requests shims filed (see `crate::approvals`). Approving and denying are
//! refused from a guarded context; listing is not (it changes nothing).

use super::guard::refuse_if_guarded;
use super::{err, json_text, out};
use crate::approvals::{self, ApprovalError, State};
use crate::config::Settings;
use crate::exit;
use crate::mode::now_secs;
use std::time::Duration;

/// What `failsafe approve` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproveAction {
    /// Grant the request with this id.
    Grant(String),
    /// Deny it.
    Deny(String),
    /// List pending requests and unused grants.
    List,
}

/// Runs `failsafe approve …`.
pub fn run(action: ApproveAction, json: bool) -> i32 {
    let dir = super::config_dir();
    match action {
        ApproveAction::List => list(&dir, json),
        ApproveAction::Grant(id) => {
            if let Err(code) = refuse_if_guarded("approve") {
                return code;
            }
            answer(&dir, &id, true, json)
        }
        ApproveAction::Deny(id) => {
            if let Err(code) = refuse_if_guarded("approve --deny") {
                return code;
            }
            answer(&dir, &id, false, json)
        }
    }
}

fn fail(e: &ApprovalError) -> i32 {
    err(&format!(
        "failsafe: {e}\n  help:   `failsafe approve --list` shows what is waiting\n"
    ));
    exit::NO
}

fn age(secs: u64) -> String {
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

/// Grants (or denies) the pending request `id`: updates the file under its lock and
/// writes the log record. The caller has checked the context is not guarded.
///
/// # Errors
/// The message for the human when there is no such pending request, or the file or
/// the log cannot be written (a grant missing from the log would not be honoured).
pub fn decide(dir: &std::path::Path, id: &str, grant: bool) -> Result<approvals::Approval, String> {
    let ttl = Settings::load(dir).map_or(Duration::from_mins(10), |s| s.approvals.ttl.0);
    let now = now_secs();
    let mut locked = approvals::lock(dir).map_err(|e| e.to_string())?;
    locked.sweep(now);
    let Some(a) = locked.find(id).filter(|a| a.state == State::Pending) else {
        return Err(ApprovalError::Unknown { id: id.to_string() }.to_string());
    };
    if grant {
        a.state = State::Granted;
        a.expires_at = now.saturating_add(ttl.as_secs());
    } else {
        a.state = State::Denied;
    }
    let a = a.clone();
    locked.save().map_err(|e| e.to_string())?;
    let change = if grant { "grant" } else { "deny" };
    match approvals::log_step(dir, "human", &a, change) {
        Err(warning) if grant => Err(format!(
            "{}the grant is not in the log, so the shim will not honour it",
            warning.trim_start_matches("failsafe: ")
        )),
        _ => Ok(a),
    }
}

fn answer(dir: &std::path::Path, id: &str, grant: bool, json: bool) -> i32 {
    let a = match decide(dir, id, grant) {
        Ok(a) => a,
        Err(message) => {
            err(&format!(
                "failsafe: {message}\n  help:   `failsafe approve --list` shows what is waiting\n"
            ));
            return exit::NO;
        }
    };
    if json {
        out(&json_text(&serde_json::json!({
            "id": a.id, "state": a.state.as_str(), "command": a.command, "pane": a.pane,
            "cwd": a.cwd, "expires_at": a.expires_at,
        })));
    } else if grant {
        out(&format!(
            "approved `{}` once, in pane {} ({}), for the next {}\n",
            a.command,
            a.pane,
            a.cwd,
            age(a.expires_at.saturating_sub(now_secs()))
        ));
    } else {
        out(&format!("denied `{}` (pane {})\n", a.command, a.pane));
    }
    exit::OK
}

fn list(dir: &std::path::Path, json: bool) -> i32 {
    let now = now_secs();
    let mut locked = match approvals::lock(dir) {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    if locked.sweep(now) > 0 {
        let _ = locked.save();
    }
    let live: Vec<_> = locked
        .store
        .approvals
        .iter()
        .filter(|a| matches!(a.state, State::Pending | State::Granted))
        .collect();
    if json {
        out(&json_text(&serde_json::to_value(&live).unwrap_or_default()));
        return exit::OK;
    }
    if live.is_empty() {
        out("nothing is waiting for approval\n");
        return exit::OK;
    }
    for a in live {
        let target = if a.target.is_empty() { "-" } else { &a.target };
        out(&format!(
            "{}  {:<7}  {}\n        target: {target}  rule: {}  pane: {}  age: {}  cwd: {}\n",
            a.id,
            a.state.as_str(),
            a.command,
            a.rule,
            a.pane,
            age(now.saturating_sub(a.requested_at)),
            a.cwd
        ));
    }
    exit::OK
}
