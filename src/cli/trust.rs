//! `failsafe trust add|remove|list`: which repo policy files may lift blocks.

use super::guard::refuse_if_guarded;
use super::{err, json_text, out, TrustAction};
use crate::exit;
use crate::human::{self, ActionKind};
use crate::policy::layers::{repo_policy_paths, REPO_POLICY_FILE};
use crate::policy::trust::{sha256_hex, TrustStore};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Runs `failsafe trust …`.
pub fn run(action: TrustAction) -> i32 {
    match action {
        TrustAction::Add { path } => {
            if let Err(code) = refuse_if_guarded("trust add") {
                return code;
            }
            add(path)
        }
        TrustAction::Remove { path } => {
            if let Err(code) = refuse_if_guarded("trust remove") {
                return code;
            }
            remove(&path)
        }
        TrustAction::List(j) => list(j.json),
    }
}

fn load(dir: &Path) -> Result<TrustStore, i32> {
    TrustStore::load(dir).map_err(|e| {
        err(&format!("failsafe: {e}\n"));
        exit::NO
    })
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn add(path: Option<PathBuf>) -> i32 {
    let path = if let Some(p) = path {
        p
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        if let Some(p) = repo_policy_paths(&cwd, crate::config::process_home().as_deref()).pop() {
            p
        } else {
            err(&format!("failsafe: no {REPO_POLICY_FILE} found from here up to the repository root\n  help:   name the file: `failsafe trust add path/to/{REPO_POLICY_FILE}`\n"));
            return exit::USAGE;
        }
    };
    let (canonical, bytes) = match path
        .canonicalize()
        .and_then(|c| std::fs::read(&c).map(|b| (c, b)))
    {
        Ok(x) => x,
        Err(e) => {
            err(&format!("failsafe: cannot read {}: {e}\n", path.display()));
            return exit::USAGE;
        }
    };
    if let Err(message) = crate::policy::rewrite::prepare(
        &canonical.display().to_string(),
        &String::from_utf8_lossy(&bytes),
        0,
    ) {
        err(&format!(
            "failsafe: {} is not valid Rego, so it was not trusted:\n{message}\n",
            canonical.display()
        ));
        return exit::NO;
    }
    let dir = super::config_dir();
    let mut store = match load(&dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let hash = sha256_hex(&bytes);
    store.add(canonical.clone(), hash.clone(), now());
    if let Err(e) = store.save(&dir) {
        err(&format!("failsafe: {e}\n"));
        return exit::NO;
    }
    log_change(&dir, "add", &canonical, &hash);
    out(&format!("trusted {} (sha256 {})\nany change to the file makes it untrusted again until you re-run `failsafe trust add`\n", canonical.display(), &hash[..16]));
    exit::OK
}

fn remove(path: &Path) -> i32 {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let dir = super::config_dir();
    let mut store = match load(&dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !store.remove(&canonical) {
        err(&format!("failsafe: {} is not in the trust store\n  help:   see what is trusted with `failsafe trust list`\n", canonical.display()));
        return exit::NO;
    }
    if let Err(e) = store.save(&dir) {
        err(&format!("failsafe: {e}\n"));
        return exit::NO;
    }
    log_change(&dir, "remove", &canonical, "");
    out(&format!("no longer trusted: {}\n", canonical.display()));
    exit::OK
}

/// Writes the trust change to the decision log (a warning when it cannot be).
fn log_change(dir: &Path, change: &str, file: &Path, hash: &str) {
    let mut action = human::action(ActionKind::Trust, change, &file.display().to_string());
    action.fact_hash = hash.to_string();
    if let Err(warning) = human::append(dir, human::record("human", "", action)) {
        err(&warning);
    }
}

/// `trusted`, `changed` (content differs from what was trusted) or `missing`.
fn status(path: &Path, sha256: &str) -> &'static str {
    match std::fs::read(path) {
        Ok(bytes) if sha256_hex(&bytes) == sha256 => "trusted",
        Ok(_) => "changed",
        Err(_) => "missing",
    }
}

fn list(json: bool) -> i32 {
    let store = match load(&super::config_dir()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if json {
        let entries: Vec<_> = store
            .entries
            .iter()
            .map(|e| json!({"path": e.path, "sha256": e.sha256, "added": e.added, "status": status(&e.path, &e.sha256)}))
            .collect();
        out(&json_text(&json!({"entries": entries})));
        return exit::OK;
    }
    if store.entries.is_empty() {
        out("no repo policy is trusted\n");
    }
    for e in &store.entries {
        out(&format!(
            "{:<8} {}\n",
            status(&e.path, &e.sha256),
            e.path.display()
        ));
    }
    exit::OK
}
