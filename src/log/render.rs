//! The text of `failsafe log` and `failsafe log verify`.
//!
//! Pure: turns records and verify reports into strings; the CLI prints them. Never
//! colours (the caller knows whether stdout is a terminal).

use super::{DecisionRecord, VerifyReport};
use std::fmt::Write as _;

/// `failsafe log [--tail N] [--json]`.
///
/// With `json`, one JSON object per line, exactly the fields of the file (JSON Lines,
/// ready for `jq`). Otherwise one aligned line per record:
/// `time  decision  command  target  first-rule`, e.g.
/// `2026-11-22T03:04:05.123456Z  block     kubectl delete ns payments  prod:eks-prod  kubectl.mutating-verb`.
pub fn render_log(records: &[DecisionRecord], json: bool) -> String {
    let mut out = String::new();
    if json {
        for record in records {
            if let Ok(line) = serde_json::to_string(record) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        return out;
    }
    let rows: Vec<[String; 5]> = records
        .iter()
        .map(|r| {
            [
                r.time.clone(),
                r.decision.clone(),
                command_line(r),
                target_label(r),
                r.reasons
                    .first()
                    .map_or_else(|| "-".to_string(), |reason| reason.id.clone()),
            ]
        })
        .collect();
    let width = |col: usize| {
        rows.iter()
            .map(|row| row.get(col).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let (w_decision, w_command, w_target) = (width(1), width(2), width(3));
    for (record, [time, decision, command, target, rule]) in records.iter().zip(rows) {
        let mark = record
            .escape
            .as_ref()
            .map(|e| format!("  [{}]", escape_label(e)))
            .unwrap_or_default();
        let line = format!(
            "{time}  {decision:<w_decision$}  {command:<w_command$}  {target:<w_target$}  {rule}{mark}"
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// What moved, in a few words: `escaped: config dir /tmp/x, pane from FAILSAFE_PANE`.
pub(crate) fn escape_label(e: &super::LoggedEscape) -> String {
    let mut parts = Vec::new();
    if !e.config_dir.is_empty() {
        parts.push(format!("config dir {}", e.config_dir));
    }
    if !e.pane_from.is_empty() {
        parts.push(format!("pane from {}", e.pane_from));
    }
    format!("escaped: {}", parts.join(", "))
}

/// The command of a record as one shell-quoted line: the name it was invoked as, then
/// its arguments (already redacted in the file). Falls back to `tool verb subverb`.
pub(crate) fn command_line(record: &DecisionRecord) -> String {
    if let Some(a) = &record.action {
        return action_line(a);
    }
    let name = if record.binary.is_empty() {
        &record.tool
    } else {
        &record.binary
    };
    match record.argv.split_first() {
        Some((_, args)) => {
            let mut words = vec![name.as_str()];
            words.extend(args.iter().map(String::as_str));
            crate::quote::line(words).replace('\n', "\\n")
        }
        None => [name.as_str(), &record.verb, &record.subverb]
            .iter()
            .filter(|w| !w.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A human action in a few words: `read → write %3 until … (reason: deploy, ticket: X)`.
pub(crate) fn action_line(a: &super::LoggedAction) -> String {
    let mut line = format!("{} {}", a.change, a.subject);
    if !a.approval.is_empty() {
        line.push_str(&format!(" [{}]", a.approval));
    }
    if !a.until.is_empty() {
        line.push_str(&format!(" until {}", a.until));
    }
    let mut why = Vec::new();
    if !a.reason.is_empty() {
        why.push(format!("reason: {}", a.reason));
    }
    if !a.ticket.is_empty() {
        why.push(format!("ticket: {}", a.ticket));
    }
    if !why.is_empty() {
        line.push_str(&format!(" ({})", why.join(", ")));
    }
    line.trim().replace('\n', "\\n")
}

/// `env:name`, `env` when there is no name, `-` when nothing is known.
pub(crate) fn target_label(record: &DecisionRecord) -> String {
    let t = &record.target;
    match (t.env.as_str(), t.name.as_str()) {
        ("", "") => "-".to_string(),
        (env, "") => env.to_string(),
        ("", name) => name.to_string(),
        (env, name) => format!("{env}:{name}"),
    }
}

/// `failsafe log verify [--json]`: one line saying the chain is intact (how many
/// records, how many files, the last hash), or naming the first bad line as
/// `file:line: why`.
pub fn render_verify(report: &VerifyReport, json: bool) -> String {
    if json {
        return serde_json::to_string_pretty(report).map_or_else(|_| String::new(), |s| s + "\n");
    }
    match &report.first_bad {
        None => format!(
            "ok: {} records in {} file{}, chain intact, last hash {}\n",
            report.records,
            report.files.len(),
            if report.files.len() == 1 { "" } else { "s" },
            report.last_hash
        ),
        Some(bad) => format!(
            "{}:{}: {}\n{} records before it are intact\n",
            bad.file.display(),
            bad.line,
            bad.why,
            report.records
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{BadRecord, LoggedReason, LoggedTarget};
    use std::path::PathBuf;

    fn sample() -> DecisionRecord {
        DecisionRecord {
            time: "2026-11-22T03:04:05.123456Z".into(),
            tool: "kubectl".into(),
            binary: "kubectl".into(),
            verb: "delete".into(),
            argv: ["/shims/kubectl", "delete", "ns", "pay ments"]
                .map(String::from)
                .to_vec(),
            decision: "block".into(),
            reasons: vec![LoggedReason {
                id: "kubectl.mutating-verb".into(),
                ..LoggedReason::default()
            }],
            target: LoggedTarget {
                env: "prod".into(),
                name: "eks-prod".into(),
                kind: "cluster".into(),
            },
            ..DecisionRecord::default()
        }
    }

    #[test]
    fn human_lines_show_time_decision_command_target_rule() {
        let text = render_log(&[sample()], false);
        assert_eq!(
            text,
            "2026-11-22T03:04:05.123456Z  block  kubectl delete ns 'pay ments'  prod:eks-prod  kubectl.mutating-verb\n"
        );
    }

    #[test]
    fn escaped_records_are_marked() {
        let mut r = sample();
        r.escape = Some(crate::log::LoggedEscape {
            config_dir: "/tmp/agent".into(),
            pane_from: "FAILSAFE_PANE".into(),
            installed_config_dir: "/home/u/.config/failsafe".into(),
            installed_from: "default".into(),
        });
        let text = render_log(&[r.clone()], false);
        assert!(
            text.ends_with(
                "kubectl.mutating-verb  [escaped: config dir /tmp/agent, pane from FAILSAFE_PANE]\n"
            ),
            "{text}"
        );
        let json = render_log(&[r], true);
        assert!(
            json.contains("\"escape\":{\"config_dir\":\"/tmp/agent\""),
            "{json}"
        );
        assert!(!render_log(&[sample()], true).contains("escape"));
    }

    #[test]
    fn json_lines_round_trip() -> Result<(), serde_json::Error> {
        let text = render_log(&[sample(), sample()], true);
        let back: Vec<DecisionRecord> = text
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        assert_eq!(back, vec![sample(), sample()]);
        Ok(())
    }

    #[test]
    fn verify_names_the_bad_line() {
        let mut report = VerifyReport {
            records: 2,
            files: vec![PathBuf::from("/c/decisions.jsonl")],
            last_hash: "ab".into(),
            first_bad: None,
        };
        assert!(render_verify(&report, false).starts_with("ok: 2 records in 1 file,"));
        report.first_bad = Some(BadRecord {
            file: PathBuf::from("/c/decisions.jsonl"),
            line: 3,
            why: "not a decision record".into(),
        });
        assert!(render_verify(&report, false)
            .starts_with("/c/decisions.jsonl:3: not a decision record\n"));
        assert!(render_verify(&report, true).contains("\"line\": 3"));
    }
}
