//! The mode of a sealed install: one file per agent user, `<root>/etc/failsafe/agents/
//! <user>.json`, written only by root (`sudo failsafe mode set rw --agent USER --for
//! 30m`) and world-readable so the shim can read it with the agent's own ids.
//!
//! Panes are not a boundary inside one user (any process of the agent can claim any pane
//! id), so the mode belongs to the user. Missing, unreadable, unparsable or expired
//! means read.

use super::Layout;
use crate::mode::Mode;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What the mode file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentMode {
    /// `read` or `write`.
    pub mode: String,
    /// Unix time after which the mode reads as read; `None`: no expiry.
    pub until: Option<u64>,
    /// Unix time it was set.
    pub set_at: u64,
}

/// The mode file of `user`.
pub fn mode_file(layout: &Layout, user: &str) -> PathBuf {
    layout
        .agents_dir()
        .join(format!("{}.json", crate::mode::PaneId::new(user).as_str()))
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads `user`'s mode at time `now`: the mode and, when the file could not be used or
/// has expired, why read mode applies.
pub fn read(layout: &Layout, user: &str, now: u64) -> (Mode, Option<String>) {
    let path = mode_file(layout, user);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Mode::Read, None),
        Err(e) => {
            return (
                Mode::Read,
                Some(format!(
                    "cannot read mode file {}: {e}; read mode applies",
                    path.display()
                )),
            )
        }
    };
    let parsed: Option<(AgentMode, Mode)> = serde_json::from_str::<AgentMode>(&text)
        .ok()
        .and_then(|m| Mode::parse(&m.mode).map(|mode| (m, mode)));
    match parsed {
        None => (
            Mode::Read,
            Some(format!(
                "mode file {} is not valid; read mode applies",
                path.display()
            )),
        ),
        Some((m, mode)) => match m.until {
            Some(until) if until <= now => (Mode::Read, None),
            _ => (mode, None),
        },
    }
}

/// Writes `user`'s mode (atomically, `0644`, owned by whoever runs this: root).
///
/// # Errors
/// Any I/O error.
pub fn write(layout: &Layout, user: &str, mode: Mode, until: Option<u64>) -> std::io::Result<()> {
    let path = mode_file(layout, user);
    let dir = layout.agents_dir();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(&dir)?;
    let record = AgentMode {
        mode: mode.as_str().to_string(),
        until,
        set_at: now(),
    };
    let text = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
    write_public_atomic(&path, &text)
}

/// Replaces `path` with `bytes` (temp file, then rename), mode `0644`.
///
/// # Errors
/// Any I/O error; the old file is then unchanged.
pub fn write_public_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The pane id of a sealed install's process: `user-<name>` (the mode is the user's).
pub fn sealed_pane() -> Option<crate::mode::PaneId> {
    let s = super::sealed()?;
    Some(crate::mode::PaneId::new(&format!("user-{}", s.user)))
}

/// A sealed install's mode for this process's user, with the problem when the file
/// could not be used. `None`: not sealed. A broken install reads as read.
pub fn sealed_mode() -> Option<(Mode, Option<String>)> {
    match super::state() {
        super::State::Unsealed => None,
        super::State::Broken(cause) => Some((Mode::Read, Some(cause.clone()))),
        super::State::Sealed(s) => Some(read(&s.layout, &s.user, now())),
    }
}

/// The command a human runs to give this process's agent user write mode, when sealed.
pub fn sealed_mode_command() -> Option<String> {
    let s = super::sealed()?;
    Some(format!(
        "sudo failsafe mode set rw --agent {} --for 30m",
        shell_words::quote(&s.user)
    ))
}

/// Parses a duration: `45s`, `30m`, `2h`, `1d` (a bare number is minutes).
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "m"),
    };
    let n: u64 = num.parse().ok()?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    n.checked_mul(scale).filter(|s| *s > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("30m", Some(1800))]
    #[case("45s", Some(45))]
    #[case("2h", Some(7200))]
    #[case("1d", Some(86400))]
    #[case("10", Some(600))]
    #[case("0m", None)]
    #[case("soon", None)]
    #[case("5y", None)]
    fn durations(#[case] text: &str, #[case] secs: Option<u64>) {
        assert_eq!(parse_duration(text), secs);
    }

    #[test]
    fn modes_expire_and_broken_files_mean_read() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        let layout = Layout::new(t.path());
        assert_eq!(read(&layout, "bob", 100), (Mode::Read, None));
        write(&layout, "bob", Mode::Write, Some(200))?;
        assert_eq!(read(&layout, "bob", 100).0, Mode::Write);
        assert_eq!(read(&layout, "bob", 200).0, Mode::Read);
        write(&layout, "bob", Mode::Write, None)?;
        assert_eq!(read(&layout, "bob", u64::MAX).0, Mode::Write);
        assert_eq!(read(&layout, "alice", 1).0, Mode::Read);
        std::fs::write(mode_file(&layout, "bob"), "write")?;
        let (mode, problem) = read(&layout, "bob", 1);
        assert_eq!(mode, Mode::Read);
        assert!(problem.is_some());
        Ok(())
    }
}
