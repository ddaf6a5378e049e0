//! `failsafe doctor`: check the setup the way the agent sees it — shims first on PATH
//! (also in its login shells), real tools found behind them, `failsafe` itself callable,
//! config and policies usable, the log writable. Every failed check carries its fix.
//!
//! Run from the human's own terminal (no shim directory on PATH) it does not list FAILs:
//! it says so and prints the command that checks the agent's side instead. It only reads,
//! except for one probe file it creates and removes to test that the log is writable.

use super::{json_text, out};
use crate::config::process_env;
use crate::exit;
use crate::mode::Mode;
use crate::policy::bundled;
use crate::policy::evaluate;
use crate::policy::layers::{load_chain, Chain, ChainRequest, PolicyFile};
use crate::shim::{resolve_real, self_id};
use crate::tool::{BUILTIN_BINARIES, SELF_NAME};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One check: what was checked, what was found, and for a failure what to do.
struct Check {
    ok: bool,
    what: String,
    detail: String,
    fix: Option<String>,
}

impl Check {
    fn pass(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            ok: true,
            what: what.into(),
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(what: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            ok: false,
            what: what.into(),
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The variable only the agent's environment sets; the profile snippet
/// (`install/profile.d/failsafe.sh`) keys on it.
const AGENT_VAR: &str = "FAILSAFE_AGENT";

/// The marker of the block `install.sh --agent-profile` adds to a profile file.
const PROFILE_MARKER: &str = ">>> failsafe agent profile >>>";

/// The fix for an agent login shell that loses the shims.
const PROFILE_FIX: &str = "in your own terminal, from the failsafe checkout: ./install/install.sh --agent-profile (adds a block, active only when FAILSAFE_AGENT=1, at the end of ~/.profile and the other login files); for a dedicated agent user or a container, as root: ./install/install.sh --agent-profile=system (installs /etc/profile.d/failsafe.sh)";

/// What the agent's shell runs for `name`: the same search the shim makes (an
/// executable regular file in an absolute PATH entry).
fn first_on_path(name: &str) -> Option<std::path::PathBuf> {
    first_on(name, &std::env::var_os("PATH")?)
}

/// The first executable file named `name` on `path` (absolute entries only), as the
/// shim finds it.
fn first_on(name: &str, path: &std::ffi::OsStr) -> Option<std::path::PathBuf> {
    crate::pathfind::find_executable(name, path, None)
}

fn is_self(path: &std::path::Path) -> bool {
    crate::pathfind::is_self(path)
}

/// Every policy failsafe could load here — all bundled files, the user's, and the repo
/// files above the current directory — parsed and evaluated once against an empty fact.
fn policies_compile() -> Check {
    let config = super::config_dir();
    let home = crate::config::process_home();
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let mut chain = load_chain(&ChainRequest {
        tool: "",
        mode: Mode::Write,
        config_dir: &config,
        cwd: &cwd,
        home: home.as_deref(),
        verb: "",
        uncertain: false,
        target_uncertain: false,
    });
    let mut files: Vec<PolicyFile> = bundled::ALL
        .iter()
        .map(bundled::BundledPolicy::to_policy_file)
        .collect();
    files.append(&mut chain.files);
    let count = files.len();
    let chain = Chain {
        files,
        failures: chain.failures,
    };
    let empty = json!({"fact_version": 1, "argv": [], "args": [], "flags": {}, "flags_all": {}, "uncertain": []});
    let broken: Vec<String> = evaluate(&chain, &empty, &json!({}))
        .reasons
        .iter()
        .filter(|r| r.id.starts_with("failsafe."))
        .map(|r| r.reason.clone())
        .collect();
    if broken.is_empty() {
        Check::pass(
            "policies",
            format!("{count} file(s) compile (bundled, user and repo)"),
        )
    } else {
        Check::fail(
            "policies",
            broken.join("; "),
            "fix the named file (check it with `failsafe validate FILE`), or move it out of the policy directory",
        )
    }
}

/// Whether `candidate` is failsafe: this very binary, or a symlink to a file named
/// `failsafe`.
fn is_failsafe(candidate: &Path) -> bool {
    is_self(candidate)
        || std::fs::read_link(candidate)
            .is_ok_and(|t| t.file_name().is_some_and(|n| n == SELF_NAME))
}

/// The names that have a failsafe shim in `dir`.
fn shims_in(dir: &Path) -> Vec<String> {
    crate::judge::guarded_names()
        .into_iter()
        .filter(|n| is_failsafe(&dir.join(n)))
        .collect()
}

/// One check per built-in tool: the first one on PATH is the shim, with a real tool
/// behind it.
fn tool_checks(shim_dir: &Path) -> Vec<Check> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let me = self_id();
    let mut checks = Vec::new();
    for (name, _) in BUILTIN_BINARIES {
        let what = format!("{name} on PATH");
        let first = first_on_path(name);
        // Sealed: the shim runs the sealed copy, not whatever PATH holds.
        let sealed_real =
            crate::seal::sealed().and_then(|s| s.manifest.real_of(name).map(|m| m.to.clone()));
        let real = sealed_real.or_else(|| resolve_real(name, &path, me));
        let check = match (&first, &real) {
            (None, _) => Check::pass(what, "not installed (nothing to guard)"),
            (Some(f), Some(r)) if is_failsafe(f) => {
                Check::pass(what, format!("guarded; real tool {}", r.display()))
            }
            (Some(f), None) if is_failsafe(f) => {
                Check::pass(what, "guarded; no real tool installed (calls exit 127)")
            }
            (Some(f), _) if !is_failsafe(&shim_dir.join(name)) => Check::fail(
                what,
                format!(
                    "{} has no shim in {}: calls are NOT guarded",
                    f.display(),
                    shim_dir.display()
                ),
                format!(
                    "in your own terminal: failsafe install-shims --dir {} --tools {name}",
                    shim_dir.display()
                ),
            ),
            (Some(f), _) => Check::fail(
                what,
                format!(
                    "{} comes before the shim directory on PATH: calls are NOT guarded",
                    f.display()
                ),
                format!(
                    "put the shim directory first on the agent's PATH: export PATH=\"{}:$PATH\"",
                    shim_dir.display()
                ),
            ),
        };
        checks.push(check);
    }
    checks
}

/// `failsafe` itself is callable by the agent (the refusals tell it to run
/// `failsafe explain …`).
fn self_check(shim_dir: &Path) -> Check {
    let what = "failsafe on PATH";
    match first_on_path(SELF_NAME) {
        Some(f) if is_failsafe(&f) => Check::pass(what, format!("{}", f.display())),
        Some(f) => Check::pass(
            what,
            format!("{} (another failsafe binary than this one)", f.display()),
        ),
        None => Check::fail(
            what,
            "the agent cannot run `failsafe explain …`, which every refusal suggests",
            format!(
                "in your own terminal: failsafe install-shims --dir {} (it links failsafe there too)",
                shim_dir.display()
            ),
        ),
    }
}

/// Whether a login profile file holds the failsafe block or snippet.
fn profile_has_block(home: Option<&Path>) -> bool {
    let mut files = vec![PathBuf::from("/etc/profile.d/failsafe.sh")];
    if let Some(h) = home {
        for f in [".profile", ".bash_profile", ".bash_login", ".zlogin"] {
            files.push(h.join(f));
        }
    }
    files.iter().any(|f| {
        std::fs::read_to_string(f)
            .is_ok_and(|t| t.contains(PROFILE_MARKER) || t.contains("FAILSAFE_AGENT"))
    })
}

/// `SHELL -lc`: does a login shell of the agent keep the shim directory first? Judged on
/// the PATH the login shell ends up with, for every shim in the directory and for
/// `failsafe`.
fn login_check(shell: &str, shim_dir: &Path) -> Option<Check> {
    let binary = first_on_path(shell)?;
    let what = format!("{shell} -lc PATH");
    let marker = "__failsafe_doctor_path=";
    let probe = format!("printf '\\n{marker}%s\\n' \"$PATH\"");
    let output = match Command::new(&binary)
        .args(["-lc", &probe])
        .stdin(Stdio::null())
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            return Some(Check::pass(
                what,
                format!("{} not runnable ({e}); check skipped", binary.display()),
            ))
        }
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let Some(login_path) = text.lines().rev().find_map(|l| l.strip_prefix(marker)) else {
        return Some(Check::fail(
            what,
            format!(
                "`{shell} -lc` did not run (status {}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            format!("fix the error in the login profile files {shell} reads"),
        ));
    };
    let login_path = std::ffi::OsString::from(login_path);
    let mut names = shims_in(shim_dir);
    names.push(SELF_NAME.to_string());
    let lost: Vec<String> = names
        .iter()
        .filter(|n| !first_on(n, &login_path).is_some_and(|f| is_failsafe(&f)))
        .map(|n| match first_on(n, &login_path) {
            Some(f) => format!("{n} → {}", f.display()),
            None => format!("{n} → not found"),
        })
        .collect();
    if lost.is_empty() {
        return Some(Check::pass(
            what,
            format!("`{shell} -lc` keeps {} first", shim_dir.display()),
        ));
    }
    let detail = format!(
        "`{shell} -lc` loses the shims ({}): a login profile rebuilds PATH",
        lost.join(", ")
    );
    let home = crate::config::process_home();
    let default_dir = crate::config::default_shim_dir(&process_env, home.as_deref());
    let fix = if process_env(AGENT_VAR).as_deref() != Some("1") {
        format!("set {AGENT_VAR}=1 in the agent's environment (next to its PATH), so the failsafe profile snippet puts the shims back; if it is not installed yet: {PROFILE_FIX}")
    } else if !profile_has_block(home.as_deref()) {
        PROFILE_FIX.to_string()
    } else if default_dir != shim_dir && process_env("FAILSAFE_SHIMS").is_none() {
        format!(
            "the shims are not in the default directory: set FAILSAFE_SHIMS={} in the agent's environment",
            shim_dir.display()
        )
    } else {
        "a login file runs after the failsafe block and puts its own PATH first: move the `>>> failsafe agent profile >>>` block to the end of that file (~/.profile, ~/.bash_profile, ~/.zlogin)".to_string()
    };
    Some(Check::fail(what, detail, fix))
}

/// The decision log (or, before the first decision, the directory it will be made in)
/// is writable.
fn log_check() -> Check {
    let what = "decision log";
    // Sealed: only the setgid binary, holding the group, appends to root's log; doctor
    // has dropped the group, so the sealed checks (`log directory`) judge it instead.
    if let Some(s) = crate::seal::sealed() {
        return Check::pass(
            what,
            format!(
                "{} (appended by the shim holding the group `{}`; see `log directory`)",
                s.layout.log_file().display(),
                s.manifest.group
            ),
        );
    }
    let config = super::config_dir();
    let log = config.join(crate::log::LOG_FILE_NAME);
    let fix = format!(
        "make {} writable by the agent's user (failsafe refuses every command it cannot log)",
        config.display()
    );
    if log.exists() {
        return match std::fs::OpenOptions::new().append(true).open(&log) {
            Ok(_) => Check::pass(what, format!("writable ({})", log.display())),
            Err(e) => Check::fail(what, format!("{}: {e}", log.display()), fix),
        };
    }
    if config.is_dir() {
        let probe = config.join(format!(".doctor-probe-{}", std::process::id()));
        return match std::fs::File::create_new(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                Check::pass(
                    what,
                    format!("{} will be created on the first decision", log.display()),
                )
            }
            Err(e) => Check::fail(what, format!("{}: {e}", config.display()), fix),
        };
    }
    let parent = config.ancestors().find(|a| a.is_dir());
    match parent {
        Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.permissions().readonly()) => Check::pass(
            what,
            format!("{} will be created on the first decision", log.display()),
        ),
        _ => Check::fail(what, format!("cannot create {}", config.display()), fix),
    }
}

fn config_check() -> Check {
    let config = super::config_dir();
    match crate::config::Settings::load(&config) {
        Ok(_) if !config.join("config.toml").exists() => Check::pass(
            "config.toml",
            format!(
                "none at {}: the defaults apply",
                config.join("config.toml").display()
            ),
        ),
        Ok(_) => Check::pass(
            "config.toml",
            format!("readable ({})", config.join("config.toml").display()),
        ),
        Err(e) => Check::fail(
            "config.toml",
            e.to_string(),
            "fix the line named, or move config.toml away to use the defaults",
        ),
    }
}

/// Run from the human's own terminal: no shim directory on PATH. Says so, and prints the
/// command that checks the agent's side, instead of a list of FAILs.
fn human_side(json: bool) -> i32 {
    let home = crate::config::process_home();
    let dir = crate::config::default_shim_dir(&process_env, home.as_deref());
    let installed = !shims_in(&dir).is_empty() || is_failsafe(&dir.join(SELF_NAME));
    let command = format!(
        "env {AGENT_VAR}=1 PATH=\"{}:$PATH\" bash -lc 'failsafe doctor'",
        dir.display()
    );
    let note = if installed {
        String::new()
    } else {
        format!(
            "  help:   no shims in {} yet: run `failsafe install-shims` first\n",
            dir.display()
        )
    };
    if json {
        out(&json_text(&json!({
            "ok": false,
            "side": "human",
            "checks": [{
                "ok": false,
                "check": "shim directory on PATH",
                "detail": "no PATH entry holds failsafe shims: this looks like your own terminal, which should stay unshimmed",
                "fix": format!("check the agent's side instead: {command}"),
            }],
            "agent_check": command,
        })));
    } else {
        out(&format!(
            "failsafe: this shell has no shim directory on PATH, so it looks like your own terminal (which should stay unshimmed); doctor checks the agent's side\n  help:   check it the way the agent's login shell sees it:\n            {command}\n  help:   or run `failsafe doctor` from the agent itself\n{note}"
        ));
    }
    exit::NO
}

/// The checks of the agent's side, with `shim_dir` first on PATH.
fn agent_checks(shim_dir: &Path) -> Vec<Check> {
    let mut checks = vec![Check::pass(
        "shim directory on PATH",
        shim_dir.display().to_string(),
    )];
    checks.extend(tool_checks(shim_dir));
    checks.push(self_check(shim_dir));
    checks.extend(
        ["bash", "zsh"]
            .iter()
            .filter_map(|s| login_check(s, shim_dir)),
    );
    checks.push(config_check());
    checks.push(policies_compile());
    checks.push(log_check());
    checks
}

/// Runs `failsafe doctor`.
pub fn run(json: bool) -> i32 {
    let mut checks = match super::guard::shim_dir_on_path() {
        Some(shim_dir) => agent_checks(&shim_dir),
        // Root checking a sealed install from its own terminal: the sealed checks.
        None if crate::seal::sealed().is_some() => Vec::new(),
        None => return human_side(json),
    };
    // A sealed install: its layout, and real tools the agent user can still execute.
    for (ok, what, detail) in super::seal::doctor_checks() {
        checks.push(if ok {
            Check::pass(what, detail)
        } else {
            Check::fail(
                what,
                detail,
                "see docs/sealed.md, or run `sudo failsafe doctor`",
            )
        });
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if json {
        out(&json_text(&json!({
            "ok": failed == 0,
            "side": "agent",
            "checks": checks.iter().map(|c| json!({"ok": c.ok, "check": c.what, "detail": c.detail, "fix": c.fix})).collect::<Vec<_>>(),
        })));
    } else {
        let mut text = String::new();
        for c in &checks {
            text.push_str(&format!(
                "{} {:<24} {}\n",
                if c.ok { "ok  " } else { "FAIL" },
                c.what,
                c.detail
            ));
            if let Some(fix) = &c.fix {
                text.push_str(&format!("     {:<24} fix: {fix}\n", ""));
            }
        }
        text.push_str(&format!("{failed} check(s) failed\n"));
        out(&text);
    }
    if failed == 0 {
        exit::OK
    } else {
        exit::NO
    }
}
