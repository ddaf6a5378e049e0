//! `failsafe validate`: a pre-flight of everything failsafe will read.
//!
//! With no argument it checks the whole config dir (config.toml, tools/, policies/, the
//! trust store, mode files) and the repo policies above the current directory. Each file
//! is recognised by what it is, not by its extension alone. Every policy is evaluated
//! against sample facts of every tool, built through the real fact pipeline, in both
//! modes, so a rule that fails at evaluation shows here instead of refusing the agent's
//! first command. Never writes and never execs.

use super::{err, json_text, out};
use crate::config::Settings;
use crate::exit;
use crate::facts::{self, Context, Source};
use crate::mode::Mode;
use crate::policy::decide::FAILSAFE_ID_PREFIX;
use crate::policy::layers::{
    repo_policy_paths, user_policy_paths, Chain, PolicyFile, REPO_POLICY_FILE,
};
use crate::policy::rewrite;
use crate::policy::{evaluate, Layer};
use crate::spec::{self, ToolSpec};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// What a file is, decided from its name, its place and its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `config.toml`.
    Config,
    /// A tool spec (`tools/*.toml`, or any `.toml` with a `tool` key).
    Spec,
    /// A policy (`.rego`).
    Policy,
    /// The trust store (`trust.json`).
    Trust,
    /// A pane's mode file (`modes/<pane>`).
    ModeFile,
    /// None of these.
    Unknown,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Spec => "tool spec",
            Kind::Policy => "policy",
            Kind::Trust => "trust store",
            Kind::ModeFile => "mode file",
            Kind::Unknown => "unknown",
        }
    }
}

/// Recognises `path` (whose content is `text`).
fn kind_of(path: &Path, text: &str) -> Kind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    if name == "trust.json" {
        return Kind::Trust;
    }
    if parent == "modes" {
        return Kind::ModeFile;
    }
    if name.ends_with(".rego") {
        return Kind::Policy;
    }
    if name.ends_with(".toml") {
        if name == "config.toml" {
            return Kind::Config;
        }
        let has_tool_key = text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("tool"));
        return if parent == "tools" || has_tool_key {
            Kind::Spec
        } else {
            Kind::Config
        };
    }
    Kind::Unknown
}

/// The layer a policy file belongs to, from its name and package.
fn guess_layer(path: &Path, text: &str) -> Layer {
    if path.file_name().is_some_and(|n| n == REPO_POLICY_FILE) {
        return Layer::Repo;
    }
    if text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("package failsafe.bundled.") || l.starts_with("package guard.bundled.")
    }) {
        return Layer::Bundled;
    }
    Layer::User
}

/// Lint findings of `--strict` for one parsed policy: `import rego.v1` and an `id` on
/// every rule.
fn strict_findings(text: &str, prepared: &rewrite::Prepared) -> Vec<String> {
    let mut found = Vec::new();
    let imports_v1 = text.lines().any(|l| l.trim() == "import rego.v1");
    if !imports_v1 {
        found.push("no `import rego.v1`; write `import rego.v1` instead of `future.keywords` imports or Rego v0 syntax".to_string());
    }
    let lines: Vec<&str> = text.lines().collect();
    for site in &prepared.sites {
        let start = site.line.saturating_sub(1) as usize;
        let head: String = lines
            .iter()
            .skip(start)
            .take_while(|l| !l.trim_start().starts_with('}'))
            .take(12)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        let head = head.split(" if").next().unwrap_or("");
        if !head.contains("\"id\"") {
            found.push(format!(
                "line {}: `{}` rule has no \"id\"",
                site.line,
                site.effect.rule_name()
            ));
        }
    }
    found
}

/// A few commands per tool: a read, a change, a destruction.
fn sample_argvs(tool: &str, binary: &str) -> Vec<Vec<String>> {
    let lines: &[&str] = match tool {
        "kubectl" => &[
            "get pods",
            "delete ns payments",
            "apply -f app.yaml --dry-run=server",
        ],
        "helm" => &[
            "list",
            "uninstall payments",
            "upgrade --install web ./chart",
        ],
        "terraform" => &["plan", "apply -auto-approve", "destroy"],
        "aws" => &[
            "s3 ls",
            "ec2 terminate-instances --instance-ids i-0abc",
            "secretsmanager get-secret-value --secret-id prod/db",
        ],
        "git" => &["status", "push --force origin main", "reset --hard HEAD~1"],
        _ => &["", "list", "delete thing --force"],
    };
    lines
        .iter()
        .map(|l| {
            std::iter::once(binary.to_string())
                .chain(l.split_whitespace().map(str::to_string))
                .collect()
        })
        .collect()
}

/// One sample fact: how to name it, and the fact as JSON.
struct Sample {
    label: String,
    fact: Value,
}

/// Sample facts of every built-in tool and every readable user spec, in both modes.
fn samples(config_dir: &Path, settings: &Settings, extra: &[ToolSpec]) -> Vec<Sample> {
    let mut specs: Vec<(String, ToolSpec)> = Vec::new();
    for (binary, tool) in crate::tool::BUILTIN_BINARIES {
        if let Some(Ok(s)) = spec::builtin(tool) {
            specs.push((binary.to_string(), s));
        }
    }
    let user = spec::user_specs(config_dir).unwrap_or_default();
    for s in user
        .into_iter()
        .filter_map(|(_, s)| s.ok())
        .chain(extra.iter().cloned())
    {
        if let Some(b) = s.binaries.first().cloned() {
            if !specs.iter().any(|(have, _)| *have == b) {
                specs.push((b, s));
            }
        }
    }
    let mut found = Vec::new();
    for mode in [Mode::Read, Mode::Write] {
        let ctx =
            Context::from_process(settings.clone(), mode, "validate".to_string(), Source::Test);
        for (binary, s) in &specs {
            for argv in sample_argvs(&s.tool, binary) {
                let label = format!("`{}` in {} mode", argv.join(" "), mode.as_str());
                let fact = facts::build(s, binary, argv, Vec::new(), &ctx);
                if let Ok(fact) = serde_json::to_value(&fact) {
                    found.push(Sample { label, fact });
                }
            }
        }
    }
    found
}

/// What checking one file found.
struct Checked {
    path: PathBuf,
    kind: Kind,
    errors: Vec<String>,
    warnings: Vec<String>,
}

impl Checked {
    /// `ok`, `broken`, or `warnings` (only with `--strict`: lint findings fail too).
    fn verdict(&self, strict: bool) -> &'static str {
        if !self.errors.is_empty() {
            "broken"
        } else if strict && !self.warnings.is_empty() {
            "warnings"
        } else {
            "ok"
        }
    }
}

/// Every file of the config dir, then the repo policies above `cwd`.
fn config_files(config_dir: &Path, cwd: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let config = config_dir.join("config.toml");
    if config.exists() {
        files.push(config);
    }
    let listed = |dir: PathBuf| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|e| e.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    files.extend(
        listed(config_dir.join("tools"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml")),
    );
    let mut problems = Vec::new();
    files.extend(user_policy_paths(config_dir, &mut problems));
    let trust = crate::policy::trust::store_path(config_dir);
    if trust.exists() {
        files.push(trust);
    }
    files.extend(
        listed(config_dir.join("modes"))
            .into_iter()
            .filter(|p| p.is_file()),
    );
    files.extend(repo_policy_paths(cwd, home));
    files
}

/// Runs `failsafe validate [--strict] [FILE…]`.
pub fn run(strict: bool, files: &[PathBuf], json: bool) -> i32 {
    let config_dir = super::config_dir();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let home = crate::config::process_home();
    let whole_dir = files.is_empty();
    let files = if whole_dir {
        config_files(&config_dir, &cwd, home.as_deref())
    } else {
        files.to_vec()
    };
    let settings = Settings::load(&config_dir).unwrap_or_default();
    let config_json = settings.to_json();
    let texts: Vec<(PathBuf, Result<String, String>)> = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read: {e}"));
            (p.clone(), text)
        })
        .collect();
    // Specs given on the command line take part in the sample facts too.
    let extra: Vec<ToolSpec> = texts
        .iter()
        .filter_map(|(p, t)| {
            let t = t.as_ref().ok()?;
            (kind_of(p, t) == Kind::Spec)
                .then(|| ToolSpec::parse(&p.display().to_string(), t).ok())
                .flatten()
        })
        .collect();
    let mut samples_cache: Option<Vec<Sample>> = None;
    let mut results = Vec::new();
    for (path, text) in texts {
        let mut checked = Checked {
            path: path.clone(),
            kind: Kind::Unknown,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        match text {
            Err(e) => checked.errors.push(e),
            Ok(text) => {
                checked.kind = kind_of(&path, &text);
                check(&mut checked, &text, strict, &config_json, &mut || {
                    samples_cache
                        .get_or_insert_with(|| samples(&config_dir, &settings, &extra))
                        .iter()
                        .map(|s| (s.label.clone(), s.fact.clone()))
                        .collect()
                });
            }
        }
        results.push(checked);
    }
    let bad = results.iter().filter(|c| c.verdict(strict) != "ok").count();
    if json {
        out(&json_text(&json!({
            "ok": bad == 0,
            "files": results.iter().map(|c| json!({
                "path": c.path,
                "kind": c.kind.as_str(),
                "verdict": c.verdict(strict),
                "ok": c.verdict(strict) == "ok",
                "errors": c.errors,
                "warnings": c.warnings,
            })).collect::<Vec<_>>(),
        })));
    } else {
        if results.is_empty() {
            out(&format!(
                "nothing to check: {} holds no config, tools, policies, trust store or mode files (`failsafe init` writes a starter set)\n",
                config_dir.display()
            ));
        }
        for c in &results {
            let word = match c.verdict(strict) {
                "broken" => "BROKEN",
                "warnings" => "FAILED",
                _ => "ok",
            };
            out(&format!(
                "{word:<7} {} ({})\n",
                c.path.display(),
                c.kind.as_str()
            ));
            for e in &c.errors {
                out(&format!("  error:   {e}\n"));
            }
            for w in &c.warnings {
                out(&format!("  warning: {w}\n"));
            }
        }
        if bad > 0 {
            err(&format!(
                "failsafe: {bad} of {} file(s) did not pass{}\n",
                results.len(),
                if strict { " `--strict`" } else { "" }
            ));
        }
    }
    if bad == 0 {
        exit::OK
    } else {
        exit::NO
    }
}

/// Checks one readable file according to its kind.
fn check(
    c: &mut Checked,
    text: &str,
    strict: bool,
    config: &Value,
    samples: &mut dyn FnMut() -> Vec<(String, Value)>,
) {
    let display = c.path.display().to_string();
    match c.kind {
        Kind::Unknown => c.errors.push(
            "not a failsafe file: expected config.toml, a tool spec (.toml), a policy (.rego), trust.json or a mode file".to_string(),
        ),
        Kind::Config => {
            if let Err(e) = Settings::parse(&c.path, text) {
                c.errors.push(e.to_string());
            }
        }
        Kind::Spec => match ToolSpec::parse(&display, text) {
            Ok(s)
                if crate::tool::is_reserved(&s.tool)
                    || s.binaries.iter().any(|b| crate::tool::is_reserved(b)) =>
            {
                c.errors.push(format!(
                    "`{}` is a built-in tool or failsafe itself; a user spec cannot replace it",
                    s.tool
                ));
            }
            Ok(_) => {}
            Err(e) => c.errors.push(e.to_string()),
        },
        Kind::Trust => {
            if let Err(e) = serde_json::from_str::<crate::policy::trust::TrustStore>(text) {
                c.errors.push(format!("not a trust store: {e}"));
            }
        }
        Kind::ModeFile => {
            if Mode::parse(text).is_none() {
                c.errors.push(
                    "does not say `read` or `write`; this pane is treated as read-only (fix: `failsafe mode set ro` or `rw` in that pane)"
                        .to_string(),
                );
            }
        }
        Kind::Policy => check_policy(c, text, strict, config, samples),
    }
}

/// Parses, lints and evaluates one policy against every sample fact.
fn check_policy(
    c: &mut Checked,
    text: &str,
    strict: bool,
    config: &Value,
    samples: &mut dyn FnMut() -> Vec<(String, Value)>,
) {
    let display = c.path.display().to_string();
    let prepared = match rewrite::prepare(&display, text, 0) {
        Ok(p) => p,
        Err(e) => {
            c.errors
                .push(crate::policy::engine::first_line_of_error(&e));
            return;
        }
    };
    if strict {
        c.warnings = strict_findings(text, &prepared);
    }
    let chain = Chain {
        files: vec![PolicyFile {
            layer: guess_layer(&c.path, text),
            path: display,
            text: text.to_string(),
            trusted: Some(true),
        }],
        failures: Vec::new(),
    };
    // One error per rule: the first sample that trips it is enough to reproduce it.
    let mut seen: Vec<String> = Vec::new();
    for (label, fact) in samples() {
        let eval = evaluate(&chain, &fact, config);
        for r in eval
            .reasons
            .iter()
            .filter(|r| r.id.starts_with(FAILSAFE_ID_PREFIX))
        {
            if seen.contains(&r.location) {
                continue;
            }
            seen.push(r.location.clone());
            c.errors.push(format!("{} (with {label})", r.reason));
        }
    }
}
