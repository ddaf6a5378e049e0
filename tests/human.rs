//! The human in the loop: write mode bound to a pane incarnation and a time limit,
//! approvals, lockdown, and the log records of every human action.

use crate::sandbox::{exe, Sandbox};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn mode_of(sb: &Sandbox) -> serde_json::Value {
    sb.failsafe().args(["mode", "get", "--json"]).run().json()
}

#[test]
fn write_mode_for_a_while_expires_on_its_own() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args([
            "mode", "set", "rw", "--for", "2s", "--reason", "deploy", "--ticket", "OPS-7",
        ])
        .run()
        .assert_code(0)
        .assert_stdout_contains("read → write (pane test-pane) for 2s");
    let now = mode_of(&sb);
    assert_eq!(now["mode"], "write", "{now:#}");
    assert_eq!(now["ticket"], "OPS-7", "{now:#}");
    assert!(
        now["seconds_left"].as_u64().is_some_and(|s| s <= 2),
        "{now:#}"
    );
    let fact = sb.explain_json(&["kubectl", "get", "pods"]);
    assert_eq!(fact["fact"]["ticket"], "OPS-7", "{fact:#}");
    std::thread::sleep(Duration::from_millis(2100));
    let later = mode_of(&sb);
    assert_eq!(later["mode"], "read", "{later:#}");
    assert_eq!(later["lapsed"], "expired", "{later:#}");
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_stdout_contains("read (write mode lapsed: its time ran out)");
    assert_eq!(
        sb.explain_json(&["kubectl", "get", "pods"])["fact"]["ticket"],
        ""
    );
}

#[test]
fn another_session_on_the_same_pane_id_starts_in_read_mode() {
    let sb = Sandbox::new();
    sb.write_mode();
    assert_eq!(mode_of(&sb)["mode"], "write");
    // setsid: same FAILSAFE_PANE, a new session leader — a new incarnation.
    let other = sb
        .program("/usr/bin/setsid")
        .arg(exe())
        .args(["mode", "get", "--json"])
        .run();
    let v = other.json();
    other.check(v["mode"] == "read", "a new session inherited write mode");
    other.check(v["lapsed"] == "other-incarnation", "lapse named");
}

#[test]
fn mode_limits_from_config_are_enforced() {
    let sb = Sandbox::new();
    sb.config_toml("[mode]\nmax_for = \"1h\"\nrequire_for = true\n");
    sb.failsafe()
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(1)
        .assert_stderr_contains("require_for");
    sb.failsafe()
        .args(["toggle", "--for", "2h"])
        .run()
        .assert_code(1)
        .assert_stderr_contains("max_for");
    sb.failsafe()
        .args(["toggle", "--for", "30m"])
        .run()
        .assert_code(0);
    assert_eq!(mode_of(&sb)["mode"], "write");
    sb.failsafe_guarded()
        .args(["mode", "set", "rw", "--for", "5m"])
        .run()
        .assert_code(77)
        .assert_stderr_contains("only a human");
}

#[test]
fn mode_changes_are_logged_with_pane_incarnation_and_reason() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["toggle", "--for", "10m", "--reason", "hotfix"])
        .run()
        .assert_code(0);
    let log = sb.failsafe().args(["log", "--json"]).run();
    let rec: serde_json::Value =
        serde_json::from_str(log.stdout().lines().last().unwrap_or("")).unwrap_or_default();
    log.check(rec["action"]["kind"] == "mode", "a mode record");
    log.check(rec["action"]["change"] == "read → write", "old → new");
    log.check(rec["pane"] == "test-pane", "pane");
    log.check(rec["action"]["reason"] == "hotfix", "reason");
    log.check(
        rec["action"]["incarnation"]
            .as_str()
            .is_some_and(|i| i.starts_with("session:")),
        "incarnation",
    );
    log.check(
        !rec["action"]["until"].as_str().unwrap_or("").is_empty(),
        "until",
    );
    sb.failsafe()
        .args(["log"])
        .run()
        .assert_stdout_contains("read → write test-pane until");
    sb.failsafe().args(["log", "verify"]).run().assert_code(0);
}

/// A tmux server on a private socket, killed when dropped.
struct Tmux {
    socket: String,
    tmpdir: std::path::PathBuf,
}

impl Tmux {
    fn cmd(&self, sb: &Sandbox) -> Command {
        let mut c = Command::new("tmux");
        c.env_clear()
            .env("PATH", sb.plain_path())
            .env("HOME", &sb.home)
            .env("FAILSAFE_CONFIG_DIR", &sb.config)
            .env("TMUX_TMPDIR", &self.tmpdir)
            .env("TERM", "xterm")
            .args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .env("TMUX_TMPDIR", &self.tmpdir)
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn wait_for(path: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn a_new_tmux_server_does_not_inherit_the_old_servers_write_mode() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (scripts/test.sh installs it)");
        return;
    }
    let sb = Sandbox::new();
    let socket = format!("failsafe-test-{}", std::process::id());
    let first = sb.path("first.json");
    let second = sb.path("second.json");
    let fs = exe().display().to_string();
    let run = |out: &Path, set: bool| {
        let tmux = Tmux {
            socket: socket.clone(),
            tmpdir: sb.root.clone(),
        };
        let set_cmd = if set {
            format!("{fs} mode set rw --for 10m >/dev/null; ")
        } else {
            String::new()
        };
        let script = format!(
            "{set_cmd}{fs} mode get --json > {}.tmp; mv {0}.tmp {0}; sleep 30",
            out.display()
        );
        let status = tmux
            .cmd(&sb)
            .args(["new-session", "-d", "-x", "80", "-y", "20", &script])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "tmux new-session failed");
        let text = wait_for(out);
        drop(tmux);
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default()
    };
    let a = run(&first, true);
    assert_eq!(a["mode"], "write", "{a:#}");
    assert_eq!(a["pane"], "_0", "{a:#}");
    assert!(
        a["incarnation"]
            .as_str()
            .is_some_and(|i| i.starts_with("tmux:")),
        "{a:#}"
    );
    let b = run(&second, false);
    assert_eq!(b["pane"], "_0", "{b:#}");
    assert_eq!(
        b["mode"], "read",
        "the new server's %0 inherited write mode: {b:#}"
    );
    assert_eq!(b["lapsed"], "other-incarnation", "{b:#}");
}
