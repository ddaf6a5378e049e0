//! Shim mode: failsafe invoked under a guarded tool's name.
//!
//! Finds the real tool further down PATH (never itself: device and inode are compared),
//! judges the command, logs the decision, and then either replaces itself with the real
//! tool (`exec`, so stdin, TTY, signals, PID and exit status are the tool's) or prints the
//! refusal and exits 77. This is the only module that execs. Nothing here writes to
//! stdout: it belongs to whoever called the tool.

use crate::exit;
use crate::facts::Source;
use crate::judge::{self, Judgement, Request};
use crate::policy::Verdict;
use crate::record::Logged;
use crate::refusal;
use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that counts nested shim executions. It only detects loops;
/// it never skips a check.
pub const DEPTH_VAR: &str = "FAILSAFE_SHIM_DEPTH";

/// Nesting deeper than this is taken for a loop between shims and refused.
pub const MAX_DEPTH: u32 = 16;

pub use crate::pathfind::{self_id, FileId};

/// Finds `name` on `path` (a PATH value), skipping empty and relative entries and any
/// candidate that is the running binary itself (see [`crate::pathfind::find_executable`]).
pub fn resolve_real(name: &str, path: &OsStr, me: Option<FileId>) -> Option<PathBuf> {
    crate::pathfind::find_executable(name, path, me)
}

fn eprint(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Runs shim mode for `binary` (the basename of argv[0]); returns an exit code only when
/// the real tool was not exec'd.
pub fn run(binary: &str, argv: Vec<OsString>) -> i32 {
    // Sealed install (docs/sealed.md): lower the group at once; a broken seal refuses.
    let sealed = match crate::seal::shim::enter() {
        Ok(s) => s,
        Err(message) => {
            eprint(&message);
            return exit::BLOCKED;
        }
    };
    let (binary, argv, exec_argv) =
        match crate::seal::shim::dashed_git(sealed.as_ref(), binary, &argv) {
            Some((judged, original)) => ("git", judged, original),
            None => (binary, argv.clone(), argv),
        };
    let depth: u32 = std::env::var(DEPTH_VAR)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        eprint(&format!(
            "failsafe: refused `{binary}`: shims have called each other {depth} times, which looks like a loop\n  help:   check that the real `{binary}` is on PATH after the shim directory (`failsafe doctor`)\n"
        ));
        return exit::BLOCKED;
    }
    if !judge::is_guarded_name(binary) {
        eprint(&format!(
            "failsafe: refused `{binary}`: it is not a guarded tool\n  reason: failsafe was started under the name `{binary}`, and only these names are guarded: {}\n  help:   guard another command with a tool spec in <config>/tools/ (see `failsafe tools list`), or call failsafe itself as `failsafe`\n",
            judge::guarded_names().join(", ")
        ));
        return exit::BLOCKED;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let sealed_real = sealed.as_ref().and_then(|s| s.real_tool(binary));
    let Some(real) = sealed_real.or_else(|| resolve_real(binary, &path, self_id())) else {
        eprint(&format!(
            "failsafe: no real `{binary}` found on PATH after the shim directory\n  help:   install {binary}, or check PATH with `failsafe doctor`\n"
        ));
        return exit::TOOL_NOT_FOUND;
    };
    let mut judgement = judge::judge(Request {
        binary: binary.to_string(),
        argv: argv.clone(),
        source: Source::Shim,
        mode: None,
    });
    let pane = crate::mode::PaneId::new(&judgement.fact.pane);
    let locked = lock_down(&mut judgement, &pane);
    let recorded = match &sealed {
        Some(s) => s.record(&judgement),
        None => crate::record::record(&judgement),
    };
    let log_warning = match recorded {
        Logged::Written => String::new(),
        Logged::Warning(warning) => warning,
        Logged::Refused(refusal) => {
            eprint(&refusal);
            return exit::BLOCKED;
        }
    };
    let verdict = judgement.decision.verdict;
    let approved_inline = verdict == Verdict::Ask && inline_approval(&judgement);
    if verdict.runs() || approved_inline {
        eprint(&log_warning);
        return run_real(sealed, &real, &exec_argv, depth);
    }
    // Approvals are read only here, for an ask or a read-mode block (see
    // crate::approvals), never for a command that runs.
    let mut ask = None;
    if refusal::approvable(&judgement) {
        match crate::approvals::on_ask(&judgement, crate::mode::now_secs()) {
            crate::approvals::AskOutcome::Run => {
                eprint(&log_warning);
                return run_real(sealed, &real, &exec_argv, depth);
            }
            crate::approvals::AskOutcome::Refuse(pending, problem) => {
                ask = Some((pending, problem));
            }
        }
    }
    eprint(&refusal::render_with(&judgement, ask.as_ref()));
    eprint(&log_warning);
    if !locked {
        let now = crate::mode::now_secs();
        let breaker = &judgement.settings.breaker;
        if crate::lockdown::count_refusal(&judgement.config_dir, &pane, breaker, now) {
            eprint(&format!(
                "failsafe: this pane is now locked down: {} refusals within {}\n  reason: an agent that keeps running into refusals is stopped until a human looks\n  allow:  only a human can lift it, from their own terminal: `failsafe lockdown --off --pane {}`\n",
                breaker.refusals,
                humantime::format_duration(breaker.window.0),
                crate::quote::word(pane.as_str())
            ));
        }
    }
    exit::BLOCKED
}

/// Turns the judgement into a block when the pane (or every pane) is locked down.
/// Returns whether it is.
fn lock_down(j: &mut Judgement, pane: &crate::mode::PaneId) -> bool {
    let Some((file, l)) = crate::lockdown::active(&j.config_dir, pane) else {
        return false;
    };
    let (id, who) = match l.by {
        crate::lockdown::By::Human => ("lockdown.human", "a human"),
        crate::lockdown::By::Breaker => ("lockdown.breaker", "the circuit breaker"),
    };
    let why = if l.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", l.reason)
    };
    j.decision.verdict = Verdict::Block;
    j.decision.reasons.insert(
        0,
        crate::policy::Reason {
            id: id.to_string(),
            reason: format!("{who} locked this pane down{why}; every guarded command is refused"),
            effect: crate::policy::Effect::Block,
            layer: crate::policy::Layer::Bundled,
            location: file.display().to_string(),
            package: String::new(),
        },
    );
    true
}

/// Replaces this process with the real tool: by descriptor after dropping the group
/// when sealed, else by path. Returns only the exit code of a failed exec.
fn run_real(
    sealed: Option<crate::seal::shim::SealedShim>,
    real: &Path,
    argv: &[OsString],
    depth: u32,
) -> i32 {
    match sealed {
        Some(s) => {
            eprint(&s.exec(real, argv, depth));
            exit::BLOCKED
        }
        None => exec_real(real, argv, depth),
    }
}

/// Replaces this process with the real tool. Returns only if exec failed.
fn exec_real(real: &Path, argv: &[OsString], depth: u32) -> i32 {
    // argv[0] stays what was typed when it is a bare name; a path to the shim would
    // mislead tools that locate their own files from argv[0], so it becomes the real path.
    let typed = argv.first().cloned().unwrap_or_default();
    let arg0 = if typed.as_bytes().contains(&b'/') {
        real.as_os_str().to_os_string()
    } else {
        typed
    };
    let err = Command::new(real)
        .arg0(arg0)
        .args(argv.iter().skip(1))
        .env(DEPTH_VAR, (depth + 1).to_string())
        .exec();
    eprint(&format!(
        "failsafe: cannot run {}: {err}\n  help:   the command was allowed but the real tool could not be started\n",
        real.display()
    ));
    exit::CANNOT_EXECUTE
}

/// The opt-in inline prompt for `ask` (config.toml `ask.inline = true`): only when stdin
/// and stderr are terminals and `FAILSAFE_NONINTERACTIVE` is unset, and answered on
/// `/dev/tty`. Anything but `y`/`yes` is no.
fn inline_approval(j: &Judgement) -> bool {
    if !j.settings.ask.inline
        || std::env::var_os("FAILSAFE_NONINTERACTIVE").is_some()
        || !io::stdin().is_terminal()
        || !io::stderr().is_terminal()
    {
        return false;
    }
    let Ok(mut tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return false;
    };
    let prompt = format!("{}  run it? [y/N] ", refusal::render(j));
    if tty.write_all(prompt.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let mut reader = io::BufReader::new(tty);
    if io::BufRead::read_line(&mut reader, &mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

    fn exe(path: &Path) -> io::Result<()> {
        std::fs::write(path, "#!/bin/sh\n")?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
    }

    #[test]
    fn skips_itself_by_inode_through_any_spelling() -> io::Result<()> {
        let t = tempfile::tempdir()?;
        let shims = t.path().join("shims");
        let real = t.path().join("bin");
        std::fs::create_dir_all(&shims)?;
        std::fs::create_dir_all(&real)?;
        let me = t.path().join("failsafe");
        exe(&me)?;
        symlink(&me, shims.join("kubectl"))?;
        exe(&real.join("kubectl"))?;
        symlink(&shims, t.path().join("linked-shims"))?;
        let meta = std::fs::metadata(&me)?;
        let id = Some((meta.dev(), meta.ino()));
        let path = std::env::join_paths([
            PathBuf::from(""),
            PathBuf::from("relative/dir"),
            shims.clone(),
            PathBuf::from(format!("{}/", shims.display())),
            PathBuf::from(format!("{}//", shims.display()).replace("/shims", "//shims")),
            t.path().join("linked-shims"),
            real.clone(),
        ])
        .map_err(io::Error::other)?;
        assert_eq!(
            resolve_real("kubectl", &path, id),
            Some(real.join("kubectl"))
        );
        Ok(())
    }

    #[test]
    fn skips_non_executables_and_reports_absence() -> io::Result<()> {
        let t = tempfile::tempdir()?;
        std::fs::write(t.path().join("git"), "not executable")?;
        let path = t.path().as_os_str().to_os_string();
        assert_eq!(resolve_real("git", &path, None), None);
        Ok(())
    }
}
