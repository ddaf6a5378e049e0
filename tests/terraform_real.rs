//! The real terraform through the shim, with the local backend and no providers: the
//! workspace failsafe reads is the one terraform uses, a read-mode pane plans but cannot
//! apply, and a workspace file terraform would silently ignore refuses in every mode.
//!
//! Needs a terraform binary (`$FAILSAFE_TEST_TERRAFORM`, else `/usr/local/bin/terraform`,
//! else `/usr/bin/terraform`); without one these tests print why and pass.

use crate::sandbox::{Run, Sandbox};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// A configuration with nothing to download: no provider, one output.
const MAIN_TF: &str = "terraform {}\n\noutput \"greeting\" {\n  value = \"hello\"\n}\n";

/// A user policy: nothing is applied to a workspace classified prod.
const PROD_POLICY: &str = r#"package failsafe.user

import rego.v1

block contains {"id": "user.prod-apply", "reason": "no apply to prod from an agent"} if {
	input.tool == "terraform"
	input.verb == "apply"
	input.target.env == "prod"
}
"#;

/// The real terraform, or `None` (with a message) when there is none.
fn real_terraform() -> Option<PathBuf> {
    let candidates = std::env::var_os("FAILSAFE_TEST_TERRAFORM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/local/bin/terraform", "/usr/bin/terraform"].map(PathBuf::from));
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        eprintln!(
            "skipping: no terraform binary (set FAILSAFE_TEST_TERRAFORM or install terraform in /usr/local/bin)"
        );
    }
    found
}

/// A sandbox whose `bin/terraform` is the real one, and an initialised configuration in
/// `work/infra`.
fn setup(terraform: &Path) -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let link = sb.bin.join("terraform");
    std::fs::remove_file(&link).expect("remove the terraform stand-in");
    symlink(terraform, &link).expect("link the real terraform");
    let infra = sb.work.join("infra");
    sb.write(infra.join("main.tf"), MAIN_TF);
    // The human's own terminal (no shims): init and create workspace prod.
    human(&sb, &infra, "terraform init -input=false -no-color").assert_code(0);
    human(&sb, &infra, "terraform workspace new -no-color prod").assert_code(0);
    (sb, infra)
}

/// `sh -c SCRIPT` in `dir` from the human's terminal (real terraform, no shims).
fn human(sb: &Sandbox, dir: &Path, script: &str) -> Run {
    sb.sh_plain(script)
        .cwd(dir)
        .env("TF_IN_AUTOMATION", "1")
        .run()
}

/// `terraform ARGS` through the shim in `dir`.
fn agent(sb: &Sandbox, dir: &Path, args: &[&str]) -> Run {
    sb.tool("terraform")
        .args(args)
        .cwd(dir)
        .env("TF_IN_AUTOMATION", "1")
        .run()
}

fn prod_state(infra: &Path) -> PathBuf {
    infra.join("terraform.tfstate.d/prod/terraform.tfstate")
}

#[test]
fn the_workspace_is_the_one_terraform_uses() {
    let Some(tf) = real_terraform() else { return };
    let (sb, infra) = setup(&tf);
    agent(&sb, &infra, &["workspace", "show"])
        .assert_code(0)
        .assert_stdout_eq("prod\n");
    let fact = sb
        .failsafe()
        .args([
            "explain",
            "--json",
            "--",
            "terraform",
            "-chdir=infra",
            "apply",
        ])
        .cwd(&sb.work)
        .run()
        .json();
    assert_eq!(fact["fact"]["target"]["name"], "prod", "{fact:#}");
    assert_eq!(fact["fact"]["target"]["env"], "prod", "{fact:#}");

    // Read mode: plan runs for real, apply never reaches terraform.
    agent(&sb, &infra, &["plan", "-input=false", "-no-color"]).assert_code(0);
    agent(&sb, &infra, &["apply", "-auto-approve", "-no-color"])
        .assert_blocked()
        .assert_stderr_contains("terraform.not-read-only")
        .assert_stderr_contains("prod");
    assert!(!prod_state(&infra).exists(), "a refused apply wrote state");

    // Write mode: the user's target policy holds, with TF_CLI_ARGS merged as terraform
    // merges them.
    sb.write_mode();
    sb.user_policy("prod.rego", PROD_POLICY);
    agent(&sb, &infra, &["apply", "-no-color"])
        .assert_blocked()
        .assert_stderr_contains("user.prod-apply");
    let run = sb
        .tool("terraform")
        .args(["-chdir=infra", "apply", "-input=false", "-no-color"])
        .env("TF_CLI_ARGS_apply", "-auto-approve")
        .env("TF_IN_AUTOMATION", "1")
        .run();
    run.assert_blocked()
        .assert_stderr_contains("user.prod-apply");
    assert!(!prod_state(&infra).exists(), "a refused apply wrote state");

    // TF_WORKSPACE wins over the file, for terraform and for failsafe alike.
    let run = sb
        .tool("terraform")
        .args(["apply", "-auto-approve", "-input=false", "-no-color"])
        .cwd(&infra)
        .env("TF_WORKSPACE", "default")
        .env("TF_IN_AUTOMATION", "1")
        .run();
    run.assert_code(0);
    assert!(infra.join("terraform.tfstate").exists(), "{}", run.report());
    assert!(!prod_state(&infra).exists(), "{}", run.report());
}

#[test]
fn a_workspace_file_terraform_would_ignore_refuses_in_every_mode() {
    let Some(tf) = real_terraform() else { return };
    let (sb, infra) = setup(&tf);
    // A directory where the workspace file should be: terraform logs the read error
    // and silently uses `default`.
    let env_file = infra.join(".terraform/environment");
    std::fs::remove_file(&env_file).expect("remove the workspace file");
    std::fs::create_dir(&env_file).expect("a directory in its place");
    human(&sb, &infra, "terraform workspace show")
        .assert_code(0)
        .assert_stdout_eq("default\n");

    sb.write_mode();
    agent(&sb, &infra, &["apply", "-auto-approve", "-no-color"])
        .assert_blocked()
        .assert_stderr_contains("target.uncertain")
        .assert_stderr_contains(".terraform/environment");
    assert!(
        !infra.join("terraform.tfstate").exists(),
        "a refused apply wrote state"
    );
    // Naming the workspace settles it.
    agent(&sb, &infra, &["workspace", "show"])
        .assert_blocked()
        .assert_stderr_contains("target.uncertain");
    let run = sb
        .tool("terraform")
        .args(["workspace", "show"])
        .cwd(&infra)
        .env("TF_WORKSPACE", "prod")
        .run();
    run.assert_code(0).assert_stdout_eq("prod\n");
}

/// No real terraform needed: the stand-in must not run.
#[test]
fn a_chdir_that_is_not_utf8_refuses_in_write_mode() {
    let sb = Sandbox::new();
    sb.write_mode();
    sb.tool("terraform")
        .arg(crate::sandbox::non_utf8("-chdir=infra"))
        .arg("apply")
        .run()
        .assert_blocked()
        .assert_stderr_contains("target.uncertain")
        .assert_not_ran("terraform");
}
