//! Unit tests of the helm enricher, through `facts::build` with the built-in spec and a
//! temporary home holding a kubeconfig.

use super::*;
use rstest::rstest;
use serde_json::json;
use std::path::Path;

const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: kind-dev, user: dev, namespace: team-a}
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod", user: prod}
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443"}
- name: "arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod"
  cluster: {server: "https://prod.example.com"}
users:
- name: dev
- name: prod
"#;

fn home() -> tempfile::TempDir {
    let Ok(dir) = tempfile::tempdir() else {
        unreachable!("cannot create a temporary directory")
    };
    let path = dir.path().join(".kube/config");
    let _ = std::fs::create_dir_all(dir.path().join(".kube"));
    let written = std::fs::write(&path, KUBECONFIG);
    assert!(written.is_ok(), "{written:?}");
    dir
}

fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
    Context::for_test(home, home, env)
}

fn build_words(words: Vec<String>, env: &[(&str, &str)]) -> (Fact, HelmFact) {
    let Some(Ok(spec)) = crate::spec::builtin("helm") else {
        unreachable!("the built-in helm spec parses")
    };
    let dir = home();
    let argv: Vec<String> = std::iter::once("helm".to_string()).chain(words).collect();
    let fact = crate::facts::build(&spec, "helm", argv, Vec::new(), &ctx(dir.path(), env));
    let helm = fact.helm.clone().unwrap_or_default();
    (fact, helm)
}

fn run_env(line: &str, env: &[(&str, &str)]) -> (Fact, HelmFact) {
    build_words(line.split_whitespace().map(str::to_string).collect(), env)
}

fn run(line: &str) -> (Fact, HelmFact) {
    run_env(line, &[])
}

#[rstest]
#[case::install("install web ./chart", "install", "web", "./chart", "team-a", "dev")]
#[case::generate_name("install -g ./chart", "install", "", "./chart", "team-a", "dev")]
#[case::generate_name_long(
    "install --generate-name bitnami/nginx",
    "install",
    "",
    "bitnami/nginx",
    "team-a",
    "dev"
)]
#[case::values_before_names(
    "install -f prod.yaml --set a=b web ./chart",
    "install",
    "web",
    "./chart",
    "team-a",
    "dev"
)]
#[case::flags_before_verb(
    "--kube-context prod -n shop upgrade web ./chart",
    "upgrade",
    "web",
    "./chart",
    "shop",
    "prod"
)]
#[case::namespace_glued("-nshop status web", "status", "web", "", "shop", "dev")]
#[case::namespace_equals("status web -n=shop", "status", "web", "", "shop", "dev")]
#[case::uninstall_alias("del web", "uninstall", "web", "", "team-a", "dev")]
#[case::uninstall_un("un web --keep-history", "uninstall", "web", "", "team-a", "dev")]
#[case::history_alias("hist web --max 5", "history", "web", "", "team-a", "dev")]
#[case::rollback("rollback web 3", "rollback", "web", "", "team-a", "dev")]
#[case::get_values("get values web --revision 2", "get", "web", "", "team-a", "dev")]
#[case::template_one_arg("template ./chart", "template", "", "./chart", "team-a", "dev")]
#[case::template(
    "template web ./chart -s templates/a.yaml",
    "template",
    "web",
    "./chart",
    "team-a",
    "dev"
)]
#[case::release_test("test web --logs", "test", "web", "", "team-a", "dev")]
#[case::server_side_switch(
    "install --server-side web ./chart",
    "install",
    "web",
    "./chart",
    "team-a",
    "dev"
)]
#[case::server_side_value(
    "upgrade --server-side auto web ./chart",
    "upgrade",
    "web",
    "./chart",
    "team-a",
    "dev"
)]
#[case::list_no_release("ls -A", "list", "", "", "team-a", "dev")]
#[case::pull_is_offline("fetch bitnami/nginx --untar", "pull", "", "bitnami/nginx", "", "")]
#[case::show_alias("inspect values bitnami/nginx", "show", "", "bitnami/nginx", "", "")]
fn facts_from_command_lines(
    #[case] line: &str,
    #[case] verb: &str,
    #[case] release: &str,
    #[case] chart: &str,
    #[case] namespace: &str,
    #[case] context: &str,
) {
    let (fact, helm) = run(line);
    assert_eq!(fact.verb, verb, "{line}");
    assert_eq!(helm.release, release, "{line}");
    assert_eq!(helm.chart, chart, "{line}");
    assert_eq!(helm.namespace, namespace, "{line}");
    assert_eq!(helm.kube_context, context, "{line}");
    assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
}

#[rstest]
#[case("install web c", json!(false))]
#[case("install web c --dry-run", json!("client"))]
#[case("install web c --dry-run=client", json!("client"))]
#[case("install web c --dry-run=server", json!("server"))]
#[case("install web c --dry-run=none", json!(false))]
#[case("install web c --dry-run=false", json!(false))]
#[case("install web c --dry-run=true", json!(true))]
#[case("install web c --dry-run=unset", json!("client"))]
#[case("install web c --dry-run=bogus", json!(false))]
#[case("upgrade --dry-run web c", json!("client"))]
// pflag keeps the last occurrence.
#[case("install web c --dry-run --dry-run=none", json!(false))]
#[case("install web c --dry-run=none --dry-run", json!("client"))]
#[case("upgrade web c --install --dry-run=server --dry-run=false", json!(false))]
// helm 3 reads an explicit empty value as `none`.
#[case("install web c --dry-run=", json!(false))]
#[case("upgrade -i web c --dry-run=1", json!(true))]
// Values are case-sensitive: helm refuses `Client`.
#[case("install web c --dry-run=Client", json!(false))]
// rollback: helm 4's string flag (helm 3's boolean refuses what it does not read).
#[case("rollback web 1 --dry-run", json!("client"))]
#[case("rollback web 1 --dry-run=server", json!("server"))]
#[case("rollback web 1 --dry-run=none", json!(false))]
// uninstall has a boolean --dry-run in every helm version.
#[case("uninstall web --dry-run", json!(true))]
#[case("delete web --dry-run=true", json!(true))]
#[case("uninstall web --dry-run=t", json!(true))]
#[case("uninstall web --dry-run=false", json!(false))]
#[case("uninstall web --dry-run --dry-run=0", json!(false))]
#[case("uninstall web --dry-run=client", json!(false))]
#[case("uninstall web --dry-run=server", json!(false))]
// Commands without a --dry-run flag: helm stops with "unknown flag".
#[case("test web --dry-run", json!(false))]
#[case("list --dry-run=client", json!(false))]
fn dry_run_values(#[case] line: &str, #[case] want: Value) {
    assert_eq!(run(line).1.dry_run, want, "{line}");
}

#[test]
fn bare_dry_run_does_not_take_the_next_word() {
    // `--dry-run server` is a bare --dry-run (client) followed by a positional.
    let (fact, helm) = run("install --dry-run server web ./chart");
    assert_eq!(helm.dry_run, json!("client"));
    assert_eq!(fact.args, vec!["server", "web", "./chart"]);
    assert_eq!(helm.release, "server");
}

#[rstest]
#[case("repo ls", "repo", "list")]
#[case("repo rm stable", "repo", "remove")]
#[case("repo up", "repo", "update")]
#[case("plugin rm diff", "plugin", "uninstall")]
#[case("plugin remove diff", "plugin", "uninstall")]
#[case("dep up ./chart", "dependency", "update")]
#[case("dependencies ls", "dependency", "list")]
#[case("search repo nginx", "search", "repo")]
#[case("registry login ghcr.io -u me", "registry", "login")]
fn subverb_aliases_are_canonical(#[case] line: &str, #[case] verb: &str, #[case] sub: &str) {
    let (fact, _) = run(line);
    assert_eq!((fact.verb.as_str(), fact.subverb.as_str()), (verb, sub));
    assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
}

#[test]
fn uninstall_names_every_release() {
    let (_, helm) = run("uninstall a b c");
    assert_eq!(helm.release, "a");
    assert_eq!(helm.releases, vec!["a", "b", "c"]);
}

#[test]
fn environment_sets_context_and_namespace_and_flags_win() {
    let env = [("HELM_KUBECONTEXT", "prod"), ("HELM_NAMESPACE", "shop")];
    let (fact, helm) = run_env("list", &env);
    assert_eq!(
        (helm.kube_context.as_str(), helm.namespace.as_str()),
        ("prod", "shop")
    );
    assert_eq!(helm.cluster_name, "shop-prod");
    assert_eq!(fact.target.env, "prod");
    let (_, helm) = run_env("list --kube-context dev -n other", &env);
    assert_eq!(
        (helm.kube_context.as_str(), helm.namespace.as_str()),
        ("dev", "other")
    );
}

#[test]
fn api_server_override() {
    let (_, helm) = run("status web --kube-apiserver https://x.example");
    assert_eq!(helm.server, "https://x.example");
    let (_, helm) = run_env("status web", &[("HELM_KUBEAPISERVER", "https://y.example")]);
    assert_eq!(helm.server, "https://y.example");
}

#[rstest]
#[case::cluster_verb("--kube-context nope list", true)]
#[case::uninstall("uninstall web --kube-context nope", true)]
#[case::real_install("install web c --kube-context nope", true)]
#[case::client_dry_run("install web c --dry-run --kube-context nope", false)]
#[case::server_dry_run("install web c --dry-run=server --kube-context nope", true)]
#[case::template("template web c --kube-context nope", false)]
#[case::template_validate("template web c --validate --kube-context nope", true)]
#[case::offline_verb("repo list --kube-context nope", false)]
#[case::help("uninstall web --kube-context nope --help", false)]
fn undefined_context_is_uncertain_only_where_helm_reaches_the_cluster(
    #[case] line: &str,
    #[case] uncertain: bool,
) {
    let (fact, helm) = run(line);
    let target = &fact.target.uncertain;
    assert_eq!(!target.is_empty(), uncertain, "{line}: {target:?}");
    if uncertain {
        assert!(target[0].contains("`nope`"), "{target:?}");
    }
    // It is the target that is unknown, not the command line.
    assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
    if fact.verb != "repo" {
        assert_eq!(helm.kube_context, "nope");
    }
}

#[test]
fn unreadable_kubeconfig_leaves_the_target_uncertain_for_cluster_verbs() {
    let dir = home();
    let broken = dir.path().join("broken.yaml");
    let written = std::fs::write(&broken, "contexts: [\n");
    assert!(written.is_ok());
    let path = broken.display().to_string();
    let (fact, _) = build_words(
        vec!["list".into(), "--kubeconfig".into(), path.clone()],
        &[],
    );
    assert!(
        fact.target
            .uncertain
            .iter()
            .any(|u| u.contains("cannot be parsed")),
        "{:?}",
        fact.target.uncertain
    );
    let (fact, _) = build_words(vec!["version".into(), "--kubeconfig".into(), path], &[]);
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
}

#[rstest]
#[case::switch_before_verb_hides_uninstall("--keep-history list uninstall web")]
#[case::switch_taken_as_value("--wait install web chart")]
#[case::option_value_hides_subverb("repo --force-update add stable https://x")]
fn cobra_disagreement_is_uncertain(#[case] line: &str) {
    let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let (fact, _) = build_words(words, &[]);
    assert!(
        fact.uncertain.iter().any(|u| u.starts_with("helm would")),
        "{line}: {:?}",
        fact.uncertain
    );
}

#[rstest]
#[case("--help uninstall")]
#[case("-h list")]
#[case("--debug --kube-context prod list")]
#[case("--description list uninstall web")]
#[case("repo --debug list")]
fn cobra_agreement_is_not_uncertain(#[case] line: &str) {
    let (fact, _) = run(line);
    assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
}

#[test]
fn an_empty_word_is_not_the_verb() {
    let words = vec![String::new(), "uninstall".to_string(), "web".to_string()];
    let (fact, helm) = build_words(words, &[]);
    assert_eq!(
        (fact.verb.as_str(), helm.release.as_str()),
        ("uninstall", "web")
    );
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
}

#[test]
fn help_that_cobra_would_give_to_a_plugin_is_uncertain() {
    let (fact, _) = run("-h uninstall myplugin");
    assert!(!fact.uncertain.is_empty());
}

#[test]
fn all_namespaces() {
    assert!(run("list -A").1.all_namespaces);
    assert!(run("list --all-namespaces").1.all_namespaces);
    assert!(!run("list --all-namespaces=false").1.all_namespaces);
}
