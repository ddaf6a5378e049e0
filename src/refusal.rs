//! The refusal message: the one place where a decision is put into words for the agent
//! and the human reading over its shoulder.
//!
//! It names the command, where it would have landed, the mode, every reason with its
//! rule id and `file:line`, and what a human can do. No stack traces, no jargon.

use crate::facts::Fact;
use crate::judge::Judgement;
use crate::policy::decide::FAILSAFE_ID_PREFIX;
use crate::policy::{Layer, Reason, Verdict};

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

/// The toggle command for `pane`, quoted for pasting into a shell.
fn toggle_command(pane: &str) -> String {
    // Sealed: only root changes an agent user's mode (docs/sealed.md).
    if let Some(command) = crate::seal::modes::sealed_mode_command() {
        return command;
    }
    format!("failsafe toggle --pane {}", crate::quote::word(pane))
}

/// What a human can do about these reasons, most specific first.
fn remedies(j: &Judgement) -> Vec<String> {
    let reasons = &j.decision.reasons;
    let mut out = Vec::new();
    let own_failure = reasons.iter().any(|r| r.id.starts_with(FAILSAFE_ID_PREFIX));
    let bundled = reasons
        .iter()
        .any(|r| r.layer == Layer::Bundled && !r.id.starts_with(FAILSAFE_ID_PREFIX));
    let layered: Vec<&Reason> = reasons
        .iter()
        .filter(|r| r.layer != Layer::Bundled && !r.id.starts_with(FAILSAFE_ID_PREFIX))
        .collect();
    if own_failure {
        out.push("help:   failsafe refuses what it cannot check; fix the cause above and run the command again".to_string());
    }
    if j.decision.verdict == Verdict::Ask {
        out.push(format!(
            "allow:  a human can run this command from their own terminal, or switch this pane there with `{}`",
            toggle_command(&j.fact.pane)
        ));
    } else if bundled {
        out.push(format!(
            "allow:  a human can run `{}` in their own terminal to switch this pane to write mode",
            toggle_command(&j.fact.pane)
        ));
    }
    if let Some(r) = layered.first() {
        let file = r
            .location
            .rsplit_once(':')
            .map_or(r.location.as_str(), |(f, _)| f);
        out.push(format!(
            "allow:  {} policies apply in every mode; a human can change {file} or add an allow_override in a later layer",
            r.layer
        ));
    }
    out.push(format!(
        "help:   see the whole decision with `failsafe explain -- {}`",
        command_line(&j.fact)
    ));
    out
}

/// The full refusal text for stderr (several lines, each ending in `\n`).
pub fn render(j: &Judgement) -> String {
    let mut out = headline(j);
    out.push('\n');
    for r in &j.decision.reasons {
        out.push_str(&format!("  reason: {}\n", r.reason));
        out.push_str(&format!("  rule:   {}\n", rule_line(r)));
    }
    for note in &j.notes {
        out.push_str(&format!("  help:   {note}\n"));
    }
    for line in remedies(j) {
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}
