//! The test sandbox: a temporary directory holding a shim dir of real symlinks to the
//! built binary, recording stand-ins for the real tools, an isolated HOME / XDG / config
//! dir, and a command builder that starts from a cleared environment.
//!
//! Every command runs through [`Cmd::run`], which returns a [`Run`]; its assertions
//! panic with the command, its environment, a listing of the sandbox, stdout and stderr,
//! so a failing test explains itself.

// A toolbox shared by every test module: not each module uses each helper.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// Shim mode: refused by policy or fail-closed.
pub const BLOCKED: i32 = 77;
/// Shim mode: no real tool found after the shim dir.
pub const NOT_FOUND: i32 = 127;

/// The guarded tool names a sandbox shims.
pub const TOOLS: &[&str] = &["kubectl", "git", "helm", "terraform", "tofu", "aws"];

/// The pane id every sandbox command uses.
pub const PANE: &str = "test-pane";

/// How long any one command may run before it is killed (a loop, a hang).
const TIMEOUT: Duration = Duration::from_secs(30);

/// The built failsafe binary.
pub fn exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("failsafe")
}

/// The real git: `/usr/bin/git`, else `/usr/local/bin/git`.
pub fn real_git() -> PathBuf {
    ["/usr/bin/git", "/usr/local/bin/git"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("no real git at /usr/bin/git or /usr/local/bin/git")
}

/// Absolute path of a basic system utility, so stand-ins never depend on PATH.
fn system_tool(name: &str) -> String {
    ["/usr/bin", "/bin"]
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| panic!("no {name} in /usr/bin or /bin"))
}

/// Single-quotes `s` for /bin/sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn show(s: &OsStr) -> String {
    let text = s.to_string_lossy();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        text.into_owned()
    } else {
        sh_quote(&text)
    }
}

/// What a stand-in tool does besides recording: print these and exit with this status.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    stdout: String,
    stderr: String,
    exit: i32,
    ignore_stdin: bool,
}

impl Behaviour {
    /// Succeeds silently.
    pub fn new() -> Behaviour {
        Behaviour::default()
    }

    /// Prints `text` on stdout.
    pub fn stdout(mut self, text: &str) -> Behaviour {
        self.stdout = text.to_string();
        self
    }

    /// Prints `text` on stderr.
    pub fn stderr(mut self, text: &str) -> Behaviour {
        self.stderr = text.to_string();
        self
    }

    /// Exits with `code`.
    pub fn exit(mut self, code: i32) -> Behaviour {
        self.exit = code;
        self
    }

    /// Does not read stdin (for stand-ins used in pipelines).
    pub fn ignore_stdin(mut self) -> Behaviour {
        self.ignore_stdin = true;
        self
    }
}

/// One recorded call of a stand-in.
#[derive(Debug, Clone)]
pub struct Call {
    /// The arguments after `$0`.
    pub args: Vec<OsString>,
    /// Everything read from stdin.
    pub stdin: Vec<u8>,
    /// `env` output at the time of the call.
    pub env: String,
}

impl Call {
    /// The arguments as text (lossy).
    pub fn args_lossy(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }
}

/// Reads the calls recorded for `tool` under `records`, in order.
fn read_calls(records: &Path, tool: &str) -> Vec<Call> {
    let dir = records.join(tool);
    let mut calls = Vec::new();
    for n in 0.. {
        let argv = dir.join(format!("{n}.argv"));
        let Ok(bytes) = fs::read(&argv) else { break };
        let args = bytes
            .split(|b| *b == 0)
            .map(|a| OsString::from_vec(a.to_vec()))
            .collect::<Vec<_>>();
        // Every argument is NUL-terminated, so the split leaves one empty tail.
        let args = args[..args.len().saturating_sub(1)].to_vec();
        let stdin = fs::read(dir.join(format!("{n}.stdin"))).unwrap_or_default();
        let env = fs::read_to_string(dir.join(format!("{n}.env"))).unwrap_or_default();
        calls.push(Call { args, stdin, env });
    }
    calls
}

/// A sandbox on disk. Dropping it removes everything.
pub struct Sandbox {
    _tmp: tempfile::TempDir,
    /// Canonical root of the sandbox.
    pub root: PathBuf,
    /// `HOME`.
    pub home: PathBuf,
    /// `FAILSAFE_CONFIG_DIR`.
    pub config: PathBuf,
    /// `XDG_CONFIG_HOME`.
    pub xdg_config: PathBuf,
    /// `XDG_DATA_HOME`.
    pub xdg_data: PathBuf,
    /// The shim directory: symlinks named after the tools, pointing at the binary.
    pub shims: PathBuf,
    /// The "real" tools: recording stand-ins (or the real git, see [`Sandbox::use_real_git`]).
    pub bin: PathBuf,
    /// Where stand-ins record their calls.
    pub records: PathBuf,
    /// The default working directory of commands (inside HOME, so repo policy walks
    /// stop at HOME).
    pub work: PathBuf,
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

impl Sandbox {
    /// A fresh sandbox with shims and recording stand-ins for every guarded tool.
    pub fn new() -> Sandbox {
        let tmp = tempfile::Builder::new()
            .prefix("failsafe-it-")
            .tempdir()
            .expect("create temp dir");
        let root = tmp.path().canonicalize().expect("canonicalize temp dir");
        let sb = Sandbox {
            home: root.join("home"),
            config: root.join("config"),
            xdg_config: root.join("xdg-config"),
            xdg_data: root.join("xdg-data"),
            shims: root.join("shims"),
            bin: root.join("bin"),
            records: root.join("records"),
            work: root.join("home/work"),
            root,
            _tmp: tmp,
        };
        for dir in [
            &sb.home,
            &sb.config,
            &sb.xdg_config,
            &sb.xdg_data,
            &sb.shims,
            &sb.bin,
            &sb.records,
            &sb.work,
        ] {
            fs::create_dir_all(dir).expect("create sandbox dir");
        }
        for tool in TOOLS {
            sb.shim(tool);
            sb.stand_in(tool, &Behaviour::new());
        }
        // What `failsafe install-shims` records: the shims are installed for this
        // config dir and pane, so ordinary commands are not escapes (see tests/log.rs).
        sb.install_record(&sb.config, Some(PANE));
        sb
    }

    /// Writes the shim dir's install record (`.failsafe-install.json`): the config dir
    /// and `FAILSAFE_PANE` the shims count as installed for.
    pub fn install_record(&self, config_dir: &Path, pane: Option<&str>) -> PathBuf {
        let record = serde_json::json!({
            "config_dir": config_dir.display().to_string(),
            "failsafe_pane": pane,
        });
        self.write(
            self.shims.join(".failsafe-install.json"),
            &record.to_string(),
        )
    }

    /// Adds a shim symlink named `name` in the shim dir.
    pub fn shim(&self, name: &str) -> PathBuf {
        let link = self.shims.join(name);
        let _ = fs::remove_file(&link);
        symlink(exe(), &link).expect("create shim symlink");
        link
    }

    /// Installs (or replaces) the recording stand-in for `tool` in `bin/`.
    pub fn stand_in(&self, tool: &str, b: &Behaviour) -> PathBuf {
        self.stand_in_at(&self.bin, tool, b)
    }

    /// Installs a recording stand-in named `tool` in `dir`, recording under
    /// `records/<tool>`.
    pub fn stand_in_at(&self, dir: &Path, tool: &str, b: &Behaviour) -> PathBuf {
        let d = self.records.join(tool);
        let mut s =
            String::from("#!/bin/sh\n# recording stand-in written by the failsafe test sandbox\n");
        let _ = writeln!(s, "d={}", sh_quote(&d.display().to_string()));
        let _ = writeln!(s, "{} -p \"$d\"", system_tool("mkdir"));
        s.push_str("n=0\nwhile [ -e \"$d/$n.argv\" ]; do n=$((n+1)); done\n");
        s.push_str(": > \"$d/$n.argv\"\n");
        s.push_str("for a in \"$@\"; do printf '%s\\0' \"$a\" >> \"$d/$n.argv\"; done\n");
        let _ = writeln!(s, "{} > \"$d/$n.env\"", system_tool("env"));
        if !b.ignore_stdin {
            let _ = writeln!(s, "{} > \"$d/$n.stdin\"", system_tool("cat"));
        }
        if !b.stdout.is_empty() {
            let _ = writeln!(s, "printf '%s' {}", sh_quote(&b.stdout));
        }
        if !b.stderr.is_empty() {
            let _ = writeln!(s, "printf '%s' {} >&2", sh_quote(&b.stderr));
        }
        let _ = writeln!(s, "exit {}", b.exit);
        self.script(&dir.join(tool), &s)
    }

    /// Writes an executable script.
    pub fn script(&self, path: &Path, text: &str) -> PathBuf {
        self.write(path, text);
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod script");
        path.to_path_buf()
    }

    /// Replaces the git stand-in with a symlink to the real git.
    pub fn use_real_git(&self) {
        let link = self.bin.join("git");
        let _ = fs::remove_file(&link);
        symlink(real_git(), &link).expect("link real git");
    }

    /// The calls recorded for `tool` so far.
    pub fn calls(&self, tool: &str) -> Vec<Call> {
        read_calls(&self.records, tool)
    }

    // ---------------------------------------------------------------- files

    /// `path` if absolute, else relative to the sandbox root.
    pub fn path(&self, path: impl AsRef<Path>) -> PathBuf {
        self.root.join(path)
    }

    /// Writes `text` to `path` (absolute, or relative to the root), creating parents.
    pub fn write(&self, path: impl AsRef<Path>, text: &str) -> PathBuf {
        let path = self.path(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent dir");
        }
        fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Writes a user policy `<config>/policies/<name>`.
    pub fn user_policy(&self, name: &str, text: &str) -> PathBuf {
        self.write(self.config.join("policies").join(name), text)
    }

    /// Writes `<dir>/.failsafe.rego`.
    pub fn repo_policy(&self, dir: &Path, text: &str) -> PathBuf {
        self.write(dir.join(".failsafe.rego"), text)
    }

    /// Writes `<config>/config.toml`.
    pub fn config_toml(&self, text: &str) -> PathBuf {
        self.write(self.config.join("config.toml"), text)
    }

    /// The mode file of the sandbox pane.
    pub fn mode_file(&self) -> PathBuf {
        self.config.join("modes").join(PANE)
    }

    /// Writes the pane's mode file with exactly `text`.
    pub fn set_mode_file(&self, text: &str) -> PathBuf {
        self.write(self.mode_file(), text)
    }

    /// Writes `~/.kube/config` with one context per `(context, cluster)`, cluster `i`
    /// served at `https://cluster-i.example:6443`, and `current` as current-context.
    pub fn kubeconfig(&self, contexts: &[(&str, &str)], current: &str) -> PathBuf {
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let mut y = String::from("apiVersion: v1\nkind: Config\n");
        let _ = writeln!(y, "current-context: {}", q(current));
        y.push_str("clusters:\n");
        let mut clusters: Vec<&str> = Vec::new();
        for (_, c) in contexts {
            if !clusters.contains(c) {
                clusters.push(c);
            }
        }
        for (i, c) in clusters.iter().enumerate() {
            let _ = writeln!(
                y,
                "- name: {}\n  cluster:\n    server: https://cluster-{i}.example:6443",
                q(c)
            );
        }
        y.push_str("contexts:\n");
        for (ctx, c) in contexts {
            let _ = writeln!(
                y,
                "- name: {}\n  context:\n    cluster: {}\n    user: {}\n    namespace: default",
                q(ctx),
                q(c),
                q(&format!("{ctx}-user"))
            );
        }
        y.push_str("users:\n");
        for (ctx, _) in contexts {
            let _ = writeln!(
                y,
                "- name: {}\n  user:\n    token: not-a-secret",
                q(&format!("{ctx}-user"))
            );
        }
        self.write(self.home.join(".kube/config"), &y)
    }

    // ------------------------------------------------------------------ git

    /// The environment for setup git commands: cleared, sandbox HOME, no system config,
    /// a fixed identity.
    fn git_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.home.display().to_string()),
            ("PATH", "/usr/bin:/bin".to_string()),
            ("LC_ALL", "C".to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
            ("GIT_AUTHOR_NAME", "Test Author".to_string()),
            ("GIT_AUTHOR_EMAIL", "author@example.com".to_string()),
            ("GIT_COMMITTER_NAME", "Test Committer".to_string()),
            ("GIT_COMMITTER_EMAIL", "committer@example.com".to_string()),
        ]
    }

    /// Runs the real git (absolute path, never through the shim) in `dir`; panics with
    /// its output when it fails. Returns trimmed stdout.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new(real_git())
            .args(args)
            .current_dir(dir)
            .env_clear()
            .envs(self.git_env())
            .output()
            .expect("run real git");
        assert!(
            out.status.success(),
            "setup command failed: git {} (in {})\nstatus: {}\nstdout:\n{}\nstderr:\n{}\n\nsandbox:\n{}",
            args.join(" "),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            listing(&self.root)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A new repository `<home>/<name>` on branch `main` with one commit.
    pub fn git_repo(&self, name: &str) -> PathBuf {
        let dir = self.home.join(name);
        fs::create_dir_all(&dir).expect("create repo dir");
        self.git(&dir, &["init", "-q", "-b", "main"]);
        self.commit(&dir, "README.md", "hello\n", "initial commit");
        dir
    }

    /// Writes `file` in `repo` and commits it; returns the new commit id.
    pub fn commit(&self, repo: &Path, file: &str, text: &str, message: &str) -> String {
        self.write(repo.join(file), text);
        self.git(repo, &["add", "--", file]);
        self.git(repo, &["commit", "-q", "-m", message]);
        self.git(repo, &["rev-parse", "HEAD"])
    }

    /// A bare repository `<root>/remotes/<name>.git`, added to `repo` as `origin` with
    /// `main` pushed to it (upstream set).
    pub fn git_remote(&self, repo: &Path, name: &str) -> PathBuf {
        let bare = self.root.join("remotes").join(format!("{name}.git"));
        fs::create_dir_all(&bare).expect("create bare dir");
        self.git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        self.git(
            repo,
            &["remote", "add", "origin", &bare.display().to_string()],
        );
        self.git(repo, &["push", "-q", "-u", "origin", "main"]);
        bare
    }

    /// The commit a ref points at in `repo` (real git), or `None` when it does not exist.
    pub fn rev(&self, repo: &Path, reference: &str) -> Option<String> {
        let out = std::process::Command::new(real_git())
            .args(["rev-parse", "--verify", "-q", reference])
            .current_dir(repo)
            .env_clear()
            .envs(self.git_env())
            .output()
            .expect("run real git");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    // ------------------------------------------------------------- commands

    /// PATH of the agent: shims first, then the stand-ins, then the system.
    pub fn guarded_path(&self) -> String {
        format!(
            "{}:{}:/usr/bin:/bin",
            self.shims.display(),
            self.bin.display()
        )
    }

    /// PATH of the human's own terminal: no shim dir.
    pub fn plain_path(&self) -> String {
        format!("{}:/usr/bin:/bin", self.bin.display())
    }

    /// The cleared-environment base every command starts from.
    fn base_env(&self, path: String) -> BTreeMap<OsString, OsString> {
        let pairs = [
            ("PATH", path),
            ("HOME", self.home.display().to_string()),
            ("XDG_CONFIG_HOME", self.xdg_config.display().to_string()),
            ("XDG_DATA_HOME", self.xdg_data.display().to_string()),
            ("FAILSAFE_CONFIG_DIR", self.config.display().to_string()),
            ("FAILSAFE_PANE", PANE.to_string()),
            ("LC_ALL", "C".to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
        ];
        pairs
            .into_iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    fn cmd(&self, program: impl AsRef<OsStr>, path: String) -> Cmd {
        Cmd {
            program: program.as_ref().to_os_string(),
            args: Vec::new(),
            env: self.base_env(path),
            cwd: self.work.clone(),
            stdin: None,
            root: self.root.clone(),
            records: self.records.clone(),
            timeout: TIMEOUT,
        }
    }

    /// A guarded tool called by name, the way an agent calls it (shims first on PATH).
    pub fn tool(&self, name: &str) -> Cmd {
        self.cmd(name, self.guarded_path())
    }

    /// `/bin/sh -c SCRIPT` in the agent's environment.
    pub fn sh(&self, script: &str) -> Cmd {
        self.cmd("/bin/sh", self.guarded_path())
            .args(["-c", script])
    }

    /// `/bin/sh -c SCRIPT` in the human's environment (no shims on PATH).
    pub fn sh_plain(&self, script: &str) -> Cmd {
        self.cmd("/bin/sh", self.plain_path()).args(["-c", script])
    }

    /// The failsafe CLI from the human's own terminal (no shim dir on PATH).
    pub fn failsafe(&self) -> Cmd {
        self.cmd(exe(), self.plain_path())
    }

    /// The failsafe CLI from the agent's environment (shim dir on PATH).
    pub fn failsafe_guarded(&self) -> Cmd {
        self.cmd(exe(), self.guarded_path())
    }

    /// Any program with the agent's environment.
    pub fn program(&self, program: impl AsRef<OsStr>) -> Cmd {
        self.cmd(program, self.guarded_path())
    }

    /// `failsafe explain --json -- ARGV…` (human's environment), parsed.
    pub fn explain_json(&self, argv: &[&str]) -> serde_json::Value {
        self.failsafe()
            .args(["explain", "--json", "--"])
            .args(argv)
            .run()
            .json()
    }

    /// `failsafe mode set rw` from the human's terminal, checked.
    pub fn write_mode(&self) {
        self.failsafe()
            .args(["mode", "set", "rw"])
            .run()
            .assert_code(0);
    }
}

/// A command about to run in a sandbox.
#[must_use]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    env: BTreeMap<OsString, OsString>,
    cwd: PathBuf,
    stdin: Option<Vec<u8>>,
    root: PathBuf,
    records: PathBuf,
    timeout: Duration,
}

impl Cmd {
    /// Kills the command after `limit` instead of the default 30 s (for load tests that
    /// check what many calls leave behind, not how fast they are).
    pub fn timeout(mut self, limit: Duration) -> Cmd {
        self.timeout = limit;
        self
    }

    /// Adds one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Cmd {
        self.args.push(a.as_ref().to_os_string());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, k: &str, v: impl AsRef<OsStr>) -> Cmd {
        self.env.insert(k.into(), v.as_ref().to_os_string());
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, k: &str) -> Cmd {
        self.env.remove(OsStr::new(k));
        self
    }

    /// Sets PATH.
    pub fn path_var(self, path: impl AsRef<OsStr>) -> Cmd {
        self.env("PATH", path)
    }

    /// Sets the working directory.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.cwd = dir.as_ref().to_path_buf();
        self
    }

    /// Feeds `bytes` on stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }

    fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "cwd: {}", self.cwd.display());
        s.push_str("env (cleared, then):\n");
        for (k, v) in &self.env {
            let _ = writeln!(s, "  {}={}", k.to_string_lossy(), show(v));
        }
        let mut line = show(&self.program);
        for a in &self.args {
            line.push(' ');
            line.push_str(&show(a));
        }
        let _ = writeln!(s, "command: {line}");
        if let Some(input) = &self.stdin {
            let _ = writeln!(s, "stdin: {:?}", String::from_utf8_lossy(input));
        }
        s
    }

    /// Runs the command to completion (killed after a timeout).
    pub fn run(self) -> Run {
        let before: BTreeMap<String, usize> = fs::read_dir(&self.records)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                let tool = e.file_name().to_string_lossy().into_owned();
                let n = read_calls(&self.records, &tool).len();
                (tool, n)
            })
            .collect();
        let mut std_cmd = std::process::Command::new(&self.program);
        std_cmd
            .args(&self.args)
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.cwd);
        let mut cmd = assert_cmd::Command::from_std(std_cmd);
        cmd.timeout(self.timeout);
        if let Some(input) = &self.stdin {
            cmd.write_stdin(input.clone());
        }
        let context = self.describe();
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot start command: {e}\n{context}"));
        Run {
            context,
            root: self.root,
            records: self.records,
            before,
            output,
        }
    }
}

/// A listing of everything under `root` (not descending into git internals), with
/// the content of small files under `config/`.
pub fn listing(root: &Path) -> String {
    fn walk(root: &Path, dir: &Path, out: &mut String, budget: &mut usize) {
        let Ok(entries) = fs::read_dir(dir) else {
            let _ = writeln!(out, "  {}/ (unreadable)", rel(root, dir));
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if *budget == 0 {
                out.push_str("  … (listing cut short)\n");
                return;
            }
            *budget -= 1;
            let Ok(meta) = fs::symlink_metadata(&p) else {
                continue;
            };
            let name = rel(root, &p);
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&p)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                let _ = writeln!(out, "  {name} -> {target}");
            } else if meta.is_dir() {
                let _ = writeln!(out, "  {name}/ ({mode:o})");
                let git_internal = p.file_name().is_some_and(|n| n == ".git")
                    || p.extension().is_some_and(|x| x == "git");
                if !git_internal {
                    walk(root, &p, out, budget);
                }
            } else {
                let _ = writeln!(out, "  {name} ({} bytes, {mode:o})", meta.len());
                if name.starts_with("config/") && meta.len() <= 2048 {
                    if let Ok(text) = fs::read_to_string(&p) {
                        for line in text.lines() {
                            let _ = writeln!(out, "      | {line}");
                        }
                    }
                }
            }
        }
    }
    fn rel(root: &Path, p: &Path) -> String {
        p.strip_prefix(root).unwrap_or(p).display().to_string()
    }
    let mut out = format!("{}\n", root.display());
    let mut budget = 400;
    walk(root, root, &mut out, &mut budget);
    out
}

/// The outcome of a [`Cmd`], with assertions that explain themselves.
pub struct Run {
    context: String,
    root: PathBuf,
    records: PathBuf,
    before: BTreeMap<String, usize>,
    /// The raw output.
    pub output: Output,
}

impl Run {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// stdout, lossy.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// stderr, lossy.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Everything known about this run, for a failure message.
    pub fn report(&self) -> String {
        let mut s = String::new();
        s.push_str("---- command\n");
        s.push_str(&self.context);
        let _ = writeln!(s, "---- status: {}", self.output.status);
        let _ = writeln!(s, "---- stdout:\n{}", self.stdout());
        let _ = writeln!(s, "---- stderr:\n{}", self.stderr());
        let _ = writeln!(s, "---- sandbox:\n{}", listing(&self.root));
        s
    }

    /// Panics with `msg` and the whole report.
    #[track_caller]
    pub fn fail(&self, msg: impl std::fmt::Display) -> ! {
        panic!("{msg}\n{}", self.report())
    }

    /// Asserts `cond`, else fails with `msg`.
    #[track_caller]
    pub fn check(&self, cond: bool, msg: impl std::fmt::Display) -> &Run {
        if !cond {
            self.fail(msg);
        }
        self
    }

    /// The exit code is `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        self.check(
            self.code() == Some(code),
            format!("expected exit status {code}, got {:?}", self.code()),
        )
    }

    /// Refused in shim mode: exit 77, nothing on stdout, a refusal on stderr.
    #[track_caller]
    pub fn assert_blocked(&self) -> &Run {
        self.assert_code(BLOCKED);
        self.check(
            self.output.stdout.is_empty(),
            "a refusal must not write to stdout (it belongs to the tool's caller)",
        );
        self.check(
            self.stderr().starts_with("failsafe: blocked"),
            "stderr should start with `failsafe: blocked`",
        )
    }

    /// stderr contains `needle`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Run {
        self.check(
            self.stderr().contains(needle),
            format!("stderr should contain {needle:?}"),
        )
    }

    /// stderr does not contain `needle`.
    #[track_caller]
    pub fn assert_stderr_lacks(&self, needle: &str) -> &Run {
        self.check(
            !self.stderr().contains(needle),
            format!("stderr should not contain {needle:?}"),
        )
    }

    /// stdout contains `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Run {
        self.check(
            self.stdout().contains(needle),
            format!("stdout should contain {needle:?}"),
        )
    }

    /// stdout is exactly `text`.
    #[track_caller]
    pub fn assert_stdout_eq(&self, text: &str) -> &Run {
        self.check(
            self.stdout() == text,
            format!("stdout should be exactly {text:?}"),
        )
    }

    /// The calls of `tool` made during this run.
    pub fn new_calls(&self, tool: &str) -> Vec<Call> {
        let skip = self.before.get(tool).copied().unwrap_or(0);
        read_calls(&self.records, tool)
            .into_iter()
            .skip(skip)
            .collect()
    }

    /// The stand-in `tool` ran exactly once during this run, with exactly `args`
    /// (after argv[0]).
    #[track_caller]
    pub fn assert_ran<S: AsRef<OsStr>>(&self, tool: &str, args: &[S]) -> &Run {
        let calls = self.new_calls(tool);
        let want: Vec<OsString> = args.iter().map(|a| a.as_ref().to_os_string()).collect();
        match calls.as_slice() {
            [one] if one.args == want => self,
            [one] => self.fail(format!(
                "the real {tool} ran with the wrong arguments\n  expected: {:?}\n  got:      {:?}",
                want, one.args
            )),
            _ => self.fail(format!(
                "the real {tool} should have run once with {want:?}, but ran {} time(s): {:?}",
                calls.len(),
                calls.iter().map(|c| &c.args).collect::<Vec<_>>()
            )),
        }
    }

    /// The stand-in `tool` did not run during this run.
    #[track_caller]
    pub fn assert_not_ran(&self, tool: &str) -> &Run {
        let calls = self.new_calls(tool);
        self.check(
            calls.is_empty(),
            format!(
                "the real {tool} must not have run, but ran with {:?}",
                calls.iter().map(|c| &c.args).collect::<Vec<_>>()
            ),
        )
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        match serde_json::from_slice(&self.output.stdout) {
            Ok(v) => v,
            Err(e) => self.fail(format!("stdout is not JSON: {e}")),
        }
    }
}

/// Bytes that are not valid UTF-8, as an argument.
pub fn non_utf8(prefix: &str) -> OsString {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'x']);
    OsStr::from_bytes(&bytes).to_os_string()
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map_or_else(
        || panic!("{needle:?} not found in the policy text"),
        |i| i + 1,
    )
}

/// True when this process can read a directory with mode 000 (root, or
/// `CAP_DAC_OVERRIDE)`: permission tests are meaningless then.
pub fn permissions_ignored(scratch: &Path) -> bool {
    let probe = scratch.join("perm-probe");
    fs::create_dir_all(&probe).expect("create probe dir");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod probe");
    let readable = fs::read_dir(&probe).is_ok();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o700)).expect("chmod probe back");
    let _ = fs::remove_dir(&probe);
    readable
}

/// The uid of this process, from `id -u`.
pub fn uid() -> String {
    let out = std::process::Command::new("id")
        .arg("-u")
        .output()
        .expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
