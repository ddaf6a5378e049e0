//! The one pipeline every front end shares: argv → fact → policy chain → decision.
//!
//! Shim mode, `explain`, `test` and (later) the hook all call [`judge`]. It never fails:
//! anything that cannot be checked (config, spec, policies) becomes a block reason with
//! the exact cause, so the caller can only ever refuse or run. It never execs and never
//! writes.

use crate::config::{self, Settings};
use crate::facts::{self, Context, Fact, Source};
use crate::mode::{self, Mode};
use crate::policy::{self, ChainRequest, Decision, Effect, Evaluation, Layer, Reason};
use crate::spec::{self, ToolSpec};
use crate::tool;
use std::ffi::OsString;
use std::path::PathBuf;
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

/// Judges one command in the real process environment.
pub fn judge(req: Request) -> Judgement {
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
    let mode = match req.mode {
        Some(m) => m,
        None => {
            notes.extend(reading.problem.clone());
            reading.mode
        }
    };
    let mut ctx = Context::from_process(settings.clone(), mode, pane.to_string(), req.source);
    ctx.ticket = reading.ticket().to_string();
    judge_in(req, ctx, config_dir, failures, notes, started)
}

/// Judges one command in a given context (tests and `failsafe test` use this directly).
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
    let cwd = PathBuf::from(&fact.cwd);
    let chain_req = ChainRequest {
        tool: &fact.tool,
        mode: ctx.mode,
        config_dir: &config_dir,
        cwd: &cwd,
        home: ctx.home.as_deref(),
        verb: &fact.verb,
        uncertain: !fact.uncertain.is_empty(),
        target_uncertain: !fact.target.uncertain.is_empty(),
    };
    let chain = policy::load_chain(&chain_req);
    // A shim only needs the decision; explain and test want every rule pinned down.
    let mut evaluation = if req.source == Source::Shim {
        policy::evaluate_quick(&chain, &fact_json, &ctx.settings.to_json())
    } else {
        policy::evaluate(&chain, &fact_json, &ctx.settings.to_json())
    };
    failures.append(&mut evaluation.reasons);
    evaluation.reasons = failures;
    let decision = policy::decide(&evaluation);
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
