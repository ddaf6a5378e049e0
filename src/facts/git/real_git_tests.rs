//! Checks the enricher against layouts made by the real `git` (worktrees, submodules,
//! packed refs, bare repositories, reftable, includes), comparing with what git itself
//! answers. Every git run gets a cleared environment: a temp `HOME`,
//! `GIT_CONFIG_NOSYSTEM=1`, and only `PATH` from the developer's environment.

use super::tests::{context, fact_for, write};
use super::GitFact;
use crate::facts::Fact;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Lab {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl Lab {
    fn new() -> io::Result<Lab> {
        let tmp = tempfile::tempdir()?;
        // Real paths, so git's answers (always physical) compare equal.
        let root = fs::canonicalize(tmp.path())?;
        let home = root.join("home");
        fs::create_dir_all(&home)?;
        Ok(Lab {
            _tmp: tmp,
            root,
            home,
        })
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Runs git in `dir` (relative to the lab root) and returns its trimmed stdout.
    fn git(&self, dir: &str, args: &[&str]) -> io::Result<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path(dir))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "git {args:?} in {dir}: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// A repository at `dir` on branch `main` with one commit.
    fn repo(&self, dir: &str) -> io::Result<()> {
        fs::create_dir_all(self.path(dir))?;
        self.git(dir, &["init", "-q", "-b", "main"])?;
        self.git(dir, &["commit", "-q", "--allow-empty", "-m", "first"])?;
        Ok(())
    }

    fn fact(&self, dir: &str, argv: &[&str]) -> Fact {
        let ctx = context(&self.path(dir), &self.home, &[]);
        fact_for(argv, &ctx)
    }

    /// Asserts our `repo_root`, `git_dir` and branch equal git's own answers in `dir`.
    fn agrees_with_git(&self, dir: &str) -> io::Result<GitFact> {
        let f = self.fact(dir, &["status"]);
        assert!(f.uncertain.is_empty(), "{dir}: {:?}", f.uncertain);
        assert!(
            f.target.uncertain.is_empty(),
            "{dir}: {:?}",
            f.target.uncertain
        );
        let g = f.git.unwrap_or_default();
        let top = self.git(dir, &["rev-parse", "--show-toplevel"])?;
        let git_dir = self.git(dir, &["rev-parse", "--absolute-git-dir"])?;
        let branch = self.git(dir, &["branch", "--show-current"])?;
        assert_eq!(real(&g.repo_root), real(&top), "{dir}: repo_root");
        assert_eq!(real(&g.git_dir), real(&git_dir), "{dir}: git_dir");
        assert_eq!(g.branch, branch, "{dir}: branch");
        Ok(g)
    }
}

fn real(p: &str) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p))
}

#[test]
fn plain_repository_and_subdirectory() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("r")?;
    fs::create_dir_all(lab.path("r/a/b"))?;
    lab.agrees_with_git("r")?;
    lab.agrees_with_git("r/a/b")?;
    lab.git("r", &["checkout", "-q", "--detach"])?;
    let g = lab.agrees_with_git("r")?;
    assert_eq!(g.branch, "");
    Ok(())
}

#[test]
fn linked_worktree_reads_config_and_refs_from_the_common_dir() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("r")?;
    lab.git(
        "r",
        &["remote", "add", "origin", "https://example.com/o/r.git"],
    )?;
    lab.git("r", &["worktree", "add", "-q", "-b", "feature", "../wt"])?;
    lab.git("wt", &["config", "branch.feature.remote", "origin"])?;
    lab.git("wt", &["config", "branch.feature.merge", "refs/heads/main"])?;
    let g = lab.agrees_with_git("wt")?;
    assert!(g.git_dir.ends_with(".git/worktrees/wt"), "{}", g.git_dir);
    assert_eq!(
        g.remotes.get("origin").map(String::as_str),
        Some("https://example.com/o/r.git")
    );
    assert_eq!(g.upstream, "origin/main");
    let f = lab.fact("wt", &["push", "--all"]);
    let targets = f
        .git
        .and_then(|g| g.push)
        .map(|p| p.targets)
        .unwrap_or_default();
    assert_eq!(targets, vec!["feature", "main"]);
    let f = lab.fact("wt", &["push"]);
    let p = f.git.and_then(|g| g.push).unwrap_or_default();
    assert_eq!(
        (p.remote.as_str(), p.targets.clone()),
        ("origin", vec!["feature".to_string()])
    );
    Ok(())
}

#[test]
fn submodule_through_a_gitfile() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("lib")?;
    lab.repo("app")?;
    let lib = lab.path("lib").display().to_string();
    lab.git(
        "app",
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &lib,
            "vendor/lib",
        ],
    )?;
    let g = lab.agrees_with_git("app/vendor/lib")?;
    assert!(
        g.git_dir.ends_with(".git/modules/vendor/lib"),
        "{}",
        g.git_dir
    );
    lab.agrees_with_git("app")?;
    Ok(())
}

#[test]
fn bare_repository_and_its_worktree() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("r")?;
    lab.git(".", &["clone", "-q", "--bare", "r", "b.git"])?;
    let f = lab.fact("b.git", &["status"]);
    let g = f.git.unwrap_or_default();
    assert_eq!((g.repo_root.as_str(), g.branch.as_str()), ("", "main"));
    assert_eq!(
        real(&g.git_dir),
        real(&lab.git("b.git", &["rev-parse", "--absolute-git-dir"])?)
    );
    lab.git("b.git", &["worktree", "add", "-q", "../bwt", "main"])?;
    lab.agrees_with_git("bwt")?;
    Ok(())
}

#[test]
fn packed_refs_are_listed_for_push_all() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("r")?;
    lab.git("r", &["branch", "release/1"])?;
    lab.git("r", &["branch", "topic"])?;
    lab.git("r", &["pack-refs", "--all"])?;
    lab.git("r", &["branch", "loose"])?;
    let f = lab.fact("r", &["push", "--mirror", "backup"]);
    let g = f.git.unwrap_or_default();
    let p = g.push.unwrap_or_default();
    assert_eq!(p.targets, vec!["loose", "main", "release/1", "topic"]);
    assert!(p.force && p.mirror && g.protected);
    Ok(())
}

#[test]
fn aliases_and_includes_as_git_reads_them() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("work/r")?;
    write(
        &lab.home.join(".gitconfig"),
        "[includeIf \"gitdir:work/\"]\n\tpath = work.inc\n\
         [includeIf \"onbranch:main\"]\n\tpath = main.inc\n\
         [includeIf \"gitdir:/nowhere/\"]\n\tpath = never.inc\n",
    );
    write(&lab.home.join("work.inc"), "[alias]\n\tpf = push --force\n");
    write(
        &lab.home.join("main.inc"),
        "[alias]\n\tnuke = reset --hard\n",
    );
    write(&lab.home.join("never.inc"), "[alias]\n\tpf = status\n");
    // git itself sees the same aliases.
    assert_eq!(lab.git("work/r", &["config", "alias.pf"])?, "push --force");
    assert_eq!(
        lab.git("work/r", &["config", "alias.nuke"])?,
        "reset --hard"
    );
    let f = lab.fact("work/r", &["pf", "origin", "main"]);
    assert_eq!(
        (f.verb.as_str(), f.flags.contains_key("force")),
        ("push", true)
    );
    assert_eq!(f.git.and_then(|g| g.alias).as_deref(), Some("pf"));
    let f = lab.fact("work/r", &["nuke"]);
    assert_eq!(
        (f.verb.as_str(), f.flags.contains_key("hard")),
        ("reset", true)
    );
    assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
    // Outside the repository neither condition holds, for git or for us.
    fs::create_dir_all(lab.path("elsewhere"))?;
    assert!(lab.git("elsewhere", &["config", "alias.pf"]).is_err());
    assert_eq!(lab.fact("elsewhere", &["pf"]).verb, "pf");
    Ok(())
}

#[test]
fn reftable_repository_is_certain_until_the_branch_matters() -> io::Result<()> {
    let lab = Lab::new()?;
    fs::create_dir_all(lab.path("rt"))?;
    if lab
        .git("rt", &["init", "-q", "-b", "main", "--ref-format=reftable"])
        .is_err()
    {
        // This git predates reftable; nothing to check.
        return Ok(());
    }
    let f = lab.fact("rt", &["status"]);
    assert!(f.uncertain.is_empty(), "{:?}", f.uncertain);
    assert!(f.target.uncertain.is_empty(), "{:?}", f.target.uncertain);
    assert_eq!(
        f.git.map(|g| g.repo_root),
        Some(lab.path("rt").display().to_string())
    );
    let f = lab.fact("rt", &["push", "origin", "HEAD"]);
    assert!(
        f.target.uncertain.iter().any(|u| u.contains("reftable")),
        "{:?}",
        f.target.uncertain
    );
    Ok(())
}

#[test]
fn explicit_git_dir_and_dash_c_match_git() -> io::Result<()> {
    let lab = Lab::new()?;
    lab.repo("r")?;
    fs::create_dir_all(lab.path("r/sub"))?;
    let ctx = context(&lab.root, &lab.home, &[]);
    let f = fact_for(&["-C", "r", "-C", "sub", "status"], &ctx);
    assert_eq!(Path::new(&f.cwd), lab.path("r/sub"));
    let g = f.git.unwrap_or_default();
    assert_eq!(
        real(&g.repo_root),
        real(&lab.git("r/sub", &["rev-parse", "--show-toplevel"])?)
    );
    let f = fact_for(&["--git-dir=r/.git", "--work-tree=r", "log"], &ctx);
    let g = f.git.unwrap_or_default();
    assert_eq!(
        (real(&g.repo_root), g.branch.as_str()),
        (lab.path("r"), "main")
    );
    Ok(())
}

/// The expiry reader agrees with git's approxidate on every form it claims to read:
/// `git rev-parse --since=X` prints the timestamp git makes of X (`--max-age=<secs>`).
#[test]
fn expiry_forms_agree_with_git_approxidate() -> io::Result<()> {
    use super::expiry::{is_immediate, parse, Expiry, MARGIN_SECS};
    let lab = Lab::new()?;
    lab.repo("r")?;
    let values = [
        "1.second.ago",
        "0.seconds.ago",
        "59.minutes.ago",
        "23.hours.ago",
        "yesterday",
        "2.weeks.ago",
        "2.weeks",
        "2 Weeks Ago",
        "last.week",
        "ten.minutes.ago",
        "3.days.5.hours.ago",
        "90.days",
        "NOW",
        "2099-01-01",
        "2024-01-01",
        "2024-01-01 10:30:00",
        "@1700000000",
    ];
    for v in values {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs().cast_signed());
        let out = lab.git("r", &["rev-parse", &format!("--since={v}")])?;
        let git_ts: i64 = out
            .strip_prefix("--max-age=")
            .and_then(|t| t.parse().ok())
            .unwrap_or(i64::MIN);
        match parse(v, now) {
            // Seconds may tick between the two clocks.
            Expiry::Ago(age) => assert!(
                (now - age - git_ts).abs() <= 5,
                "{v}: ours {} ago, git's {} ago",
                age,
                now - git_ts
            ),
            Expiry::At(t) => assert!((t - git_ts).abs() <= 5, "{v}: ours {t}, git's {git_ts}"),
            other => unreachable!("{v} should be readable, got {other:?}"),
        }
        let git_immediate = git_ts > now - MARGIN_SECS;
        // Only the slack on absolute dates may make us stricter than git's exact answer.
        assert!(
            is_immediate(v, now) == git_immediate || !v.contains('-'),
            "{v}: immediate? ours {}, git {git_immediate}",
            is_immediate(v, now)
        );
    }
    Ok(())
}
