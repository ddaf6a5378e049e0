//! Lockdown and the circuit breaker.
//!
//! A lockdown refuses every guarded command in a pane (`<config>/lockdown/<pane>`) or in
//! every pane (`<config>/lockdown/_all`) until a human lifts it with
//! `failsafe lockdown --off`. The shim checks it with one or two `stat`s.
//!
//! The breaker trips the same lockdown when one pane collects `[breaker] refusals`
//! refusals within `[breaker] window` (default 5 in 2 minutes): an agent that keeps
//! hammering at refusals is stopped until a human looks. It counts from a small per-pane
//! state file (`<config>/breaker/<pane>`: the times of the recent refusals), never from
//! the log. Never prints and never execs.

use crate::config::BreakerSettings;
use crate::fsutil;
use crate::human::{self, ActionKind};
use crate::mode::PaneId;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The lockdown file name that stands for every pane.
pub const ALL: &str = "_all";

/// Who locked a pane down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// A human, with `failsafe lockdown`.
    Human,
    /// The circuit breaker.
    Breaker,
}

/// A lockdown file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockdown {
    /// Who.
    pub by: By,
    /// Why, in words.
    #[serde(default)]
    pub reason: String,
    /// When (seconds since the epoch).
    #[serde(default)]
    pub at: u64,
}

/// The lockdown file of `pane` (`None`: every pane).
pub fn path(config_dir: &Path, pane: Option<&PaneId>) -> PathBuf {
    config_dir
        .join("lockdown")
        .join(pane.map_or(ALL, PaneId::as_str))
}

/// The lockdown in force for `pane` and its file, if any: the pane's own, else the
/// one for every pane. A file that exists but cannot be read still locks (fail closed).
pub fn active(config_dir: &Path, pane: &PaneId) -> Option<(PathBuf, Lockdown)> {
    [path(config_dir, Some(pane)), path(config_dir, None)]
        .into_iter()
        .find_map(|p| match std::fs::read(&p) {
            Ok(bytes) => {
                let l = serde_json::from_slice(&bytes).unwrap_or(Lockdown {
                    by: By::Human,
                    reason: "the lockdown file cannot be read".to_string(),
                    at: 0,
                });
                Some((p, l))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => Some((
                p,
                Lockdown {
                    by: By::Human,
                    reason: "the lockdown file cannot be read".to_string(),
                    at: 0,
                },
            )),
        })
}

/// Locks `pane` (`None`: every pane) down and logs it.
///
/// # Errors
/// The I/O error writing the file.
pub fn set(config_dir: &Path, pane: Option<&PaneId>, l: &Lockdown) -> std::io::Result<()> {
    let text = serde_json::to_vec(l).map_err(std::io::Error::other)?;
    fsutil::write_private_atomic(&path(config_dir, pane), &text)?;
    let kind = match l.by {
        By::Human => ActionKind::Lockdown,
        By::Breaker => ActionKind::Breaker,
    };
    let subject = pane.map_or("every pane", PaneId::as_str);
    let mut action = human::action(kind, "on", subject);
    action.reason.clone_from(&l.reason);
    let source = if l.by == By::Human { "human" } else { "shim" };
    let _ = human::append(
        config_dir,
        human::record(source, pane.map_or("", PaneId::as_str), action),
    );
    Ok(())
}

/// Lifts the lockdown of `pane` (`None`: the one for every pane), resets its breaker
/// count and logs it. `Ok(false)`: there was none.
///
/// # Errors
/// The I/O error removing the file.
pub fn lift(config_dir: &Path, pane: Option<&PaneId>) -> std::io::Result<bool> {
    let file = path(config_dir, pane);
    match std::fs::remove_file(&file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    if let Some(p) = pane {
        let _ = std::fs::remove_file(breaker_path(config_dir, p));
    }
    let subject = pane.map_or("every pane", PaneId::as_str);
    let action = human::action(ActionKind::Lockdown, "off", subject);
    let _ = human::append(
        config_dir,
        human::record("human", pane.map_or("", PaneId::as_str), action),
    );
    Ok(true)
}

/// The breaker's state file of `pane`.
pub fn breaker_path(config_dir: &Path, pane: &PaneId) -> PathBuf {
    config_dir.join("breaker").join(pane.as_str())
}

/// Counts one refusal in `pane` at `now`; trips the breaker (a lockdown by the breaker)
/// when that makes `settings.refusals` within `settings.window`. Returns whether it
/// tripped. Best effort: a state file that cannot be written counts nothing.
pub fn count_refusal(
    config_dir: &Path,
    pane: &PaneId,
    settings: &BreakerSettings,
    now: u64,
) -> bool {
    if !settings.enabled || settings.refusals == 0 {
        return false;
    }
    let file = breaker_path(config_dir, pane);
    let window = settings.window.0.as_secs();
    let mut times: Vec<u64> = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    times.retain(|t| now.saturating_sub(*t) < window);
    times.push(now);
    let limit = usize::try_from(settings.refusals).unwrap_or(usize::MAX);
    let tripped = times.len() >= limit;
    if tripped {
        times.clear();
    }
    let _ = serde_json::to_vec(&times)
        .map_err(std::io::Error::other)
        .and_then(|t| fsutil::write_private_atomic(&file, &t));
    if tripped {
        let l = Lockdown {
            by: By::Breaker,
            reason: format!(
                "{} refusals within {}",
                settings.refusals,
                humantime::format_duration(settings.window.0)
            ),
            at: now,
        };
        return set(config_dir, Some(pane), &l).is_ok();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Span;
    use std::time::Duration;

    #[test]
    fn the_breaker_trips_on_n_refusals_within_the_window_only() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let pane = PaneId::new("p");
        let s = BreakerSettings {
            enabled: true,
            refusals: 3,
            window: Span(Duration::from_mins(1)),
        };
        assert!(!count_refusal(dir.path(), &pane, &s, 0));
        assert!(!count_refusal(dir.path(), &pane, &s, 10));
        // The first has left the window by now.
        assert!(!count_refusal(dir.path(), &pane, &s, 65));
        assert!(active(dir.path(), &pane).is_none());
        assert!(count_refusal(dir.path(), &pane, &s, 66));
        let (_, l) = active(dir.path(), &pane).ok_or(std::io::ErrorKind::NotFound)?;
        assert_eq!(l.by, By::Breaker);
        assert!(active(dir.path(), &PaneId::new("other")).is_none());
        assert!(lift(dir.path(), Some(&pane))?);
        assert!(active(dir.path(), &pane).is_none());
        let off = BreakerSettings {
            enabled: false,
            ..s
        };
        for t in 0..10 {
            assert!(!count_refusal(dir.path(), &pane, &off, t));
        }
        Ok(())
    }

    #[test]
    fn a_lockdown_of_every_pane_applies_to_each() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let l = Lockdown {
            by: By::Human,
            reason: "incident".to_string(),
            at: 1,
        };
        set(dir.path(), None, &l)?;
        assert!(active(dir.path(), &PaneId::new("any")).is_some());
        std::fs::write(path(dir.path(), None), b"garbage")?;
        assert!(
            active(dir.path(), &PaneId::new("any")).is_some(),
            "fail closed"
        );
        Ok(())
    }
}
