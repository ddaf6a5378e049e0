//! `failsafe lockdown [--pane P | --all] [--reason TEXT]`, `lockdown --off …` and
//! `lockdown --list`: a human stops every guarded command in a pane, or in all of them,
//! and lifts it again (see `crate::lockdown`). Switching it on or off is refused from a
//! guarded context.

use super::guard::refuse_if_guarded;
use super::{err, json_text, out};
use crate::config::process_env;
use crate::exit;
use crate::lockdown::{self, By, Lockdown};
use crate::mode::{self, PaneId};

/// Runs `failsafe lockdown …`.
pub fn run(
    pane: Option<String>,
    all: bool,
    off: bool,
    list: bool,
    reason: Option<String>,
    json: bool,
) -> i32 {
    let dir = super::config_dir();
    if list {
        return show(&dir, json);
    }
    let what = if off { "lockdown --off" } else { "lockdown" };
    if let Err(code) = refuse_if_guarded(what) {
        return code;
    }
    let pane = if all {
        None
    } else {
        Some(pane.map_or_else(|| mode::pane_id(&process_env), |p| PaneId::new(&p)))
    };
    let name = pane
        .as_ref()
        .map_or("every pane".to_string(), |p| format!("pane {p}"));
    if off {
        return match lockdown::lift(&dir, pane.as_ref()) {
            Ok(true) => {
                out(&format!("lifted the lockdown of {name}\n"));
                exit::OK
            }
            Ok(false) => {
                err(&format!("failsafe: {name} is not locked down\n  help:   `failsafe lockdown --list` shows what is\n"));
                exit::NO
            }
            Err(e) => {
                err(&format!(
                    "failsafe: cannot lift the lockdown of {name}: {e}\n"
                ));
                exit::NO
            }
        };
    }
    let l = Lockdown {
        by: By::Human,
        reason: reason.unwrap_or_default(),
        at: mode::now_secs(),
    };
    match lockdown::set(&dir, pane.as_ref(), &l) {
        Ok(()) => {
            let off = if all {
                "--all".to_string()
            } else {
                format!("--pane {}", shell_words::quote(&name[5..]))
            };
            out(&format!("locked down {name}: every guarded command there is refused until `failsafe lockdown --off {off}`\n"));
            exit::OK
        }
        Err(e) => {
            err(&format!("failsafe: cannot lock down {name}: {e}\n"));
            exit::NO
        }
    }
}

fn show(dir: &std::path::Path, json: bool) -> i32 {
    let mut rows = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("lockdown")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let l: Option<Lockdown> = std::fs::read(e.path())
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            let pane = if name == lockdown::ALL {
                "every pane".to_string()
            } else {
                name
            };
            rows.push((pane, l));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(p, l)| serde_json::json!({"pane": p, "by": l.as_ref().map(|l| l.by), "reason": l.as_ref().map(|l| l.reason.clone())}))
            .collect();
        out(&json_text(&serde_json::Value::Array(v)));
    } else if rows.is_empty() {
        out("no pane is locked down\n");
    } else {
        for (p, l) in rows {
            let (by, why) = l.map_or(("?", String::new()), |l| {
                (
                    if l.by == By::Human {
                        "human"
                    } else {
                        "breaker"
                    },
                    l.reason,
                )
            });
            out(&format!("{p}  by {by}  {why}\n"));
        }
    }
    exit::OK
}
