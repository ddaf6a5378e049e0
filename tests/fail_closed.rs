//! Fail closed: whatever failsafe cannot read or understand refuses the command (exit 77),
//! the real tool never runs, and the message names the exact file, field or argument.

use crate::sandbox::{line_of, non_utf8, permissions_ignored, uid, Sandbox, NOT_FOUND};
use rstest::rstest;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};

/// Runs `kubectl ARGS` in the sandbox and checks it was refused with every needle in the
/// message.
fn refused_naming(sb: &Sandbox, args: &[&str], needles: &[&str]) {
    let run = sb.tool("kubectl").args(args).run();
    run.assert_blocked().assert_not_ran("kubectl");
    for needle in needles {
        run.assert_stderr_contains(needle);
    }
}

#[rstest]
#[case::read_mode(false)]
#[case::write_mode(true)]
fn broken_user_policy_names_the_file(#[case] write: bool) {
    let sb = Sandbox::new();
    if write {
        sb.write_mode();
    }
    let path = sb.user_policy(
        "broken.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"reason\": \"x\" if {\n",
    );
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[rstest]
#[case::a_string("block contains \"just a string\" if true", "just a string")]
#[case::no_reason("block contains {\"id\": \"user.x\"} if true", "reason")]
#[case::empty_reason(
    "block contains {\"id\": \"user.x\", \"reason\": \"\"} if true",
    "reason"
)]
#[case::ask_a_number("ask contains 42 if true", "42")]
#[case::override_a_string("allow_override contains \"let it through\" if true", "let it through")]
#[case::not_a_set("block := {\"reason\": \"complete rule, not a set\"}", "block")]
fn user_rule_producing_the_wrong_shape_blocks(#[case] rule: &str, #[case] needle: &str) {
    let sb = Sandbox::new();
    let text = format!("package failsafe.user\n\nimport rego.v1\n\n{rule}\n");
    let path = sb.user_policy("shape.rego", &text);
    let at = format!("{}:5", path.display());
    refused_naming(&sb, &["get", "pods"], &[&at, needle]);
}

#[test]
fn user_rule_that_fails_to_evaluate_blocks() {
    let sb = Sandbox::new();
    let text = "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"reason\": sprintf(\"%s\", [x])} if {\n\tx := 1 / 0\n}\n";
    let path = sb.user_policy("eval.rego", text);
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[rstest]
#[case::repo_package("package failsafe.repo")]
#[case::bundled_package("package failsafe.bundled.kubectl")]
#[case::self_package("package failsafe.bundled.self")]
fn user_policy_in_a_package_it_may_not_use_blocks(#[case] package: &str) {
    let sb = Sandbox::new();
    let text = format!("{package}\n\nimport rego.v1\n\nallow_override contains {{\"reason\": \"sneaky\"}} if true\n");
    let path = sb.user_policy("sneaky.rego", &text);
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[rstest]
#[case::read_mode(false)]
#[case::write_mode(true)]
fn broken_repo_policy_names_the_file(#[case] write: bool) {
    let sb = Sandbox::new();
    if write {
        sb.write_mode();
    }
    let repo = sb.git_repo("app");
    let path = sb.repo_policy(&repo, "package failsafe.repo\n\nblock contains {\n");
    sb.tool("kubectl")
        .args(["get", "pods"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&path.display().to_string());
    // Outside the repository the file does not apply.
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
}

#[test]
fn repo_policy_in_a_subdirectory_is_found_from_below() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let sub = repo.join("deploy/overlays");
    fs::create_dir_all(&sub).unwrap();
    let path = sb.repo_policy(&repo, "package failsafe.repo\n\nblock contains {\n");
    sb.tool("kubectl")
        .args(["get", "pods"])
        .cwd(&sub)
        .run()
        .assert_blocked()
        .assert_stderr_contains(&path.display().to_string());
}

#[rstest]
#[case::banana("banana\n")]
#[case::empty("")]
#[case::both_words("read write\n")]
#[case::binary("\u{0}\u{1}w")]
fn garbage_mode_file_means_read_and_says_so(#[case] content: &str) {
    let sb = Sandbox::new();
    let mode_file = sb.set_mode_file(content);
    refused_naming(
        &sb,
        &["delete", "ns", "payments"],
        &[&mode_file.display().to_string()],
    );
    // Reads still work in read mode.
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
    let get = sb.failsafe().args(["mode", "get"]).run();
    get.assert_code(0)
        .assert_stdout_eq("read\n")
        .assert_stderr_contains(&mode_file.display().to_string());
}

#[test]
fn unreadable_mode_file_means_read_and_says_so() {
    let sb = Sandbox::new();
    let mode_file = sb.mode_file();
    fs::create_dir_all(&mode_file).unwrap();
    refused_naming(
        &sb,
        &["delete", "ns", "payments"],
        &[&mode_file.display().to_string()],
    );
}

#[rstest]
#[case::positional(&["get", "pods"], 3)]
#[case::flag_value(&["get", "pods", "-n"], 4)]
#[case::verb(&[], 1)]
fn non_utf8_argument_is_refused_in_read_mode(#[case] before: &[&str], #[case] index: usize) {
    let sb = Sandbox::new();
    let run = sb
        .tool("kubectl")
        .args(before)
        .arg(non_utf8("payments-"))
        .run();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("UTF-8")
        .assert_stderr_contains(&format!("argument {index}"));
}

#[rstest]
#[case::short_namespace(&["get", "pods", "-n"], "-n")]
#[case::long_namespace(&["get", "pods", "--namespace"], "--namespace")]
#[case::context(&["get", "pods", "--context"], "--context")]
#[case::kubeconfig_before_verb(&["get", "--kubeconfig"], "--kubeconfig")]
fn value_flag_without_a_value_is_refused_naming_the_flag(
    #[case] args: &[&str],
    #[case] flag: &str,
) {
    let sb = Sandbox::new();
    refused_naming(&sb, args, &[&format!("`{flag}`")]);
}

#[test]
fn missing_real_tool_is_127_not_a_pass() {
    let sb = Sandbox::new();
    fs::remove_file(sb.bin.join("helm")).unwrap();
    let run = sb.tool("helm").args(["uninstall", "payments"]).run();
    run.assert_code(NOT_FOUND)
        .check(run.output.stdout.is_empty(), "stdout must stay empty")
        .assert_stderr_contains("helm");
}

#[test]
fn shim_dir_on_path_twice_still_finds_the_real_tool() {
    let sb = Sandbox::new();
    let path = format!("{0}:{0}:{1}", sb.shims.display(), sb.bin.display());
    sb.tool("kubectl")
        .path_var(&path)
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
    sb.tool("kubectl")
        .path_var(&path)
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl");
}

#[rstest]
#[case::not_toml("this is = = not toml\n")]
#[case::unknown_key("[git]\nprotected_branchez = [\"main\"]\n")]
#[case::wrong_type("[git]\nprotected_branches = \"main\"\n")]
#[case::unknown_section("[gti]\nprotected_branches = [\"main\"]\n")]
fn invalid_config_toml_is_refused_naming_it(#[case] text: &str) {
    let sb = Sandbox::new();
    let path = sb.config_toml(text);
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[test]
fn config_toml_that_cannot_be_read_is_refused_naming_it() {
    let sb = Sandbox::new();
    let path = sb.config.join("config.toml");
    fs::create_dir_all(&path).unwrap();
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[rstest]
#[case::not_json("{ this is not json")]
#[case::wrong_shape("[1, 2, 3]")]
#[case::unknown_field("{\"version\": 1, \"entries\": [], \"trust_everything\": true}")]
fn broken_trust_store_with_a_repo_policy_is_refused_naming_it(#[case] text: &str) {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    sb.repo_policy(
        &repo,
        "package failsafe.repo\n\nimport rego.v1\n\nallow_override contains {\"id\": \"repo.ok\", \"reason\": \"fine\"} if false\n",
    );
    let store = sb.write(sb.config.join("trust.json"), text);
    sb.tool("kubectl")
        .args(["get", "pods"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&store.display().to_string());
}

#[test]
fn user_policy_dir_without_permission_is_refused() {
    let sb = Sandbox::new();
    if permissions_ignored(&sb.root) {
        eprintln!(
            "skipped: running as uid {} with permission checks bypassed; a chmod 000 directory stays readable",
            uid()
        );
        return;
    }
    let dir = sb.config.join("policies");
    sb.user_policy("team.rego", "package failsafe.user\n");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o000)).unwrap();
    let run = sb.tool("kubectl").args(["get", "pods"]).run();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&dir.display().to_string());
}

#[test]
fn user_policy_file_without_permission_is_refused() {
    let sb = Sandbox::new();
    if permissions_ignored(&sb.root) {
        eprintln!(
            "skipped: running as uid {} with permission checks bypassed",
            uid()
        );
        return;
    }
    let path = sb.user_policy("team.rego", "package failsafe.user\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

/// Unreadable user policy locations that do not depend on permissions (so they also
/// run as root).
#[rstest]
#[case::policies_is_a_file("policies")]
#[case::policy_is_a_directory("policies/team.rego")]
#[case::dangling_symlink("policies/gone.rego")]
#[case::single_policy_is_a_directory("policy.rego")]
fn user_policy_that_cannot_be_read_is_refused_naming_it(#[case] what: &str) {
    let sb = Sandbox::new();
    let path = sb.config.join(what);
    match what {
        "policies" => {
            sb.write(&path, "not a directory\n");
        }
        "policies/gone.rego" => {
            fs::create_dir_all(sb.config.join("policies")).unwrap();
            symlink(sb.root.join("nowhere.rego"), &path).unwrap();
        }
        _ => fs::create_dir_all(&path).unwrap(),
    }
    refused_naming(&sb, &["get", "pods"], &[&path.display().to_string()]);
}

#[test]
fn a_broken_policy_is_not_lifted_by_an_override() {
    let sb = Sandbox::new();
    let broken = sb.user_policy(
        "a-broken.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains \"oops\" if true\n",
    );
    let text = "package failsafe.user\n\nimport rego.v1\n\nallow_override contains {\"id\": \"user.all\", \"reason\": \"everything\"} if true\n";
    sb.user_policy("b-override.rego", text);
    let repo = sb.git_repo("app");
    let repo_policy = sb.repo_policy(
        &repo,
        "package failsafe.repo\n\nimport rego.v1\n\nallow_override contains {\"id\": \"repo.all\", \"reason\": \"everything\"} if true\n",
    );
    sb.failsafe()
        .args(["trust", "add"])
        .arg(&repo_policy)
        .run()
        .assert_code(0);
    let line = line_of(
        "package failsafe.user\n\nimport rego.v1\n\nblock contains \"oops\" if true\n",
        "oops",
    );
    sb.tool("kubectl")
        .args(["get", "pods"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&format!("{}:{line}", broken.display()));
}

#[rstest]
#[case::default_location(None)]
#[case::kubeconfig_env(Some("KUBECONFIG"))]
#[case::kubeconfig_flag(Some("--kubeconfig"))]
fn unparsable_kubeconfig_is_refused_naming_it(#[case] how: Option<&str>) {
    let sb = Sandbox::new();
    let path = match how {
        None => sb.write(
            sb.home.join(".kube/config"),
            "clusters: [ {{{ this is not yaml\n",
        ),
        Some(_) => sb.write(
            "elsewhere/kubeconfig.yaml",
            "clusters: [ {{{ this is not yaml\n",
        ),
    };
    let mut cmd = sb.tool("kubectl");
    match how {
        Some("KUBECONFIG") => cmd = cmd.env("KUBECONFIG", &path),
        Some(flag) => cmd = cmd.arg(flag).arg(&path),
        None => {}
    }
    let run = cmd.args(["get", "pods"]).run();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&path.display().to_string());
}

#[test]
fn a_kubeconfig_that_does_not_exist_is_not_uncertain() {
    let sb = Sandbox::new();
    let missing = sb.root.join("no-such-kubeconfig");
    sb.tool("kubectl")
        .env("KUBECONFIG", &missing)
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
}

#[test]
fn unparsable_git_config_is_refused_naming_it() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    let config = repo.join(".git/config");
    sb.write(&config, "[core\n\tbare = \"unterminated\n");
    sb.tool("git")
        .args(["push", "origin", "feature"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("git")
        .assert_stderr_contains(&config.display().to_string());
}

#[test]
fn a_git_shell_alias_cannot_be_judged_and_is_refused() {
    let sb = Sandbox::new();
    let repo = sb.git_repo("app");
    sb.git(
        &repo,
        &[
            "config",
            "alias.wipe",
            "!git reset --hard && git clean -fdx",
        ],
    );
    sb.tool("git")
        .args(["wipe"])
        .cwd(&repo)
        .run()
        .assert_blocked()
        .assert_not_ran("git")
        .assert_stderr_contains("wipe");
}

#[rstest]
#[case::huge("1000000")]
#[case::at_the_limit("16")]
fn a_depth_counter_set_by_the_caller_never_skips_the_check(#[case] depth: &str) {
    let sb = Sandbox::new();
    // However deep the counter claims we are, the answer is a refusal, never an
    // unchecked run.
    for args in [&["delete", "ns", "payments"][..], &["get", "pods"][..]] {
        let run = sb
            .tool("kubectl")
            .env("FAILSAFE_SHIM_DEPTH", depth)
            .args(args)
            .run();
        run.assert_code(crate::sandbox::BLOCKED)
            .assert_not_ran("kubectl");
    }
}

#[rstest]
#[case::garbage("banana")]
#[case::negative("-5")]
#[case::empty("")]
fn a_garbage_depth_counter_is_not_a_bypass(#[case] depth: &str) {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .env("FAILSAFE_SHIM_DEPTH", depth)
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl");
    sb.tool("kubectl")
        .env("FAILSAFE_SHIM_DEPTH", depth)
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
}
