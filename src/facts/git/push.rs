//! `git push`: which remote, which refspecs, and which remote branches end up changed,
//! resolved as git resolves them.
//!
//! The remote is the first positional (else `--repo`, `branch.<b>.pushRemote`,
//! `remote.pushDefault`, `branch.<b>.remote`, `origin`). Refspecs are the remaining
//! positionals (`tag <name>` is `refs/tags/<name>`; with `--delete` each is a deletion);
//! with none, `remote.<r>.push` applies, else `push.default` with the current branch and
//! its upstream. `--all`, `--branches`, `--mirror` (or `remote.<r>.mirror`), `matching`
//! and pattern refspecs push every local branch, which is listed only then.
//!
//! Pure but for the `refs` closure that lists branch names on demand. No subprocess.

use super::layers::Config;
use super::repo::Head;
use crate::facts::walker::Walked;
use serde::Serialize;

/// The `git.push` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PushFact {
    /// Remote name or URL, as given or as resolved from the config.
    pub remote: String,
    /// The remote's push URL (`pushurl`, else `url`), or the remote itself when it is a
    /// URL or path; `""` when it is a name with no URL configured.
    pub url: String,
    /// Refspecs as given on the command line (after `tag <name>` and `--delete`
    /// rewriting).
    pub refspecs: Vec<String>,
    /// Destination branch names (short names for `refs/heads/…`; other refs in full,
    /// e.g. `refs/tags/v1`); a pattern that could not be listed stays a pattern.
    pub targets: Vec<String>,
    /// Any kind of force: `--force`, `-f`, a `+` refspec, `--force-with-lease`,
    /// `--force-if-includes`, `--mirror`.
    pub force: bool,
    /// `force` (an unconditional force, which wins), `lease` (only
    /// `--force-with-lease`/`--force-if-includes`), or `""`.
    pub force_kind: String,
    /// Deletes a remote ref: `--delete`, `-d`, a `:dst` refspec, or a `--mirror`/`--prune`
    /// push that removes remote branches with no local counterpart.
    pub delete: bool,
    /// `--all` or `--branches`.
    pub all: bool,
    /// `--mirror` or `remote.<r>.mirror`.
    pub mirror: bool,
    /// `--tags`.
    pub tags: bool,
    /// `--prune`.
    pub prune: bool,
}

/// What the push resolution found besides the fact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The current branch was needed but HEAD could not be read (reftable).
    pub current_branch: bool,
}

/// A parsed refspec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refspec {
    /// Leading `+`.
    pub force: bool,
    /// Leading `^` (a negative refspec excludes, pushes nothing).
    pub negative: bool,
    /// The source (`""` for a deletion `:dst` or the matching refspec `:`).
    pub src: String,
    /// The destination after `:`, if any.
    pub dst: Option<String>,
}

/// Parses one refspec.
pub fn parse_refspec(text: &str) -> Refspec {
    let (negative, text) = match text.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (force, body) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (src, dst) = match body.split_once(':') {
        Some((s, d)) => (s.to_string(), Some(d.to_string())),
        None => (body.to_string(), None),
    };
    Refspec {
        force,
        negative,
        src,
        dst,
    }
}

/// The short name of a destination: `refs/heads/x` and `heads/x` → `x`; other full refs
/// stay full; `HEAD`/`@` → the current branch (`None` when it is unknown or detached).
pub fn destination_name(dst: &str, head: &Head) -> Option<String> {
    if dst == "HEAD" || dst == "@" {
        return match head {
            Head::Branch(b) => Some(b.clone()),
            _ => None,
        };
    }
    if let Some(b) = dst
        .strip_prefix("refs/heads/")
        .or_else(|| dst.strip_prefix("heads/"))
    {
        return Some(b.to_string());
    }
    Some(dst.to_string())
}

/// Collects targets while remembering what was needed.
struct Resolver<'a> {
    head: &'a Head,
    refs: &'a mut dyn FnMut(&str) -> Result<Vec<String>, String>,
    uncertain: &'a mut Vec<String>,
    needs: Needs,
    targets: Vec<String>,
    local: Option<Vec<String>>,
}

impl Resolver<'_> {
    fn add(&mut self, name: String) {
        if !self.targets.contains(&name) {
            self.targets.push(name);
        }
    }

    fn current(&mut self) -> Option<String> {
        match self.head {
            Head::Branch(b) => Some(b.clone()),
            Head::Reftable => {
                self.needs.current_branch = true;
                None
            }
            _ => None,
        }
    }

    /// Local branch names, listed once.
    fn local_branches(&mut self) -> Vec<String> {
        if let Some(l) = &self.local {
            return l.clone();
        }
        let list = self.list("refs/heads/").unwrap_or_default();
        self.local = Some(list.clone());
        list
    }

    fn list(&mut self, prefix: &str) -> Option<Vec<String>> {
        match (self.refs)(prefix) {
            Ok(l) => Some(l),
            Err(e) => {
                let msg = format!("cannot list the branches a push may touch: {e}");
                if !self.uncertain.contains(&msg) {
                    self.uncertain.push(msg);
                }
                None
            }
        }
    }

    /// Adds the targets of one refspec; returns true when it deletes.
    fn refspec(&mut self, spec: &Refspec) -> bool {
        if spec.negative {
            return false;
        }
        let dst = spec.dst.as_deref().unwrap_or(&spec.src);
        if spec.src.is_empty() && dst.is_empty() {
            // `:` pushes every branch that exists on both sides.
            for b in self.local_branches() {
                self.add(b);
            }
            return false;
        }
        if spec.src.contains('*') {
            self.pattern(&spec.src, dst);
            return false;
        }
        if let Some(tag) = self.tag_destination(spec) {
            // git qualifies `v1:main` by what the remote already has (a branch `main`
            // stays a branch); without asking the remote both are possible.
            if spec.dst.is_some() {
                self.add(dst.to_string());
            }
            self.add(tag);
        } else if spec.dst.as_deref() == Some("HEAD") {
            // An explicit `src:HEAD` creates or updates the remote branch literally
            // named `HEAD` (`refs/heads/HEAD`), not the current branch.
            self.add("HEAD".to_string());
        } else if dst == "HEAD" || dst == "@" {
            match self.current() {
                Some(b) => self.add(b),
                None => return false,
            }
        } else if let Some(name) = destination_name(dst, self.head) {
            self.add(name);
        }
        spec.src.is_empty()
    }

    /// Where a refspec whose source is a short tag name lands: `v1` and `v1:x` push to
    /// `refs/tags/v1` and `refs/tags/x` (git qualifies an unqualified destination like its
    /// source), unless a branch of the same name wins. `None` for anything else.
    fn tag_destination(&mut self, spec: &Refspec) -> Option<String> {
        if let Some(tag) = spec.src.strip_prefix("refs/tags/") {
            let dst = spec.dst.as_deref().unwrap_or(&spec.src);
            if dst.starts_with("refs/") || dst.is_empty() || tag.is_empty() {
                return None;
            }
            return Some(format!("refs/tags/{dst}"));
        }
        let src = spec.src.as_str();
        if src.is_empty() || src.starts_with("refs/") || src == "HEAD" || src == "@" {
            return None;
        }
        let dst = spec.dst.as_deref().unwrap_or(src);
        if dst.starts_with("refs/") || dst == "@" || dst.is_empty() {
            return None;
        }
        // Listed quietly: when the refs cannot be read the name is taken as a branch, as
        // before; the push is not made uncertain for a tag it may not involve.
        let tags = (self.refs)("refs/tags/").ok()?;
        if !tags.iter().any(|t| t == src) {
            return None;
        }
        let branches = (self.refs)("refs/heads/").ok()?;
        (!branches.iter().any(|b| b == src)).then(|| format!("refs/tags/{dst}"))
    }

    /// A pattern refspec (`refs/heads/*:refs/heads/backup/*`): every matching ref.
    fn pattern(&mut self, src: &str, dst: &str) {
        let full_src = if src.starts_with("refs/") {
            src.to_string()
        } else {
            format!("refs/heads/{src}")
        };
        let Some((before, after)) = full_src.split_once('*') else {
            return;
        };
        let dir = match before.rfind('/') {
            Some(i) => before.get(..=i).unwrap_or(before),
            None => before,
        };
        let Some(names) = self.list(dir) else {
            // Keep the pattern itself so a policy still sees where it lands.
            if let Some(n) = destination_name(dst, self.head) {
                self.add(n);
            }
            return;
        };
        for name in names {
            let full = format!("{dir}{name}");
            let Some(star) = full
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
            else {
                continue;
            };
            let mapped = dst.replacen('*', star, 1);
            if let Some(n) = destination_name(&mapped, self.head) {
                self.add(n);
            }
        }
    }
}

/// The remote a push without a repository argument goes to.
pub fn default_remote(config: &Config, head: &Head) -> String {
    let branch = match head {
        Head::Branch(b) => Some(b.as_str()),
        _ => None,
    };
    branch
        .and_then(|b| config.value("branch", Some(b), "pushremote"))
        .or_else(|| config.value("remote", None, "pushdefault"))
        .or_else(|| branch.and_then(|b| config.value("branch", Some(b), "remote")))
        .unwrap_or("origin")
        .to_string()
}

/// Resolves a walked `git push` into its fact. `refs(prefix)` lists the ref names under
/// `prefix` (e.g. `refs/heads/`) and is called only when the push needs them.
pub fn resolve(
    walked: &Walked,
    head: &Head,
    config: &Config,
    refs: &mut dyn FnMut(&str) -> Result<Vec<String>, String>,
    uncertain: &mut Vec<String>,
) -> (PushFact, Needs) {
    let has = |n: &str| walked.has_flag(n);
    // git's parse-options: `--no-X` after `--X` turns it off again (last one wins).
    let on = |n: &str| walked.last_wins(n, &format!("no-{n}"));
    let all = on("all") || on("branches");
    let tags = has("tags");
    let prune = has("prune");
    let lease = on("force-with-lease") || on("force-if-includes");

    let (remote, words) = match walked.args.split_first() {
        Some((r, rest)) => (r.clone(), rest),
        None => (
            walked
                .flag_str("repo")
                .map_or_else(|| default_remote(config, head), str::to_string),
            &[][..],
        ),
    };
    let mirror = has("mirror") || config.bool("remote", Some(&remote), "mirror") == Some(true);
    let pushurls = config.values("remote", Some(&remote), "pushurl");
    let urls = config.values("remote", Some(&remote), "url");
    let url = pushurls.first().or_else(|| urls.first()).map_or_else(
        || {
            let looks_like_location = remote.contains(['/', ':']) || remote == ".";
            if looks_like_location {
                remote.clone()
            } else {
                String::new()
            }
        },
        std::string::ToString::to_string,
    );

    let mut refspecs = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if w == "tag" {
            if let Some(t) = words.get(i + 1) {
                refspecs.push(format!("refs/tags/{t}"));
                i += 2;
                continue;
            }
        }
        refspecs.push(w.clone());
        i += 1;
    }
    if has("delete") {
        refspecs = refspecs
            .into_iter()
            .map(|s| format!(":{}", s.trim_start_matches('+')))
            .collect();
    }

    let mut r = Resolver {
        head,
        refs,
        uncertain,
        needs: Needs::default(),
        targets: Vec::new(),
        local: None,
    };
    let configured_text = config.values("remote", Some(&remote), "push");
    let effective: Vec<String> = if !refspecs.is_empty() {
        refspecs.clone()
    } else if mirror && !configured_text.is_empty() {
        // A mirror push also pushes the configured refspecs (real git, found by
        // tests/diff_git.rs).
        configured_text
            .iter()
            .map(std::string::ToString::to_string)
            .collect()
    } else if all || mirror || tags {
        Vec::new()
    } else {
        let configured = config.values("remote", Some(&remote), "push");
        if configured.is_empty() {
            default_push(&mut r, config);
            Vec::new()
        } else {
            configured.into_iter().map(str::to_string).collect()
        }
    };
    let configured: Vec<Refspec> = config
        .values("remote", Some(&remote), "push")
        .into_iter()
        .map(parse_refspec)
        .collect();
    // A tag on the command line (`git push origin v1`) is not a branch: git does not
    // map it through branch refspecs in `remote.<r>.push`.
    let mut parsed: Vec<Refspec> = Vec::new();
    for s in &effective {
        let spec = parse_refspec(s);
        if spec.dst.is_none() && r.tag_destination(&spec).is_some() {
            parsed.push(spec);
        } else {
            parsed.push(map_through_configured(spec, &configured, head));
        }
    }
    let matching_default = effective.is_empty()
        && !(all || mirror || tags)
        && config.value("push", None, "default") == Some("matching");
    let mut delete = false;
    for spec in &parsed {
        delete |= r.refspec(spec);
    }
    if all || mirror {
        for b in r.local_branches() {
            r.add(b);
        }
    }
    // A mirror push, or a pruning push of whole namespaces, deletes the remote branches
    // that have no local counterpart; the remote-tracking refs say which those are.
    let wide = all
        || mirror
        || matching_default
        || parsed
            .iter()
            .any(|s| s.src.contains('*') || (s.src.is_empty() && s.dst.as_deref() == Some("")));
    if mirror || (prune && wide) {
        let local = r.local_branches();
        // A remote given as its URL has the tracking refs of the remote with that URL.
        let tracking = config
            .subsections("remote")
            .into_iter()
            .find(|name| {
                *name != remote
                    && config
                        .values("remote", Some(name), "url")
                        .contains(&remote.as_str())
            })
            .unwrap_or(remote.as_str())
            .to_string();
        if let Some(remote_branches) = r.list(&format!("refs/remotes/{tracking}/")) {
            for b in remote_branches {
                if b != "HEAD" && !local.contains(&b) {
                    delete = true;
                    r.add(b);
                }
            }
        }
    }
    let plus = parsed.iter().any(|s| s.force && !s.negative);
    // `--mirror` sets git's force bit like `--force` does, and `--no-force` or
    // `--no-mirror` after either clears it: the last of them wins.
    let force_bit = walked
        .flag_order
        .iter()
        .rev()
        .find_map(|f| match f.as_str() {
            "force" | "mirror" => Some(true),
            "no-force" | "no-mirror" => Some(false),
            _ => None,
        })
        .unwrap_or(false);
    let config_mirror = config.bool("remote", Some(&remote), "mirror") == Some(true);
    let hard = force_bit || plus || config_mirror;
    let force_kind = if hard {
        "force"
    } else if lease {
        "lease"
    } else {
        ""
    };
    let fact = PushFact {
        remote,
        url,
        refspecs,
        targets: std::mem::take(&mut r.targets),
        force: hard || lease,
        force_kind: force_kind.to_string(),
        delete,
        all,
        mirror,
        tags,
        prune,
    };
    (fact, r.needs)
}

/// The full ref a refspec source names (`main` → `refs/heads/main`, `HEAD` → the current
/// branch's ref).
fn full_source(src: &str, head: &Head) -> Option<String> {
    if src == "HEAD" || src == "@" {
        return match head {
            Head::Branch(b) => Some(format!("refs/heads/{b}")),
            _ => None,
        };
    }
    if src.starts_with("refs/") {
        Some(src.to_string())
    } else {
        Some(format!("refs/heads/{src}"))
    }
}

/// git maps a command-line refspec with no destination (`git push origin feature`)
/// through `remote.<name>.push`: when a configured refspec's source matches, the push goes
/// to that refspec's destination, with its `+`. Without this, a configured
/// `feature:main` would let `git push origin feature` land on `main` unseen.
fn map_through_configured(spec: Refspec, configured: &[Refspec], head: &Head) -> Refspec {
    // `HEAD` (or `@`) on the command line is not a local branch name, so git does not
    // map it (`git push origin HEAD` with `feature:x` configured still pushes to
    // `feature`).
    // A `+src` word is not a branch name either: git maps only a bare local branch name.
    if spec.dst.is_some()
        || spec.force
        || spec.negative
        || spec.src.is_empty()
        || spec.src == "HEAD"
        || spec.src == "@"
    {
        return spec;
    }
    let Some(full) = full_source(&spec.src, head) else {
        return spec;
    };
    for c in configured.iter().filter(|c| !c.negative) {
        // git compares the configured source with the branch's full name literally:
        // `HEAD` or a short name (`feature:x`) in `remote.<r>.push` never matches here.
        let c_src = c.src.clone();
        if !c_src.starts_with("refs/") {
            continue;
        }
        // A configured refspec with no destination (`HEAD`, `refs/heads/topic`) keeps
        // the command line's own destination.
        let Some(c_dst) = c.dst.clone() else {
            if c_src == full {
                return Refspec {
                    force: spec.force || c.force,
                    ..spec
                };
            }
            continue;
        };
        let mapped = match c_src.split_once('*') {
            None if c_src == full => Some(c_dst),
            None => None,
            Some((before, after)) => full
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
                .map(|star| c_dst.replacen('*', star, 1)),
        };
        if let Some(dst) = mapped {
            return Refspec {
                force: spec.force || c.force,
                negative: false,
                src: spec.src,
                dst: Some(dst),
            };
        }
    }
    spec
}

/// `push.default` applied to the current branch (no refspec given or configured).
fn default_push(r: &mut Resolver<'_>, config: &Config) {
    let Some(branch) = r.current() else {
        return;
    };
    match config.value("push", None, "default").unwrap_or("simple") {
        "nothing" => {}
        "upstream" | "tracking" => {
            let merge = config
                .value("branch", Some(&branch), "merge")
                .map(str::to_string);
            if let Some(name) = merge.and_then(|m| destination_name(&m, r.head)) {
                r.add(name);
            }
        }
        "matching" => {
            for b in r.local_branches() {
                r.add(b);
            }
        }
        // `simple` (the default) and `current` push the branch to the same name; an
        // unknown value makes git refuse, which we treat like `simple`.
        _ => r.add(branch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::git::layers::Scope;
    use crate::facts::walker;
    use rstest::rstest;

    fn spec() -> crate::spec::ToolSpec {
        match crate::spec::builtin("git") {
            Some(Ok(s)) => s,
            _ => unreachable!("the git spec is embedded"),
        }
    }

    const CONFIG: &str = "\
[remote \"origin\"]\n url = git@example.com:o/r.git\n\
[remote \"fork\"]\n url = https://example.com/me/r.git\n pushurl = git@example.com:me/r.git\n\
[remote \"backup\"]\n url = /srv/backup.git\n push = +refs/heads/*:refs/heads/*\n\
[remote \"mirror\"]\n url = /srv/mirror.git\n mirror = true\n\
[branch \"feature\"]\n remote = origin\n merge = refs/heads/feature-upstream\n\
[branch \"main\"]\n remote = origin\n merge = refs/heads/main\n";

    const REFS: &[&str] = &[
        "refs/heads/feature",
        "refs/heads/main",
        "refs/heads/release/1",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
        "refs/remotes/origin/old",
        "refs/tags/v1",
    ];

    fn push(line: &str, head: &Head, extra_config: &str) -> (PushFact, Needs, Vec<String>) {
        let argv: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let w = walker::walk(&spec(), &argv);
        let config =
            Config::from_text(&format!("{CONFIG}{extra_config}"), Scope::Local).unwrap_or_default();
        let mut refs = |prefix: &str| -> Result<Vec<String>, String> {
            Ok(REFS
                .iter()
                .filter_map(|r| r.strip_prefix(prefix))
                .map(str::to_string)
                .collect())
        };
        let mut unc = Vec::new();
        let (fact, needs) = resolve(&w, head, &config, &mut refs, &mut unc);
        (fact, needs, unc)
    }

    fn on(b: &str) -> Head {
        Head::Branch(b.to_string())
    }

    #[rstest]
    #[case("push origin main", "origin", "main", false, "", false)]
    #[case("push origin HEAD", "origin", "feature", false, "", false)]
    #[case("push origin @", "origin", "feature", false, "", false)]
    #[case("push origin HEAD:main", "origin", "main", false, "", false)]
    #[case(
        "push origin feature:refs/heads/main",
        "origin",
        "main",
        false,
        "",
        false
    )]
    #[case("push origin +feature:main", "origin", "main", true, "force", false)]
    #[case("push origin :main", "origin", "main", false, "", true)]
    #[case("push --delete origin main old", "origin", "main old", false, "", true)]
    #[case("push -d origin main", "origin", "main", false, "", true)]
    #[case("push -f origin main", "origin", "main", true, "force", false)]
    #[case(
        "push --force-with-lease origin main",
        "origin",
        "main",
        true,
        "lease",
        false
    )]
    #[case(
        "push --force-with-lease=main:abc origin main",
        "origin",
        "main",
        true,
        "lease",
        false
    )]
    #[case(
        "push --force-if-includes --force-with-lease origin x",
        "origin",
        "x",
        true,
        "lease",
        false
    )]
    #[case(
        "push --force-with-lease -f origin x",
        "origin",
        "x",
        true,
        "force",
        false
    )]
    #[case("push origin tag v1", "origin", "refs/tags/v1", false, "", false)]
    #[case("push origin refs/tags/v2", "origin", "refs/tags/v2", false, "", false)]
    #[case("push origin main ^refs/heads/x", "origin", "main", false, "", false)]
    #[case("push", "origin", "feature", false, "", false)]
    #[case("push fork", "fork", "feature", false, "", false)]
    #[case("push --repo=fork", "fork", "feature", false, "", false)]
    #[case(
        "push --all origin",
        "origin",
        "feature main release/1",
        false,
        "",
        false
    )]
    #[case(
        "push --mirror origin",
        "origin",
        "feature main release/1 old",
        true,
        "force",
        true
    )]
    #[case(
        "push mirror",
        "mirror",
        "feature main release/1",
        true,
        "force",
        false
    )]
    #[case(
        "push backup",
        "backup",
        "feature main release/1",
        true,
        "force",
        false
    )]
    #[case(
        "push origin refs/heads/release/*:refs/heads/rel/*",
        "origin",
        "rel/1",
        false,
        "",
        false
    )]
    #[case(
        "push --prune origin refs/heads/*:refs/heads/*",
        "origin",
        "feature main release/1 old",
        false,
        "",
        true
    )]
    #[case("push --prune origin main", "origin", "main", false, "", false)]
    #[case("push origin :", "origin", "feature main release/1", false, "", false)]
    #[case("push --tags origin", "origin", "", false, "", false)]
    fn resolves(
        #[case] line: &str,
        #[case] remote: &str,
        #[case] targets: &str,
        #[case] force: bool,
        #[case] kind: &str,
        #[case] delete: bool,
    ) {
        let (p, needs, unc) = push(line, &on("feature"), "");
        assert_eq!(p.remote, remote, "{line}");
        assert_eq!(p.targets.join(" "), targets, "{line}");
        assert_eq!(
            (p.force, p.force_kind.as_str(), p.delete),
            (force, kind, delete),
            "{line}"
        );
        assert_eq!(needs, Needs::default());
        assert!(unc.is_empty());
    }

    #[rstest]
    #[case(
        "push origin feature",
        "[remote \"origin\"]\n push = refs/heads/feature:refs/heads/main\n",
        "main",
        ""
    )]
    #[case(
        "push origin feature",
        "[remote \"origin\"]\n push = +refs/heads/feature:refs/heads/main\n",
        "main",
        "force"
    )]
    // Real git (found by tests/diff_git.rs): `HEAD` is not mapped through the
    // configured refspecs; it pushes the current branch to its own name.
    #[case(
        "push origin HEAD",
        "[remote \"origin\"]\n push = refs/heads/feature:refs/heads/main\n",
        "feature",
        ""
    )]
    #[case(
        "push origin feature",
        "[remote \"origin\"]\n push = refs/heads/*:refs/heads/mirror/*\n",
        "mirror/feature",
        ""
    )]
    #[case(
        "push origin feature:topic",
        "[remote \"origin\"]\n push = feature:main\n",
        "topic",
        ""
    )]
    #[case(
        "push origin other",
        "[remote \"origin\"]\n push = feature:main\n",
        "other",
        ""
    )]
    fn command_line_refspecs_follow_configured_push_mappings(
        #[case] line: &str,
        #[case] config: &str,
        #[case] targets: &str,
        #[case] kind: &str,
    ) {
        let (p, _, _) = push(line, &on("feature"), config);
        assert_eq!(p.targets.join(" "), targets, "{line}");
        assert_eq!(p.force_kind, kind, "{line}");
    }

    #[rstest]
    #[case("", "feature")]
    #[case("[push]\n default = current\n", "feature")]
    #[case("[push]\n default = upstream\n", "feature-upstream")]
    #[case("[push]\n default = matching\n", "feature main release/1")]
    #[case("[push]\n default = nothing\n", "")]
    fn push_default(#[case] config: &str, #[case] targets: &str) {
        let (p, _, _) = push("push", &on("feature"), config);
        assert_eq!(p.targets.join(" "), targets);
    }

    #[rstest]
    #[case("", "origin")]
    #[case("[remote]\n pushDefault = fork\n", "fork")]
    #[case(
        "[remote]\n pushDefault = fork\n[branch \"feature\"]\n pushRemote = backup\n",
        "backup"
    )]
    fn remote_choice(#[case] config: &str, #[case] remote: &str) {
        let (p, _, _) = push("push", &on("feature"), config);
        assert_eq!(p.remote, remote);
    }

    #[test]
    fn urls() {
        assert_eq!(
            push("push fork", &on("main"), "").0.url,
            "git@example.com:me/r.git"
        );
        assert_eq!(
            push("push origin", &on("main"), "").0.url,
            "git@example.com:o/r.git"
        );
        assert_eq!(
            push("push https://h/x.git main", &on("main"), "").0.url,
            "https://h/x.git"
        );
        assert_eq!(push("push nosuch main", &on("main"), "").0.url, "");
    }

    #[test]
    fn detached_and_unreadable_heads() {
        let (p, needs, _) = push("push", &Head::Detached, "");
        assert!(p.targets.is_empty());
        assert!(!needs.current_branch);
        let (p, needs, _) = push("push origin HEAD", &Head::Reftable, "");
        assert!(p.targets.is_empty());
        assert!(needs.current_branch);
        let (_, needs, _) = push("push origin main", &Head::Reftable, "");
        assert!(!needs.current_branch);
    }

    #[test]
    fn unlistable_refs_are_uncertain_and_keep_the_pattern() {
        let argv: Vec<String> = ["push", "--all", "origin"].map(String::from).to_vec();
        let w = walker::walk(&spec(), &argv);
        let mut refs = |_: &str| -> Result<Vec<String>, String> { Err("reftable".into()) };
        let mut unc = Vec::new();
        let (p, _) = resolve(&w, &on("main"), &Config::default(), &mut refs, &mut unc);
        assert!(p.all && p.targets.is_empty());
        assert_eq!(
            unc,
            vec!["cannot list the branches a push may touch: reftable"]
        );
    }

    #[rstest]
    #[case("+a:b", true, false, "a", Some("b"))]
    #[case(":gone", false, false, "", Some("gone"))]
    #[case("^refs/heads/x", false, true, "refs/heads/x", None)]
    #[case("main", false, false, "main", None)]
    fn refspecs(
        #[case] text: &str,
        #[case] force: bool,
        #[case] neg: bool,
        #[case] src: &str,
        #[case] dst: Option<&str>,
    ) {
        let r = parse_refspec(text);
        assert_eq!(
            (r.force, r.negative, r.src.as_str(), r.dst.as_deref()),
            (force, neg, src, dst)
        );
    }

    /// Found by `tests/diff_git.rs` against real git's `push --dry-run --porcelain`.
    #[rstest]
    #[case("push origin v1", "", "refs/tags/v1", "")]
    #[case("push origin refs/tags/v1:x", "", "x refs/tags/x", "")]
    #[case("push origin v1:main", "", "main refs/tags/main", "")]
    #[case("push origin main:HEAD", "", "HEAD", "")]
    #[case("push origin HEAD:HEAD", "", "HEAD", "")]
    #[case("push -f --no-force origin main", "", "main", "")]
    #[case("push --no-force -f origin main", "", "main", "force")]
    #[case(
        "push --mirror --no-force origin",
        "",
        "feature main release/1 old",
        ""
    )]
    #[case(
        "push origin v1",
        "[remote \"origin\"]\n push = +refs/heads/*:refs/heads/m/*\n",
        "refs/tags/v1",
        ""
    )]
    #[case("push", "[remote \"origin\"]\n push = HEAD\n", "feature", "")]
    #[case(
        "push origin refs/heads/feature",
        "[remote \"origin\"]\n push = HEAD:refs/heads/x\n",
        "feature",
        ""
    )]
    #[case(
        "push origin +feature",
        "[remote \"origin\"]\n push = refs/heads/feature:refs/heads/x\n",
        "feature",
        "force"
    )]
    #[case(
        "push origin +@",
        "[remote \"origin\"]\n push = HEAD:refs/heads/x\n",
        "feature",
        "force"
    )]
    fn pushes_agree_with_real_git(
        #[case] line: &str,
        #[case] config: &str,
        #[case] targets: &str,
        #[case] kind: &str,
    ) {
        let (p, _, _) = push(line, &on("feature"), config);
        assert_eq!(p.targets.join(" "), targets, "{line}");
        assert_eq!(p.force_kind, kind, "{line}");
    }
}
