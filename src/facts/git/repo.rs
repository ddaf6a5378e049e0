//! Finding the repository a git command runs in, the way git's setup does it: the
//! effective directory after `-C`, an explicit git dir (`--git-dir`, `GIT_DIR`), or
//! discovery upwards from the cwd (a `.git` directory, a `.git` *file* pointing
//! elsewhere for linked worktrees and submodules, or a bare repository), the common dir
//! of a linked worktree, `HEAD`, and — only when a command needs them — the branch names
//! under `refs/`.
//!
//! Reads files directly and never runs git or any other subprocess: this runs before
//! every `git status`. Not handled: `GIT_DISCOVERY_ACROSS_FILESYSTEM` (discovery does not
//! stop at mount points) and `safe.directory` ownership checks (git may refuse a repo we
//! describe; that only makes us stricter).

use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

/// A repository located for one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// The git directory (`.git`, `.git/worktrees/x`, `.git/modules/x`, a bare repo).
    pub git_dir: PathBuf,
    /// Where config and refs live: the main repository's git dir for a linked worktree,
    /// else `git_dir`.
    pub common_dir: PathBuf,
    /// The work tree git assumes when nothing overrides it: the directory holding the
    /// `.git` entry, or the cwd for an explicit git dir; `None` for a bare repository.
    pub default_work_tree: Option<PathBuf>,
}

/// What `HEAD` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// Not in a repository.
    NoRepo,
    /// On a branch (possibly unborn): the short name.
    Branch(String),
    /// Detached at a commit (or pointing outside `refs/heads/`).
    Detached,
    /// The repository keeps refs in the reftable format, which is not read here.
    Reftable,
    /// `HEAD` exists but could not be read or understood (already reported).
    Unreadable,
}

impl Head {
    /// The current branch, `""` when detached, unknown or outside a repository.
    pub fn branch(&self) -> &str {
        match self {
            Head::Branch(b) => b,
            _ => "",
        }
    }
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The physical path when it exists (git works with real paths after `chdir`), else
/// the lexically normalised one.
pub fn tidy(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

/// `base` joined with `path` unless `path` is absolute.
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The directory git ends up in after each `-C` in order (each relative one relative to
/// the previous; an empty one is ignored, as git does). `None` when there is no `-C`.
pub fn effective_cwd(base: &Path, dirs: &[&str]) -> Option<PathBuf> {
    let dirs: Vec<&str> = dirs.iter().copied().filter(|d| !d.is_empty()).collect();
    if dirs.is_empty() {
        return None;
    }
    let joined = dirs
        .iter()
        .fold(base.to_path_buf(), |acc, d| resolve(&acc, d));
    Some(tidy(&joined))
}

/// `GIT_CEILING_DIRECTORIES`: absolute entries only, as git ignores the others.
pub fn ceilings(value: Option<&str>) -> Vec<PathBuf> {
    value
        .unwrap_or("")
        .split(':')
        .filter(|s| s.starts_with('/'))
        .map(|s| normalize(Path::new(s)))
        .collect()
}

/// True when discovery starting at `start` must not look at `dir` (an ancestor of
/// `start`): `dir` is a ceiling or above one that contains `start`.
fn above_ceiling(start: &Path, dir: &Path, ceilings: &[PathBuf]) -> bool {
    ceilings
        .iter()
        .filter(|c| start.starts_with(c) && start != c.as_path())
        .any(|c| c.starts_with(dir))
}

/// True when `dir` looks like a git directory: a `HEAD` file and `objects/` and `refs/`
/// directories (in the common dir for a linked worktree).
pub fn is_git_dir(dir: &Path) -> bool {
    if !dir.join("HEAD").is_file() {
        return false;
    }
    let common = common_dir_of(dir).unwrap_or_else(|_| dir.to_path_buf());
    common.join("objects").is_dir() && common.join("refs").is_dir()
}

/// The common dir named by `<git_dir>/commondir`, else `git_dir` itself.
fn common_dir_of(git_dir: &Path) -> Result<PathBuf, String> {
    let file = git_dir.join("commondir");
    match fs::read_to_string(&file) {
        Ok(text) => {
            let rel = text.trim_end_matches(['\n', '\r']);
            if rel.is_empty() {
                return Err(format!("`{}` is empty", file.display()));
            }
            Ok(tidy(&resolve(git_dir, rel)))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(git_dir.to_path_buf()),
        Err(e) => Err(format!("cannot read `{}`: {e}", file.display())),
    }
}

/// Reads a gitfile (`gitdir: <path>`), returning the path it points to.
fn read_gitfile(file: &Path) -> Result<PathBuf, String> {
    let text =
        fs::read_to_string(file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let target = text
        .strip_prefix("gitdir:")
        .map(|t| {
            t.trim_start_matches([' ', '\t'])
                .trim_end_matches(['\n', '\r'])
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            format!(
                "`{}` is not a valid gitfile (no `gitdir:` line)",
                file.display()
            )
        })?;
    let base = file.parent().unwrap_or(Path::new("/"));
    Ok(tidy(&resolve(base, target)))
}

/// A repository whose git dir is `git_dir`, with its common dir.
fn with_common(
    git_dir: PathBuf,
    default_work_tree: Option<PathBuf>,
    uncertain: &mut Vec<String>,
) -> Repo {
    let common_dir = common_dir_of(&git_dir).unwrap_or_else(|e| {
        uncertain.push(format!("git common dir: {e}"));
        git_dir.clone()
    });
    Repo {
        git_dir,
        common_dir,
        default_work_tree,
    }
}

/// The repository for an explicit git dir (`--git-dir`, `GIT_DIR`, `--bare`), already
/// resolved against the effective cwd. A gitfile is followed. A directory that does not
/// exist yet is still reported (`git --git-dir=x init` creates it).
pub fn open_explicit(git_dir: &Path, cwd: &Path, uncertain: &mut Vec<String>) -> Repo {
    let git_dir = if git_dir.is_file() {
        match read_gitfile(git_dir) {
            Ok(target) => target,
            Err(e) => {
                uncertain.push(format!("git dir {e}"));
                git_dir.to_path_buf()
            }
        }
    } else {
        git_dir.to_path_buf()
    };
    with_common(git_dir, Some(cwd.to_path_buf()), uncertain)
}

/// Discovers the repository containing `start`, walking up to the root or a ceiling.
/// `None` outside any repository, or when the `.git` entry found is broken (then git
/// refuses to run, and the reason is in `uncertain`).
pub fn discover(start: &Path, ceilings: &[PathBuf], uncertain: &mut Vec<String>) -> Option<Repo> {
    let mut dir = start.to_path_buf();
    loop {
        let dotgit = dir.join(".git");
        match fs::metadata(&dotgit) {
            Ok(m) if m.is_dir() && is_git_dir(&dotgit) => {
                return Some(with_common(dotgit, Some(dir), uncertain));
            }
            Ok(m) if m.is_file() => {
                // git stops at a `.git` file and refuses to go on when it is broken.
                return match read_gitfile(&dotgit) {
                    Ok(target) if is_git_dir(&target) => {
                        Some(with_common(target, Some(dir), uncertain))
                    }
                    Ok(target) => {
                        uncertain.push(format!(
                            "`{}` points to `{}`, which is not a git directory",
                            dotgit.display(),
                            target.display()
                        ));
                        None
                    }
                    Err(e) => {
                        uncertain.push(e);
                        None
                    }
                };
            }
            _ => {}
        }
        if is_git_dir(&dir) {
            return Some(with_common(dir, None, uncertain));
        }
        let parent = dir.parent()?.to_path_buf();
        if above_ceiling(start, &parent, ceilings) {
            return None;
        }
        dir = parent;
    }
}

/// Reads `<git_dir>/HEAD`. An unreadable or unparseable file is reported in `uncertain`.
pub fn read_head(git_dir: &Path, uncertain: &mut Vec<String>) -> Head {
    let file = git_dir.join("HEAD");
    // Very old repositories made HEAD a symbolic link to the branch file.
    if let Ok(target) = fs::read_link(&file) {
        let target = target.to_string_lossy().into_owned();
        return match target.strip_prefix("refs/heads/") {
            Some(b) if !b.is_empty() => Head::Branch(b.to_string()),
            _ => Head::Detached,
        };
    }
    let text = match fs::read_to_string(&file) {
        Ok(t) => t,
        // An explicit git dir that does not exist (yet): not a repository.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Head::NoRepo
        }
        Err(e) => {
            uncertain.push(format!("cannot read git HEAD `{}`: {e}", file.display()));
            return Head::Unreadable;
        }
    };
    if let Some(head) = parse_head(&text) {
        head
    } else {
        uncertain.push(format!(
            "cannot understand git HEAD `{}`: neither `ref: …` nor a commit id",
            file.display()
        ));
        Head::Unreadable
    }
}

/// Parses the text of a HEAD file.
pub fn parse_head(text: &str) -> Option<Head> {
    let line = text.lines().next().unwrap_or("").trim_end();
    if let Some(target) = line.strip_prefix("ref:") {
        let target = target.trim_start();
        // A reftable repository keeps a placeholder HEAD for older gits.
        if target == "refs/heads/.invalid" {
            return Some(Head::Reftable);
        }
        return Some(match target.strip_prefix("refs/heads/") {
            Some(b) if !b.is_empty() => Head::Branch(b.to_string()),
            _ => Head::Detached,
        });
    }
    let is_id =
        (line.len() == 40 || line.len() == 64) && line.chars().all(|c| c.is_ascii_hexdigit());
    is_id.then_some(Head::Detached)
}

/// The branch a rebase in progress is rewriting (from `rebase-merge/head-name` or
/// `rebase-apply/head-name`); HEAD is detached meanwhile.
pub fn rebase_branch(git_dir: &Path) -> Option<String> {
    ["rebase-merge/head-name", "rebase-apply/head-name"]
        .iter()
        .find_map(|f| fs::read_to_string(git_dir.join(f)).ok())
        .and_then(|t| t.trim().strip_prefix("refs/heads/").map(str::to_string))
}

/// Every ref name under `prefix` (`refs/heads/`, `refs/remotes/origin/`) in the common
/// dir, loose and packed, with the prefix removed, sorted.
///
/// # Errors
/// The reason when the refs cannot be listed (reftable format, unreadable files).
pub fn list_refs(common_dir: &Path, prefix: &str) -> Result<Vec<String>, String> {
    if common_dir.join("reftable").is_dir() {
        return Err(format!(
            "the repository at `{}` keeps its refs in the reftable format, which failsafe cannot read",
            common_dir.display()
        ));
    }
    let mut names = Vec::new();
    walk_loose(&common_dir.join(prefix), "", 0, &mut names)?;
    let packed = common_dir.join("packed-refs");
    match fs::read_to_string(&packed) {
        Ok(text) => {
            for line in text.lines() {
                if line.starts_with('#') || line.starts_with('^') {
                    continue;
                }
                if let Some(name) = line
                    .split_once(' ')
                    .and_then(|(_, r)| r.strip_prefix(prefix))
                {
                    names.push(name.to_string());
                }
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read `{}`: {e}", packed.display())),
    }
    names.sort();
    names.dedup();
    Ok(names)
}

fn walk_loose(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<(), String> {
    if depth > 16 {
        return Ok(());
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(())
        }
        Err(e) => return Err(format!("cannot list `{}`: {e}", dir.display())),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let full = format!("{prefix}{name}");
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk_loose(&entry.path(), &format!("{full}/"), depth + 1, out)?,
            // Lock files are transient and not refs.
            Ok(_) if name.ends_with(".lock") => {}
            Ok(_) => out.push(full),
            Err(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("ref: refs/heads/main\n", Some(Head::Branch("main".into())))]
    #[case("ref: refs/heads/feature/x", Some(Head::Branch("feature/x".into())))]
    #[case("ref:refs/heads/tight\n", Some(Head::Branch("tight".into())))]
    #[case("ref: refs/heads/.invalid\n", Some(Head::Reftable))]
    #[case("ref: refs/remotes/origin/main\n", Some(Head::Detached))]
    #[case("0123456789abcdef0123456789abcdef01234567\n", Some(Head::Detached))]
    #[case("garbage\n", None)]
    #[case("", None)]
    fn heads(#[case] text: &str, #[case] want: Option<Head>) {
        assert_eq!(parse_head(text), want);
    }

    #[rstest]
    #[case("/a/b", &["c"], Some("/a/b/c"))]
    #[case("/a/b", &["/x", "y"], Some("/x/y"))]
    #[case("/a/b", &["..", "c/./d"], Some("/a/c/d"))]
    #[case("/a/b", &["", ""], None)]
    #[case("/a/b", &[], None)]
    fn cwd_after_dash_c(#[case] base: &str, #[case] dirs: &[&str], #[case] want: Option<&str>) {
        // These paths do not exist, so the result is the lexical normalisation.
        let got = effective_cwd(Path::new(base), dirs);
        assert_eq!(got, want.map(PathBuf::from));
    }

    #[rstest]
    #[case("/home/u/src/repo", "/home/u/src", "/home/u:/elsewhere", false)]
    #[case("/home/u/src/repo", "/home/u", "/home/u", true)]
    #[case("/home/u/src/repo", "/", "/home/u", true)]
    #[case("/home/u/src/repo", "/", "/mnt/x:relative", false)]
    #[case("/home/u", "/home", "/home/u", false)]
    fn ceiling_rules(
        #[case] start: &str,
        #[case] dir: &str,
        #[case] env: &str,
        #[case] stop: bool,
    ) {
        let c = ceilings(Some(env));
        assert_eq!(above_ceiling(Path::new(start), Path::new(dir), &c), stop);
    }
}
