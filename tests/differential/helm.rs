//! helm: no differential against the real tool — there is no helm binary here, and
//! none is obtainable from the registries this project can reach (Debian has no `helm`
//! package; `PyPI` and npm offer no Linux helm CLI). Instead, this table states what
//! helm's command line parser (cobra + spf13/pflag) does with each spelling, rule by
//! rule, as documented in their source, and checks failsafe's fact against it:
//!
//! - pflag `-n x`, `-nx`, `-n=x`, `--namespace x`, `--namespace=x` all give `x`
//!   (`parseSingleShortArg`: a `=` right after the letter is dropped), but `-n=` alone
//!   gives `=` (the `=` form needs something after it);
//! - the last of repeated options wins (`Set` overwrites a string flag);
//! - `--` ends options: later words are positionals (`parseArgs` stops);
//! - options stand anywhere, before or after the command (cobra strips them when it
//!   finds the command, pflag parses them all against the final command);
//! - `--namespace=` sets an empty value, and helm's `EnvSettings.Namespace()` then
//!   falls back to the kube context's namespace, as if the option were absent;
//! - `HELM_NAMESPACE` / `HELM_KUBECONTEXT` are the options' defaults (`envOr`), so a
//!   command-line option wins over them;
//! - `--kube-context` picks the context, whose namespace applies when `-n` is absent.

use failsafe::config::Settings;
use failsafe::facts::{self, Context, Source};
use failsafe::mode::Mode;
use rstest::rstest;
use std::collections::BTreeMap;

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: dev, user: u, namespace: team-a}
- name: prod
  context: {cluster: prod, user: u}
clusters:
- name: dev
  cluster: {server: \"https://dev.example.com\"}
- name: prod
  cluster: {server: \"https://prod.example.com\"}
users:
- name: u
  user: {token: not-a-real-token}
";

/// (command line after `helm`, environment) → (verb, release, namespace, kube context).
#[rstest]
#[case::short_separate("status web -n shop", "", "status", "web", "shop", "dev")]
#[case::short_glued("status web -nshop", "", "status", "web", "shop", "dev")]
#[case::short_equals("status web -n=shop", "", "status", "web", "shop", "dev")]
#[case::long_separate("status web --namespace shop", "", "status", "web", "shop", "dev")]
#[case::long_equals("status web --namespace=shop", "", "status", "web", "shop", "dev")]
#[case::before_verb("-n shop status web", "", "status", "web", "shop", "dev")]
#[case::glued_before_verb("-nshop status web", "", "status", "web", "shop", "dev")]
#[case::last_wins("-n a status web -n b", "", "status", "web", "b", "dev")]
#[case::last_wins_mixed("--namespace=a status web -nb", "", "status", "web", "b", "dev")]
#[case::short_equals_nothing("status web -n=", "", "status", "web", "=", "dev")]
#[case::empty_is_absent("status web --namespace=", "", "status", "web", "team-a", "dev")]
#[case::dashdash_ends_options("install web ./c -- -n prod", "", "install", "web", "team-a", "dev")]
#[case::context_namespace(
    "--kube-context prod status web",
    "",
    "status",
    "web",
    "default",
    "prod"
)]
#[case::context_equals(
    "status web --kube-context=prod",
    "",
    "status",
    "web",
    "default",
    "prod"
)]
#[case::context_last_wins(
    "--kube-context prod status web --kube-context=dev",
    "",
    "status",
    "web",
    "team-a",
    "dev"
)]
#[case::env_namespace("status web", "HELM_NAMESPACE=ops", "status", "web", "ops", "dev")]
#[case::flag_beats_env(
    "status web -n shop",
    "HELM_NAMESPACE=ops",
    "status",
    "web",
    "shop",
    "dev"
)]
#[case::env_context(
    "status web",
    "HELM_KUBECONTEXT=prod",
    "status",
    "web",
    "default",
    "prod"
)]
#[case::flag_beats_env_context(
    "status web --kube-context dev",
    "HELM_KUBECONTEXT=prod",
    "status",
    "web",
    "team-a",
    "dev"
)]
#[case::value_option_before_verb(
    "--set a=b install web ./c",
    "",
    "install",
    "web",
    "team-a",
    "dev"
)]
#[case::values_glued_short(
    "install web ./c -fvalues.yaml -nshop",
    "",
    "install",
    "web",
    "shop",
    "dev"
)]
#[case::alias_with_options("-n shop un web", "", "uninstall", "web", "shop", "dev")]
fn helm_reads_options_as_pflag_does(
    #[case] line: &str,
    #[case] env: &str,
    #[case] verb: &str,
    #[case] release: &str,
    #[case] namespace: &str,
    #[case] context: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".kube")).unwrap();
    std::fs::write(dir.path().join(".kube/config"), KUBECONFIG).unwrap();
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), dir.path().display().to_string());
    if let Some((k, v)) = env.split_once('=') {
        vars.insert(k.to_string(), v.to_string());
    }
    let ctx = Context {
        cwd: dir.path().to_path_buf(),
        home: Some(dir.path().to_path_buf()),
        env: vars,
        settings: Settings::default(),
        mode: Mode::Read,
        pane: "diff".to_string(),
        source: Source::Test,
        ticket: String::new(),
    };
    let spec = failsafe::spec::builtin("helm").unwrap().unwrap();
    let argv: Vec<String> = std::iter::once("helm")
        .chain(line.split_whitespace())
        .map(str::to_string)
        .collect();
    let fact = facts::build(&spec, "helm", argv, Vec::new(), &ctx);
    let helm = fact.helm.clone().unwrap();
    let got = (
        fact.verb.as_str(),
        helm.release.as_str(),
        helm.namespace.as_str(),
        helm.kube_context.as_str(),
    );
    assert_eq!(
        got,
        (verb, release, namespace, context),
        "helm {line} (env {env:?}): uncertain {:?}, target uncertain {:?}",
        fact.uncertain,
        fact.target.uncertain
    );
}
