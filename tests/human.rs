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
    while start.elapsed() < Duration::from_secs(30) {
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
        // The previous server may still be shutting down: try for a few seconds.
        let mut last = String::new();
        let started = (0..50).any(|_| {
            let o = tmux
                .cmd(&sb)
                .args(["new-session", "-d", "-x", "80", "-y", "20", &script])
                .output();
            let ok = o.as_ref().is_ok_and(|o| o.status.success());
            if !ok {
                last = o
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .unwrap_or_default();
                std::thread::sleep(Duration::from_millis(100));
            }
            ok
        });
        assert!(started, "tmux new-session failed: {last}");
        let text = wait_for(out);
        drop(tmux);
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default()
    };
    let a = run(&first, true);
    assert_eq!(a["mode"], "write", "{a:#}");
    assert_eq!(a["pane"], "%0", "{a:#}");
    assert!(
        a["incarnation"]
            .as_str()
            .is_some_and(|i| i.starts_with("tmux:")),
        "{a:#}"
    );
    let b = run(&second, false);
    assert_eq!(b["pane"], "%0", "{b:#}");
    assert_eq!(
        b["mode"], "read",
        "the new server's %0 inherited write mode: {b:#}"
    );
    assert_eq!(b["lapsed"], "other-incarnation", "{b:#}");
}

/// The approval id a refusal printed (`failsafe approve ID`).
fn approval_id(stderr: &str) -> Option<String> {
    let at = stderr.find("`failsafe approve ")? + "`failsafe approve ".len();
    Some(stderr[at..].split('`').next()?.to_string())
}

#[test]
fn an_ask_can_be_approved_once_from_the_humans_terminal() {
    let sb = Sandbox::new();
    sb.write_mode();
    let refused = sb.tool("kubectl").args(["delete", "ns", "scratch"]).run();
    refused
        .assert_code(77)
        .assert_stderr_contains("irreversible.kubectl-delete-kind")
        .check(
            !refused.stderr().contains("mode set"),
            "an ask in write mode never suggests write mode",
        );
    let Some(id) = approval_id(&refused.stderr()) else {
        refused.fail("the refusal should print `failsafe approve ID`");
    };
    // The same command again points at the same request.
    let again = sb.tool("kubectl").args(["delete", "ns", "scratch"]).run();
    again.check(
        approval_id(&again.stderr()).as_deref() == Some(id.as_str()),
        "same id",
    );
    let list = sb.failsafe().args(["approve", "--list"]).run();
    list.assert_code(0)
        .assert_stdout_contains(&id)
        .assert_stdout_contains("kubectl delete ns scratch")
        .assert_stdout_contains("irreversible.kubectl-delete-kind");
    sb.failsafe_guarded()
        .args(["approve", &id])
        .run()
        .assert_code(77)
        .assert_stderr_contains("only a human");
    // Another cwd is another command.
    sb.failsafe()
        .args(["approve", &id])
        .run()
        .assert_code(0)
        .assert_stdout_contains("approved `kubectl delete ns scratch` once");
    sb.tool("kubectl")
        .args(["delete", "ns", "scratch"])
        .cwd(&sb.home)
        .run()
        .assert_code(77);
    sb.tool("kubectl")
        .args(["delete", "ns", "scratch"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "ns", "scratch"]);
    let third = sb.tool("kubectl").args(["delete", "ns", "scratch"]).run();
    third.assert_code(77);
    third.check(
        approval_id(&third.stderr()).is_some_and(|n| n != id),
        "used once: a new request",
    );
    let log = sb.failsafe().args(["log", "--json"]).run();
    let steps: Vec<String> = log
        .stdout()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["action"]["approval"] == id.as_str())
        .map(|r| r["action"]["change"].as_str().unwrap_or("").to_string())
        .collect();
    log.check(
        steps == ["request", "grant", "use"],
        format!("approval steps in the log: {steps:?}"),
    );
    sb.failsafe().args(["log", "verify"]).run().assert_code(0);
}

#[test]
fn a_read_mode_refusal_can_be_approved_once_and_denials_stick() {
    let sb = Sandbox::new();
    let refused = sb
        .tool("kubectl")
        .args(["scale", "deploy", "web", "--replicas=2"])
        .run();
    refused.assert_blocked();
    let err = refused.stderr();
    let approve = err.find("failsafe approve").unwrap_or(usize::MAX);
    let write = err.find("failsafe mode set rw").unwrap_or(0);
    refused.check(
        approve < write,
        "approve once first, then write mode for a while",
    );
    refused.assert_stderr_contains("--for 30m");
    let id = approval_id(&err).unwrap_or_default();
    sb.failsafe()
        .args(["approve", "--deny", &id])
        .run()
        .assert_code(0);
    sb.failsafe().args(["approve", &id]).run().assert_code(1);
    let next = sb
        .tool("kubectl")
        .args(["scale", "deploy", "web", "--replicas=2"])
        .run();
    next.assert_blocked();
    let id = approval_id(&next.stderr()).unwrap_or_default();
    sb.failsafe().args(["approve", &id]).run().assert_code(0);
    sb.tool("kubectl")
        .args(["scale", "deploy", "web", "--replicas=2"])
        .run()
        .assert_code(0);
}

#[test]
fn a_forged_approvals_file_grants_nothing() {
    let sb = Sandbox::new();
    sb.write_mode();
    let refused = sb.tool("kubectl").args(["delete", "ns", "scratch"]).run();
    let id = approval_id(&refused.stderr()).unwrap_or_default();
    let file = sb.config.join("approvals.json");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(&file, text.replace("\"pending\"", "\"granted\"")).unwrap();
    sb.tool("kubectl")
        .args(["delete", "ns", "scratch"])
        .run()
        .assert_code(77)
        .assert_not_ran("kubectl");
    assert!(!id.is_empty());
}

#[test]
fn parallel_shims_use_a_grant_once_and_lose_no_request() {
    let sb = Sandbox::new();
    sb.config_toml("[breaker]\nenabled = false\n");
    sb.write_mode();
    // Parallel requests for different commands: every one gets its own id.
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|n| {
                let sb = &sb;
                s.spawn(move || {
                    let run = sb
                        .tool("kubectl")
                        .args(["delete", "ns", &format!("ns-{n}")])
                        .run();
                    approval_id(&run.stderr()).unwrap_or_default()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6, "{ids:?}");
    let list = sb
        .failsafe()
        .args(["approve", "--list", "--json"])
        .run()
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(6), "{list:#}");
    // One grant, six identical callers at once: exactly one runs.
    sb.failsafe()
        .args(["approve", &ids[0]])
        .run()
        .assert_code(0);
    let codes: Vec<Option<i32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let sb = &sb;
                s.spawn(move || {
                    sb.tool("kubectl")
                        .args(["delete", "ns", "ns-0"])
                        .run()
                        .code()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some(77)).count(),
        5,
        "{codes:?}"
    );
}

#[test]
fn a_broken_config_asks_a_human_to_fix_it_and_never_suggests_write_mode() {
    let sb = Sandbox::new();
    sb.config_toml("[mode\n");
    let run = sb.tool("kubectl").args(["delete", "deploy", "web"]).run();
    run.assert_blocked()
        .assert_stderr_contains("a human must fix")
        .assert_stderr_contains("config.toml");
    run.check(
        !run.stderr().contains("mode set"),
        "no write mode for a broken config",
    );
    run.check(
        !run.stderr().contains("failsafe approve"),
        "no approval for a broken config",
    );
}

#[test]
fn a_lockdown_refuses_everything_until_a_human_lifts_it() {
    let sb = Sandbox::new();
    sb.failsafe_guarded()
        .args(["lockdown", "--off", "--pane", "test-pane"])
        .run()
        .assert_code(77);
    sb.failsafe()
        .args(["lockdown", "--pane", "test-pane", "--reason", "incident"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("lockdown.human")
        .assert_stderr_contains("incident")
        .assert_stderr_contains("`failsafe lockdown --off --pane test-pane`")
        .assert_not_ran("kubectl");
    sb.failsafe()
        .args(["lockdown", "--list"])
        .run()
        .assert_stdout_contains("test-pane  by human  incident");
    sb.failsafe()
        .args(["lockdown", "--off", "--pane", "test-pane"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.failsafe()
        .args(["lockdown", "--all"])
        .run()
        .assert_code(0);
    sb.tool("git")
        .args(["status"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("--off --all");
    let log = sb.failsafe().args(["log"]).run();
    log.assert_stdout_contains("on test-pane (reason: incident)")
        .assert_stdout_contains("off test-pane")
        .assert_stdout_contains("on every pane");
}

#[test]
fn the_circuit_breaker_locks_a_pane_that_keeps_being_refused() {
    let sb = Sandbox::new();
    sb.config_toml("[breaker]\nrefusals = 3\nwindow = \"1m\"\n");
    for _ in 0..2 {
        sb.tool("kubectl")
            .args(["delete", "deploy", "web"])
            .run()
            .assert_blocked();
    }
    sb.tool("kubectl")
        .args(["delete", "deploy", "web"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("this pane is now locked down: 3 refusals within 1m");
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("lockdown.breaker")
        .assert_stderr_contains("failsafe lockdown --off --pane test-pane");
    sb.failsafe()
        .args(["lockdown", "--off"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
}

#[test]
fn the_report_says_what_changed_and_who_enabled_it() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "set", "rw", "--for", "10m", "--reason", "rollout"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["scale", "deploy", "web", "--replicas=3"])
        .run()
        .assert_code(0);
    let md = sb.failsafe().args(["report", "--since", "1h"]).run();
    md.assert_code(0)
        .assert_stdout_contains("## What changed")
        .assert_stdout_contains("kubectl scale deploy web --replicas=3")
        .assert_stdout_contains("read → write test-pane")
        .assert_stdout_contains("(reason: rollout)")
        .assert_stdout_contains("## Human actions");
    md.check(
        !md.stdout().contains("| `kubectl get pods` | - | test-pane"),
        "reads are not changes",
    );
}

#[test]
fn shim_installs_and_trust_changes_are_logged() {
    let sb = Sandbox::new();
    let dir = sb.root.join("more-shims");
    sb.failsafe()
        .args(["install-shims", "--tools", "kubectl", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    sb.failsafe()
        .args(["uninstall-shims", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(&repo, "package failsafe.repo\n\nimport rego.v1\n");
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(0);
    let log = sb.failsafe().args(["log"]).run();
    log.assert_stdout_contains(&format!("install {}", dir.display()))
        .assert_stdout_contains(&format!("uninstall {}", dir.display()))
        .assert_stdout_contains("add ");
    sb.failsafe().args(["log", "verify"]).run().assert_code(0);
}

/// `capture-pane` output of the tmux server's only pane, polled until `want` shows.
fn capture_until(tmux: &Tmux, sb: &Sandbox, want: &str) -> String {
    let start = Instant::now();
    let mut screen = String::new();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(o) = tmux.cmd(sb).args(["capture-pane", "-p"]).output() {
            screen = String::from_utf8_lossy(&o.stdout).into_owned();
            if screen.contains(want) {
                return screen;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("`{want}` never showed in the watch pane:\n{screen}");
}

#[test]
fn watch_approves_a_pending_ask_with_a_key() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (scripts/test.sh installs it)");
        return;
    }
    let sb = Sandbox::new();
    sb.write_mode();
    let refused = sb.tool("kubectl").args(["delete", "ns", "scratch"]).run();
    let id = approval_id(&refused.stderr()).unwrap_or_default();
    assert!(!id.is_empty(), "{}", refused.stderr());
    let tmux = Tmux {
        socket: format!("failsafe-watch-{}", std::process::id()),
        tmpdir: sb.root.clone(),
    };
    let watch = format!("NO_COLOR=1 {} watch", exe().display());
    let ok = tmux
        .cmd(&sb)
        .args(["new-session", "-d", "-x", "100", "-y", "30", &watch])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "tmux new-session failed");
    let screen = capture_until(&tmux, &sb, &id);
    assert!(screen.contains("kubectl delete ns scratch"), "{screen}");
    assert!(screen.contains("pending approvals"), "{screen}");
    let _ = tmux.cmd(&sb).args(["send-keys", "a"]).status();
    capture_until(&tmux, &sb, &format!("approved {id} once"));
    sb.tool("kubectl")
        .args(["delete", "ns", "scratch"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "ns", "scratch"]);
    let _ = tmux.cmd(&sb).args(["send-keys", "q"]).status();
}
