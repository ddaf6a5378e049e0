//! "What changed?": the allowed commands that changed something — every allow in write
//! mode of a command that is not a plain read, and every allow on prod — each with the
//! pane, cwd, mode and the human action that enabled the mode; and the human actions
//! themselves (mode, trust, approvals, lockdowns). Pure: records in, rows out.

use super::render::{action_line, command_line, target_label};
use super::DecisionRecord;
use serde::Serialize;

/// Verbs that only read, whatever the mode; their allows are not changes.
const READ_VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "top",
    "events",
    "explain",
    "version",
    "diff",
    "status",
    "log",
    "show",
    "plan",
    "list",
    "ls",
    "history",
    "search",
    "template",
    "lint",
    "validate",
    "output",
    "fetch",
    "blame",
    "grep",
    "rev-parse",
    "cluster-info",
    "api-resources",
    "help",
    "",
];

/// One allowed command that changed something.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChangeRow {
    pub(crate) time: String,
    pub(crate) command: String,
    pub(crate) target: String,
    pub(crate) env: String,
    pub(crate) pane: String,
    pub(crate) cwd: String,
    pub(crate) mode: String,
    /// The mode change that enabled write mode in that pane (`read → write … (reason)`),
    /// or `""` when the log does not have it, or the approval that let it run.
    pub(crate) enabled_by: String,
}

/// One human action.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionRow {
    pub(crate) time: String,
    pub(crate) kind: String,
    pub(crate) what: String,
    pub(crate) pane: String,
}

fn is_read(r: &DecisionRecord) -> bool {
    let op = if r.tool == "aws" { &r.subverb } else { &r.verb };
    READ_VERBS.contains(&op.as_str())
        || ["describe-", "list-", "get-"]
            .iter()
            .any(|p| op.starts_with(p))
}

/// The allowed commands that changed something, most dangerous target first (prod,
/// then unknown, then staging, then dev), newest first within each.
pub(crate) fn changes(records: &[DecisionRecord]) -> Vec<ChangeRow> {
    let mut enabled: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for r in records {
        if let Some(a) = &r.action {
            if a.kind == "mode" {
                enabled.insert(r.pane.as_str(), format!("{} at {}", action_line(a), r.time));
            } else if a.kind == "approval" && a.change == "use" {
                // A command a human approved once: it ran.
                rows.push(ChangeRow {
                    time: r.time.clone(),
                    command: a.subject.clone(),
                    target: "-".to_string(),
                    env: String::new(),
                    pane: r.pane.clone(),
                    cwd: r.cwd.clone(),
                    mode: "approved".to_string(),
                    enabled_by: format!("approval {}", a.approval),
                });
            }
            continue;
        }
        let allowed = r.decision == "allow" || r.decision == "override";
        let changed = allowed && ((r.mode == "write" && !is_read(r)) || r.target.env == "prod");
        if changed {
            rows.push(ChangeRow {
                time: r.time.clone(),
                command: command_line(r),
                target: target_label(r),
                env: r.target.env.clone(),
                pane: r.pane.clone(),
                cwd: r.cwd.clone(),
                mode: r.mode.clone(),
                enabled_by: if r.mode == "write" {
                    enabled.get(r.pane.as_str()).cloned().unwrap_or_default()
                } else {
                    String::new()
                },
            });
        }
    }
    let rank = |env: &str| match env {
        "prod" => 0,
        "unknown" | "" => 1,
        "staging" => 2,
        _ => 3,
    };
    rows.sort_by(|a, b| {
        rank(&a.env)
            .cmp(&rank(&b.env))
            .then_with(|| b.time.cmp(&a.time))
    });
    rows
}

/// A command failsafe refused because it could not check something itself (a broken
/// config, spec or policy, an internal error: rule ids `failsafe.*`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FailureRow {
    pub(crate) time: String,
    pub(crate) command: String,
    pub(crate) pane: String,
    pub(crate) rule: String,
    pub(crate) reason: String,
}

/// failsafe's own failures, newest first.
pub(crate) fn failures(records: &[DecisionRecord]) -> Vec<FailureRow> {
    let mut rows: Vec<FailureRow> = records
        .iter()
        .filter(|r| r.action.is_none())
        .filter_map(|r| {
            let f = r.reasons.iter().find(|x| x.id.starts_with("failsafe."))?;
            Some(FailureRow {
                time: r.time.clone(),
                command: command_line(r),
                pane: r.pane.clone(),
                rule: f.id.clone(),
                reason: f.reason.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.time.cmp(&a.time));
    rows
}

/// Every human action, newest first.
pub(crate) fn actions(records: &[DecisionRecord]) -> Vec<ActionRow> {
    let mut rows: Vec<ActionRow> = records
        .iter()
        .filter_map(|r| {
            let a = r.action.as_ref()?;
            Some(ActionRow {
                time: r.time.clone(),
                kind: a.kind.clone(),
                what: action_line(a),
                pane: r.pane.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.time.cmp(&a.time));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{LoggedAction, LoggedTarget};

    fn decision(time: &str, mode: &str, verb: &str, env: &str, decision: &str) -> DecisionRecord {
        DecisionRecord {
            time: time.to_string(),
            tool: "kubectl".to_string(),
            binary: "kubectl".to_string(),
            verb: verb.to_string(),
            argv: vec!["kubectl".to_string(), verb.to_string(), "x".to_string()],
            mode: mode.to_string(),
            pane: "%1".to_string(),
            decision: decision.to_string(),
            target: LoggedTarget {
                env: env.to_string(),
                name: "c".to_string(),
                kind: "cluster".to_string(),
            },
            ..DecisionRecord::default()
        }
    }

    #[test]
    fn write_mode_changes_and_prod_allows_are_listed_with_who_enabled_them() {
        let mode = DecisionRecord {
            time: "t0".to_string(),
            pane: "%1".to_string(),
            action: Some(LoggedAction {
                kind: "mode".to_string(),
                change: "read → write".to_string(),
                subject: "%1".to_string(),
                reason: "deploy".to_string(),
                ..LoggedAction::default()
            }),
            ..DecisionRecord::default()
        };
        let records = vec![
            mode,
            decision("t1", "write", "get", "dev", "allow"),
            decision("t2", "write", "apply", "dev", "allow"),
            decision("t3", "read", "get", "prod", "allow"),
            decision("t4", "write", "delete", "dev", "block"),
        ];
        let rows = changes(&records);
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.time.as_str(), r.env.as_str()))
            .collect();
        assert_eq!(got, vec![("t3", "prod"), ("t2", "dev")]);
        assert!(rows[1]
            .enabled_by
            .contains("read → write %1 (reason: deploy)"));
        assert_eq!(actions(&records).len(), 1);
    }
}
