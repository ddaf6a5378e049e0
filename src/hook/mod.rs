//! `failsafe hook`: the front end for agents' pre-exec hooks.
//!
//! Reads the agent's JSON on stdin, recognises the agent ([`agent`]), splits each shell
//! line the way bash will run it ([`shell`], [`wrappers`]), judges every guarded command
//! with the shim's own decision core ([`check`]) and answers in the agent's dialect
//! ([`answer`]).
//!
//! It never fails open: bad JSON, an unknown shape, a missing command, an internal error,
//! a panic or running past [`DEADLINE`] all become the agent's refusal (exit 2 with a
//! reason on stderr, or Cline's cancel object). Exit 1 is never used. Never execs.

pub mod agent;
pub mod answer;
pub mod check;
pub mod shell;
pub mod wrappers;

use agent::Agent;
use answer::{Answer, Verdict};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How long the hook may take before it refuses on its own: far below every agent's
/// timeout (Gemini's default is 60 s, Copilot's 30 s), because a timeout fails open.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// The most stdin the hook reads; a larger input is refused.
const MAX_INPUT: u64 = 8 * 1024 * 1024;

/// Set once an answer was written, so the deadline and the panic hook never add a
/// second one.
static ANSWERED: AtomicBool = AtomicBool::new(false);
/// The agent being answered, as an index into [`agent::NAMES`]-independent list below,
/// so the deadline and panic paths can answer in its dialect.
static CURRENT: AtomicUsize = AtomicUsize::new(0);

const AGENTS: &[Agent] = &[
    Agent::Unknown,
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
];

fn set_current(agent: Agent) {
    let i = AGENTS.iter().position(|a| *a == agent).unwrap_or(0);
    CURRENT.store(i, Ordering::SeqCst);
}

fn current() -> Agent {
    AGENTS
        .get(CURRENT.load(Ordering::SeqCst))
        .copied()
        .unwrap_or(Agent::Unknown)
}

/// Writes `answer` unless one was already written; returns its exit code. Only the
/// first caller writes: the others wait for the process to end.
fn emit(answer: &Answer) -> i32 {
    if ANSWERED.swap(true, Ordering::SeqCst) {
        // Someone else (the deadline, the panic hook) is answering and exiting.
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(answer.stdout.as_bytes());
    let _ = out.flush();
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(answer.stderr.as_bytes());
    let _ = err.flush();
    answer.code
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let a = answer::internal_error(
            current(),
            &format!("failsafe: internal error{place}: {info}"),
        );
        let code = emit(&a);
        std::process::exit(code);
    }));
}

fn start_deadline(limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        let a = answer::internal_error(
            current(),
            &format!(
                "failsafe: refused: judging the command took longer than {} ms",
                limit.as_millis()
            ),
        );
        let code = emit(&a);
        std::process::exit(code);
    });
}

/// The deadline: [`DEADLINE`], or shorter when `FAILSAFE_HOOK_DEADLINE_MS` asks (tests);
/// never longer, so no setting can push the hook into an agent's fail-open timeout.
fn deadline() -> Duration {
    crate::config::process_env("FAILSAFE_HOOK_DEADLINE_MS")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .map_or(DEADLINE, |d| d.min(DEADLINE))
}

/// Runs `failsafe hook [--agent NAME]`: reads stdin, answers, returns the exit code.
pub fn run(agent: Option<&str>) -> i32 {
    let named = match agent {
        None => None,
        Some(name) => {
            if let Some(a) = Agent::from_name(name) {
                Some(a)
            } else {
                let known: Vec<&str> = agent::NAMES.iter().map(|(n, _)| *n).collect();
                let hint = crate::tool::nearest(name, known.iter().copied())
                    .map(|n| format!("\n  help:   did you mean `--agent {n}`?"))
                    .unwrap_or_default();
                return emit(&answer::internal_error(
                    Agent::Unknown,
                    &format!(
                        "failsafe: unknown agent `{name}`; known: {}{hint}",
                        known.join(", ")
                    ),
                ));
            }
        }
    };
    set_current(named.unwrap_or(Agent::Unknown));
    install_panic_hook();
    start_deadline(deadline());
    let mut input = Vec::new();
    let read = std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut input);
    let a = match read {
        Err(e) => answer::internal_error(
            current(),
            &format!("failsafe: cannot read the hook input on stdin: {e}"),
        ),
        Ok(_) if input.len() as u64 > MAX_INPUT => answer::internal_error(
            current(),
            &format!("failsafe: the hook input is larger than {MAX_INPUT} bytes"),
        ),
        Ok(_) => respond(&input, named, &|cwd| check::Setting::from_process(cwd)),
    };
    emit(&a)
}

/// Answers one hook input. `setting` reads the world for a working directory (tests pass
/// their own).
pub fn respond(
    input: &[u8],
    named: Option<Agent>,
    setting: &dyn Fn(PathBuf) -> check::Setting,
) -> Answer {
    let value: serde_json::Value = match serde_json::from_slice(input) {
        Ok(v) => v,
        Err(e) => {
            return answer::internal_error(
                named.unwrap_or(Agent::Unknown),
                &format!("failsafe: the hook input is not valid JSON: {e}"),
            )
        }
    };
    let agent = named.unwrap_or_else(|| agent::detect(&value));
    set_current(agent);
    if agent == Agent::Unknown {
        return answer::internal_error(
            agent,
            "failsafe: cannot tell which agent sent this hook input\n  help:   name it: `failsafe hook --agent claude` (or codex, gemini, qwen, cursor, copilot, cline, goose, crush, windsurf, opencode)",
        );
    }
    let call = match agent::read_call(agent, &value) {
        Ok(c) => c,
        Err(e) => return answer::internal_error(agent, &format!("failsafe: {e}")),
    };
    if call.lines.is_empty() && call.writes.is_empty() {
        return answer::encode(agent, &Verdict::Silent, call.cursor_tool_event);
    }
    let cwd = match &call.cwd {
        Some(dir) if dir.is_dir() => {
            // Repo policies and the git enricher read the agent's directory.
            let _ = std::env::set_current_dir(dir);
            dir.clone()
        }
        _ => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    };
    let s = setting(cwd);
    let outcome = check::check_call(&call.lines, &call.writes, call.powershell, &s);
    let mut a = answer::encode(agent, &outcome.verdict, call.cursor_tool_event);
    if a.code == crate::exit::OK {
        for note in &outcome.notes {
            a.stderr.push_str(&format!("failsafe: note: {note}\n"));
        }
    }
    a
}
