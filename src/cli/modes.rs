//! `failsafe mode get|set` and `failsafe toggle`: the per-pane mode.
//!
//! Write mode is bound to the pane's incarnation and may carry an expiry (`--for`),
//! within the limits of config.toml `[mode]`. Every change is a record in the decision
//! log. Setting a mode is refused from a guarded context (see `guard`).

use super::guard::refuse_if_guarded;
use super::{err, json_text, out, ModeAction, WriteOptions};
use crate::config::{process_env, Settings};
use crate::exit;
use crate::human::{self, ActionKind};
use crate::mode::{self, Incarnation, Mode, ModeFile, ModeReading, PaneId};
use serde_json::json;
use std::time::Duration;

/// The pane and incarnation acted on: `--pane` or this terminal's own, and
/// `--incarnation` or this terminal's own (right when the human's terminal shares the
/// agent's tmux server or session; otherwise the agent's refusal prints the value).
fn target(pane: Option<String>, inc: Option<String>) -> (PaneId, Incarnation) {
    let pane = match pane {
        Some(p) => PaneId::new(&p),
        None => mode::pane_id(&process_env),
    };
    let inc = match inc {
        Some(i) => Incarnation::new(&i),
        None => mode::incarnation(&process_env),
    };
    (pane, inc)
}

/// `23m 10s` for a number of seconds.
fn span(secs: u64) -> String {
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

/// The text of `mode get`: the mode word, then what qualifies it.
fn describe(reading: &ModeReading, now: u64) -> String {
    let mut extra = Vec::new();
    if let Some(left) = reading.seconds_left(now) {
        extra.push(format!("{} left", span(left)));
    }
    if let (Some(f), Mode::Write) = (&reading.file, reading.mode) {
        if !f.reason.is_empty() {
            extra.push(format!("reason: {}", f.reason));
        }
        if !f.ticket.is_empty() {
            extra.push(format!("ticket: {}", f.ticket));
        }
    }
    if let Some(lapse) = reading.lapsed {
        extra.push(format!("write mode lapsed: {}", lapse.describe()));
    }
    if extra.is_empty() {
        format!("{}\n", reading.mode)
    } else {
        format!("{} ({})\n", reading.mode, extra.join(", "))
    }
}

/// Runs `failsafe mode …`.
pub fn run_mode(action: ModeAction) -> i32 {
    match action {
        ModeAction::Get {
            pane,
            incarnation,
            json: j,
            ..
        } => {
            let (pane, inc) = target(pane.pane, incarnation);
            let now = mode::now_secs();
            let reading = mode::read_mode_as(&super::config_dir(), &pane, &inc, now);
            if let Some(problem) = &reading.problem {
                err(&format!("failsafe: {problem}\n"));
            }
            if j.json {
                out(&json_text(&json!({
                    "pane": pane.as_str(),
                    "incarnation": inc.as_str(),
                    "mode": reading.mode.as_str(),
                    "seconds_left": reading.seconds_left(now),
                    "until": reading.file.as_ref().filter(|_| reading.mode == Mode::Write).and_then(|f| f.until),
                    "reason": reading.file.as_ref().filter(|_| reading.mode == Mode::Write).map(|f| f.reason.clone()),
                    "ticket": reading.ticket(),
                    "lapsed": reading.lapsed,
                })));
            } else {
                out(&describe(&reading, now));
            }
            exit::OK
        }
        ModeAction::Set {
            mode,
            pane,
            write,
            json,
            ..
        } => {
            let what = if write.duration.is_some() {
                "mode set --for"
            } else {
                "mode set"
            };
            if let Err(code) = refuse_if_guarded(what) {
                return code;
            }
            set(pane.pane, mode.mode(), &write, json.json)
        }
    }
}

/// Runs `failsafe toggle`.
pub fn toggle(pane: Option<String>, write: &WriteOptions, json: bool) -> i32 {
    if let Err(code) = refuse_if_guarded("toggle") {
        return code;
    }
    let (p, inc) = target(pane.clone(), write.incarnation.clone());
    let current = mode::read_mode_as(&super::config_dir(), &p, &inc, mode::now_secs()).mode;
    set(pane, current.flipped(), write, json)
}

/// How long write mode lasts: `--for`, else `[mode] default_for`; refused past
/// `max_for`, or without any when `require_for` is set. `Ok(None)`: no expiry.
fn duration(write: &WriteOptions, settings: &Settings) -> Result<Option<Duration>, String> {
    let given = match &write.duration {
        Some(text) => Some(humantime::parse_duration(text).map_err(|e| {
            format!("failsafe: `--for {text}` is not a duration like 30m or 2h: {e}\n")
        })?),
        None => settings.mode.default_for.map(|s| s.0),
    };
    match (given, settings.mode.max_for) {
        (None, _) if settings.mode.require_for => Err(
            "failsafe: refused: config.toml sets `[mode] require_for = true`, so write mode needs a time limit\n  help:   say how long, e.g. `failsafe mode set rw --for 30m`\n".to_string(),
        ),
        (Some(d), Some(max)) if d > max.0 => Err(format!(
            "failsafe: refused: `--for {}` is longer than `[mode] max_for = \"{}\"` in config.toml\n  help:   ask for at most {}, and again when it runs out\n",
            humantime::format_duration(d),
            humantime::format_duration(max.0),
            humantime::format_duration(max.0),
        )),
        (None, Some(max)) => Ok(Some(max.0)),
        (d, _) => Ok(d),
    }
}

fn set(pane: Option<String>, new: Mode, write: &WriteOptions, json: bool) -> i32 {
    let dir = super::config_dir();
    let settings = match Settings::load(&dir) {
        Ok(s) => s,
        Err(e) => {
            err(&format!(
                "failsafe: refused: {e}\n  help:   a human must fix {} first\n",
                dir.join("config.toml").display()
            ));
            return exit::NO;
        }
    };
    let (pane, inc) = target(pane, write.incarnation.clone());
    let now = mode::now_secs();
    let old = mode::read_mode_as(&dir, &pane, &inc, now).mode;
    let lasts = match new {
        Mode::Read => None,
        Mode::Write => match duration(write, &settings) {
            Ok(d) => d,
            Err(message) => {
                err(&message);
                return exit::NO;
            }
        },
    };
    let file = ModeFile {
        mode: new,
        incarnation: inc.clone(),
        set_at: now,
        until: lasts.map(|d| now.saturating_add(d.as_secs())),
        reason: write.reason.clone().unwrap_or_default(),
        ticket: write.ticket.clone().unwrap_or_default(),
    };
    if let Err(e) = mode::write_mode(&dir, &pane, &file) {
        err(&format!(
            "failsafe: cannot write mode file {}: {e}\n",
            mode::mode_path(&dir, &pane).display()
        ));
        return exit::NO;
    }
    let mut action = human::action(ActionKind::Mode, &format!("{old} → {new}"), pane.as_str());
    action.incarnation = inc.to_string();
    action.until = file.until.map(mode::epoch_text).unwrap_or_default();
    action.reason.clone_from(&file.reason);
    action.ticket.clone_from(&file.ticket);
    if let Err(warning) = human::append(&dir, human::record("human", pane.as_str(), action)) {
        err(&warning);
    }
    let left = lasts.map(|d| span(d.as_secs()));
    if json {
        out(&json_text(&json!({
            "pane": pane.as_str(),
            "incarnation": inc.as_str(),
            "old": old.as_str(),
            "mode": new.as_str(),
            "until": file.until,
            "reason": file.reason,
            "ticket": file.ticket,
        })));
    } else {
        let until = left.map(|l| format!(" for {l}")).unwrap_or_default();
        out(&format!("{old} → {new} (pane {pane}){until}\n"));
    }
    exit::OK
}
