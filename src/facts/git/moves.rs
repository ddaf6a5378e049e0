//! Which local branches a git command moves, rewrites or deletes: the current branch for
//! `reset`, `rebase`, `commit --amend`, `merge`, `pull`, `cherry-pick`, `revert`, `am`,
//! `filter-branch`; the named branches for `branch -d/-D/-f/-m/-M/-C`, `checkout -B`,
//! `switch -C`, `worktree add -B`, `update-ref`, and the local destinations of
//! `fetch`/`pull` refspecs (`git fetch origin main:main`).
//!
//! Pure: the caller supplies HEAD, the branch of a rebase in progress, and lists local
//! branches when [`Moves::all_local`] asks for it. `push` is not here: it changes remote
//! branches (see `push`).

use super::repo::Head;
use crate::facts::walker::Walked;

/// The branches one command changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    /// Short branch names, in order, without duplicates.
    pub branches: Vec<String>,
    /// Every local branch is rewritten (`filter-branch --all`, `filter-repo`).
    pub all_local: bool,
    /// The current branch mattered but HEAD could not be read (reftable).
    pub needs_current: bool,
}

impl Moves {
    fn add(&mut self, name: &str) {
        let name = name
            .strip_prefix("refs/heads/")
            .or_else(|| name.strip_prefix("heads/"))
            .unwrap_or(name);
        if !name.is_empty() && !self.branches.iter().any(|b| b == name) {
            self.branches.push(name.to_string());
        }
    }

    fn current(&mut self, head: &Head) {
        match head {
            Head::Branch(b) => self.add(b),
            Head::Reftable => self.needs_current = true,
            _ => {}
        }
    }

    /// A ref-ish argument: `HEAD`/`@` is the current branch, `refs/heads/x` and bare names
    /// are branches, other refs and revisions (`HEAD~1`, `v1^{}`) are not.
    fn named(&mut self, word: &str, head: &Head) {
        let other_ref = word.starts_with("refs/") && !word.starts_with("refs/heads/");
        let revision = word.starts_with('-') || word.contains(['~', '^', ':', '@']);
        if word == "HEAD" || word == "@" {
            self.current(head);
        } else if !other_ref && !revision {
            self.add(word);
        }
    }
}

/// The branches moved by the walked command. `rebasing` is the branch of a rebase in
/// progress (read only when the caller sees `rebase --continue`/`--skip`).
pub fn moved_branches(walked: &Walked, head: &Head, rebasing: Option<&str>) -> Moves {
    let mut m = Moves::default();
    let has = |n: &str| walked.has_flag(n);
    let end = walked.dashdash_at.unwrap_or(walked.args.len());
    let before_dashdash = walked.args.get(..end).unwrap_or(&[]);
    let after_dashdash = walked.args.get(end..).unwrap_or(&[]);
    let finishing = has("abort") || has("quit");
    match walked.verb.as_str() {
        "reset" => {
            let paths_only =
                has("patch") || has("pathspec-from-file") || !after_dashdash.is_empty();
            if !paths_only {
                m.current(head);
            }
        }
        "rebase" if finishing || has("edit-todo") || has("show-current-patch") => {}
        "rebase" => {
            if has("continue") || has("skip") {
                match rebasing {
                    Some(b) => m.add(b),
                    None => m.current(head),
                }
            } else {
                let named = if has("root") {
                    before_dashdash.first()
                } else {
                    before_dashdash.get(1)
                };
                match named {
                    Some(b) => m.named(b, head),
                    None => m.current(head),
                }
            }
        }
        "commit" if has("amend") => m.current(head),
        "merge" | "cherry-pick" | "revert" | "am" if !finishing => m.current(head),
        "pull" => {
            m.current(head);
            fetch_destinations(&mut m, before_dashdash);
        }
        "fetch" => fetch_destinations(&mut m, before_dashdash),
        // filter-repo (a separate tool) rewrites every branch unless told otherwise.
        "filter-repo" => {
            m.current(head);
            m.all_local = true;
        }
        "filter-branch" => {
            let words: Vec<&String> = walked.args.iter().filter(|a| !a.starts_with('-')).collect();
            if words.is_empty() {
                m.current(head);
            }
            for w in words {
                m.named(w, head);
            }
            m.all_local = has("all")
                || has("branches")
                || walked
                    .args
                    .iter()
                    .any(|a| a == "--all" || a == "--branches");
        }
        "branch" => branch(&mut m, walked, before_dashdash, head),
        // `-B` resets an existing branch to the start point (`worktree add -B` too).
        "checkout" | "worktree" => {
            if let Some(b) = walked.flag_str("B") {
                m.add(b);
            }
        }
        "switch" => {
            if let Some(b) = walked.flag_str("force-create") {
                m.add(b);
            }
        }
        "update-ref" if !has("stdin") => {
            if let Some(r) = before_dashdash.first() {
                if r == "HEAD" || r == "@" {
                    m.current(head);
                } else if let Some(b) = r.strip_prefix("refs/heads/") {
                    m.add(b);
                }
            }
        }
        _ => {}
    }
    m
}

/// `git branch`: deletions, renames, copies over an existing branch, forced resets.
fn branch(m: &mut Moves, walked: &Walked, args: &[String], head: &Head) {
    let has = |n: &str| walked.has_flag(n);
    let force = has("force");
    if has("delete") {
        for b in args {
            m.named(b, head);
        }
    } else if has("move") {
        match args {
            [new] => {
                m.current(head);
                if force {
                    m.named(new, head);
                }
            }
            [old, new, ..] => {
                m.named(old, head);
                if force {
                    m.named(new, head);
                }
            }
            [] => {}
        }
    } else if has("copy") {
        // A copy only changes an existing branch when forced over it.
        let new = match args {
            [new] | [_, new, ..] => Some(new),
            [] => None,
        };
        if let (true, Some(new)) = (force, new) {
            m.named(new, head);
        }
    } else if force {
        if let Some(b) = args.first() {
            m.named(b, head);
        }
    }
}

/// Local branches written by `fetch`/`pull` refspecs (`src:dst`) after the remote.
fn fetch_destinations(m: &mut Moves, args: &[String]) {
    for spec in args.iter().skip(1) {
        let spec = spec.trim_start_matches('+');
        if let Some((_, dst)) = spec.split_once(':') {
            if dst.starts_with("refs/heads/") || !dst.starts_with("refs/") {
                m.add(dst);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::walker;
    use rstest::rstest;

    fn moved(line: &str, head: &Head, rebasing: Option<&str>) -> Moves {
        let Some(Ok(spec)) = crate::spec::builtin("git") else {
            unreachable!("the git spec is embedded")
        };
        let argv: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        moved_branches(&walker::walk(&spec, &argv), head, rebasing)
    }

    #[rstest]
    #[case("reset --hard HEAD~1", "main")]
    #[case("reset HEAD -- file.txt", "")]
    #[case("reset -p", "")]
    #[case("rebase origin/main", "main")]
    #[case("rebase --onto x upstream topic", "topic")]
    #[case("rebase --root topic", "topic")]
    #[case("rebase --abort", "")]
    #[case("rebase --continue", "topic-being-rebased")]
    #[case("commit -m wip", "")]
    #[case("commit --amend --no-edit", "main")]
    #[case("merge feature", "main")]
    #[case("merge --abort", "")]
    #[case("pull --rebase", "main")]
    #[case("pull origin +next:next", "main next")]
    #[case("fetch origin main:main", "main")]
    #[case("fetch origin refs/heads/a:refs/remotes/origin/a", "")]
    #[case("cherry-pick abc123", "main")]
    #[case("revert --quit", "")]
    #[case("filter-branch --tree-filter x -- --all", "main")]
    #[case("branch -D old release/1", "old release/1")]
    #[case("branch -d HEAD~1", "")]
    #[case("branch -f stable abc", "stable")]
    #[case("branch -m newname", "main")]
    #[case("branch -M old new", "old new")]
    #[case("branch -m old new", "old")]
    #[case("branch -C main copy", "copy")]
    #[case("branch -c main copy", "")]
    #[case("branch topic", "")]
    #[case("checkout -B main origin/main", "main")]
    #[case("checkout -b fresh", "")]
    #[case("switch -C prod", "prod")]
    #[case("switch -c fresh", "")]
    #[case("update-ref refs/heads/main abc", "main")]
    #[case("update-ref -d HEAD", "main")]
    #[case("status", "")]
    fn cases(#[case] line: &str, #[case] want: &str) {
        let m = moved(
            line,
            &Head::Branch("main".into()),
            Some("topic-being-rebased"),
        );
        assert_eq!(m.branches.join(" "), want, "{line}");
    }

    #[test]
    fn filter_branch_all_and_filter_repo_rewrite_everything() {
        let head = Head::Branch("main".into());
        assert!(moved("filter-branch -- --all", &head, None).all_local);
        assert!(moved("filter-repo --path x", &head, None).all_local);
        assert!(!moved("filter-branch -- main", &head, None).all_local);
    }

    #[test]
    fn unreadable_head_is_flagged_only_when_needed() {
        assert!(moved("reset --hard", &Head::Reftable, None).needs_current);
        assert!(!moved("branch -D x", &Head::Reftable, None).needs_current);
        assert!(moved("commit --amend", &Head::Detached, None)
            .branches
            .is_empty());
    }
}
