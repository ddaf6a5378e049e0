//! `failsafe policies list`, `tools list` and `audit`: looking at what failsafe will
//! load (`validate` checks whether it is sound).

use super::{err, json_text, out};
use crate::exit;
use crate::mode::Mode;
use crate::policy::bundled;
use crate::policy::layers::{
    load_chain, user_policy_paths, ChainRequest, PolicyFile, REPO_POLICY_FILE,
};
use crate::policy::rewrite;
use crate::policy::Layer;
use crate::spec;
use serde_json::json;
use std::path::PathBuf;

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// Runs `failsafe policies list`.
pub fn policies_list(json: bool) -> i32 {
    let config = super::config_dir();
    let mut failures = Vec::new();
    let user = user_policy_paths(&config, &mut failures);
    let home = crate::config::process_home();
    let chain = load_chain(&ChainRequest {
        tool: "",
        mode: Mode::Write,
        config_dir: &config,
        cwd: &cwd(),
        home: home.as_deref(),
        verb: "",
        uncertain: false,
        target_uncertain: false,
    });
    let repo: Vec<&PolicyFile> = chain
        .files
        .iter()
        .filter(|f| f.layer == Layer::Repo)
        .collect();
    if json {
        out(&json_text(&json!({
            "bundled": bundled::ALL.iter().map(|p| json!({"path": p.path, "tool": p.tool})).collect::<Vec<_>>(),
            "user": user,
            "repo": repo.iter().map(|f| json!({"path": f.path, "trusted": f.trusted})).collect::<Vec<_>>(),
            "problems": failures.iter().chain(chain.failures.iter()).map(|r| r.reason.clone()).collect::<Vec<_>>(),
        })));
        return exit::OK;
    }
    out("bundled (read mode only; self-protection always):\n");
    for p in bundled::ALL {
        out(&format!(
            "  {:<24} {}\n",
            p.path,
            p.tool.unwrap_or("every tool")
        ));
    }
    out(&format!("user ({}):\n", config.join("policies").display()));
    if user.is_empty() {
        out("  (none)\n");
    }
    for p in &user {
        out(&format!("  {}\n", p.display()));
    }
    out(&format!(
        "repo ({REPO_POLICY_FILE} from {} up):\n",
        cwd().display()
    ));
    if repo.is_empty() {
        out("  (none)\n");
    }
    for f in &repo {
        let t = if f.trusted == Some(true) {
            "trusted"
        } else {
            "not trusted"
        };
        out(&format!("  {} ({t})\n", f.path));
    }
    for r in failures.iter().chain(chain.failures.iter()) {
        err(&format!("failsafe: {}\n", r.reason));
    }
    exit::OK
}

/// Runs `failsafe tools list`.
pub fn tools_list(json: bool) -> i32 {
    let mut rows = Vec::new();
    for (binary, tool) in crate::tool::BUILTIN_BINARIES {
        let description = spec::builtin(tool)
            .and_then(Result::ok)
            .map(|s| s.description)
            .unwrap_or_default();
        rows.push(json!({"binary": binary, "tool": tool, "source": "built-in", "description": description}));
    }
    let user = match spec::user_specs(&super::config_dir()) {
        Ok(u) => u,
        Err(e) => {
            err(&format!(
                "failsafe: cannot list {}: {e}\n",
                super::config_dir().join("tools").display()
            ));
            return exit::NO;
        }
    };
    let mut broken = false;
    for (path, s) in user {
        match s {
            Ok(s) => {
                for b in &s.binaries {
                    rows.push(json!({"binary": b, "tool": s.tool, "source": path, "description": s.description}));
                }
            }
            Err(e) => {
                broken = true;
                rows.push(
                    json!({"binary": null, "tool": null, "source": path, "error": e.to_string()}),
                );
            }
        }
    }
    if json {
        out(&json_text(&json!({ "tools": rows })));
    } else {
        for r in &rows {
            match r.get("error").and_then(|e| e.as_str()) {
                Some(e) => out(&format!("  {:<10} BROKEN: {e}\n", "?")),
                None => out(&format!(
                    "  {:<10} {:<10} {}  ({})\n",
                    r["binary"].as_str().unwrap_or(""),
                    r["tool"].as_str().unwrap_or(""),
                    r["description"].as_str().unwrap_or(""),
                    r["source"].as_str().unwrap_or("")
                )),
            }
        }
    }
    if broken {
        exit::NO
    } else {
        exit::OK
    }
}

/// The literal `"id"` in the head of the rule starting at `line` (1-based), if it has one.
fn rule_id_at(text: &str, line: u32) -> Option<String> {
    let start = line.saturating_sub(1) as usize;
    for l in text.lines().skip(start).take(12) {
        if let Some((_, rest)) = l.split_once("\"id\":") {
            let rest = rest.trim_start().strip_prefix('"')?;
            return rest.split_once('"').map(|(id, _)| id.to_string());
        }
        let t = l.trim_start();
        if t.starts_with('}') || t.contains(" if ") || t.ends_with(" if {") {
            return None;
        }
    }
    None
}

/// One rule of a policy file, for `audit`.
fn rule_rows(file: &PolicyFile) -> Vec<serde_json::Value> {
    match rewrite::prepare(&file.path, &file.text, 0) {
        Ok(p) => p
            .sites
            .iter()
            .map(|s| {
                let head = file.text.lines().nth(s.line.saturating_sub(1) as usize).unwrap_or("").trim();
                json!({"effect": s.effect, "id": rule_id_at(&file.text, s.line), "location": format!("{}:{}", file.path, s.line), "head": head})
            })
            .collect(),
        Err(e) => vec![json!({"error": crate::policy::engine::first_line_of_error(&e)})],
    }
}

/// Runs `failsafe audit [PATH]`.
pub fn audit(path: Option<PathBuf>, tool: Option<&str>, json: bool) -> i32 {
    let dir = path.unwrap_or_else(cwd);
    let dir = dir.canonicalize().unwrap_or(dir);
    let config = super::config_dir();
    let home = crate::config::process_home();
    let mut chain = load_chain(&ChainRequest {
        tool: "",
        mode: Mode::Write,
        config_dir: &config,
        cwd: &dir,
        home: home.as_deref(),
        verb: "",
        uncertain: false,
        target_uncertain: false,
    });
    let bundled_files: Vec<PolicyFile> = bundled::ALL
        .iter()
        .filter(|p| tool.is_none_or(|t| p.tool.is_none_or(|pt| pt == t)))
        .map(bundled::BundledPolicy::to_policy_file)
        .collect();
    let mut files = bundled_files;
    files.append(&mut chain.files);
    let report: Vec<_> = files
        .iter()
        .map(|f| json!({"layer": f.layer, "path": f.path, "trusted": f.trusted, "rules": rule_rows(f)}))
        .collect();
    if json {
        out(&json_text(
            &json!({"directory": dir, "files": report, "problems": chain.failures.iter().map(|r| &r.reason).collect::<Vec<_>>()}),
        ));
        return exit::OK;
    }
    out(&format!("policy chain for {}\n", dir.display()));
    for f in &report {
        let trust = match f["trusted"].as_bool() {
            Some(true) => " (trusted)",
            Some(false) => " (not trusted: overrides ignored)",
            None => "",
        };
        out(&format!(
            "\n{} {}{trust}\n",
            f["layer"].as_str().unwrap_or(""),
            f["path"].as_str().unwrap_or("")
        ));
        for r in f["rules"].as_array().into_iter().flatten() {
            if let Some(e) = r["error"].as_str() {
                out(&format!("  BROKEN: {e}\n"));
                continue;
            }
            out(&format!(
                "  {:<15} {:<32} {}\n",
                r["effect"].as_str().unwrap_or(""),
                r["id"].as_str().unwrap_or("(no id)"),
                r["location"].as_str().unwrap_or("")
            ));
        }
    }
    for r in &chain.failures {
        err(&format!("failsafe: {}\n", r.reason));
    }
    exit::OK
}
