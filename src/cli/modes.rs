//! `failsafe mode get|set` and `failsafe toggle`: the per-pane mode.

use super::guard::refuse_if_guarded;
use super::{err, json_text, out, ModeAction};
use crate::config::process_env;
use crate::exit;
use crate::mode::{self, Mode, PaneId};
use serde_json::json;

fn pane(explicit: Option<String>) -> PaneId {
    match explicit {
        Some(p) => PaneId::new(&p),
        None => mode::pane_id(&process_env),
    }
}

/// Runs `failsafe mode …`.
pub fn run_mode(action: ModeAction) -> i32 {
    match action {
        ModeAction::Get {
            pane: p, json: j, ..
        } => {
            let pane = pane(p.pane);
            let reading = mode::read_mode(&super::config_dir(), &pane);
            if let Some(problem) = &reading.problem {
                err(&format!("failsafe: {problem}\n"));
            }
            if j.json {
                out(&json_text(
                    &json!({"pane": pane.as_str(), "mode": reading.mode.as_str()}),
                ));
            } else {
                out(&format!("{}\n", reading.mode));
            }
            exit::OK
        }
        ModeAction::Set {
            mode,
            pane: p,
            json,
            ..
        } => {
            if let Err(code) = refuse_if_guarded("mode set") {
                return code;
            }
            set(pane(p.pane), mode.mode(), json.json)
        }
    }
}

/// Runs `failsafe toggle`.
pub fn toggle(explicit: Option<String>, json: bool) -> i32 {
    if let Err(code) = refuse_if_guarded("toggle") {
        return code;
    }
    let pane = pane(explicit);
    let current = mode::read_mode(&super::config_dir(), &pane).mode;
    set(pane, current.flipped(), json)
}

fn set(pane: PaneId, new: Mode, json: bool) -> i32 {
    let dir = super::config_dir();
    let old = mode::read_mode(&dir, &pane).mode;
    if let Err(e) = mode::write_mode(&dir, &pane, new) {
        err(&format!(
            "failsafe: cannot write mode file {}: {e}\n",
            mode::mode_path(&dir, &pane).display()
        ));
        return exit::NO;
    }
    if json {
        out(&json_text(
            &json!({"pane": pane.as_str(), "old": old.as_str(), "mode": new.as_str()}),
        ));
    } else {
        out(&format!("{old} → {new} (pane {pane})\n"));
    }
    exit::OK
}
