//! `failsafe install-shims`, `uninstall-shims` and `init`: putting failsafe in front of
//! an agent's tools, and writing starter files.

use super::guard::refuse_if_guarded;
use super::{err, out};
use crate::config::{default_shim_dir, process_env, process_home};
use crate::exit;
use crate::fsutil;
use crate::shim::{resolve_real, FileId};
use crate::tool::{ToolName, BUILTIN_BINARIES, SELF_NAME};
use std::os::unix::fs::MetadataExt;
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

/// The tools of `known` installed on this PATH: a real executable found after leaving out
/// `dir` (the shim dir) and anything that is failsafe itself. A shim for a tool that is
/// not installed would make `command -v tofu` succeed and the call then exit 127.
fn installed_tools(dir: &Path, me: &Path, known: &[String]) -> (Vec<String>, Vec<String>) {
    let me_id: Option<FileId> = std::fs::metadata(me).ok().map(|m| (m.dev(), m.ino()));
    let dir_id = std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let rest: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| {
            let id = std::fs::metadata(d).ok().map(|m| (m.dev(), m.ino()));
            d.as_path() != dir && (dir_id.is_none() || id != dir_id)
        })
        .collect();
    let rest = std::env::join_paths(rest).unwrap_or_default();
    known
        .iter()
        .cloned()
        .partition(|name| resolve_real(name, &rest, me_id).is_some())
}

/// Makes `link` a symlink to `me`, replacing an older symlink but never a real file.
fn link_to(me: &Path, link: &Path) -> Result<(), String> {
    if points_at(link, me) {
        return Ok(());
    }
    if let Ok(meta) = std::fs::symlink_metadata(link) {
        if !meta.file_type().is_symlink() {
            return Err(format!(
                "failsafe: {} exists and is not a symlink; not replacing it\n",
                link.display()
            ));
        }
        std::fs::remove_file(link)
            .map_err(|e| format!("failsafe: cannot replace {}: {e}\n", link.display()))?;
    }
    std::os::unix::fs::symlink(me, link)
        .map_err(|e| format!("failsafe: cannot create {}: {e}\n", link.display()))
}

/// Runs `failsafe install-shims`.
pub fn install_shims(dir: Option<PathBuf>, tools: Option<Vec<String>>) -> i32 {
    if let Err(code) = refuse_if_guarded("install-shims") {
        return code;
    }
    let dir_flag = dir
        .as_ref()
        .map(|d| format!(" --dir {}", d.display()))
        .unwrap_or_default();
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
    let explicit = tools.is_some();
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
    // Without --tools, only what is installed: `--tools` is how to guard a tool before
    // installing it.
    let (wanted, skipped) = if explicit {
        (wanted, Vec::new())
    } else {
        installed_tools(&dir, &me, &wanted)
    };
    if let Err(e) = fsutil::ensure_private_dir(&dir) {
        err(&format!("failsafe: cannot create {}: {e}\n", dir.display()));
        return exit::NO;
    }
    // `failsafe` itself goes in the shim dir too, so the agent can run the
    // `failsafe explain …` its refusals suggest; the commands that change what failsafe
    // allows refuse from there (see guard.rs).
    for name in wanted.iter().map(String::as_str).chain([SELF_NAME]) {
        if let Err(message) = link_to(&me, &dir.join(name)) {
            err(&message);
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
    let what = if wanted.is_empty() {
        "no tools (none of them is installed)".to_string()
    } else {
        wanted.join(", ")
    };
    out(&format!(
        "installed shims for {what} in {}, and a `failsafe` link for the agent\n",
        dir.display()
    ));
    if !skipped.is_empty() {
        out(&format!(
            "skipped (not installed on this PATH): {}\n  to guard one before installing it: failsafe install-shims{dir_flag} --tools {}\n",
            skipped.join(", "),
            skipped.join(",")
        ));
    }
    out(&format!(
        "put this first on the agent's PATH (not your own terminal's):\n  export PATH=\"{}:$PATH\"\n",
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

/// The shipped target examples (docs/targets.md), offered under `<config>/examples/`:
/// not loaded until the user copies one into `policies/`.
const TARGET_EXAMPLES: &[(&str, &str)] = &[
    (
        "aws-account-ask.rego",
        include_str!("../../policies/examples/targets/aws-account-ask.rego"),
    ),
    (
        "helm-uninstall-prod.rego",
        include_str!("../../policies/examples/targets/helm-uninstall-prod.rego"),
    ),
    (
        "terraform-prod-apply.rego",
        include_str!("../../policies/examples/targets/terraform-prod-apply.rego"),
    ),
];

/// Runs `failsafe init`.
pub fn init() -> i32 {
    let dir = super::config_dir();
    let mut files = vec![
        (dir.join("policies/starter.rego"), STARTER_POLICY),
        (dir.join("config.toml"), STARTER_CONFIG),
    ];
    let examples = dir.join("examples/targets");
    files.extend(
        TARGET_EXAMPLES
            .iter()
            .map(|(name, text)| (examples.join(name), *text)),
    );
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
    out(&format!(
        "next: read them, then check with `failsafe validate` and `failsafe policies list`\nexamples in {} apply once copied into {}\n",
        examples.display(),
        dir.join("policies").display()
    ));
    exit::OK
}
