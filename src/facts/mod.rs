//! The fact: the JSON document a guarded command becomes, and the pipeline that builds it.
//!
//! Two stages: the pure walker (`walker`) turns argv into verb, flags and positionals
//! using the tool's spec; then the I/O stage runs the tool's enrichers (kubeconfig,
//! `.git`) and classifies the target. Nothing here decides anything: "is this allowed"
//! is the policy's question. Nothing here execs or spawns a process.

pub mod aws;
pub mod git;
pub mod helm;
pub mod kubeconfig;
pub mod kubectl;
pub mod target;
pub mod terraform;
pub mod walker;

use crate::config::Settings;
use crate::mode::Mode;
use crate::spec::ToolSpec;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use target::Target;

/// The version of the fact schema; fields are only ever added.
pub const FACT_VERSION: u32 = 1;

/// Environment variables the guarded tools read for targeting; copied into `fact.env`.
/// Never secrets.
pub const TARGETING_ENV: &[&str] = &[
    "KUBECONFIG",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "TF_WORKSPACE",
    "HELM_KUBECONTEXT",
    "HELM_NAMESPACE",
    "HELM_KUBEAPISERVER",
    "TF_DATA_DIR",
    "GIT_DIR",
    "GIT_WORK_TREE",
];

/// Where a decision is being made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A shim on PATH was executed.
    Shim,
    /// An agent's pre-exec hook asked.
    Hook,
    /// `failsafe explain`.
    Explain,
    /// `failsafe test`.
    Test,
}

/// One guarded command as policies see it. See docs/facts.md for every field.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// Always [`FACT_VERSION`].
    pub fact_version: u32,
    /// Canonical tool (`terraform` for tofu).
    pub tool: String,
    /// Basename of argv[0] as invoked.
    pub binary: String,
    /// The full argument vector, argv[0] included, unredacted.
    pub argv: Vec<String>,
    /// First command word after global flags.
    pub verb: String,
    /// Second command word where the verb has one.
    pub subverb: String,
    /// Positionals after verb/subverb, and everything after `--`.
    pub args: Vec<String>,
    /// Long flag name → last value or `true`.
    pub flags: Map<String, Value>,
    /// Long flag name → every value.
    pub flags_all: Map<String, Value>,
    /// The pane's mode at decision time.
    pub mode: Mode,
    /// The effective working directory.
    pub cwd: String,
    /// Where the decision is made.
    pub source: Source,
    /// Pane id.
    pub pane: String,
    /// The change ticket named when write mode was set (`--ticket`); `""` without one
    /// and in read mode.
    pub ticket: String,
    /// Targeting environment variables that are set.
    pub env: BTreeMap<String, String>,
    /// Where the command lands.
    pub target: Target,
    /// Everything that could not be pinned down.
    pub uncertain: Vec<String>,
    /// kubectl details (tool `kubectl` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubectl: Option<kubectl::KubectlFact>,
    /// git details (tool `git` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<git::GitFact>,
    /// helm details (tool `helm` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<helm::HelmFact>,
    /// terraform details (tools `terraform` and `tofu`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform: Option<terraform::TerraformFact>,
    /// aws details (tool `aws` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<aws::AwsFact>,
}

/// The world a fact is built in: working directory, home, environment and settings.
/// Tests construct it directly; `Context::from_process` reads the real one.
#[derive(Debug, Clone)]
pub struct Context {
    /// The process working directory.
    pub cwd: PathBuf,
    /// The user's home directory, if known.
    pub home: Option<PathBuf>,
    /// The environment, as text. A value that is not valid UTF-8 is kept with U+FFFD in
    /// place of the bad bytes, so an enricher can tell the variable is set but cannot be
    /// read exactly (and say so) instead of acting as if it were unset.
    pub env: BTreeMap<String, String>,
    /// config.toml.
    pub settings: Settings,
    /// The pane's mode.
    pub mode: Mode,
    /// The pane id.
    pub pane: String,
    /// Where the decision is made.
    pub source: Source,
    /// The ticket of the pane's write mode (`""` without one).
    pub ticket: String,
}

impl Context {
    /// The value of environment variable `name` if set and non-empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Reads the process's cwd, `HOME` and environment.
    pub fn from_process(settings: Settings, mode: Mode, pane: String, source: Source) -> Context {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
            .collect();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let home = env
            .get("HOME")
            .filter(|h| !h.is_empty() && !h.contains(char::REPLACEMENT_CHARACTER))
            .map(PathBuf::from)
            .or_else(crate::config::passwd_home);
        Context {
            cwd,
            home,
            env,
            settings,
            mode,
            pane,
            source,
            ticket: String::new(),
        }
    }
}

#[cfg(test)]
impl Context {
    /// A read-mode context for unit tests: the given directories and environment,
    /// default settings, nothing read from the real process.
    pub(crate) fn for_test(
        cwd: &std::path::Path,
        home: &std::path::Path,
        env: &[(&str, &str)],
    ) -> Context {
        Context {
            cwd: cwd.to_path_buf(),
            home: Some(home.to_path_buf()),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            settings: Settings::default(),
            mode: Mode::Read,
            pane: "test".to_string(),
            source: Source::Test,
            ticket: String::new(),
        }
    }
}

/// Turns raw arguments into text, noting every argument that is not UTF-8.
pub fn argv_to_strings(raw: &[OsString]) -> (Vec<String>, Vec<String>) {
    let mut uncertain = Vec::new();
    let argv = raw
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if let Some(s) = a.to_str() {
                s.to_string()
            } else {
                uncertain.push(format!(
                    "argument {i} is not valid UTF-8 and cannot be judged"
                ));
                a.to_string_lossy().into_owned()
            }
        })
        .collect();
    (argv, uncertain)
}

/// Builds the fact for `argv` (argv[0] included) using `spec` in `ctx`.
///
/// Never fails: whatever cannot be read or pinned down lands in `fact.uncertain`, which
/// the bundled policy refuses in read mode.
pub fn build(
    spec: &ToolSpec,
    binary: &str,
    argv: Vec<String>,
    pre_uncertain: Vec<String>,
    ctx: &Context,
) -> Fact {
    let mut uncertain = pre_uncertain;
    let merged;
    let mut rest: &[String] = argv.get(1..).unwrap_or(&[]);
    if spec.enrichers.iter().any(|e| e == "terraform") {
        merged = terraform::merge_cli_args(rest, ctx, &mut uncertain);
        rest = &merged;
    }
    let mut walked = walker::walk(spec, rest);
    let mut git_alias = None;
    if spec.enrichers.iter().any(|e| e == "git") {
        let (expanded, alias) = git::expand_alias(spec, rest, walked, ctx, &mut uncertain);
        walked = expanded;
        git_alias = alias;
    }
    uncertain.append(&mut walked.uncertain.clone());
    let env = ctx
        .env
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && (TARGETING_ENV.contains(&k.as_str()) || k.starts_with("TF_CLI_ARGS"))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut fact = Fact {
        fact_version: FACT_VERSION,
        tool: spec.tool.clone(),
        binary: binary.to_string(),
        argv,
        verb: walked.verb.clone(),
        subverb: walked.subverb.clone(),
        args: walked.args.clone(),
        flags: walked.flags.clone(),
        flags_all: walked.flags_all.clone(),
        mode: ctx.mode,
        cwd: ctx.cwd.display().to_string(),
        source: ctx.source,
        pane: ctx.pane.clone(),
        ticket: ctx.ticket.clone(),
        env,
        target: Target::none(),
        uncertain,
        kubectl: None,
        git: None,
        helm: None,
        terraform: None,
        aws: None,
    };
    for enricher in &spec.enrichers {
        match enricher.as_str() {
            "kubectl" => kubectl::enrich(&walked, ctx, &mut fact),
            "git" => git::enrich(&walked, git_alias.clone(), ctx, &mut fact),
            "helm" => helm::enrich(&walked, ctx, &mut fact),
            "terraform" => terraform::enrich(&walked, ctx, &mut fact),
            "aws" => aws::enrich(&walked, ctx, &mut fact),
            other => fact
                .uncertain
                .push(format!("tool spec names unknown enricher `{other}`")),
        }
    }
    // Enrichers record target uncertainty on `fact.target.uncertain`; classification
    // replaces the rest of the target and keeps that list.
    let target_uncertain = std::mem::take(&mut fact.target.uncertain);
    fact.target = target::classify_fact(&fact, &ctx.settings);
    fact.target.uncertain = target_uncertain;
    fact
}
