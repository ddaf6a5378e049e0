//! The decision log through the shims: one record per call, redacted, hash-chained,
//! intact under concurrent shims, and what happens when it cannot be written.

use crate::sandbox::Sandbox;
use std::fs;

/// The decision records of the log (human actions and approval steps left out).
fn log_lines(sb: &Sandbox) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(sb.config.join("decisions.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .unwrap_or_else(|e| panic!("bad log line {l:?}: {e}"))
        })
        .filter(|r| r.get("action").is_none())
        .collect()
}

#[test]
fn every_shim_call_leaves_one_record_with_its_decision() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked();
    let lines = log_lines(&sb);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[0]["verb"], "get");
    assert_eq!(lines[1]["decision"], "block");
    assert_eq!(lines[1]["reasons"][0]["id"], "kubectl.not-read-only");
    let location = lines[1]["reasons"][0]["location"].as_str().unwrap_or("");
    assert!(location.starts_with("bundled/kubectl.rego:"), "{location}");
    assert_eq!(lines[1]["prev_hash"], lines[0]["hash"]);
    assert_eq!(lines[0]["source"], "shim");
    let mode = fs::metadata(sb.config.join("decisions.jsonl")).map(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode() & 0o777
    });
    assert_eq!(mode.ok(), Some(0o600));
}

#[test]
fn explain_is_a_dry_run_and_logs_nothing() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["explain", "--", "kubectl", "delete", "ns", "x"])
        .run()
        .assert_code(1);
    assert!(log_lines(&sb).is_empty());
}

#[test]
fn secrets_never_reach_the_log_but_policies_saw_them() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["--token=s3cr3t-token-value", "get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args([
            "create",
            "secret",
            "generic",
            "db",
            "--from-literal=password=hunter2hunter2",
        ])
        .run()
        .assert_blocked();
    sb.tool("git")
        .args([
            "push",
            "https://alice:pa55word@git.example.com/r.git",
            "feature",
        ])
        .run();
    // The stand-in got the real argv: redaction is only for the log.
    let calls = sb.calls("kubectl");
    assert!(calls[0]
        .args_lossy()
        .contains(&"--token=s3cr3t-token-value".to_string()));
    let text = fs::read_to_string(sb.config.join("decisions.jsonl")).unwrap_or_default();
    for secret in ["s3cr3t-token-value", "hunter2hunter2", "pa55word"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the log:\n{text}"
        );
    }
    assert!(text.contains("--from-literal=password="), "{text}");
}

#[test]
fn concurrent_shims_keep_one_unbroken_chain() {
    let sb = Sandbox::new();
    // 1600 refusals in one pane would trip the circuit breaker; a user block (which no
    // approval lifts) keeps the approval requests of read-mode refusals out of it.
    sb.config_toml("[breaker]\nenabled = false\n");
    sb.user_policy(
        "no-delete.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"id\": \"user.no-delete\", \"reason\": \"no\"} if input.verb == \"delete\"\n",
    );
    let workers = 8;
    let per_worker = 200;
    std::thread::scope(|s| {
        for w in 0..workers {
            let sb = &sb;
            s.spawn(move || {
                let script = format!(
                    "i=0; while [ $i -lt {per_worker} ]; do kubectl delete pod p-{w}-$i 2>/dev/null; i=$((i+1)); done; exit 0"
                );
                // 200 shim calls in one script: on a loaded 2-core machine that takes
                // longer than the default per-command limit. This test is about the chain.
                sb.sh(&script)
                    .timeout(std::time::Duration::from_mins(15))
                    .run()
                    .assert_code(0);
            });
        }
    });
    let lines = log_lines(&sb);
    assert_eq!(lines.len(), workers * per_worker);
    for w in 0..workers {
        for i in 0..per_worker {
            let name = format!("p-{w}-{i}");
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| l["argv"][3] == name.as_str())
                    .count(),
                1,
                "record for {name}"
            );
        }
    }
    sb.failsafe()
        .args(["log", "verify"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("1600 records");
}

#[test]
fn verify_names_the_first_tampered_line() {
    let sb = Sandbox::new();
    for ns in ["a", "b", "c", "d"] {
        sb.tool("kubectl")
            .args(["delete", "ns", ns])
            .run()
            .assert_blocked();
    }
    let path = sb.config.join("decisions.jsonl");
    let text = fs::read_to_string(&path).unwrap_or_default();
    fs::write(&path, text.replacen("\"block\"", "\"allow\"", 2)).expect("edit log");
    sb.failsafe()
        .args(["log", "verify"])
        .run()
        .assert_code(1)
        .assert_stdout_contains(":1");
}

#[test]
fn an_unwritable_log_warns_and_keeps_the_decision() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.config.join("decisions.jsonl")).expect("block the log path");
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_stderr_contains("not logged");
    sb.tool("kubectl")
        .args(["delete", "ns", "x"])
        .run()
        .assert_blocked();
}

#[test]
fn log_required_refuses_when_the_log_cannot_be_written() {
    let sb = Sandbox::new();
    sb.config_toml("[log]\nrequired = true\n");
    fs::create_dir_all(sb.config.join("decisions.jsonl")).expect("block the log path");
    let run = sb.tool("kubectl").args(["get", "pods"]).run();
    run.assert_blocked().assert_stderr_contains("log.required");
    assert!(run.new_calls("kubectl").is_empty());
}

#[test]
fn log_and_report_read_it_back() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("git")
        .args(["push", "--force", "origin", "main"])
        .run()
        .assert_blocked();
    sb.failsafe()
        .args(["log", "--tail", "1"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("git push --force origin main");
    let json = sb.failsafe().args(["log", "--json"]).run();
    // Two decisions and the approval request the refused push filed.
    assert_eq!(json.stdout().lines().count(), 3);
    sb.failsafe()
        .args(["report", "--since", "1h"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("git.push-force");
}

/// The HTML report renders in a real headless Chromium: the page text is there and a
/// screenshot is produced. `scripts/test.sh` installs Chromium (Debian `chromium`).
#[test]
fn log_filters_by_decision_tool_env_pane_and_time() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked();
    sb.tool("git").args(["status"]).run().assert_code(0);
    let count = |args: &[&str]| {
        let run = sb.failsafe().args(["log", "--json"]).args(args).run();
        run.assert_code(0);
        run.stdout().lines().count()
    };
    // Three decisions, and the approval request the read-mode refusal filed.
    assert_eq!(count(&[]), 4);
    assert_eq!(count(&["--decision", "block"]), 1);
    assert_eq!(count(&["--tool", "git"]), 1);
    assert_eq!(count(&["--tool", "kubectl", "--decision", "allow"]), 1);
    assert_eq!(count(&["--since", "1h"]), 4);
    assert_eq!(count(&["--env", "prod"]), 0);
    assert_eq!(count(&["--pane", crate::sandbox::PANE]), 4);
    assert_eq!(count(&["--pane", "another"]), 0);
    assert_eq!(count(&["--tool", "kubectl", "--tail", "1"]), 1);
    sb.failsafe()
        .args(["log", "--since", "soon"])
        .run()
        .assert_code(2)
        .assert_stderr_contains("failsafe: ");
}

#[test]
fn log_follow_prints_records_as_they_are_written() {
    let sb = Sandbox::new();
    let script = format!(
        "{} log --follow --decision block > follow.out & pid=$!; sleep 1; kubectl get pods; kubectl delete ns x; sleep 1.5; kill $pid",
        crate::sandbox::sh_quote(&crate::sandbox::exe().display().to_string())
    );
    sb.sh(&script).cwd(&sb.root).run();
    let text = fs::read_to_string(sb.root.join("follow.out")).unwrap_or_default();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("kubectl delete ns x"), "{text}");
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or_else(|| {
            panic!("chromium is not installed; run ./scripts/test.sh, which installs it")
        });
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["--context", "prod", "delete", "ns", "payments"])
        .run()
        .assert_blocked();
    sb.tool("git")
        .args(["push", "--force", "origin", "main"])
        .run()
        .assert_blocked();
    let html = sb.failsafe().args(["report", "--format", "html"]).run();
    html.assert_code(0);
    let page = sb.write("report.html", &html.stdout());
    for forbidden in ["<script", " src=", "href=\"http"] {
        assert!(
            !html.stdout().contains(forbidden),
            "report is not self-contained: {forbidden}"
        );
    }
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let profile = sb.path("chromium-profile");
    let shot = sb.path("report.png");
    let url = format!("file://{}", page.display());
    let dom = std::process::Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for text in ["kubectl.not-read-only", "git.push-force", "<svg"] {
        assert!(
            dom.contains(text),
            "rendered page lacks {text}:\n{}",
            &dom[..dom.len().min(2000)]
        );
    }
    let status = std::process::Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1200,1600", &url])
        .output()
        .expect("run chromium");
    let size = fs::metadata(&shot).map_or(0, |m| m.len());
    assert!(
        size > 10_000,
        "no screenshot ({size} bytes): {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn lines_in(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(dir.join("decisions.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad log line {l:?}: {e}")))
        .collect()
}

#[test]
fn a_moved_config_dir_is_also_logged_in_the_installed_one_and_reported() {
    let sb = Sandbox::new();
    // The agent makes a config dir of its own: a policy that lifts every block.
    let agent = sb.root.join("agent-config");
    sb.write(
        agent.join("policies/mine.rego"),
        "package failsafe.user\n\nimport rego.v1\n\nallow_override contains {\"id\": \"agent.anything\", \"reason\": \"trust me\"} if true\n",
    );
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .env("FAILSAFE_CONFIG_DIR", &agent)
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);

    // The agent's own log has its record, marked.
    let theirs = lines_in(&agent);
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    let agent_dir = agent.display().to_string();
    assert_eq!(theirs[0]["escape"]["config_dir"], agent_dir.as_str());
    // The installed config dir's log has it too, marked, chained with its own records.
    let ours = log_lines(&sb);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_eq!(ours[0]["decision"], "override");
    assert_eq!(ours[0]["verb"], "delete");
    assert_eq!(ours[0]["escape"]["config_dir"], agent_dir.as_str());
    assert_eq!(ours[0]["escape"]["pane_from"], "");
    assert_eq!(
        ours[0]["escape"]["installed_config_dir"],
        sb.config.display().to_string().as_str()
    );
    assert!(ours[1].get("escape").is_none(), "{:?}", ours[1]);
    assert_eq!(ours[1]["prev_hash"], ours[0]["hash"]);
    for dir in [&sb.config, &agent] {
        sb.failsafe()
            .args(["log", "verify"])
            .env("FAILSAFE_CONFIG_DIR", dir)
            .run()
            .assert_code(0)
            .assert_stdout_contains("chain intact");
    }

    // The human sees it in `failsafe log` and in its own section of `failsafe report`.
    sb.failsafe()
        .arg("log")
        .run()
        .assert_code(0)
        .assert_stdout_contains(&format!("[escaped: config dir {agent_dir}]"));
    let report = sb.failsafe().arg("report").run();
    report
        .assert_code(0)
        .assert_stdout_contains("## Outside the installed set-up")
        .assert_stdout_contains(&format!("`{agent_dir}`"))
        .assert_stdout_contains("`kubectl delete ns payments`");
    let json = sb
        .failsafe()
        .args(["report", "--format", "json"])
        .run()
        .json();
    assert_eq!(
        json["escapes"][0]["config_dir"],
        agent_dir.as_str(),
        "{json:#}"
    );
    let html = sb.failsafe().args(["report", "--format", "html"]).run();
    html.assert_stdout_contains("<h2>Outside the installed set-up</h2>");
}

#[test]
fn another_pane_id_is_marked_in_the_one_log() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["get", "pods"])
        .env("FAILSAFE_PANE", "agent-2")
        .run()
        .assert_code(0);
    let ours = log_lines(&sb);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0]["pane"], "agent-2");
    assert_eq!(ours[0]["escape"]["pane_from"], "FAILSAFE_PANE");
    assert_eq!(ours[0]["escape"]["config_dir"], "");
    sb.failsafe()
        .arg("report")
        .run()
        .assert_stdout_contains("agent-2 (from FAILSAFE_PANE)");
}

#[test]
fn install_shims_records_the_set_up_it_installed_for() {
    let sb = Sandbox::new();
    let dir = sb.root.join("more-shims");
    sb.failsafe()
        .args(["install-shims", "--dir"])
        .arg(&dir)
        .args(["--tools", "kubectl"])
        .run()
        .assert_code(0);
    let text = fs::read_to_string(dir.join(".failsafe-install.json")).unwrap_or_default();
    let record: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(
        record["config_dir"],
        sb.config.display().to_string().as_str(),
        "{text}"
    );
    // Through those shims, a moved config dir names that record.
    let agent = sb.root.join("agent-config");
    let path = format!("{}:{}:/usr/bin:/bin", dir.display(), sb.bin.display());
    sb.tool("kubectl")
        .args(["get", "pods"])
        .path_var(&path)
        .env("FAILSAFE_CONFIG_DIR", &agent)
        .run()
        .assert_code(0);
    let ours = log_lines(&sb);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(
        ours[0]["escape"]["installed_from"],
        dir.join(".failsafe-install.json")
            .display()
            .to_string()
            .as_str()
    );
    sb.failsafe()
        .args(["uninstall-shims", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    assert!(!dir.exists(), "uninstall-shims leaves {}", dir.display());
}
