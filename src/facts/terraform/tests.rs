//! Unit tests of the terraform enricher, through `facts::build` with the built-in spec in
//! a temporary directory tree.

use super::*;
use rstest::rstest;
use std::fs;

/// A temporary tree: `root/` (plain), `root/prod/` (workspace prod, backend s3),
/// `root/prod/plan.tfplan`, `root/prod/modules/` (a directory).
fn tree() -> tempfile::TempDir {
    let Ok(dir) = tempfile::tempdir() else {
        unreachable!("cannot create a temporary directory")
    };
    let root = dir.path();
    let writes = [
        ("main.tf", "resource \"null_resource\" \"x\" {}\n"),
        ("prod/.terraform/environment", "prod\n"),
        ("prod/main.tf", "terraform {\n  backend \"s3\" {}\n}\n"),
        ("prod/plan.tfplan", "not really a plan"),
        ("prod/modules/keep", ""),
        ("custom-data/environment", "staging"),
    ];
    for (name, text) in writes {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let written = fs::write(&path, text);
        assert!(written.is_ok(), "{written:?}");
    }
    dir
}

fn ctx(cwd: &Path, env: &[(&str, &str)]) -> Context {
    Context::for_test(cwd, cwd, env)
}

fn build_in(
    cwd: &Path,
    binary: &str,
    words: Vec<String>,
    env: &[(&str, &str)],
) -> (Fact, TerraformFact) {
    let Some(Ok(spec)) = crate::spec::builtin("terraform") else {
        unreachable!("the built-in terraform spec parses")
    };
    let argv: Vec<String> = std::iter::once(binary.to_string()).chain(words).collect();
    let fact = crate::facts::build(&spec, binary, argv, Vec::new(), &ctx(cwd, env));
    let tf = fact.terraform.clone().unwrap_or_default();
    (fact, tf)
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// Runs `terraform LINE` in `<tree>/<dir>` with `env`.
fn run_env(
    dir: &str,
    line: &str,
    env: &[(&str, &str)],
) -> (Fact, TerraformFact, tempfile::TempDir) {
    let t = tree();
    let cwd = t.path().join(dir);
    let (fact, tf) = build_in(&cwd, "terraform", words(line), env);
    (fact, tf, t)
}

fn run(dir: &str, line: &str) -> (Fact, TerraformFact, tempfile::TempDir) {
    run_env(dir, line, &[])
}

#[rstest]
#[case::plain("", "plan", "plan", "", "default")]
#[case::prod_dir("prod", "plan", "plan", "", "prod")]
#[case::chdir_equals("", "-chdir=prod plan", "plan", "prod", "prod")]
#[case::chdir_space("", "-chdir prod apply", "apply", "prod", "prod")]
#[case::chdir_up("prod", "-chdir=.. show", "show", "..", "default")]
#[case::state_rm("prod", "state rm aws_instance.a", "state", "", "prod")]
#[case::env_alias("prod", "env list", "workspace", "", "prod")]
fn chdir_and_workspace(
    #[case] dir: &str,
    #[case] line: &str,
    #[case] verb: &str,
    #[case] chdir: &str,
    #[case] workspace: &str,
) {
    let (fact, tf, t) = run(dir, line);
    assert_eq!(fact.verb, verb, "{line}");
    assert_eq!(tf.chdir, chdir, "{line}");
    assert_eq!(tf.workspace, workspace, "{line}");
    let want_cwd = if chdir.is_empty() {
        t.path().join(dir)
    } else {
        t.path()
            .join(dir)
            .join(chdir)
            .canonicalize()
            .unwrap_or_default()
    };
    assert_eq!(PathBuf::from(&fact.cwd), want_cwd, "{line}");
    assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
}

#[test]
fn chdir_after_the_command_is_not_a_chdir() {
    let (fact, tf, t) = run("", "plan -chdir=prod");
    assert_eq!(tf.chdir, "");
    assert_eq!(PathBuf::from(&fact.cwd), t.path());
}

#[rstest]
#[case(&[("TF_WORKSPACE", "blue")], "blue")]
#[case(&[("TF_DATA_DIR", "custom-data")], "staging")]
#[case(&[("TF_WORKSPACE", ""), ("TF_DATA_DIR", "custom-data")], "staging")]
#[case(&[], "default")]
fn workspace_sources(#[case] env: &[(&str, &str)], #[case] want: &str) {
    assert_eq!(run_env("", "plan", env).1.workspace, want);
}

/// Runs `terraform LINE` in a fresh directory whose workspace file is `content` (or a
/// directory when `None`), with `env`.
fn with_environment(
    content: Option<&[u8]>,
    line: &str,
    env: &[(&str, &str)],
) -> (Fact, TerraformFact) {
    let t = tree();
    let dir = t.path().join("odd");
    let file = dir.join(".terraform/environment");
    let made = match content {
        Some(bytes) => {
            fs::create_dir_all(dir.join(".terraform")).and_then(|()| fs::write(&file, bytes))
        }
        None => fs::create_dir_all(&file),
    };
    assert!(made.is_ok(), "{made:?}");
    build_in(&dir, "terraform", words(line), env)
}

// Checked against terraform 1.11.4 (`terraform workspace show`): the file is trimmed of
// white space on both sides, an empty or blank file is `default`, TF_WORKSPACE wins
// over the file and is taken verbatim, a relative TF_DATA_DIR is taken from the
// -chdir directory.
#[rstest]
#[case::trailing_newline(b"prod\n".as_slice(), &[], "prod")]
#[case::blank_lines(b"prod\n\n  ".as_slice(), &[], "prod")]
#[case::leading_space(b"  prod  ".as_slice(), &[], "prod")]
#[case::crlf(b"prod\r\n".as_slice(), &[], "prod")]
#[case::empty(b"".as_slice(), &[], "default")]
#[case::newline_only(b"\n".as_slice(), &[], "default")]
#[case::env_wins(b"prod".as_slice(), &[("TF_WORKSPACE", "dev")], "dev")]
#[case::env_verbatim(b"prod".as_slice(), &[("TF_WORKSPACE", " dev ")], " dev ")]
#[case::empty_env_is_unset(b"prod".as_slice(), &[("TF_WORKSPACE", "")], "prod")]
#[case::data_dir_moves_the_file(b"prod".as_slice(), &[("TF_DATA_DIR", "../custom-data")], "staging")]
#[case::data_dir_through_a_file(b"prod".as_slice(), &[("TF_DATA_DIR", ".terraform/environment")], "default")]
fn workspace_file_like_terraform(
    #[case] content: &[u8],
    #[case] env: &[(&str, &str)],
    #[case] want: &str,
) {
    let (fact, tf) = with_environment(Some(content), "plan", env);
    assert_eq!(tf.workspace, want);
    assert_eq!(fact.target.name, want);
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
}

#[test]
fn relative_data_dir_is_taken_from_the_chdir_directory() {
    let t = tree();
    let written = fs::create_dir_all(t.path().join("prod/dd"))
        .and_then(|()| fs::write(t.path().join("prod/dd/environment"), "blue"));
    assert!(written.is_ok(), "{written:?}");
    let (_, tf) = build_in(
        t.path(),
        "terraform",
        words("-chdir=prod plan"),
        &[("TF_DATA_DIR", "dd")],
    );
    assert_eq!(tf.workspace, "blue");
}

#[rstest]
#[case::a_directory(None)]
#[case::not_utf8(Some(b"pr\xffod".as_slice()))]
fn unreadable_workspace_file_leaves_the_target_uncertain(#[case] content: Option<&[u8]>) {
    let (fact, tf) = with_environment(content, "plan", &[]);
    assert_eq!(tf.workspace, "");
    assert!(
        fact.target
            .uncertain
            .iter()
            .any(|u| u.contains("environment")),
        "{:?}",
        fact.target.uncertain
    );
    // It is the target that is unknown, not the command line.
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    // TF_WORKSPACE wins over the file, so the file is never read.
    let (fact, tf) = with_environment(content, "apply", &[("TF_WORKSPACE", "dev")]);
    assert_eq!(tf.workspace, "dev");
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
    // Asking for help runs nothing.
    let (fact, _) = with_environment(content, "plan -help", &[]);
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
}

#[rstest]
#[case("apply", false, false)]
#[case("apply -auto-approve", true, false)]
#[case("apply -auto-approve=false", false, false)]
#[case("apply --auto-approve=true", true, false)]
#[case("apply -destroy -auto-approve", true, true)]
#[case("apply -destroy=false", false, false)]
// Go's flag package, checked against terraform 1.11.4: the last occurrence wins, `--x`
// is `-x`, `=1` is true, `=yes` is refused (terraform stops; over-reported as true).
#[case("apply -auto-approve -auto-approve=false", false, false)]
#[case("apply -auto-approve=false -auto-approve", true, false)]
#[case("apply --auto-approve", true, false)]
#[case("apply -auto-approve=1", true, false)]
#[case("apply -auto-approve=yes", true, false)]
#[case("apply -destroy -destroy=f", false, false)]
#[case("plan -destroy=T", false, true)]
#[case("plan -destroy -out=d.tfplan", false, true)]
#[case("destroy", false, true)]
#[case("destroy -auto-approve -target=aws_instance.a", true, true)]
fn approve_and_destroy(#[case] line: &str, #[case] approve: bool, #[case] destroy: bool) {
    let (_, tf, _t) = run("prod", line);
    assert_eq!((tf.auto_approve, tf.destroy), (approve, destroy), "{line}");
}

#[rstest]
#[case("apply plan.tfplan", "plan.tfplan")]
#[case("apply -auto-approve plan.tfplan", "plan.tfplan")]
#[case("apply missing.tfplan", "missing.tfplan")]
#[case("apply modules", "")]
#[case("apply", "")]
#[case("plan -out plan.tfplan", "")]
fn saved_plans(#[case] line: &str, #[case] want: &str) {
    assert_eq!(run("prod", line).1.plan_file, want, "{line}");
}

#[test]
fn targets_and_replacements_keep_every_value() {
    let (_, tf, _t) = run(
        "prod",
        "apply -target=a.b -target c.d -replace=e.f -replace g.h -var x=1",
    );
    assert_eq!(tf.targets, vec!["a.b", "c.d"]);
    assert_eq!(tf.replace, vec!["e.f", "g.h"]);
}

#[test]
fn backend_is_read_from_the_effective_directory() {
    assert_eq!(run("prod", "plan").1.backend.as_deref(), Some("s3"));
    assert_eq!(run("", "-chdir=prod plan").1.backend.as_deref(), Some("s3"));
    assert_eq!(run("", "plan").1.backend, None);
}

#[rstest]
#[case(&[("TF_CLI_ARGS", "-auto-approve")], "apply", true, false)]
#[case(&[("TF_CLI_ARGS_apply", "-auto-approve -destroy")], "apply", true, true)]
#[case(&[("TF_CLI_ARGS_plan", "-auto-approve")], "apply", false, false)]
#[case(&[("TF_CLI_ARGS", "destroy -auto-approve")], "", true, true)]
fn cli_args_from_the_environment(
    #[case] env: &[(&str, &str)],
    #[case] line: &str,
    #[case] approve: bool,
    #[case] destroy: bool,
) {
    let (fact, tf, _t) = run_env("prod", line, env);
    assert_eq!(
        (tf.auto_approve, tf.destroy),
        (approve, destroy),
        "{line} {env:?}"
    );
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    assert_eq!(
        fact.argv,
        std::iter::once("terraform".to_string())
            .chain(words(line))
            .collect::<Vec<_>>()
    );
}

#[test]
fn cli_args_land_after_the_chdir_and_the_command() {
    let (fact, tf, _t) = run_env("", "-chdir=prod apply", &[("TF_CLI_ARGS", "-auto-approve")]);
    assert_eq!(fact.verb, "apply");
    assert_eq!(tf.workspace, "prod");
    assert_eq!(tf.cli_args, vec!["-auto-approve"]);
    assert!(tf.auto_approve);
}

#[test]
fn unsplittable_cli_args_are_uncertain() {
    let (fact, _, _t) = run_env("prod", "plan", &[("TF_CLI_ARGS", "-var 'x")]);
    assert!(
        fact.uncertain.iter().any(|u| u.contains("TF_CLI_ARGS")),
        "{:?}",
        fact.uncertain
    );
}

#[test]
fn tofu_is_terraform() {
    let t = tree();
    let (fact, tf) = build_in(&t.path().join("prod"), "tofu", words("destroy"), &[]);
    assert_eq!(
        (fact.tool.as_str(), fact.binary.as_str()),
        ("terraform", "tofu")
    );
    assert!(tf.destroy);
    assert_eq!(fact.target.name, "prod");
    assert_eq!(fact.target.env, "prod");
}

#[rstest]
#[case::prefix_match("applyx apply", true)]
#[case::state_subverb("state rm a.b", false)]
#[case::unknown_state_subverb("state rmx", false)]
#[case::help_anywhere("applyx apply -help", false)]
#[case::version_anywhere("destroy -version", false)]
#[case::options_first("-auto-approve apply", false)]
fn command_disagreement_is_uncertain(#[case] line: &str, #[case] uncertain: bool) {
    let (fact, _, _t) = run("prod", line);
    let found = fact.uncertain.iter().any(|u| u.contains("would"));
    assert_eq!(found, uncertain, "{line}: {:?}", fact.uncertain);
}

#[test]
fn an_empty_word_is_not_the_command() {
    let t = tree();
    let (fact, _) = build_in(
        t.path(),
        "terraform",
        vec![String::new(), "apply".into()],
        &[],
    );
    assert_eq!(fact.verb, "apply");
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
}

#[rstest]
#[case::delete_names_its_target("", "workspace delete prod", "prod")]
#[case::new_names_its_target("", "workspace new prod-eu", "prod-eu")]
#[case::env_alias("", "env delete prod", "prod")]
#[case::with_options("", "workspace delete -force prod", "prod")]
#[case::select_keeps_the_selected("prod", "workspace select blue", "dev")]
#[case::plain_command("prod", "apply", "dev")]
#[case::delete_without_a_name("prod", "workspace delete", "dev")]
fn workspace_commands_land_on_the_workspace_they_name(
    #[case] dir: &str,
    #[case] line: &str,
    #[case] target: &str,
) {
    // TF_WORKSPACE selects `dev`; terraform ignores it for `workspace delete|new`.
    let (fact, _, _t) = run_env(dir, line, &[("TF_WORKSPACE", "dev")]);
    assert_eq!(fact.target.name, target, "{line}");
}

#[test]
fn a_chdir_that_is_not_utf8_leaves_the_target_uncertain() {
    let t = tree();
    let words = vec!["-chdir=pr\u{FFFD}od".to_string(), "apply".to_string()];
    let (fact, _) = build_in(t.path(), "terraform", words, &[]);
    assert!(
        fact.target.uncertain.iter().any(|u| u.contains("-chdir")),
        "{:?}",
        fact.target.uncertain
    );
}
