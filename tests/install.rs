//! Putting failsafe where agents run: `install-shims` on a first run, `install/install.sh`
//! in a fresh HOME (demo, `--agent-profile`, `--uninstall`), the agent's login shells
//! (a real `bash -lc`), and `doctor` from both sides.

use crate::sandbox::{exe, sh_quote, Sandbox};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (where `install/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A system PATH without the sandbox's stand-ins: install.sh's demo needs the real git.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["check"] == name))
        .unwrap_or_else(|| panic!("doctor has no check {name:?}: {v:#}"))
}

// ------------------------------------------------------------------ install-shims

#[test]
fn install_shims_skips_tools_that_are_not_installed_and_links_failsafe() {
    let sb = Sandbox::new();
    fs::remove_file(sb.bin.join("tofu")).unwrap();
    fs::remove_file(sb.bin.join("aws")).unwrap();
    let dir = sb.root.join("first-run");
    let run = sb
        .failsafe()
        .args(["install-shims", "--dir"])
        .arg(&dir)
        .run();
    run.assert_code(0)
        .assert_stdout_contains("skipped (not installed on this PATH): tofu, aws")
        .assert_stdout_contains(&format!(
            "failsafe install-shims --dir {} --tools tofu,aws",
            dir.display()
        ));
    assert_eq!(
        names_in(&dir),
        vec![
            ".failsafe-install.json",
            "failsafe",
            "git",
            "helm",
            "kubectl",
            "terraform"
        ]
    );
    // `--tools` guards a tool before it is installed.
    sb.failsafe()
        .args(["install-shims", "--tools", "tofu", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    assert!(dir.join("tofu").exists(), "--tools tofu should shim tofu");
    // The agent can run `failsafe explain …`, as its refusals suggest, through the link.
    sb.program("failsafe")
        .path_var(format!("{}:{}", dir.display(), sb.bin.display()))
        .args(["explain", "--json", "--", "git", "push", "--force"])
        .run()
        .assert_code(1)
        .assert_stdout_contains("\"decision\": \"block\"");
}

// ------------------------------------------------------------------------ doctor

#[test]
fn doctor_in_the_humans_terminal_prints_the_command_for_the_agents_side() {
    let sb = Sandbox::new();
    let run = sb.failsafe().arg("doctor").run();
    run.assert_code(1)
        .assert_stdout_contains("looks like your own terminal")
        .assert_stdout_contains("env FAILSAFE_AGENT=1 PATH=\"")
        .assert_stdout_contains("bash -lc 'failsafe doctor'")
        .check(
            !run.stdout().lines().any(|l| l.starts_with("FAIL")),
            "no list of FAILs",
        );
    let v = sb.failsafe().args(["doctor", "--json"]).run().json();
    assert_eq!(v["side"], "human");
    assert!(v["agent_check"]
        .as_str()
        .is_some_and(|c| c.contains("FAILSAFE_AGENT=1")));
}

#[test]
fn doctor_names_a_missing_shim_and_a_missing_failsafe_link() {
    let sb = Sandbox::new();
    fs::remove_file(sb.shims.join("helm")).unwrap();
    let run = sb.failsafe_guarded().args(["doctor", "--json"]).run();
    let v = run.json();
    let helm = check(&v, "helm on PATH");
    run.check(helm["ok"] == false, "an unshimmed helm must fail")
        .check(
            helm["fix"]
                .as_str()
                .is_some_and(|f| f.contains("install-shims") && f.contains("--tools helm")),
            "the fix names install-shims --tools helm",
        );
    let me = check(&v, "failsafe on PATH");
    run.check(
        me["ok"] == false,
        "no failsafe link in the sandbox shim dir",
    )
    .check(
        me["fix"]
            .as_str()
            .is_some_and(|f| f.contains("install-shims")),
        "the fix says how to add it",
    );
    let log = check(&v, "decision log");
    run.check(log["ok"] == true, "the sandbox log dir is writable");
    for c in v["checks"].as_array().unwrap() {
        run.check(
            c["ok"] == true || c["fix"].is_string(),
            format!("every failed check has a fix: {c}"),
        );
    }
}

/// The agent's PATH for `sb`'s installed shims, as install.sh prints it.
fn agent_path(shims: &Path) -> String {
    format!("{}:{SYSTEM_PATH}", shims.display())
}

#[test]
fn doctor_checks_the_login_shell_and_names_the_agent_profile_fix() {
    let sb = Sandbox::new();
    // Like Debian's /etc/profile: a login shell starts from a fixed PATH.
    sb.write(
        sb.home.join(".profile"),
        "PATH=/usr/bin:/bin\nexport PATH\n",
    );
    let shims = sb.xdg_data.join("failsafe/shims");
    sb.failsafe()
        .path_var(SYSTEM_PATH)
        .args(["install-shims", "--tools", "git"])
        .run()
        .assert_code(0);
    // Without FAILSAFE_AGENT: the fix starts there.
    let run = sb
        .failsafe_guarded()
        .path_var(agent_path(&shims))
        .args(["doctor", "--json"])
        .run();
    let v = run.json();
    let login = check(&v, "bash -lc PATH");
    run.check(
        login["ok"] == false,
        "/etc/profile-style reset loses the shims",
    )
    .check(
        login["fix"]
            .as_str()
            .is_some_and(|f| f.contains("FAILSAFE_AGENT=1") && f.contains("--agent-profile")),
        "the fix names FAILSAFE_AGENT=1 and --agent-profile",
    )
    .check(
        !login["fix"]
            .as_str()
            .unwrap_or("")
            .contains(".bash_profile (")
            && !login["fix"]
                .as_str()
                .unwrap_or("")
                .contains("add it in ~/.bash_profile"),
        "never suggests shimming every login shell",
    );
    // With FAILSAFE_AGENT but no profile block: the fix is --agent-profile.
    let run = sb
        .failsafe_guarded()
        .path_var(agent_path(&shims))
        .env("FAILSAFE_AGENT", "1")
        .args(["doctor", "--json"])
        .run();
    let v = run.json();
    let login = check(&v, "bash -lc PATH");
    run.check(login["ok"] == false, "no block yet").check(
        login["fix"].as_str().is_some_and(|f| {
            f.starts_with("in your own terminal") && f.contains("--agent-profile")
        }),
        "the fix is install.sh --agent-profile",
    );
}

// -------------------------------------------------------------------- install.sh

/// `install/install.sh ARGS…` in the sandbox's fresh HOME, from the human's terminal,
/// installing the test build instead of building a release.
fn install_sh(sb: &Sandbox, args: &[&str]) -> crate::sandbox::Run {
    sb.program("/bin/bash")
        .path_var(SYSTEM_PATH)
        .env("FAILSAFE_BINARY", exe())
        .env("FAILSAFE_CONFIG_DIR", &sb.config)
        .arg(repo_root().join("install/install.sh"))
        .args(args)
        .run()
}

#[test]
fn install_sh_in_a_fresh_home_then_the_agents_login_shell() {
    let sb = Sandbox::new();
    sb.write(
        sb.home.join(".profile"),
        "PATH=/usr/bin:/bin\nexport PATH\n",
    );
    let shims = sb.xdg_data.join("failsafe/shims");
    let run = install_sh(&sb, &["--agent-profile"]);
    run.assert_code(0)
        .assert_stdout_contains("(exit status 77: refused, nothing was pushed)")
        .assert_stdout_contains("is not on your PATH")
        .assert_stdout_contains("export FAILSAFE_AGENT=1")
        .assert_stderr_contains("failsafe: blocked `git push --force origin main`");
    // The demo used a throwaway config dir: the user's log holds the shim install (a
    // human action) and none of the demo's decisions.
    let log = std::fs::read_to_string(sb.config.join("decisions.jsonl")).unwrap_or_default();
    run.check(
        !log.contains("push"),
        format!("the demo wrote into the user's decision log:\n{log}"),
    );
    assert!(sb.home.join(".local/bin/failsafe").is_file());
    assert!(shims.join("git").exists() && shims.join("failsafe").exists());
    // The agent's login shell keeps the shims first and refuses a force push.
    let repo = sb.git_repo("repo");
    sb.git_remote(&repo, "origin");
    let agent = |script: &str| {
        sb.program("/bin/bash")
            .path_var(agent_path(&shims))
            .env("FAILSAFE_AGENT", "1")
            .cwd(&repo)
            .args(["-lc", script])
            .run()
    };
    agent("command -v git")
        .assert_code(0)
        .assert_stdout_eq(&format!("{}\n", shims.join("git").display()));
    agent("git push --force origin main")
        .assert_code(77)
        .assert_stderr_contains("failsafe: blocked");
    let doctor = agent("failsafe doctor --json");
    let v = doctor.json();
    doctor.check(
        check(&v, "bash -lc PATH")["ok"] == true,
        "doctor accepts the agent profile block",
    );
    doctor.check(check(&v, "git on PATH")["ok"] == true, "git is guarded");
    doctor.check(
        check(&v, "failsafe on PATH")["ok"] == true,
        "failsafe callable",
    );
    // The human's login shell is untouched.
    let human = sb
        .program("/bin/bash")
        .path_var(SYSTEM_PATH)
        .args(["-lc", "command -v git"])
        .run();
    human.assert_code(0).check(
        !human.stdout().contains(&shims.display().to_string()),
        "the human's login shell must not get the shims",
    );
    // Twice is fine: still one block.
    install_sh(&sb, &["--agent-profile", "--no-demo"]).assert_code(0);
    let profile = fs::read_to_string(sb.home.join(".profile")).unwrap();
    assert_eq!(profile.matches(">>> failsafe agent profile >>>").count(), 1);
    // Uninstall: binary, shims, blocks gone; config kept.
    sb.write(sb.config.join("decisions.jsonl"), "");
    install_sh(&sb, &["--uninstall"])
        .assert_code(0)
        .assert_stdout_contains("kept your config");
    assert!(!sb.home.join(".local/bin/failsafe").exists());
    assert!(!shims.join("git").exists());
    assert_eq!(
        fs::read_to_string(sb.home.join(".profile")).unwrap(),
        "PATH=/usr/bin:/bin\nexport PATH\n"
    );
    assert!(sb.config.join("decisions.jsonl").exists());
    install_sh(&sb, &["--uninstall", "--purge"]).assert_code(0);
    assert!(!sb.config.exists(), "--purge removes the config dir");
}

#[test]
fn the_profile_snippet_does_nothing_without_failsafe_agent() {
    let sb = Sandbox::new();
    let snippet = repo_root().join("install/profile.d/failsafe.sh");
    let shims = sb.xdg_data.join("failsafe/shims");
    fs::create_dir_all(&shims).unwrap();
    let script = format!(
        "PATH=/usr/bin:/bin:{}; . {}; printf %s \"$PATH\"",
        shims.display(),
        sh_quote(&snippet.display().to_string())
    );
    sb.sh_plain(&script)
        .run()
        .assert_code(0)
        .assert_stdout_eq(&format!("/usr/bin:/bin:{}", shims.display()));
    sb.sh_plain(&script)
        .env("FAILSAFE_AGENT", "1")
        .run()
        .assert_code(0)
        .assert_stdout_eq(&format!("{}:/usr/bin:/bin", shims.display()));
}

#[test]
fn every_install_script_parses_and_passes_shellcheck_when_present() {
    let scripts = [
        ("bash", "install/install.sh"),
        ("sh", "install/profile.d/failsafe.sh"),
        ("sh", "install/devcontainer/failsafe/install.sh"),
        ("sh", "install/devcontainer/failsafe/profile.sh"),
        ("bash", "install/devcontainer/test-in-chroot.sh"),
        ("sh", "install/terminal/tmux/failsafe-tmux.sh"),
        ("sh", "install/terminal/claude-code/failsafe-statusline.sh"),
        ("sh", "install/terminal/iterm2/badge.sh"),
        ("bash", "scripts/test.sh"),
    ];
    let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"]
        .iter()
        .map(Path::new)
        .find(|p| p.is_file());
    for (shell, script) in scripts {
        let path = repo_root().join(script);
        let out = std::process::Command::new(format!("/bin/{shell}"))
            .arg("-n")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell} -n {script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(sc) = shellcheck {
            let out = std::process::Command::new(sc)
                .args(["-s", shell])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "shellcheck {script}:\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
