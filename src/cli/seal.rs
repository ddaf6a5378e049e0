//! The command-line side of the sealed install: `install-shims --sealed|--unseal`,
//! `mode get|set --agent USER [--for 30m]`, and the sealed checks of `doctor`.
//!
//! Sealing, unsealing and changing an agent's mode need the real user id 0; the PATH
//! guard does not apply to them (after sealing, root's own PATH holds shims too, and
//! root is the authority a sealed install answers to).

use super::{err, json_text, out, ModeAction};
use crate::exit;
use crate::human::{self, ActionKind};
use crate::mode::Mode;
use crate::seal::install::{self, SealOptions};
use crate::seal::{modes, scan, Layout, State};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};

/// The sealing flags of `install-shims`.
#[derive(Debug, Clone, Default, Args)]
pub struct SealArgs {
    /// Sealed install (root only): move the real tools into a directory only the
    /// `failsafe` group can enter, install failsafe setgid to it, config and log owned
    /// by root (see docs/sealed.md).
    #[arg(long, conflicts_with = "unseal", requires = "agent_user")]
    pub sealed: bool,
    /// The user the agent runs as (with --sealed; repeat or comma-separate for more).
    #[arg(long, value_delimiter = ',', value_name = "USER")]
    pub agent_user: Vec<String>,
    /// Reverse a sealed install exactly (root only).
    #[arg(long)]
    pub unseal: bool,
    /// Seal a tree under this root instead of `/` (for tests).
    #[arg(long, hide = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The group name (for tests; default `failsafe`).
    #[arg(long, hide = true, value_name = "NAME")]
    pub group: Option<String>,
}

impl SealArgs {
    /// Whether any sealing flag was given.
    pub fn wanted(&self) -> bool {
        self.sealed || self.unseal || self.root.is_some() || self.group.is_some()
    }
}

/// `--agent` and `--for` of the mode commands.
#[derive(Debug, Clone, Default, Args)]
pub struct AgentArgs {
    /// A sealed install's agent user whose mode to read or set (setting needs root;
    /// `--for` sets how long its write mode lasts).
    #[arg(long, value_name = "USER")]
    pub agent: Option<String>,
}

fn is_root() -> bool {
    nix::unistd::getuid().is_root()
}

/// Runs `install-shims` with sealing flags.
pub fn install(args: &SealArgs, dir: Option<&Path>, tools: Option<Vec<String>>) -> i32 {
    if !is_root() {
        err("failsafe: refused: sealing and unsealing need root\n  help:   sudo failsafe install-shims --sealed --agent-user USER\n");
        return exit::NO;
    }
    if dir.is_some() {
        err("failsafe: --dir does not apply to a sealed install (its shims go to the tools' own paths and /usr/local/lib/failsafe/shims)\n");
        return exit::USAGE;
    }
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("/"));
    if !root.is_absolute() {
        err("failsafe: --root must be an absolute path\n");
        return exit::USAGE;
    }
    if args.unseal {
        return unseal(&root);
    }
    if !args.sealed {
        err("failsafe: --root and --group go with --sealed or --unseal\n");
        return exit::USAGE;
    }
    let source_binary = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            err(&format!(
                "failsafe: cannot find the failsafe binary itself: {e}\n"
            ));
            return exit::NO;
        }
    };
    let tools = tools.unwrap_or_else(|| {
        crate::tool::BUILTIN_BINARIES
            .iter()
            .map(|(b, _)| b.to_string())
            .collect()
    });
    if let Some(bad) = tools
        .iter()
        .find(|t| crate::tool::ToolName::new(t).is_none() || t.as_str() == crate::tool::SELF_NAME)
    {
        err(&format!("failsafe: `{bad}` is not a tool name\n"));
        return exit::USAGE;
    }
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let opts = SealOptions {
        root,
        group: args
            .group
            .clone()
            .unwrap_or_else(|| crate::seal::DEFAULT_GROUP.to_string()),
        agent_users: args.agent_user.clone(),
        tools,
        path_dirs,
        source_binary,
    };
    match install::seal(&opts) {
        Ok(m) => {
            let layout = Layout::new(&opts.root);
            log_shims(&layout.config_dir(), "install", &layout, &m);
            let mut text = format!(
                "sealed for {} (group `{}`, gid {})\n",
                m.agent_users.join(", "),
                m.group,
                m.gid
            );
            for moved in &m.moved {
                text.push_str(&format!(
                    "  {:<10} {} → {}\n",
                    moved.tool,
                    moved.from.display(),
                    moved.to.display()
                ));
            }
            text.push_str(&format!(
                "binary   {} (setgid {})\nconfig   {}\nlog      {}\nmanifest {}\nnext: `failsafe doctor` as the agent user; change its mode with `sudo failsafe mode set rw --agent USER --for 30m`\n",
                layout.binary().display(),
                m.group,
                layout.config_dir().display(),
                layout.log_file().display(),
                layout.manifest().display()
            ));
            out(&text);
            exit::OK
        }
        Err(e) => {
            err(&format!("failsafe: cannot seal: {e}\n  help:   nothing was left changed; fix the cause and run it again\n"));
            exit::NO
        }
    }
}

/// Logs sealing or unsealing as a human action (`shims`, `install` or `uninstall`) in
/// the sealed log, the way `install-shims` logs to an ordinary install's log; a failure
/// to log is a warning.
fn log_shims(config_dir: &Path, change: &str, layout: &Layout, m: &crate::seal::Manifest) {
    let mut tools: Vec<&str> = m
        .moved
        .iter()
        .map(|x| x.tool.as_str())
        .filter(|t| *t != crate::tool::SELF_NAME)
        .collect();
    tools.sort_unstable();
    tools.dedup();
    let mut action = human::action(
        ActionKind::Shims,
        change,
        &layout.shim_dir().display().to_string(),
    );
    action.reason = format!(
        "sealed install for agent user(s) {}; real tools sealed: {}",
        m.agent_users.join(", "),
        if tools.is_empty() {
            "none".to_string()
        } else {
            tools.join(", ")
        }
    );
    if let Err(warning) = human::append(config_dir, human::record("human", "", action)) {
        err(&warning);
    }
}

fn unseal(root: &Path) -> i32 {
    match install::unseal(root) {
        Ok((m, left)) => {
            // The log outlives the install (install::undo keeps it when it holds any
            // record), so the unsealing goes on its end.
            let layout = Layout::new(root);
            if layout.log_file().is_file() {
                log_shims(&layout.log_dir(), "uninstall", &layout, &m);
                out(&format!(
                    "kept the decision log {} (root's alone now; sealing again continues it)\n",
                    layout.log_file().display()
                ));
            }
            out(&format!(
                "unsealed: {} file(s) put back, {} link(s) and {} file(s) removed\n",
                m.moved.len(),
                m.links.len() + m.moved.iter().filter(|x| x.shimmed).count(),
                m.files.len()
            ));
            for l in &left {
                err(&format!("failsafe: left in place: {l}\n"));
            }
            if left.is_empty() {
                exit::OK
            } else {
                exit::NO
            }
        }
        Err(e) => {
            err(&format!("failsafe: cannot unseal: {e}\n"));
            exit::NO
        }
    }
}

fn mode_refusal() -> i32 {
    err("failsafe: refused: the mode of a sealed install is changed by root, per agent user\n  help:   sudo failsafe mode set rw --agent USER --for 30m\n");
    exit::NO
}

/// Handles the mode commands when they concern a sealed install (`--agent`, or any
/// mode command inside one); `None`: the ordinary commands run.
pub fn intercept_mode(action: &ModeAction) -> Option<i32> {
    let (agent, set, json, write) = match action {
        ModeAction::Get { agent, json, .. } => (agent, None, json.json, None),
        ModeAction::Set {
            agent,
            mode,
            json,
            write,
            ..
        } => (agent, Some(mode.mode()), json.json, Some(write)),
    };
    let agent_for = write.and_then(|w| w.duration.clone());
    let sealed = crate::seal::sealed();
    if agent.agent.is_none() && sealed.is_none() {
        return None;
    }
    let Some(s) = sealed else {
        err("failsafe: --agent is for a sealed install, and none was found\n");
        return Some(exit::USAGE);
    };
    let user = agent.agent.clone().unwrap_or_else(|| s.user.clone());
    let Some(new) = set else {
        let (mode, problem) = modes::read(&s.layout, &user, modes::now());
        if let Some(p) = problem {
            err(&format!("failsafe: {p}\n"));
        }
        if json {
            out(&json_text(&json!({"agent": user, "mode": mode.as_str()})));
        } else {
            out(&format!("{mode}\n"));
        }
        return Some(exit::OK);
    };
    if agent.agent.is_none() || !is_root() {
        return Some(mode_refusal());
    }
    if nix::unistd::User::from_name(&user).ok().flatten().is_none() {
        err(&format!("failsafe: no user `{user}`\n"));
        return Some(exit::USAGE);
    }
    let until = match (&agent_for, new) {
        (None, _) | (Some(_), Mode::Read) => None,
        (Some(d), Mode::Write) => {
            if let Some(secs) = modes::parse_duration(d) {
                Some(modes::now().saturating_add(secs))
            } else {
                err(&format!(
                    "failsafe: `{d}` is not a duration (30m, 2h, 1d)\n"
                ));
                return Some(exit::USAGE);
            }
        }
    };
    let old = modes::read(&s.layout, &user, modes::now()).0;
    if let Err(e) = modes::write(&s.layout, &user, new, until) {
        err(&format!(
            "failsafe: cannot write {}: {e}\n",
            modes::mode_file(&s.layout, &user).display()
        ));
        return Some(exit::NO);
    }
    // The same human-action record an ordinary `mode set` writes, in the sealed log.
    let pane = format!("user-{user}");
    let mut action = human::action(ActionKind::Mode, &format!("{old} → {new}"), &pane);
    action.until = until.map(crate::mode::epoch_text).unwrap_or_default();
    if let Some(w) = write {
        action.reason = w.reason.clone().unwrap_or_default();
        action.ticket = w.ticket.clone().unwrap_or_default();
    }
    if let Err(warning) = human::append(
        &s.layout.config_dir(),
        human::record("human", &pane, action),
    ) {
        err(&warning);
    }
    if json {
        out(&json_text(
            &json!({"agent": user, "old": old.as_str(), "mode": new.as_str(), "until": until}),
        ));
    } else {
        let expiry = until.map_or_else(String::new, |_| {
            format!(" for {}", agent_for.clone().unwrap_or_default())
        });
        out(&format!("{old} → {new} (agent user {user}){expiry}\n"));
    }
    Some(exit::OK)
}

/// `toggle` inside a sealed install: refused (root sets modes with `mode set --agent`).
pub fn intercept_toggle() -> Option<i32> {
    crate::seal::is_sealed().then(mode_refusal)
}

/// One sealed check for `doctor`: ok, what, detail.
pub type Check = (bool, String, String);

fn check_mode(path: &Path, want_mode: u32, want_gid: Option<u32>, what: &str) -> Check {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    match std::fs::symlink_metadata(path) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o7777;
            let ok = m.uid() == 0 && mode == want_mode && want_gid.is_none_or(|g| m.gid() == g);
            (
                ok,
                what.to_string(),
                format!(
                    "{} {:o} uid {} gid {}{}",
                    path.display(),
                    mode,
                    m.uid(),
                    m.gid(),
                    if ok {
                        String::new()
                    } else {
                        format!(" (want {want_mode:o} owned by root; fix: unseal and seal again)")
                    }
                ),
            )
        }
        Err(e) => (false, what.to_string(), format!("{}: {e}", path.display())),
    }
}

/// A sealed file with more hard links than the sealed directory holds has a twin
/// elsewhere that the agent may execute (checked when the sealed directory can be read,
/// that is as root).
fn hard_links(m: &crate::seal::Manifest) -> Vec<Check> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Vec::new();
    for moved in &m.moved {
        let Ok(meta) = std::fs::metadata(&moved.to) else {
            continue;
        };
        let sealed_links = m
            .moved
            .iter()
            .filter(|o| {
                std::fs::metadata(&o.to)
                    .is_ok_and(|x| (x.dev(), x.ino()) == (meta.dev(), meta.ino()))
            })
            .count();
        if meta.nlink() > u64::try_from(sealed_links).unwrap_or(u64::MAX) {
            out.push((
                false,
                format!("sealed {}", moved.tool),
                format!(
                    "{} has {} hard link(s) outside the sealed directory, which the agent may execute; find them with `find / -xdev -samefile {}` and remove them",
                    moved.to.display(),
                    meta.nlink() - u64::try_from(sealed_links).unwrap_or(0),
                    moved.to.display()
                ),
            ));
        }
    }
    out
}

/// The sealed-install checks of `doctor`: empty when nothing is sealed.
pub fn doctor_checks() -> Vec<Check> {
    let s = match crate::seal::state() {
        State::Unsealed => return Vec::new(),
        State::Broken(cause) => return vec![(false, "sealed install".into(), cause.clone())],
        State::Sealed(s) => s,
    };
    let m = &s.manifest;
    let l = &s.layout;
    let mut checks: Vec<Check> = vec![(
        true,
        "sealed install".into(),
        format!(
            "{} (group `{}` {}, agent users {}); this process is {}",
            l.manifest().display(),
            m.group,
            m.gid,
            m.agent_users.join(", "),
            s.user
        ),
    )];
    checks.push(check_mode(
        &l.binary(),
        0o2755,
        Some(m.gid),
        "setgid binary",
    ));
    checks.push(check_mode(
        &l.real_dir(),
        0o750,
        Some(m.gid),
        "sealed directory",
    ));
    checks.push(check_mode(&l.config_dir(), 0o755, None, "config dir"));
    checks.push(check_mode(
        &l.log_dir(),
        0o3770,
        Some(m.gid),
        "log directory",
    ));
    checks.extend(hard_links(m));
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let names: Vec<&str> = crate::tool::BUILTIN_BINARIES
        .iter()
        .map(|(b, _)| *b)
        .collect();
    for user in &m.agent_users {
        let Some(who) = scan::Who::lookup(user) else {
            checks.push((false, format!("agent user {user}"), "no such user".into()));
            continue;
        };
        if who.gids.contains(&m.gid) {
            checks.push((
                false,
                format!("agent user {user}"),
                format!("is in the group `{}`: it can run the real tools directly; fix: gpasswd -d {user} {}", m.group, m.group),
            ));
        }
        let found = scan::reachable(&l.root, &path_dirs, &names, &l.binary(), &who);
        if found.is_empty() {
            checks.push((
                true,
                format!("agent user {user}"),
                "can execute no real guarded tool".into(),
            ));
        }
        for r in found {
            checks.push((
                false,
                format!("agent user {user}"),
                format!(
                    "can execute a real {} at {}; fix: `sudo failsafe install-shims --unseal` then `--sealed` again to seal it, or `sudo chmod o-x {}` / remove it",
                    r.tool,
                    r.path.display(),
                    r.path.display()
                ),
            ));
        }
    }
    checks
}
