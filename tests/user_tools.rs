//! End-to-end: user-defined tools. The shipped example specs and policies
//! (`policies/examples/tools/*.toml`, `policies/examples/*.rego`) are copied into a
//! sandbox's config dir, `failsafe install-shims` creates their shims, and the shims
//! guard the stand-in tools: allowed commands reach them, refused ones exit 77 in read
//! and write mode alike (user policies apply in every mode). A user spec may not claim a
//! built-in tool's name.

use crate::sandbox::{Behaviour, Sandbox, BLOCKED};
use std::path::{Path, PathBuf};

/// The repository's `policies/examples` directory.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/examples")
}

fn read_example(rel: &str) -> String {
    let path = examples().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A sandbox with `tool`'s example spec and policy installed in its config dir, a
/// recording stand-in for the real `tool`, and shims installed by `failsafe
/// install-shims` into a fresh directory, which is returned.
fn with_example(tool: &str) -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    sb.write(
        sb.config.join("tools").join(format!("{tool}.toml")),
        &read_example(&format!("tools/{tool}.toml")),
    );
    sb.user_policy(
        &format!("{tool}.rego"),
        &read_example(&format!("{tool}.rego")),
    );
    sb.stand_in(tool, &Behaviour::new());
    let dir = sb.root.join("installed-shims");
    sb.failsafe()
        .arg("install-shims")
        .arg("--dir")
        .arg(&dir)
        .run()
        .assert_code(0)
        .assert_stdout_contains(tool);
    (sb, dir)
}

/// `tool ARGS…` as the agent runs it: the installed shims first on PATH, then the
/// stand-ins.
fn agent(sb: &Sandbox, shims: &Path, tool: &str, args: &[&str]) -> crate::sandbox::Run {
    let path = format!("{}:{}:/usr/bin:/bin", shims.display(), sb.bin.display());
    sb.tool(tool).path_var(path).args(args).run()
}

#[test]
fn every_example_validates_strictly() {
    let sb = Sandbox::new();
    for tool in ["gh", "gcloud", "docker", "psql"] {
        for rel in [format!("tools/{tool}.toml"), format!("{tool}.rego")] {
            sb.failsafe()
                .args(["validate", "--strict"])
                .arg(examples().join(&rel))
                .run()
                .assert_code(0)
                .assert_stdout_contains("ok");
        }
    }
}

#[test]
fn install_shims_creates_a_shim_for_the_user_tool() {
    let (_sb, dir) = with_example("docker");
    let link = dir.join("docker");
    let target = std::fs::read_link(&link)
        .unwrap_or_else(|e| panic!("{} is not a symlink: {e}", link.display()));
    assert_eq!(
        target.file_name().and_then(|n| n.to_str()),
        Some("failsafe")
    );
    assert!(
        dir.join("kubectl").exists(),
        "the built-in shims are installed too"
    );
}

#[test]
fn docker_ps_reaches_the_real_docker() {
    let (sb, dir) = with_example("docker");
    agent(&sb, &dir, "docker", &["ps", "-a"])
        .assert_code(0)
        .assert_ran("docker", &["ps", "-a"]);
}

#[test]
fn docker_system_prune_is_refused_in_read_and_write_mode() {
    let (sb, dir) = with_example("docker");
    agent(&sb, &dir, "docker", &["system", "prune", "-af"])
        .assert_blocked()
        .assert_stderr_contains("user.docker-system-prune")
        .assert_not_ran("docker");
    sb.write_mode();
    agent(&sb, &dir, "docker", &["system", "prune", "-af"])
        .assert_blocked()
        .assert_stderr_contains("user.docker-system-prune")
        .assert_not_ran("docker");
    agent(&sb, &dir, "docker", &["system", "df"])
        .assert_code(0)
        .assert_ran("docker", &["system", "df"]);
}

#[test]
fn psql_refuses_destructive_sql_and_asks_about_scripts() {
    let (sb, dir) = with_example("psql");
    sb.write_mode();
    agent(
        &sb,
        &dir,
        "psql",
        &["-d", "app", "-c", "select count(*) from users"],
    )
    .assert_code(0)
    .assert_ran("psql", &["-d", "app", "-c", "select count(*) from users"]);
    agent(&sb, &dir, "psql", &["-c", "DELETE FROM users WHERE id = 7"])
        .assert_code(0)
        .assert_ran("psql", &["-c", "DELETE FROM users WHERE id = 7"]);
    for (sql, id) in [
        ("drop table users", "user.psql-drop"),
        ("TRUNCATE sessions", "user.psql-truncate"),
        ("select 1; Delete From users", "user.psql-delete-everything"),
    ] {
        agent(&sb, &dir, "psql", &["app", "-c", sql])
            .assert_blocked()
            .assert_stderr_contains(id)
            .assert_not_ran("psql");
    }
    let run = agent(&sb, &dir, "psql", &["-f", "migrate.sql", "app"]);
    run.assert_code(BLOCKED)
        .assert_stderr_contains("user.psql-script")
        .assert_stderr_contains("approval")
        .assert_not_ran("psql");
}

#[test]
fn a_user_spec_cannot_claim_a_builtin_name() {
    let sb = Sandbox::new();
    let spec = sb.write(
        sb.config.join("tools/git.toml"),
        "tool = \"git\"\nstyle = \"gnu\"\n",
    );
    let message = "`git` is a built-in tool or failsafe itself; a user spec cannot replace it";
    sb.failsafe()
        .arg("validate")
        .arg(&spec)
        .run()
        .assert_code(1)
        .assert_stdout_contains(message);
    let dir = sb.root.join("installed-shims");
    sb.failsafe()
        .arg("install-shims")
        .arg("--dir")
        .arg(&dir)
        .run()
        .assert_code(0)
        .assert_stderr_contains("skipping")
        .assert_stderr_contains(message);
    // The git shim is still the built-in one.
    agent(&sb, &dir, "git", &["--version"])
        .assert_code(0)
        .assert_ran("git", &["--version"]);
}
