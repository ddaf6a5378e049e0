//! The conditions of `includeIf` that can be evaluated: `gitdir:`, `gitdir/i:` and
//! `onbranch:` patterns, prepared and matched as git does.
//!
//! Pure apart from resolving the including file's directory to its real path for a
//! `./` pattern (git does the same). No subprocess.

use super::wildmatch::{wildmatch, Options};
use std::fs;
use std::path::Path;

/// Prepares a `gitdir:` pattern as git does: `~/` → home; `./` → the including file's
/// real directory, matched literally (returned as the prefix); a pattern that is still
/// relative gets `**/` in front; a trailing `/` gets `**` after it. `None` when the
/// pattern cannot apply (`./` outside a file, no home).
pub fn gitdir_pattern(
    pattern: &str,
    home: Option<&str>,
    dir: Option<&Path>,
) -> Option<(String, String)> {
    let (prefix, rest) = if let Some(rest) = pattern.strip_prefix("~/") {
        (
            String::new(),
            format!("{}/{rest}", home?.trim_end_matches('/')),
        )
    } else if let Some(rest) = pattern.strip_prefix("./") {
        let dir = dir?;
        let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        (
            format!("{}/", dir.display().to_string().trim_end_matches('/')),
            rest.to_string(),
        )
    } else if pattern.starts_with('/') {
        (String::new(), pattern.to_string())
    } else {
        (String::new(), format!("**/{pattern}"))
    };
    let rest = if rest.ends_with('/') || (rest.is_empty() && !prefix.is_empty()) {
        format!("{rest}**")
    } else {
        rest
    };
    Some((prefix, rest))
}

/// Matches a git dir path against a prepared `gitdir:` pattern (git matches without
/// `WM_PATHNAME` here, so `*` crosses `/`).
pub fn gitdir_matches(prefix: &str, rest: &str, path: &str, icase: bool) -> bool {
    let tail = if icase {
        path.get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .and_then(|_| path.get(prefix.len()..))
    } else {
        path.strip_prefix(prefix)
    };
    tail.is_some_and(|t| {
        wildmatch(
            rest,
            t,
            Options {
                pathname: false,
                casefold: icase,
            },
        )
    })
}

/// `onbranch:` matching: a trailing `/` means everything below it.
pub fn onbranch_matches(pattern: &str, branch: &str) -> bool {
    let pattern = if pattern.ends_with('/') {
        format!("{pattern}**")
    } else {
        pattern.to_string()
    };
    wildmatch(
        &pattern,
        branch,
        Options {
            pathname: true,
            casefold: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("~/work/", Some("/home/u/"), "/home/u/work/r/.git", true)]
    #[case("~/work/", Some("/home/u/"), "/home/u/play/r/.git", false)]
    #[case("work/", None, "/srv/work/r/.git", true)]
    #[case("r/.git", None, "/srv/work/r/.git", true)]
    #[case("/srv/*/.git", None, "/srv/work/r/.git", true)]
    #[case("/srv/work/", None, "/srv/work", false)]
    fn gitdir_patterns(
        #[case] pat: &str,
        #[case] home: Option<&str>,
        #[case] path: &str,
        #[case] want: bool,
    ) {
        let got = gitdir_pattern(pat, home, None)
            .is_some_and(|(p, r)| gitdir_matches(&p, &r, path, false));
        assert_eq!(got, want);
    }

    #[test]
    fn gitdir_case_insensitive() {
        let (p, r) = gitdir_pattern("/SRV/Work/", None, None).unwrap_or_default();
        assert!(gitdir_matches(&p, &r, "/srv/work/x/.git", true));
        assert!(!gitdir_matches(&p, &r, "/srv/work/x/.git", false));
    }

    #[rstest]
    #[case("main", "main", true)]
    #[case("release/", "release/1.2", true)]
    #[case("feat*", "feature/x", false)]
    #[case("feat**", "feature/x", false)]
    #[case("feature/**", "feature/x/y", true)]
    fn onbranch(#[case] pat: &str, #[case] branch: &str, #[case] want: bool) {
        assert_eq!(onbranch_matches(pat, branch), want);
    }
}
