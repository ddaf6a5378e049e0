//! The one pipeline every front end shares: argv → fact → policy chain → decision.
//!
//! Shim mode, `explain`, `test` and (later) the hook all call [`judge`]. It never fails:
//! anything that cannot be checked (config, spec, policies) becomes a block reason with
//! the exact cause, so the caller can only ever refuse or run. It never execs and never
//! writes.

use crate::config::{self, Settings};
use crate::facts::{self, Context, Fact, Source};
use crate::mode::{self, Mode};
use crate::policy::{self, ChainRequest, Decision, Effect, Evaluation, Layer, PolicyFile, Reason};
use crate::spec::{self, ToolSpec};
use crate::tool;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What the caller asks to be judged.
#[derive(Debug, Clone)]
pub struct Request {
    /// Basename of argv[0] (`kubectl`, `tofu`).
    pub binary: String,
    /// The full argument vector, argv[0] included.
    pub argv: Vec<OsString>,
    /// Where the decision is made.
    pub source: Source,
    /// Force a mode instead of reading the pane's (`explain --mode`).
    pub mode: Option<Mode>,
}

/// Everything the front ends need after judging: the fact, what each layer said, the
/// decision, and notes for the human.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// The fact the policies saw.
    pub fact: Fact,
    /// What the policy files produced.
    pub evaluation: Evaluation,
    /// The combined decision.
    pub decision: Decision,
    /// The config directory used.
    pub config_dir: PathBuf,
    /// The settings used (defaults when config.toml is broken).
    pub settings: Settings,
    /// Notes for the human (a broken mode file, untrusted repo overrides).
    pub notes: Vec<String>,
    /// Microseconds spent judging.
    pub duration_us: u64,
}

fn failure(id: &str, reason: String, location: String) -> Reason {
    Reason {
        id: id.to_string(),
        reason,
        effect: Effect::Block,
        layer: Layer::Bundled,
        location,
        package: String::new(),
    }
}

/// How the tool of `binary` is parsed: a built-in spec or a user spec.
fn find_spec(binary: &str, config_dir: &std::path::Path) -> Result<ToolSpec, Reason> {
    if binary == tool::SELF_NAME {
        // The hook feeds `failsafe …` commands to the self-protection policy.
        return spec::failsafe().map_err(|e| {
            failure(
                "failsafe.internal",
                format!("{e} (a bug in failsafe; the command was refused)"),
                String::new(),
            )
        });
    }
    if let Some(canonical) = tool::builtin_tool_of(binary) {
        return match spec::builtin(canonical) {
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(failure("failsafe.internal", format!("{e} (a bug in failsafe; the command was refused)"), String::new())),
            None => Err(failure("failsafe.internal", format!("no built-in spec for `{canonical}` (a bug in failsafe; the command was refused)"), String::new())),
        };
    }
    match spec::find_user_spec(config_dir, binary) {
        Some(Ok(s)) => Ok(s),
        Some(Err(e)) => Err(failure(
            "failsafe.spec-broken",
            e.to_string(),
            config_dir.join("tools").display().to_string(),
        )),
        None => Err(failure(
            "failsafe.unknown-tool",
            format!(
                "`{binary}` is not a guarded tool and no tool spec in {} names it",
                config_dir.join("tools").display()
            ),
            String::new(),
        )),
    }
}

/// True when `binary` is a built-in guarded tool or a user spec claims it (a spec that
/// exists but is broken counts: the command is then refused with the spec's error).
pub fn is_guarded_name(binary: &str) -> bool {
    tool::builtin_tool_of(binary).is_some()
        || (!tool::is_reserved(binary)
            && spec::find_user_spec(&config::process_config_dir(), binary).is_some())
}

/// Every guarded binary name: the built-ins, then those of readable user specs.
pub fn guarded_names() -> Vec<String> {
    let mut names: Vec<String> = tool::BUILTIN_BINARIES
        .iter()
        .map(|(b, _)| b.to_string())
        .collect();
    let user = spec::user_specs(&config::process_config_dir()).unwrap_or_default();
    names.extend(
        user.into_iter()
            .filter_map(|(_, s)| s.ok())
            .flat_map(|s| s.binaries),
    );
    names
}

/// Where a fact is judged: the config dir, home and settings the policy chain is loaded
/// and evaluated with, and who asks.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// The config dir (user policies, trust store).
    pub config_dir: &'a Path,
    /// The home directory (the repo walk-up stops there).
    pub home: Option<&'a Path>,
    /// The settings handed to the policies as `data.failsafe.config`.
    pub settings: &'a Settings,
    /// Who asks: a shim only needs the verdict, the others want every rule pinned down.
    pub source: Source,
    /// `failsafe test --policies DIR`: these files stand in for the user layer.
    pub user_layer: Option<&'a [PolicyFile]>,
}

/// The fact → decision step, the only one: shim, `explain`, `test` and the hook all come
/// through here, so they cannot decide differently. Which layers are active is read from
/// the fact itself (`tool`, `verb`, `mode`, `cwd`, `uncertain`, `target.uncertain`).
///
/// Never fails: `failures` (problems met before the fact existed) are kept as block
/// reasons ahead of what the policies say, and a fact without a valid `mode` is judged
/// in read mode with a block reason of its own.
pub fn decide_fact(
    fact: &serde_json::Value,
    place: &Place<'_>,
    mut failures: Vec<Reason>,
) -> (Evaluation, Decision) {
    let text = |pointer: &str| {
        fact.pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let listed = |pointer: &str| {
        fact.pointer(pointer)
            .and_then(serde_json::Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    let mode = if let Some(mode) = Mode::parse(&text("/mode")) {
        mode
    } else {
        failures.push(failure(
            "failsafe.internal",
            format!(
                "the fact has no valid `mode` (got `{}`), so it is judged in read mode and refused",
                text("/mode")
            ),
            String::new(),
        ));
        Mode::Read
    };
    let (tool, verb, cwd) = (text("/tool"), text("/verb"), PathBuf::from(text("/cwd")));
    let mut chain = policy::load_chain(&ChainRequest {
        tool: &tool,
        mode,
        config_dir: place.config_dir,
        cwd: &cwd,
        home: place.home,
        verb: &verb,
        uncertain: listed("/uncertain"),
        target_uncertain: listed("/target/uncertain"),
    });
    if let Some(files) = place.user_layer {
        chain.files.retain(|f| f.layer != Layer::User);
        chain.failures.retain(|r| r.layer != Layer::User);
        let at = chain
            .files
            .iter()
            .position(|f| f.layer == Layer::Repo)
            .unwrap_or(chain.files.len());
        chain.files.splice(at..at, files.iter().cloned());
    }
    let config = place.settings.to_json();
    let cache = policy::cache::dir(place.home);
    let mut evaluation = policy::evaluate_cached(
        &chain,
        fact,
        &config,
        matches!(place.source, Source::Shim | Source::Hook),
        cache.as_deref(),
    );
    failures.append(&mut evaluation.reasons);
    evaluation.reasons = failures;
    let decision = policy::decide(&evaluation);
    (evaluation, decision)
}

/// Judges one command in the real process environment.
pub fn judge(req: Request) -> Judgement {
    judge_with_env(req, &[])
}

/// Judges one command in a given context (tests and `failsafe test` use this directly).
// The request is built for this one judgement and handed over whole.
#[allow(clippy::needless_pass_by_value)]
pub fn judge_in(
    req: Request,
    ctx: Context,
    config_dir: PathBuf,
    mut failures: Vec<Reason>,
    notes: Vec<String>,
    started: Instant,
) -> Judgement {
    let (argv, pre_uncertain) = facts::argv_to_strings(&req.argv);
    let fact = match find_spec(&req.binary, &config_dir) {
        Ok(spec) => facts::build(&spec, &req.binary, argv, pre_uncertain, &ctx),
        Err(reason) => {
            failures.push(reason);
            facts::build(
                &ToolSpec::bare(&req.binary),
                &req.binary,
                argv,
                pre_uncertain,
                &ctx,
            )
        }
    };
    let fact_json = match serde_json::to_value(&fact) {
        Ok(v) => v,
        Err(e) => {
            failures.push(failure(
                "failsafe.internal",
                format!("cannot turn the fact into JSON: {e} (a bug in failsafe; the command was refused)"),
                String::new(),
            ));
            serde_json::Value::Null
        }
    };
    let place = Place {
        config_dir: &config_dir,
        home: ctx.home.as_deref(),
        settings: &ctx.settings,
        source: req.source,
        user_layer: None,
    };
    let (evaluation, decision) = decide_fact(&fact_json, &place, failures);
    let mut notes = notes;
    for ignored in &decision.ignored_overrides {
        notes.push(format!(
            "{} has an allow_override that was not applied because the file is not trusted (a human can run `failsafe trust add {}` after reading it)",
            ignored.location, ignored.location.rsplit_once(':').map_or(ignored.location.as_str(), |(f, _)| f)
        ));
    }
    notes.dedup();
    Judgement {
        fact,
        evaluation,
        decision,
        config_dir,
        settings: ctx.settings,
        notes,
        duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    }
}

// ---- hook front end (issue 8) -------------------------------------------------------
// Kept apart from `judge` while judge.rs is being refactored; fold it in then.

/// Judges one command found in an agent's shell line, exactly as [`judge`] does, with
/// the `NAME=value` assignments the line gives the command (`KUBECONFIG=x kubectl …`)
/// added to the environment its fact is built from. Only the fact sees them: the config
/// dir, the pane and its mode are still read from the hook's own environment, so a line
/// cannot point failsafe at another config.
pub fn judge_with_env(req: Request, assignments: &[(String, String)]) -> Judgement {
    let started = Instant::now();
    let config_dir = config::process_config_dir();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let settings = match Settings::load(&config_dir) {
        Ok(s) => s,
        Err(e) => {
            failures.push(failure(
                "failsafe.config-unreadable",
                e.to_string(),
                config_dir.join("config.toml").display().to_string(),
            ));
            Settings::default()
        }
    };
    let pane = mode::pane_id(&config::process_env);
    let reading = mode::read_mode(&config_dir, &pane);
    let mode = if let Some(m) = req.mode {
        m
    } else {
        notes.extend(reading.problem.clone());
        reading.mode
    };
    let mut ctx = Context::from_process(settings.clone(), mode, pane.to_string(), req.source);
    ctx.ticket = reading.ticket().to_string();
    for (name, value) in assignments {
        ctx.env.insert(name.clone(), value.clone());
    }
    judge_in(req, ctx, config_dir, failures, notes, started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Verdict;
    use serde_json::json;

    fn write(path: &Path, text: &str) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    }

    /// A config dir and a repo whose root blocks `get` unless `exempt`, and whose
    /// untrusted sub-directory file says `exempt if true`.
    fn setup() -> std::io::Result<(tempfile::TempDir, PathBuf, PathBuf)> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config)?;
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git"))?;
        write(
            &repo.join(".failsafe.rego"),
            "package failsafe.repo\nimport rego.v1\nblock contains {\"id\": \"repo.no-get\", \"reason\": \"no\"} if {\n\tinput.verb == \"get\"\n\tnot exempt\n}\nexempt if input.break_glass\n",
        )?;
        let sub = repo.join("sub");
        write(
            &sub.join(".failsafe.rego"),
            "package failsafe.repo\nimport rego.v1\nexempt if true\n",
        )?;
        Ok((dir, config, sub))
    }

    #[test]
    fn every_source_decides_the_same() -> std::io::Result<()> {
        let (dir, config, sub) = setup()?;
        let settings = Settings::default();
        let fact = json!({"tool": "kubectl", "verb": "get", "mode": "write",
            "cwd": sub.display().to_string()});
        for source in [Source::Shim, Source::Hook, Source::Explain, Source::Test] {
            let place = Place {
                config_dir: &config,
                home: Some(dir.path()),
                settings: &settings,
                source,
                user_layer: None,
            };
            let (eval, decision) = decide_fact(&fact, &place, Vec::new());
            assert_eq!(decision.verdict, Verdict::Block, "{source:?}");
            let ids: Vec<_> = eval.reasons.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(ids, vec!["repo.no-get"], "{source:?}");
        }
        Ok(())
    }

    #[test]
    fn earlier_failures_and_a_missing_mode_block() -> std::io::Result<()> {
        let (dir, config, sub) = setup()?;
        let settings = Settings::default();
        let place = Place {
            config_dir: &config,
            home: Some(dir.path()),
            settings: &settings,
            source: Source::Shim,
            user_layer: None,
        };
        let fact = json!({"tool": "kubectl", "verb": "list", "cwd": sub.display().to_string()});
        let (eval, decision) = decide_fact(&fact, &place, Vec::new());
        assert_eq!(decision.verdict, Verdict::Block);
        assert!(eval.reasons[0].reason.contains("no valid `mode`"));
        let fact = json!({"tool": "kubectl", "verb": "list", "mode": "write",
            "cwd": sub.display().to_string()});
        let early = failure("failsafe.config-unreadable", "x".into(), String::new());
        let (eval, decision) = decide_fact(&fact, &place, vec![early]);
        assert_eq!(decision.verdict, Verdict::Block);
        assert_eq!(eval.reasons.len(), 1);
        let (_, decision) = decide_fact(&fact, &place, Vec::new());
        assert_eq!(decision.verdict, Verdict::Allow);
        Ok(())
    }
}
