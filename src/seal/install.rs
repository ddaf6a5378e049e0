//! `install-shims --sealed` and `--unseal`: moving real tools into the sealed directory
//! and putting them back exactly.
//!
//! Every change is written down in the manifest before the next one, so a failure half
//! way is undone from the same record `--unseal` uses. Runs as root only (the CLI
//! checks); never runs in shim mode. Paths are under a root prefix so tests seal a
//! throwaway tree, never the machine's `/usr/bin`.

use super::{FileState, Layout, Manifest, Moved};
use std::fs::{self, File, FileTimes};
use std::os::unix::fs::{chown, symlink, DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

/// Directories searched for real tools (under the root) besides PATH.
pub const STANDARD_DIRS: &[&str] = &[
    "usr/local/sbin",
    "usr/local/bin",
    "usr/sbin",
    "usr/bin",
    "sbin",
    "bin",
    "snap/bin",
];

/// Other places git keeps a full copy of itself (its exec path): sealed with it, or
/// `/usr/lib/git-core/git push` would walk past the shim.
pub const GIT_COPIES: &[&str] = &[
    "usr/lib/git-core/git",
    "usr/libexec/git-core/git",
    "usr/local/libexec/git-core/git",
];

/// The config.toml a sealed install starts with: nothing runs unlogged, and the log is
/// never rotated by a shim (root's logrotate does it; a rotated file would belong to
/// the agent user).
pub const SEALED_CONFIG: &str =
    "# written by `failsafe install-shims --sealed`\n[log]\nrequired = true\nmax_bytes = 0\n";

/// Why sealing or unsealing stopped.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// A file operation failed.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Something the operator must fix first.
    #[error("{0}")]
    Refused(String),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SealError + 'a {
    move |source| SealError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// What to seal.
#[derive(Debug, Clone)]
pub struct SealOptions {
    /// The root prefix (`/` on a real machine).
    pub root: PathBuf,
    /// The group name.
    pub group: String,
    /// The agent users.
    pub agent_users: Vec<String>,
    /// Tool names to seal when installed.
    pub tools: Vec<String>,
    /// PATH directories to search too (absolute, taken under the root).
    pub path_dirs: Vec<PathBuf>,
    /// The failsafe binary to install.
    pub source_binary: PathBuf,
}

/// A real tool found for sealing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its name.
    pub tool: String,
    /// The file (symlinks resolved).
    pub file: PathBuf,
    /// Where it was found on the search path.
    pub found_at: PathBuf,
}

/// Joins an absolute path under `root`.
pub fn under(root: &Path, path: &Path) -> PathBuf {
    root.join(path.strip_prefix("/").unwrap_or(path))
}

fn is_failsafe(path: &Path, binary: &Path) -> bool {
    let same = match (fs::metadata(path), fs::metadata(binary)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    same || fs::canonicalize(path)
        .is_ok_and(|t| t.file_name().is_some_and(|n| n == crate::tool::SELF_NAME))
}

/// The real tools to seal: for each name every executable of that name on the search
/// path (the file its symlinks lead to; the first found is the one the shim runs), plus
/// git's other copies of itself. Leaving a second copy would leave a way around. A
/// program that needs the files beside it (the aws CLI v2), and a file that is not
/// root's alone (a tool in someone's home), are left where they are; `doctor` names
/// them.
///
/// # Errors
/// A tool resolves outside the root.
pub fn find_tools(opts: &SealOptions) -> Result<Vec<Found>, SealError> {
    let mut dirs: Vec<PathBuf> = opts
        .path_dirs
        .iter()
        .filter(|d| d.is_absolute())
        .map(|d| under(&opts.root, d))
        .collect();
    dirs.extend(STANDARD_DIRS.iter().map(|d| opts.root.join(d)));
    let mut found: Vec<Found> = Vec::new();
    for tool in &opts.tools {
        let mut candidates: Vec<PathBuf> = dirs.iter().map(|d| d.join(tool)).collect();
        if tool == "git" {
            candidates.extend(GIT_COPIES.iter().map(|c| opts.root.join(c)));
        }
        for candidate in candidates {
            let Ok(meta) = fs::metadata(&candidate) else {
                continue;
            };
            if !meta.is_file()
                || meta.permissions().mode() & 0o111 == 0
                || is_failsafe(&candidate, &opts.source_binary)
            {
                continue;
            }
            let file = fs::canonicalize(&candidate).map_err(io("resolve", &candidate))?;
            if !file.starts_with(&opts.root) {
                return Err(SealError::Refused(format!(
                    "{} leads to {}, outside the root {}",
                    candidate.display(),
                    file.display(),
                    opts.root.display()
                )));
            }
            if found.iter().any(|f| f.file == file)
                || needs_its_directory(&file)
                || !roots_alone(&file)
            {
                continue;
            }
            found.push(Found {
                tool: tool.clone(),
                file,
                found_at: candidate,
            });
        }
    }
    Ok(found)
}

/// Whether `path` starts with `#!` (its interpreter must read it, so it stays readable).
fn is_script(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"#!"
}

/// Whether the file is one part of a directory-shaped program (`PyInstaller`'s
/// `_internal` next to it, as the aws CLI v2 has): moving it alone would break it.
fn needs_its_directory(file: &Path) -> bool {
    file.parent().is_some_and(|d| d.join("_internal").is_dir())
}

/// Whether `file` is root's, in directories only root can write: anything else (a
/// tool in a user's home, say) its owner could put back, so moving it would seal
/// nothing; `doctor` lists it instead.
fn roots_alone(file: &Path) -> bool {
    fs::metadata(file).is_ok_and(|m| m.uid() == 0)
        && file.parent().is_some_and(|d| super::secure_path(d).is_ok())
}

fn group_gid(name: &str) -> Option<u32> {
    nix::unistd::Group::from_name(name)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
}

fn run(cmd: &str, args: &[&str]) -> Result<(), SealError> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(io("run", Path::new(cmd)))?;
    if out.status.success() {
        return Ok(());
    }
    Err(SealError::Refused(format!(
        "`{cmd} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

fn set_state(path: &Path, state: &FileState) -> Result<(), SealError> {
    chown(path, Some(state.uid), Some(state.gid)).map_err(io("chown", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(state.mode)).map_err(io("chmod", path))?;
    let secs = u64::try_from(state.mtime).unwrap_or(0);
    let nanos = u32::try_from(state.mtime_nsec).unwrap_or(0);
    let when = UNIX_EPOCH + Duration::new(secs, nanos);
    File::open(path)
        .and_then(|f| f.set_times(FileTimes::new().set_modified(when)))
        .map_err(io("set the time of", path))
}

/// The sealing in progress: the manifest grows with every change.
struct Sealing<'a> {
    layout: Layout,
    m: &'a mut Manifest,
}

impl Sealing<'_> {
    fn note_parent(&mut self, path: &Path) -> Result<(), SealError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        let ours = self.m.dirs.iter().any(|d| d == parent);
        let known = self.m.parents.iter().any(|(p, _)| p == parent);
        if !ours && !known && parent.exists() {
            let state = FileState::of(parent).map_err(io("stat", parent))?;
            self.m.parents.push((parent.to_path_buf(), state));
        }
        Ok(())
    }

    fn mkdir(&mut self, dir: &Path, mode: u32, gid: u32) -> Result<(), SealError> {
        if dir.exists() {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.mkdir(parent, 0o755, 0)?;
        }
        self.note_parent(dir)?;
        fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(io("create", dir))?;
        self.m.dirs.push(dir.to_path_buf());
        chown(dir, Some(0), Some(gid)).map_err(io("chown", dir))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(mode)).map_err(io("chmod", dir))
    }

    /// Gives an existing `path` (a log kept by an earlier unseal) to root and the group
    /// with `mode`, noting how it was so unsealing puts it back.
    fn retouch(&mut self, path: &Path, mode: u32, gid: u32) -> Result<(), SealError> {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return Ok(());
        };
        if meta.file_type().is_symlink() {
            return Err(SealError::Refused(format!(
                "{} is a symlink; remove it first",
                path.display()
            )));
        }
        let state = FileState::of(path).map_err(io("stat", path))?;
        self.m.retouched.push((path.to_path_buf(), state));
        chown(path, Some(0), Some(gid)).map_err(io("chown", path))?;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io("chmod", path))
    }

    fn link(&mut self, target: &Path, at: &Path) -> Result<(), SealError> {
        self.note_parent(at)?;
        symlink(target, at).map_err(io("create the shim", at))?;
        self.m.links.push(at.to_path_buf());
        Ok(())
    }

    fn move_file(
        &mut self,
        tool: &str,
        from: &Path,
        to: &Path,
        shim: bool,
    ) -> Result<(), SealError> {
        let state = FileState::of(from).map_err(io("stat", from))?;
        self.note_parent(from)?;
        self.note_parent(to)?;
        if let Err(e) = fs::rename(from, to) {
            if e.raw_os_error() != Some(nix::libc::EXDEV) {
                return Err(io("move", from)(e));
            }
            fs::copy(from, to).map_err(io("copy", from))?;
            set_state(to, &state)?;
            fs::remove_file(from).map_err(io("remove", from))?;
        }
        self.m.moved.push(Moved {
            tool: tool.to_string(),
            from: from.to_path_buf(),
            to: to.to_path_buf(),
            state,
            shimmed: false,
        });
        if shim {
            symlink(self.layout.binary(), from).map_err(io("create the shim", from))?;
            if let Some(last) = self.m.moved.last_mut() {
                last.shimmed = true;
            }
        }
        Ok(())
    }

    fn new_file(
        &mut self,
        path: &Path,
        bytes: &[u8],
        mode: u32,
        gid: u32,
    ) -> Result<(), SealError> {
        self.note_parent(path)?;
        fs::write(path, bytes).map_err(io("write", path))?;
        self.m.files.push(path.to_path_buf());
        chown(path, Some(0), Some(gid)).map_err(io("chown", path))?;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io("chmod", path))
    }
}

/// Seals: creates the group if needed, moves each real tool found into the sealed
/// directory with a shim in its place, installs the setgid binary, the root-owned config
/// dir and the group-writable log, and writes the manifest. On failure everything done
/// so far is undone.
///
/// # Errors
/// What stopped it (nothing is left changed then, as far as undoing could manage).
pub fn seal(opts: &SealOptions) -> Result<Manifest, SealError> {
    let layout = Layout::new(&opts.root);
    if fs::symlink_metadata(layout.manifest()).is_ok() {
        return Err(SealError::Refused(format!(
            "already sealed ({} exists); run `failsafe install-shims --unseal` first",
            layout.manifest().display()
        )));
    }
    if opts.agent_users.is_empty() {
        return Err(SealError::Refused(
            "say which user the agent runs as: --agent-user USER".into(),
        ));
    }
    let existing_gid = group_gid(&opts.group);
    for name in &opts.agent_users {
        let user = nix::unistd::User::from_name(name)
            .ok()
            .flatten()
            .ok_or_else(|| SealError::Refused(format!("no user `{name}`")))?;
        if user.uid.is_root() {
            return Err(SealError::Refused(format!(
                "the agent user `{name}` is root: sealing cannot keep root from anything"
            )));
        }
        if let Some(gid) = existing_gid {
            if super::scan::user_groups(name, user.gid.as_raw()).contains(&gid) {
                return Err(SealError::Refused(format!(
                    "the agent user `{name}` is a member of the group `{}`: it could run the real tools directly",
                    opts.group
                )));
            }
        }
    }
    let found = find_tools(opts)?;
    let mut m = Manifest {
        version: 1,
        root: opts.root.clone(),
        group: opts.group.clone(),
        agent_users: opts.agent_users.clone(),
        ..Manifest::default()
    };
    let gid = if let Some(gid) = existing_gid {
        gid
    } else {
        run("groupadd", &["--system", &opts.group])?;
        m.group_created = true;
        if let Some(gid) = group_gid(&opts.group) {
            gid
        } else {
            let _ = undo(&layout, &m);
            return Err(SealError::Refused(format!(
                "group `{}` was created but cannot be found",
                opts.group
            )));
        }
    };
    m.gid = gid;
    let result = apply(&layout, opts, &found, &mut m);
    if let Err(e) = result {
        let _ = undo(&layout, &m);
        return Err(e);
    }
    Ok(m)
}

fn apply(
    layout: &Layout,
    opts: &SealOptions,
    found: &[Found],
    m: &mut Manifest,
) -> Result<(), SealError> {
    let gid = m.gid;
    let mut s = Sealing {
        layout: layout.clone(),
        m,
    };
    s.mkdir(&layout.libexec(), 0o755, 0)?;
    s.mkdir(&layout.real_dir(), 0o750, gid)?;
    s.mkdir(&layout.config_dir(), 0o755, 0)?;
    s.mkdir(&layout.agents_dir(), 0o755, 0)?;
    s.mkdir(&layout.config_dir().join("policies"), 0o755, 0)?;
    s.mkdir(&layout.config_dir().join("tools"), 0o755, 0)?;
    s.mkdir(&layout.shim_dir(), 0o755, 0)?;
    s.retouch(&layout.log_dir(), 0o3770, gid)?;
    s.mkdir(&layout.log_dir(), 0o3770, gid)?;
    if let Some(bin_dir) = layout.binary().parent() {
        s.mkdir(bin_dir, 0o755, 0)?;
    }
    let binary = layout.binary();
    if fs::symlink_metadata(&binary).is_ok() {
        s.move_file(
            "failsafe",
            &binary,
            &layout.libexec().join("failsafe.orig"),
            false,
        )?;
    }
    s.note_parent(&binary)?;
    fs::copy(&opts.source_binary, &binary).map_err(io("install", &binary))?;
    s.m.files.push(binary.clone());
    chown(&binary, Some(0), Some(gid)).map_err(io("chown", &binary))?;
    fs::set_permissions(&binary, fs::Permissions::from_mode(0o2755))
        .map_err(io("chmod", &binary))?;
    let mut copies = std::collections::BTreeMap::<String, usize>::new();
    for f in found {
        let n = copies.entry(f.tool.clone()).or_default();
        let name = if *n == 0 {
            f.tool.clone()
        } else {
            format!("{}.{n}", f.tool)
        };
        *n += 1;
        let to = layout.real_tool(&name);
        s.move_file(&f.tool, &f.file, &to, true)?;
        if !is_script(&to) {
            // Execute-only for the agent: the group reads it (the shim opens it), others
            // may only execute it. A process started from a file its user cannot read
            // is not dumpable, so nothing the agent runs can reach the real tool's
            // process through /proc/PID/exe or ptrace and run it again unguarded.
            chown(&to, Some(0), Some(gid)).map_err(io("chown", &to))?;
            fs::set_permissions(&to, fs::Permissions::from_mode(0o751))
                .map_err(io("chmod", &to))?;
        }
    }
    for (name, _) in crate::tool::BUILTIN_BINARIES {
        s.link(&binary, &layout.shim_dir().join(name))?;
    }
    let config = layout.config_dir().join("config.toml");
    if fs::symlink_metadata(&config).is_err() {
        s.new_file(&config, SEALED_CONFIG.as_bytes(), 0o644, 0)?;
    }
    let log = layout.log_file();
    s.retouch(&log, 0o660, gid)?;
    if fs::symlink_metadata(&log).is_err() {
        s.new_file(&log, b"", 0o660, gid)?;
    }
    let log_link = layout.config_dir().join(crate::log::LOG_FILE_NAME);
    if fs::symlink_metadata(&log_link).is_err() {
        s.link(&log, &log_link)?;
    }
    let text = serde_json::to_vec_pretty(&*s.m).map_err(|e| SealError::Refused(e.to_string()))?;
    s.note_parent(&layout.manifest())?;
    s.m.files.push(layout.manifest());
    super::modes::write_public_atomic(&layout.manifest(), &text)
        .map_err(io("write", &layout.manifest()))?;
    // Optional: an append-only log where the file system supports it.
    if run("chattr", &["+a", &log.display().to_string()]).is_ok() {
        s.m.log_append_only = true;
        let text =
            serde_json::to_vec_pretty(&*s.m).map_err(|e| SealError::Refused(e.to_string()))?;
        super::modes::write_public_atomic(&layout.manifest(), &text)
            .map_err(io("write", &layout.manifest()))?;
    }
    Ok(())
}

/// What unsealing could not do (left in place, named for the operator).
pub type Leftovers = Vec<String>;

fn remove_link(path: &Path, left: &mut Leftovers) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            if let Err(e) = fs::remove_file(path) {
                left.push(format!("{}: {e}", path.display()));
            }
        }
        Ok(_) => left.push(format!(
            "{} is no longer a symlink; left as it is",
            path.display()
        )),
        Err(_) => {}
    }
}

/// Reverses a manifest: the real tools go back with their owner, mode and time, every
/// file, link and directory sealing created goes (directories only when empty), the
/// group goes when sealing created it, and the directories that changed get their old
/// state back. The decision log is the exception: when it holds any record it stays,
/// root's alone (`0600`, its directory `0700`), because it is the record of what
/// happened while sealed; sealing again continues it.
///
/// # Errors
/// Only when a real tool cannot be put back; anything else is reported as leftovers.
pub fn undo(layout: &Layout, m: &Manifest) -> Result<Leftovers, SealError> {
    let mut left = Leftovers::new();
    let log = layout.log_file();
    if m.log_append_only {
        let _ = run("chattr", &["-a", &log.display().to_string()]);
    }
    let keep_log = fs::symlink_metadata(&log).is_ok_and(|l| l.is_file() && l.len() > 0);
    for link in m.links.iter().rev() {
        remove_link(link, &mut left);
    }
    for moved in m.moved.iter().rev() {
        if moved.shimmed {
            remove_link(&moved.from, &mut left);
        }
        if fs::symlink_metadata(&moved.from).is_ok() {
            left.push(format!(
                "{} is in the way of the real {}; it stays at {}",
                moved.from.display(),
                moved.tool,
                moved.to.display()
            ));
            continue;
        }
        if let Err(e) = fs::rename(&moved.to, &moved.from) {
            if e.raw_os_error() != Some(nix::libc::EXDEV) {
                return Err(io("move back", &moved.to)(e));
            }
            fs::copy(&moved.to, &moved.from).map_err(io("copy back", &moved.to))?;
            fs::remove_file(&moved.to).map_err(io("remove", &moved.to))?;
        }
        set_state(&moved.from, &moved.state)?;
    }
    for file in m.files.iter().rev() {
        if keep_log && *file == log {
            continue;
        }
        if let Err(e) = fs::remove_file(file) {
            if e.kind() != std::io::ErrorKind::NotFound {
                left.push(format!("{}: {e}", file.display()));
            }
        }
    }
    // Mode files root wrote after sealing belong to the install too.
    if m.dirs.contains(&layout.agents_dir()) {
        if let Ok(entries) = fs::read_dir(layout.agents_dir()) {
            for e in entries.flatten() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    for dir in m.dirs.iter().rev() {
        if keep_log && log.starts_with(dir) {
            continue;
        }
        if let Err(e) = fs::remove_dir(dir) {
            if e.kind() != std::io::ErrorKind::NotFound {
                left.push(format!("{} kept: {e}", dir.display()));
            }
        }
    }
    if m.group_created {
        if let Err(e) = run("groupdel", &[&m.group]) {
            left.push(format!("group `{}` kept: {e}", m.group));
        }
    }
    if keep_log {
        // Root's alone now: the group may be gone, and no agent writes here any more.
        // A log that was there before sealing gets its own owner and mode back below.
        for (path, mode) in [(&log, 0o600), (&layout.log_dir(), 0o700)] {
            if let Err(e) = chown(path, Some(0), Some(0))
                .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(mode)))
            {
                left.push(format!("{}: {e}", path.display()));
            }
        }
    }
    for (path, state) in m.retouched.iter().rev() {
        if let Err(e) = chown(path, Some(state.uid), Some(state.gid))
            .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(state.mode)))
        {
            left.push(format!("{}: {e}", path.display()));
        }
    }
    for (dir, state) in m.parents.iter().rev() {
        if dir.exists() {
            if let Err(e) = set_state(dir, state) {
                left.push(e.to_string());
            }
        }
    }
    Ok(left)
}

/// Reads the manifest under `root` and reverses it.
///
/// # Errors
/// The manifest is missing or not trustworthy, or a real tool cannot be put back.
pub fn unseal(root: &Path) -> Result<(Manifest, Leftovers), SealError> {
    let layout = Layout::new(root);
    let m = super::read_manifest(&layout).map_err(SealError::Refused)?;
    if m.root != root {
        return Err(SealError::Refused(format!(
            "{} was written for the root {}, not {}",
            layout.manifest().display(),
            m.root.display(),
            root.display()
        )));
    }
    let left = undo(&layout, &m)?;
    Ok((m, left))
}
