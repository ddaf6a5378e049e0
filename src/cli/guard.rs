//! Self-protection for the commands that change what failsafe allows: they refuse to
//! run from a guarded context — a process whose PATH holds a shim directory of this very
//! binary — because that is the agent's environment, not the human's terminal.

use super::err;
use crate::exit;
use crate::shim::self_id;
use std::path::PathBuf;

/// Whether `candidate` is a failsafe shim: this very binary (same device and inode), or a
/// symlink to any file named `failsafe` — another install of failsafe guards the agent
/// just the same.
fn is_shim(candidate: &std::path::Path, me: Option<(u64, u64)>) -> bool {
    let same_file = me.is_some() && crate::pathfind::file_id(candidate) == me;
    let links_to_failsafe = std::fs::read_link(candidate)
        .is_ok_and(|t| t.file_name().is_some_and(|n| n == crate::tool::SELF_NAME));
    same_file || links_to_failsafe
}

/// The first PATH entry holding a guarded tool name that is a failsafe shim, if any.
pub fn shim_dir_on_path() -> Option<PathBuf> {
    let me = self_id();
    let path = std::env::var_os("PATH")?;
    let names = crate::judge::guarded_names();
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .find(|dir| names.iter().any(|name| is_shim(&dir.join(name), me)))
}

/// `Err(exit code)` with the message printed when `command` runs in a guarded context.
pub fn refuse_if_guarded(command: &str) -> Result<(), i32> {
    if self_id().is_none() {
        err(&format!(
            "failsafe: refused `failsafe {command}`: cannot identify the running binary (/proc/self/exe), so cannot tell whether this is an agent's shell\n  help:   run it in your own terminal on a system with /proc mounted\n"
        ));
        return Err(exit::BLOCKED);
    }
    match shim_dir_on_path() {
        None => Ok(()),
        Some(dir) => {
            err(&format!(
                "failsafe: refused `failsafe {command}`: this shell's PATH contains the shim directory {}, so it looks like an agent's\n  reason: only a human may change what failsafe allows\n  help:   run `failsafe {command}` in your own terminal, where the shims are not on PATH\n",
                dir.display()
            ));
            Err(exit::BLOCKED)
        }
    }
}
