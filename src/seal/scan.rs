//! Finding real tools an agent user can still execute: for `failsafe doctor` on a
//! sealed install.
//!
//! Looks in the PATH directories, the standard bin directories, `/opt/*/bin`,
//! `/snap/bin`, git's exec paths and a bounded walk of `/usr/lib`, `/usr/libexec`,
//! `/usr/local` and `/opt` for files named like a guarded tool, and works out from the
//! permission bits whether the user could execute each one. Reads only; never execs.

use std::ffi::CString;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The user's group ids (primary first), from the group database.
pub fn user_groups(user: &str, primary: u32) -> Vec<u32> {
    let Ok(name) = CString::new(user) else {
        return vec![primary];
    };
    nix::unistd::getgrouplist(&name, nix::unistd::Gid::from_raw(primary)).map_or_else(
        |_| vec![primary],
        |g| g.into_iter().map(nix::unistd::Gid::as_raw).collect(),
    )
}

/// Who is asking: a user id and its groups.
#[derive(Debug, Clone)]
pub struct Who {
    /// User id.
    pub uid: u32,
    /// Group ids.
    pub gids: Vec<u32>,
}

impl Who {
    /// The user `name` from the password and group databases.
    pub fn lookup(name: &str) -> Option<Who> {
        let u = nix::unistd::User::from_name(name).ok().flatten()?;
        Some(Who {
            uid: u.uid.as_raw(),
            gids: user_groups(name, u.gid.as_raw()),
        })
    }

    fn allowed(&self, meta: &fs::Metadata, bit: u32) -> bool {
        if self.uid == 0 {
            return bit != 0o1 || meta.permissions().mode() & 0o111 != 0;
        }
        let mode = meta.permissions().mode();
        if meta.uid() == self.uid {
            mode & (bit << 6) != 0
        } else if self.gids.contains(&meta.gid()) {
            mode & (bit << 3) != 0
        } else {
            mode & bit != 0
        }
    }

    /// Whether this user could execute `path`: search permission on every directory on
    /// the way (symlinks followed) and execute permission on the file.
    pub fn can_exec(&self, path: &Path) -> bool {
        let Ok(real) = fs::canonicalize(path) else {
            return false;
        };
        // Every directory on the way to the link and to its target must be searchable.
        for p in [path, real.as_path()] {
            let mut dir = p.parent();
            while let Some(d) = dir {
                match fs::metadata(d) {
                    Ok(m) if self.allowed(&m, 0o1) => {}
                    _ => return false,
                }
                dir = d.parent();
            }
        }
        fs::metadata(&real).is_ok_and(|m| m.is_file() && self.allowed(&m, 0o1))
    }
}

/// One real tool the user can execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reachable {
    /// The tool name.
    pub tool: String,
    /// The path the user can execute.
    pub path: PathBuf,
}

fn candidates(root: &Path, path_dirs: &[PathBuf], name: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = path_dirs
        .iter()
        .filter(|d| d.is_absolute())
        .map(|d| super::install::under(root, d))
        .collect();
    dirs.extend(super::install::STANDARD_DIRS.iter().map(|d| root.join(d)));
    if let Ok(opt) = fs::read_dir(root.join("opt")) {
        dirs.extend(opt.flatten().map(|e| e.path().join("bin")));
    }
    let mut out: Vec<PathBuf> = dirs.iter().map(|d| d.join(name)).collect();
    if name == "git" {
        out.extend(super::install::GIT_COPIES.iter().map(|c| root.join(c)));
    }
    for top in ["usr/lib", "usr/libexec", "usr/local", "opt"] {
        walk(&root.join(top), name, 4, &mut 20_000, &mut out);
    }
    out
}

/// Collects files named `name` under `dir`, `depth` levels down, visiting at most
/// `budget` entries in all.
fn walk(dir: &Path, name: &str, depth: u32, budget: &mut u32, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let path = e.path();
        let Ok(kind) = e.file_type() else {
            continue;
        };
        if kind.is_dir() && depth > 0 {
            walk(&path, name, depth - 1, budget, out);
        } else if e.file_name() == name {
            out.push(path);
        }
    }
}

/// Every real tool named like a guarded tool that `who` can execute and that is not the
/// failsafe `binary` (a shim leads there).
pub fn reachable(
    root: &Path,
    path_dirs: &[PathBuf],
    names: &[&str],
    binary: &Path,
    who: &Who,
) -> Vec<Reachable> {
    let me = fs::metadata(binary).ok().map(|m| (m.dev(), m.ino()));
    let mut out: Vec<Reachable> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        for c in candidates(root, path_dirs, name) {
            let Ok(meta) = fs::metadata(&c) else {
                continue;
            };
            if !meta.is_file() || Some((meta.dev(), meta.ino())) == me {
                continue;
            }
            if !seen.insert((meta.dev(), meta.ino(), c.clone())) || !who.can_exec(&c) {
                continue;
            }
            out.push(Reachable {
                tool: (*name).to_string(),
                path: c,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_bits_decide() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755))?;
        let f = t.path().join("kubectl");
        fs::write(&f, "#!/bin/sh\n")?;
        fs::set_permissions(&f, fs::Permissions::from_mode(0o750))?;
        let meta = fs::metadata(&f)?;
        let stranger = Who {
            uid: meta.uid().wrapping_add(4242),
            gids: vec![meta.gid().wrapping_add(4242)],
        };
        let member = Who {
            uid: meta.uid().wrapping_add(4242),
            gids: vec![meta.gid()],
        };
        assert!(!stranger.can_exec(&f));
        assert!(member.can_exec(&f));
        fs::set_permissions(&f, fs::Permissions::from_mode(0o755))?;
        assert!(stranger.can_exec(&f));
        Ok(())
    }
}
