//! Differential test of the `git push` fact against the real git.
//!
//! A seeded generator builds config (`push.default`, `remote.pushDefault`,
//! `branch.<b>.pushRemote`/`remote`/`merge`, `remote.<r>.push`, `remote.<r>.mirror`,
//! aliases including alias-of-alias, `-c` overrides) and a push command line (`+`, `:`,
//! wildcards, `HEAD`, full refs, force flags and their abbreviations, `--no-force` after
//! `--force`, `--mirror`, `--all`, `--delete`, `--prune`, `--tags`, `--` separators).
//! failsafe judges it in-process; the real git runs it with `--dry-run --porcelain`
//! against local bare remotes and `GIT_TRACE=1`. The two must agree on the verb after
//! alias expansion, the remote's URL, the destination refs, and whether anything is
//! forced or deleted. See `docs/differential-git-aws.md`.
//!
//! `FAILSAFE_DIFF_CASES=N` runs N cases (default 300), `FAILSAFE_DIFF_SEED=S` picks the
//! seed. A disagreement is shrunk (words and config lines dropped one at a time while it
//! still disagrees) and printed with the seed and the case number.

use failsafe::config::Settings;
use failsafe::facts::{Context, Fact, Source};
use failsafe::judge::{judge_in, Request};
use failsafe::mode::Mode;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Seeded splitmix64: tiny, reproducible, no dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Cases to run: `FAILSAFE_DIFF_CASES`, else the default.
pub fn cases(default: usize) -> usize {
    std::env::var("FAILSAFE_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Seed: `FAILSAFE_DIFF_SEED` (decimal or 0x-hex), else the default.
pub fn seed(default: u64) -> u64 {
    std::env::var("FAILSAFE_DIFF_SEED")
        .ok()
        .and_then(|v| match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.parse().ok(),
        })
        .unwrap_or(default)
}

const DEFAULT_SEED: u64 = 0x6769_7464_6966_6631;

struct World {
    _dir: tempfile::TempDir,
    home: PathBuf,
    repo: PathBuf,
    config_dir: PathBuf,
    base_config: String,
    origin: String,
    up: String,
}

fn git_env(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z");
}

fn git(dir: &Path, home: &Path, args: &[&str]) {
    let mut cmd = Command::new("git");
    cmd.args(args).current_dir(dir);
    git_env(&mut cmd, home);
    let out = cmd.output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn have_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Local branches main, feature, topic, release/1 and tag v1; both bare remotes have
/// main and release/1 diverged (a push there needs force), feature behind (a
/// fast-forward), and old (remote only, what `--prune`/`--mirror` would delete).
fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::create_dir_all(&config_dir).expect("mkdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let h = &home;
    git(&repo, h, &["init", "-q", "-b", "main"]);
    git(&repo, h, &["commit", "-q", "--allow-empty", "-m", "base"]);
    for b in ["feature", "old", "release/1"] {
        git(&repo, h, &["branch", b]);
    }
    // The remote's side of main and release/1: commits the local repo then loses.
    git(&repo, h, &["commit", "-q", "--allow-empty", "-m", "remote"]);
    git(&repo, h, &["branch", "-f", "release/1", "HEAD"]);
    let mut remotes = Vec::new();
    for name in ["origin", "up"] {
        let bare = dir.path().join(format!("{name}.git"));
        std::fs::create_dir_all(&bare).expect("mkdir");
        git(&bare, h, &["init", "-q", "--bare", "-b", "main"]);
        let path = bare.to_str().expect("utf8").to_string();
        git(
            &repo,
            h,
            &["push", "-q", &path, "main", "feature", "old", "release/1"],
        );
        let tracking = format!("+refs/heads/*:refs/remotes/{name}/*");
        git(&repo, h, &["fetch", "-q", &path, &tracking]);
        remotes.push(path);
    }
    // Local history diverges: main and release/1 rewritten, feature ahead, old gone.
    git(&repo, h, &["reset", "-q", "--hard", "HEAD~1"]);
    git(&repo, h, &["commit", "-q", "--allow-empty", "-m", "local"]);
    git(&repo, h, &["branch", "-f", "release/1", "HEAD"]);
    git(&repo, h, &["branch", "-f", "topic", "HEAD"]);
    git(&repo, h, &["switch", "-q", "feature"]);
    git(&repo, h, &["commit", "-q", "--allow-empty", "-m", "more"]);
    git(&repo, h, &["switch", "-q", "main"]);
    git(&repo, h, &["branch", "-D", "-q", "old"]);
    git(&repo, h, &["tag", "v1"]);
    let base_config = std::fs::read_to_string(repo.join(".git/config")).expect("config");
    let mut base_config = base_config;
    base_config.push_str(&format!(
        "[remote \"origin\"]\n\turl = {}\n[remote \"up\"]\n\turl = {}\n",
        remotes[0], remotes[1]
    ));
    World {
        _dir: dir,
        home,
        repo,
        config_dir,
        base_config,
        origin: remotes[0].clone(),
        up: remotes[1].clone(),
    }
}

/// One generated case: config lines for the repo, the branch HEAD is on, and argv
/// words after `git` split into globals, the verb and the rest.
#[derive(Debug, Clone)]
struct Case {
    config: Vec<(String, String)>,
    head: String,
    globals: Vec<String>,
    verb: String,
    rest: Vec<String>,
}

impl Case {
    fn argv(&self) -> Vec<String> {
        let mut v = vec!["git".to_string()];
        v.extend(self.globals.iter().cloned());
        v.push(self.verb.clone());
        v.extend(self.rest.iter().cloned());
        v
    }
    fn describe(&self) -> String {
        let cfg: Vec<String> = self
            .config
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        format!(
            "HEAD={} config=[{}]\n    argv: {}",
            self.head,
            cfg.join(", "),
            shell_words::join(self.argv())
        )
    }
}

const BRANCHES: &[&str] = &["main", "feature", "topic", "release/1"];

fn config_item(rng: &mut Rng, head: &str) -> (String, String) {
    let remote = *rng.pick(&["origin", "up"]);
    let branch = if rng.chance(70) {
        head.to_string()
    } else {
        rng.pick(BRANCHES).to_string()
    };
    match rng.below(9) {
        0 | 1 => (
            "push.default".into(),
            rng.pick(&[
                "nothing", "current", "upstream", "tracking", "simple", "matching",
            ])
            .to_string(),
        ),
        2 => ("remote.pushDefault".into(), remote.into()),
        3 => (format!("branch.{branch}.pushRemote"), remote.into()),
        4 => (format!("branch.{branch}.remote"), remote.into()),
        5 => (
            format!("branch.{branch}.merge"),
            format!(
                "refs/heads/{}",
                rng.pick(&["main", "feature", "topic", "x"])
            ),
        ),
        6 | 7 => (
            format!("remote.{remote}.push"),
            rng.pick(&[
                "refs/heads/*:refs/heads/*",
                "+refs/heads/*:refs/heads/*",
                "+refs/heads/main:refs/heads/main",
                "HEAD",
                "HEAD:refs/heads/x",
                ":",
                "refs/heads/feature:refs/heads/x",
                "refs/heads/topic",
                "+refs/heads/*:refs/heads/m/*",
            ])
            .to_string(),
        ),
        _ => (format!("remote.{remote}.mirror"), "true".into()),
    }
}

const ALIASES: &[(&str, &str)] = &[
    ("alias.p", "push"),
    ("alias.pf", "push --force"),
    ("alias.pp", "p"),
    ("alias.ppf", "pf origin"),
    ("alias.pd", "push --delete"),
    ("alias.pm", "push --mirror up"),
    ("alias.st", "status"),
];

fn refspec(rng: &mut Rng) -> String {
    let plus = if rng.chance(20) { "+" } else { "" };
    let src = *rng.pick(&[
        "main",
        "feature",
        "topic",
        "release/1",
        "HEAD",
        "@",
        "refs/heads/main",
        "refs/heads/topic",
        "v1",
        "refs/tags/v1",
    ]);
    let dst = *rng.pick(&[
        "main",
        "feature",
        "x",
        "refs/heads/y",
        "refs/heads/main",
        "release/1",
        "HEAD",
        "refs/tags/v9",
    ]);
    match rng.below(10) {
        0..=3 => format!("{plus}{src}"),
        4..=6 => format!("{plus}{src}:{dst}"),
        7 => format!(
            ":{}",
            rng.pick(&["old", "refs/heads/old", "main", "feature"])
        ),
        8 => rng
            .pick(&[
                "refs/heads/*:refs/heads/*",
                "+refs/heads/*:refs/heads/*",
                "refs/heads/*:refs/heads/b/*",
                "refs/heads/release/*:refs/heads/release/*",
                ":",
                "+:",
            ])
            .to_string(),
        _ => {
            if rng.chance(50) {
                "tag".to_string() + " v1"
            } else {
                format!("{plus}HEAD:{dst}")
            }
        }
    }
}

const OPTIONS: &[&str] = &[
    "-f",
    "--force",
    "--forc",
    "--no-force",
    "--force-with-lease",
    "--force-with-lease=main",
    "--force-with-lease=feature",
    "--force-w",
    "--force-if-includes",
    "--no-force-with-lease",
    "--mirror",
    "--all",
    "--branches",
    "--delete",
    "-d",
    "--del",
    "--prune",
    "--tags",
    "--follow-tags",
    "--no-verify",
    "-q",
    "--atomic",
    "--repo=up",
    "--no-atomic",
];

fn generate(rng: &mut Rng, w: &World) -> Case {
    let head = rng.pick(BRANCHES).to_string();
    let mut config = Vec::new();
    for _ in 0..rng.below(4) {
        config.push(config_item(rng, &head));
    }
    for _ in 0..rng.below(3) {
        let (k, v) = rng.pick(ALIASES);
        config.push((k.to_string(), v.to_string()));
    }
    let mut globals = Vec::new();
    if rng.chance(25) {
        let (k, v) = if rng.chance(50) {
            config_item(rng, &head)
        } else {
            let (k, v) = rng.pick(ALIASES);
            (k.to_string(), v.to_string())
        };
        globals.push("-c".to_string());
        globals.push(format!("{k}={v}"));
    }
    let aliases: Vec<String> = config
        .iter()
        .map(|(k, _)| k.clone())
        .chain(
            globals
                .iter()
                .filter_map(|g| g.split_once('=').map(|(k, _)| k.to_string())),
        )
        .filter_map(|k| k.strip_prefix("alias.").map(str::to_string))
        .collect();
    let verb = if !aliases.is_empty() && rng.chance(50) {
        rng.pick(&aliases).clone()
    } else {
        "push".to_string()
    };
    // Options (each maybe abbreviated or in `--opt value` form), then positionals.
    let mut options = Vec::new();
    for _ in 0..rng.below(4) {
        let o = *rng.pick(OPTIONS);
        if o == "--force-with-lease=main" && rng.chance(30) {
            options.push(format!("--force-with-lease=main:{}", w.origin_main()));
        } else {
            options.push(o.to_string());
        }
    }
    let mut positionals = Vec::new();
    if rng.chance(75) {
        let remote = match rng.below(6) {
            0 => w.up.clone(),
            1 | 2 => "up".to_string(),
            _ => "origin".to_string(),
        };
        positionals.push(remote);
        for _ in 0..rng.below(4) {
            for word in refspec(rng).split(' ') {
                positionals.push(word.to_string());
            }
        }
    }
    let mut rest = Vec::new();
    let dashdash = rng.chance(10);
    let mut opts = options.into_iter();
    let mut pos = positionals.into_iter().peekable();
    loop {
        if rng.chance(60) {
            if let Some(o) = opts.next() {
                rest.push(o);
            } else {
                if dashdash && pos.peek().is_some() {
                    rest.push("--".into());
                }
                rest.extend(pos.by_ref());
                break;
            }
        } else if dashdash {
            rest.extend(opts.by_ref());
        } else if let Some(p) = pos.next() {
            rest.push(p);
        } else {
            rest.extend(opts.by_ref());
            break;
        }
    }
    Case {
        config,
        head,
        globals,
        verb,
        rest,
    }
}

impl World {
    fn origin_main(&self) -> String {
        let out = Command::new("git")
            .args(["rev-parse", "refs/heads/main"])
            .current_dir(&self.origin)
            .output()
            .expect("rev-parse");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn install(&self, case: &Case) {
        let mut text = self.base_config.clone();
        for (k, v) in &case.config {
            // section.sub.key or section.key
            let (section, key) = k.rsplit_once('.').expect("dotted");
            let header = match section.split_once('.') {
                Some((s, sub)) => format!("[{s} \"{sub}\"]"),
                None => format!("[{section}]"),
            };
            text.push_str(&format!("{header}\n\t{key} = {}\n", quote(v)));
        }
        std::fs::write(self.repo.join(".git/config"), text).expect("config");
        std::fs::write(
            self.repo.join(".git/HEAD"),
            format!("ref: refs/heads/{}\n", case.head),
        )
        .expect("HEAD");
    }

    fn fact(&self, case: &Case) -> Fact {
        let env: BTreeMap<String, String> = [
            ("HOME", self.home.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let ctx = Context {
            cwd: self.repo.clone(),
            home: Some(self.home.clone()),
            env,
            settings: Settings::default(),
            mode: Mode::Read,
            pane: "diff".to_string(),
            source: Source::Test,
            ticket: String::new(),
        };
        let req = Request {
            binary: "git".to_string(),
            argv: case.argv().iter().map(OsString::from).collect(),
            source: Source::Test,
            mode: Some(Mode::Read),
        };
        judge_in(
            req,
            ctx,
            self.config_dir.clone(),
            Vec::new(),
            Vec::new(),
            Instant::now(),
        )
        .fact
    }

    fn oracle(&self, case: &Case) -> Oracle {
        let mut cmd = Command::new("git");
        cmd.args(&case.globals)
            .arg(&case.verb)
            .args(["--dry-run", "--porcelain"])
            .args(&case.rest)
            .current_dir(&self.repo);
        git_env(&mut cmd, &self.home);
        cmd.env("GIT_TRACE", "1");
        let out = cmd.output().expect("run git");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let verb = stderr
            .lines()
            .find_map(|l| l.split_once("trace: built-in: git ").map(|(_, r)| r))
            .and_then(|r| r.split_whitespace().next())
            .map(str::to_string)
            .or_else(|| {
                stderr
                    .lines()
                    .any(|l| l.contains("trace: start_command:") || l.contains("run_command:"))
                    .then(|| "!external".to_string())
            });
        let mut url = None;
        let mut refs = Vec::new();
        for line in stdout.lines() {
            if let Some(u) = line.strip_prefix("To ") {
                url = Some(u.to_string());
                continue;
            }
            let mut parts = line.split('\t');
            if let (Some(flag), Some(fromto), Some(summary)) =
                (parts.next(), parts.next(), parts.next())
            {
                let to = fromto.rsplit_once(':').map_or(fromto, |(_, t)| t);
                refs.push(PushedRef {
                    flag: flag.chars().next().unwrap_or(' '),
                    to: to.to_string(),
                    summary: summary.to_string(),
                });
            }
        }
        let error = stderr
            .lines()
            .find(|l| l.starts_with("error:") || l.starts_with("fatal:"))
            .map(str::to_string);
        Oracle {
            verb,
            url,
            refs,
            error,
        }
    }
}

fn quote(v: &str) -> String {
    if v.contains(' ') || v.contains('"') {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

#[derive(Debug)]
struct PushedRef {
    flag: char,
    to: String,
    summary: String,
}

#[derive(Debug)]
struct Oracle {
    verb: Option<String>,
    url: Option<String>,
    refs: Vec<PushedRef>,
    error: Option<String>,
}

/// Outcome of one comparison.
enum Verdict {
    Agree,
    /// git refused the command (error before pushing), or a shell alias: nothing to
    /// compare beyond the verb.
    Skipped(String),
    Disagree(String),
    /// failsafe names more targets than git pushes (a matching push of branches the
    /// remote lacks): safe, counted and shown.
    Over(String),
}

fn short(r: &str) -> String {
    r.strip_prefix("refs/heads/").unwrap_or(r).to_string()
}

fn compare(w: &World, case: &Case) -> Verdict {
    w.install(case);
    let fact = w.fact(case);
    let oracle = w.oracle(case);
    let Some(verb) = oracle.verb.clone() else {
        return Verdict::Skipped(format!("no verb traced: {:?}", oracle.error));
    };
    if verb == "!external" {
        return Verdict::Skipped(format!("no built-in ran: {:?}", oracle.error));
    }
    if fact.verb != verb {
        return Verdict::Disagree(format!("verb: failsafe {:?}, git ran {verb:?}", fact.verb));
    }
    if verb != "push" {
        return Verdict::Agree;
    }
    let Some(url) = oracle.url.clone() else {
        return Verdict::Skipped(format!(
            "git refused: {}",
            oracle.error.as_deref().unwrap_or("?")
        ));
    };
    if !fact.uncertain.is_empty() {
        return Verdict::Skipped(format!("fact uncertain: {:?}", fact.uncertain));
    }
    let Some(push) = fact.git.as_ref().and_then(|g| g.push.as_ref()) else {
        return Verdict::Disagree("no git.push in the fact".into());
    };
    let mut problems = Vec::new();
    if push.url != url {
        problems.push(format!(
            "remote: failsafe {:?} ({:?}), git pushed to {url:?}",
            push.remote, push.url
        ));
    }
    let summarised = push.mirror || push.tags;
    let git_targets: BTreeSet<String> = oracle
        .refs
        .iter()
        .filter(|r| !summarised || r.to.starts_with("refs/heads/"))
        .map(|r| short(&r.to))
        .collect();
    // `--follow-tags` adds annotated tags only; ours are lightweight.
    let ours: BTreeSet<String> = push.targets.iter().cloned().collect();
    if !git_targets.is_subset(&ours) {
        problems.push(format!("targets: failsafe {ours:?}, git {git_targets:?}"));
    }
    let forced = oracle.refs.iter().any(|r| r.flag == '+');
    if forced && !push.force {
        problems.push("git forces an update, failsafe force=false".into());
    }
    let rejected_non_ff = oracle
        .refs
        .iter()
        .any(|r| r.flag == '!' && r.summary.contains("non-fast-forward"));
    // A `+` refspec (given or configured) forces only its own refs; the check below is
    // for the flags that force every ref (`--force`, `--mirror`).
    let configured_plus = case
        .config
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(case.globals.iter().cloned())
        .any(|kv| kv.contains(".push=+"));
    let plus_given = configured_plus || push.refspecs.iter().any(|r| r.starts_with('+'));
    if push.force_kind == "force" && !forced && rejected_non_ff && !plus_given {
        problems.push("failsafe force_kind=force, git refuses a non-fast-forward".into());
    }
    let deleted = oracle.refs.iter().any(|r| r.flag == '-');
    if deleted && !push.delete {
        problems.push("git deletes a remote ref, failsafe delete=false".into());
    }
    if problems.is_empty() && git_targets != ours {
        Verdict::Over(format!("failsafe {ours:?}, git {git_targets:?}"))
    } else if problems.is_empty() {
        Verdict::Agree
    } else {
        Verdict::Disagree(problems.join("; "))
    }
}

/// Drops argv words and config lines one at a time while the case still disagrees.
fn shrink(w: &World, mut case: Case) -> (Case, String) {
    let Verdict::Disagree(mut why) = compare(w, &case) else {
        return (case, "did not reproduce".into());
    };
    loop {
        let mut smaller = None;
        for i in 0..case.rest.len() {
            let mut c = case.clone();
            c.rest.remove(i);
            if let Verdict::Disagree(d) = compare(w, &c) {
                smaller = Some((c, d));
                break;
            }
        }
        if smaller.is_none() {
            for i in 0..case.config.len() {
                let mut c = case.clone();
                c.config.remove(i);
                if let Verdict::Disagree(d) = compare(w, &c) {
                    smaller = Some((c, d));
                    break;
                }
            }
        }
        if smaller.is_none() && !case.globals.is_empty() {
            let mut c = case.clone();
            c.globals.clear();
            if let Verdict::Disagree(d) = compare(w, &c) {
                smaller = Some((c, d));
            }
        }
        match smaller {
            Some((c, d)) => {
                case = c;
                why = d;
            }
            None => return (case, why),
        }
    }
}

#[test]
fn git_push_facts_agree_with_real_git() {
    if !have_git() {
        println!("SKIPPED git differential: no git on PATH");
        return;
    }
    let n = cases(300);
    let seed = seed(DEFAULT_SEED);
    let w = world();
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let (mut agreed, mut skipped) = (0, BTreeMap::<String, usize>::new());
    let mut failures = Vec::new();
    let (mut over, mut over_count) = (Vec::new(), 0);
    for i in 0..n {
        let case = generate(&mut rng, &w);
        match compare(&w, &case) {
            Verdict::Agree => agreed += 1,
            Verdict::Over(what) => {
                agreed += 1;
                if over.len() < 5 {
                    over.push(format!("case {i}: {what}\n    {}", case.describe()));
                }
                over_count += 1;
            }
            Verdict::Skipped(why) => {
                let key: String = why.chars().take(70).collect();
                *skipped.entry(key).or_default() += 1;
            }
            Verdict::Disagree(_) => {
                if failures.len() < 40 {
                    let (small, why) = shrink(&w, case.clone());
                    failures.push(format!(
                        "case {i} (seed {seed:#x}): {why}\n    {}\n  shrunk from\n    {}",
                        small.describe(),
                        case.describe()
                    ));
                } else {
                    failures.push(format!("case {i}"));
                }
            }
        }
    }
    println!(
        "git differential: seed {seed:#x}, {n} cases, {agreed} agreed, {} skipped, {} disagreed, {:.1}s",
        skipped.values().sum::<usize>(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    println!("  {over_count} of them with extra failsafe targets (safe), e.g.:");
    for o in &over {
        println!("  {o}");
    }
    for (why, count) in &skipped {
        println!("  skipped {count}: {why}");
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases disagree with git (seed {seed:#x}; rerun with FAILSAFE_DIFF_SEED={seed:#x} FAILSAFE_DIFF_CASES={n}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        agreed * 3 >= n,
        "only {agreed} of {n} cases were comparable"
    );
}
