//! The refusal message: the one place where a decision is put into words for the agent
//! and the human reading over its shoulder.
//!
//! It names the command, where it would have landed, the mode, every reason with its
//! rule id and `file:line`, and what a human can do. No stack traces, no jargon.

use crate::approvals::Approval;
use crate::facts::Fact;
use crate::judge::Judgement;
use crate::mode::Mode;
use crate::policy::decide::FAILSAFE_ID_PREFIX;
use crate::policy::{Effect, Layer, Reason, Verdict};

/// The longest command echo before it is shortened.
const MAX_COMMAND_CHARS: usize = 240;

/// The command as a human would type it: argv[0]'s basename, then the arguments, shell
/// quoted, shortened past [`MAX_COMMAND_CHARS`].
pub fn command_line(fact: &Fact) -> String {
    let mut words = Vec::with_capacity(fact.argv.len());
    words.push(fact.binary.clone());
    words.extend(fact.argv.iter().skip(1).cloned());
    let line = crate::quote::line(&words);
    if line.chars().count() > MAX_COMMAND_CHARS {
        format!(
            "{}…",
            line.chars().take(MAX_COMMAND_CHARS).collect::<String>()
        )
    } else {
        line
    }
}

/// Where the command lands, in words: `on cluster prod (context prod-admin)`,
/// `to branch main of origin`, `on branch topic`; `""` when nothing is known.
pub fn target_phrase(fact: &Fact) -> String {
    if let Some(k) = &fact.kubectl {
        let cluster = if k.cluster_name.is_empty() {
            &k.cluster
        } else {
            &k.cluster_name
        };
        return match (cluster.is_empty(), k.context.is_empty()) {
            (false, false) if cluster != &k.context => {
                format!("on cluster {cluster} (context {})", k.context)
            }
            (false, _) => format!("on cluster {cluster}"),
            (true, false) => format!("on context {}", k.context),
            (true, true) => String::new(),
        };
    }
    if let Some(g) = &fact.git {
        if let Some(push) = &g.push {
            if !push.targets.is_empty() {
                return format!("to branch {} of {}", push.targets.join(", "), push.remote);
            }
            if !push.remote.is_empty() {
                return format!("to {}", push.remote);
            }
        }
        if !g.branch.is_empty() {
            return format!("on branch {}", g.branch);
        }
        return String::new();
    }
    if fact.target.name.is_empty() {
        String::new()
    } else {
        format!("on {} {}", fact.target.kind, fact.target.name)
    }
}

fn headline(j: &Judgement) -> String {
    let fact = &j.fact;
    let what = match j.decision.verdict {
        Verdict::Ask => "needs a human's approval:",
        _ => "blocked",
    };
    let target = target_phrase(fact);
    let mut line = format!("failsafe: {what} `{}`", command_line(fact));
    if !target.is_empty() {
        line.push(' ');
        line.push_str(&target);
    }
    if fact.target.env == "prod" || fact.target.env == "staging" {
        line.push_str(&format!(" [{}]", fact.target.env));
    }
    line.push_str(&format!(", {} mode", fact.mode));
    line
}

fn rule_line(r: &Reason) -> String {
    if r.location.is_empty() {
        r.display_id()
    } else {
        format!("{} at {}", r.display_id(), r.location)
    }
}

/// Why a command was refused, for choosing what to suggest: the most specific cause
/// wins (a broken file before anything a human could grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// failsafe could not check something (config, spec, policy, an internal error).
    OwnFailure,
    /// The command's input could not be read: its target or its words are uncertain.
    BrokenInput,
    /// A bundled read-mode rule: write mode, or one approval, would let it through.
    ReadMode,
    /// An `ask`: a human approves this one command.
    Ask,
    /// A user or repo rule, or self-protection: neither mode nor approval lifts it.
    Policy,
    /// The pane is locked down (by a human or the circuit breaker).
    Lockdown,
}

/// The cause of `r`.
fn cause_of(r: &Reason, mode: Mode) -> Cause {
    let id = r.id.as_str();
    if id.starts_with("lockdown.") {
        Cause::Lockdown
    } else if id.starts_with(FAILSAFE_ID_PREFIX) {
        Cause::OwnFailure
    } else if id.starts_with("target.") || id.starts_with("uncertain.") {
        Cause::BrokenInput
    } else if r.effect == Effect::Ask {
        Cause::Ask
    } else if r.layer == Layer::Bundled && mode == Mode::Read && !id.starts_with("self.") {
        Cause::ReadMode
    } else {
        Cause::Policy
    }
}

/// True when one approval (`failsafe approve ID`) may let this decision through: an
/// `ask`, or a block made only of bundled read-mode rules and asks. Never for broken
/// input, failsafe's own failures, self-protection or a user's or repo's block.
pub fn approvable(j: &Judgement) -> bool {
    let reasons = &j.decision.reasons;
    match j.decision.verdict {
        Verdict::Ask => true,
        Verdict::Block => {
            !reasons.is_empty()
                && reasons
                    .iter()
                    .all(|r| matches!(cause_of(r, j.fact.mode), Cause::ReadMode | Cause::Ask))
        }
        _ => false,
    }
}

/// The file part of a `file:line` location.
fn file_of(location: &str) -> &str {
    location.rsplit_once(':').map_or(location, |(f, _)| f)
}

/// `failsafe mode set rw` for the agent's pane and incarnation, for a limited time.
fn write_mode_command(j: &Judgement) -> String {
    // Sealed: only root changes an agent user's mode (docs/sealed.md).
    if let Some(command) = crate::seal::modes::sealed_mode_command() {
        return command;
    }
    let limit = match (j.settings.mode.default_for, j.settings.mode.max_for) {
        (Some(_), _) => String::new(),
        (None, Some(max)) if max.0.as_secs() < 1800 => {
            format!(" --for {}", humantime::format_duration(max.0))
        }
        _ => " --for 30m".to_string(),
    };
    let inc = crate::mode::incarnation(&crate::config::process_env);
    format!(
        "failsafe mode set rw --pane {}{limit} --incarnation {}",
        crate::quote::word(&j.fact.pane),
        crate::quote::word(inc.as_str())
    )
}

/// What a human can do about these reasons, most specific cause first; `ask` is the
/// approval request filed for this refusal, if any, and why none could be.
fn remedies(j: &Judgement, ask: Option<&Pending>) -> Vec<String> {
    let reasons = &j.decision.reasons;
    let mode = j.fact.mode;
    let mut out = Vec::new();
    let causes: Vec<(Cause, &Reason)> = reasons.iter().map(|r| (cause_of(r, mode), r)).collect();
    if let Some((_, r)) = causes.iter().find(|(c, _)| *c == Cause::Lockdown) {
        let scope = if r.location.ends_with(crate::lockdown::ALL) {
            "--all".to_string()
        } else {
            format!("--pane {}", shell_words::quote(&j.fact.pane))
        };
        out.push(format!(
            "allow:  only a human can lift the lockdown, from their own terminal: `failsafe lockdown --off {scope}`"
        ));
        return out;
    }
    let broken: Vec<&Reason> = causes
        .iter()
        .filter(|(c, _)| matches!(c, Cause::OwnFailure | Cause::BrokenInput))
        .map(|(_, r)| *r)
        .collect();
    if !broken.is_empty() {
        let mut files: Vec<&str> = broken
            .iter()
            .map(|r| file_of(&r.location))
            .filter(|f| !f.is_empty() && !f.starts_with("bundled/"))
            .collect();
        files.dedup();
        if files.is_empty() {
            out.push("help:   failsafe refuses what it cannot check; the cause above must be fixed, then run the command again".to_string());
        } else {
            out.push(format!(
                "help:   failsafe refuses what it cannot check; a human must fix {}, then run the command again",
                files.join(", ")
            ));
        }
    }
    if broken.is_empty() && approvable(j) {
        match ask {
            Some((Some(a), _)) => out.push(format!(
                "allow:  a human can approve this command once, from their own terminal, within {}: `failsafe approve {}`",
                humantime::format_duration(j.settings.approvals.ttl.0),
                a.id
            )),
            Some((None, Some(problem))) => out.push(format!(
                "help:   no approval could be requested: {problem}"
            )),
            _ => {}
        }
        if mode == Mode::Read && causes.iter().any(|(c, _)| *c == Cause::ReadMode) {
            let or = if out.iter().any(|l| l.starts_with("allow:")) {
                "or "
            } else {
                ""
            };
            out.push(format!(
                "allow:  {or}a human can give this pane write mode for a while, from their own terminal: `{}`",
                write_mode_command(j)
            ));
        }
    }
    if let Some((_, r)) = causes
        .iter()
        .find(|(c, r)| *c == Cause::Policy && r.layer != Layer::Bundled)
    {
        out.push(format!(
            "allow:  {} policies apply in every mode; a human can change {} or add an allow_override in a later layer",
            r.layer,
            file_of(&r.location)
        ));
    }
    out.push(format!(
        "help:   see the whole decision with `failsafe explain -- {}`",
        command_line(&j.fact)
    ));
    out
}

/// The approval request a shim filed for an `ask`, or why it could not file one.
pub type Pending = (Option<Approval>, Option<String>);

/// The full refusal text for stderr, without an approval request (explain, the inline
/// prompt).
pub fn render(j: &Judgement) -> String {
    render_with(j, None)
}

/// The full refusal text for stderr (several lines, each ending in `\n`), with the
/// approval request filed for it, if any.
pub fn render_with(j: &Judgement, ask: Option<&Pending>) -> String {
    let mut out = headline(j);
    out.push('\n');
    for r in &j.decision.reasons {
        out.push_str(&format!("  reason: {}\n", r.reason));
        out.push_str(&format!("  rule:   {}\n", rule_line(r)));
    }
    for note in &j.notes {
        out.push_str(&format!("  help:   {note}\n"));
    }
    for line in remedies(j, ask) {
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}
