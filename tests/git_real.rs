//! The real git behind the shim, with a local bare remote: refusals leave the remote and
//! the worktree untouched, allowed commands behave exactly like git called directly.

use crate::sandbox::{real_git, Sandbox};
use rstest::rstest;
use std::path::PathBuf;

/// A sandbox whose `git` is the real one, a repository `app` on `main` with a bare
/// remote `origin` that has `main`, and a local `main` that has diverged (amended), so
/// a force push would rewrite the remote.
struct World {
    sb: Sandbox,
    repo: PathBuf,
    bare: PathBuf,
    remote_main: String,
}

fn world() -> World {
    let sb = Sandbox::new();
    sb.use_real_git();
    let repo = sb.git_repo("app");
    sb.commit(&repo, "app.txt", "v1\n", "add app");
    let bare = sb.git_remote(&repo, "app");
    let remote_main = sb.rev(&bare, "refs/heads/main").unwrap();
    sb.write(repo.join("app.txt"), "v1 rewritten\n");
    sb.git(
        &repo,
        &["commit", "-q", "-a", "--amend", "-m", "rewritten history"],
    );
    assert_ne!(sb.rev(&repo, "HEAD").unwrap(), remote_main);
    World {
        sb,
        repo,
        bare,
        remote_main,
    }
}

impl World {
    fn assert_remote_main_unchanged(&self, run: &crate::sandbox::Run) {
        let now = self.sb.rev(&self.bare, "refs/heads/main");
        run.check(
            now.as_deref() == Some(self.remote_main.as_str()),
            format!(
                "the remote's main moved from {} to {now:?}",
                self.remote_main
            ),
        );
    }
}

#[rstest]
#[case::force(&["push", "--force", "origin", "main"])]
#[case::short_force(&["push", "-f", "origin", "main"])]
#[case::plus_refspec(&["push", "origin", "+main"])]
#[case::plus_src_dst(&["push", "origin", "+HEAD:refs/heads/main"])]
#[case::lease(&["push", "--force-with-lease", "origin", "main"])]
#[case::flags_after(&["push", "origin", "main", "--force"])]
#[case::mirror(&["push", "--mirror", "origin"])]
fn force_push_to_main_is_refused_and_the_remote_is_unchanged(#[case] args: &[&str]) {
    let w = world();
    let run = w.sb.tool("git").args(args).cwd(&w.repo).run();
    run.assert_blocked().assert_stderr_contains("rule:");
    w.assert_remote_main_unchanged(&run);
}

#[rstest]
#[case::explicit(&["push", "origin", "main"])]
#[case::upstream(&["push"])]
#[case::head(&["push", "origin", "HEAD"])]
fn plain_push_to_a_protected_branch_is_refused(#[case] args: &[&str]) {
    let w = world();
    // A fast-forward this time: only the protected target is the problem.
    w.sb.git(&w.repo, &["reset", "-q", "--hard", &w.remote_main]);
    w.sb.commit(&w.repo, "next.txt", "next\n", "next");
    let run = w.sb.tool("git").args(args).cwd(&w.repo).run();
    run.assert_blocked();
    w.assert_remote_main_unchanged(&run);
}

#[test]
fn push_of_an_unprotected_branch_is_allowed_and_lands() {
    let w = world();
    w.sb.git(&w.repo, &["checkout", "-q", "-b", "feature"]);
    let head = w.sb.commit(&w.repo, "feature.txt", "new\n", "feature work");
    let run =
        w.sb.tool("git")
            .args(["push", "origin", "feature"])
            .cwd(&w.repo)
            .run();
    run.assert_code(0);
    let remote = w.sb.rev(&w.bare, "refs/heads/feature");
    run.check(
        remote.as_deref() == Some(head.as_str()),
        format!("the remote should have feature at {head}, has {remote:?}"),
    );
    w.assert_remote_main_unchanged(&run);
}

#[test]
fn write_mode_asks_before_a_force_push_to_main_unless_the_safety_net_is_off() {
    let w = world();
    w.sb.write_mode();
    let asked =
        w.sb.tool("git")
            .args(["push", "-q", "--force", "origin", "main"])
            .cwd(&w.repo)
            .run();
    asked
        .assert_code(77)
        .assert_stderr_contains("needs a human's approval")
        .assert_stderr_contains("irreversible.git-force-push");
    w.assert_remote_main_unchanged(&asked);
    w.sb.config_toml("[safety_net]\nenabled = false\n");
    let local = w.sb.rev(&w.repo, "HEAD").unwrap();
    let run =
        w.sb.tool("git")
            .args(["push", "-q", "--force", "origin", "main"])
            .cwd(&w.repo)
            .run();
    run.assert_code(0);
    let remote = w.sb.rev(&w.bare, "refs/heads/main");
    run.check(
        remote.as_deref() == Some(local.as_str()),
        "in write mode the force push must reach the remote",
    );
}

/// Runs `args` through the shim and with the real git directly (no shims on PATH), and
/// asserts stdout, stderr and exit status are identical.
fn same_as_real_git(w: &World, args: &[&str]) {
    let shimmed = w.sb.tool("git").args(args).cwd(&w.repo).run();
    let direct =
        w.sb.program(real_git())
            .path_var(w.sb.plain_path())
            .args(args)
            .cwd(&w.repo)
            .run();
    shimmed.check(
        shimmed.output == direct.output,
        format!(
            "through the shim `git {}` differs from the real git\nreal git gave status {:?}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            direct.code(),
            direct.stdout(),
            direct.stderr()
        ),
    );
}

#[rstest]
#[case::status(&["status"])]
#[case::status_short(&["status", "--short", "--branch"])]
#[case::log(&["log", "--oneline"])]
#[case::log_format(&["log", "--format=%H %an %s", "-n", "5"])]
#[case::diff(&["diff"])]
#[case::branch(&["branch", "-vv"])]
#[case::rev_parse_missing(&["rev-parse", "--verify", "nonexistent"])]
#[case::unknown_command(&["frobnicate"])]
#[case::show_missing_path(&["show", "HEAD:does-not-exist.txt"])]
fn read_commands_behave_exactly_like_real_git(#[case] args: &[&str]) {
    let w = world();
    w.sb.write(w.repo.join("README.md"), "hello, changed\n");
    w.sb.write(w.repo.join("untracked.txt"), "new\n");
    same_as_real_git(&w, args);
}

#[test]
fn rev_parse_of_a_missing_ref_keeps_gits_exit_code() {
    let w = world();
    let run =
        w.sb.tool("git")
            .args(["rev-parse", "--verify", "nonexistent"])
            .cwd(&w.repo)
            .run();
    run.assert_code(128).assert_stderr_lacks("failsafe");
}

#[rstest]
#[case::oneline("git log --oneline | head -1")]
#[case::patch_bigger_than_a_pipe_buffer("git log -p | head -1")]
fn a_closed_pipe_ends_git_like_it_ends_real_git(#[case] script: &str) {
    let w = world();
    // Enough output that git is still writing when head exits.
    let big: String = (0..20_000)
        .map(|i| format!("line {i} of a large file\n"))
        .collect();
    w.sb.commit(&w.repo, "big.txt", &big, "a big file");
    let shimmed = w.sb.sh(script).cwd(&w.repo).run();
    let direct = w.sb.sh_plain(script).cwd(&w.repo).run();
    direct.assert_code(0);
    shimmed
        .assert_code(0)
        .assert_stderr_lacks("Broken pipe")
        .check(shimmed.stderr().is_empty(), "nothing on stderr")
        .check(
            shimmed.stdout() == direct.stdout(),
            format!("real git printed {:?}", direct.stdout()),
        );
    // git itself (bash's PIPESTATUS) ends by SIGPIPE (141) or, if it finished writing
    // before head exited, with 0 — never with an error of its own.
    let full = format!("{script}; echo \"git: ${{PIPESTATUS[0]}}\"");
    let status =
        w.sb.program("/bin/bash")
            .args(["-c", &full])
            .cwd(&w.repo)
            .run();
    status.assert_code(0).check(
        status.stdout().ends_with("git: 141\n") || status.stdout().ends_with("git: 0\n"),
        "git should end by SIGPIPE or normally",
    );
}

#[rstest]
#[case::reset_hard(&["reset", "--hard"])]
#[case::reset_hard_rev(&["reset", "--hard", "HEAD~1"])]
#[case::checkout_dot(&["checkout", "."])]
#[case::checkout_paths(&["checkout", "--", "README.md"])]
#[case::checkout_force(&["checkout", "-f", "main"])]
#[case::restore(&["restore", "README.md"])]
#[case::clean(&["clean", "-fd"])]
#[case::stash_clear(&["stash", "clear"])]
fn worktree_destroying_commands_are_refused_and_the_worktree_is_unchanged(#[case] args: &[&str]) {
    let w = world();
    let readme = w.repo.join("README.md");
    let untracked = w.repo.join("notes.txt");
    w.sb.write(&readme, "uncommitted work\n");
    w.sb.write(&untracked, "untracked work\n");
    let head = w.sb.rev(&w.repo, "HEAD");
    let run = w.sb.tool("git").args(args).cwd(&w.repo).run();
    run.assert_blocked();
    run.check(
        std::fs::read_to_string(&readme).ok().as_deref() == Some("uncommitted work\n"),
        "the uncommitted change in README.md was lost",
    )
    .check(untracked.exists(), "the untracked file was removed")
    .check(w.sb.rev(&w.repo, "HEAD") == head, "HEAD moved");
}

#[test]
fn an_alias_for_a_force_push_is_refused() {
    let w = world();
    w.sb.git(&w.repo, &["config", "alias.pf", "push --force"]);
    let run =
        w.sb.tool("git")
            .args(["pf", "origin", "main"])
            .cwd(&w.repo)
            .run();
    run.assert_blocked();
    w.assert_remote_main_unchanged(&run);
}

#[test]
fn a_global_alias_for_a_force_push_is_refused() {
    let w = world();
    w.sb.git(&w.repo, &["config", "--global", "alias.yolo", "push -f"]);
    let run =
        w.sb.tool("git")
            .args(["yolo", "origin", "main"])
            .cwd(&w.repo)
            .run();
    run.assert_blocked();
    w.assert_remote_main_unchanged(&run);
}

#[test]
fn a_command_line_alias_for_a_force_push_is_refused() {
    let w = world();
    let run =
        w.sb.tool("git")
            .args(["-c", "alias.ship=push --force", "ship", "origin", "main"])
            .cwd(&w.repo)
            .run();
    run.assert_blocked();
    w.assert_remote_main_unchanged(&run);
}

#[test]
fn dash_c_from_another_directory_is_judged_in_that_repository() {
    let w = world();
    let repo = w.repo.display().to_string();
    let run =
        w.sb.tool("git")
            .args(["-C", &repo, "push", "--force", "origin", "main"])
            .cwd(&w.sb.work)
            .run();
    run.assert_blocked();
    w.assert_remote_main_unchanged(&run);
    // And a read through -C works and matches real git.
    let log =
        w.sb.tool("git")
            .args(["-C", &repo, "log", "--oneline", "-n", "1"])
            .cwd(&w.sb.work)
            .run();
    log.assert_code(0)
        .assert_stdout_contains("rewritten history");
}

#[test]
fn local_work_is_allowed_in_read_mode() {
    let w = world();
    w.sb.write(w.repo.join("more.txt"), "more\n");
    let git = |args: &[&str]| {
        w.sb.tool("git")
            .args(args)
            .cwd(&w.repo)
            .env("GIT_AUTHOR_NAME", "Agent")
            .env("GIT_AUTHOR_EMAIL", "agent@example.com")
            .env("GIT_COMMITTER_NAME", "Agent")
            .env("GIT_COMMITTER_EMAIL", "agent@example.com")
            .run()
    };
    git(&["add", "more.txt"]).assert_code(0);
    git(&["commit", "-q", "-m", "more"]).assert_code(0);
    git(&["checkout", "-q", "-b", "topic"]).assert_code(0);
    git(&["fetch", "-q", "origin"]).assert_code(0);
    git(&["tag", "v1"]).assert_code(0);
    let log = git(&["log", "--format=%s", "-n", "1"]);
    log.assert_code(0).assert_stdout_eq("more\n");
}

/// `git push origin feature` names no destination; git then maps `feature` through
/// `remote.origin.push` when that config matches it, so the push can land on main.
#[rstest]
#[case::repo_config_fast_forward(true, "refs/heads/feature:refs/heads/main")]
#[case::repo_config_forced(true, "+refs/heads/feature:refs/heads/main")]
#[case::command_line_config(false, "refs/heads/feature:refs/heads/main")]
fn a_push_refspec_from_config_that_maps_onto_main_is_refused(
    #[case] in_repo_config: bool,
    #[case] mapping: &str,
) {
    let w = world();
    // feature starts at the remote's main, so landing on main is a fast-forward that
    // git would really perform.
    w.sb.git(
        &w.repo,
        &["checkout", "-q", "-b", "feature", &w.remote_main],
    );
    w.sb.commit(&w.repo, "feature.txt", "new\n", "feature work");
    let mut cmd = w.sb.tool("git").cwd(&w.repo);
    if in_repo_config {
        // `git config` is a local, allowed command: an agent can set this up itself.
        w.sb.tool("git")
            .args(["config", "remote.origin.push", mapping])
            .cwd(&w.repo)
            .run()
            .assert_code(0);
    } else {
        cmd = cmd.args(["-c", &format!("remote.origin.push={mapping}")]);
    }
    let run = cmd.args(["push", "origin", "feature"]).run();
    w.assert_remote_main_unchanged(&run);
    run.assert_blocked();
}

/// A repository whose work lives in fragile places, two hours old:
/// - branch `topic`, whose commit is on no other branch;
/// - a loose commit no ref or reflog reaches (`dangling`);
/// - a commit no ref or reflog reaches, inside a pack (`packed`);
/// - a commit on `main` undone by `reset --hard`: only the reflogs have it (`undone`).
struct Fragile {
    sb: Sandbox,
    repo: PathBuf,
    dangling: String,
    packed: String,
    undone: String,
}

/// What can be lost, as seen by the real git.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    topic: Option<String>,
    dangling: bool,
    packed: bool,
    undone_in_reflog: bool,
}

fn fragile() -> Fragile {
    let sb = Sandbox::new();
    sb.use_real_git();
    let repo = sb.git_repo("app");
    sb.git(&repo, &["checkout", "-q", "-b", "topic"]);
    sb.commit(&repo, "topic.txt", "topic\n", "topic work");
    sb.git(&repo, &["checkout", "-q", "main"]);
    let tree = sb.git(&repo, &["rev-parse", "HEAD^{tree}"]);
    let packed = sb.git(&repo, &["commit-tree", "-m", "packed work", &tree]);
    sb.git(&repo, &["update-ref", "refs/heads/tmp", &packed]);
    sb.git(&repo, &["repack", "-q", "-a", "-d"]);
    sb.git(&repo, &["update-ref", "-d", "refs/heads/tmp"]);
    let dangling = sb.git(&repo, &["commit-tree", "-m", "dangling work", &tree]);
    let undone = sb.commit(&repo, "undone.txt", "undone\n", "undone work");
    sb.git(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
    age(
        &repo.join(".git/objects"),
        std::time::Duration::from_hours(2),
    );
    Fragile {
        sb,
        repo,
        dangling,
        packed,
        undone,
    }
}

/// Sets the modification time of every file under `dir` back by `by` (git prunes
/// unreachable objects by their file's age).
fn age(dir: &std::path::Path, by: std::time::Duration) {
    let then = std::time::SystemTime::now() - by;
    for entry in std::fs::read_dir(dir).expect("read objects dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            age(&path, by);
        } else {
            let file = std::fs::File::options()
                .append(true)
                .open(&path)
                .or_else(|_| std::fs::File::open(&path))
                .expect("open object file");
            file.set_modified(then).expect("set mtime");
        }
    }
}

impl Fragile {
    fn snapshot(&self, repo: &std::path::Path) -> Snapshot {
        let exists = |id: &str| self.sb.rev(repo, &format!("{id}^{{commit}}")).is_some();
        let reflog = self
            .sb
            .git(repo, &["reflog", "show", "--format=%H", "main"]);
        Snapshot {
            topic: self.sb.rev(repo, "refs/heads/topic"),
            dangling: exists(&self.dangling),
            packed: exists(&self.packed),
            undone_in_reflog: reflog.lines().any(|l| l == self.undone),
        }
    }

    /// A copy of the repository, modification times kept.
    fn twin(&self) -> PathBuf {
        let twin = self.sb.root.join("twin");
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(&self.repo)
            .arg(&twin)
            .status()
            .expect("cp");
        assert!(status.success(), "cp -a failed");
        twin
    }
}

/// Each command really loses work when the real git runs it directly (on a copy), and
/// the shim refuses it in read mode, leaving everything in place.
#[rstest]
#[case::gc_prune_an_hour(&["gc", "-q", "--prune=1.hour.ago"])]
#[case::gc_prune_expire_config(&["-c", "gc.pruneExpire=90.minutes.ago", "gc", "-q"])]
#[case::gc_reflog_expire(&["-c", "gc.reflogExpireUnreachable=now", "gc", "-q"])]
#[case::prune_an_hour(&["prune", "--expire=1.hour.ago"])]
#[case::maintenance(&["-c", "gc.pruneExpire=1.hour.ago", "maintenance", "run", "--quiet"])]
#[case::maintenance_gc_task(&["-c", "gc.reflogExpireUnreachable=now", "maintenance", "run", "--task=gc", "--quiet"])]
#[case::repack_a_d(&["repack", "-q", "-a", "-d"])]
#[case::update_ref_null(&["update-ref", "refs/heads/topic", "0000000000000000000000000000000000000000"])]
#[case::checkout_big_b(&["checkout", "-q", "-B", "topic"])]
fn commands_that_lose_work_lose_it_with_real_git_and_are_refused(#[case] args: &[&str]) {
    let f = fragile();
    let before = f.snapshot(&f.repo);
    assert_eq!(
        before,
        Snapshot {
            topic: before.topic.clone(),
            dangling: true,
            packed: true,
            undone_in_reflog: true,
        },
        "the fixture should start with everything in place"
    );
    let twin = f.twin();
    f.sb.git(&twin, args);
    let lost = f.snapshot(&twin);
    assert_ne!(
        lost,
        before,
        "`git {}` run directly should lose something",
        args.join(" ")
    );
    let run = f.sb.tool("git").args(args).cwd(&f.repo).run();
    run.assert_blocked().assert_stderr_contains("rule:");
    let after = f.snapshot(&f.repo);
    run.check(after == before, format!("work was lost: {after:?}"));
}

/// The same commands with a grace period, or with the flags that keep unreachable
/// objects, run through the shim and lose nothing.
#[rstest]
#[case::gc_default(&["gc", "-q"])]
#[case::gc_prune_two_days(&["gc", "-q", "--prune=2.days.ago"])]
#[case::repack_big_a(&["repack", "-q", "-A", "-d"])]
#[case::checkout_big_b_new(&["checkout", "-q", "-B", "brand-new"])]
fn the_same_commands_with_a_grace_period_run_and_keep_the_work(#[case] args: &[&str]) {
    let f = fragile();
    let before = f.snapshot(&f.repo);
    let run = f.sb.tool("git").args(args).cwd(&f.repo).run();
    run.assert_code(0);
    let after = f.snapshot(&f.repo);
    run.check(after == before, format!("work was lost: {after:?}"));
}

/// When HEAD or a config file git reads cannot be understood, nobody can tell which
/// branch or remote a command lands on: refused in every mode, as target uncertainty
/// (git itself refuses to run in that state too).
#[rstest]
#[case::broken_config_read(false, "config", "[core\n")]
#[case::broken_config_write(true, "config", "[core\n")]
#[case::garbage_head_write(true, "HEAD", "what is this\n")]
fn an_unreadable_target_is_refused_in_every_mode(
    #[case] write: bool,
    #[case] file: &str,
    #[case] text: &str,
) {
    let w = world();
    if write {
        w.sb.write_mode();
    }
    w.sb.write(w.repo.join(".git").join(file), text);
    let direct =
        w.sb.program(real_git())
            .path_var(w.sb.plain_path())
            .args(["push", "origin", "main"])
            .cwd(&w.repo)
            .run();
    direct.check(direct.code() != Some(0), "real git should refuse too");
    let run =
        w.sb.tool("git")
            .args(["push", "origin", "main"])
            .cwd(&w.repo)
            .run();
    run.assert_blocked()
        .assert_stderr_contains("target.uncertain")
        .assert_stderr_contains(file);
    w.assert_remote_main_unchanged(&run);
}

/// A setting, variable or option that makes git run a program of its own. `{hook}` in
/// the arguments and the environment is the path of a script that leaves a marker file.
#[rstest]
#[case::fsmonitor(&["-c", "core.fsmonitor={hook}", "status"], &[], "core.fsmonitor")]
#[case::hooks_path(&["-c", "core.hooksPath={dir}", "commit", "-q", "--allow-empty", "-m", "x"], &[], "core.hookspath")]
#[case::editor(&["-c", "core.editor={hook}", "commit", "-q", "--allow-empty"], &[], "core.editor")]
#[case::diff_external(&["-c", "diff.external={hook}", "diff"], &[], "diff.external")]
#[case::ssh_command(&["-c", "core.sshCommand={hook}", "ls-remote", "ssh://example.invalid/r.git"], &[], "core.sshcommand")]
#[case::ext_url(&["-c", "protocol.ext.allow=always", "ls-remote", "ext::{hook}"], &[], "protocol.ext.allow")]
#[case::upload_pack(&["fetch", "--upload-pack={hook}", "origin"], &[], "--upload-pack")]
#[case::receive_pack(&["push", "--receive-pack={hook}", "origin", "HEAD:refs/heads/elsewhere"], &[], "--receive-pack")]
#[case::rebase_exec(&["rebase", "-q", "--exec", "{hook}", "HEAD~1"], &[], "--exec")]
#[case::ssh_env(&["ls-remote", "ssh://example.invalid/r.git"], &[("GIT_SSH_COMMAND", "{hook}")], "GIT_SSH_COMMAND")]
#[case::config_parameters(&["status"], &[("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='{hook}'")], "GIT_CONFIG_PARAMETERS")]
#[case::config_count(&["commit", "-q", "--allow-empty", "-m", "x"], &[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "core.hooksPath"), ("GIT_CONFIG_VALUE_0", "{dir}")], "GIT_CONFIG_KEY_0")]
fn a_command_hidden_in_git_runs_with_real_git_and_is_refused_in_read_mode(
    #[case] args: &[&str],
    #[case] env: &[(&str, &str)],
    #[case] named: &str,
) {
    let w = world();
    let marker = w.sb.root.join("ran");
    let hooks = w.sb.root.join("hooks");
    let text = format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display());
    let hook = w.sb.script(&hooks.join("pre-commit"), &text);
    if args.contains(&"diff") {
        w.sb.write(w.repo.join("app.txt"), "changed\n");
    }
    let fill = |s: &str| {
        s.replace("{hook}", &hook.display().to_string())
            .replace("{dir}", &hooks.display().to_string())
    };
    let args: Vec<String> = args.iter().map(|a| fill(a)).collect();
    let mut shimmed = w.sb.tool("git").args(&args).cwd(&w.repo);
    let mut direct =
        w.sb.program(real_git())
            .path_var(w.sb.plain_path())
            .args(&args)
            .cwd(&w.repo);
    let identity = [
        ("GIT_AUTHOR_NAME", "Agent"),
        ("GIT_AUTHOR_EMAIL", "agent@example.com"),
        ("GIT_COMMITTER_NAME", "Agent"),
        ("GIT_COMMITTER_EMAIL", "agent@example.com"),
    ];
    for (k, v) in identity.iter().chain(env) {
        shimmed = shimmed.env(k, fill(v));
        direct = direct.env(k, fill(v));
    }
    let run = shimmed.run();
    run.assert_blocked()
        .assert_stderr_contains("uncertain.unreadable-input")
        .assert_stderr_contains(named)
        .check(!marker.exists(), "the hidden command ran through the shim");
    let real = direct.run();
    real.check(
        marker.exists(),
        "the real git should run the hidden command (else this case proves nothing)",
    );
}

/// In write mode the agent may run any command itself, so one hidden in git is let
/// through (and guarded tools it starts still pass their own shims).
#[test]
fn a_command_hidden_in_git_runs_in_write_mode() {
    let w = world();
    w.sb.write_mode();
    let marker = w.sb.root.join("ran");
    let text = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    let hook = w.sb.script(&w.sb.root.join("fsmonitor"), &text);
    let run =
        w.sb.tool("git")
            .args([
                "-c",
                &format!("core.fsmonitor={}", hook.display()),
                "status",
            ])
            .cwd(&w.repo)
            .run();
    run.assert_code(0)
        .check(marker.exists(), "git should have run the fsmonitor hook");
}

/// Writing a command into the repository's config is refused in read mode: git would
/// run it on the next `git status` as if the human had put it there.
#[test]
fn writing_a_command_into_the_config_is_refused_in_read_mode() {
    let w = world();
    let marker = w.sb.root.join("ran");
    let text = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    let hook = w.sb.script(&w.sb.root.join("fsmonitor"), &text);
    let hook = hook.display().to_string();
    let run =
        w.sb.tool("git")
            .args(["config", "core.fsmonitor", &hook])
            .cwd(&w.repo)
            .run();
    run.assert_blocked()
        .assert_stderr_contains("git.config-command");
    w.sb.tool("git")
        .args(["status", "--short"])
        .cwd(&w.repo)
        .run()
        .assert_code(0)
        .check(!marker.exists(), "nothing was hidden, so nothing ran");
    // What the refusal prevents: the human's own git would run it from then on.
    w.sb.git(&w.repo, &["config", "core.fsmonitor", &hook]);
    w.sb.git(&w.repo, &["status", "--short"]);
    assert!(
        marker.exists(),
        "git should run a configured fsmonitor hook"
    );
}
