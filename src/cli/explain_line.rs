//! `failsafe explain 'LINE'` for a whole shell line: the hook's splitter finds every
//! command the line runs, and each guarded one is explained as on its own.

use super::super::{err, json_text, out, ModeArg};
use super::{as_json, as_text};
use crate::exit;
use crate::facts::Source;
use crate::hook::check::{protected_dir_of, Setting};
use crate::hook::shell::{self, Finding};
use crate::hook::wrappers::basename;
use crate::judge::{judge_with_env, Request};
use serde_json::json;
use std::ffi::OsString;

/// Explains `line` when it is more than one plain command; `None` leaves a single simple
/// command to the ordinary explain (same output as before).
pub fn explain(line: &str, mode: Option<ModeArg>, json: bool) -> Option<i32> {
    let findings = match shell::split(line) {
        Ok(f) => f,
        Err(e) => {
            err(&format!("failsafe: {e}\n"));
            return Some(exit::USAGE);
        }
    };
    let setting = Setting::from_process(std::env::current_dir().unwrap_or_default());
    // One plain command (and writes outside failsafe's own directories, such as the
    // target of `rm -rf /`): the ordinary explain says it all, including "not guarded".
    let runs_found: Vec<&shell::Command> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Run(c) => Some(c),
            _ => None,
        })
        .collect();
    let only_plain_writes = findings.iter().all(|f| match f {
        Finding::Run(_) => true,
        Finding::Write(path, _) => protected_dir_of(path, &setting, false).is_none(),
        _ => false,
    });
    if let [c] = runs_found.as_slice() {
        if c.env.is_empty() && only_plain_writes {
            return None;
        }
    }
    let mut guarded_found = 0usize;
    let mut runs = true;
    let mut text = format!("line:     {line}\nfound:    {} item(s)\n", findings.len());
    let mut items = Vec::new();
    for f in findings {
        match f {
            Finding::Run(c) => {
                let name = basename(&c.argv[0]).to_string();
                let guarded = name == crate::tool::SELF_NAME || setting.guarded.contains(&name);
                if !guarded {
                    text.push_str(&format!(
                        "\n== `{}`: not a guarded tool\n",
                        c.argv.join(" ")
                    ));
                    items.push(json!({"kind": "command", "argv": c.argv, "guarded": false}));
                    continue;
                }
                guarded_found += 1;
                let mut argv: Vec<OsString> = c.argv.iter().map(OsString::from).collect();
                argv[0] = OsString::from(&name);
                let j = judge_with_env(
                    Request {
                        binary: name,
                        argv,
                        source: Source::Explain,
                        mode: mode.map(ModeArg::mode),
                    },
                    &c.env,
                );
                runs &= j.decision.verdict.runs();
                text.push_str(&format!("\n== `{}`\n", c.argv.join(" ")));
                text.push_str(&as_text(&j, false));
                items.push(json!({"kind": "command", "argv": c.argv, "env": c.env, "guarded": true, "judgement": as_json(&j)}));
            }
            Finding::Hidden(what) => {
                guarded_found += 1;
                let hook = if setting.shim_dir.is_some() {
                    "allowed: the shims check it when it runs"
                } else {
                    "refused: no shim directory on PATH"
                };
                text.push_str(&format!("\n== hidden: {what}\n   in hook mode: {hook}\n"));
                runs &= setting.shim_dir.is_some();
                items.push(json!({"kind": "hidden", "what": what}));
            }
            Finding::Interpreter(name, code) => {
                guarded_found += 1;
                text.push_str(&format!("\n== `{name}` one-liner: {code}\n"));
                items.push(json!({"kind": "interpreter", "interpreter": name, "code": code}));
            }
            Finding::Assign(names) => {
                text.push_str(&format!("\n== sets {}\n", names.join(", ")));
                runs &= !names.iter().any(|n| n.starts_with("FAILSAFE_"));
                items.push(json!({"kind": "assign", "names": names}));
            }
            Finding::Write(path, how) => {
                let protected = protected_dir_of(&path, &setting, false);
                if let Some(dir) = &protected {
                    runs = false;
                    text.push_str(&format!(
                        "\n== {how} writes `{path}`: refused, it is inside {}\n",
                        dir.display()
                    ));
                } else {
                    text.push_str(&format!("\n== {how} writes `{path}`\n"));
                }
                items.push(json!({"kind": "write", "path": path, "how": how, "protected": protected.is_some()}));
            }
        }
    }
    if runs && guarded_found == 0 {
        let note = "no command in this line is guarded: failsafe never sees them";
        if json {
            out(&json_text(
                &json!({"line": line, "items": items, "decision": "not-guarded"}),
            ));
        } else {
            text.push_str(&format!("\nline decision: {note}\n"));
            out(&text);
        }
        return Some(exit::NOT_GUARDED);
    }
    let decision = if runs { "allow" } else { "refuse" };
    if json {
        out(&json_text(
            &json!({"line": line, "items": items, "decision": decision}),
        ));
    } else {
        text.push_str(&format!("\nline decision: {decision}\n"));
        out(&text);
    }
    Some(if runs { exit::OK } else { exit::NO })
}
