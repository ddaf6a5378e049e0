//! The git enricher: what repository a git command runs in, what it is about to change,
//! and what the verb really is once aliases are expanded.
//!
//! Owns the `git` object of a fact (facts.md, git section). Two entry points, called by
//! `facts::build`: [`expand_alias`] (before anything else looks at the verb) and
//! [`enrich`]. Rooms inside:
//! - `repo` — the effective cwd after `-C`, the git dir (explicit, discovered, through a
//!   `.git` file, a linked worktree's common dir), HEAD, branch lists on demand;
//! - `config` — the pure git config syntax; `layers` — which config files git reads, in
//!   which order, with includes and the command line; `conditions` and `wildmatch` —
//!   `includeIf` conditions and git's globs;
//! - `alias` — alias expansion; `push` — the remote and branches a push lands on;
//!   `moves` — the local branches other verbs move, rewrite or delete;
//! - `hidden` — the one table of settings, variables and options that make git run a
//!   command of their own (`-c core.pager=…`, `GIT_SSH_COMMAND`, `--upload-pack`);
//! - `prunes` and `expiry` — which expiry settings of `gc`, `prune`, `repack` and
//!   `maintenance run` drop recent unreachable work now (git's approxidate, as far as
//!   needed).
//!
//! Never runs git or any subprocess and never writes: this runs before every
//! `git status`, so it reads HEAD and the config files, and refs only when a command
//! needs them (`push --all`, pattern refspecs, `filter-branch --all`). Never fails: what
//! cannot be read or pinned down becomes an `uncertain` entry naming the file or word.
//! Outside any repository the repository fields are simply empty.
//!
//! Not modelled (git itself may then do something slightly different; each only makes
//! the fact less precise, never hides a verb): `url.<base>.insteadOf` rewriting of remote
//! URLs, `safe.directory`, `GIT_DISCOVERY_ACROSS_FILESYSTEM`, reading refs from a
//! reftable repository (its current branch is reported as unknown when a command needs
//! it).

pub mod alias;
pub mod checkout;
pub mod conditions;
pub mod config;
pub mod expiry;
pub mod hidden;
pub mod layers;
pub mod moves;
pub mod prunes;
pub mod push;
pub mod repo;
pub mod wildmatch;

#[cfg(test)]
mod real_git_tests;

use super::walker::Walked;
use super::{Context, Fact};
use crate::config::pattern_matches;
use crate::spec::ToolSpec;
use layers::{Config, Scope, Where};
pub use push::PushFact;
use repo::{Head, Repo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The `git` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GitFact {
    /// Top of the work tree, `""` outside a repository or in a bare one.
    pub repo_root: String,
    /// The git directory (a linked worktree's own, e.g. `.git/worktrees/x`), `""`
    /// outside a repository.
    pub git_dir: String,
    /// Current branch, `""` when detached, unknown or outside a repository.
    pub branch: String,
    /// Remote name → URL (its first `url`), from the config files and `-c`.
    pub remotes: BTreeMap<String, String>,
    /// Push details (verb `push` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushFact>,
    /// Any push target, or any local branch the command moves, rewrites or deletes (see
    /// `moved_branches`), matches the protected patterns of config.toml.
    pub protected: bool,
    /// `-c name=value` options, in order (those spliced in by an alias included).
    pub config_overrides: Vec<String>,
    /// The alias word typed, when the verb was an alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The current branch's upstream (`origin/main`; just `main` for a local upstream),
    /// `""` when none is configured.
    pub upstream: String,
    /// Local branches this command moves, rewrites or deletes: the current branch for
    /// `reset`, `rebase`, `commit --amend`, `merge`, `pull`, `cherry-pick`, `revert`,
    /// `am`, `filter-branch`; the named ones for `branch -d/-D/-f/-m/-M/-C`,
    /// `checkout -B`, `switch -C`, `update-ref`, `fetch src:dst`.
    pub moved_branches: Vec<String>,
    /// The arguments after `--` (paths for most verbs). For `checkout`, every word it
    /// restores as a path, with or without `--` (see [`checkout::paths`]).
    pub paths: Vec<String>,
    /// `gc` only: the effective `gc.pruneExpire` from every config layer (files,
    /// environment, `-c`), `""` when unset.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gc_prune_expire: String,
    /// `gc`, `prune`, `repack -d`, `maintenance run`: the options and settings (from
    /// every config layer) that make git drop unreachable objects, reflog entries or
    /// worktree records now — an expiry less than a day old, in the future, `now`,
    /// `all`, or one failsafe cannot read — as `name=value`; see [`prunes`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expires_now: Vec<String>,
    /// Existing local branches that `checkout -B` or `worktree add -B` would reset to
    /// another commit (a reftable repository's branches cannot be read, so any name
    /// counts as existing there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resets_branches: Vec<String>,
    /// `config` only: the command-valued settings (see [`hidden::TABLE`]) it writes into
    /// a config file, as `name=value` — a later command would run them as the user's own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config_sets_command: Vec<String>,
}

/// The values of git's own option `name` (given before the verb), in order.
fn global_values<'a>(w: &'a Walked, name: &str) -> Vec<&'a str> {
    if w.global_flags.iter().any(|g| g == name) {
        w.flag_values(name)
    } else {
        Vec::new()
    }
}

fn global_last<'a>(w: &'a Walked, name: &str) -> Option<&'a str> {
    global_values(w, name).last().copied()
}

/// Where one git command runs: the directory, the repository, HEAD, the config files.
struct Located {
    /// The effective cwd when `-C` changed it.
    changed_cwd: Option<PathBuf>,
    /// The effective cwd.
    cwd: PathBuf,
    repo: Option<Repo>,
    head: Head,
    files: Config,
}

impl Located {
    fn at(&self) -> Where<'_> {
        Where {
            git_dir: self.repo.as_ref().map(|r| r.git_dir.as_path()),
            common_dir: self.repo.as_ref().map(|r| r.common_dir.as_path()),
            head: &self.head,
        }
    }
}

fn locate(w: &Walked, ctx: &Context, uncertain: &mut Vec<String>) -> Located {
    let changed_cwd = repo::effective_cwd(&ctx.cwd, &global_values(w, "C"));
    let cwd = changed_cwd.clone().unwrap_or_else(|| ctx.cwd.clone());
    // `--git-dir` beats `GIT_DIR`; `--bare` means "the cwd is the git dir" unless one is
    // given. All are relative to the cwd git ends up in.
    let explicit = global_last(w, "git-dir").or_else(|| ctx.var("GIT_DIR"));
    let bare = w.global_flags.iter().any(|g| g == "bare");
    let mut found = match explicit {
        Some(d) => Some(repo::open_explicit(
            &repo::normalize(&repo::resolve(&cwd, d)),
            &cwd,
            uncertain,
        )),
        None if bare => Some(repo::open_explicit(&cwd, &cwd, uncertain)),
        None => repo::discover(
            &cwd,
            &repo::ceilings(ctx.var("GIT_CEILING_DIRECTORIES")),
            uncertain,
        ),
    };
    if let (Some(r), Some(common)) = (found.as_mut(), ctx.var("GIT_COMMON_DIR")) {
        r.common_dir = repo::normalize(&repo::resolve(&cwd, common));
    }
    let head = match &found {
        Some(r) => repo::read_head(&r.git_dir, uncertain),
        None => Head::NoRepo,
    };
    let mut loc = Located {
        changed_cwd,
        cwd,
        repo: found,
        head,
        files: Config::default(),
    };
    loc.files = layers::load_files(ctx, loc.at(), uncertain);
    loc
}

/// The work tree: `--work-tree`/`GIT_WORK_TREE`, else `core.worktree` (relative to the
/// git dir), else none when bare, else where `.git` was found (or the cwd for an
/// explicit git dir).
fn work_tree(w: &Walked, ctx: &Context, loc: &Located, config: &Config) -> Option<PathBuf> {
    let repo = loc.repo.as_ref()?;
    if let Some(wt) = global_last(w, "work-tree").or_else(|| ctx.var("GIT_WORK_TREE")) {
        return Some(repo::tidy(&repo::resolve(&loc.cwd, wt)));
    }
    if w.global_flags.iter().any(|g| g == "bare") {
        return None;
    }
    // A linked worktree ignores the main repository's `core.bare`/`core.worktree`
    // (worktrees of a bare repository are common); only its own config.worktree counts.
    let scopes: &[Scope] = if repo.git_dir == repo.common_dir {
        &[Scope::Local, Scope::Worktree]
    } else {
        &[Scope::Worktree]
    };
    let core = |name: &str| config.get_in(scopes, "core", None, name);
    if let Some(wt) = core("worktree").and_then(|s| s.entry.value.as_deref()) {
        return Some(repo::tidy(&repo::resolve(&repo.git_dir, wt)));
    }
    let is_bare = core("bare").and_then(|s| config::parse_bool(s.entry.value.as_deref()));
    if is_bare == Some(true) {
        return None;
    }
    repo.default_work_tree.clone()
}

fn remotes(config: &Config) -> BTreeMap<String, String> {
    config
        .subsections("remote")
        .into_iter()
        .filter_map(|name| {
            let url = config
                .values("remote", Some(name), "url")
                .first()
                .map(std::string::ToString::to_string)?;
            Some((name.to_string(), url))
        })
        .collect()
}

fn upstream(config: &Config, head: &Head) -> String {
    let Head::Branch(b) = head else {
        return String::new();
    };
    let (Some(remote), Some(merge)) = (
        config.value("branch", Some(b), "remote"),
        config.value("branch", Some(b), "merge"),
    ) else {
        return String::new();
    };
    let name = merge.strip_prefix("refs/heads/").unwrap_or(merge);
    if remote == "." {
        name.to_string()
    } else {
        format!("{remote}/{name}")
    }
}

/// True when branch `name` matches a protected pattern. Full refs that are not branches
/// (`refs/tags/v1`) never do; an unexpanded branch pattern (`rel/*`) might reach any
/// branch, so it does whenever anything is protected.
pub fn is_protected(name: &str, patterns: &[String]) -> bool {
    if name.starts_with("refs/") {
        return false;
    }
    if name.contains('*') {
        return !patterns.is_empty();
    }
    patterns.iter().any(|p| pattern_matches(p, name))
}

fn push_unique(list: &mut Vec<String>, items: Vec<String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Seconds since the epoch (0 if the clock is before 1970, which only makes every
/// absolute expiry look recent: stricter, never looser).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The existing local branches `checkout -B NAME [START]` or `worktree add -B NAME …`
/// resets. `checkout -B` of the current branch without a start point (or with `HEAD`)
/// leaves it where it is.
fn resets_branches(walked: &Walked, loc: &Located) -> Vec<String> {
    let creates =
        walked.verb == "checkout" || (walked.verb == "worktree" && walked.subverb == "add");
    let (true, Some(name), Some(repo)) = (creates, walked.flag_str("B"), loc.repo.as_ref()) else {
        return Vec::new();
    };
    let end = walked.dashdash_at.unwrap_or(walked.args.len());
    let start = walked.args.get(..end).and_then(|a| a.first());
    let in_place = walked.verb == "checkout"
        && loc.head.branch() == name
        && start.is_none_or(|s| s == "HEAD" || s == "@");
    let exists =
        checkout::is_branch(&repo.common_dir, name) || repo.common_dir.join("reftable").is_dir();
    if exists && !in_place {
        vec![name.to_string()]
    } else {
        Vec::new()
    }
}

/// Expands a git alias verb; returns the (re-)walked argv and the alias word.
///
/// `rest` is argv without argv[0] and `walked` its walk. A built-in verb returns at once
/// without reading anything. Otherwise the config files git would read (system, global,
/// XDG, repository and worktree, plus `GIT_CONFIG_*` and `-c`) are consulted for
/// `alias.<verb>`; its value is spliced in place of the verb and the line walked again,
/// repeatedly for nested aliases. Shell aliases (`!…`), loops, unsplittable values,
/// unreadable config files and `help.autocorrect` guesses go to `uncertain`.
pub fn expand_alias(
    spec: &ToolSpec,
    rest: &[String],
    walked: Walked,
    ctx: &Context,
    uncertain: &mut Vec<String>,
) -> (Walked, Option<String>) {
    let word = walked.verb_as_typed.as_str();
    if word.is_empty() || alias::is_builtin(word) {
        return (walked, None);
    }
    // What cannot be read while locating the repository and its config is reported by
    // `enrich` as target uncertainty: it reads the same files again, and saying it twice
    // would only repeat the message.
    let mut reported_by_enrich = Vec::new();
    let loc = locate(&walked, ctx, &mut reported_by_enrich);
    let exec_path = global_last(&walked, "exec-path").map(str::to_string);
    let mut config_for = |w: &Walked| {
        layers::add_command_line(
            loc.files.clone(),
            ctx,
            loc.at(),
            &global_values(w, "c"),
            &global_values(w, "config-env"),
            &mut reported_by_enrich,
        )
    };
    let is_external = |w: &str| alias::external_command_exists(ctx, exec_path.as_deref(), w);
    let mut expansion = Vec::new();
    let result = alias::expand(
        spec,
        rest,
        walked,
        &mut config_for,
        &is_external,
        &mut expansion,
    );
    push_unique(uncertain, expansion);
    result
}

/// Fills `fact.git`, and `fact.cwd` when `-C` moves git elsewhere.
///
/// Never fails. What decides where the command lands but cannot be read goes to
/// `fact.target.uncertain`, which refuses in every mode: unreadable or unparseable
/// repository files (HEAD, a config file git reads, a `.git` file, malformed
/// `GIT_CONFIG_*` variables — git itself refuses to run with any of them), and facts
/// a command needs but that cannot be read (the current branch of a reftable
/// repository for a push of `HEAD`, the branches `--all` reaches).
pub fn enrich(walked: &Walked, alias: Option<String>, ctx: &Context, fact: &mut Fact) {
    let mut unc = Vec::new();
    let mut loc = locate(walked, ctx, &mut unc);
    let dash_c = global_values(walked, "c");
    let files = std::mem::take(&mut loc.files);
    let config = layers::add_command_line(
        files,
        ctx,
        loc.at(),
        &dash_c,
        &global_values(walked, "config-env"),
        &mut unc,
    );
    if let Some(cwd) = &loc.changed_cwd {
        fact.cwd = cwd.display().to_string();
    }
    // Commands git would run on the agent's say-so cannot be judged (read mode refuses).
    push_unique(
        &mut fact.uncertain,
        hidden::found(walked, &config, &ctx.env),
    );
    let end = walked.dashdash_at.unwrap_or(walked.args.len());
    let mut git = GitFact {
        repo_root: work_tree(walked, ctx, &loc, &config)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        git_dir: loc
            .repo
            .as_ref()
            .map(|r| r.git_dir.display().to_string())
            .unwrap_or_default(),
        branch: loc.head.branch().to_string(),
        remotes: remotes(&config),
        push: None,
        protected: false,
        config_overrides: dash_c
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
        alias,
        upstream: upstream(&config, &loc.head),
        moved_branches: Vec::new(),
        paths: walked.args.get(end..).unwrap_or(&[]).to_vec(),
        gc_prune_expire: String::new(),
        expires_now: Vec::new(),
        resets_branches: Vec::new(),
        config_sets_command: hidden::config_writes(walked),
    };
    if walked.verb == "checkout" {
        git.paths = checkout::paths(
            &walked.args,
            walked.dashdash_at,
            &loc.cwd,
            loc.repo.as_ref().map(|r| r.common_dir.as_path()),
        );
    }
    if matches!(
        walked.verb.as_str(),
        "gc" | "prune" | "repack" | "maintenance"
    ) {
        git.expires_now = prunes::expiring_now(walked, &config, unix_now());
    }
    git.resets_branches = resets_branches(walked, &loc);
    if walked.verb == "gc" {
        git.gc_prune_expire = config
            .value("gc", None, "pruneexpire")
            .unwrap_or_default()
            .to_string();
    }

    let common_dir: Option<PathBuf> = loc.repo.as_ref().map(|r| r.common_dir.clone());
    let mut refs = |prefix: &str| -> Result<Vec<String>, String> {
        match &common_dir {
            Some(c) => repo::list_refs(c, prefix),
            None => Ok(Vec::new()),
        }
    };
    let mut needs_current = false;
    if walked.verb == "push" {
        let (p, needs) = push::resolve(walked, &loc.head, &config, &mut refs, &mut unc);
        needs_current |= needs.current_branch;
        git.push = Some(p);
    }
    let rebasing = match &loc.repo {
        Some(r)
            if walked.verb == "rebase"
                && (walked.has_flag("continue") || walked.has_flag("skip")) =>
        {
            repo::rebase_branch(&r.git_dir)
        }
        _ => None,
    };
    let mut moved = moves::moved_branches(walked, &loc.head, rebasing.as_deref());
    if moved.all_local {
        match refs("refs/heads/") {
            Ok(list) => {
                for b in list {
                    if !moved.branches.contains(&b) {
                        moved.branches.push(b);
                    }
                }
            }
            Err(e) => unc.push(format!(
                "cannot list the branches `{}` rewrites: {e}",
                walked.verb
            )),
        }
    }
    needs_current |= moved.needs_current;
    if needs_current {
        unc.push(format!(
            "cannot tell the current branch of `{}`: its refs are in the reftable format, which failsafe cannot read",
            git.git_dir
        ));
    }
    git.moved_branches = moved.branches;
    let patterns = &ctx.settings.git.protected_branches;
    let push_targets = git.push.as_ref().map_or(&[][..], |p| p.targets.as_slice());
    git.protected = push_targets
        .iter()
        .chain(git.moved_branches.iter())
        .any(|b| is_protected(b, patterns));
    fact.git = Some(git);
    push_unique(&mut fact.target.uncertain, unc);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::facts::target::Target;
    use crate::facts::Source;
    use crate::mode::Mode;
    use rstest::rstest;
    use std::fs;
    use std::path::Path;

    pub(super) fn spec() -> ToolSpec {
        match crate::spec::builtin("git") {
            Some(Ok(s)) => s,
            _ => unreachable!("the git spec is embedded"),
        }
    }

    pub(super) fn context(cwd: &Path, home: &Path, env: &[(&str, &str)]) -> Context {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        map.insert("GIT_CONFIG_NOSYSTEM".into(), "1".into());
        map.insert("HOME".into(), home.display().to_string());
        for (k, v) in env {
            map.insert(k.to_string(), v.to_string());
        }
        Context {
            cwd: cwd.to_path_buf(),
            home: Some(home.to_path_buf()),
            env: map,
            settings: Settings::default(),
            mode: Mode::Read,
            pane: String::new(),
            source: Source::Test,
            ticket: String::new(),
        }
    }

    /// Builds the fact for `argv` (without argv[0]) the way `facts::build` does.
    pub(super) fn fact_for(argv: &[&str], ctx: &Context) -> Fact {
        let rest: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        let mut full = vec!["git".to_string()];
        full.extend(rest.iter().cloned());
        crate::facts::build(&spec(), "git", full, Vec::new(), ctx)
    }

    pub(super) fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(path, text);
    }

    /// A hand-made repository: `<root>/.git` with HEAD, config, objects/ and refs/.
    pub(super) fn fake_repo(root: &Path, head: &str, config: &str) -> PathBuf {
        let git = root.join(".git");
        write(&git.join("HEAD"), head);
        write(&git.join("config"), config);
        let _ = fs::create_dir_all(git.join("objects"));
        let _ = fs::create_dir_all(git.join("refs/heads"));
        git
    }

    fn git(f: &Fact) -> GitFact {
        f.git.clone().unwrap_or_default()
    }

    #[test]
    fn spec_never_maps_verb_options_onto_git_options() {
        let reserved = [
            "C",
            "c",
            "git-dir",
            "work-tree",
            "config-env",
            "namespace",
            "bare",
            "exec-path",
        ];
        let full = crate::spec::ToolSpec::parse("git", include_str!("../../../shims/git.toml"));
        let full = full.map_err(|e| e.to_string());
        assert!(full.is_ok(), "{full:?}");
        for (verb, set) in full.iter().flat_map(|s| s.verbs.iter()) {
            for name in set.value.iter().chain(&set.optional).chain(&set.switch) {
                assert!(!reserved.contains(&name.as_str()), "{verb}: option {name}");
            }
            for (letter, target) in &set.short {
                for long in target.longs() {
                    assert!(
                        !reserved.contains(&long.as_str()),
                        "{verb}: -{letter} → {long}"
                    );
                }
            }
        }
    }

    #[rstest]
    #[case(&["push", "-f", "origin", "main"], "push", &["force"])]
    #[case(&["push", "-u", "-o", "ci.skip", "origin"], "push", &["set-upstream", "push-option"])]
    #[case(&["commit", "-am", "msg"], "commit", &["all", "message"])]
    #[case(&["checkout", "-b", "new", "-f"], "checkout", &["b", "force"])]
    #[case(&["switch", "-C", "x"], "switch", &["force-create"])]
    #[case(&["branch", "-D", "x"], "branch", &["delete", "force"])]
    #[case(&["clean", "-fdx"], "clean", &["force", "d", "x"])]
    #[case(&["restore", "-SW", "-s", "HEAD", "f"], "restore", &["staged", "worktree", "source"])]
    #[case(&["-c", "a.b=c", "--no-pager", "log", "-n", "3"], "log", &["c", "no-pager", "max-count"])]
    #[case(&["--exec-path=/x", "-P", "status"], "status", &["exec-path", "no-pager"])]
    #[case(&["stash", "push", "-m", "wip"], "stash", &["message"])]
    #[case(&["worktree", "remove", "-f", "x"], "worktree", &["force"])]
    #[case(&["update-ref", "-d", "refs/heads/x"], "update-ref", &["delete"])]
    fn spec_flags(#[case] argv: &[&str], #[case] verb: &str, #[case] flags: &[&str]) {
        let rest: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        let w = crate::facts::walker::walk(&spec(), &rest);
        assert_eq!(w.verb, verb);
        for f in flags {
            assert!(w.has_flag(f), "{argv:?} lacks {f}: {:?}", w.flags);
        }
        assert!(w.uncertain.is_empty(), "{:?}", w.uncertain);
    }

    #[test]
    fn commit_message_value_is_not_a_flag() {
        let w =
            crate::facts::walker::walk(&spec(), &["commit".into(), "-m".into(), "--amend".into()]);
        assert_eq!(w.flag_str("message"), Some("--amend"));
        assert!(!w.has_flag("amend"));
    }

    #[test]
    fn outside_any_repository_everything_is_empty_and_certain() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let cwd = tmp.path().join("sub");
        fs::create_dir_all(&cwd)?;
        let ceiling = tmp.path().display().to_string();
        let ctx = context(&cwd, tmp.path(), &[("GIT_CEILING_DIRECTORIES", &ceiling)]);
        let f = fact_for(&["push", "--force"], &ctx);
        let g = git(&f);
        assert_eq!(
            (g.repo_root.as_str(), g.git_dir.as_str(), g.branch.as_str()),
            ("", "", "")
        );
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        assert_eq!(g.push.map(|p| p.remote), Some("origin".to_string()));
        Ok(())
    }

    #[test]
    fn hand_made_repository_from_a_subdirectory() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().join("r");
        fake_repo(
            &root,
            "ref: refs/heads/main\n",
            "[remote \"origin\"]\n\turl = git@example.com:o/r.git\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n",
        );
        let sub = root.join("src/deep");
        fs::create_dir_all(&sub)?;
        let ctx = context(&sub, tmp.path(), &[]);
        let f = fact_for(&["push"], &ctx);
        let g = git(&f);
        assert_eq!(g.repo_root, root.display().to_string());
        assert_eq!(g.git_dir, root.join(".git").display().to_string());
        assert_eq!(g.branch, "main");
        assert_eq!(g.upstream, "origin/main");
        assert_eq!(
            g.remotes.get("origin").map(String::as_str),
            Some("git@example.com:o/r.git")
        );
        let p = g.push.unwrap_or_default();
        assert_eq!(
            (p.remote.as_str(), p.targets.clone()),
            ("origin", vec!["main".to_string()])
        );
        assert!(g.protected);
        assert_eq!(
            f.target,
            Target {
                env: "unknown".into(),
                name: "main".into(),
                kind: "branch".into(),
                uncertain: Vec::new(),
            }
        );
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        Ok(())
    }

    #[rstest]
    #[case(&["push", "origin", "feature"], false)]
    #[case(&["push", "origin", "HEAD:release/2.0"], true)]
    #[case(&["reset", "--hard"], false)]
    #[case(&["-c", "x.y=z", "status"], false)]
    fn protection_on_a_feature_branch(
        #[case] argv: &[&str],
        #[case] protected: bool,
    ) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/feature\n", "");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        assert_eq!(git(&fact_for(argv, &ctx)).protected, protected, "{argv:?}");
        Ok(())
    }

    #[rstest]
    #[case(&["reset", "--hard", "HEAD~3"], true)]
    #[case(&["commit", "--amend"], true)]
    #[case(&["commit", "-m", "x"], false)]
    #[case(&["rebase", "-i", "HEAD~2"], true)]
    #[case(&["branch", "-f", "main", "HEAD~1"], true)]
    #[case(&["branch", "-D", "topic"], false)]
    #[case(&["status"], false)]
    fn protection_on_main(#[case] argv: &[&str], #[case] protected: bool) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/main\n", "");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        assert_eq!(git(&fact_for(argv, &ctx)).protected, protected, "{argv:?}");
        Ok(())
    }

    #[test]
    fn protected_patterns_come_from_settings() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/main\n", "");
        let mut ctx = context(tmp.path(), tmp.path(), &[]);
        ctx.settings.git.protected_branches = vec!["deploy/*".into()];
        assert!(!git(&fact_for(&["push", "origin", "main"], &ctx)).protected);
        assert!(git(&fact_for(&["push", "origin", "x:deploy/eu"], &ctx)).protected);
        Ok(())
    }

    #[rstest]
    #[case("main", &["main".to_string()], true)]
    #[case("release/1", &["release/*".to_string()], true)]
    #[case("refs/tags/main", &["main".to_string()], false)]
    #[case("rel/*", &["main".to_string()], true)]
    #[case("rel/*", &[], false)]
    fn protection_rules(#[case] name: &str, #[case] patterns: &[String], #[case] want: bool) {
        assert_eq!(is_protected(name, patterns), want);
    }

    #[test]
    fn dash_c_accumulates_and_moves_the_cwd() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let a = tmp.path().join("a");
        let repo_dir = a.join("b/repo");
        fake_repo(&repo_dir, "ref: refs/heads/dev\n", "");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        let f = fact_for(
            &["-C", "a", "-C", "b", "-C", "", "-C", "repo", "status"],
            &ctx,
        );
        let real = fs::canonicalize(&repo_dir)?;
        assert_eq!(f.cwd, real.display().to_string());
        assert_eq!(git(&f).branch, "dev");
        let f = fact_for(&["status"], &ctx);
        assert_eq!(f.cwd, tmp.path().display().to_string());
        Ok(())
    }

    #[test]
    fn git_dir_and_work_tree_from_flags_and_environment() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let store = tmp.path().join("store");
        fake_repo(&store, "ref: refs/heads/from-flag\n", "");
        let other = tmp.path().join("other");
        fake_repo(&other, "ref: refs/heads/from-env\n", "");
        let wt = tmp.path().join("wt");
        fs::create_dir_all(&wt)?;
        let env_dir = other.join(".git").display().to_string();
        let ctx = context(tmp.path(), tmp.path(), &[("GIT_DIR", &env_dir)]);
        let f = fact_for(
            &["--git-dir=store/.git", "--work-tree", "wt", "status"],
            &ctx,
        );
        let g = git(&f);
        assert_eq!(g.branch, "from-flag");
        assert_eq!(g.repo_root, fs::canonicalize(&wt)?.display().to_string());
        let g = git(&fact_for(&["status"], &ctx));
        assert_eq!(g.branch, "from-env");
        // An explicit git dir without a work tree makes the cwd the top.
        assert_eq!(g.repo_root, tmp.path().display().to_string());
        Ok(())
    }

    #[test]
    fn gitfile_core_worktree_and_bare() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let main = tmp.path().join("main");
        let modules = fake_repo(&main, "ref: refs/heads/main\n", "").join("modules/sub");
        write(
            &modules.join("HEAD"),
            "0123456789abcdef0123456789abcdef01234567\n",
        );
        write(
            &modules.join("config"),
            "[core]\n\tworktree = ../../../sub\n",
        );
        fs::create_dir_all(modules.join("objects"))?;
        fs::create_dir_all(modules.join("refs"))?;
        write(&main.join("sub/.git"), "gitdir: ../.git/modules/sub\n");
        let ctx = context(&main.join("sub"), tmp.path(), &[]);
        let g = git(&fact_for(&["status"], &ctx));
        assert_eq!(g.git_dir, fs::canonicalize(&modules)?.display().to_string());
        assert_eq!(
            g.repo_root,
            fs::canonicalize(main.join("sub"))?.display().to_string()
        );
        assert_eq!(g.branch, "");

        let bare = tmp.path().join("bare.git");
        write(&bare.join("HEAD"), "ref: refs/heads/trunk\n");
        write(&bare.join("config"), "[core]\n\tbare = true\n");
        fs::create_dir_all(bare.join("objects"))?;
        fs::create_dir_all(bare.join("refs"))?;
        let ctx = context(&bare, tmp.path(), &[]);
        let g = git(&fact_for(&["push", "origin", "--all"], &ctx));
        assert_eq!((g.repo_root.as_str(), g.branch.as_str()), ("", "trunk"));
        Ok(())
    }

    #[rstest]
    #[case("gitdir: \n", "not a valid gitfile")]
    #[case("nonsense\n", "not a valid gitfile")]
    #[case("gitdir: /nonexistent/x\n", "not a git directory")]
    fn broken_gitfiles_are_uncertain(
        #[case] content: &str,
        #[case] msg: &str,
    ) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        write(&tmp.path().join("w/.git"), content);
        let ctx = context(&tmp.path().join("w"), tmp.path(), &[]);
        let f = fact_for(&["status"], &ctx);
        assert!(
            f.target
                .uncertain
                .iter()
                .any(|u| u.contains(msg) && u.contains(".git`")),
            "{:?}",
            f.target.uncertain
        );
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        Ok(())
    }

    #[test]
    fn broken_head_and_config_are_uncertain_once() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "what is this\n", "[core\n");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        // `xyz` is not a command, so both expand_alias and enrich read the files.
        let f = fact_for(&["xyz"], &ctx);
        let t = &f.target.uncertain;
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].contains("HEAD"));
        assert!(t[1].contains(".git/config") && t[1].contains("line 1"));
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        Ok(())
    }

    #[test]
    fn reftable_current_branch_is_uncertain_only_when_needed() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/.invalid\n", "");
        fs::create_dir_all(tmp.path().join(".git/reftable"))?;
        let ctx = context(tmp.path(), tmp.path(), &[]);
        assert!(fact_for(&["status"], &ctx).target.uncertain.is_empty());
        assert!(fact_for(&["push", "origin", "feature"], &ctx)
            .target
            .uncertain
            .is_empty());
        for argv in [&["push", "origin", "HEAD"][..], &["reset", "--hard"]] {
            let f = fact_for(argv, &ctx);
            assert!(
                f.target.uncertain.iter().any(|u| u.contains("reftable")),
                "{argv:?}: {:?}",
                f.target.uncertain
            );
            assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        }
        Ok(())
    }

    #[test]
    fn aliases_from_every_layer() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let home = tmp.path().join("home");
        let repo_dir = tmp.path().join("r");
        fake_repo(
            &repo_dir,
            "ref: refs/heads/main\n",
            "[alias]\n\trepo = push --force\n",
        );
        write(
            &home.join(".gitconfig"),
            "[alias]\n\tglob = push --mirror\n\trepo = status\n",
        );
        write(
            &home.join("xdg/git/config"),
            "[alias]\n\txdg = reset --hard\n",
        );
        let xdg = home.join("xdg").display().to_string();
        let ctx = context(&repo_dir, &home, &[("XDG_CONFIG_HOME", &xdg)]);
        let cases: &[(&[&str], &str, &str, &str)] = &[
            (&["repo"], "repo", "push", "force"),
            (&["glob", "origin"], "glob", "push", "mirror"),
            (&["xdg"], "xdg", "reset", "hard"),
            (&["-c", "alias.cl=clean -fdx", "cl"], "cl", "clean", "force"),
        ];
        for (argv, alias, verb, flag) in cases {
            let f = fact_for(argv, &ctx);
            assert_eq!(f.verb, *verb, "{argv:?}");
            assert!(f.flags.contains_key(*flag), "{argv:?}: {:?}", f.flags);
            assert_eq!(git(&f).alias.as_deref(), Some(*alias));
            assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        }
        let f = fact_for(&["-c", "alias.sh=!rm -rf .", "sh"], &ctx);
        assert_eq!(
            f.uncertain,
            vec!["git alias `sh` runs a shell command (`!rm -rf .`) that cannot be judged"]
        );
        Ok(())
    }

    #[rstest]
    #[case(&[("GIT_CONFIG_PARAMETERS", "'alias.x'='push --force'")])]
    #[case(&[("GIT_CONFIG_PARAMETERS", "'alias.x=push --force'")])]
    #[case(&[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "alias.x"), ("GIT_CONFIG_VALUE_0", "push --force")])]
    fn aliases_from_the_environment(#[case] env: &[(&str, &str)]) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let ctx = context(tmp.path(), tmp.path(), env);
        let f = fact_for(&["x", "origin", "main"], &ctx);
        assert_eq!(
            (f.verb.as_str(), f.flags.contains_key("force")),
            ("push", true)
        );
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        Ok(())
    }

    #[test]
    fn paths_after_double_dash() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/x\n", "");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        let g = git(&fact_for(&["checkout", "HEAD~1", "--", "a.txt", "b"], &ctx));
        assert_eq!(g.paths, vec!["a.txt", "b"]);
        Ok(())
    }

    #[rstest]
    #[case(&["checkout", "f.txt"], &["f.txt"])]
    #[case(&["checkout", "HEAD", "f.txt"], &["f.txt"])]
    #[case(&["checkout", "src"], &["src"])]
    #[case(&["checkout", "*.txt"], &["*.txt"])]
    #[case(&["-C", "src", "checkout", "lib.rs"], &["lib.rs"])]
    #[case(&["checkout", "lib.rs"], &[])]
    #[case(&["checkout", "topic"], &[])]
    #[case(&["checkout", "-b", "new", "topic"], &[])]
    #[case(&["checkout", "--forc", "topic"], &[])]
    #[case(&["restore", "f.txt"], &[])]
    fn checkout_paths_without_double_dash(
        #[case] argv: &[&str],
        #[case] want: &[&str],
    ) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/x\n", "");
        // `topic` is a branch and a directory: git checks out the branch.
        write(&tmp.path().join(".git/refs/heads/topic"), "0123\n");
        write(&tmp.path().join("topic/a"), "a");
        write(&tmp.path().join("f.txt"), "changed");
        write(&tmp.path().join("src/lib.rs"), "changed");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        let f = fact_for(argv, &ctx);
        assert_eq!(git(&f).paths, want, "{argv:?}");
        assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
        Ok(())
    }

    #[rstest]
    #[case(&["reset", "--har"], "hard")]
    #[case(&["clean", "--forc", "-dx"], "force")]
    #[case(&["branch", "--delete", "--forc", "x"], "force")]
    #[case(&["checkout", "--forc", "main"], "force")]
    #[case(&["switch", "--discard", "main"], "discard-changes")]
    #[case(&["push", "--delet", "origin", "x"], "delete")]
    #[case(&["push", "--mirr", "origin"], "mirror")]
    #[case(&["push", "--prun", "origin"], "prune")]
    #[case(&["gc", "--pru=now"], "prune")]
    #[case(&["read-tree", "-u", "--res", "HEAD"], "reset")]
    #[case(&["checkout-index", "--forc", "-a"], "force")]
    #[case(&["send-pack", "--mir", "x"], "mirror")]
    fn abbreviated_long_options(#[case] argv: &[&str], #[case] flag: &str) {
        let rest: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        let w = crate::facts::walker::walk(&spec(), &rest);
        assert!(w.has_flag(flag), "{argv:?}: {:?}", w.flags);
        assert!(w.uncertain.is_empty(), "{:?}", w.uncertain);
    }

    #[rstest]
    #[case("[gc]\n\tpruneExpire = now\n", &[], "now")]
    #[case("", &["-c", "GC.PruneExpire=all"], "all")]
    #[case("[gc]\n\tpruneexpire = now\n", &["-c", "gc.pruneExpire=1.week.ago"], "1.week.ago")]
    #[case("", &[], "")]
    fn gc_prune_expire_from_every_layer(
        #[case] config: &str,
        #[case] before: &[&str],
        #[case] want: &str,
    ) -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/x\n", config);
        let ctx = context(tmp.path(), tmp.path(), &[]);
        let mut argv = before.to_vec();
        argv.push("gc");
        assert_eq!(git(&fact_for(&argv, &ctx)).gc_prune_expire, want);
        let mut argv = before.to_vec();
        argv.push("status");
        assert_eq!(git(&fact_for(&argv, &ctx)).gc_prune_expire, "");
        Ok(())
    }

    #[test]
    fn fact_serialises_with_push_and_new_fields() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        fake_repo(tmp.path(), "ref: refs/heads/x\n", "");
        let ctx = context(tmp.path(), tmp.path(), &[]);
        let f = fact_for(&["push", "origin", "+x:main"], &ctx);
        let json = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(json["git"]["push"]["force_kind"], "force");
        assert_eq!(json["git"]["push"]["targets"][0], "main");
        assert_eq!(json["git"]["protected"], true);
        assert!(json["git"]["moved_branches"].is_array());
        assert!(json["git"].get("alias").is_none());
        Ok(())
    }
}
