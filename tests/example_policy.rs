//! A policy in the compatibility style still works: the `guard.user` package,
//! `future.keywords` imports, an override for dry runs and a prod block.

use crate::sandbox::{line_of, Sandbox};
use std::path::PathBuf;

/// The starter policy, written in the older style docs/policies.md keeps working.
const README_POLICY: &str = r#"package guard.user

import future.keywords.contains
import future.keywords.if
import future.keywords.in

# Dry runs never change anything
allow_override contains {"id": "user.dry-run", "reason": "dry-run only"} if {
	input.kubectl.dry_run in {"client", "server"}
}

# prod is read-only, whatever mode the pane is in
block contains {"id": "user.prod-read-only", "reason": "prod is read-only"} if {
	input.kubectl.cluster_name == "prod"
	not input.verb in {"get", "describe", "logs", "top", "events", "explain", "version", "diff"}
}
"#;

fn setup() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    sb.kubeconfig(&[("prod", "prod"), ("dev", "dev")], "dev");
    let policy = sb.user_policy("readme.rego", README_POLICY);
    (sb, policy)
}

#[test]
fn the_policy_validates() {
    let (sb, policy) = setup();
    sb.failsafe()
        .arg("validate")
        .arg(&policy)
        .run()
        .assert_code(0);
}

#[test]
fn prod_is_read_only_in_write_mode() {
    let (sb, policy) = setup();
    sb.write_mode();
    let line = line_of(README_POLICY, "user.prod-read-only");
    let run = sb
        .tool("kubectl")
        .args(["--context", "prod", "delete", "ns", "payments"])
        .run();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("reason: prod is read-only")
        .assert_stderr_contains(&format!(
            "rule:   user.prod-read-only at {}:{line}",
            policy.display()
        ))
        .assert_stderr_contains("write mode");
    // The same through explain, structurally.
    let v = sb.explain_json(&["kubectl", "--context", "prod", "delete", "ns", "payments"]);
    assert_eq!(v["decision"], "block", "{v:#}");
    assert_eq!(v["fact"]["kubectl"]["cluster_name"], "prod", "{v:#}");
    let reasons = v["reasons"].as_array().cloned().unwrap_or_default();
    assert!(
        reasons.iter().any(|r| r["id"] == "user.prod-read-only"
            && r["layer"] == "user"
            && r["location"] == format!("{}:{line}", policy.display()).as_str()),
        "{v:#}"
    );
}

#[test]
fn reads_on_prod_are_allowed() {
    let (sb, _) = setup();
    sb.write_mode();
    sb.tool("kubectl")
        .args(["--context", "prod", "get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["--context", "prod", "get", "pods"]);
    // And in read mode too.
    sb.failsafe()
        .args(["mode", "set", "ro"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["--context", "prod", "get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["--context", "prod", "get", "pods"]);
}

#[test]
fn the_current_context_counts_when_no_context_flag_is_given() {
    let sb = Sandbox::new();
    sb.kubeconfig(&[("prod", "prod"), ("dev", "dev")], "prod");
    sb.user_policy("readme.rego", README_POLICY);
    sb.write_mode();
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("user.prod-read-only");
    sb.tool("kubectl")
        .args(["--context", "dev", "delete", "deploy", "payments"])
        .run()
        .assert_code(0);
}

#[test]
fn a_dry_run_in_read_mode_runs_and_the_override_fires() {
    let (sb, policy) = setup();
    let argv = [
        "kubectl",
        "--context",
        "dev",
        "apply",
        "-f",
        "x.yaml",
        "--dry-run=server",
    ];
    let v = sb.explain_json(&argv);
    assert_eq!(v["fact"]["kubectl"]["dry_run"], "server", "{v:#}");
    let decision = v["decision"].as_str().unwrap_or_default();
    // policy.md's bundled kubectl policy allows any verb with --dry-run=server in read
    // mode, so nothing may be left to lift ("allow"); if the bundled policy blocks it,
    // the user's override must lift it ("override"). Either way it runs.
    assert!(
        decision == "override" || decision == "allow",
        "a server dry run must run in read mode: {v:#}"
    );
    let line = line_of(README_POLICY, "user.dry-run");
    assert!(
        v["matched"]
            .as_array()
            .is_some_and(|m| m.iter().any(|r| r["id"] == "user.dry-run"
                && r["effect"] == "allow_override"
                && r["location"] == format!("{}:{line}", policy.display()).as_str())),
        "the user's dry-run override should fire: {v:#}"
    );
    sb.tool("kubectl")
        .args(&argv[1..])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &argv[1..]);
}

#[test]
fn without_dry_run_the_bundled_policy_blocks_in_read_mode() {
    let (sb, _) = setup();
    let argv = ["kubectl", "--context", "dev", "apply", "-f", "x.yaml"];
    let v = sb.explain_json(&argv);
    assert_eq!(v["decision"], "block", "{v:#}");
    let reasons = v["reasons"].as_array().cloned().unwrap_or_default();
    assert!(
        !reasons.is_empty() && reasons.iter().all(|r| r["layer"] == "bundled"),
        "only the bundled policy blocks it: {v:#}"
    );
    sb.tool("kubectl")
        .args(&argv[1..])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("bundled/kubectl.rego:");
}

#[test]
fn a_client_dry_run_against_prod_is_lifted_only_from_bundled_blocks() {
    // The prod block is in the same (user) layer as the override, so the override does
    // not lift it: prod stays read-only even for dry runs of mutations.
    let (sb, _) = setup();
    sb.write_mode();
    sb.tool("kubectl")
        .args([
            "--context",
            "prod",
            "delete",
            "ns",
            "payments",
            "--dry-run=client",
        ])
        .run()
        .assert_blocked()
        .assert_stderr_contains("user.prod-read-only");
}

#[rstest::rstest]
#[case::eks("arn:aws:eks:eu-west-1:123456789012:cluster/prod")]
#[case::gke("gke_my-project_europe-west1-b_prod")]
#[case::plain("prod")]
fn prod_is_recognised_by_its_short_cluster_name(#[case] cluster: &str) {
    let sb = Sandbox::new();
    sb.kubeconfig(&[("work", cluster), ("dev", "dev")], "dev");
    sb.user_policy("readme.rego", README_POLICY);
    sb.write_mode();
    sb.tool("kubectl")
        .args(["--context", "work", "delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("user.prod-read-only");
    sb.tool("kubectl")
        .args(["--context", "work", "get", "pods"])
        .run()
        .assert_code(0);
}

#[test]
fn a_cluster_flag_overrides_the_contexts_cluster() {
    let (sb, _) = setup();
    sb.write_mode();
    sb.tool("kubectl")
        .args([
            "--context",
            "dev",
            "--cluster",
            "prod",
            "delete",
            "ns",
            "payments",
        ])
        .run()
        .assert_blocked()
        .assert_stderr_contains("user.prod-read-only");
}

#[test]
fn kubeconfig_env_is_followed_and_merged() {
    let sb = Sandbox::new();
    sb.user_policy("readme.rego", README_POLICY);
    sb.write_mode();
    // The first file only says which context is current; the second defines it.
    let first = sb.write(
        "kube/first.yaml",
        "apiVersion: v1\nkind: Config\ncurrent-context: live\n",
    );
    let second = sb.write(
        "kube/second.yaml",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.example:6443\ncontexts:\n- name: live\n  context:\n    cluster: prod\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n",
    );
    let kubeconfig = format!("{}:{}", first.display(), second.display());
    sb.tool("kubectl")
        .env("KUBECONFIG", &kubeconfig)
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_stderr_contains("user.prod-read-only");
}
