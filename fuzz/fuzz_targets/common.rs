//! Shared by the fuzz targets: a small world per fuzzing process (a home, a working
//! directory, an empty config directory), fact building there, and the check that a
//! fact with something uncertain in it is refused by the shim's judge.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use failsafe::config::Settings;
use failsafe::facts::{self, Context, Fact, Source};
use failsafe::judge::{judge_in, Request};
use failsafe::mode::Mode;
use failsafe::policy::Verdict;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// The directories one fuzzing process works in.
pub struct World {
    /// `HOME`.
    pub home: PathBuf,
    /// The working directory (a git repository for the git target).
    pub work: PathBuf,
    /// failsafe's config directory (empty: the bundled policies apply).
    pub config: PathBuf,
}

/// This process's world, made on first use.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let root = tempfile::Builder::new()
            .prefix("failsafe-fuzz-")
            .tempdir()
            .unwrap()
            .keep();
        let w = World {
            home: root.join("home"),
            work: root.join("work"),
            config: root.join("config"),
        };
        for d in [&w.home, &w.work, &w.config] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::create_dir_all(w.home.join(".kube")).unwrap();
        std::fs::create_dir_all(w.home.join(".aws")).unwrap();
        w
    })
}

/// A read-mode context in the world, with `env` on top of `HOME`.
pub fn ctx(env: &[(&str, &str)]) -> Context {
    let w = world();
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), w.home.display().to_string());
    for (k, v) in env {
        vars.insert((*k).to_string(), (*v).to_string());
    }
    Context {
        cwd: w.work.clone(),
        home: Some(w.home.clone()),
        env: vars,
        settings: Settings::default(),
        mode: Mode::Read,
        pane: "fuzz".to_string(),
        source: Source::Test,
    }
}

/// The fact for `argv` (argv[0] is the tool) with the built-in spec.
pub fn fact(argv: &[String], env: &[(&str, &str)]) -> Fact {
    let tool = failsafe::tool::builtin_tool_of(&argv[0]).unwrap();
    let spec = failsafe::spec::builtin(tool).unwrap().unwrap();
    facts::build(&spec, &argv[0], argv.to_vec(), Vec::new(), &ctx(env))
}

/// Judges `argv` in read mode, as the shim would.
pub fn verdict(argv: &[String], env: &[(&str, &str)]) -> Verdict {
    let req = Request {
        binary: argv[0].clone(),
        argv: argv.iter().map(OsString::from).collect(),
        source: Source::Shim,
        mode: Some(Mode::Read),
    };
    let j = judge_in(
        req,
        ctx(env),
        world().config.clone(),
        Vec::new(),
        Vec::new(),
        Instant::now(),
    );
    j.decision.verdict
}

/// When the fact records something it could not pin down, the shim must refuse. The
/// judge (policy evaluation) is slow next to fact building, so it runs once per kind of
/// doubt (the message up to its first backtick), which is what the policy looks at.
pub fn uncertain_is_blocked(fact: &Fact, argv: &[String], env: &[(&str, &str)]) {
    let doubts: Vec<&String> = fact.uncertain.iter().chain(&fact.target.uncertain).collect();
    let Some(first) = doubts.first() else {
        return;
    };
    if !first_of_kind(first) {
        return;
    }
    let v = verdict(argv, env);
    assert!(
        v == Verdict::Block,
        "the fact has doubts {doubts:?} but the shim's verdict is {v:?} for {argv:?}"
    );
}

/// Words from fuzz bytes: split on NUL, lossily UTF-8.
pub fn words(data: &[u8]) -> Vec<String> {
    data.split(|b| *b == 0)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

/// `tool` followed by `rest`.
pub fn argv(tool: &str, rest: &[&str]) -> Vec<String> {
    std::iter::once(tool)
        .chain(rest.iter().copied())
        .map(str::to_string)
        .collect()
}

/// True the first time a message of this kind (its text up to the first backtick or
/// colon) is seen in this process.
pub fn first_of_kind(message: &str) -> bool {
    static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let kind = message.split(['`', ':']).next().unwrap_or_default().to_string();
    SEEN.lock().unwrap().insert(kind)
}
