//! The sealed install: real tools in a directory only the `failsafe` group can traverse,
//! the failsafe binary setgid to that group, config, modes and log owned by root
//! (docs/sealed.md, docs/threat-model.md).
//!
//! This module owns the layout ([`Layout`]), the manifest that `install-shims --sealed`
//! writes and `--unseal` reads back ([`Manifest`]), and the run-time question "is this
//! process part of a sealed install?" ([`state`]). It never reads an environment
//! variable to answer it: where the install is follows from where the running binary
//! is, and a manifest only counts when root owns it and nobody else can write it or
//! any directory above it.
//!
//! The rooms below: [`privilege`] holds and drops the group and execs the real tool,
//! [`install`] seals and unseals, [`modes`] is the per-agent-user mode store, [`scan`]
//! finds real tools the agent user can still execute, [`shim`] is shim mode's part.

pub mod install;
pub mod modes;
pub mod privilege;
pub mod scan;
pub mod shim;

use serde::{Deserialize, Serialize};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The group a sealed install uses unless `--group` says otherwise.
pub const DEFAULT_GROUP: &str = "failsafe";

/// Where the installed binary lives, relative to the root.
pub const BINARY: &str = "usr/local/bin/failsafe";

/// Where a sealed install keeps its files, under a root prefix (`/` on a real machine,
/// a temporary directory in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The root prefix every path below is under.
    pub root: PathBuf,
}

impl Layout {
    /// The layout under `root`.
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    fn at(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `<root>/usr/libexec/failsafe`: the parent of the sealed directory.
    pub fn libexec(&self) -> PathBuf {
        self.at("usr/libexec/failsafe")
    }

    /// `<root>/usr/libexec/failsafe/real`: the real tools, `0750 root:<group>`.
    pub fn real_dir(&self) -> PathBuf {
        self.at("usr/libexec/failsafe/real")
    }

    /// The sealed copy of a tool: `<real_dir>/<name>`.
    pub fn real_tool(&self, name: &str) -> PathBuf {
        self.real_dir().join(name)
    }

    /// `<root>/usr/local/bin/failsafe`: the setgid binary every shim links to.
    pub fn binary(&self) -> PathBuf {
        self.at(BINARY)
    }

    /// `<root>/usr/local/lib/failsafe/shims`: a shim directory for PATH.
    pub fn shim_dir(&self) -> PathBuf {
        self.at("usr/local/lib/failsafe/shims")
    }

    /// `<root>/etc/failsafe`: the config dir of a sealed install (root-owned).
    pub fn config_dir(&self) -> PathBuf {
        self.at("etc/failsafe")
    }

    /// `<root>/etc/failsafe/sealed.json`: the manifest.
    pub fn manifest(&self) -> PathBuf {
        self.at("etc/failsafe/sealed.json")
    }

    /// `<root>/etc/failsafe/agents`: one mode file per agent user.
    pub fn agents_dir(&self) -> PathBuf {
        self.at("etc/failsafe/agents")
    }

    /// `<root>/var/log/failsafe`: the log directory (`root:<group>`, sticky, setgid).
    pub fn log_dir(&self) -> PathBuf {
        self.at("var/log/failsafe")
    }

    /// `<root>/var/log/failsafe/decisions.jsonl`.
    pub fn log_file(&self) -> PathBuf {
        self.log_dir().join(crate::log::LOG_FILE_NAME)
    }
}

/// How a file looked before sealing touched it, so `--unseal` can put it back exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// Permission bits, setuid/setgid/sticky included.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// Nanoseconds of the modification time.
    pub mtime_nsec: i64,
}

impl FileState {
    /// The state of `path` (not following a final symlink).
    ///
    /// # Errors
    /// The I/O error of `lstat`.
    pub fn of(path: &Path) -> std::io::Result<FileState> {
        let m = std::fs::symlink_metadata(path)?;
        Ok(FileState {
            mode: m.permissions().mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            mtime: m.mtime(),
            mtime_nsec: m.mtime_nsec(),
        })
    }
}

/// One file sealing moved: a real tool (or another copy of it, or a failsafe binary that
/// was in the way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The tool it is (`git`), or `failsafe` for a binary that was in the way.
    pub tool: String,
    /// Where it was.
    pub from: PathBuf,
    /// Where it is now.
    pub to: PathBuf,
    /// How it looked before.
    pub state: FileState,
    /// Whether a shim symlink was put where it was.
    pub shimmed: bool,
}

/// `sealed.json`: everything `install-shims --sealed` did, so `--unseal` reverses it
/// exactly and the shim knows the group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version (1).
    pub version: u32,
    /// The root prefix that was sealed.
    pub root: PathBuf,
    /// The group name.
    pub group: String,
    /// The group id.
    pub gid: u32,
    /// Whether sealing created the group (then unsealing removes it).
    pub group_created: bool,
    /// The agent users the install was made for.
    pub agent_users: Vec<String>,
    /// Files moved, in order.
    pub moved: Vec<Moved>,
    /// Symlinks created (shims at the tools' usual paths, in the shim dir, the log link).
    pub links: Vec<PathBuf>,
    /// Regular files created (the binary, config.toml, the log).
    pub files: Vec<PathBuf>,
    /// Directories created, parents first.
    pub dirs: Vec<PathBuf>,
    /// Existing directories whose entries changed, with their state before.
    pub parents: Vec<(PathBuf, FileState)>,
    /// Whether `chattr +a` was set on the log file.
    pub log_append_only: bool,
    /// A log directory or log file that was already there (a log kept by an earlier
    /// `--unseal`), with its owner and mode before sealing gave it to the group.
    #[serde(default)]
    pub retouched: Vec<(PathBuf, FileState)>,
}

impl Manifest {
    /// The sealed copy of `tool`, when sealing moved one.
    pub fn real_of(&self, tool: &str) -> Option<&Moved> {
        self.moved
            .iter()
            .find(|m| m.tool == tool && m.to.file_name().is_some_and(|n| n == tool))
    }
}

/// A sealed install this process belongs to.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Its layout.
    pub layout: Layout,
    /// Its manifest.
    pub manifest: Manifest,
    /// The real user's name (the agent user, or root).
    pub user: String,
    /// Whether this process holds the group (the setgid binary); a copy does not.
    pub privileged: bool,
}

/// What [`state`] found.
#[derive(Debug, Clone)]
pub enum State {
    /// No sealed install: failsafe behaves as documented in cli.md.
    Unsealed,
    /// A sealed install: environment overrides are ignored, paths are fixed.
    Sealed(Box<Sealed>),
    /// Something about a sealed install is wrong; everything is refused with this cause.
    Broken(String),
}

static STATE: OnceLock<State> = OnceLock::new();

/// This process's sealing state, worked out once: a readlink, a `getresgid` and one or
/// two `stat`s when nothing is sealed.
pub fn state() -> &'static State {
    STATE.get_or_init(detect)
}

/// The sealed install this process belongs to, if any (a broken one counts: it is
/// sealed, and the shim refuses).
pub fn sealed() -> Option<&'static Sealed> {
    match state() {
        State::Sealed(s) => Some(s),
        _ => None,
    }
}

/// Whether a sealed install (even a broken one) governs this process.
pub fn is_sealed() -> bool {
    !matches!(state(), State::Unsealed)
}

/// The config dir of a sealed install (`<root>/etc/failsafe`), when sealed.
pub fn config_dir() -> Option<PathBuf> {
    match state() {
        State::Sealed(s) => Some(s.layout.config_dir()),
        // A broken install still must not let a variable choose the config dir; its
        // real root is unknown, so the machine's is used (and the shim refuses anyway).
        State::Broken(_) => Some(Layout::new(Path::new("/")).config_dir()),
        State::Unsealed => None,
    }
}

/// Variables that move config, log or mode in an ordinary install and are ignored in a
/// sealed one.
pub fn ignored_var(name: &str) -> bool {
    is_sealed()
        && (matches!(name, "FAILSAFE_CONFIG_DIR" | "FAILSAFE_PANE" | "HOME")
            || name.starts_with("XDG_"))
}

/// The real user's home from the password database, when sealed (`HOME` is ignored).
pub fn home() -> Option<PathBuf> {
    let _ = sealed()?;
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.dir)
}

/// The root a binary at `exe` belongs to: the prefix before `usr/local/bin/failsafe`,
/// else `/`.
pub fn root_of_binary(exe: &Path) -> PathBuf {
    let tail = Path::new(BINARY);
    let parts: Vec<_> = exe.components().collect();
    let tail_parts: Vec<_> = tail.components().collect();
    if parts.len() > tail_parts.len() && parts.ends_with(&tail_parts) {
        let prefix: PathBuf = parts[..parts.len() - tail_parts.len()].iter().collect();
        return prefix;
    }
    PathBuf::from("/")
}

/// Whether `path` and every directory above it are owned by root and writable by nobody
/// else (a world-writable directory counts when it is sticky and root's, like `/tmp`).
///
/// # Errors
/// The first path that fails, with why.
pub fn secure_path(path: &Path) -> Result<(), String> {
    let mut current = Some(path);
    let mut first = true;
    while let Some(p) = current {
        let meta = std::fs::symlink_metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.file_type().is_symlink() {
            return Err(format!("{} is a symlink", p.display()));
        }
        let mode = meta.permissions().mode();
        let sticky = mode & 0o1000 != 0;
        let writable = mode & 0o022 != 0;
        if meta.uid() != 0 {
            return Err(format!("{} is not owned by root", p.display()));
        }
        if writable && (first || !sticky) {
            return Err(format!(
                "{} can be written by others than root (mode {:o})",
                p.display(),
                mode & 0o7777
            ));
        }
        first = false;
        current = p.parent();
    }
    Ok(())
}

/// Reads and checks a manifest: it and its directories must be root's alone.
///
/// # Errors
/// Why the manifest cannot be trusted or read.
pub fn read_manifest(layout: &Layout) -> Result<Manifest, String> {
    let path = layout.manifest();
    secure_path(&path)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if manifest.version != 1 {
        return Err(format!(
            "{}: unknown manifest version {}",
            path.display(),
            manifest.version
        ));
    }
    Ok(manifest)
}

fn detect() -> State {
    let gids = nix::unistd::getresgid();
    let (rgid, egid, sgid) = match gids {
        Ok(g) => (g.real, g.effective, g.saved),
        Err(e) => return State::Broken(format!("cannot read this process's group ids: {e}")),
    };
    let privileged = egid != rgid || sgid != rgid;
    let exe = std::fs::read_link("/proc/self/exe").ok();
    let root = exe
        .as_deref()
        .map_or_else(|| PathBuf::from("/"), root_of_binary);
    let mut layouts = vec![Layout::new(&root)];
    if root != Path::new("/") {
        layouts.push(Layout::new(Path::new("/")));
    }
    for layout in layouts {
        if std::fs::symlink_metadata(layout.manifest()).is_err() {
            continue;
        }
        let manifest = match read_manifest(&layout) {
            Ok(m) => m,
            Err(e) if privileged => {
                return State::Broken(format!("the sealed install's manifest is not usable: {e}"))
            }
            // Someone else's manifest cannot turn an unprivileged copy into anything.
            Err(_) => continue,
        };
        if privileged && egid.as_raw() != manifest.gid && sgid.as_raw() != manifest.gid {
            return State::Broken(format!(
                "this binary runs with group id {} but the sealed install's group `{}` is {}",
                egid, manifest.group, manifest.gid
            ));
        }
        let user = nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map_or_else(|| format!("uid-{}", nix::unistd::getuid()), |u| u.name);
        return State::Sealed(Box::new(Sealed {
            layout,
            manifest,
            user,
            privileged,
        }));
    }
    if privileged {
        return State::Broken(format!(
            "this binary runs with another group than its user's (setgid) but no sealed install was found at {}",
            Layout::new(&root).manifest().display()
        ));
    }
    State::Unsealed
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("/usr/local/bin/failsafe", "/")]
    #[case("/tmp/x/root/usr/local/bin/failsafe", "/tmp/x/root")]
    #[case("/home/a/.cargo/bin/failsafe", "/")]
    #[case("/tmp/usr/local/bin/failsafe2", "/")]
    fn root_follows_the_binary(#[case] exe: &str, #[case] root: &str) {
        assert_eq!(root_of_binary(Path::new(exe)), PathBuf::from(root));
    }

    #[test]
    fn manifest_round_trips_and_finds_the_real_tool() {
        let m = Manifest {
            version: 1,
            moved: vec![
                Moved {
                    tool: "git".into(),
                    from: "/usr/lib/git-core/git".into(),
                    to: "/r/git.1".into(),
                    state: FileState {
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                        mtime: 1,
                        mtime_nsec: 2,
                    },
                    shimmed: true,
                },
                Moved {
                    tool: "git".into(),
                    from: "/usr/bin/git".into(),
                    to: "/r/git".into(),
                    state: FileState {
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                        mtime: 1,
                        mtime_nsec: 2,
                    },
                    shimmed: true,
                },
            ],
            ..Manifest::default()
        };
        let text = serde_json::to_string(&m).unwrap_or_default();
        let back: Manifest = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, m);
        assert_eq!(
            m.real_of("git").map(|r| r.from.clone()),
            Some(PathBuf::from("/usr/bin/git"))
        );
        assert!(m.real_of("kubectl").is_none());
    }

    #[test]
    fn a_temp_dir_is_not_a_secure_path_but_slash_is() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o777))?;
        assert!(secure_path(t.path()).is_err());
        assert!(secure_path(Path::new("/")).is_ok());
        Ok(())
    }
}
