//! `failsafe explain`: judge a command without running it and show why.

#[path = "explain_line.rs"]
mod line;

use super::{err, json_text, out, ModeArg};
use crate::exit;
use crate::facts::Source;
use crate::judge::{judge, Judgement, Request};
use crate::policy::{Effect, Reason};
use crate::refusal;
use serde_json::json;
use std::ffi::OsString;
use std::path::Path;

/// Runs `failsafe explain`.
pub fn run(mode: Option<ModeArg>, json: bool, show_fact: bool, command: Vec<OsString>) -> i32 {
    if let [only] = command.as_slice() {
        if let Some(line) = only.to_str() {
            if let Some(code) = line::explain(line, mode, json) {
                return code;
            }
        }
    }
    let argv = match words(command) {
        Ok(a) => a,
        Err(e) => {
            err(&format!("failsafe: cannot split the command string: {e}\n"));
            return exit::USAGE;
        }
    };
    let binary = argv
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A program no shim stands in for is never judged: saying "allow" or "blocked" for it
    // would tell the human something failsafe will never do.
    if !crate::judge::is_guarded_name(&binary) {
        if json {
            out(&json_text(&json!({
                "binary": binary,
                "guarded": false,
                "decision": null,
            })));
        } else {
            out(&format!(
                "failsafe: `{binary}` is not guarded: failsafe never sees this command\n  help:   guarded tools are {} (more with a tool spec in {})\n",
                crate::judge::guarded_names().join(", "),
                super::config_dir().join("tools").display()
            ));
        }
        return exit::NOT_GUARDED;
    }
    let j = judge(Request {
        binary,
        argv,
        source: Source::Explain,
        mode: mode.map(ModeArg::mode),
    });
    if json {
        out(&json_text(&as_json(&j)));
    } else {
        out(&as_text(&j, show_fact));
    }
    if j.decision.verdict.runs() {
        exit::OK
    } else {
        exit::NO
    }
}

/// One quoted string is split like a shell would; several words are taken as they are.
fn words(command: Vec<OsString>) -> Result<Vec<OsString>, shell_words::ParseError> {
    if let [only] = command.as_slice() {
        if let Some(s) = only.to_str() {
            if s.chars().any(char::is_whitespace) {
                return Ok(shell_words::split(s)?
                    .into_iter()
                    .map(OsString::from)
                    .collect());
            }
        }
    }
    Ok(command)
}

/// The whole judgement as one JSON document.
pub fn as_json(j: &Judgement) -> serde_json::Value {
    json!({
        "guarded": true,
        "fact": j.fact,
        "files": j.evaluation.files.iter().map(|f| json!({
            "layer": f.layer,
            "path": f.path,
            "package": f.package,
            "trusted": f.trusted,
            "rules": f.rules,
        })).collect::<Vec<_>>(),
        "matched": j.evaluation.reasons,
        "ignored_overrides": j.evaluation.ignored_overrides,
        "decision": j.decision.verdict,
        "reasons": j.decision.reasons,
        "lifted": j.decision.lifted,
        "overrides": j.decision.overrides,
        "notes": j.notes,
    })
}

fn reason_line(r: &Reason) -> String {
    let effect = match r.effect {
        Effect::Block => "block",
        Effect::Ask => "ask",
        Effect::AllowOverride => "override",
    };
    format!(
        "  {effect:<8} {:<32} {}\n           {}\n",
        r.display_id(),
        r.location,
        r.reason
    )
}

/// The human form: the decision first, then what it was made of, and the fact only when
/// asked for (`--fact`).
pub fn as_text(j: &Judgement, show_fact: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!("decision: {}\n", j.decision.verdict.as_str()));
    s.push_str(&format!("command:  {}\n", refusal::command_line(&j.fact)));
    let target = refusal::target_phrase(&j.fact);
    s.push_str(&format!(
        "target:   {} [{}]\n",
        if target.is_empty() { "(none)" } else { &target },
        j.fact.target.env
    ));
    s.push_str(&format!(
        "mode:     {} (pane {})\n",
        j.fact.mode, j.fact.pane
    ));
    if !j.decision.verdict.runs() {
        s.push('\n');
        s.push_str(&refusal::render(j));
    }
    s.push_str("\nmatched:\n");
    if j.evaluation.reasons.is_empty() && j.evaluation.ignored_overrides.is_empty() {
        s.push_str("  (no rule matched)\n");
    }
    for r in &j.evaluation.reasons {
        s.push_str(&reason_line(r));
    }
    for r in &j.evaluation.ignored_overrides {
        s.push_str(&format!(
            "  ignored  {} {} (untrusted repo file)\n",
            r.display_id(),
            r.location
        ));
    }
    for note in &j.notes {
        s.push_str(&format!("  note: {note}\n"));
    }
    s.push_str("\npolicy files:\n");
    if j.evaluation.files.is_empty() {
        s.push_str("  (none apply)\n");
    }
    for f in &j.evaluation.files {
        let trust = match f.trusted {
            Some(true) => " (trusted)",
            Some(false) => " (not trusted: its overrides are ignored)",
            None => "",
        };
        s.push_str(&format!("  {:<8} {}{trust}\n", f.layer, f.path));
    }
    if show_fact {
        s.push_str("\nfact:\n");
        let fact = serde_json::to_string_pretty(&j.fact).unwrap_or_default();
        for line in fact.lines() {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    } else {
        s.push_str("\n(the fact the policies saw: add `--fact`, or `--json`)\n");
    }
    s
}
