//! The git configuration one command sees: every file git reads, in git's order, with
//! includes, plus the command-line layer.
//!
//! Order (later wins): system (`GIT_CONFIG_SYSTEM`, else `/etc/gitconfig`,
//! `/usr/local/etc/gitconfig` and `/opt/homebrew/etc/gitconfig` — we cannot know the
//! prefix git was built with, so every usual one is read; skipped with
//! `GIT_CONFIG_NOSYSTEM`), global (`GIT_CONFIG_GLOBAL`, else `$XDG_CONFIG_HOME/git/config`
//! or `~/.config/git/config`, then `~/.gitconfig`), the repository's `config` in the
//! common dir, `config.worktree` when `extensions.worktreeConfig` is on, then the command
//! line: `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`,
//! `GIT_CONFIG_PARAMETERS`, and `-c`/`--config-env`.
//!
//! Includes are followed (an alias hidden in an included file must not escape us):
//! `include.path`, and `includeIf` with `gitdir:`, `gitdir/i:` and `onbranch:`
//! conditions evaluated as git does. Conditions we cannot evaluate here (`hasconfig:…`,
//! `onbranch:` in a reftable repository) include the file anyway and mark what came from
//! it, so a caller can tell a setting that might not apply (the alias expander turns it
//! into an `uncertain` entry). Unknown condition kinds are false, as in git.
//!
//! Reads files only; never runs git. A missing file is fine; a file that exists but
//! cannot be read or parsed becomes an `uncertain` entry naming it (git refuses to run in
//! that case too).

use super::conditions::{gitdir_matches, gitdir_pattern, onbranch_matches};
use super::config::{self, Entry};
use super::repo::{normalize, resolve, Head};
use crate::facts::Context;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// git's limit on nested includes.
const MAX_INCLUDE_DEPTH: usize = 10;

/// Where a setting came from, in increasing precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// The system file.
    System,
    /// The user's files.
    Global,
    /// The repository's `config`.
    Local,
    /// The worktree's `config.worktree`.
    Worktree,
    /// Environment and `-c` options.
    Command,
}

/// One setting with its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The parsed line.
    pub entry: Entry,
    /// Which layer it belongs to.
    pub scope: Scope,
    /// The file it was read from, or for the command-line layer where it was given:
    /// `-c`, `--config-env`, `GIT_CONFIG_PARAMETERS`, `GIT_CONFIG_KEY_<n>`.
    pub origin: String,
    /// The `includeIf` condition that could not be evaluated, when it came from a file
    /// included under one.
    pub condition: Option<String>,
}

impl Setting {
    /// True when this is `section[.sub].name` (section and name case-insensitively).
    pub fn is(&self, section: &str, sub: Option<&str>, name: &str) -> bool {
        self.entry.section.eq_ignore_ascii_case(section)
            && self.entry.subsection.as_deref() == sub
            && self.entry.name.eq_ignore_ascii_case(name)
    }
}

/// All settings in precedence order (the last one of a key wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    settings: Vec<Setting>,
}

impl Config {
    /// A config holding one parsed text (tests and pure callers).
    ///
    /// # Errors
    /// The parse error of `text`.
    pub fn from_text(text: &str, scope: Scope) -> Result<Config, config::ParseError> {
        let mut c = Config::default();
        for entry in config::parse(text)? {
            c.push(entry, scope, "text", None);
        }
        Ok(c)
    }

    /// Appends `other`'s settings after this one's (they win).
    pub fn extend(&mut self, other: Config) {
        self.settings.extend(other.settings);
    }

    fn push(&mut self, entry: Entry, scope: Scope, origin: &str, condition: Option<&str>) {
        self.settings.push(Setting {
            entry,
            scope,
            origin: origin.to_string(),
            condition: condition.map(str::to_string),
        });
    }

    /// The winning setting of `section[.sub].name`.
    pub fn get(&self, section: &str, sub: Option<&str>, name: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.is(section, sub, name))
    }

    /// The winning setting among those in `scopes`.
    pub fn get_in(
        &self,
        scopes: &[Scope],
        section: &str,
        sub: Option<&str>,
        name: &str,
    ) -> Option<&Setting> {
        self.settings
            .iter()
            .rev()
            .find(|s| scopes.contains(&s.scope) && s.is(section, sub, name))
    }

    /// The winning string value; `None` when unset or a bare boolean.
    pub fn value(&self, section: &str, sub: Option<&str>, name: &str) -> Option<&str> {
        self.get(section, sub, name)
            .and_then(|s| s.entry.value.as_deref())
    }

    /// Every string value of a multi-valued key, in order.
    pub fn values(&self, section: &str, sub: Option<&str>, name: &str) -> Vec<&str> {
        self.settings
            .iter()
            .filter(|s| s.is(section, sub, name))
            .filter_map(|s| s.entry.value.as_deref())
            .collect()
    }

    /// The winning value as a boolean; `None` when unset or not a boolean.
    pub fn bool(&self, section: &str, sub: Option<&str>, name: &str) -> Option<bool> {
        self.get(section, sub, name)
            .and_then(|s| config::parse_bool(s.entry.value.as_deref()))
    }

    /// Every setting, in precedence order (the last one of a key wins).
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// The distinct subsections of `section`, in first-seen order.
    pub fn subsections(&self, section: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.settings {
            if let Some(sub) = s.entry.subsection.as_deref() {
                if s.entry.section.eq_ignore_ascii_case(section) && !out.contains(&sub) {
                    out.push(sub);
                }
            }
        }
        out
    }
}

/// What includes and `includeIf` conditions are evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Where<'a> {
    /// The worktree's git dir, if in a repository.
    pub git_dir: Option<&'a Path>,
    /// The repository's common dir (its `config` lives there).
    pub common_dir: Option<&'a Path>,
    /// The current HEAD.
    pub head: &'a Head,
}

struct Loader<'a> {
    ctx: &'a Context,
    at: Where<'a>,
    config: Config,
    uncertain: &'a mut Vec<String>,
}

/// How an `includeIf` condition came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    True,
    False,
    Unknown,
}

/// Loads every config file git would read (not the command-line layer; see
/// [`add_command_line`]).
pub fn load_files(ctx: &Context, at: Where<'_>, uncertain: &mut Vec<String>) -> Config {
    let mut l = Loader {
        ctx,
        at,
        config: Config::default(),
        uncertain,
    };
    let nosystem = ctx
        .var("GIT_CONFIG_NOSYSTEM")
        .is_some_and(|v| config::parse_bool(Some(v)).unwrap_or(true));
    if !nosystem {
        match ctx.var("GIT_CONFIG_SYSTEM") {
            Some(f) => l.file(&resolve(&ctx.cwd, f), Scope::System, 0, None),
            None => {
                for f in [
                    "/etc/gitconfig",
                    "/usr/local/etc/gitconfig",
                    "/opt/homebrew/etc/gitconfig",
                ] {
                    l.file(Path::new(f), Scope::System, 0, None);
                }
            }
        }
    }
    if let Some(f) = ctx.var("GIT_CONFIG_GLOBAL") {
        l.file(&resolve(&ctx.cwd, f), Scope::Global, 0, None);
    } else {
        let xdg = match ctx.var("XDG_CONFIG_HOME") {
            Some(x) => Some(PathBuf::from(x).join("git/config")),
            None => ctx.home.as_ref().map(|h| h.join(".config/git/config")),
        };
        if let Some(x) = xdg {
            l.file(&x, Scope::Global, 0, None);
        }
        if let Some(h) = &ctx.home {
            l.file(&h.join(".gitconfig"), Scope::Global, 0, None);
        }
    }
    if let Some(common) = at.common_dir {
        l.file(&common.join("config"), Scope::Local, 0, None);
        let per_worktree = l
            .config
            .get_in(&[Scope::Local], "extensions", None, "worktreeconfig")
            .and_then(|s| config::parse_bool(s.entry.value.as_deref()))
            .unwrap_or(false);
        if let (true, Some(git_dir)) = (per_worktree, at.git_dir) {
            l.file(&git_dir.join("config.worktree"), Scope::Worktree, 0, None);
        }
    }
    l.config
}

/// Adds the command-line layer to `config`: `GIT_CONFIG_COUNT` pairs,
/// `GIT_CONFIG_PARAMETERS`, then `dash_c` (`-c` values, `name=value` or `name`) and
/// `config_env` (`--config-env` values, `name=ENVVAR`). Malformed environment settings
/// (which make git refuse to run) become `uncertain` entries; a malformed `-c` key is
/// skipped, as git refuses it before doing anything.
pub fn add_command_line(
    config: Config,
    ctx: &Context,
    at: Where<'_>,
    dash_c: &[&str],
    config_env: &[&str],
    uncertain: &mut Vec<String>,
) -> Config {
    let mut l = Loader {
        ctx,
        at,
        config,
        uncertain,
    };
    // (key, value, where it was given), in git's order.
    let mut pairs: Vec<(String, Option<String>, String)> = Vec::new();
    if let Some(count) = ctx.var("GIT_CONFIG_COUNT") {
        match count.trim().parse::<usize>() {
            Ok(n) => {
                for i in 0..n {
                    let key = ctx.var(&format!("GIT_CONFIG_KEY_{i}"));
                    let value = ctx.env.get(&format!("GIT_CONFIG_VALUE_{i}"));
                    match (key, value) {
                        (Some(k), Some(v)) => pairs.push((
                            k.to_string(),
                            Some(v.clone()),
                            format!("GIT_CONFIG_KEY_{i}"),
                        )),
                        _ => l.uncertain.push(format!(
                            "`GIT_CONFIG_COUNT` is {n} but `GIT_CONFIG_KEY_{i}` or `GIT_CONFIG_VALUE_{i}` is missing"
                        )),
                    }
                }
            }
            Err(_) => l
                .uncertain
                .push(format!("`GIT_CONFIG_COUNT` is not a number: `{count}`")),
        }
    }
    if let Some(params) = ctx.var("GIT_CONFIG_PARAMETERS") {
        match config::parse_parameters(params) {
            Ok(p) => pairs.extend(
                p.into_iter()
                    .map(|(k, v)| (k, v, "GIT_CONFIG_PARAMETERS".to_string())),
            ),
            Err(e) => l
                .uncertain
                .push(format!("cannot parse `GIT_CONFIG_PARAMETERS`: {e}")),
        }
    }
    for arg in dash_c {
        let (k, v) = config::split_assignment(arg);
        pairs.push((k.to_string(), v.map(str::to_string), "-c".to_string()));
    }
    for arg in config_env {
        let (k, var) = config::split_assignment(arg);
        match var.and_then(|var| ctx.env.get(var)) {
            Some(v) => pairs.push((k.to_string(), Some(v.clone()), "--config-env".to_string())),
            None => l.uncertain.push(format!(
                "`--config-env={arg}` names an environment variable that is not set"
            )),
        }
    }
    for (key, value, origin) in pairs {
        let Some((section, subsection, name)) = config::parse_key(&key) else {
            continue;
        };
        let entry = Entry {
            section,
            subsection,
            name,
            value,
            line: 0,
        };
        l.add(entry, Scope::Command, &origin, None, None, 0);
    }
    l.config
}

impl Loader<'_> {
    /// Reads one file (missing is fine) and its includes.
    fn file(&mut self, path: &Path, scope: Scope, depth: usize, condition: Option<&str>) {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => return,
            Err(e) => {
                self.uncertain
                    .push(format!("cannot read git config `{}`: {e}", path.display()));
                return;
            }
        };
        // Values in other encodings (a user name in Latin-1) must not block git.
        let text = String::from_utf8_lossy(&bytes);
        let entries = match config::parse(&text) {
            Ok(e) => e,
            Err(e) => {
                self.uncertain
                    .push(format!("cannot parse git config `{}`: {e}", path.display()));
                return;
            }
        };
        let origin = path.display().to_string();
        for entry in entries {
            self.add(entry, scope, &origin, path.parent(), condition, depth);
        }
    }

    /// Records one setting and, when it is an include directive, reads the file it names.
    /// `dir` is the including file's directory (`None` on the command line).
    fn add(
        &mut self,
        entry: Entry,
        scope: Scope,
        origin: &str,
        dir: Option<&Path>,
        condition: Option<&str>,
        depth: usize,
    ) {
        let target = entry.value.clone();
        let verdict = match (
            entry.section.as_str(),
            entry.subsection.as_deref(),
            entry.name.as_str(),
        ) {
            ("include", None, "path") => Some((Verdict::True, None)),
            ("includeif", Some(cond), "path") => {
                Some((self.condition(cond, dir), Some(cond.to_string())))
            }
            _ => None,
        };
        self.config.push(entry, scope, origin, condition);
        let (Some((verdict, cond)), Some(target)) = (verdict, target) else {
            return;
        };
        if verdict == Verdict::False {
            return;
        }
        let Some(path) = self.include_path(&target, dir) else {
            return;
        };
        if depth >= MAX_INCLUDE_DEPTH {
            self.uncertain.push(format!(
                "git config includes nest deeper than {MAX_INCLUDE_DEPTH} levels at `{}`",
                path.display()
            ));
            return;
        }
        // An unknown condition taints everything below it, keeping the outermost one.
        let inner = match (condition, verdict) {
            (Some(c), _) => Some(c.to_string()),
            (None, Verdict::Unknown) => cond,
            (None, _) => None,
        };
        self.file(&path, scope, depth + 1, inner.as_deref());
    }

    /// Where an include directive points: `~/` is the home directory, a relative path is
    /// relative to the including file (and refused on the command line, as git does).
    fn include_path(&self, target: &str, dir: Option<&Path>) -> Option<PathBuf> {
        if target.is_empty() {
            return None;
        }
        if let Some(rest) = target.strip_prefix("~/") {
            return self.ctx.home.as_ref().map(|h| h.join(rest));
        }
        if target == "~" {
            return self.ctx.home.clone();
        }
        let p = Path::new(target);
        if p.is_absolute() {
            return Some(p.to_path_buf());
        }
        dir.map(|d| d.join(p))
    }

    fn condition(&self, cond: &str, dir: Option<&Path>) -> Verdict {
        if let Some(pat) = cond.strip_prefix("gitdir:") {
            return self.gitdir_condition(pat, dir, false);
        }
        if let Some(pat) = cond.strip_prefix("gitdir/i:") {
            return self.gitdir_condition(pat, dir, true);
        }
        if let Some(pat) = cond.strip_prefix("onbranch:") {
            return match self.at.head {
                Head::Branch(b) => bool_verdict(onbranch_matches(pat, b)),
                Head::Reftable | Head::Unreadable => Verdict::Unknown,
                Head::NoRepo | Head::Detached => Verdict::False,
            };
        }
        if cond.starts_with("hasconfig:") {
            return Verdict::Unknown;
        }
        Verdict::False
    }

    fn gitdir_condition(&self, pattern: &str, dir: Option<&Path>, icase: bool) -> Verdict {
        let Some(git_dir) = self.at.git_dir else {
            return Verdict::False;
        };
        let home = self.ctx.home.as_deref().map(|h| h.display().to_string());
        let Some((prefix, rest)) = gitdir_pattern(pattern, home.as_deref(), dir) else {
            return Verdict::False;
        };
        let real = fs::canonicalize(git_dir).unwrap_or_else(|_| normalize(git_dir));
        let absolute = normalize(git_dir);
        let hit = [real, absolute]
            .iter()
            .any(|p| gitdir_matches(&prefix, &rest, &p.display().to_string(), icase));
        bool_verdict(hit)
    }
}

fn bool_verdict(b: bool) -> Verdict {
    if b {
        Verdict::True
    } else {
        Verdict::False
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::facts::Source;
    use crate::mode::Mode;
    use std::collections::BTreeMap;

    fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
        let mut map: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("GIT_CONFIG_NOSYSTEM".into())
            .or_insert_with(|| "1".into());
        Context {
            cwd: home.to_path_buf(),
            home: Some(home.to_path_buf()),
            env: map,
            settings: Settings::default(),
            mode: Mode::Read,
            pane: String::new(),
            source: Source::Test,
            ticket: String::new(),
        }
    }

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(path, text);
    }

    #[test]
    fn files_in_order_with_includes_and_conditions() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let home = tmp.path().join("home");
        let repo = tmp.path().join("work/r");
        let git_dir = repo.join(".git");
        write(
            &home.join(".config/git/config"),
            "[alias]\n a = xdg\n b = xdg\n",
        );
        write(
            &home.join(".gitconfig"),
            "[alias]\n b = global\n[include]\n path = extra.inc\n\
             [includeIf \"gitdir:work/\"]\n path = ~/work.inc\n\
             [includeIf \"gitdir:/nowhere/\"]\n path = ~/never.inc\n\
             [includeIf \"onbranch:main\"]\n path = ~/main.inc\n\
             [includeIf \"hasconfig:remote.*.url:https://x/**\"]\n path = ~/maybe.inc\n",
        );
        write(&home.join("extra.inc"), "[alias]\n c = included\n");
        write(&home.join("work.inc"), "[alias]\n d = work\n");
        write(&home.join("never.inc"), "[alias]\n e = never\n");
        write(&home.join("main.inc"), "[alias]\n f = main\n");
        write(&home.join("maybe.inc"), "[alias]\n g = maybe\n");
        write(&git_dir.join("config"), "[alias]\n a = repo\n");
        let c = ctx(&home, &[]);
        let head = Head::Branch("main".into());
        let at = Where {
            git_dir: Some(&git_dir),
            common_dir: Some(&git_dir),
            head: &head,
        };
        let mut unc = Vec::new();
        let cfg = load_files(&c, at, &mut unc);
        let cfg = add_command_line(
            cfg,
            &c,
            at,
            &["alias.h=cmd", "Alias.A=cmdline"],
            &[],
            &mut unc,
        );
        assert!(unc.is_empty(), "{unc:?}");
        let v = |k: &str| cfg.value("alias", None, k).map(str::to_string);
        assert_eq!(v("a").as_deref(), Some("cmdline"));
        assert_eq!(v("b").as_deref(), Some("global"));
        assert_eq!(v("c").as_deref(), Some("included"));
        assert_eq!(v("d").as_deref(), Some("work"));
        assert_eq!(v("e"), None);
        assert_eq!(v("f").as_deref(), Some("main"));
        assert_eq!(v("g").as_deref(), Some("maybe"));
        let g = cfg
            .get("alias", None, "g")
            .and_then(|s| s.condition.clone());
        assert_eq!(g.as_deref(), Some("hasconfig:remote.*.url:https://x/**"));
        assert_eq!(
            cfg.get("alias", None, "d")
                .and_then(|s| s.condition.clone()),
            None
        );
        assert_eq!(
            cfg.get("alias", None, "a").map(|s| s.scope),
            Some(Scope::Command)
        );
        Ok(())
    }

    #[test]
    fn environment_layers_and_broken_files() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let home = tmp.path();
        write(&home.join("g.cfg"), "[alias]\n x = from-global-env\n");
        write(&home.join(".gitconfig"), "[alias]\n x = ignored\n");
        write(&home.join("sys.cfg"), "[alias\n");
        let c = ctx(
            home,
            &[
                ("GIT_CONFIG_GLOBAL", "g.cfg"),
                ("GIT_CONFIG_NOSYSTEM", "0"),
                ("GIT_CONFIG_SYSTEM", "sys.cfg"),
                ("GIT_CONFIG_COUNT", "2"),
                ("GIT_CONFIG_KEY_0", "alias.y"),
                ("GIT_CONFIG_VALUE_0", "from-count"),
                ("GIT_CONFIG_PARAMETERS", "'alias.z'='from-params'"),
            ],
        );
        let head = Head::NoRepo;
        let at = Where {
            git_dir: None,
            common_dir: None,
            head: &head,
        };
        let mut unc = Vec::new();
        let cfg = load_files(&c, at, &mut unc);
        let cfg = add_command_line(cfg, &c, at, &[], &["alias.w=NOPE"], &mut unc);
        assert_eq!(cfg.value("alias", None, "x"), Some("from-global-env"));
        assert_eq!(cfg.value("alias", None, "y"), Some("from-count"));
        assert_eq!(cfg.value("alias", None, "z"), Some("from-params"));
        assert_eq!(unc.len(), 3, "{unc:?}");
        assert!(unc[0].contains("sys.cfg") && unc[0].contains("line 1"));
        assert!(unc[1].contains("GIT_CONFIG_KEY_1"));
        assert!(unc[2].contains("--config-env=alias.w=NOPE"));
        Ok(())
    }

    #[test]
    fn include_loops_stop_at_the_depth_limit() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let home = tmp.path();
        write(&home.join(".gitconfig"), "[include]\n path = .gitconfig\n");
        let c = ctx(home, &[]);
        let head = Head::NoRepo;
        let at = Where {
            git_dir: None,
            common_dir: None,
            head: &head,
        };
        let mut unc = Vec::new();
        let _ = load_files(&c, at, &mut unc);
        assert_eq!(unc.len(), 1);
        assert!(unc[0].contains("deeper than 10"));
        Ok(())
    }
}
