//! The policy regression corpus: `tests/corpus/*.txt`, one case a line, judged in-process
//! through the same pipeline the shim uses, against a fixed world (a kubeconfig with
//! prod, staging and dev contexts; git repositories on `main` and on `feature`).
//!
//! Line format (columns separated by whitespace; `#` starts a comment line):
//!
//! ```text
//! MODE  DECISION  RULE-ID|-  [@WHERE]  ARGV…
//! read  block     kubectl.not-read-only  kubectl --context prod delete ns payments
//! read  block     git.push-protected     @main  git push
//! ```
//!
//! MODE is `read` or `write`; DECISION is `allow`, `block`, `ask` or `override`; the rule
//! id must be among the reasons that fired (`-` for none); `@WHERE` picks the directory
//! the command runs in (default `@feature`): `@main` and `@feature` are git repositories
//! on those branches, `@tfprod` a terraform directory whose workspace is `prod` (backend
//! s3), `@tf` one with no workspace selected, `@tfodd` one whose workspace file cannot be
//! read (a directory stands in its place). Words like `NAME=value` before the tool
//! name are environment variables for that case (`TF_CLI_ARGS=-auto-approve`,
//! `AWS_PROFILE=prod`).
//!
//! The home directory has a kubeconfig (contexts prod, staging, dev, eks-prod) and an
//! `~/.aws/config` with profiles `default` (us-east-1), `prod` (sso account
//! 111122223333, eu-west-1) and `dev` (role in account 444455556666).

use failsafe::config::Settings;
use failsafe::facts::{Context, Source};
use failsafe::judge::{judge_in, Request};
use failsafe::mode::Mode;
use rstest::rstest;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: payments}
- name: staging
  context: {cluster: staging, user: admin}
- name: dev
  context: {cluster: kind-dev, user: admin}
- name: eks-prod
  context: {cluster: "arn:aws:eks:us-east-1:111122223333:cluster/payments-prod", user: admin}
clusters:
- name: prod
  cluster: {server: "https://prod.example.com"}
- name: staging
  cluster: {server: "https://staging.example.com"}
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443"}
- name: "arn:aws:eks:us-east-1:111122223333:cluster/payments-prod"
  cluster: {server: "https://eks.example.com"}
users:
- name: admin
  user: {token: not-a-real-token}
"#;

const AWS_CONFIG: &str = "[default]
region = us-east-1

[profile prod]
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::444455556666:role/dev
source_profile = default
";

/// The fixed world the corpus runs in.
struct World {
    _dir: tempfile::TempDir,
    home: PathBuf,
    config: PathBuf,
    repos: BTreeMap<&'static str, PathBuf>,
}

fn git(dir: &Path, home: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let config = dir.path().join("config");
    std::fs::create_dir_all(home.join(".kube")).expect("mkdir");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(home.join(".kube/config"), KUBECONFIG).expect("kubeconfig");
    let remote = dir.path().join("remote.git");
    std::fs::create_dir_all(&remote).expect("mkdir");
    git(&remote, &home, &["init", "-q", "--bare", "-b", "main"]);
    let mut repos = BTreeMap::new();
    let remote_path = remote.to_str().expect("utf8");
    let main = dir.path().join("repo-main");
    std::fs::create_dir_all(&main).expect("mkdir");
    git(&main, &home, &["init", "-q", "-b", "main"]);
    git(&main, &home, &["remote", "add", "origin", remote_path]);
    git(
        &main,
        &home,
        &["commit", "-q", "--allow-empty", "-m", "init"],
    );
    git(&main, &home, &["push", "-q", "-u", "origin", "main"]);
    let feature = dir.path().join("repo-feature");
    git(
        dir.path(),
        &home,
        &["clone", "-q", remote_path, "repo-feature"],
    );
    git(&feature, &home, &["switch", "-q", "-c", "feature"]);
    git(&feature, &home, &["push", "-q", "-u", "origin", "feature"]);
    for repo in [&main, &feature] {
        git(repo, &home, &["config", "alias.pf", "push --force"]);
        let wipe = "!git reset --hard && git clean -fdx";
        git(repo, &home, &["config", "alias.wipe", wipe]);
    }
    repos.insert("main", main);
    repos.insert("feature", feature);
    std::fs::create_dir_all(home.join(".aws")).expect("mkdir");
    std::fs::write(home.join(".aws/config"), AWS_CONFIG).expect("aws config");
    let tfprod = dir.path().join("tfprod");
    std::fs::create_dir_all(tfprod.join(".terraform")).expect("mkdir");
    std::fs::write(tfprod.join(".terraform/environment"), "prod").expect("tf env");
    let backend = "terraform {\n  backend \"s3\" {}\n}\n";
    std::fs::write(tfprod.join("main.tf"), backend).expect("main.tf");
    repos.insert("tfprod", tfprod);
    let tf = dir.path().join("tf");
    std::fs::create_dir_all(&tf).expect("mkdir");
    let resource = "resource \"null_resource\" \"x\" {}\n";
    std::fs::write(tf.join("main.tf"), resource).expect("main.tf");
    repos.insert("tf", tf);
    // A workspace file that exists but cannot be read (a directory in its place).
    let tfodd = dir.path().join("tfodd");
    std::fs::create_dir_all(tfodd.join(".terraform/environment")).expect("mkdir");
    std::fs::write(tfodd.join("main.tf"), resource).expect("main.tf");
    repos.insert("tfodd", tfodd);
    World {
        _dir: dir,
        home,
        config,
        repos,
    }
}

/// One parsed corpus line.
struct Case {
    line: usize,
    mode: Mode,
    decision: String,
    rule: Option<String>,
    repo: String,
    env: Vec<(String, String)>,
    argv: Vec<String>,
}

/// Splits leading `NAME=value` words (environment for the case) from the argv.
fn split_env(words: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let is_assignment = |w: &str| {
        // `TF_CLI_ARGS_plan`: the name starts with a capital, the rest may be any case.
        w.split_once('=').is_some_and(|(k, _)| {
            k.starts_with(|c: char| c.is_ascii_uppercase())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let n = words.iter().take_while(|w| is_assignment(w)).count();
    let env = words[..n]
        .iter()
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    (env, words[n..].to_vec())
}

fn parse(file: &str, text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words =
            shell_words::split(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
        assert!(words.len() >= 4, "{file}:{}: too few columns", i + 1);
        let rest = words.split_off(3);
        let mode = Mode::parse(&words[0]).unwrap_or_else(|| panic!("{file}:{}: mode", i + 1));
        let (repo, rest) = match rest.first() {
            Some(w) if w.starts_with('@') => (w[1..].to_string(), rest[1..].to_vec()),
            _ => ("feature".to_string(), rest),
        };
        let (env, argv) = split_env(&rest);
        assert!(!argv.is_empty(), "{file}:{}: no command", i + 1);
        cases.push(Case {
            line: i + 1,
            mode,
            decision: words[1].clone(),
            rule: (words[2] != "-").then(|| words[2].clone()),
            repo,
            env,
            argv,
        });
    }
    cases
}

fn run_file(name: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let cases = parse(name, &text);
    let world = world();
    let mut failures = Vec::new();
    for case in &cases {
        let cwd = world
            .repos
            .get(case.repo.as_str())
            .unwrap_or_else(|| panic!("{name}:{}: unknown @{}", case.line, case.repo));
        let mut env: BTreeMap<String, String> = [
            ("HOME", world.home.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(case.env.iter().cloned());
        let ctx = Context {
            cwd: cwd.clone(),
            home: Some(world.home.clone()),
            env,
            settings: Settings::default(),
            mode: case.mode,
            pane: "corpus".to_string(),
            source: Source::Test,
            ticket: String::new(),
        };
        let binary = case.argv[0].clone();
        let req = Request {
            binary,
            argv: case.argv.iter().map(OsString::from).collect(),
            source: Source::Test,
            mode: Some(case.mode),
        };
        let j = judge_in(
            req,
            ctx,
            world.config.clone(),
            Vec::new(),
            Vec::new(),
            Instant::now(),
        );
        let got = j.decision.verdict.as_str();
        let ids: Vec<&str> = j.evaluation.reasons.iter().map(|r| r.id.as_str()).collect();
        let rule_ok = case.rule.as_deref().is_none_or(|r| ids.contains(&r));
        if got != case.decision || !rule_ok {
            failures.push(format!(
                "{name}:{}: `{}` in {} mode: expected {}{}, got {got} (rules fired: {:?})\n    fact: verb={:?} subverb={:?} args={:?} flags={} uncertain={:?}",
                case.line,
                case.argv.join(" "),
                case.mode,
                case.decision,
                case.rule.as_deref().map(|r| format!(" by {r}")).unwrap_or_default(),
                ids,
                j.fact.verb,
                j.fact.subverb,
                j.fact.args,
                serde_json::to_string(&j.fact.flags).unwrap_or_default(),
                j.fact.uncertain,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

#[rstest]
#[case("kubectl.txt", 80)]
#[case("git.txt", 70)]
#[case("helm.txt", 50)]
#[case("terraform.txt", 60)]
#[case("aws.txt", 90)]
#[case("irreversible.txt", 60)]
fn corpus(#[case] file: &str, #[case] at_least: usize) {
    let n = run_file(file);
    assert!(
        n >= at_least,
        "{file} has only {n} cases; keep at least {at_least}"
    );
}
