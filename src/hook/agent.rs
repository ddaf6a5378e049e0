//! Which agent is asking, and what its pre-exec JSON asks about.
//!
//! Each agent sends its own shape (see docs/agents/ and the design's hook fixtures). This
//! module recognises the agent from the shape when it is not named, and pulls out the
//! shell line(s), the files a file-writing tool call touches, and the working directory.
//! Pure: no I/O.

use serde_json::Value;
use std::path::PathBuf;

/// An agent whose hook protocol failsafe speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// Claude Code (`PreToolUse`, `hookSpecificOutput`).
    Claude,
    /// `OpenAI` Codex (Claude-like, but a strict output schema and no ask).
    Codex,
    /// Gemini CLI (`BeforeTool`).
    Gemini,
    /// Qwen Code (Claude-style `PreToolUse` with Gemini tool names).
    Qwen,
    /// Cursor (`beforeShellExecution` or `preToolUse`).
    Cursor,
    /// GitHub Copilot CLI and the VS Code agent.
    Copilot,
    /// Cline (file hooks; answers with `cancel`).
    Cline,
    /// Goose.
    Goose,
    /// Crush.
    Crush,
    /// Windsurf (exit codes only).
    Windsurf,
    /// `OpenCode` / Kilo, through the plugin in install/opencode/ (exit codes).
    OpenCode,
    /// A shape failsafe does not know: refused with exit 2 and a reason on stderr.
    Unknown,
}

/// Names accepted by `--agent`, with the agent each one means.
pub const NAMES: &[(&str, Agent)] = &[
    ("claude", Agent::Claude),
    ("claude-code", Agent::Claude),
    ("codex", Agent::Codex),
    ("gemini", Agent::Gemini),
    ("gemini-cli", Agent::Gemini),
    ("qwen", Agent::Qwen),
    ("qwen-code", Agent::Qwen),
    ("cursor", Agent::Cursor),
    ("copilot", Agent::Copilot),
    ("copilot-cli", Agent::Copilot),
    ("cline", Agent::Cline),
    ("goose", Agent::Goose),
    ("crush", Agent::Crush),
    ("windsurf", Agent::Windsurf),
    ("opencode", Agent::OpenCode),
    ("kilo", Agent::OpenCode),
];

impl Agent {
    /// The agent an `--agent` value names.
    pub fn from_name(name: &str) -> Option<Agent> {
        let lower = name.to_ascii_lowercase();
        NAMES.iter().find(|(n, _)| *n == lower).map(|(_, a)| *a)
    }

    /// The agent's canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Qwen => "qwen",
            Agent::Cursor => "cursor",
            Agent::Copilot => "copilot",
            Agent::Cline => "cline",
            Agent::Goose => "goose",
            Agent::Crush => "crush",
            Agent::Windsurf => "windsurf",
            Agent::OpenCode => "opencode",
            Agent::Unknown => "unknown",
        }
    }
}

/// What one hook call asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Call {
    /// The shell lines the tool will run (Cline may send several).
    pub lines: Vec<String>,
    /// The lines are PowerShell, not a POSIX shell.
    pub powershell: bool,
    /// Files the tool call writes (the agent's own Write/Edit tools, patches).
    pub writes: Vec<String>,
    /// The working directory the agent reports.
    pub cwd: Option<PathBuf>,
    /// Cursor's `preToolUse` (which does not enforce `ask`) rather than
    /// `beforeShellExecution`.
    pub cursor_tool_event: bool,
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

fn has(v: &Value, key: &str) -> bool {
    v.get(key).is_some()
}

/// Recognises the agent from the JSON's shape.
pub fn detect(v: &Value) -> Agent {
    if !v.is_object() {
        return Agent::Unknown;
    }
    if has(v, "agent_action_name") && has(v, "tool_info") {
        return Agent::Windsurf;
    }
    if has(v, "preToolUse") || has(v, "clineVersion") || (has(v, "hookName") && has(v, "taskId")) {
        return Agent::Cline;
    }
    if has(v, "toolArgs") || (has(v, "toolName") && !has(v, "hook_event_name")) {
        return Agent::Copilot;
    }
    if v.get("input").is_some_and(|i| i.get("tool").is_some()) && has(v, "output") {
        return Agent::OpenCode;
    }
    if s(v, &["event"]) == Some("PreToolUse") {
        if has(v, "working_dir") || has(v, "matcher_context") || has(v, "tool_call_id") {
            return Agent::Goose;
        }
        return Agent::Crush;
    }
    let event = s(v, &["hook_event_name"]).unwrap_or_default();
    let transcript = s(v, &["transcript_path"]).unwrap_or_default();
    let tool = s(v, &["tool_name"]).unwrap_or_default();
    match event {
        "BeforeTool" => Agent::Gemini,
        "beforeShellExecution" | "preToolUse" => Agent::Cursor,
        _ if has(v, "cursor_version") || has(v, "conversation_id") => Agent::Cursor,
        "PreToolUse" => {
            // The transcript's directory is the surest mark; tool names and keys next.
            if has(v, "turn_id") || transcript.contains("/.codex/") {
                Agent::Codex
            } else if transcript.contains("/.claude/") {
                Agent::Claude
            } else if transcript.contains("/.qwen/") {
                Agent::Qwen
            } else if transcript.contains("copilot") || tool == "run_in_terminal" {
                Agent::Copilot
            } else if matches!(tool, "run_shell_command" | "monitor") {
                Agent::Qwen
            } else if has(v, "permission_mode") {
                Agent::Claude
            } else if has(v, "timestamp") && !has(v, "transcript_path") {
                Agent::Copilot
            } else {
                Agent::Unknown
            }
        }
        _ => Agent::Unknown,
    }
}

/// Why a call could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// A command tool without a command string.
    #[error("the {agent} hook input for tool `{tool}` has no command string")]
    MissingCommand {
        /// The agent.
        agent: &'static str,
        /// The tool named in the input.
        tool: String,
    },
    /// The shape is not one failsafe knows for this agent.
    #[error("the hook input does not look like a {0} pre-tool call")]
    UnknownShape(&'static str),
}

/// Whether a Claude-style tool name runs shell commands.
fn claude_command_tool(tool: &str) -> bool {
    matches!(tool, "Bash" | "PowerShell" | "Monitor")
        || (tool.starts_with("mcp__") && {
            let t = tool.to_ascii_lowercase();
            t.contains("bash")
                || t.contains("shell")
                || t.contains("exec")
                || t.contains("terminal")
        })
}

fn command_of(agent: Agent, tool: &str, input: Option<&Value>) -> Result<String, CallError> {
    let missing = || CallError::MissingCommand {
        agent: agent.name(),
        tool: tool.to_string(),
    };
    let value = input.and_then(|i| i.get("command")).ok_or_else(missing)?;
    match value {
        Value::String(s) => Ok(s.clone()),
        // Codex has sent argv arrays (`["bash", "-lc", "…"]`).
        Value::Array(words) => {
            let words: Option<Vec<&str>> = words.iter().map(Value::as_str).collect();
            let words = words.ok_or_else(missing)?;
            Ok(shell_words::join(words))
        }
        _ => Err(missing()),
    }
}

fn file_of(input: Option<&Value>, keys: &[&str]) -> Vec<String> {
    let Some(input) = input else {
        return Vec::new();
    };
    let mut out: Vec<String> = keys
        .iter()
        .filter_map(|k| input.get(*k).and_then(Value::as_str).map(str::to_string))
        .collect();
    if let Some(edits) = input.get("edits").and_then(Value::as_array) {
        for e in edits {
            out.extend(
                keys.iter()
                    .filter_map(|k| e.get(*k).and_then(Value::as_str).map(str::to_string)),
            );
        }
    }
    out
}

/// The files a Codex-style patch (`*** Add File: path`) touches.
pub fn patch_paths(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter_map(|l| {
            [
                "*** Add File: ",
                "*** Update File: ",
                "*** Delete File: ",
                "*** Move to: ",
            ]
            .iter()
            .find_map(|p| l.strip_prefix(p))
        })
        .map(|p| p.trim().to_string())
        .collect()
}

fn cwd_of(v: &Value, keys: &[&[&str]]) -> Option<PathBuf> {
    keys.iter()
        .filter_map(|k| s(v, k))
        .find(|c| !c.is_empty())
        .map(PathBuf::from)
}

/// Reads what `agent` asks about from its JSON. A call for a tool that neither runs
/// commands nor writes files comes back empty (no objection).
///
/// # Errors
/// [`CallError::MissingCommand`] for a command tool without a command,
/// [`CallError::UnknownShape`] when the JSON is not the agent's pre-tool shape.
pub fn read_call(agent: Agent, v: &Value) -> Result<Call, CallError> {
    let mut call = Call::default();
    let shape_known = v.is_object()
        && match agent {
            Agent::Claude
            | Agent::Codex
            | Agent::Qwen
            | Agent::Gemini
            | Agent::Goose
            | Agent::Crush => s(v, &["tool_name"]).is_some(),
            Agent::Copilot => s(v, &["tool_name"]).is_some() || s(v, &["toolName"]).is_some(),
            Agent::Windsurf => s(v, &["agent_action_name"]).is_some(),
            Agent::OpenCode => s(v, &["input", "tool"]).is_some(),
            Agent::Cursor | Agent::Cline => true,
            Agent::Unknown => false,
        };
    if !shape_known {
        return Err(CallError::UnknownShape(agent.name()));
    }
    let tool = s(v, &["tool_name"]).unwrap_or_default().to_string();
    let input = v.get("tool_input");
    match agent {
        Agent::Claude | Agent::Codex | Agent::Qwen | Agent::Gemini | Agent::Copilot
            if v.get("hook_event_name").is_some() =>
        {
            call.cwd = cwd_of(v, &[&["cwd"]]);
            let command_tool = match agent {
                Agent::Claude | Agent::Codex => claude_command_tool(&tool),
                Agent::Qwen | Agent::Gemini => {
                    matches!(
                        tool.as_str(),
                        "run_shell_command" | "monitor" | "Bash" | "Shell"
                    )
                }
                _ => matches!(
                    tool.to_ascii_lowercase().as_str(),
                    "bash" | "shell" | "powershell" | "run_in_terminal" | "terminal"
                ),
            };
            if command_tool {
                call.lines.push(command_of(agent, &tool, input)?);
                call.powershell = tool.eq_ignore_ascii_case("powershell");
                if let Some(dir) = s(v, &["tool_input", "dir_path"]) {
                    call.cwd = Some(call.cwd.unwrap_or_default().join(dir));
                }
            } else if tool == "apply_patch" {
                let patch = input.and_then(|i| i.get("command").or_else(|| i.get("patch")));
                call.writes = patch
                    .and_then(Value::as_str)
                    .map(patch_paths)
                    .unwrap_or_default();
            } else {
                call.writes = file_of(
                    input,
                    &["file_path", "notebook_path", "path", "absolute_path"],
                );
            }
        }
        Agent::Copilot => {
            let name = s(v, &["toolName"]).ok_or(CallError::UnknownShape("copilot"))?;
            call.cwd = cwd_of(v, &[&["cwd"]]);
            let args: Option<Value> = match v.get("toolArgs") {
                Some(Value::String(text)) => serde_json::from_str(text).ok(),
                Some(other) => Some(other.clone()),
                None => None,
            };
            if matches!(
                name.to_ascii_lowercase().as_str(),
                "bash" | "shell" | "powershell"
            ) {
                call.lines.push(command_of(agent, name, args.as_ref())?);
                call.powershell = name.eq_ignore_ascii_case("powershell");
            } else {
                call.writes = file_of(args.as_ref(), &["path", "file_path"]);
            }
        }
        Agent::Cursor => {
            call.cwd = cwd_of(v, &[&["cwd"], &["tool_input", "cwd"]]).or_else(|| {
                v.get("workspace_roots")?
                    .get(0)?
                    .as_str()
                    .map(PathBuf::from)
            });
            match s(v, &["hook_event_name"]) {
                Some("beforeShellExecution") => {
                    let c = s(v, &["command"]).ok_or(CallError::MissingCommand {
                        agent: "cursor",
                        tool: "beforeShellExecution".to_string(),
                    })?;
                    call.lines.push(c.to_string());
                }
                Some("preToolUse") => {
                    call.cursor_tool_event = true;
                    if matches!(tool.as_str(), "Shell" | "Terminal" | "run_terminal_cmd") {
                        call.lines.push(command_of(agent, &tool, input)?);
                    } else {
                        call.writes = file_of(input, &["file_path", "path", "target_file"]);
                    }
                }
                _ => return Err(CallError::UnknownShape("cursor")),
            }
        }
        Agent::Cline => {
            let pre = v
                .get("preToolUse")
                .ok_or(CallError::UnknownShape("cline"))?;
            let name = s(pre, &["toolName"]).unwrap_or_default();
            let params = pre.get("parameters");
            call.cwd = v
                .get("workspaceRoots")
                .and_then(|r| r.get(0))
                .and_then(Value::as_str)
                .map(PathBuf::from);
            match name {
                "run_commands" | "execute_command" => {
                    let raw = params.and_then(|p| p.get("commands").or_else(|| p.get("command")));
                    let missing = || CallError::MissingCommand {
                        agent: "cline",
                        tool: name.to_string(),
                    };
                    let value = match raw.ok_or_else(missing)? {
                        Value::String(text) => serde_json::from_str::<Value>(text)
                            .unwrap_or(Value::String(text.clone())),
                        other => other.clone(),
                    };
                    match value {
                        Value::String(one) => call.lines.push(one),
                        Value::Array(items) => {
                            for item in items {
                                call.lines
                                    .push(item.as_str().ok_or_else(missing)?.to_string());
                            }
                        }
                        _ => return Err(missing()),
                    }
                }
                _ => call.writes = file_of(params, &["path", "file_path"]),
            }
        }
        Agent::Goose => {
            call.cwd = cwd_of(v, &[&["working_dir"], &["cwd"]]);
            if matches!(tool.as_str(), "shell" | "developer__shell" | "bash") {
                call.lines.push(command_of(agent, &tool, input)?);
            } else {
                call.writes = file_of(input, &["path", "file_path"]);
            }
        }
        Agent::Crush => {
            call.cwd = cwd_of(v, &[&["tool_input", "working_dir"], &["cwd"]]);
            if matches!(tool.as_str(), "bash" | "shell") {
                call.lines.push(command_of(agent, &tool, input)?);
            } else {
                call.writes = file_of(input, &["file_path", "path"]);
            }
        }
        Agent::Windsurf => {
            call.cwd = cwd_of(v, &[&["tool_info", "cwd"]]);
            match s(v, &["agent_action_name"]) {
                Some("pre_run_command") => {
                    let c =
                        s(v, &["tool_info", "command_line"]).ok_or(CallError::MissingCommand {
                            agent: "windsurf",
                            tool: "pre_run_command".to_string(),
                        })?;
                    call.lines.push(c.to_string());
                }
                Some("pre_write_code") => call.writes = file_of(v.get("tool_info"), &["file_path"]),
                _ => {}
            }
        }
        Agent::OpenCode => {
            let name = s(v, &["input", "tool"]).unwrap_or_default();
            let args = v.get("output").and_then(|o| o.get("args"));
            call.cwd = args
                .and_then(|a| a.get("workdir"))
                .and_then(Value::as_str)
                .map(PathBuf::from);
            if name == "bash" {
                call.lines.push(command_of(agent, name, args)?);
            } else {
                call.writes = file_of(args, &["filePath", "file_path", "path"]);
            }
        }
        Agent::Claude | Agent::Codex | Agent::Qwen | Agent::Gemini | Agent::Unknown => {
            return Err(CallError::UnknownShape(agent.name()))
        }
    }
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_headers() {
        let p = "*** Begin Patch\n*** Add File: a/b.sh\n+x\n*** Update File: c\n*** Move to: d\n*** End Patch\n";
        assert_eq!(patch_paths(p), vec!["a/b.sh", "c", "d"]);
    }

    #[test]
    fn detection_prefers_the_transcript_directory() {
        let claude = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
            "transcript_path": "/h/.claude/projects/-h-copilot-demo/s.jsonl", "tool_input": {"command": "x"}});
        assert_eq!(detect(&claude), Agent::Claude);
        let codex = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "turn_id": "1"});
        assert_eq!(detect(&codex), Agent::Codex);
        let qwen = json!({"hook_event_name": "PreToolUse", "tool_name": "run_shell_command"});
        assert_eq!(detect(&qwen), Agent::Qwen);
        let bare = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "x"}});
        assert_eq!(detect(&bare), Agent::Unknown);
        assert_eq!(detect(&json!([1])), Agent::Unknown);
        assert_eq!(
            detect(&json!({"event": "PreToolUse", "working_dir": "/"})),
            Agent::Goose
        );
        assert_eq!(
            detect(&json!({"event": "PreToolUse", "cwd": "/"})),
            Agent::Crush
        );
    }

    #[test]
    fn names() {
        assert_eq!(Agent::from_name("Claude-Code"), Some(Agent::Claude));
        assert_eq!(Agent::from_name("vim"), None);
    }
}
