//! The decision log through the shims: one record per call, redacted, hash-chained,
//! intact under concurrent shims, and what happens when it cannot be written.

use crate::sandbox::Sandbox;
use std::fs;

fn log_lines(sb: &Sandbox) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(sb.config.join("decisions.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad log line {l:?}: {e}")))
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
    let workers = 8;
    let per_worker = 200;
    std::thread::scope(|s| {
        for w in 0..workers {
            let sb = &sb;
            s.spawn(move || {
                let script = format!(
                    "i=0; while [ $i -lt {per_worker} ]; do kubectl delete pod p-{w}-$i 2>/dev/null; i=$((i+1)); done; exit 0"
                );
                sb.sh(&script).run().assert_code(0);
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
    assert_eq!(json.stdout().lines().count(), 2);
    sb.failsafe()
        .args(["report", "--since", "1h"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("git.push-force");
}

/// The HTML report renders in a real headless Chromium: the page text is there and a
/// screenshot is produced. `scripts/test.sh` installs Chromium (Debian `chromium`).
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
    let size = fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "no screenshot ({size} bytes): {}",
        String::from_utf8_lossy(&status.stderr)
    );
}
