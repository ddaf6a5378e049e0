//! `failsafe hook`: the agents' fixtures round-trip, no must-not answer is ever produced,
//! the hook corpus (`tests/corpus/hook.txt`) through every dialect, fail-closed answers
//! for bad input and the deadline, and a seeded fuzz loop over every agent mode.

use crate::sandbox::{Run, Sandbox};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hooks")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A user policy giving each fixture command the verdict the fixtures need (in write
/// mode): deny `kubectl delete`, ask `terraform apply`, nothing for git.
const POLICY: &str = r#"package failsafe.user

import rego.v1

block contains {"id": "test.deny", "reason": "test: kubectl delete is refused"} if {
	input.tool == "kubectl"
	input.verb == "delete"
}

ask contains {"id": "test.ask", "reason": "test: a human approves terraform apply"} if {
	input.tool == "terraform"
	input.verb == "apply"
}

ask contains {"id": "test.ask-helm", "reason": "test: a human approves helm upgrade"} if {
	input.tool == "helm"
	input.verb == "upgrade"
}
"#;

fn sandbox(write: bool) -> Sandbox {
    let sb = Sandbox::new();
    sb.user_policy("hook.rego", POLICY);
    if write {
        sb.write_mode();
    }
    sb
}

fn hook(sb: &Sandbox, shims: bool, input: impl Into<Vec<u8>>, agent: Option<&str>) -> Run {
    let cmd = if shims {
        sb.failsafe_guarded()
    } else {
        sb.failsafe()
    };
    let mut cmd = cmd.arg("hook");
    if let Some(a) = agent {
        cmd = cmd.args(["--agent", a]);
    }
    cmd.stdin(input).run()
}

/// Every answer, whatever it says: exit 0 or 2, exit 2 with a reason on stderr and
/// nothing on stdout, exit 0 with nothing or exactly one JSON object on stdout.
fn assert_valid(run: &Run) {
    match run.code() {
        Some(2) => {
            run.check(
                !run.stderr().trim().is_empty(),
                "exit 2 needs a reason on stderr",
            );
            run.check(run.stdout().trim().is_empty(), "exit 2 must not print JSON");
        }
        Some(0) => {
            let out = run.stdout();
            let out = out.trim();
            if !out.is_empty() {
                let v: Result<Value, _> = serde_json::from_str(out);
                run.check(
                    v.as_ref().is_ok_and(Value::is_object),
                    "stdout must be exactly one JSON object",
                );
            }
        }
        other => run.fail(format!(
            "exit status {other:?} is never a valid hook answer"
        )),
    }
}

/// Replaces every non-empty free-text value with "R", so answers compare by structure.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let free =
                        k.to_lowercase().contains("reason") || k.to_lowercase().contains("message");
                    let v = match v {
                        Value::String(s) if free && !s.trim().is_empty() => json!("R"),
                        other => shape(other),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// Whether `run` is the answer `expected` (or one of its alternatives) describes.
fn matches_expected(run: &Run, expected: &Value) -> bool {
    let candidates = std::iter::once(expected).chain(
        expected
            .get("alternatives")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    candidates.into_iter().any(|e| {
        let code_ok = e.get("exit_code").and_then(Value::as_i64) == run.code().map(i64::from);
        let out = run.stdout();
        let stdout_ok = match e.get("stdout_json") {
            None | Some(Value::Null) => out.trim().is_empty(),
            Some(want) => serde_json::from_str::<Value>(out.trim())
                .is_ok_and(|got| shape(&got) == shape(want)),
        };
        let stderr_ok = match e.get("stderr") {
            Some(Value::String(_)) => !run.stderr().trim().is_empty(),
            _ => true,
        };
        code_ok && stdout_ok && stderr_ok
    })
}

/// Whether `run` is one of the answers a must-not case describes.
fn matches_must_not(run: &Run, case: &Value) -> bool {
    let code = case.get("exit_code").and_then(Value::as_i64);
    if code.is_none() {
        // A timeout or a signal: the run itself must have exited.
        return run.code().is_none();
    }
    if code != run.code().map(i64::from) {
        return false;
    }
    let want = case
        .get("stdout")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let got = run.stdout();
    if want.trim().is_empty() {
        let stderr_want = case.get("stderr").and_then(Value::as_str);
        return got.trim().is_empty()
            && match stderr_want {
                Some("") => run.stderr().trim().is_empty(),
                _ => true,
            };
    }
    match (
        serde_json::from_str::<Value>(want),
        serde_json::from_str::<Value>(got.trim()),
    ) {
        (Ok(w), Ok(g)) => shape(&w) == shape(&g),
        (Err(_), Ok(_)) => false,
        // Plain text or several documents: any non-JSON stdout is that mistake.
        (_, Err(_)) => !got.trim().is_empty(),
    }
}

fn index() -> Vec<(String, String, String)> {
    let idx = read_json(&fixtures().join("INDEX.json"));
    let mut out = Vec::new();
    for (agent, pairs) in idx.as_object().unwrap() {
        for (input, expected) in pairs.as_object().unwrap() {
            out.push((
                agent.clone(),
                input.clone(),
                expected.as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn must_nots(agent: &str) -> Vec<Value> {
    let path = fixtures().join(agent).join("must-not.json");
    if !path.exists() {
        return Vec::new();
    }
    read_json(&path)["cases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn every_fixture_round_trips_and_no_must_not_answer_is_produced() {
    let sb = sandbox(true);
    let mut failures = Vec::new();
    for (agent, input, expected) in index() {
        let bytes = std::fs::read(fixtures().join(&agent).join(&input)).unwrap();
        let want = read_json(&fixtures().join(&agent).join(&expected));
        // Detected from the shape, and named explicitly: the same answer.
        for named in [None, Some(agent.as_str())] {
            let run = hook(&sb, false, bytes.clone(), named);
            assert_valid(&run);
            let ok = if agent == "opencode" {
                // The plugin throws on exit 2 and returns on silence.
                let deny = expected.contains("deny");
                if deny {
                    run.code() == Some(2) && !run.stderr().trim().is_empty()
                } else {
                    run.code() == Some(0) && run.stdout().trim().is_empty()
                }
            } else {
                matches_expected(&run, &want)
            };
            if !ok {
                failures.push(format!(
                    "{agent}/{input} (agent {named:?}) vs {expected}\n{}",
                    run.report()
                ));
            }
            for case in must_nots(&agent) {
                if matches_must_not(&run, &case) {
                    failures.push(format!(
                        "{agent}/{input}: produced a must-not answer: {case}\n{}",
                        run.report()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn internal_errors_refuse_in_every_dialect() {
    let sb = sandbox(false);
    for agent in [
        "claude-code",
        "codex",
        "gemini-cli",
        "qwen-code",
        "cursor",
        "copilot-cli",
        "cline",
        "goose",
        "crush",
        "windsurf",
    ] {
        let want = read_json(&fixtures().join(agent).join("expected-internal-error.json"));
        for input in ["{not json", "", "[1,2,3]", "\"text\""] {
            let run = hook(&sb, false, input, Some(agent));
            assert_valid(&run);
            if !matches_expected(&run, &want) {
                run.fail(format!(
                    "{agent}: input {input:?} should give the internal-error answer {want}"
                ));
            }
            for case in must_nots(agent) {
                if matches_must_not(&run, &case) {
                    run.fail(format!("{agent}: must-not answer {case}"));
                }
            }
        }
    }
    // No agent named and a shape nobody sends: exit 2 with a reason.
    let run = hook(&sb, false, "{\"hello\":1}", None);
    run.assert_code(2)
        .assert_stderr_contains("cannot tell which agent");
    let run = hook(&sb, false, "{}", Some("vim"));
    run.assert_code(2)
        .assert_stderr_contains("unknown agent `vim`");
}

fn strip_command(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for key in ["command", "command_line", "commands"] {
                m.remove(key);
            }
            if m.contains_key("toolArgs") {
                m.insert("toolArgs".into(), json!("{}"));
            }
            m.values_mut().for_each(strip_command);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_command),
        _ => {}
    }
}

#[test]
fn a_command_tool_without_a_command_is_refused() {
    let sb = sandbox(false);
    for agent in DIALECTS {
        let mut input = input_for(agent, "git status", &sb.work);
        strip_command(&mut input);
        let run = hook(&sb, false, input.to_string(), None);
        let refused = run.code() == Some(2) || decision(agent, &run) == "deny";
        run.check(
            refused,
            format!("{agent}: a command tool without a command must be refused"),
        );
    }
}

#[test]
fn bare_failsafe_with_piped_stdin_is_the_hook() {
    let sb = sandbox(false);
    let input = std::fs::read(fixtures().join("claude-code/input-bash-deny.json")).unwrap();
    let run = sb.failsafe().stdin(input).run();
    run.assert_code(0);
    let v: Value = serde_json::from_str(run.stdout().trim()).unwrap();
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
}

#[test]
fn the_deadline_refuses_a_hook_that_hangs() {
    let sb = sandbox(false);
    let mut child = std::process::Command::new(crate::sandbox::exe())
        .arg("hook")
        .arg("--agent")
        .arg("gemini")
        .env_clear()
        .env("HOME", &sb.home)
        .env("FAILSAFE_CONFIG_DIR", &sb.config)
        .env("FAILSAFE_HOOK_DEADLINE_MS", "200")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Keep stdin open: the agent "hangs".
    let _stdin = child.stdin.take();
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("took longer"));
}

// ------------------------------------------------------------------ the corpus

/// The agents the corpus runs through, in turn.
const DIALECTS: &[&str] = &[
    "claude",
    "codex",
    "gemini",
    "qwen",
    "cursor",
    "copilot",
    "copilot-camel",
    "cline",
    "goose",
    "crush",
    "windsurf",
    "opencode",
];

/// The stdin `agent` sends for a shell line (without naming the agent: detection is
/// part of what is tested).
fn input_for(agent: &str, line: &str, cwd: &Path) -> Value {
    let cwd = cwd.display().to_string();
    match agent {
        "claude" => {
            json!({"session_id": "s", "transcript_path": "/h/.claude/projects/x/s.jsonl", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": line}, "tool_use_id": "t"})
        }
        "codex" => {
            json!({"session_id": "s", "turn_id": "1", "transcript_path": "/h/.codex/sessions/r.jsonl", "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default", "tool_name": "Bash",
            "tool_input": {"command": line}, "tool_use_id": "t"})
        }
        "gemini" => {
            json!({"session_id": "s", "transcript_path": "/h/.gemini/tmp/x/chats/s.json", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-01-01T00:00:00Z", "tool_name": "run_shell_command",
            "tool_input": {"command": line}})
        }
        "qwen" => {
            json!({"session_id": "s", "transcript_path": "/h/.qwen/tmp/x/chats/s.json", "cwd": cwd,
            "hook_event_name": "PreToolUse", "timestamp": "2026-01-01T00:00:00Z", "permission_mode": "default",
            "tool_name": "run_shell_command", "tool_input": {"command": line}, "tool_use_id": "t"})
        }
        "cursor" => {
            json!({"conversation_id": "c", "generation_id": "g", "model": "default", "cursor_version": "3.9.16",
            "workspace_roots": [cwd], "command": line, "cwd": "", "sandbox": false, "hook_event_name": "beforeShellExecution"})
        }
        "copilot" => {
            json!({"session_id": "s", "hook_event_name": "PreToolUse", "timestamp": "2026-01-01T00:00:00Z",
            "cwd": cwd, "tool_name": "Bash", "tool_input": {"command": line}})
        }
        "copilot-camel" => json!({"sessionId": "s", "timestamp": 1, "cwd": cwd, "toolName": "bash",
            "toolArgs": json!({"command": line}).to_string()}),
        "cline" => {
            json!({"clineVersion": "4.1.13", "hookName": "PreToolUse", "timestamp": "1", "taskId": "t",
            "workspaceRoots": [cwd], "userId": "u",
            "preToolUse": {"toolName": "run_commands", "parameters": {"commands": json!([line]).to_string()}}})
        }
        "goose" => {
            json!({"event": "PreToolUse", "session_id": "s", "matcher_context": "shell", "tool_call_id": "t",
            "tool_name": "shell", "tool_input": {"command": line}, "working_dir": cwd})
        }
        "crush" => {
            json!({"event": "PreToolUse", "session_id": "s", "cwd": cwd, "tool_name": "bash",
            "tool_input": {"command": line}})
        }
        "windsurf" => {
            json!({"agent_action_name": "pre_run_command", "trajectory_id": "t", "execution_id": "e",
            "timestamp": "2026-01-01T00:00:00Z", "tool_info": {"command_line": line, "cwd": cwd}})
        }
        "opencode" => json!({"input": {"tool": "bash", "sessionID": "s", "callID": "c"},
            "output": {"args": {"command": line, "workdir": cwd}}}),
        other => panic!("no input for {other}"),
    }
}

const HUMAN: &str = "needs human confirmation";

/// What the agent was told: allow, deny or ask.
fn decision(agent: &str, run: &Run) -> String {
    assert_valid(run);
    let out = run.stdout();
    let v: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
    let by_reason = |reason: &str| {
        if reason.starts_with(HUMAN) {
            "ask"
        } else {
            "deny"
        }
    };
    let d = match agent {
        "claude" | "qwen" | "codex" | "copilot" | "copilot-camel" => {
            match v["hookSpecificOutput"]["permissionDecision"].as_str() {
                None => "allow",
                Some("deny") => by_reason(
                    v["hookSpecificOutput"]["permissionDecisionReason"]
                        .as_str()
                        .unwrap_or(""),
                ),
                Some(other) => other,
            }
        }
        "gemini" => v["decision"].as_str().unwrap_or("allow"),
        "cursor" => v["permission"].as_str().unwrap_or("?"),
        "cline" => match v["cancel"].as_bool() {
            Some(true) => by_reason(v["errorMessage"].as_str().unwrap_or("")),
            _ => "allow",
        },
        "goose" | "crush" => match v["decision"].as_str() {
            None => "allow",
            Some(_) => by_reason(v["reason"].as_str().unwrap_or("")),
        },
        "windsurf" | "opencode" => match run.code() {
            Some(2) => by_reason(run.stderr().trim_start()),
            _ => "allow",
        },
        _ => "?",
    };
    d.to_string()
}

/// Agents that have an ask answer; the others are told "deny" with a reason saying a
/// human must approve, which [`decision`] reads back as ask.
fn corpus_cases() -> Vec<(usize, String, String, String, String)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/hook.txt"),
    )
    .unwrap();
    let mut cases = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut cols = Vec::new();
        let mut rest = raw;
        for _ in 0..3 {
            let t = rest.trim_start();
            let end = t.find(char::is_whitespace).unwrap_or(t.len());
            cols.push(t[..end].to_string());
            rest = &t[end..];
        }
        let line = rest.trim_start().replace("\\n", "\n");
        cases.push((
            n + 1,
            cols[0].clone(),
            cols[1].clone(),
            cols[2].clone(),
            line,
        ));
    }
    cases
}

const KUBECONFIG: &str = "apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: prod, user: admin}\nclusters:\n- name: prod\n  cluster: {server: \"https://prod.example.com\"}\nusers:\n- name: admin\n  user: {token: x}\n";

#[test]
fn the_hook_corpus_through_every_dialect() {
    let read = sandbox(false);
    let write = sandbox(true);
    let cases = corpus_cases();
    assert!(cases.len() >= 200, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for (i, (n, mode, shims, want, line)) in cases.iter().enumerate() {
        let sb = if mode == "write" { &write } else { &read };
        let kc = sb.write("kube/config", KUBECONFIG);
        let line = line
            .replace("@KC@", &kc.display().to_string())
            .replace("@CONFIG@", &sb.config.display().to_string())
            .replace(
                "@SHIMS@",
                &sb.xdg_data.join("failsafe/shims").display().to_string(),
            )
            .replace("@PATHSHIMS@", &sb.shims.display().to_string());
        // Each case through two dialects in turn, so every dialect sees every kind.
        for agent in [
            DIALECTS[i % DIALECTS.len()],
            DIALECTS[(i + 5) % DIALECTS.len()],
        ] {
            let input = input_for(agent, &line, &sb.work).to_string();
            let run = hook(sb, shims == "shims", input, None);
            let got = decision(agent, &run);
            if &got != want {
                failures.push(format!(
                    "hook.txt:{n}: {mode} {shims} `{line}` via {agent}: expected {want}, got {got}\n  stdout: {}\n  stderr: {}",
                    run.stdout().trim(),
                    run.stderr().trim()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ------------------------------------------------------------------ fuzz

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "kubectl",
    "delete",
    "ns",
    "prod",
    "git",
    "push",
    "-f",
    "&&",
    "||",
    ";",
    "|",
    "&",
    "$(",
    ")",
    "`",
    "'",
    "\"",
    "bash",
    "-c",
    "eval",
    "sudo",
    "env",
    "X=1",
    "<<EOF",
    "EOF",
    "\n",
    "(",
    "{",
    "}",
    "failsafe",
    "toggle",
    ">",
    "~/.config/failsafe/x",
    "$X",
    "*",
    "\\",
    "python",
    "-e",
    "xargs",
    "terraform",
    "apply",
    "\u{0}",
    "é",
    "#",
    "((",
    "))",
    "[[",
    "]]",
];

fn random_line(rng: &mut Rng) -> String {
    (0..rng.below(12))
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.next().is_multiple_of(3)),
        2 => json!(rng.next().cast_signed()),
        3 => json!(random_line(rng)),
        4 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "hook_event_name",
                "tool_name",
                "tool_input",
                "command",
                "cwd",
                "event",
                "toolArgs",
                "toolName",
                "preToolUse",
                "parameters",
                "commands",
                "tool_info",
                "command_line",
                "agent_action_name",
                "input",
                "output",
                "args",
                "tool",
                "file_path",
                "transcript_path",
                "turn_id",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(6) {
                m.insert(rng.pick(&keys).to_string(), random_json(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

#[test]
fn fuzz_never_crashes_never_exits_one() {
    let sb = sandbox(false);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let agents = [
        None,
        Some("claude"),
        Some("codex"),
        Some("gemini"),
        Some("qwen"),
        Some("cursor"),
        Some("copilot"),
        Some("cline"),
        Some("goose"),
        Some("crush"),
        Some("windsurf"),
        Some("opencode"),
    ];
    for round in 0..96 {
        let agent = agents[round % agents.len()];
        let input: Vec<u8> = match round % 4 {
            0 => (0..rng.below(64))
                .map(|_| rng.next().to_le_bytes()[0])
                .collect(),
            1 => random_json(&mut rng, 0).to_string().into_bytes(),
            2 => {
                let dialect = DIALECTS[rng.below(DIALECTS.len())];
                input_for(dialect, &random_line(&mut rng), &sb.work)
                    .to_string()
                    .into_bytes()
            }
            _ => {
                let dialect = DIALECTS[rng.below(DIALECTS.len())];
                let mut v = input_for(dialect, &random_line(&mut rng), &sb.work);
                // Knock out or scramble one field.
                if let Some(m) = v.as_object_mut() {
                    let key = m.keys().nth(rng.below(m.len().max(1))).cloned();
                    if let Some(k) = key {
                        m.insert(k, random_json(&mut rng, 2));
                    }
                }
                v.to_string().into_bytes()
            }
        };
        let run = hook(&sb, false, input, agent);
        assert_valid(&run);
        if agent == Some("cline") {
            // Cline ignores exit codes: a refusal must be its cancel object.
            run.check(run.code() == Some(0), "cline answers with exit 0 and JSON");
        }
    }
}

#[test]
fn the_splitter_never_panics_on_random_lines() {
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let line = random_line(&mut rng);
        let _ = failsafe::hook::shell::split(&line);
    }
}

#[test]
fn explain_reports_each_command_of_a_line() {
    let sb = sandbox(false);
    let run = sb
        .failsafe()
        .args([
            "explain",
            "--json",
            "git status && kubectl delete ns prod | grep x",
        ])
        .run();
    run.assert_code(1);
    let v: Value = serde_json::from_str(run.stdout().trim()).unwrap();
    assert_eq!(v["decision"], "refuse");
    let argvs: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        argvs,
        vec!["git status", "kubectl delete ns prod", "grep x"]
    );
    assert_eq!(v["items"][1]["judgement"]["decision"], "block");
    // A single command keeps the ordinary explain output.
    let run = sb
        .failsafe()
        .args(["explain", "--json", "git status"])
        .run();
    run.assert_code(0);
    let v: Value = serde_json::from_str(run.stdout().trim()).unwrap();
    assert_eq!(v["decision"], "allow");
    assert!(v.get("fact").is_some());
}

#[test]
fn the_agents_own_file_tools_may_not_write_failsafe_config() {
    let sb = sandbox(false);
    let target = sb
        .config
        .join("policies/allow-all.rego")
        .display()
        .to_string();
    let outside = sb.work.join("notes.md").display().to_string();
    let claude = |tool: &str, path: &str| {
        json!({"session_id": "s", "transcript_path": "/h/.claude/projects/x/s.jsonl", "cwd": sb.work,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": {"file_path": path, "content": "x"}, "tool_use_id": "t"})
    };
    let codex = |path: &str| {
        json!({"session_id": "s", "turn_id": "1", "cwd": sb.work, "hook_event_name": "PreToolUse",
            "model": "m", "permission_mode": "default", "tool_name": "apply_patch",
            "tool_input": {"command": format!("*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n")}})
    };
    let gemini = |path: &str| {
        json!({"session_id": "s", "cwd": sb.work, "hook_event_name": "BeforeTool", "timestamp": "t",
            "tool_name": "write_file", "tool_input": {"file_path": path, "content": "x"}})
    };
    for (agent, input, refused) in [
        ("claude", claude("Write", &target), true),
        ("claude", claude("Edit", &target), true),
        ("claude", claude("MultiEdit", &target), true),
        ("claude", claude("Write", &outside), false),
        ("codex", codex(&target), true),
        ("codex", codex("src/main.rs"), false),
        ("gemini", gemini(&target), true),
        ("gemini", gemini(&outside), false),
    ] {
        let run = hook(&sb, false, input.to_string(), None);
        let got = decision(agent, &run);
        run.check(
            (got == "deny") == refused,
            format!(
                "{agent}: expected {}, got {got}",
                if refused { "deny" } else { "allow" }
            ),
        );
    }
}

#[test]
fn powershell_lines_are_read_as_powershell() {
    let sb = sandbox(false);
    let ps = |line: &str| {
        json!({"session_id": "s", "transcript_path": "/h/.claude/projects/x/s.jsonl", "cwd": sb.work,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "PowerShell",
            "tool_input": {"command": line}, "tool_use_id": "t"})
        .to_string()
    };
    for (line, want) in [
        (
            "Get-ChildItem | Select-Object Name; kubectl delete namespace prod",
            "deny",
        ),
        (
            "Get-ChildItem -Path $env:HOME | ForEach-Object { $_.Name }",
            "allow",
        ),
        ("& kubectl.exe delete ns prod", "deny"),
        ("git status", "allow"),
    ] {
        let run = hook(&sb, false, ps(line), None);
        let got = decision("claude", &run);
        run.check(got == want, format!("`{line}`: expected {want}, got {got}"));
    }
}

#[test]
fn codex_argv_arrays_are_judged_as_lines() {
    let sb = sandbox(false);
    let input = json!({"session_id": "s", "turn_id": "1", "cwd": sb.work, "hook_event_name": "PreToolUse",
        "model": "m", "permission_mode": "default", "tool_name": "Bash",
        "tool_input": {"command": ["bash", "-lc", "git status && kubectl delete ns prod"]}});
    let run = hook(&sb, false, input.to_string(), None);
    assert_eq!(decision("codex", &run), "deny", "{}", run.report());
}
