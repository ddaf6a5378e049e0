//! `failsafe install-shims`, `uninstall-shims` and `init`: putting failsafe in front of
//! an agent's tools, and writing starter files.

use super::guard::refuse_if_guarded;
use super::{err, out};
use crate::config::{default_shim_dir, process_env, process_home};
use crate::exit;
use crate::fsutil;
use crate::tool::{ToolName, BUILTIN_BINARIES};
use std::path::{Path, PathBuf};

fn shim_dir(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| default_shim_dir(&process_env, process_home().as_deref()))
}

/// Every name a shim can be installed for: built-ins, then user spec binaries.
fn guardable_names() -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_BINARIES
        .iter()
        .map(|(b, _)| b.to_string())
        .collect();
    if let Ok(specs) = crate::spec::user_specs(&super::config_dir()) {
        for (path, spec) in specs {
            match spec {
                Ok(s) => names.extend(s.binaries),
                Err(e) => err(&format!("failsafe: skipping {}: {e}\n", path.display())),
            }
        }
    }
    names.dedup();
    names
}

/// True when `link` is a symlink that resolves to the same file as `target`.
fn points_at(link: &Path, target: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let is_link = std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink());
    let same = match (std::fs::metadata(link), std::fs::metadata(target)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    is_link && same
}

/// Runs `failsafe install-shims`.
pub fn install_shims(dir: Option<PathBuf>, tools: Option<Vec<String>>) -> i32 {
    if let Err(code) = refuse_if_guarded("install-shims") {
        return code;
    }
    let dir = shim_dir(dir);
    let me = match std::env::current_exe().and_then(|p| p.canonicalize()) {
        Ok(p) => p,
        Err(e) => {
            err(&format!(
                "failsafe: cannot find the failsafe binary itself: {e}\n"
            ));
            return exit::NO;
        }
    };
    let known = guardable_names();
    let wanted: Vec<String> = match tools {
        Some(list) => list
            .into_iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        None => known.clone(),
    };
    for name in &wanted {
        if !known.contains(name) || ToolName::new(name).is_none() {
            let hint = crate::tool::nearest(name, known.iter().map(String::as_str))
                .map(|n| format!("\n  help:   did you mean `{n}`?"))
                .unwrap_or_default();
            err(&format!("failsafe: `{name}` is not a guarded tool (built in: kubectl, helm, terraform, tofu, aws, git; more with a spec in <config>/tools/){hint}\n"));
            return exit::USAGE;
        }
    }
    if let Err(e) = fsutil::ensure_private_dir(&dir) {
        err(&format!("failsafe: cannot create {}: {e}\n", dir.display()));
        return exit::NO;
    }
    for name in &wanted {
        let link = dir.join(name);
        if points_at(&link, &me) {
            continue;
        }
        if let Ok(meta) = std::fs::symlink_metadata(&link) {
            if !meta.file_type().is_symlink() {
                err(&format!(
                    "failsafe: {} exists and is not a symlink; not replacing it\n",
                    link.display()
                ));
                return exit::NO;
            }
            if let Err(e) = std::fs::remove_file(&link) {
                err(&format!(
                    "failsafe: cannot replace {}: {e}\n",
                    link.display()
                ));
                return exit::NO;
            }
        }
        if let Err(e) = std::os::unix::fs::symlink(&me, &link) {
            err(&format!(
                "failsafe: cannot create {}: {e}\n",
                link.display()
            ));
            return exit::NO;
        }
    }
    // The set-up these shims are for: a decision made later under another config dir
    // or pane id (moved by FAILSAFE_CONFIG_DIR / FAILSAFE_PANE) is marked and also
    // logged in this config dir (docs/threat-model.md).
    let record = crate::config::InstallRecord {
        config_dir: crate::config::process_config_dir(),
        failsafe_pane: process_env("FAILSAFE_PANE"),
    };
    if let Err(e) = crate::config::write_install_record(&dir, &record) {
        err(&format!(
            "failsafe: cannot write {}: {e}\n  help:   decisions made under a moved config dir are then logged against the default config dir\n",
            dir.join(crate::config::INSTALL_RECORD).display()
        ));
    }
    out(&format!(
        "installed shims for {} in {}\nput this first on the agent's PATH (not your own terminal's):\n  export PATH=\"{}:$PATH\"\n",
        wanted.join(", "),
        dir.display(),
        dir.display()
    ));
    crate::human::log_shims("install", &dir, &wanted.join(", "));
    exit::OK
}

/// Runs `failsafe uninstall-shims`.
pub fn uninstall_shims(dir: Option<PathBuf>) -> i32 {
    if let Err(code) = refuse_if_guarded("uninstall-shims") {
        return code;
    }
    let dir = shim_dir(dir);
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            out(&format!("no shim directory at {}\n", dir.display()));
            return exit::OK;
        }
        Err(e) => {
            err(&format!("failsafe: cannot list {}: {e}\n", dir.display()));
            return exit::NO;
        }
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = me.as_deref().is_some_and(|m| points_at(&path, m))
            || std::fs::read_link(&path)
                .is_ok_and(|t| t.file_name().is_some_and(|n| n == "failsafe"));
        if ours && std::fs::remove_file(&path).is_ok() {
            removed.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    removed.sort();
    let _ = std::fs::remove_file(dir.join(crate::config::INSTALL_RECORD));
    let _ = std::fs::remove_dir(&dir);
    out(&format!(
        "removed {} shim(s) from {}: {}\n",
        removed.len(),
        dir.display(),
        removed.join(", ")
    ));
    crate::human::log_shims("uninstall", &dir, &removed.join(", "));
    exit::OK
}

const STARTER_POLICY: &str = include_str!("../../policies/examples/starter.rego");
const STARTER_CONFIG: &str = include_str!("../../policies/examples/config.toml");

/// Runs `failsafe init`.
pub fn init() -> i32 {
    let dir = super::config_dir();
    let files = [
        (dir.join("policies/starter.rego"), STARTER_POLICY),
        (dir.join("config.toml"), STARTER_CONFIG),
    ];
    for (path, text) in files {
        if path.exists() {
            out(&format!("kept     {} (already exists)\n", path.display()));
            continue;
        }
        if let Err(e) = fsutil::write_private_atomic(&path, text.as_bytes()) {
            err(&format!("failsafe: cannot write {}: {e}\n", path.display()));
            return exit::NO;
        }
        out(&format!("wrote    {}\n", path.display()));
    }
    out("next: read them, then check with `failsafe validate` and `failsafe policies list`\n");
    exit::OK
}
