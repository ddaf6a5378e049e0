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
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The real home directory: `$HOME`, else the password database.
pub fn process_home() -> Option<PathBuf> {
    process_env("HOME")
        .map(PathBuf::from)
        .or_else(dirs::home_dir)
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
        .map(|s| s.to_string())
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
        let bad = Settings::parse(p, "[gti]\nx = 1\n").map_err(|e| e.to_string());
        assert!(bad.is_err_and(|e| e.contains("config.toml")));
        assert_eq!(Settings::default().git.protected_branches.len(), 8);
    }
}
