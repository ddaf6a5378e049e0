//! The sealed install (docs/sealed.md), as root, on a throwaway tree — never the
//! machine's own `/usr/bin`.
//!
//! A tree under the target dir holds copies of git (with its exec path), kubectl and a
//! `#!` script standing in for the aws CLI v1; `install-shims --sealed --root` seals it
//! for a throwaway user and group (`useradd`/`groupadd`, removed afterwards). The
//! agent's side runs as that user through `setpriv` inside a private mount namespace
//! (`unshare -m`) in which the tree's git exec path is bind-mounted over
//! `/usr/lib/git-core`, so the copied git finds its sealed helpers there. Not root, or
//! a missing tool: the test prints SKIPPED and why, and passes.

use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn failsafe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("failsafe")
}

fn skip(test: &str, why: &str) {
    println!("SKIPPED {test}: {why}");
    eprintln!("SKIPPED {test}: {why}");
}

fn sh(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"))
}

fn which(name: &str) -> Option<PathBuf> {
    let out = sh("sh", &["-c", &format!("command -v {name}")]);
    let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !p.is_empty())
        .then(|| std::fs::canonicalize(p).ok())
        .flatten()
}

/// Why this machine cannot run the sealed tests, if it cannot.
fn missing() -> Option<String> {
    if !nix::unistd::getuid().is_root() {
        return Some("needs root (sealing creates a group, a user and a setgid binary)".into());
    }
    for tool in [
        "useradd", "userdel", "groupdel", "setpriv", "unshare", "mount",
    ] {
        if which(tool).is_none() {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    if !Path::new("/usr/bin/git").is_file() || !Path::new("/usr/lib/git-core/git").is_file() {
        return Some("needs git at /usr/bin/git with its exec path /usr/lib/git-core".into());
    }
    if which("kubectl").is_none() {
        return Some("needs a real kubectl on PATH".into());
    }
    let probe = sh("unshare", &["-m", "true"]);
    if !probe.status.success() {
        return Some("cannot make a mount namespace (`unshare -m`)".into());
    }
    None
}

/// path → (mode, uid, gid, size, mtime, link target) of everything under `dir`.
type Snapshot = BTreeMap<PathBuf, (u32, u32, u32, u64, i64, i64, Option<PathBuf>)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        let link = std::fs::read_link(&p).ok();
        out.insert(
            p.clone(),
            (
                m.mode(),
                m.uid(),
                m.gid(),
                if m.is_dir() { 0 } else { m.size() },
                m.mtime(),
                m.mtime_nsec(),
                link,
            ),
        );
        if m.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        }
    }
    out
}

/// The throwaway world: tree, user, group. Dropping it removes the user and group and
/// unseals whatever is still sealed.
struct World {
    base: PathBuf,
    root: PathBuf,
    home: PathBuf,
    user: String,
    group: String,
    uid: u32,
    gid: u32,
}

impl Drop for World {
    fn drop(&mut self) {
        if self.root.join("etc/failsafe/sealed.json").exists() {
            let _ = Command::new(failsafe())
                .args(["install-shims", "--unseal", "--root"])
                .arg(&self.root)
                .output();
        }
        let _ = sh("userdel", &[&self.user]);
        let _ = sh("groupdel", &[&self.group]);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn world() -> World {
    let tag = format!("{}{}", std::process::id() % 100_000, rand_suffix());
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sealed-{tag}"));
    let _ = std::fs::remove_dir_all(&base);
    let root = base.join("root");
    let home = base.join("home");
    for d in [&root.join("usr/bin"), &root.join("usr/lib"), &home] {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut a = Some(base.as_path());
    while let Some(d) = a {
        if d == Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap_or(Path::new("/"))
        {
            break;
        }
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        a = d.parent();
    }
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = root.join("usr/bin");
    assert!(sh("cp", &["-a", "/usr/bin/git", bin.to_str().unwrap()])
        .status
        .success());
    symlink("git", bin.join("git-upload-pack")).unwrap();
    symlink("git", bin.join("git-receive-pack")).unwrap();
    let core = root.join("usr/lib/git-core");
    assert!(
        sh("cp", &["-a", "/usr/lib/git-core", core.to_str().unwrap()])
            .status
            .success()
    );
    let kubectl = which("kubectl").unwrap();
    assert!(sh(
        "cp",
        &[
            "-p",
            kubectl.to_str().unwrap(),
            bin.join("kubectl").to_str().unwrap()
        ]
    )
    .status
    .success());
    // The aws CLI v1 is a Python script; its stand-in says how its interpreter got it.
    let interp = if Path::new("/usr/bin/python3").exists() {
        "#!/usr/bin/python3\nimport sys\nprint('aws-stand-in', sys.argv[0], ' '.join(sys.argv[1:]))\n"
    } else {
        "#!/bin/sh\necho aws-stand-in \"$0\" \"$@\"\n"
    };
    std::fs::write(bin.join("aws"), interp).unwrap();
    std::fs::set_permissions(bin.join("aws"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let user = format!("fsagent{tag}");
    let group = format!("fsseal{tag}");
    let ok = sh(
        "useradd",
        &["-M", "-s", "/bin/sh", "-d", home.to_str().unwrap(), &user],
    );
    assert!(
        ok.status.success(),
        "useradd: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let u = nix::unistd::User::from_name(&user).unwrap().unwrap();
    std::os::unix::fs::chown(&home, Some(u.uid.as_raw()), Some(u.gid.as_raw())).unwrap();
    World {
        base,
        root,
        home,
        user,
        group,
        uid: u.uid.as_raw(),
        gid: u.gid.as_raw(),
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() % 1000)
}

impl World {
    /// The human-action records of `kind` in the sealed log (kept after unsealing).
    fn actions(&self, kind: &str) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.root.join("var/log/failsafe/decisions.jsonl"))
            .unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|r| r["action"]["kind"] == kind)
            .collect()
    }

    /// `failsafe log verify` on the sealed log, from an ordinary (unsealed) failsafe.
    fn verify_log(&self) {
        let out = Command::new(failsafe())
            .args(["log", "verify"])
            .env("FAILSAFE_CONFIG_DIR", self.root.join("var/log/failsafe"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "log verify: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn seal(&self) {
        let out = Command::new(failsafe())
            .args([
                "install-shims",
                "--sealed",
                "--agent-user",
                &self.user,
                "--group",
                &self.group,
                "--root",
            ])
            .arg(&self.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seal: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn unseal(&self) {
        let out = Command::new(failsafe())
            .args(["install-shims", "--unseal", "--root"])
            .arg(&self.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "unseal: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn root_cmd(&self, args: &[&str]) -> Output {
        Command::new(self.root.join("usr/local/bin/failsafe"))
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `script` with `/bin/sh` as the agent user, with a clean environment whose
    /// PATH starts with the tree's `/usr/bin`, in a mount namespace where the tree's git
    /// exec path is `/usr/lib/git-core`. `setpriv` starts `env`, never a tool directly:
    /// its own exec still holds root's capabilities.
    fn agent(&self, script: &str) -> (i32, String, String) {
        let path = format!("{}:/usr/bin:/bin", self.root.join("usr/bin").display());
        let out = Command::new("unshare")
            .args(["-m", "--", "/bin/sh", "-c"])
            .arg(r#"mount --make-rprivate / && mount --bind "$1" /usr/lib/git-core && exec setpriv --reuid "$2" --regid "$2" --init-groups -- /usr/bin/env -i PATH="$3" HOME="$4" R="$5" /bin/sh -c "cd \"\$HOME\" && $6""#)
            .args(["sh"])
            .arg(self.root.join("usr/lib/git-core"))
            .arg(&self.user)
            .arg(path)
            .arg(&self.home)
            .arg(&self.root)
            .arg(script)
            .output()
            .unwrap();
        let r = (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        println!(
            "agent$ {script}\n  rc={} stdout={:?}\n  stderr={:?}",
            r.0, r.1, r.2
        );
        r
    }
}

#[test]
fn sealed_install_holds_against_the_agent_user_and_unseals_exactly() {
    let name = "sealed_install_holds_against_the_agent_user_and_unseals_exactly";
    if let Some(why) = missing() {
        skip(name, &why);
        return;
    }
    let w = world();
    let before = snapshot(&w.root);
    let sealed = Command::new(failsafe())
        .args([
            "install-shims",
            "--sealed",
            "--agent-user",
            &w.user,
            "--group",
            &w.group,
            "--root",
        ])
        .arg(&w.root)
        .output()
        .unwrap();
    println!(
        "{}{}",
        String::from_utf8_lossy(&sealed.stdout),
        String::from_utf8_lossy(&sealed.stderr)
    );
    assert!(sealed.status.success());
    // Sealing is a human action in the sealed log, like an ordinary install-shims.
    let shims = w.actions("shims");
    assert_eq!(shims.len(), 1, "{shims:?}");
    assert_eq!(shims[0]["action"]["change"], "install");
    assert!(shims[0]["action"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains(&w.user) && r.contains("kubectl")));
    let real = w.root.join("usr/libexec/failsafe/real");
    let bin = w.root.join("usr/local/bin/failsafe");
    assert_eq!(std::fs::metadata(&bin).unwrap().mode() & 0o7777, 0o2755);
    assert_eq!(std::fs::metadata(&real).unwrap().mode() & 0o777, 0o750);
    let r = w.root.display().to_string();

    // The shim runs the real tool; the sealed copy itself is out of reach.
    let (rc, out, _) = w.agent("kubectl version --client");
    assert_eq!(rc, 0);
    assert!(out.contains("Client Version"));
    let (rc, out, err) = w.agent("\"$R/usr/libexec/failsafe/real/kubectl\" version --client");
    assert_eq!(rc, 126);
    assert!(!out.contains("Client Version") && err.contains("Permission denied"));
    let (rc, _, err) = w.agent("ls \"$R/usr/libexec/failsafe/real\"");
    assert_ne!(rc, 0, "{err}");

    // A PATH rewrite still lands on the shim.
    let (rc, _, err) = w.agent("PATH=\"$R/usr/bin\" kubectl delete ns payments");
    assert_eq!(rc, 77);
    assert!(err.contains("failsafe: blocked") && err.contains("sudo failsafe mode set rw --agent"));

    // A copy of the binary loses setgid and reaches no real tool.
    let (rc, out, err) = w.agent(
        "mkdir -p bin && cp \"$R/usr/local/bin/failsafe\" bin/kubectl && PATH=\"$HOME/bin:$R/usr/libexec/failsafe/real\" kubectl version --client",
    );
    assert_eq!(rc, 127, "{err}");
    assert!(!out.contains("Client Version"));
    let (rc, out, _) = w.agent("test -g bin/kubectl || echo not-setgid");
    assert_eq!((rc, out.trim()), (0, "not-setgid"));

    // Variables that move config, pane or home change nothing.
    let (rc, _, err) = w.agent(
        "mkdir -p own/modes && echo write > own/modes/p && FAILSAFE_CONFIG_DIR=\"$HOME/own\" FAILSAFE_PANE=p XDG_CONFIG_HOME=\"$HOME/own\" HOME=/tmp kubectl delete ns payments",
    );
    assert_eq!(rc, 77, "{err}");
    assert!(!w.home.join("own/decisions.jsonl").exists());

    // Config, modes and log belong to root.
    for target in [
        "$R/etc/failsafe/config.toml",
        "$R/etc/failsafe/agents/x.json",
        "$R/etc/failsafe/policies.rego",
        "$R/var/log/failsafe/decisions.jsonl",
        "$R/etc/failsafe/decisions.jsonl",
    ] {
        let (rc, _, _) = w.agent(&format!("echo x >> \"{target}\""));
        assert_ne!(rc, 0, "{target} was writable");
    }
    let (rc, _, err) = w.agent("\"$R/usr/local/bin/failsafe\" mode set rw");
    assert_ne!(rc, 0);
    assert!(err.contains("changed by root"));
    let (rc, _, _) = w.agent(&format!(
        "\"$R/usr/local/bin/failsafe\" mode set rw --agent {}",
        w.user
    ));
    assert_ne!(rc, 0);
    let (rc, _, _) = w.agent("\"$R/usr/local/bin/failsafe\" toggle");
    assert_ne!(rc, 0);
    let log = std::fs::read_to_string(w.root.join("var/log/failsafe/decisions.jsonl")).unwrap();
    assert!(
        log.contains("\"verb\":\"delete\""),
        "the shim logs through the group"
    );

    // Read mode: allowed git works, as the user's own ids; push is refused.
    let (rc, _, err) = w.agent(
        "git init -q --bare -b main remote.git && git init -q -b main repo && cd repo && git config user.email a@b && git config user.name a && echo hi > f && git add f && git commit -qm one && git remote add origin ../remote.git && git push -q origin main",
    );
    assert_eq!(rc, 77, "{err}");
    let head = std::fs::metadata(w.home.join("repo/.git/HEAD")).unwrap();
    assert_eq!((head.uid(), head.gid()), (w.uid, w.gid));

    // Write mode from root, per agent user: fetch and push to a local bare remote.
    let set = w.root_cmd(&["mode", "set", "rw", "--agent", &w.user, "--for", "30m"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    // ... and leaves the same human-action record an ordinary `mode set` does.
    let modes = w.actions("mode");
    assert_eq!(modes.len(), 1, "{modes:?}");
    let pane = format!("user-{}", w.user);
    assert_eq!(modes[0]["source"], "human");
    assert_eq!(modes[0]["action"]["subject"], pane.as_str());
    assert!(modes[0]["action"]["change"]
        .as_str()
        .is_some_and(|c| c.ends_with("→ rw") || c.ends_with("→ write")));
    assert!(modes[0]["action"]["until"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));
    let log = w.root.join("var/log/failsafe/decisions.jsonl");
    let meta = std::fs::metadata(&log).unwrap();
    assert_eq!(
        (meta.mode() & 0o777, meta.uid()),
        (0o660, 0),
        "root's append must not narrow the shared log"
    );
    let (rc, _, err) = w.agent("cd repo && git push -q origin main && git fetch -q origin && cd .. && git clone -q remote.git copy && cat copy/f");
    assert_eq!(rc, 0, "{err}");
    let (rc, out, _) = w.agent("git -C remote.git log --format=%s main");
    assert_eq!((rc, out.trim()), (0, "one"));

    // What the real tool starts runs with the user's ids and cannot reach the seal.
    let (rc, out, err) = w.agent("cd repo && git -c alias.ids='!grep ^Gid /proc/self/status' ids");
    assert_eq!(rc, 0, "{err}");
    let gids: Vec<&str> = out.split_whitespace().skip(1).collect();
    assert_eq!(gids, vec![w.gid.to_string(); 4]);
    // The real git's process is not dumpable (its file is execute-only for the user),
    // so what it starts cannot run it again through /proc.
    let real_git = std::fs::metadata(w.root.join("usr/libexec/failsafe/real/git")).unwrap();
    assert_eq!(real_git.mode() & 0o777, 0o751);
    let (rc, out, err) =
        w.agent("cd repo && git -c alias.again='!\"/proc/$PPID/exe\" --version' again");
    assert_ne!(rc, 0, "{out}");
    assert!(
        !out.contains("git version") && err.contains("Permission denied"),
        "{err}"
    );
    let (rc, out, err) = w.agent(
        "cd repo && LD_LIBRARY_PATH=/nonexistent GCONV_PATH=/nonexistent git -c alias.e='!env' e",
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        !out.contains("LD_LIBRARY_PATH") && !out.contains("GCONV_PATH"),
        "{out}"
    );
    let (rc, out, err) = w.agent(&format!(
        "cd repo && git -c alias.x='!{r}/usr/libexec/failsafe/real/kubectl version --client' x"
    ));
    assert_ne!(rc, 0);
    assert!(!out.contains("Client Version"));
    assert!(
        err.contains("Permission denied") || err.contains("failsafe: blocked"),
        "{err}"
    );

    // A `#!` script behind the shim: its interpreter reads it through the descriptor.
    let (rc, out, err) = w.agent("aws sts get-caller-identity");
    assert_eq!(rc, 0, "{err}");
    assert!(
        out.contains("aws-stand-in") && out.contains("/fd/"),
        "{out}"
    );

    // doctor: nothing reachable; then a stray copy is found and named with its fix.
    let (_, out, _) = w.agent("\"$R/usr/local/bin/failsafe\" doctor");
    assert!(
        out.contains("sealed install") && out.contains("can execute no real guarded tool"),
        "{out}"
    );
    let stray = w.root.join("opt/tools/bin");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::copy(
        w.root.join("usr/libexec/failsafe/real/kubectl"),
        stray.join("kubectl"),
    )
    .unwrap();
    let doctor = w.root_cmd(&["doctor"]);
    let text = String::from_utf8_lossy(&doctor.stdout);
    println!("{text}");
    assert!(text.contains(&format!(
        "can execute a real kubectl at {r}/opt/tools/bin/kubectl"
    )));
    assert!(text.contains("fix:"));
    std::fs::remove_file(stray.join("kubectl")).unwrap();
    let twin = stray.join("kubectl-twin");
    std::fs::hard_link(w.root.join("usr/libexec/failsafe/real/kubectl"), &twin).unwrap();
    let doctor = w.root_cmd(&["doctor"]);
    let text = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        text.contains("1 hard link(s) outside the sealed directory"),
        "{text}"
    );
    std::fs::remove_dir_all(w.root.join("opt")).unwrap();

    // Unseal: the tree is exactly as before, the group is gone.
    let unsealed = Command::new(failsafe())
        .args(["install-shims", "--unseal", "--root"])
        .arg(&w.root)
        .output()
        .unwrap();
    println!(
        "{}{}",
        String::from_utf8_lossy(&unsealed.stdout),
        String::from_utf8_lossy(&unsealed.stderr)
    );
    assert!(unsealed.status.success());
    // The decision log outlives the install, root's alone, ending with the unsealing.
    let log_dir = w.root.join("var/log/failsafe");
    let meta = std::fs::metadata(log_dir.join("decisions.jsonl")).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o600, 0, 0)
    );
    let meta = std::fs::metadata(&log_dir).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o700, 0, 0)
    );
    let shims = w.actions("shims");
    let changes: Vec<_> = shims
        .iter()
        .map(|r| r["action"]["change"].clone())
        .collect();
    assert_eq!(changes, ["install", "uninstall"], "{shims:?}");
    assert_eq!(w.actions("mode").len(), 1);
    w.verify_log();
    // `opt` came and went during the test; its parent's time is the test's doing; the
    // log (under `var`) stays on purpose.
    let mut after = snapshot(&w.root);
    let mut before = before;
    after.remove(&w.root);
    before.remove(&w.root);
    after.retain(|p, _| !p.starts_with(w.root.join("var")));
    let changed: Vec<_> = before
        .iter()
        .filter(|(p, s)| after.get(*p) != Some(*s))
        .map(|(p, s)| format!("{}: {s:?} → {:?}", p.display(), after.get(p)))
        .chain(
            after
                .keys()
                .filter(|p| !before.contains_key(*p))
                .map(|p| format!("{}: left behind", p.display())),
        )
        .collect();
    assert!(
        changed.is_empty(),
        "unseal did not restore:\n{}",
        changed.join("\n")
    );
    assert!(!sh("getent", &["group", &w.group]).status.success());

    // Sealing again continues the kept log: it is the group's again while sealed, the
    // shim appends to it, and unsealing gives it back to root alone.
    w.seal();
    let meta = std::fs::metadata(&log_dir).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o3770);
    let meta = std::fs::metadata(log_dir.join("decisions.jsonl")).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o660);
    let (rc, _, err) = w.agent("kubectl delete ns again");
    assert_eq!(rc, 77, "{err}");
    w.unseal();
    let meta = std::fs::metadata(log_dir.join("decisions.jsonl")).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o600, 0, 0)
    );
    assert_eq!(w.actions("shims").len(), 4);
    let text = std::fs::read_to_string(log_dir.join("decisions.jsonl")).unwrap();
    assert!(text.contains("again"));
    w.verify_log();
}

#[test]
fn sealing_flags_are_checked_before_anything_changes() {
    // No root needed: clap and the CLI refuse these before touching anything.
    let out = Command::new(failsafe())
        .args(["install-shims", "--sealed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agent-user"));
    let out = Command::new(failsafe())
        .args(["mode", "get", "--agent", "nobody"])
        .env_remove("FAILSAFE_CONFIG_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("failsafe: --agent is for a sealed install")
    );
}
