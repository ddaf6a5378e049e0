//! Where failsafe keeps its files, and `config.toml`, the optional settings file.
//!
//! A missing config.toml means defaults. One that exists but cannot be read or parsed is
//! an error the caller must turn into a refusal: a guard must not quietly forget the
//! protected branches or the inventory someone wrote down.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Branches protected when config.toml does not say otherwise.
pub const DEFAULT_PROTECTED_BRANCHES: &[&str] = &[
    "main",
    "master",
    "trunk",
    "production",
    "prod",
    "release",
    "release/*",
    "stable",
];

/// Log rotation threshold when config.toml does not set one (bytes).
pub const DEFAULT_LOG_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The config directory: `$FAILSAFE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/failsafe`, else
/// `~/.config/failsafe`. `env` looks up a variable (empty counts as unset).
pub fn config_dir(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> PathBuf {
    if let Some(dir) = env("FAILSAFE_CONFIG_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = env("XDG_CONFIG_HOME").filter(|v| v.starts_with('/')) {
        return PathBuf::from(xdg).join("failsafe");
    }
    home.map_or_else(|| PathBuf::from("/nonexistent"), Path::to_path_buf)
        .join(".config/failsafe")
}

/// The config directory of the real process environment.
pub fn process_config_dir() -> PathBuf {
    // A sealed install's config dir is fixed (docs/sealed.md).
    if let Some(dir) = crate::seal::config_dir() {
        return dir;
    }
    config_dir(&process_env, process_home().as_deref())
}

/// The default shim directory: `$XDG_DATA_HOME/failsafe/shims`, else
/// `~/.local/share/failsafe/shims`.
pub fn default_shim_dir(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> PathBuf {
    if let Some(xdg) = env("XDG_DATA_HOME").filter(|v| v.starts_with('/')) {
        return PathBuf::from(xdg).join("failsafe/shims");
    }
    home.map_or_else(|| PathBuf::from("/nonexistent"), Path::to_path_buf)
        .join(".local/share/failsafe/shims")
}

/// Looks a variable up in the real process environment (empty counts as unset).
pub fn process_env(name: &str) -> Option<String> {
    // Sealed: FAILSAFE_CONFIG_DIR, FAILSAFE_PANE, XDG_* and HOME move nothing.
    if crate::seal::ignored_var(name) {
        return None;
    }
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The real home directory: `$HOME`, else the password database.
pub fn process_home() -> Option<PathBuf> {
    if crate::seal::is_sealed() {
        return crate::seal::home();
    }
    process_env("HOME")
        .map(PathBuf::from)
        .or_else(dirs::home_dir)
        .or_else(passwd_home)
}

/// The home directory of the process's user in `/etc/passwd`, read directly rather than
/// through `getpwuid`: a statically linked glibc (see docs/benchmarks.md) cannot load
/// the NSS modules `getpwuid` relies on, so this is the fallback when that fails. `None` when the user is not in the
/// file (a directory service only), which callers treat as "no home".
pub fn passwd_home() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is this process's user; no libc call needed.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    home_in_passwd(&std::fs::read_to_string("/etc/passwd").ok()?, uid)
}

/// The home field of `uid`'s line in a passwd file's text.
fn home_in_passwd(text: &str, uid: u32) -> Option<PathBuf> {
    text.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            [_, _, id, _, _, home, ..] if id.parse() == Ok(uid) && home.starts_with('/') => {
                Some(PathBuf::from(home))
            }
            _ => None,
        }
    })
}

/// The file `failsafe install-shims` writes next to the shims: the set-up they were
/// installed for. Read only when `FAILSAFE_CONFIG_DIR` or `FAILSAFE_PANE` is set.
pub const INSTALL_RECORD: &str = ".failsafe-install.json";

/// The content of [`INSTALL_RECORD`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstallRecord {
    /// The config dir in effect when the shims were installed.
    pub config_dir: PathBuf,
    /// `FAILSAFE_PANE` when the shims were installed (`None`: unset).
    pub failsafe_pane: Option<String>,
}

/// How a decision's config dir or pane id was moved away from the installed set-up by
/// an environment variable (see docs/threat-model.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    /// The config dir `FAILSAFE_CONFIG_DIR` chose, when it is not the installed one.
    pub config_dir: Option<PathBuf>,
    /// `FAILSAFE_PANE` set the pane id, and not to what it was at install time.
    pub pane_from_var: bool,
    /// The config dir the shims were installed for; its log also gets the record.
    pub installed_config_dir: PathBuf,
    /// The install record it was read from; `None`: no record, the default config dir.
    pub install_record: Option<PathBuf>,
}

/// The directory of the shim that is running: the parent of `argv0` when it is a path
/// to this executable, else the first absolute `PATH` entry whose `binary` is this
/// executable (compared by device and inode). `None` when neither is found.
pub fn running_shim_dir(argv0: &str, binary: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let me = crate::shim::self_id()?;
    let is_me = |p: &Path| std::fs::metadata(p).is_ok_and(|m| (m.dev(), m.ino()) == me);
    if argv0.contains('/') {
        let typed = Path::new(argv0);
        if is_me(typed) {
            return typed.parent().map(Path::to_path_buf);
        }
    }
    std::env::split_paths(path)
        .filter(|dir| dir.is_absolute())
        .find(|dir| is_me(&dir.join(binary)))
}

/// Reads `<shim_dir>/.failsafe-install.json`; `None` when it is missing or unreadable
/// (the caller then compares with the default config dir).
pub fn read_install_record(shim_dir: &Path) -> Option<InstallRecord> {
    let text = std::fs::read_to_string(shim_dir.join(INSTALL_RECORD)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `<shim_dir>/.failsafe-install.json` for the current environment.
///
/// # Errors
/// Any I/O error from writing the file.
pub fn write_install_record(shim_dir: &Path, record: &InstallRecord) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    crate::fsutil::write_private_atomic(&shim_dir.join(INSTALL_RECORD), &text)
}

/// Whether `a` and `b` name the same directory: equal as given, or equal once symlinks
/// are resolved (when both exist).
pub fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Whether this decision escapes the installed set-up: `FAILSAFE_CONFIG_DIR` names
/// another config dir than the one the shims were installed for, or `FAILSAFE_PANE`
/// sets a pane id it did not set at install time.
///
/// Costs nothing unless one of the two variables is set; then it finds the running shim
/// (`running_shim_dir`) and reads its install record. Without a record the installed
/// config dir is the default one (`$XDG_CONFIG_HOME/failsafe`, else
/// `~/.config/failsafe`) and any `FAILSAFE_PANE` counts as moved. `effective` is the
/// config dir the decision was made under.
pub fn detect_escape(
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
    shim_dir: &dyn Fn() -> Option<PathBuf>,
    effective: &Path,
) -> Option<Escape> {
    let config_var = env("FAILSAFE_CONFIG_DIR").filter(|v| !v.is_empty());
    let pane_var = env("FAILSAFE_PANE").filter(|v| !v.is_empty());
    if config_var.is_none() && pane_var.is_none() {
        return None;
    }
    let found = shim_dir().and_then(|dir| {
        let record = read_install_record(&dir)?;
        Some((dir.join(INSTALL_RECORD), record))
    });
    let (install_record, installed) = if let Some((path, record)) = found {
        (Some(path), record)
    } else {
        let without = |name: &str| {
            if name == "FAILSAFE_CONFIG_DIR" {
                None
            } else {
                env(name)
            }
        };
        let default = InstallRecord {
            config_dir: config_dir(&without, home),
            failsafe_pane: None,
        };
        (None, default)
    };
    let moved_dir = config_var
        .is_some()
        .then(|| effective.to_path_buf())
        .filter(|dir| !same_dir(dir, &installed.config_dir));
    let pane_moved = pane_var.is_some() && pane_var != installed.failsafe_pane;
    (moved_dir.is_some() || pane_moved).then_some(Escape {
        config_dir: moved_dir,
        pane_from_var: pane_moved,
        installed_config_dir: installed.config_dir,
        install_record,
    })
}

/// The parsed `config.toml`. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// git settings.
    #[serde(default)]
    pub git: GitSettings,
    /// Name patterns that classify targets as prod, staging or dev.
    #[serde(default)]
    pub inventory: Inventory,
    /// Decision log settings.
    #[serde(default)]
    pub log: LogSettings,
    /// How an `ask` decision is answered in shim mode.
    #[serde(default)]
    pub ask: AskSettings,
    /// Limits on write mode (`[mode]`).
    #[serde(default)]
    pub mode: ModeSettings,
    /// The write-mode safety net (`[safety_net]`).
    #[serde(default)]
    pub safety_net: SafetyNetSettings,
    /// One-shot approvals (`[approvals]`).
    #[serde(default)]
    pub approvals: ApprovalSettings,
    /// The circuit breaker (`[breaker]`).
    #[serde(default)]
    pub breaker: BreakerSettings,
}

/// A length of time written the human way in config.toml (`30m`, `2h`, `1h 30m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span(pub std::time::Duration);

impl TryFrom<String> for Span {
    type Error = String;
    fn try_from(text: String) -> Result<Span, String> {
        humantime::parse_duration(&text)
            .map(Span)
            .map_err(|e| format!("`{text}` is not a duration like 30m or 2h: {e}"))
    }
}

impl From<Span> for String {
    fn from(s: Span) -> String {
        humantime::format_duration(s.0).to_string()
    }
}

/// `[mode]`: how long write mode may last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeSettings {
    /// The `--for` used when write mode is set without one.
    #[serde(default)]
    pub default_for: Option<Span>,
    /// The longest `--for` accepted.
    #[serde(default)]
    pub max_for: Option<Span>,
    /// Refuse to set write mode without a duration (given or `default_for`).
    #[serde(default)]
    pub require_for: bool,
}

/// `[safety_net]`: the bundled `irreversible` policy, active in every mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyNetSettings {
    /// On by default; `false` switches the safety net off.
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for SafetyNetSettings {
    fn default() -> Self {
        SafetyNetSettings { enabled: true }
    }
}

fn yes() -> bool {
    true
}

/// `[approvals]`: one-shot approvals of `ask` decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettings {
    /// How long a pending request, and a grant, stays usable (default 10m).
    #[serde(default = "ten_minutes")]
    pub ttl: Span,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings { ttl: ten_minutes() }
    }
}

fn ten_minutes() -> Span {
    Span(std::time::Duration::from_mins(10))
}

/// `[breaker]`: lock a pane down after too many refusals in a short time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerSettings {
    /// On by default.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How many refusals trip the breaker (default 5).
    #[serde(default = "five")]
    pub refusals: u32,
    /// Within how long (default 2m).
    #[serde(default = "two_minutes")]
    pub window: Span,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            enabled: true,
            refusals: five(),
            window: two_minutes(),
        }
    }
}

fn five() -> u32 {
    5
}

fn two_minutes() -> Span {
    Span(std::time::Duration::from_mins(2))
}

/// `[git]` in config.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitSettings {
    /// Branch names or `*` patterns that count as protected; replaces the defaults.
    #[serde(default = "default_protected")]
    pub protected_branches: Vec<String>,
}

impl Default for GitSettings {
    fn default() -> Self {
        GitSettings {
            protected_branches: default_protected(),
        }
    }
}

fn default_protected() -> Vec<String> {
    DEFAULT_PROTECTED_BRANCHES
        .iter()
        .map(std::string::ToString::to_string)
        .collect()
}

/// `[inventory]`: environment → name patterns (`*` matches any run of characters).
/// Matched against context, cluster, account, profile, workspace and branch names
/// before any name heuristic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Patterns of production targets.
    #[serde(default)]
    pub prod: Vec<String>,
    /// Patterns of staging targets.
    #[serde(default)]
    pub staging: Vec<String>,
    /// Patterns of development targets.
    #[serde(default)]
    pub dev: Vec<String>,
}

/// `[log]` in config.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// Refuse the command when its decision cannot be logged.
    #[serde(default)]
    pub required: bool,
    /// Rotate the log past this many bytes.
    #[serde(default = "default_log_max")]
    pub max_bytes: u64,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            required: false,
            max_bytes: DEFAULT_LOG_MAX_BYTES,
        }
    }
}

fn default_log_max() -> u64 {
    DEFAULT_LOG_MAX_BYTES
}

/// `[ask]` in config.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskSettings {
    /// Offer a `[y/N]` prompt on `/dev/tty` for `ask` decisions in shim mode (only for
    /// people who shim their own terminal; never on by default).
    #[serde(default)]
    pub inline: bool,
}

/// Why config.toml could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// config.toml's path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("{} is not valid: {message}", path.display())]
    Parse {
        /// config.toml's path.
        path: PathBuf,
        /// The parser's message, with the line.
        message: String,
    },
}

impl Settings {
    /// Reads `<config>/config.toml`; a missing file gives the defaults.
    ///
    /// # Errors
    /// `ConfigError` when the file exists but cannot be read or parsed.
    pub fn load(config_dir: &Path) -> Result<Settings, ConfigError> {
        let path = config_dir.join("config.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Settings::parse(&path, &text)
    }

    /// Parses config.toml text; `path` is only used in errors.
    ///
    /// # Errors
    /// `ConfigError::Parse` with the TOML parser's message.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: one_line(&e.to_string()),
        })
    }

    /// The settings as JSON, for `data.failsafe.config`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Collapses a multi-line parser message into one line.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Matches `name` against a pattern where `*` matches any run of characters (also `/`)
/// and everything else matches itself.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("main", "main", true)]
    #[case("release/*", "release/1.2", true)]
    #[case("release/*", "release", false)]
    #[case("prod-*", "prod-eu", true)]
    #[case("*prod*", "eks-prod-1", true)]
    #[case("main", "maintenance", false)]
    fn patterns(#[case] pattern: &str, #[case] name: &str, #[case] hit: bool) {
        assert_eq!(pattern_matches(pattern, name), hit);
    }

    #[test]
    fn config_dir_precedence() {
        let home = Path::new("/home/u");
        let none = |_: &str| None;
        assert_eq!(
            config_dir(&none, Some(home)),
            PathBuf::from("/home/u/.config/failsafe")
        );
        let xdg = |k: &str| (k == "XDG_CONFIG_HOME").then(|| "/x".to_string());
        assert_eq!(config_dir(&xdg, Some(home)), PathBuf::from("/x/failsafe"));
        let own = |k: &str| (k == "FAILSAFE_CONFIG_DIR").then(|| "/c".to_string());
        assert_eq!(config_dir(&own, Some(home)), PathBuf::from("/c"));
    }

    #[test]
    fn settings_parse_and_reject_unknown_keys() {
        let p = Path::new("config.toml");
        let s = Settings::parse(
            p,
            "[git]\nprotected_branches = [\"dev\"]\n[log]\nrequired = true\n",
        );
        let s = s.map_err(|e| e.to_string());
        assert!(s
            .as_ref()
            .is_ok_and(|s| s.git.protected_branches == vec!["dev"] && s.log.required));
        let human = Settings::parse(
            p,
            "[mode]\nmax_for = \"1h 30m\"\nrequire_for = true\n[safety_net]\nenabled = false\n",
        )
        .map_err(|e| e.to_string());
        assert!(human.as_ref().is_ok_and(|s| s.mode.max_for
            == Some(Span(std::time::Duration::from_mins(90)))
            && !s.safety_net.enabled
            && s.approvals.ttl.0.as_secs() == 600));
        let span =
            Settings::parse(p, "[mode]\ndefault_for = \"soon\"\n").map_err(|e| e.to_string());
        assert!(span.is_err_and(|e| e.contains("soon")));
        let bad = Settings::parse(p, "[gti]\nx = 1\n").map_err(|e| e.to_string());
        assert!(bad.is_err_and(|e| e.contains("config.toml")));
        assert_eq!(Settings::default().git.protected_branches.len(), 8);
    }

    /// `detect_escape` with variables `vars`, home `/home/u`, and a shim dir holding
    /// `record` (or no install record when `None`).
    fn escape_with(
        vars: &[(&str, &str)],
        record: Option<&InstallRecord>,
        effective: &str,
    ) -> Option<Escape> {
        let Ok(t) = tempfile::tempdir() else {
            unreachable!("cannot create a temporary directory")
        };
        if let Some(r) = record {
            let written = write_install_record(t.path(), r);
            assert!(written.is_ok(), "{written:?}");
        }
        let env = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        };
        let dir = t.path().to_path_buf();
        detect_escape(
            &env,
            Some(Path::new("/home/u")),
            &|| Some(dir.clone()),
            Path::new(effective),
        )
        .map(|mut e| {
            e.install_record = e.install_record.map(|_| PathBuf::from("RECORD"));
            e
        })
    }

    fn installed(dir: &str, pane: Option<&str>) -> InstallRecord {
        InstallRecord {
            config_dir: PathBuf::from(dir),
            failsafe_pane: pane.map(str::to_string),
        }
    }

    #[rstest]
    // Neither variable set: nothing is read, nothing escapes.
    #[case::no_variables(&[], None, "/home/u/.config/failsafe", None)]
    #[case::xdg_only(&[("XDG_CONFIG_HOME", "/x")], None, "/x/failsafe", None)]
    // No install record: the default config dir is the installed one.
    #[case::moved_without_record(
        &[("FAILSAFE_CONFIG_DIR", "/tmp/agent")], None, "/tmp/agent",
        Some((Some("/tmp/agent"), false, "/home/u/.config/failsafe", false))
    )]
    #[case::default_spelled_out(
        &[("FAILSAFE_CONFIG_DIR", "/home/u/.config/failsafe")], None, "/home/u/.config/failsafe", None
    )]
    #[case::pane_without_record(
        &[("FAILSAFE_PANE", "%9")], None, "/home/u/.config/failsafe",
        Some((None, true, "/home/u/.config/failsafe", false))
    )]
    // An install record: its config dir and pane are the installed set-up.
    #[case::installed_dir(
        &[("FAILSAFE_CONFIG_DIR", "/srv/failsafe")], Some(installed("/srv/failsafe", None)), "/srv/failsafe", None
    )]
    #[case::moved_from_installed(
        &[("FAILSAFE_CONFIG_DIR", "/tmp/agent")], Some(installed("/srv/failsafe", None)), "/tmp/agent",
        Some((Some("/tmp/agent"), false, "/srv/failsafe", true))
    )]
    #[case::installed_pane(
        &[("FAILSAFE_PANE", "agent-1")], Some(installed("/home/u/.config/failsafe", Some("agent-1"))), "/home/u/.config/failsafe", None
    )]
    #[case::other_pane(
        &[("FAILSAFE_PANE", "%0")], Some(installed("/home/u/.config/failsafe", Some("agent-1"))), "/home/u/.config/failsafe",
        Some((None, true, "/home/u/.config/failsafe", true))
    )]
    #[case::both(
        &[("FAILSAFE_PANE", "%0"), ("FAILSAFE_CONFIG_DIR", "/tmp/agent")], Some(installed("/c", None)), "/tmp/agent",
        Some((Some("/tmp/agent"), true, "/c", true))
    )]
    fn escapes_from_the_installed_set_up(
        #[case] vars: &[(&str, &str)],
        #[case] record: Option<InstallRecord>,
        #[case] effective: &str,
        #[case] want: Option<(Option<&str>, bool, &str, bool)>,
    ) {
        let got = escape_with(vars, record.as_ref(), effective);
        let want = want.map(|(dir, pane, installed, from_record)| Escape {
            config_dir: dir.map(PathBuf::from),
            pane_from_var: pane,
            installed_config_dir: PathBuf::from(installed),
            install_record: from_record.then(|| PathBuf::from("RECORD")),
        });
        assert_eq!(got, want);
    }

    #[test]
    fn a_symlink_to_the_installed_dir_is_the_installed_dir() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        let real = t.path().join("real");
        std::fs::create_dir(&real)?;
        std::os::unix::fs::symlink(&real, t.path().join("link"))?;
        assert!(same_dir(&real, &t.path().join("link")));
        assert!(!same_dir(&real, t.path()));
        Ok(())
    }

    #[test]
    fn home_comes_from_the_passwd_line_of_the_user() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nann:x:1000:1000:Ann,,,:/home/ann:/bin/sh\nrel:x:1001:1001::relative:/bin/sh\n";
        assert_eq!(
            home_in_passwd(passwd, 1000),
            Some(PathBuf::from("/home/ann"))
        );
        assert_eq!(home_in_passwd(passwd, 0), Some(PathBuf::from("/root")));
        assert_eq!(home_in_passwd(passwd, 1001), None);
        assert_eq!(home_in_passwd(passwd, 7), None);
    }
}
