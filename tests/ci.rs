//! The CI runners: `action.yml` run the way GitHub runs a composite action (each `run:`
//! step a bash script, `$GITHUB_ENV` and `$GITHUB_PATH` carried to the next step), then
//! a later step of the job whose force push is refused; and the GitLab snippet's
//! `before_script` followed by a `script` line.

use crate::install::repo_root;
use crate::sandbox::{exe, Sandbox};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// A job on a fake runner: the files GitHub hands each step, and the environment the
/// next step starts from.
struct Runner<'a> {
    sb: &'a Sandbox,
    env_file: std::path::PathBuf,
    path_file: std::path::PathBuf,
    output_file: std::path::PathBuf,
    temp: std::path::PathBuf,
}

impl Runner<'_> {
    fn new(sb: &Sandbox) -> Runner<'_> {
        let files = sb.root.join("runner");
        fs::create_dir_all(files.join("temp")).unwrap();
        for f in ["env", "path", "output"] {
            fs::write(files.join(f), "").unwrap();
        }
        Runner {
            sb,
            env_file: files.join("env"),
            path_file: files.join("path"),
            output_file: files.join("output"),
            temp: files.join("temp"),
        }
    }

    /// Runs one step's script as GitHub does (`bash --noprofile --norc -eo pipefail
    /// FILE`), with the step's `env:` and what earlier steps wrote to `$GITHUB_ENV` and
    /// `$GITHUB_PATH`.
    fn step(
        &self,
        script: &str,
        step_env: &BTreeMap<String, String>,
        cwd: &Path,
    ) -> crate::sandbox::Run {
        let file = self.temp.join("step.sh");
        fs::write(&file, script).unwrap();
        // Each line of $GITHUB_PATH is prepended in turn: the last one ends up first.
        let mut path: Vec<String> = fs::read_to_string(&self.path_file)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        path.reverse();
        path.push("/usr/local/bin:/usr/bin:/bin".to_string());
        let mut cmd = self
            .sb
            .program("/bin/bash")
            .path_var(path.join(":"))
            .env_remove("FAILSAFE_CONFIG_DIR")
            .env_remove("FAILSAFE_PANE")
            .env("RUNNER_TEMP", &self.temp)
            .env("GITHUB_ENV", &self.env_file)
            .env("GITHUB_PATH", &self.path_file)
            .env("GITHUB_OUTPUT", &self.output_file)
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_JOB", "test-job")
            .cwd(cwd);
        for line in fs::read_to_string(&self.env_file).unwrap().lines() {
            if let Some((k, v)) = line.split_once('=') {
                cmd = cmd.env(k, v);
            }
        }
        for (k, v) in step_env {
            cmd = cmd.env(k, v);
        }
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .run()
    }
}

/// Replaces `${{ inputs.NAME }}` with the input's value.
fn expand(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in inputs {
        out = out.replace(&format!("${{{{ inputs.{k} }}}}"), v);
    }
    assert!(!out.contains("${{"), "unexpanded expression in {text:?}");
    out
}

#[test]
fn the_github_action_guards_the_later_steps_of_the_job() {
    let sb = Sandbox::new();
    let text = fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    // Inputs: defaults, then what the workflow gives.
    let mut inputs: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
        .collect();
    for name in ["tools", "mode", "policy"] {
        assert!(inputs.contains_key(name), "action.yml lacks input {name}");
    }
    let policy = sb.write(
        "ci-policy/no-tags.rego",
        "package failsafe.user\n\nimport rego.v1\n\nblock contains {\"id\": \"user.no-tag-push\", \"reason\": \"no tags from CI\"} if {\n\tinput.tool == \"git\"\n\tinput.verb == \"push\"\n\tinput.flags.tags\n}\n",
    );
    inputs.insert("tools".into(), "git".into());
    inputs.insert("binary".into(), exe().display().to_string());
    inputs.insert(
        "policy".into(),
        policy.parent().unwrap().display().to_string(),
    );
    let runner = Runner::new(&sb);
    let repo = sb.git_repo("repo");
    sb.git_remote(&repo, "origin");
    for step in action["runs"]["steps"].as_array().unwrap() {
        assert_eq!(
            step["shell"], "bash",
            "composite run steps need shell: bash"
        );
        let env: BTreeMap<String, String> = step["env"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), expand(v.as_str().unwrap_or(""), &inputs)))
                    .collect()
            })
            .unwrap_or_default();
        let script = expand(step["run"].as_str().unwrap(), &inputs);
        runner.step(&script, &env, &repo).assert_code(0);
    }
    // A later step of the job, written by the user (or run by the agent).
    let none = BTreeMap::new();
    let shims = runner.temp.join("failsafe/share/failsafe/shims");
    runner
        .step("command -v git\n", &none, &repo)
        .assert_code(0)
        .assert_stdout_eq(&format!("{}\n", shims.join("git").display()));
    runner
        .step("git status --short\n", &none, &repo)
        .assert_code(0);
    let push = runner.step("git push --force origin main\n", &none, &repo);
    push.assert_code(77)
        .assert_stderr_contains("failsafe: blocked `git push --force origin main`");
    runner
        .step("git push origin --tags\n", &none, &repo)
        .assert_code(77)
        .assert_stderr_contains("user.no-tag-push");
    // The refusal is in the job's log, not the user's.
    let log = fs::read_to_string(runner.temp.join("failsafe/config/decisions.jsonl")).unwrap();
    assert!(log.contains("push"), "the decision log records the refusal");
    assert!(!sb.config.join("decisions.jsonl").exists());
    let out = fs::read_to_string(&runner.output_file).unwrap();
    assert!(out.contains(&format!("shim-dir={}", shims.display())));
}

#[test]
fn the_gitlab_snippet_guards_the_jobs_script() {
    let sb = Sandbox::new();
    let text = fs::read_to_string(repo_root().join("install/ci/gitlab-ci.yml")).unwrap();
    let ci: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    let job = &ci[".failsafe"];
    let repo = sb.git_repo("repo");
    sb.git_remote(&repo, "origin");
    // A checkout of failsafe itself stands in for the clone: the project dir is the repo
    // root, so `./install/install.sh` is found.
    let project = repo_root();
    let root = sb.root.join("gitlab");
    let mut cmd = sb
        .program("/bin/sh")
        .path_var("/usr/local/bin:/usr/bin:/bin")
        .env("CI_PROJECT_DIR", &project)
        .env("CI_JOB_ID", "42")
        .env("FAILSAFE_BINARY", exe())
        .cwd(&project);
    for (k, v) in job["variables"].as_object().unwrap() {
        let v = v
            .as_str()
            .unwrap_or("")
            .replace("$CI_PROJECT_DIR/.failsafe", &root.display().to_string())
            .replace("$CI_JOB_ID", "42");
        if k == "FAILSAFE_BINARY" {
            continue;
        }
        cmd = cmd.env(k, v);
    }
    cmd = cmd.env("FAILSAFE_TOOLS", "git");
    let mut script: Vec<String> = job["before_script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    script.push(format!(
        "cd {}",
        crate::sandbox::sh_quote(&repo.display().to_string())
    ));
    script.push("git push --force origin main".to_string());
    let run = cmd.args(["-c", &script.join("\n")]).run();
    run.assert_code(77)
        .assert_stderr_contains("failsafe: blocked `git push --force origin main`");
    assert!(root.join("config/decisions.jsonl").exists());
}
