//! Finding programs on PATH and recognising files by identity: the one PATH walk the
//! shim (the real tool behind it), `doctor` (what the agent's PATH finds) and
//! self-protection (is a shim directory on this PATH) share, so they agree on what
//! counts as a program. Reads metadata only; never execs.

use std::ffi::OsStr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Device and inode of a file: how a file is recognised through any symlink or PATH
/// spelling.
pub type FileId = (u64, u64);

/// The running executable's identity (`/proc/self/exe` works even if the file was
/// replaced since it started); `None` when it cannot be found.
pub fn self_id() -> Option<FileId> {
    std::fs::metadata("/proc/self/exe")
        .or_else(|_| std::env::current_exe().and_then(std::fs::metadata))
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

/// The identity of the file `path` leads to (symlinks followed); `None` when it cannot
/// be read.
pub fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether `path` leads to the running executable. `false` when either is unknown.
pub fn is_self(path: &Path) -> bool {
    self_id().is_some_and(|me| file_id(path) == Some(me))
}

/// The first `name` on `path` (a PATH value) that a shell would run: a regular file with
/// an executable bit, in an absolute entry (empty and relative entries are skipped, as
/// an agent could plant them), and not the file `skip` (the shim itself).
pub fn find_executable(name: &str, path: &OsStr, skip: Option<FileId>) -> Option<PathBuf> {
    for dir in std::env::split_paths(path) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(name);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            continue;
        }
        if skip == Some((meta.dev(), meta.ino())) {
            continue;
        }
        return Some(candidate);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn only_absolute_executable_regular_files_count() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        fs::create_dir_all(a.join("tool"))?; // a directory named like the tool
        fs::create_dir_all(&b)?;
        fs::write(b.join("tool"), "#!/bin/sh\n")?; // not executable
        let c = tmp.path().join("c");
        fs::create_dir_all(&c)?;
        fs::write(c.join("tool"), "#!/bin/sh\n")?;
        fs::set_permissions(c.join("tool"), fs::Permissions::from_mode(0o755))?;
        let path =
            std::env::join_paths(["rel".into(), a, b, c.clone()]).map_err(std::io::Error::other)?;
        assert_eq!(find_executable("tool", &path, None), Some(c.join("tool")));
        let me = file_id(&c.join("tool"));
        assert_eq!(find_executable("tool", &path, me), None);
        Ok(())
    }
}
