//! Finding the policy files of each layer: bundled (embedded), user (config dir) and repo
//! (`.failsafe.rego` walk-up), with the trust state of each repo file.
//!
//! Loading never fails as a whole: every file or directory that exists but cannot be
//! read becomes a [`Reason`] with effect block, so the command is refused with the exact
//! cause. A directory or file that does not exist is simply not there.

use super::bundled;
use super::trust::{sha256_hex, TrustStore};
use super::{Effect, Layer, Reason};
use crate::mode::Mode;
use std::path::{Path, PathBuf};

/// The name of a repo policy file.
pub const REPO_POLICY_FILE: &str = ".failsafe.rego";

/// One policy file to evaluate.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Its layer.
    pub layer: Layer,
    /// Display path used in `file:line` (`bundled/git.rego` or the real path).
    pub path: String,
    /// The Rego source.
    pub text: String,
    /// Repo files only: trusted by path and content hash.
    pub trusted: Option<bool>,
}

/// The files of all active layers, plus the failures met while finding them.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    /// Files in layer order (bundled, user, repo).
    pub files: Vec<PolicyFile>,
    /// Files or directories that exist but could not be read; each one blocks.
    pub failures: Vec<Reason>,
}

/// Why a layer could not be listed (kept for callers that want a typed error, such as
/// `failsafe policies list`).
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A directory exists but could not be listed.
    #[error("cannot list {}: {source}", path.display())]
    List {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Where to look for policies for one decision.
#[derive(Debug, Clone)]
pub struct ChainRequest<'a> {
    /// The canonical tool of the fact.
    pub tool: &'a str,
    /// The pane's mode.
    pub mode: Mode,
    /// The config dir (user policies, trust store).
    pub config_dir: &'a Path,
    /// The effective working directory (repo walk-up starts here).
    pub cwd: &'a Path,
    /// The home directory (the walk-up stops there).
    pub home: Option<&'a Path>,
    /// The command's verb (bundled git policies are loaded per verb).
    pub verb: &'a str,
    /// Whether the fact lists anything uncertain.
    pub uncertain: bool,
    /// Whether the fact's target is uncertain (`target.uncertain`).
    pub target_uncertain: bool,
}

fn load_failure(layer: Layer, path: &Path, why: String) -> Reason {
    Reason {
        id: "failsafe.policy-unreadable".to_string(),
        reason: why,
        effect: Effect::Block,
        layer,
        location: path.display().to_string(),
        package: String::new(),
    }
}

/// Collects the files of every active layer for `req`.
pub fn load_chain(req: &ChainRequest<'_>) -> Chain {
    let mut chain = Chain::default();
    let applicability = bundled::Applicability {
        tool: req.tool,
        mode: req.mode,
        verb: req.verb,
        uncertain: req.uncertain,
        target_uncertain: req.target_uncertain,
    };
    for policy in bundled::applicable(&applicability) {
        chain.files.push(policy.to_policy_file());
    }
    for path in user_policy_paths(req.config_dir, &mut chain.failures) {
        read_into(&mut chain, Layer::User, &path, None);
    }
    let repo_files = repo_policy_paths(req.cwd, req.home);
    if !repo_files.is_empty() {
        let store = match TrustStore::load(req.config_dir) {
            Ok(store) => Some(store),
            Err(e) => {
                let path = super::trust::store_path(req.config_dir);
                chain
                    .failures
                    .push(load_failure(Layer::Repo, &path, e.to_string()));
                None
            }
        };
        for path in repo_files {
            // Read once: the bytes that are hashed are the bytes that are evaluated, so a
            // file swapped between two reads can never pass as trusted.
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let trusted = match (&store, path.canonicalize()) {
                        (Some(store), Ok(canonical)) => {
                            store.is_trusted(&canonical, &sha256_hex(&bytes))
                        }
                        _ => false,
                    };
                    match String::from_utf8(bytes) {
                        Ok(text) => chain.files.push(PolicyFile {
                            layer: Layer::Repo,
                            path: path.display().to_string(),
                            text,
                            trusted: Some(trusted),
                        }),
                        Err(_) => chain.failures.push(load_failure(
                            Layer::Repo,
                            &path,
                            format!("policy file {} is not valid UTF-8", path.display()),
                        )),
                    }
                }
                Err(e) => chain.failures.push(load_failure(
                    Layer::Repo,
                    &path,
                    format!("cannot read policy file {}: {e}", path.display()),
                )),
            }
        }
    }
    chain
}

fn read_into(chain: &mut Chain, layer: Layer, path: &Path, trusted: Option<bool>) {
    match std::fs::read_to_string(path) {
        Ok(text) => chain.files.push(PolicyFile {
            layer,
            path: path.display().to_string(),
            text,
            trusted,
        }),
        Err(e) => chain.failures.push(load_failure(
            layer,
            path,
            format!("cannot read policy file {}: {e}", path.display()),
        )),
    }
}

/// The user layer's files: every `*.rego` in `<config>/policies/` (sorted), then
/// `<config>/policy.rego`. A policies directory that exists but cannot be listed is a
/// failure.
pub fn user_policy_paths(config_dir: &Path, failures: &mut Vec<Reason>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let dir = config_dir.join("policies");
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            let mut found: Vec<PathBuf> = Vec::new();
            for entry in entries {
                match entry {
                    Ok(e) => {
                        let p = e.path();
                        if p.extension().is_some_and(|x| x == "rego") && !is_test_file(&p) {
                            found.push(p);
                        }
                    }
                    Err(e) => failures.push(load_failure(
                        Layer::User,
                        &dir,
                        format!("cannot list {}: {e}", dir.display()),
                    )),
                }
            }
            found.sort();
            paths.extend(found);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => failures.push(load_failure(
            Layer::User,
            &dir,
            format!("cannot list user policy directory {}: {e}", dir.display()),
        )),
    }
    let single = config_dir.join("policy.rego");
    if single.exists() || std::fs::symlink_metadata(&single).is_ok() {
        paths.push(single);
    }
    paths
}

/// `*_test.rego` files hold `test_*` rules for `failsafe test`; they are not policies.
fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.rego"))
}

/// Every `.failsafe.rego` from `cwd` up to the repository root (the first directory with
/// a `.git` entry), `home` or `/`, whichever comes first; outermost first.
pub fn repo_policy_paths(cwd: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let candidate = d.join(REPO_POLICY_FILE);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            found.push(candidate);
        }
        if std::fs::symlink_metadata(d.join(".git")).is_ok() || Some(d) == home {
            break;
        }
        dir = d.parent();
    }
    found.reverse();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn repo_walk_stops_at_the_repository_root() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        let root = t.path().join("outer/repo");
        fs::create_dir_all(root.join("a/b"))?;
        fs::create_dir(root.join(".git"))?;
        fs::write(
            t.path().join("outer/.failsafe.rego"),
            "package failsafe.repo",
        )?;
        fs::write(root.join(REPO_POLICY_FILE), "package failsafe.repo")?;
        fs::write(root.join("a/.failsafe.rego"), "package failsafe.repo")?;
        let found = repo_policy_paths(&root.join("a/b"), None);
        assert_eq!(
            found,
            vec![root.join(REPO_POLICY_FILE), root.join("a/.failsafe.rego")]
        );
        Ok(())
    }

    #[test]
    fn repo_walk_stops_at_home() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        let home = t.path().join("home");
        fs::create_dir_all(home.join("work"))?;
        fs::write(t.path().join(REPO_POLICY_FILE), "package failsafe.repo")?;
        assert!(repo_policy_paths(&home.join("work"), Some(&home)).is_empty());
        Ok(())
    }

    #[test]
    fn user_policies_are_sorted_and_tests_skipped() -> std::io::Result<()> {
        let t = tempfile::tempdir()?;
        fs::create_dir(t.path().join("policies"))?;
        for name in ["b.rego", "a.rego", "a_test.rego", "notes.txt"] {
            fs::write(t.path().join("policies").join(name), "")?;
        }
        fs::write(t.path().join("policy.rego"), "")?;
        let mut failures = Vec::new();
        let names: Vec<String> = user_policy_paths(t.path(), &mut failures)
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names, vec!["a.rego", "b.rego", "policy.rego"]);
        assert!(failures.is_empty());
        Ok(())
    }
}
