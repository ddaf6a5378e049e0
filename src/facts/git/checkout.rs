//! Which words of a `git checkout` are paths.
//!
//! `git checkout [REV] PATH…` restores paths (from the index, or from REV) and throws
//! away their uncommitted changes, with or without `--`; `git checkout WORD` switches
//! branches when WORD is a revision and restores the file WORD when it is not. This
//! module decides that the way git's `parse_branchname_arg` does, erring towards
//! "path": a word that might be either is a path, because reading a branch switch as a
//! path only makes read mode stricter, while the opposite would let a discard through.
//!
//! Reads only the file system entry of the word and the branch refs (loose and
//! `packed-refs`); never runs git, never writes, never fails.

use std::fs;
use std::path::Path;

/// The paths a walked `git checkout` touches. `args` are its positionals, `dashdash_at`
/// where the words after `--` start; `cwd` is the effective cwd and `common_dir` the
/// repository's common dir (for branch names), `None` outside a repository.
///
/// Every word after `--` is a path, and so is every positional after the first (git
/// reads `checkout REV PATH…` as restoring paths from REV). Without `--`, the first
/// positional is a path too when it [`looks_like_a_path`], or when it names an existing
/// file or directory and no local branch of that name exists (git then DWIMs neither a
/// branch nor a remote-tracking one).
pub fn paths(
    args: &[String],
    dashdash_at: Option<usize>,
    cwd: &Path,
    common_dir: Option<&Path>,
) -> Vec<String> {
    let end = dashdash_at.unwrap_or(args.len()).min(args.len());
    let (before, after) = args.split_at(end);
    let mut out: Vec<String> = Vec::new();
    if let Some((first, rest)) = before.split_first() {
        // With `--`, the word before it is the revision to restore from.
        let first_is_path = dashdash_at.is_none()
            && (looks_like_a_path(first)
                || (exists(cwd, first) && !common_dir.is_some_and(|c| is_branch(c, first))));
        if first_is_path {
            out.push(first.clone());
        }
        out.extend(rest.iter().cloned());
    }
    out.extend(after.iter().cloned());
    out
}

/// True for words no revision can be: pathspec magic (`:/`, `:(glob)…`), globs, and
/// words starting with `.` or `/` (no ref name or revision expression does).
pub fn looks_like_a_path(word: &str) -> bool {
    word.starts_with([':', '.', '/']) || word.contains(['*', '?', '['])
}

/// True when `word` names an entry (even a dangling symlink) relative to `cwd`.
fn exists(cwd: &Path, word: &str) -> bool {
    !word.is_empty() && cwd.join(word).symlink_metadata().is_ok()
}

/// True when `refs/heads/<name>` exists, loose or in `packed-refs`. A name git would
/// not accept as a branch (`a/../b`, `x.lock`) never is one; neither is anything in a
/// reftable repository, which is not read here (the word then counts as a path).
pub fn is_branch(common_dir: &Path, name: &str) -> bool {
    if !valid_branch_name(name) || common_dir.join("reftable").is_dir() {
        return false;
    }
    let full = format!("refs/heads/{name}");
    if common_dir.join(&full).is_file() {
        return true;
    }
    fs::read_to_string(common_dir.join("packed-refs")).is_ok_and(|text| {
        text.lines()
            .filter(|l| !l.starts_with(['#', '^']))
            .any(|l| l.split_once(' ').is_some_and(|(_, r)| r.trim_end() == full))
    })
}

/// git's `check-ref-format` rules, as far as they matter for finding a file by name.
fn valid_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name != "@"
        && !name.contains("..")
        && !name.contains("@{")
        && !name.ends_with(['/', '.'])
        && !name.chars().any(|c| {
            c.is_ascii_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
        })
        && name
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// A work tree with `f.txt`, `src/`, `both` (a file and a loose branch), `packed`
    /// (a file and a packed branch), and only branches `feature` and `team/x`.
    fn world() -> std::io::Result<tempfile::TempDir> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        let git = root.join(".git");
        fs::create_dir_all(git.join("refs/heads/team"))?;
        for b in ["feature", "both", "team/x"] {
            fs::write(git.join("refs/heads").join(b), "0123\n")?;
        }
        fs::write(
            git.join("packed-refs"),
            "# pack-refs with: peeled fully-peeled sorted\n0123 refs/heads/packed\n^4567\n0123 refs/tags/v1\n",
        )?;
        fs::create_dir_all(root.join("src"))?;
        for f in [
            "f.txt",
            "both",
            "packed",
            "v1",
            "src/lib.rs",
            "feature.lock",
        ] {
            fs::write(root.join(f), "x")?;
        }
        Ok(tmp)
    }

    #[rstest]
    #[case("f.txt", "f.txt")]
    #[case("HEAD f.txt", "f.txt")]
    #[case("main f.txt g", "f.txt g")]
    #[case("main -- x", "x")]
    #[case("-- f.txt", "f.txt")]
    #[case("./", "./")]
    #[case(".", ".")]
    #[case("*", "*")]
    #[case("*.rs", "*.rs")]
    #[case("src/[a-z]*", "src/[a-z]*")]
    #[case(":/", ":/")]
    #[case(":(glob)**/x", ":(glob)**/x")]
    #[case("/etc/hosts", "/etc/hosts")]
    #[case("src", "src")]
    #[case("src/lib.rs", "src/lib.rs")]
    #[case("v1", "v1")]
    #[case("feature", "")]
    #[case("both", "")]
    #[case("packed", "")]
    #[case("team/x", "")]
    #[case("main", "")]
    #[case("origin/main", "")]
    #[case("HEAD~1", "")]
    #[case("-", "")]
    #[case("", "")]
    fn checkout_words(#[case] line: &str, #[case] want: &str) -> std::io::Result<()> {
        let tmp = world()?;
        let mut args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let dashdash_at = args.iter().position(|a| a == "--");
        if let Some(at) = dashdash_at {
            args.remove(at);
        }
        let common = tmp.path().join(".git");
        let got = paths(&args, dashdash_at, tmp.path(), Some(&common));
        assert_eq!(got.join(" "), want, "{line}");
        Ok(())
    }

    #[test]
    fn outside_a_repository_an_existing_file_is_a_path() -> std::io::Result<()> {
        let tmp = world()?;
        let args = vec!["feature".to_string()];
        fs::write(tmp.path().join("feature"), "x")?;
        assert_eq!(paths(&args, None, tmp.path(), None), args);
        let common = tmp.path().join(".git");
        assert!(paths(&args, None, tmp.path(), Some(&common)).is_empty());
        Ok(())
    }

    #[rstest]
    #[case("feature", true)]
    #[case("team/x", true)]
    #[case("packed", true)]
    #[case("v1", false)]
    #[case("team", false)]
    #[case("team/../feature", false)]
    #[case("feature.lock", false)]
    #[case("@", false)]
    fn branches(#[case] name: &str, #[case] want: bool) -> std::io::Result<()> {
        let tmp = world()?;
        assert_eq!(is_branch(&tmp.path().join(".git"), name), want, "{name}");
        Ok(())
    }

    #[test]
    fn reftable_names_no_branch() -> std::io::Result<()> {
        let tmp = world()?;
        fs::create_dir_all(tmp.path().join(".git/reftable"))?;
        assert!(!is_branch(&tmp.path().join(".git"), "feature"));
        Ok(())
    }
}
