//! Pane identity and the per-pane mode store (`<config>/modes/<pane>`).
//!
//! A pane is read-only unless its mode file says `write`. Anything missing, unreadable
//! or unrecognised means read: the safe reading of a broken file.

use crate::fsutil;
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    let tty_nr: u64 = stat_fields(&stat)?.get(4)?.parse().ok()?;
    if tty_nr == 0 {
        return None;
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    Some(format!("{major}-{minor}"))
}

/// One incarnation of a pane: what tells this `%0` apart from the `%0` of the next tmux
/// server, or this tty from the next terminal handed the same device. For a pane named by
/// `TMUX_PANE` it is the tmux server (socket and pid from `$TMUX`); otherwise the session
/// leader's pid and start time from /proc. A mode other than read holds only for the
/// incarnation it was set for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incarnation(String);

impl Incarnation {
    /// An incarnation as printed by `failsafe mode get` (for `--incarnation`); blank
    /// text gives `unknown`, which no process ever has.
    pub fn new(text: &str) -> Incarnation {
        let text = text.trim();
        if text.is_empty() {
            Incarnation("unknown".to_string())
        } else {
            Incarnation(text.to_string())
        }
    }

    /// The incarnation as text, e.g. `tmux:/tmp/tmux-1000/default,4242` or
    /// `session:3141@987654`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Incarnation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The incarnation of the pane [`pane_id`] names under `env`: the tmux server when the
/// id came from `TMUX_PANE` and `$TMUX` is set, else the session leader (see
/// [`session_incarnation`]).
pub fn incarnation(env: &dyn Fn(&str) -> Option<String>) -> Incarnation {
    let from = PANE_VARS
        .iter()
        .find(|k| env(k).is_some_and(|v| !v.is_empty()));
    if from == Some(&"TMUX_PANE") {
        if let Some(tmux) = env("TMUX").filter(|v| !v.is_empty()) {
            return tmux_incarnation(&tmux);
        }
    }
    session_incarnation(Path::new("/proc"))
}

/// `tmux:<socket>,<server pid>` from a `$TMUX` value (`socket,pid,session`).
fn tmux_incarnation(tmux: &str) -> Incarnation {
    let mut parts = tmux.rsplitn(3, ',');
    let _session = parts.next();
    let pid = parts.next().unwrap_or_default();
    let socket = parts.next().unwrap_or_default();
    Incarnation(format!("tmux:{socket},{pid}"))
}

/// The fields after the command name of a `/proc/<pid>/stat` line (field 3 first).
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    // The command name (field 2) is in parentheses and may contain spaces.
    Some(stat[stat.rfind(')')? + 1..].split_whitespace().collect())
}

/// `session:<sid>@<start time>`: the session id of this process (`/proc/self/stat`
/// field 6) and the start time of its leader (field 22 of `/proc/<sid>/stat`, in clock
/// ticks since boot), so a recycled session id is a different incarnation. A leader
/// that has gone gives `session:<sid>@gone`; no /proc gives `unknown`.
pub fn session_incarnation(proc_root: &Path) -> Incarnation {
    let Ok(own) = std::fs::read_to_string(proc_root.join("self/stat")) else {
        return Incarnation::new("");
    };
    let Some(sid) = stat_fields(&own).and_then(|f| f.get(3).map(std::string::ToString::to_string))
    else {
        return Incarnation::new("");
    };
    let start = std::fs::read_to_string(proc_root.join(&sid).join("stat"))
        .ok()
        .and_then(|s| stat_fields(&s).and_then(|f| f.get(19).map(std::string::ToString::to_string)))
        .unwrap_or_else(|| "gone".to_string());
    Incarnation(format!("session:{sid}@{start}"))
}

/// A mode file (`<config>/modes/<pane>`): the mode, whose incarnation it belongs to, and
/// when and why it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeFile {
    /// The mode that was set.
    pub mode: Mode,
    /// The incarnation it was set for.
    pub incarnation: Incarnation,
    /// When it was set, in seconds since the Unix epoch.
    #[serde(default)]
    pub set_at: u64,
    /// When it lapses, in seconds since the Unix epoch; `None`: never.
    #[serde(default)]
    pub until: Option<u64>,
    /// Why, as the human said (`--reason`).
    #[serde(default)]
    pub reason: String,
    /// The change ticket the human named (`--ticket`); policies see it as
    /// `input.ticket`.
    #[serde(default)]
    pub ticket: String,
}

/// Why a recorded write mode does not hold now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lapse {
    /// Its `--for` ran out.
    Expired,
    /// It was set for another incarnation of this pane id (a new tmux server, a new
    /// terminal on a reused tty).
    OtherIncarnation,
    /// It was written by an older failsafe that did not record the incarnation.
    NoIncarnation,
}

impl Lapse {
    /// The lapse in words, for `mode get` and refusals.
    pub fn describe(self) -> &'static str {
        match self {
            Lapse::Expired => "its time ran out",
            Lapse::OtherIncarnation => {
                "it was set for another incarnation of this pane id (a restarted tmux server or a new terminal)"
            }
            Lapse::NoIncarnation => "it was recorded by an older failsafe without the pane's incarnation",
        }
    }
}

/// What the mode store said for a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeReading {
    /// The effective mode.
    pub mode: Mode,
    /// Set when the file existed but could not be used (and read mode was assumed).
    pub problem: Option<String>,
    /// The mode file as recorded, when there is a readable one.
    pub file: Option<ModeFile>,
    /// Why a recorded write mode reads as read mode now, if it does.
    pub lapsed: Option<Lapse>,
}

impl ModeReading {
    fn read(problem: Option<String>) -> ModeReading {
        ModeReading {
            mode: Mode::Read,
            problem,
            file: None,
            lapsed: None,
        }
    }

    /// The ticket of the mode in force (`""` in read mode or without one).
    pub fn ticket(&self) -> &str {
        match (&self.file, self.mode) {
            (Some(f), Mode::Write) => &f.ticket,
            _ => "",
        }
    }

    /// Seconds left before write mode lapses; `None` in read mode or without expiry.
    pub fn seconds_left(&self, now: u64) -> Option<u64> {
        match (&self.file, self.mode) {
            (Some(f), Mode::Write) => f.until.map(|u| u.saturating_sub(now)),
            _ => None,
        }
    }
}

/// The mode file of `pane`.
pub fn mode_path(config_dir: &Path, pane: &PaneId) -> PathBuf {
    config_dir.join("modes").join(pane.as_str())
}

/// `secs` since the epoch as an RFC 3339 time; `""` past what the clock can hold.
pub fn epoch_text(secs: u64) -> String {
    std::time::UNIX_EPOCH
        .checked_add(std::time::Duration::from_secs(secs))
        .map(crate::log::format_time)
        .unwrap_or_default()
}

/// Seconds since the Unix epoch now.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads this process's pane's mode (its own incarnation, the clock now); see
/// [`read_mode_as`].
pub fn read_mode(config_dir: &Path, pane: &PaneId) -> ModeReading {
    // Sealed: the agent user's mode file, written by root (src/seal/modes.rs).
    if let Some((mode, problem)) = crate::seal::modes::sealed_mode() {
        return ModeReading {
            mode,
            problem,
            file: None,
            lapsed: None,
        };
    }
    let env = crate::config::process_env;
    read_mode_as(config_dir, pane, &incarnation(&env), now_secs())
}

/// Reads the pane's mode as incarnation `inc` sees it at `now` (seconds since the
/// epoch): missing → read; unreadable or unrecognised → read, with the problem named;
/// a write mode of another incarnation, or past its expiry, → read, with the lapse
/// named. Never fails: every doubt reads as read mode.
pub fn read_mode_as(config_dir: &Path, pane: &PaneId, inc: &Incarnation, now: u64) -> ModeReading {
    let path = mode_path(config_dir, pane);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ModeReading::read(None),
        Err(e) => {
            return ModeReading::read(Some(format!(
                "cannot read mode file {}: {e}; this pane is treated as read-only",
                path.display()
            )))
        }
    };
    if let Ok(file) = serde_json::from_slice::<ModeFile>(&bytes) {
        let lapsed = match file.mode {
            Mode::Write if &file.incarnation != inc => Some(Lapse::OtherIncarnation),
            Mode::Write if file.until.is_some_and(|u| now >= u) => Some(Lapse::Expired),
            Mode::Read | Mode::Write => None,
        };
        let mode = if lapsed.is_some() {
            Mode::Read
        } else {
            file.mode
        };
        return ModeReading {
            mode,
            problem: None,
            file: Some(file),
            lapsed,
        };
    }
    // The one-word format of older versions: `read` stands, `write` has no incarnation.
    match std::str::from_utf8(&bytes).ok().and_then(Mode::parse) {
        Some(Mode::Read) => ModeReading::read(None),
        Some(Mode::Write) => ModeReading {
            lapsed: Some(Lapse::NoIncarnation),
            ..ModeReading::read(None)
        },
        None => ModeReading::read(Some(format!(
            "mode file {} does not say `read` or `write`; this pane is treated as read-only",
            path.display()
        ))),
    }
}

/// Writes the pane's mode file (atomically, owner-only).
///
/// # Errors
/// Any I/O error writing the file.
pub fn write_mode(config_dir: &Path, pane: &PaneId, file: &ModeFile) -> std::io::Result<()> {
    let path = mode_path(config_dir, pane);
    let mut text = serde_json::to_string(file).map_err(std::io::Error::other)?;
    text.push('\n');
    fsutil::write_private_atomic(&path, text.as_bytes())
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
        let inc = incarnation(&crate::config::process_env);
        write_mode(dir.path(), &pane, &write_file(&inc, None))?;
        assert_eq!(read_mode(dir.path(), &pane).mode, Mode::Write);
        std::fs::write(mode_path(dir.path(), &pane), b"write\n")?;
        let old = read_mode(dir.path(), &pane);
        assert_eq!(
            (old.mode, old.lapsed),
            (Mode::Read, Some(Lapse::NoIncarnation))
        );
        std::fs::write(mode_path(dir.path(), &pane), b"yes please")?;
        let reading = read_mode(dir.path(), &pane);
        assert_eq!(reading.mode, Mode::Read);
        assert!(reading.problem.is_some());
        std::fs::write(mode_path(dir.path(), &pane), [0xff, 0xfe])?;
        assert_eq!(read_mode(dir.path(), &pane).mode, Mode::Read);
        Ok(())
    }

    fn write_file(inc: &Incarnation, until: Option<u64>) -> ModeFile {
        ModeFile {
            mode: Mode::Write,
            incarnation: inc.clone(),
            set_at: 1000,
            until,
            reason: "deploy".to_string(),
            ticket: "OPS-1".to_string(),
        }
    }

    #[test]
    fn write_mode_holds_only_for_its_incarnation_and_time() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let pane = PaneId::new("%0");
        let old_server = Incarnation::new("tmux:/tmp/tmux-0/default,100");
        let new_server = Incarnation::new("tmux:/tmp/tmux-0/default,200");
        write_mode(dir.path(), &pane, &write_file(&old_server, Some(2000)))?;
        let now = read_mode_as(dir.path(), &pane, &old_server, 1500);
        assert_eq!((now.mode, now.lapsed), (Mode::Write, None));
        assert_eq!(now.ticket(), "OPS-1");
        assert_eq!(now.seconds_left(1500), Some(500));
        let later = read_mode_as(dir.path(), &pane, &old_server, 2000);
        assert_eq!(
            (later.mode, later.lapsed),
            (Mode::Read, Some(Lapse::Expired))
        );
        assert_eq!(later.ticket(), "");
        let other = read_mode_as(dir.path(), &pane, &new_server, 1500);
        assert_eq!(
            (other.mode, other.lapsed),
            (Mode::Read, Some(Lapse::OtherIncarnation))
        );
        Ok(())
    }

    #[rstest]
    #[case(&[("TMUX_PANE", "%0"), ("TMUX", "/tmp/tmux-0/default,4242,0")], "tmux:/tmp/tmux-0/default,4242")]
    #[case(&[("TMUX_PANE", "%0"), ("TMUX", "/tmp/a,b/sock,7,1")], "tmux:/tmp/a,b/sock,7")]
    fn tmux_panes_belong_to_their_server(#[case] vars: &[(&str, &str)], #[case] want: &str) {
        let env = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        assert_eq!(incarnation(&env).as_str(), want);
    }

    #[test]
    fn other_panes_belong_to_their_session_leader() -> std::io::Result<()> {
        let proc_root = tempfile::tempdir()?;
        std::fs::create_dir_all(proc_root.path().join("self"))?;
        std::fs::create_dir_all(proc_root.path().join("77"))?;
        let stat = |pid: u32, sid: u32, start: u64| {
            format!(
                "{pid} (a (b) c) S 1 {pid} {sid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 {start} 0 0"
            )
        };
        std::fs::write(proc_root.path().join("self/stat"), stat(90, 77, 5))?;
        std::fs::write(proc_root.path().join("77/stat"), stat(77, 77, 123_456))?;
        assert_eq!(
            session_incarnation(proc_root.path()).as_str(),
            "session:77@123456"
        );
        std::fs::remove_file(proc_root.path().join("77/stat"))?;
        assert_eq!(
            session_incarnation(proc_root.path()).as_str(),
            "session:77@gone"
        );
        let env = |k: &str| (k == "FAILSAFE_PANE").then(|| "agent".to_string());
        assert!(incarnation(&env).as_str().starts_with("session:"));
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
