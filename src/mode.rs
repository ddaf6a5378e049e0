//! Pane identity and the per-pane mode store (`<config>/modes/<pane>`).
//!
//! A pane is read-only unless its mode file says `write`. Anything missing, unreadable
//! or unrecognised means read: the safe reading of a broken file.

use crate::fsutil;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Variables consulted for the pane id, in order.
pub const PANE_VARS: &[&str] = &[
    "FAILSAFE_PANE",
    "TMUX_PANE",
    "WEZTERM_PANE",
    "ITERM_SESSION_ID",
    "KITTY_WINDOW_ID",
    "TERM_SESSION_ID",
];

/// A pane's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read-only: the bundled policies apply.
    Read,
    /// Write: bundled policies are off; user and repo policies still apply.
    Write,
}

impl Mode {
    /// Parses a mode word: `ro`, `r`, `read` → read; `rw`, `w`, `write` → write.
    pub fn parse(word: &str) -> Option<Mode> {
        match word.trim().to_ascii_lowercase().as_str() {
            "ro" | "r" | "read" => Some(Mode::Read),
            "rw" | "w" | "write" => Some(Mode::Write),
            _ => None,
        }
    }

    /// `read` or `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Read => "read",
            Mode::Write => "write",
        }
    }

    /// The other mode.
    pub fn flipped(self) -> Mode {
        match self {
            Mode::Read => Mode::Write,
            Mode::Write => Mode::Read,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A pane id, sanitised so it is safe as a file name: only ASCII letters, digits, `.`,
/// `_`, `-`, `%` and `+`, at most 128 characters, never starting with `.`. Distinct ids
/// stay distinct: tmux's `%1` stays `%1` (not `_1`, another pane's id), and any other
/// byte is written `+XX` (hex), `+` itself as `+2B`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneId(String);

impl PaneId {
    /// Sanitises a raw id; the empty id becomes `default`.
    pub fn new(raw: &str) -> PaneId {
        let mut id = String::with_capacity(raw.len());
        for (i, b) in raw.bytes().enumerate() {
            let plain = b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'%')
                || (b == b'.' && i > 0);
            if plain {
                id.push(char::from(b));
            } else {
                id.push_str(&format!("+{b:02X}"));
            }
        }
        let mut id: String = id.chars().take(128).collect();
        if id.is_empty() {
            id = "default".to_string();
        }
        PaneId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PaneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pane id: the first set, non-empty variable of [`PANE_VARS`], else the controlling
/// terminal's device, else `default`.
pub fn pane_id(env: &dyn Fn(&str) -> Option<String>) -> PaneId {
    // Sealed: the mode belongs to the agent user, whatever the environment says.
    if let Some(pane) = crate::seal::modes::sealed_pane() {
        return pane;
    }
    if let Some(v) = PANE_VARS
        .iter()
        .find_map(|k| env(k).filter(|v| !v.is_empty()))
    {
        return PaneId::new(&v);
    }
    match controlling_tty() {
        Some(dev) => PaneId::new(&format!("tty-{dev}")),
        None => PaneId::new("default"),
    }
}

/// The controlling terminal's device number from `/proc/self/stat` (field 7), as
/// `major-minor`; `None` without one. Reads one small file, runs nothing.
fn controlling_tty() -> Option<String> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    let tty_nr: u64 = after.split_whitespace().nth(4)?.parse().ok()?;
    if tty_nr == 0 {
        return None;
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    Some(format!("{major}-{minor}"))
}

/// What the mode store said for a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeReading {
    /// The effective mode.
    pub mode: Mode,
    /// Set when the file existed but could not be used (and read mode was assumed).
    pub problem: Option<String>,
}

/// The mode file of `pane`.
pub fn mode_path(config_dir: &Path, pane: &PaneId) -> PathBuf {
    config_dir.join("modes").join(pane.as_str())
}

/// Reads the pane's mode: missing → read; unreadable or unrecognised → read, with the
/// problem named.
pub fn read_mode(config_dir: &Path, pane: &PaneId) -> ModeReading {
    // Sealed: the agent user's mode file, written by root (src/seal/modes.rs).
    if let Some((mode, problem)) = crate::seal::modes::sealed_mode() {
        return ModeReading { mode, problem };
    }
    let path = mode_path(config_dir, pane);
    match std::fs::read(&path) {
        Ok(bytes) => match std::str::from_utf8(&bytes).ok().and_then(Mode::parse) {
            Some(mode) => ModeReading {
                mode,
                problem: None,
            },
            None => ModeReading {
                mode: Mode::Read,
                problem: Some(format!(
                    "mode file {} does not say `read` or `write`; this pane is treated as read-only",
                    path.display()
                )),
            },
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ModeReading {
            mode: Mode::Read,
            problem: None,
        },
        Err(e) => ModeReading {
            mode: Mode::Read,
            problem: Some(format!(
                "cannot read mode file {}: {e}; this pane is treated as read-only",
                path.display()
            )),
        },
    }
}

/// Writes the pane's mode (atomically, owner-only).
///
/// # Errors
/// Any I/O error writing the file.
pub fn write_mode(config_dir: &Path, pane: &PaneId, mode: Mode) -> std::io::Result<()> {
    let path = mode_path(config_dir, pane);
    fsutil::write_private_atomic(&path, format!("{mode}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("%3", "%3")]
    #[case("_3", "_3")]
    #[case("w0t0p0:ABC-1", "w0t0p0+3AABC-1")]
    #[case("../../etc/passwd", "+2E.+2F..+2Fetc+2Fpasswd")]
    #[case("a+b", "a+2Bb")]
    #[case("", "default")]
    #[case("///", "+2F+2F+2F")]
    fn pane_ids_are_safe_file_names(#[case] raw: &str, #[case] id: &str) {
        assert_eq!(PaneId::new(raw).as_str(), id);
    }

    #[test]
    fn first_pane_variable_wins() {
        let env = |k: &str| match k {
            "TMUX_PANE" => Some("%1".to_string()),
            "KITTY_WINDOW_ID" => Some("7".to_string()),
            _ => None,
        };
        assert_eq!(pane_id(&env).as_str(), "%1");
    }

    #[test]
    fn garbage_and_missing_mode_files_mean_read() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let pane = PaneId::new("p");
        assert_eq!(read_mode(dir.path(), &pane).mode, Mode::Read);
        write_mode(dir.path(), &pane, Mode::Write)?;
        assert_eq!(read_mode(dir.path(), &pane).mode, Mode::Write);
        std::fs::write(mode_path(dir.path(), &pane), b"yes please")?;
        let reading = read_mode(dir.path(), &pane);
        assert_eq!(reading.mode, Mode::Read);
        assert!(reading.problem.is_some());
        std::fs::write(mode_path(dir.path(), &pane), [0xff, 0xfe])?;
        assert_eq!(read_mode(dir.path(), &pane).mode, Mode::Read);
        Ok(())
    }

    #[rstest]
    #[case("ro", Some(Mode::Read))]
    #[case("R", Some(Mode::Read))]
    #[case("write\n", Some(Mode::Write))]
    #[case("w", Some(Mode::Write))]
    #[case("maybe", None)]
    fn mode_words(#[case] word: &str, #[case] mode: Option<Mode>) {
        assert_eq!(Mode::parse(word), mode);
    }
}
