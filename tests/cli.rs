//! The human-facing CLI: explain, modes, self-protection, shims, trust, validate, test,
//! listings, init, doctor, help and completions.

use crate::sandbox::{exe, line_of, Sandbox, BLOCKED, TOOLS};
use rstest::rstest;
use serde_json::Value;
use std::fs;
use std::path::Path;

const USER_POLICY: &str = r#"package failsafe.user

import rego.v1

block contains {"id": "user.no-forbidden", "reason": "the forbidden thing is forbidden"} if {
	"forbidden-thing" in input.args
}
"#;

// ------------------------------------------------------------------------ explain

#[rstest]
#[case::read(&["kubectl", "get", "pods"], 0, "allow")]
#[case::mutation(&["kubectl", "delete", "ns", "payments"], 1, "block")]
#[case::uncertain(&["kubectl", "get", "pods", "-n"], 1, "block")]
#[case::force_push(&["git", "push", "--force", "origin", "main"], 1, "block")]
#[case::help(&["kubectl", "--help"], 0, "allow")]
#[case::no_verb(&["git"], 0, "allow")]
fn explain_exit_status_says_allow_or_block(
    #[case] argv: &[&str],
    #[case] code: i32,
    #[case] decision: &str,
) {
    let sb = Sandbox::new();
    let run = sb
        .failsafe()
        .args(["explain", "--json", "--"])
        .args(argv)
        .run();
    run.assert_code(code);
    let v = run.json();
    run.check(
        v["decision"] == decision,
        format!("decision should be {decision}"),
    );
    sb.failsafe()
        .args(["explain", "--"])
        .args(argv)
        .run()
        .assert_code(code)
        .assert_stdout_contains(&format!("decision: {decision}"));
    // explain never runs anything.
    for tool in TOOLS {
        assert!(sb.calls(tool).is_empty(), "explain ran the real {tool}");
    }
}

#[test]
fn explain_json_has_fact_decision_and_located_reasons() {
    let sb = Sandbox::new();
    let policy = sb.user_policy("team.rego", USER_POLICY);
    let run = sb
        .failsafe()
        .args([
            "explain",
            "--json",
            "--",
            "kubectl",
            "get",
            "forbidden-thing",
        ])
        .run();
    run.assert_code(1);
    let v = run.json();
    let fact = &v["fact"];
    run.check(fact["fact_version"] == 1, "fact.fact_version should be 1")
        .check(fact["tool"] == "kubectl", "fact.tool")
        .check(fact["verb"] == "get", "fact.verb")
        .check(
            fact["args"] == serde_json::json!(["forbidden-thing"]),
            "fact.args",
        )
        .check(fact["source"] == "explain", "fact.source")
        .check(fact["mode"] == "read", "fact.mode")
        .check(fact["pane"] == "test-pane", "fact.pane")
        .check(v["decision"] == "block", "decision");
    let reasons = v["reasons"].as_array().cloned().unwrap_or_default();
    let line = line_of(USER_POLICY, "user.no-forbidden");
    let want = format!("{}:{line}", policy.display());
    run.check(
        reasons
            .iter()
            .any(|r| r["id"] == "user.no-forbidden" && r["location"] == want.as_str()),
        format!("reasons should hold user.no-forbidden at {want}"),
    );
    run.check(
        reasons
            .iter()
            .all(|r| r["location"].as_str().is_some_and(|l| !l.is_empty())),
        "every reason has a location",
    );
}

#[test]
fn explain_takes_one_quoted_string() {
    let sb = Sandbox::new();
    let run = sb
        .failsafe()
        .args(["explain", "--json", "git push --force origin main"])
        .run();
    run.assert_code(1);
    let v = run.json();
    run.check(
        v["fact"]["argv"] == serde_json::json!(["git", "push", "--force", "origin", "main"]),
        "the string is split like a shell would",
    )
    .check(v["fact"]["verb"] == "push", "verb")
    .check(
        v["decision"] == "block",
        "a force push to main is blocked in read mode",
    );
    sb.failsafe()
        .args(["explain", "git push --force origin main"])
        .run()
        .assert_code(1)
        .assert_stdout_contains("decision: block");
}

#[test]
fn explain_says_an_unguarded_program_is_never_seen() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["explain", "rm -rf /"])
        .run()
        .assert_code(3)
        .assert_stdout_contains("`rm` is not guarded: failsafe never sees this command");
    let run = sb
        .failsafe()
        .args(["explain", "--json", "--", "rm", "-rf", "/"])
        .run();
    run.assert_code(3);
    run.check(
        run.json()["guarded"] == false && run.json()["decision"].is_null(),
        "json says not guarded, no decision",
    );
}

#[test]
fn explain_puts_the_decision_first_and_the_fact_on_request() {
    let sb = Sandbox::new();
    let run = sb
        .failsafe()
        .args(["explain", "--", "kubectl", "delete", "ns", "x"])
        .run();
    run.assert_code(1);
    run.check(
        run.stdout().starts_with("decision: block\n"),
        "decision first",
    )
    .check(
        !run.stdout().contains("\"fact_version\""),
        "no fact without --fact",
    );
    sb.failsafe()
        .args(["explain", "--fact", "--", "kubectl", "delete", "ns", "x"])
        .run()
        .assert_code(1)
        .assert_stdout_contains("\"fact_version\"");
}

#[test]
fn explain_mode_flag_overrides_the_pane() {
    let sb = Sandbox::new();
    let run = sb
        .failsafe()
        .args([
            "explain", "--mode", "rw", "--json", "--", "kubectl", "delete", "deploy", "x",
        ])
        .run();
    run.assert_code(0);
    let v = run.json();
    run.check(v["fact"]["mode"] == "write", "fact.mode should be write")
        .check(v["decision"] == "allow", "nothing blocks in write mode");
    // The pane itself is untouched.
    assert!(
        !sb.mode_file().exists(),
        "explain --mode wrote the mode file"
    );
}

// -------------------------------------------------------------------------- modes

#[test]
fn mode_defaults_to_read_and_set_get_round_trips() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_code(0)
        .assert_stdout_eq("read\n");
    sb.failsafe()
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(0);
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_code(0)
        .assert_stdout_eq("write\n");
    let json = sb.failsafe().args(["mode", "get", "--json"]).run();
    json.assert_code(0);
    let v = json.json();
    json.check(
        v["mode"] == "write" && v["pane"] == "test-pane",
        "mode get --json",
    );
}

#[rstest]
#[case("rw", "write")]
#[case("w", "write")]
#[case("write", "write")]
#[case("ro", "read")]
#[case("r", "read")]
#[case("read", "read")]
fn mode_set_accepts_every_alias(#[case] word: &str, #[case] mode: &str) {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "set", word])
        .run()
        .assert_code(0);
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq(&format!("{mode}\n"));
}

#[test]
fn mode_set_rejects_an_unknown_word_with_a_usage_error() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "set", "banana"])
        .run()
        .assert_code(2);
    assert!(!sb.mode_file().exists());
}

#[test]
fn modes_are_per_pane() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(0);
    sb.failsafe()
        .env("FAILSAFE_PANE", "other-pane")
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("read\n");
    sb.failsafe()
        .env_remove("FAILSAFE_PANE")
        .env("TMUX_PANE", "%7")
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("read\n");
}

#[test]
fn tmux_pane_percent_one_is_shown_as_typed_and_has_its_own_mode_file() {
    let sb = Sandbox::new();
    sb.failsafe()
        .env_remove("FAILSAFE_PANE")
        .env("TMUX_PANE", "%1")
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(0);
    sb.failsafe()
        .env_remove("FAILSAFE_PANE")
        .env("TMUX_PANE", "_1")
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("read\n");
    sb.failsafe()
        .env_remove("FAILSAFE_PANE")
        .env("TMUX_PANE", "%1")
        .args(["explain", "--", "kubectl", "get", "pods"])
        .run()
        .assert_stdout_contains("(pane %1)");
}

#[test]
fn messages_quote_only_what_a_shell_needs() {
    let sb = Sandbox::new();
    let run = sb.failsafe().args(["explain", "git gc --prune=now"]).run();
    run.assert_code(1)
        .assert_stdout_contains("command:  git gc --prune=now\n");
    run.check(
        !run.stdout().contains("'--prune=now'"),
        "no quotes the user never typed",
    );
}

#[test]
fn toggle_flips_and_says_old_to_new() {
    let sb = Sandbox::new();
    sb.failsafe()
        .arg("toggle")
        .run()
        .assert_code(0)
        .assert_stdout_contains("read → write");
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("write\n");
    sb.failsafe()
        .arg("toggle")
        .run()
        .assert_code(0)
        .assert_stdout_contains("write → read");
}

// ---------------------------------------------------------------- self-protection

#[rstest]
#[case::toggle(&["toggle"])]
#[case::mode_set(&["mode", "set", "rw"])]
#[case::mode_set_alias(&["mode", "set", "write"])]
#[case::trust_add(&["trust", "add", "{policy}"])]
#[case::trust_add_default(&["trust", "add"])]
#[case::trust_remove(&["trust", "remove", "{policy}"])]
#[case::install_shims(&["install-shims", "--dir", "{newdir}"])]
#[case::install_shims_default(&["install-shims"])]
#[case::uninstall_shims(&["uninstall-shims", "--dir", "{shims}"])]
fn changing_commands_refuse_to_run_from_a_guarded_context(#[case] args: &[&str]) {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(
        &repo,
        "package failsafe.repo\n\nimport rego.v1\n\nallow_override contains {\"id\": \"repo.all\", \"reason\": \"all\"} if true\n",
    );
    let newdir = sb.root.join("new-shims");
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{policy}", &policy.display().to_string())
                .replace("{newdir}", &newdir.display().to_string())
                .replace("{shims}", &sb.shims.display().to_string())
        })
        .collect();
    let run = sb.failsafe_guarded().args(&args).cwd(&repo).run();
    run.assert_code(BLOCKED)
        .check(run.output.stdout.is_empty(), "nothing on stdout")
        .assert_stderr_contains("own terminal")
        .check(!sb.mode_file().exists(), "the mode file was written")
        .check(
            !sb.config.join("trust.json").exists(),
            "the trust store was written",
        )
        .check(!newdir.exists(), "the new shim dir was created")
        .check(
            !sb.xdg_data.join("failsafe/shims").exists(),
            "the default shim dir was created",
        );
    for tool in TOOLS {
        run.check(
            sb.shims.join(tool).exists(),
            format!("the {tool} shim was removed"),
        );
    }
}

#[test]
fn a_guarded_context_is_recognised_through_a_symlinked_shim_dir() {
    let sb = Sandbox::new();
    let link = sb.root.join("linked-shims");
    std::os::unix::fs::symlink(&sb.shims, &link).unwrap();
    sb.set_mode_file("read\n");
    let run = sb
        .failsafe()
        .path_var(format!("{}:/usr/bin:/bin", link.display()))
        .arg("toggle")
        .run();
    run.assert_code(BLOCKED)
        .assert_stderr_contains("own terminal");
    assert_eq!(fs::read_to_string(sb.mode_file()).unwrap(), "read\n");
}

#[test]
fn the_mode_file_is_unchanged_after_a_refused_toggle() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["mode", "set", "ro"])
        .run()
        .assert_code(0);
    let before = fs::read(sb.mode_file()).unwrap();
    sb.failsafe_guarded()
        .arg("toggle")
        .run()
        .assert_code(BLOCKED);
    sb.failsafe_guarded()
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(BLOCKED);
    assert_eq!(fs::read(sb.mode_file()).unwrap(), before);
    // Reading is fine from anywhere.
    sb.failsafe_guarded()
        .args(["mode", "get"])
        .run()
        .assert_code(0)
        .assert_stdout_eq("read\n");
}

// -------------------------------------------------------------------------- shims

#[test]
fn install_and_uninstall_shims() {
    let sb = Sandbox::new();
    let dir = sb.root.join("agent-shims");
    let run = sb
        .failsafe()
        .args(["install-shims", "--dir"])
        .arg(&dir)
        .run();
    run.assert_code(0)
        .assert_stdout_contains(&format!("export PATH=\"{}:$PATH\"", dir.display()));
    let me = exe().canonicalize().unwrap();
    for tool in TOOLS {
        let link = dir.join(tool);
        let meta = fs::symlink_metadata(&link);
        run.check(
            meta.is_ok_and(|m| m.file_type().is_symlink()),
            format!("{} should be a symlink", link.display()),
        )
        .check(
            link.canonicalize().ok().as_deref() == Some(me.as_path()),
            format!("{} should resolve to the failsafe binary", link.display()),
        );
    }
    // The new shims work as shims.
    sb.tool("kubectl")
        .path_var(format!("{}:{}", dir.display(), sb.bin.display()))
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
    // Installing again is harmless.
    sb.failsafe()
        .args(["install-shims", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    // Something of the user's own in the same directory survives uninstall.
    let mine = sb.write(dir.join("my-script"), "#!/bin/sh\n");
    std::os::unix::fs::symlink("/bin/sh", dir.join("sh")).unwrap();
    sb.failsafe()
        .args(["uninstall-shims", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    for tool in TOOLS {
        assert!(
            fs::symlink_metadata(dir.join(tool)).is_err(),
            "{tool} shim left behind"
        );
    }
    assert!(mine.exists(), "uninstall removed a file that is not a shim");
    assert!(
        fs::symlink_metadata(dir.join("sh")).is_ok(),
        "uninstall removed a symlink that is not a shim"
    );
}

#[test]
fn install_shims_defaults_to_the_xdg_data_dir() {
    let sb = Sandbox::new();
    let dir = sb.xdg_data.join("failsafe/shims");
    sb.failsafe()
        .arg("install-shims")
        .run()
        .assert_code(0)
        .assert_stdout_contains(&dir.display().to_string());
    for tool in TOOLS {
        assert!(
            dir.join(tool).exists(),
            "{tool} shim missing in {}",
            dir.display()
        );
    }
    sb.failsafe().arg("uninstall-shims").run().assert_code(0);
    assert!(!dir.join("kubectl").exists());
}

#[test]
fn install_shims_for_some_tools_and_suggests_on_a_typo() {
    let sb = Sandbox::new();
    let dir = sb.root.join("some-shims");
    sb.failsafe()
        .args(["install-shims", "--tools", "kubectl,git", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The shims, the `failsafe` link, and the install record (see tests/log.rs).
    assert_eq!(
        names,
        vec![".failsafe-install.json", "failsafe", "git", "kubectl"]
    );
    let typo_dir = sb.root.join("typo-shims");
    sb.failsafe()
        .args(["install-shims", "--tools", "kubctl", "--dir"])
        .arg(&typo_dir)
        .run()
        .assert_code(2)
        .assert_stderr_contains("`kubectl`");
    assert!(!typo_dir.join("kubctl").exists());
}

// -------------------------------------------------------------------------- trust

const REPO_OVERRIDE: &str = r#"package failsafe.repo

import rego.v1

# Scratch namespaces in this project are disposable.
allow_override contains {"id": "repo.scratch", "reason": "scratch namespaces are disposable"} if {
	input.verb == "delete"
	"scratch-1" in input.args
}
"#;

#[test]
fn a_repo_override_applies_only_while_trusted() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(&repo, REPO_OVERRIDE);
    let delete = || {
        sb.tool("kubectl")
            .args(["delete", "ns", "scratch-1"])
            .cwd(&repo)
            .run()
    };

    // Untrusted: the override is ignored, and the refusal says how to trust it.
    delete()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("trust add");
    let v = sb
        .failsafe()
        .args([
            "explain",
            "--json",
            "--",
            "kubectl",
            "delete",
            "ns",
            "scratch-1",
        ])
        .cwd(&repo)
        .run()
        .json();
    assert_eq!(v["decision"], "block", "{v:#}");
    assert!(
        v["ignored_overrides"]
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["id"] == "repo.scratch")),
        "the untrusted override should be listed as ignored: {v:#}"
    );

    // Trusted (from the human's terminal, default path = nearest .failsafe.rego).
    sb.failsafe()
        .args(["trust", "add"])
        .cwd(&repo)
        .run()
        .assert_code(0)
        .assert_stdout_contains(&policy.display().to_string());
    delete()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "ns", "scratch-1"]);
    let v = sb
        .failsafe()
        .args([
            "explain",
            "--json",
            "--",
            "kubectl",
            "delete",
            "ns",
            "scratch-1",
        ])
        .cwd(&repo)
        .run()
        .json();
    assert_eq!(v["decision"], "override", "{v:#}");
    // Other deletions are still blocked.
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .cwd(&repo)
        .run()
        .assert_blocked();
    let list = sb.failsafe().args(["trust", "list", "--json"]).run();
    let entries = list.json()["entries"].clone();
    list.check(
        entries[0]["path"] == policy.display().to_string().as_str()
            && entries[0]["status"] == "trusted",
        "trust list should show the file as trusted",
    );

    // Edited: untrusted again until re-trusted.
    let mut text = fs::read_to_string(&policy).unwrap();
    text.push_str("\n# an innocent-looking edit\n");
    fs::write(&policy, text).unwrap();
    delete().assert_blocked().assert_not_ran("kubectl");
    let list = sb.failsafe().args(["trust", "list", "--json"]).run();
    list.check(
        list.json()["entries"][0]["status"] == "changed",
        "trust list should show the file as changed",
    );
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(0);
    delete().assert_code(0);

    // Removed: untrusted again.
    sb.failsafe()
        .args(["trust", "remove"])
        .arg(&policy)
        .run()
        .assert_code(0);
    delete().assert_blocked();
}

#[test]
fn a_repo_block_applies_even_untrusted_and_in_write_mode() {
    let sb = Sandbox::new();
    sb.write_mode();
    let repo = sb.git_repo("app");
    let text = "package failsafe.repo\n\nimport rego.v1\n\nblock contains {\"id\": \"repo.keep-prod\", \"reason\": \"this repo never deletes prod\"} if {\n\tinput.verb == \"delete\"\n\t\"prod\" in input.args\n}\n";
    let policy = sb.repo_policy(&repo, text);
    let line = line_of(text, "repo.keep-prod");
    sb.tool("kubectl")
        .args(["delete", "deploy", "prod"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&format!("repo.keep-prod at {}:{line}", policy.display()));
    sb.tool("kubectl")
        .args(["delete", "deploy", "dev"])
        .cwd(&repo)
        .run()
        .assert_code(0);
}

#[test]
fn an_untrusted_sub_directory_policy_cannot_silence_a_root_block() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let root = "package failsafe.repo\n\nimport rego.v1\n\nblock contains {\"id\": \"repo.no-get\", \"reason\": \"this repo reads nothing\"} if {\n\tinput.verb == \"get\"\n\tnot exempt\n}\n\nexempt if input.env.BREAK_GLASS == \"yes\"\n";
    let policy = sb.repo_policy(&repo, root);
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(0);
    let sub = repo.join("sub");
    sb.repo_policy(
        &sub,
        "package failsafe.repo\n\nimport rego.v1\n\nexempt if true\n",
    );
    let line = line_of(root, "repo.no-get");
    sb.tool("kubectl")
        .args(["get", "pods"])
        .cwd(&sub)
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&format!("repo.no-get at {}:{line}", policy.display()));
    let v = sb
        .failsafe()
        .args(["explain", "--json", "--", "kubectl", "get", "pods"])
        .cwd(&sub)
        .run()
        .json();
    assert_eq!(v["decision"], "block", "{v:#}");
    // `failsafe test` decides the same, from argv and from a fact.
    let cases = sb.root.join("cases");
    sb.write(cases.join("argv/argv"), "kubectl get pods\n");
    let fact = serde_json::json!({"tool": "kubectl", "binary": "kubectl", "verb": "get",
        "args": ["pods"], "cwd": sub.display().to_string(), "env": {}});
    sb.write(cases.join("fact/fact.json"), &fact.to_string());
    for case in ["argv", "fact"] {
        sb.write(
            cases.join(case).join("expected.json"),
            r#"{"decision": "block", "ids": ["repo.no-get"]}"#,
        );
    }
    sb.failsafe()
        .arg("test")
        .arg(&cases)
        .cwd(&sub)
        .run()
        .assert_code(0)
        .assert_stdout_contains("2 passed, 0 failed");
}

#[test]
fn a_repo_policy_cannot_claim_the_user_package() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(
        &repo,
        "package failsafe.user\n\nimport rego.v1\n\nallow_override contains {\"reason\": \"sneaky\"} if true\n",
    );
    sb.failsafe().args(["trust", "add"]).arg(&policy).run();
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_stderr_contains(&policy.display().to_string());
}

#[test]
fn trust_add_refuses_a_file_that_does_not_parse() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(&repo, "package failsafe.repo\n\nblock contains {\n");
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(1)
        .assert_stderr_contains(&policy.display().to_string());
    assert!(!sb.config.join("trust.json").exists());
}

// ------------------------------------------------------------- validate and test

#[test]
fn validate_exit_status_says_ok_or_broken() {
    let sb = Sandbox::new();
    let good = sb.write("policies/good.rego", USER_POLICY);
    let broken = sb.write(
        "policies/broken.rego",
        "package failsafe.user\n\nblock contains {\n",
    );
    sb.failsafe()
        .arg("validate")
        .arg(&good)
        .run()
        .assert_code(0)
        .assert_stdout_contains(&good.display().to_string());
    sb.failsafe()
        .arg("validate")
        .arg(&broken)
        .run()
        .assert_code(1)
        .assert_stdout_contains(&broken.display().to_string());
    sb.failsafe()
        .arg("validate")
        .arg(&good)
        .arg(&broken)
        .run()
        .assert_code(1);
    let json = sb
        .failsafe()
        .args(["validate", "--json"])
        .arg(&broken)
        .run();
    json.check(
        json.json()["files"][0]["ok"] == false,
        "validate --json marks it broken",
    );
    // --strict wants an id on every rule.
    let no_id = sb.write(
        "policies/no-id.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"reason\": \"r\"} if input.verb == \"x\"\n",
    );
    sb.failsafe()
        .arg("validate")
        .arg(&no_id)
        .run()
        .assert_code(0);
    sb.failsafe()
        .args(["validate", "--strict"])
        .arg(&no_id)
        .run()
        .assert_code(1);
    sb.failsafe()
        .arg("validate")
        .arg(sb.root.join("missing.rego"))
        .run()
        .assert_code(1);
}

#[test]
fn validate_without_argument_checks_the_whole_config_dir() {
    let sb = Sandbox::new();
    sb.failsafe().arg("init").run().assert_code(0);
    sb.write(
        sb.config.join("tools/docker.toml"),
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/examples/tools/docker.toml"
        ))
        .unwrap(),
    );
    sb.set_mode_file("write\n");
    let run = sb.failsafe().arg("validate").run();
    run.assert_code(0)
        .assert_stdout_contains("config.toml (config)")
        .assert_stdout_contains("starter.rego (policy)")
        .assert_stdout_contains("docker.toml (tool spec)")
        .assert_stdout_contains("(mode file)");
    run.check(
        !run.stdout().contains("BROKEN"),
        "nothing is broken after init",
    );
    // config.toml named on the command line is a config, not a tool spec.
    sb.failsafe()
        .arg("validate")
        .arg(sb.config.join("config.toml"))
        .run()
        .assert_code(0)
        .assert_stdout_contains("(config)");
    sb.set_mode_file("maybe\n");
    sb.failsafe()
        .arg("validate")
        .run()
        .assert_code(1)
        .assert_stdout_contains("BROKEN");
}

#[test]
fn validate_finds_a_rule_that_fails_at_evaluation() {
    let sb = Sandbox::new();
    let policy = sb.user_policy(
        "fmt.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"id\": \"user.fmt\", \"reason\": sprintf(\"%s\", input.verb)} if input.tool == \"kubectl\"\n",
    );
    let run = sb
        .failsafe()
        .args(["validate", "--json"])
        .arg(&policy)
        .run();
    run.assert_code(1);
    let v = run.json();
    run.check(v["files"][0]["verdict"] == "broken", "the file is broken");
    let error = v["files"][0]["errors"][0].as_str().unwrap_or("");
    run.check(
        error.contains("sprintf") && error.contains("fmt.rego:5") && error.contains("`kubectl "),
        "the error names the rule, its line and the sample command",
    );
    run.check(
        v["files"][0]["errors"].as_array().map(Vec::len) == Some(1),
        "one error per rule",
    );
}

#[test]
fn validate_strict_verdict_and_exit_status_agree() {
    let sb = Sandbox::new();
    // Parses as Rego v1, but does not import rego.v1: --strict says so.
    let old = sb.user_policy(
        "old.rego",
        "package failsafe.user\n\nimport future.keywords.contains\nimport future.keywords.if\n\nblock contains {\"id\": \"user.x\", \"reason\": \"r\"} if input.verb == \"x\"\n",
    );
    sb.failsafe().arg("validate").arg(&old).run().assert_code(0);
    let run = sb.failsafe().args(["validate", "--strict"]).arg(&old).run();
    run.assert_code(1)
        .assert_stdout_contains("import rego.v1")
        .assert_stderr_contains("failsafe: ");
    run.check(
        !run.stdout().starts_with("ok"),
        "a failing file is not printed as ok",
    );
}

#[test]
fn test_takes_a_policy_dir_and_passes_the_target_fixtures_on_a_fresh_home() {
    let sb = Sandbox::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    sb.failsafe()
        .arg("test")
        .arg(root.join("tests/fixtures/targets"))
        .arg("--policies")
        .arg(root.join("policies/examples/targets"))
        .run()
        .assert_code(0)
        .assert_stdout_contains("16 passed, 0 failed");
    // Without them the user layer is empty, so the prod cases fail.
    sb.failsafe()
        .arg("test")
        .arg(root.join("tests/fixtures/targets"))
        .run()
        .assert_code(1);
}

#[test]
fn audit_prints_each_rule_id_next_to_its_location() {
    let sb = Sandbox::new();
    sb.user_policy("mine.rego", USER_POLICY);
    let run = sb.failsafe().arg("audit").run();
    run.assert_code(0);
    for (id, file) in [
        ("self.human-only-command", "bundled/self.rego:"),
        ("uncertain.unreadable-input", "bundled/uncertain.rego:"),
        ("target.uncertain", "bundled/target.rego:"),
        ("kubectl.not-read-only", "bundled/kubectl.rego:"),
    ] {
        run.check(
            run.stdout()
                .lines()
                .any(|l| l.contains(id) && l.contains(file)),
            format!("`{id}` is shown next to {file}"),
        );
    }
    run.check(
        run.stdout()
            .lines()
            .any(|l| l.contains("user.") && l.contains("mine.rego:")),
        "user rules carry their ids too",
    );
}

#[test]
fn completions_help_suggests_a_path_that_can_be_written_on_a_fresh_home() {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["completions", "--help"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("mkdir -p ~/.local/share/bash-completion/completions");
}

/// A corpus: two argv cases, two fact cases, one `test_*` rule file.
fn corpus(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.root.join("corpus");
    sb.write(dir.join("uncertain-flag/argv"), "kubectl get pods -n\n");
    sb.write(
        dir.join("uncertain-flag/expected.json"),
        r#"{"decision": "block", "ids": ["uncertain.unreadable-input"]}"#,
    );
    sb.write(dir.join("plain-get/argv"), r#"["kubectl", "get", "pods"]"#);
    sb.write(
        dir.join("plain-get/expected.json"),
        r#"{"decision": "allow"}"#,
    );
    let fact = |mode: &str, uncertain: &str| {
        format!(
            r#"{{"fact_version": 1, "tool": "kubectl", "binary": "kubectl",
  "argv": ["kubectl", "get", "pods"], "verb": "get", "subverb": "", "args": ["pods"],
  "flags": {{}}, "flags_all": {{}}, "mode": "{mode}", "cwd": "/", "source": "test",
  "pane": "p", "env": {{}}, "target": {{"env": "unknown", "name": "", "kind": ""}},
  "uncertain": [{uncertain}]}}"#
        )
    };
    sb.write(
        dir.join("facts/unreadable-kubeconfig/fact.json"),
        &fact("read", r#""kubeconfig /x cannot be parsed""#),
    );
    sb.write(
        dir.join("facts/unreadable-kubeconfig/expected.json"),
        r#"{"decision": "block", "ids": ["uncertain.unreadable-input"]}"#,
    );
    sb.write(dir.join("facts/write-mode/fact.json"), &fact("write", ""));
    sb.write(
        dir.join("facts/write-mode/expected.json"),
        r#"{"decision": "allow"}"#,
    );
    sb.write(
        dir.join("rules_test.rego"),
        "package failsafe.user_test\n\nimport rego.v1\n\ntest_arithmetic if {\n\t1 + 1 == 2\n}\n",
    );
    dir
}

#[test]
fn test_runs_cases_and_rules_and_counts() {
    let sb = Sandbox::new();
    let dir = corpus(&sb);
    sb.failsafe()
        .arg("test")
        .arg(&dir)
        .run()
        .assert_code(0)
        .assert_stdout_contains("5 passed, 0 failed");
    // One wrong expectation and one failing rule.
    sb.write(
        dir.join("plain-get/expected.json"),
        r#"{"decision": "block"}"#,
    );
    sb.write(
        dir.join("more_test.rego"),
        "package failsafe.more_test\n\nimport rego.v1\n\ntest_wrong if {\n\t1 + 1 == 3\n}\n",
    );
    let run = sb.failsafe().arg("test").arg(&dir).run();
    run.assert_code(1)
        .assert_stdout_contains("4 passed, 2 failed")
        .assert_stdout_contains("plain-get")
        .assert_stdout_contains("test_wrong");
    let json = sb.failsafe().args(["test", "--json"]).arg(&dir).run();
    let v = json.json();
    json.check(v["passed"] == 4 && v["failed"] == 2, "test --json counts");
}

#[test]
fn test_of_an_empty_directory_fails() {
    let sb = Sandbox::new();
    let dir = sb.root.join("empty-corpus");
    fs::create_dir_all(&dir).unwrap();
    sb.failsafe().arg("test").arg(&dir).run().assert_code(1);
    sb.failsafe()
        .arg("test")
        .arg(sb.root.join("no-such-dir"))
        .run()
        .assert_code(2);
}

// ---------------------------------------------------------------------- listings

#[test]
fn policies_list_json_shows_every_layer() {
    let sb = Sandbox::new();
    let user = sb.user_policy("team.rego", USER_POLICY);
    let repo = sb.git_repo("app");
    let repo_policy = sb.repo_policy(&repo, REPO_OVERRIDE);
    let run = sb
        .failsafe()
        .args(["policies", "list", "--json"])
        .cwd(&repo)
        .run();
    run.assert_code(0);
    let v = run.json();
    run.check(
        v["bundled"]
            .as_array()
            .is_some_and(|b| b.iter().any(|p| p["path"] == "bundled/kubectl.rego")),
        "bundled policies listed",
    )
    .check(
        v["user"] == serde_json::json!([user.display().to_string()]),
        "user policy listed",
    )
    .check(
        v["repo"][0]["path"] == repo_policy.display().to_string().as_str()
            && v["repo"][0]["trusted"] == false,
        "repo policy listed as untrusted",
    );
    let text = sb.failsafe().args(["policies", "list"]).cwd(&repo).run();
    text.assert_code(0)
        .assert_stdout_contains(&user.display().to_string())
        .assert_stdout_contains("not trusted");
}

#[test]
fn tools_list_names_every_guarded_tool() {
    let sb = Sandbox::new();
    let run = sb.failsafe().args(["tools", "list"]).run();
    run.assert_code(0);
    for tool in TOOLS {
        run.assert_stdout_contains(tool);
    }
    let json = sb.failsafe().args(["tools", "list", "--json"]).run();
    let v = json.json();
    let binaries: Vec<&str> = v["tools"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["binary"].as_str()).collect())
        .unwrap_or_default();
    for tool in TOOLS {
        json.check(
            binaries.contains(tool),
            format!("tools list --json lacks {tool}"),
        );
    }
    json.check(
        v["tools"].as_array().is_some_and(|a| {
            a.iter()
                .any(|t| t["binary"] == "tofu" && t["tool"] == "terraform")
        }),
        "tofu is listed as terraform",
    );
}

#[test]
fn audit_shows_each_rule_with_file_and_line() {
    let sb = Sandbox::new();
    let user = sb.user_policy("team.rego", USER_POLICY);
    let line = line_of(USER_POLICY, "user.no-forbidden");
    let run = sb.failsafe().arg("audit").run();
    run.assert_code(0)
        .assert_stdout_contains(&format!("{}:{line}", user.display()));
    let json = sb.failsafe().args(["audit", "--json"]).run();
    json.assert_code(0).json();
}

// --------------------------------------------------------------------------- init

#[test]
fn init_writes_a_starter_policy_and_config_that_work() {
    let sb = Sandbox::new();
    let policy = sb.config.join("policies/starter.rego");
    let config = sb.config.join("config.toml");
    sb.failsafe()
        .arg("init")
        .run()
        .assert_code(0)
        .assert_stdout_contains(&policy.display().to_string())
        .assert_stdout_contains(&config.display().to_string());
    assert!(policy.is_file() && config.is_file());
    // What the README teaches: package failsafe.user with import rego.v1.
    let text = fs::read_to_string(&policy).unwrap();
    assert!(
        text.contains("package failsafe.user") && text.contains("import rego.v1"),
        "{text}"
    );
    let example = sb.config.join("examples/targets/helm-uninstall-prod.rego");
    assert!(example.is_file(), "the target examples are offered");
    sb.failsafe().arg("validate").run().assert_code(0);
    sb.failsafe()
        .args(["validate", "--strict"])
        .arg(&policy)
        .run()
        .assert_code(0);
    // The starter files do not break anything.
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
    // A second init keeps the user's edits.
    fs::write(&config, "# mine\n").unwrap();
    sb.failsafe().arg("init").run().assert_code(0);
    assert_eq!(fs::read_to_string(&config).unwrap(), "# mine\n");
}

// ------------------------------------------------------------------------- doctor

fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["check"] == name))
        .unwrap_or_else(|| panic!("doctor has no check {name:?}: {v:#}"))
}

#[test]
fn doctor_sees_the_shim_dir_first_on_path() {
    let sb = Sandbox::new();
    let run = sb.failsafe_guarded().args(["doctor", "--json"]).run();
    let v = run.json();
    let path = check(&v, "shim directory on PATH");
    run.check(
        path["ok"] == true,
        "the shim dir should be reported on PATH",
    )
    .check(
        path["detail"] == sb.shims.display().to_string().as_str(),
        "the detail names the shim dir",
    );
    for tool in TOOLS {
        let c = check(&v, &format!("{tool} on PATH"));
        run.check(
            c["ok"] == true,
            format!("{tool} should be reported as guarded"),
        );
    }
    let cfg = check(&v, "config.toml");
    run.check(cfg["ok"] == true, "no config.toml is fine");
}

#[test]
fn doctor_reports_a_missing_shim_dir_and_a_shadowing_tool() {
    let sb = Sandbox::new();
    let run = sb.failsafe().args(["doctor", "--json"]).run();
    run.assert_code(1);
    let v = run.json();
    run.check(v["ok"] == false, "overall not ok").check(
        check(&v, "shim directory on PATH")["ok"] == false,
        "no shim dir on the human's PATH",
    );
    // A real kubectl before the shims: calls are not guarded.
    let shadowed = sb
        .failsafe()
        .path_var(format!(
            "{}:{}:/usr/bin:/bin",
            sb.bin.display(),
            sb.shims.display()
        ))
        .args(["doctor", "--json"])
        .run();
    let v = shadowed.json();
    shadowed.check(
        check(&v, "kubectl on PATH")["ok"] == false,
        "kubectl before the shim dir must be reported",
    );
}

#[test]
fn doctor_skips_a_non_executable_file_like_the_shim_does() {
    let sb = Sandbox::new();
    // A plain file named kubectl before the shims: a shell would not run it, so the
    // shim is still what the agent gets, and doctor must agree.
    let dir = sb.root.join("not-exec");
    sb.write(dir.join("kubectl"), "not a program\n");
    let run = sb
        .failsafe()
        .path_var(format!(
            "{}:{}:{}:/usr/bin:/bin",
            dir.display(),
            sb.shims.display(),
            sb.bin.display()
        ))
        .args(["doctor", "--json"])
        .run();
    let v = run.json();
    run.check(
        check(&v, "kubectl on PATH")["ok"] == true,
        "a non-executable file does not shadow the shim",
    );
}

#[test]
fn doctor_reports_a_broken_config_and_policy() {
    let sb = Sandbox::new();
    let cfg = sb.config_toml("not = = toml\n");
    let pol = sb.user_policy("broken.rego", "package failsafe.user\n\nblock contains {\n");
    let run = sb.failsafe_guarded().args(["doctor", "--json"]).run();
    run.assert_code(1);
    let v = run.json();
    let c = check(&v, "config.toml");
    run.check(c["ok"] == false, "config.toml should fail")
        .check(
            c["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&cfg.display().to_string())),
            "the detail names config.toml",
        );
    let p = check(&v, "policies");
    run.check(
        p["ok"] == false
            && p["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&pol.display().to_string())),
        "the broken policy is named",
    );
}

// ------------------------------------------------------------ help and completions

#[test]
fn help_has_examples() {
    let sb = Sandbox::new();
    sb.failsafe()
        .arg("--help")
        .run()
        .assert_code(0)
        .assert_stdout_contains("Examples");
}

#[rstest]
#[case(&["explain"])]
#[case(&["mode"])]
#[case(&["toggle"])]
#[case(&["trust"])]
#[case(&["policies"])]
#[case(&["tools"])]
#[case(&["audit"])]
#[case(&["validate"])]
#[case(&["test"])]
#[case(&["install-shims"])]
#[case(&["uninstall-shims"])]
#[case(&["doctor"])]
#[case(&["init"])]
#[case(&["completions"])]
fn every_command_has_help_with_an_example(#[case] command: &[&str]) {
    let sb = Sandbox::new();
    sb.failsafe()
        .args(command)
        .arg("--help")
        .run()
        .assert_code(0)
        .assert_stdout_contains("Example");
}

#[rstest]
#[case("bash", "complete")]
#[case("zsh", "#compdef failsafe")]
#[case("fish", "complete -c failsafe")]
fn completions_are_printed(#[case] shell: &str, #[case] marker: &str) {
    let sb = Sandbox::new();
    let run = sb.failsafe().args(["completions", shell]).run();
    run.assert_code(0)
        .assert_stdout_contains(marker)
        .assert_stdout_contains("install-shims");
}

#[rstest]
#[case::unknown_command(&["frobnicate"])]
#[case::explain_without_command(&["explain"])]
fn usage_errors_exit_2(#[case] args: &[&str]) {
    let sb = Sandbox::new();
    let run = sb.failsafe().args(args).run();
    run.assert_code(2);
}

#[test]
fn version_is_printed() {
    let sb = Sandbox::new();
    sb.failsafe()
        .arg("--version")
        .run()
        .assert_code(0)
        .assert_stdout_contains(env!("CARGO_PKG_VERSION"));
}

/// The helper itself: a Sandbox never leaks the developer's environment.
#[test]
fn sandbox_environment_is_isolated() {
    let sb = Sandbox::new();
    let run = sb.program("/usr/bin/env").run();
    run.assert_code(0);
    let env = run.stdout();
    for line in env.lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        let inside = v.is_empty()
            || v.contains(&*sb.root.display().to_string())
            || ["LC_ALL", "GIT_CONFIG_NOSYSTEM", "FAILSAFE_PANE", "PWD"].contains(&k);
        run.check(
            inside || k == "PATH",
            format!("{k} leaks from outside the sandbox"),
        );
    }
    run.check(
        Path::new(&sb.home).starts_with(&sb.root),
        "HOME inside the sandbox",
    );
}

#[test]
fn files_failsafe_writes_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(&repo, REPO_OVERRIDE);
    // A config dir that does not exist yet, so failsafe creates it.
    let config = sb.root.join("fresh-config");
    let fs_cmd = || sb.failsafe().env("FAILSAFE_CONFIG_DIR", &config);
    fs_cmd().args(["mode", "set", "rw"]).run().assert_code(0);
    fs_cmd()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(0);
    fs_cmd().arg("init").run().assert_code(0);
    let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
    for file in [
        config.join("modes/test-pane"),
        config.join("trust.json"),
        config.join("config.toml"),
        config.join("policies/starter.rego"),
    ] {
        assert_eq!(
            mode(&file),
            Some(0o600),
            "{} should be 0600",
            file.display()
        );
    }
    for dir in [config.join("modes"), config.join("policies")] {
        assert_eq!(mode(&dir), Some(0o700), "{} should be 0700", dir.display());
    }
}

#[test]
fn toggle_another_pane_from_the_humans_terminal() {
    let sb = Sandbox::new();
    // The human's terminal has its own pane id and names the agent's pane.
    sb.failsafe()
        .env("FAILSAFE_PANE", "humans-terminal")
        .args(["toggle", "--pane", "test-pane"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("read → write");
    sb.failsafe()
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("write\n");
    sb.failsafe()
        .env("FAILSAFE_PANE", "humans-terminal")
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("read\n");
    // Still refused from the agent's side, even naming another pane.
    sb.failsafe_guarded()
        .args(["toggle", "--pane", "humans-terminal"])
        .run()
        .assert_code(BLOCKED);
}

#[test]
fn trust_is_by_path_so_a_moved_repository_is_untrusted() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let policy = sb.repo_policy(&repo, REPO_OVERRIDE);
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&policy)
        .run()
        .assert_code(0);
    let delete = |dir: &Path| {
        sb.tool("kubectl")
            .args(["delete", "ns", "scratch-1"])
            .cwd(dir)
            .run()
    };
    delete(&repo).assert_code(0);
    // Same content, another place: a copy someone else controls is not trusted.
    let moved = sb.home.join("app-moved");
    fs::rename(&repo, &moved).unwrap();
    delete(&moved).assert_blocked().assert_not_ran("kubectl");
}

#[test]
fn a_repo_policy_applies_where_git_dash_c_points() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let text = "package failsafe.repo\n\nimport rego.v1\n\nblock contains {\"id\": \"repo.no-push\", \"reason\": \"this repo is pushed by CI only\"} if input.verb == \"push\"\n";
    sb.repo_policy(&repo, text);
    sb.write_mode();
    let repo_arg = repo.display().to_string();
    sb.tool("git")
        .args(["-C", &repo_arg, "push", "origin", "feature"])
        .cwd(&sb.work)
        .run()
        .assert_blocked()
        .assert_not_ran("git")
        .assert_stderr_contains("repo.no-push");
    sb.tool("git")
        .args(["-C", &repo_arg, "status"])
        .cwd(&sb.work)
        .run()
        .assert_code(0)
        .assert_ran("git", &["-C", repo_arg.as_str(), "status"]);
}

#[rstest]
#[case::dot_dot("../../escaped")]
#[case::absolute("/tmp/escaped")]
#[case::dotfile(".hidden")]
fn a_pane_id_cannot_escape_the_modes_directory(#[case] pane: &str) {
    let sb = Sandbox::new();
    sb.failsafe()
        .env("FAILSAFE_PANE", pane)
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(0);
    let modes = sb.config.join("modes");
    let entries: Vec<_> = fs::read_dir(&modes)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one mode file in {}: {entries:?}",
        modes.display()
    );
    assert!(entries[0].is_file(), "{entries:?}");
    let name = entries[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(!name.starts_with('.') && !name.contains('/'), "{name:?}");
    assert!(!sb.root.join("escaped").exists() && !sb.config.join("escaped").exists());
    // The same pane id reads the same file back.
    sb.failsafe()
        .env("FAILSAFE_PANE", pane)
        .args(["mode", "get"])
        .run()
        .assert_stdout_eq("write\n");
}

#[test]
fn self_protection_also_sees_another_failsafe_install() {
    let sb = Sandbox::new();
    let other = sb.path("other-install");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::copy(crate::sandbox::exe(), other.join("failsafe")).expect("copy binary");
    let other_shims = sb.path("other-shims");
    std::fs::create_dir_all(&other_shims).expect("mkdir");
    std::os::unix::fs::symlink(other.join("failsafe"), other_shims.join("kubectl")).expect("link");
    let before = std::fs::read_to_string(sb.mode_file()).ok();
    sb.failsafe()
        .path_var(format!("{}:/usr/bin:/bin", other_shims.display()))
        .args(["toggle"])
        .run()
        .assert_code(77)
        .assert_stderr_contains("own terminal");
    assert_eq!(std::fs::read_to_string(sb.mode_file()).ok(), before);
}
