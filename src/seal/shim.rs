//! Shim mode in a sealed install: the hooks `shim::run` calls.
//!
//! [`enter`] lowers the group before anything is read; the real tool is the sealed copy
//! (never a PATH search the agent controls); the log is appended holding the group; the
//! real tool is opened holding the group and exec'd by descriptor after the group is
//! dropped for good. Anything unexpected refuses (exit 77) with the cause.

use super::privilege::{exec_fd, Privilege};
use super::{state, Sealed, State};
use crate::judge::Judgement;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A shim process of a sealed install.
#[derive(Debug)]
pub struct SealedShim {
    sealed: &'static Sealed,
    privilege: Privilege,
}

fn refusal(cause: &str) -> String {
    format!(
        "failsafe: refused: {cause}\n  reason: this is a sealed install and failsafe refuses whatever it cannot check\n  help:   a human can run `sudo failsafe doctor` to see what is wrong\n"
    )
}

/// Lowers the group and says whether this is a sealed install. `Ok(None)`: not sealed,
/// the ordinary shim runs. `Err`: a refusal to print (exit 77).
///
/// # Errors
/// The install is broken, or the group ids cannot be handled.
pub fn enter() -> Result<Option<SealedShim>, String> {
    match state() {
        State::Unsealed => Ok(None),
        State::Broken(cause) => Err(refusal(cause)),
        State::Sealed(sealed) => {
            let privilege = Privilege::lower().map_err(|e| refusal(&e.to_string()))?;
            Ok(Some(SealedShim { sealed, privilege }))
        }
    }
}

/// `git-upload-pack ARGS` (git's dashed form, a symlink to git in its exec path, which is
/// a shim when sealed) is judged as `git upload-pack ARGS`; it runs as typed. `None`:
/// not sealed, not git, or not dashed.
pub fn dashed_git(
    sealed: Option<&SealedShim>,
    binary: &str,
    argv: &[OsString],
) -> Option<(Vec<OsString>, Vec<OsString>)> {
    let sealed = sealed?;
    let sub = binary.strip_prefix("git-").filter(|s| !s.is_empty())?;
    sealed.sealed.manifest.real_of("git")?;
    let mut judged = vec![OsString::from("git"), OsString::from(sub)];
    judged.extend(argv.iter().skip(1).cloned());
    Some((judged, argv.to_vec()))
}

impl SealedShim {
    /// The sealed copy of `binary`, when sealing moved one (else the caller searches
    /// PATH: a tool that was not installed at sealing time is not sealed).
    pub fn real_tool(&self, binary: &str) -> Option<PathBuf> {
        self.sealed.manifest.real_of(binary).map(|m| m.to.clone())
    }

    /// Appends the decision to the log holding the group.
    ///
    /// # Errors
    /// As `record::record`, and a refusal when the group cannot be raised.
    pub fn record(&self, j: &Judgement) -> crate::record::Logged {
        match self.privilege.with_group(|| crate::record::record(j)) {
            Ok(logged) => logged,
            Err(e) => crate::record::Logged::Refused(refusal(&e.to_string())),
        }
    }

    /// Opens `real` holding the group, drops the group for good and execs it. Returns
    /// only the refusal to print.
    pub fn exec(self, real: &Path, argv: &[OsString], depth: u32) -> String {
        // Only the sealed directory (root's, nobody else writes there) is opened holding
        // the group: a tool found on the agent's PATH is opened with the agent's ids, so
        // swapping a symlink after the lookup cannot point the group at a sealed tool.
        let opened = if real.starts_with(self.sealed.layout.real_dir()) {
            self.privilege.open_real(real)
        } else {
            std::fs::File::open(real).map_err(|source| super::privilege::PrivilegeError::Open {
                path: real.to_path_buf(),
                source,
            })
        };
        let file = match opened {
            Ok(f) => f,
            Err(e) => {
                let hint = if self.sealed.privileged {
                    String::new()
                } else {
                    " (this copy of failsafe does not hold the group; only the installed setgid binary can run sealed tools)".to_string()
                };
                return refusal(&format!("{e}{hint}"));
            }
        };
        // argv[0] stays as typed: a path names the shim, which is where a tool that runs
        // itself again must land (the sealed path is out of its reach).
        let arg0 = argv.first().cloned().unwrap_or_default();
        let message = exec_fd(
            file,
            real,
            arg0,
            argv.get(1..).unwrap_or_default(),
            (crate::shim::DEPTH_VAR, (depth + 1).to_string()),
            self.privilege,
        );
        refusal(&message)
    }
}
