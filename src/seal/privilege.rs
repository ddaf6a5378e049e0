//! Holding and dropping the `failsafe` group, and executing the real tool by descriptor.
//!
//! The setgid binary starts with effective and saved group id `failsafe`. In shim mode
//! it lowers the effective id to the user's own at once ([`Privilege::lower`]) and
//! raises it only for the two things that need it: appending to the log and opening the
//! real tool. Then it drops the group for good — real, effective and saved id all the
//! user's, checked with `getresgid` — and execs `/proc/self/fd/N`. The real tool and
//! everything it starts run with the agent's own ids and cannot reach the sealed
//! directory. In CLI mode the group is dropped before anything else ([`drop_for_cli`]).

use nix::unistd::{getresgid, setegid, setresgid, Gid};
use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// What went wrong with the group ids or the real tool; every variant refuses.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeError {
    /// A set*gid call failed.
    #[error("cannot change the group id ({what}): {source}")]
    Change {
        /// Which change.
        what: &'static str,
        /// The errno.
        source: nix::Error,
    },
    /// After the drop the ids are not all the user's.
    #[error("the group was not dropped: real {real}, effective {effective}, saved {saved}, expected {expected} for all three")]
    NotDropped {
        /// Real gid.
        real: u32,
        /// Effective gid.
        effective: u32,
        /// Saved gid.
        saved: u32,
        /// The user's gid.
        expected: u32,
    },
    /// The real tool cannot be opened.
    #[error("cannot open the real tool {}: {source}", path.display())]
    Open {
        /// Its path in the sealed directory.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The descriptor's close-on-exec flag cannot be cleared for a script.
    #[error("cannot keep the descriptor of the script {} open for its interpreter: {source}", path.display())]
    Cloexec {
        /// The script.
        path: std::path::PathBuf,
        /// The errno.
        source: nix::Error,
    },
}

/// The group ids of a shim process: the user's own and the group it may raise to.
#[derive(Debug, Clone, Copy)]
pub struct Privilege {
    real: Gid,
    group: Gid,
}

impl Privilege {
    /// Lowers the effective group id to the real one and keeps the group as the saved
    /// id, to be raised only for the log and for opening the real tool. A process that
    /// was not started setgid has nothing to lower.
    ///
    /// # Errors
    /// The ids cannot be read or changed.
    pub fn lower() -> Result<Privilege, PrivilegeError> {
        let ids = getresgid().map_err(|source| PrivilegeError::Change {
            what: "getresgid",
            source,
        })?;
        let group = if ids.effective == ids.real {
            ids.saved
        } else {
            ids.effective
        };
        let p = Privilege {
            real: ids.real,
            group,
        };
        if ids.effective != ids.real {
            setresgid(ids.real, ids.real, group).map_err(|source| PrivilegeError::Change {
                what: "lower the effective group",
                source,
            })?;
        }
        Ok(p)
    }

    /// Whether this process can raise to another group at all.
    pub fn holds_group(&self) -> bool {
        self.group != self.real
    }

    /// Runs `f` with the group as the effective id, then lowers it again.
    ///
    /// # Errors
    /// The effective id cannot be raised or lowered (then `f` has not run, or the
    /// process must not go on: the caller refuses).
    pub fn with_group<T>(&self, f: impl FnOnce() -> T) -> Result<T, PrivilegeError> {
        if !self.holds_group() {
            return Ok(f());
        }
        setegid(self.group).map_err(|source| PrivilegeError::Change {
            what: "raise to the group",
            source,
        })?;
        let out = f();
        setegid(self.real).map_err(|source| PrivilegeError::Change {
            what: "lower the effective group",
            source,
        })?;
        Ok(out)
    }

    /// Opens the real tool while holding the group.
    ///
    /// # Errors
    /// The group cannot be raised, or the file cannot be opened.
    pub fn open_real(&self, path: &Path) -> Result<File, PrivilegeError> {
        self.with_group(|| File::open(path))?
            .map_err(|source| PrivilegeError::Open {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Drops the group for good: real, effective and saved id become the user's, and
    /// `getresgid` must say so.
    ///
    /// # Errors
    /// The change fails or does not show.
    pub fn drop_all(self) -> Result<(), PrivilegeError> {
        setresgid(self.real, self.real, self.real).map_err(|source| PrivilegeError::Change {
            what: "drop the group",
            source,
        })?;
        verify_dropped(self.real)
    }
}

/// Checks that real, effective and saved group ids are all `expected`.
///
/// # Errors
/// [`PrivilegeError::NotDropped`] otherwise.
pub fn verify_dropped(expected: Gid) -> Result<(), PrivilegeError> {
    let ids = getresgid().map_err(|source| PrivilegeError::Change {
        what: "getresgid",
        source,
    })?;
    if ids.real == expected && ids.effective == expected && ids.saved == expected {
        return Ok(());
    }
    Err(PrivilegeError::NotDropped {
        real: ids.real.as_raw(),
        effective: ids.effective.as_raw(),
        saved: ids.saved.as_raw(),
        expected: expected.as_raw(),
    })
}

/// CLI mode: drops any group the setgid bit gave, before anything else runs.
///
/// # Errors
/// The drop fails or does not show.
pub fn drop_for_cli() -> Result<(), PrivilegeError> {
    let ids = getresgid().map_err(|source| PrivilegeError::Change {
        what: "getresgid",
        source,
    })?;
    if ids.effective == ids.real && ids.saved == ids.real {
        return Ok(());
    }
    setresgid(ids.real, ids.real, ids.real).map_err(|source| PrivilegeError::Change {
        what: "drop the group",
        source,
    })?;
    verify_dropped(ids.real)
}

/// Variables that make the dynamic loader or the C library load code from a path
/// (never passed to the real tool).
pub const LOADER_VARIABLES: &[&str] = &[
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "LD_ORIGIN_PATH",
    "LD_PROFILE",
    "LD_DEBUG_OUTPUT",
    "GCONV_PATH",
    "GLIBC_TUNABLES",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "RESOLV_HOST_CONF",
    "MALLOC_TRACE",
];

/// Whether the open file starts with `#!`: the kernel then runs its interpreter with
/// `/dev/fd/N`, so the descriptor must stay open across exec.
fn is_script(file: &File) -> bool {
    let mut magic = [0u8; 2];
    file.read_exact_at(&mut magic, 0).is_ok() && &magic == b"#!"
}

/// Replaces this process with the real tool open as `file`: for a script the descriptor
/// loses close-on-exec (its interpreter reads it as `/dev/fd/N`, with the user's ids,
/// which works because the file itself is readable and only the directory is sealed);
/// a binary's descriptor stays close-on-exec so nothing it starts inherits it. Then the
/// group is dropped for good and `/proc/self/fd/N` is exec'd with `arg0` as argv[0].
///
/// Returns only on failure, with the message to print.
pub fn exec_fd(
    file: File,
    path: &Path,
    arg0: OsString,
    args: &[OsString],
    env: (&str, String),
    privilege: Privilege,
) -> String {
    if is_script(&file) {
        let cleared = nix::fcntl::fcntl(
            &file,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        );
        if let Err(source) = cleared {
            return PrivilegeError::Cloexec {
                path: path.to_path_buf(),
                source,
            }
            .to_string();
        }
    }
    if let Err(e) = privilege.drop_all() {
        return e.to_string();
    }
    let fd_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    // std's exec resets SIGPIPE to its default for the tool (Rust ignores it).
    let mut cmd = Command::new(&fd_path);
    cmd.arg0(arg0).args(args).env(env.0, env.1);
    // Nothing may load code into the real tool's process: it could exec
    // /proc/self/exe, the real tool, with any arguments. The C library already drops
    // these for a setgid program (with TMPDIR and a few more, which cannot be read back:
    // this process's /proc/self/environ is root's while it is not dumpable); a static
    // build would not, so they go here too.
    for name in LOADER_VARIABLES {
        cmd.env_remove(name);
    }
    for name in std::env::vars_os().map(|(k, _)| k) {
        if name.to_string_lossy().starts_with("LD_") {
            cmd.env_remove(name);
        }
    }
    let err = cmd.exec();
    drop(file);
    format!("cannot run {} (as {fd_path}): {err}", path.display())
}
