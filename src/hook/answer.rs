//! What failsafe answers, in each agent's own dialect (the table in docs/agents/).
//!
//! The wrong dialect fails open, so every answer is built here and nowhere else: one JSON
//! object on stdout or nothing, exit 0, or exit 2 with a non-empty reason on stderr.
//! "No objection" is silence, except for Cursor, whose fail-closed mode needs an explicit
//! allow. Exit 1 is never produced. Pure: the caller writes the answer.

use super::agent::Agent;
use serde_json::json;

/// The hook's verdict on one call, before it is put in an agent's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No objection.
    Silent,
    /// Refused, with the reason for the agent and the human.
    Deny(String),
    /// A human must approve, with the reason.
    Ask(String),
}

/// An answer ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The exit status: 0 or 2, never 1.
    pub code: i32,
    /// Exactly one JSON object, or empty.
    pub stdout: String,
    /// Text for the human (and, on exit 2, the reason the agent reads).
    pub stderr: String,
}

/// What agents without an ask channel are told on an ask.
const NEEDS_HUMAN: &str = "needs human confirmation: ";

fn json_answer(value: &serde_json::Value) -> Answer {
    Answer {
        code: crate::exit::OK,
        stdout: value.to_string(),
        stderr: String::new(),
    }
}

fn refuse_with_exit(reason: &str) -> Answer {
    Answer {
        code: crate::exit::USAGE,
        stdout: String::new(),
        stderr: non_empty(reason),
    }
}

fn non_empty(reason: &str) -> String {
    let r = reason.trim_end();
    if r.is_empty() {
        "failsafe: refused (no reason was given; this is a bug in failsafe)\n".to_string()
    } else {
        format!("{r}\n")
    }
}

fn claude_shape(decision: &str, reason: &str) -> serde_json::Value {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": non_empty(reason).trim_end(),
        }
    })
}

/// Encodes `verdict` for `agent`. `cursor_tool_event` is Cursor's `preToolUse`, where an
/// ask is not enforced and becomes a deny.
pub fn encode(agent: Agent, verdict: &Verdict, cursor_tool_event: bool) -> Answer {
    let silent = Answer {
        code: crate::exit::OK,
        stdout: String::new(),
        stderr: String::new(),
    };
    let (deny, reason) = match verdict {
        Verdict::Silent => {
            return match agent {
                Agent::Cursor => json_answer(&json!({"permission": "allow"})),
                _ => silent,
            }
        }
        Verdict::Deny(r) => (true, r.as_str()),
        Verdict::Ask(r) => (false, r.as_str()),
    };
    let human = format!("{NEEDS_HUMAN}{reason}");
    // Agents with no ask answer deny, and say a human must approve.
    let deny_reason = if deny { reason } else { human.as_str() };
    match agent {
        Agent::Claude | Agent::Qwen => {
            json_answer(&claude_shape(if deny { "deny" } else { "ask" }, reason))
        }
        // Codex runs an `ask`; its schema allows no other key.
        Agent::Codex => json_answer(&claude_shape("deny", deny_reason)),
        Agent::Gemini => {
            let r = non_empty(reason).trim_end().to_string();
            if deny {
                json_answer(&json!({"decision": "deny", "reason": r}))
            } else {
                json_answer(&json!({"decision": "ask", "reason": r, "systemMessage": r}))
            }
        }
        Agent::Cursor => {
            let r = non_empty(reason).trim_end().to_string();
            let permission = if deny || cursor_tool_event {
                "deny"
            } else {
                "ask"
            };
            json_answer(&json!({"permission": permission, "user_message": r, "agent_message": r}))
        }
        Agent::Copilot => {
            let decision = if deny { "deny" } else { "ask" };
            let r = non_empty(reason).trim_end().to_string();
            json_answer(&json!({
                "permissionDecision": decision,
                "permissionDecisionReason": r,
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": decision,
                    "permissionDecisionReason": r,
                }
            }))
        }
        Agent::Cline => {
            json_answer(&json!({"cancel": true, "errorMessage": non_empty(deny_reason).trim_end()}))
        }
        Agent::Goose => {
            json_answer(&json!({"decision": "block", "reason": non_empty(deny_reason).trim_end()}))
        }
        Agent::Crush => json_answer(
            &json!({"version": 1, "decision": "deny", "reason": non_empty(deny_reason).trim_end()}),
        ),
        Agent::Windsurf | Agent::OpenCode | Agent::Unknown => refuse_with_exit(deny_reason),
    }
}

/// The answer when failsafe itself failed (bad input, an internal error, a panic, the
/// deadline): a refusal every agent blocks on. Cline gives exit codes no meaning, so it
/// gets its cancel object; everyone else exit 2 with the message on stderr.
pub fn internal_error(agent: Agent, message: &str) -> Answer {
    let text = format!(
        "{}\n  help:   this is a failure inside failsafe or in what the agent sent; the command was refused (fail closed)",
        message.trim_end()
    );
    match agent {
        Agent::Cline => json_answer(&json!({"cancel": true, "errorMessage": text})),
        _ => refuse_with_exit(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Agent] = &[
        Agent::Claude,
        Agent::Codex,
        Agent::Gemini,
        Agent::Qwen,
        Agent::Cursor,
        Agent::Copilot,
        Agent::Cline,
        Agent::Goose,
        Agent::Crush,
        Agent::Windsurf,
        Agent::OpenCode,
        Agent::Unknown,
    ];

    #[test]
    fn never_exit_one_and_never_empty_refusals() {
        for agent in ALL {
            for v in [
                Verdict::Deny(String::new()),
                Verdict::Ask("x".into()),
                Verdict::Silent,
            ] {
                let a = encode(*agent, &v, false);
                assert!(a.code == 0 || a.code == 2, "{agent:?} {v:?}");
                if a.code == 2 {
                    assert!(!a.stderr.trim().is_empty());
                }
                if v != Verdict::Silent {
                    assert!(a.code == 2 || !a.stdout.is_empty(), "{agent:?} {v:?}");
                }
            }
            let e = internal_error(*agent, "failsafe: x");
            assert!(e.code == 2 || e.stdout.contains("\"cancel\":true"));
        }
    }
}
