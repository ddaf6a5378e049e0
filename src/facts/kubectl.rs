//! kubectl enricher: where a kubectl command lands (context, cluster, server, user,
//! namespace, from the kubeconfig exactly as kubectl finds and merges it) and what it
//! names (resource types, object names, dry run, output format).
//!
//! It also catches the places where kubectl would read the command line differently
//! from the generic walker — an option before the verb that kubectl's command finder
//! takes as swallowing the next word, `_` spelled for `-` in an option name, a kuberc
//! file that adds options or aliases — and records them in `uncertain` rather than
//! guessing.
//!
//! Reads the kubeconfig and kuberc files only: no subprocesses, no network, never runs
//! kubectl. Never fails: what it cannot pin down about the target lands in
//! `fact.target.uncertain` (refused in every mode), everything else in `fact.uncertain`.

pub mod kuberc;
pub mod resource;

use super::kubeconfig::{self, Given, Overrides};
use super::walker::Walked;
use super::{Context, Fact};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `kubectl` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KubectlFact {
    /// The effective context: `--context`, else the kubeconfig's `current-context`;
    /// `""` when there is neither.
    pub context: String,
    /// The cluster entry name: `--cluster`, else the context's.
    pub cluster: String,
    /// Short cluster name: after `cluster/` of an EKS ARN, the last `_` field of a GKE
    /// name, else the cluster entry name.
    pub cluster_name: String,
    /// API server URL: `--server`/`-s`, else the cluster's, else `KUBERNETES_MASTER`,
    /// else the in-cluster server; `""` when unknown.
    pub server: String,
    /// The user entry name: `--user`, else the context's.
    pub user: String,
    /// Effective namespace: a namespace the arguments themselves name (`cp ns/pod:…`, a
    /// `--raw` path), else `-n`/`--namespace`, else the context's, else (in a pod) the
    /// service account's, else `default`.
    pub namespace: String,
    /// `-A` / `--all-namespaces` (and not `=false`).
    pub all_namespaces: bool,
    /// The first resource type named, normalised to its plural (`po` → `pods`,
    /// `deploy/web` → `deployments`); `""` when the command names none (`apply -f`,
    /// `config …`, plugins).
    pub resource: String,
    /// Object names.
    pub names: Vec<String>,
    /// `none`, `client` or `server`.
    pub dry_run: String,
    /// Kubeconfig files read, in order.
    pub kubeconfig: Vec<String>,
    /// Every resource type named, normalised, in order (`get po,secrets` →
    /// `["pods", "secrets"]`; `resource` is the first).
    pub resources: Vec<String>,
    /// The output format kubectl would print with, lowercased and without its argument
    /// (`-o jsonpath={.data}` → `jsonpath`); `go-template` when only `--template` is
    /// given; a kuberc default counts; `""` for the default table.
    pub output: String,
    /// True when kubectl would fall back to the pod's in-cluster service account (no
    /// server in the kubeconfig or on the command line, running in a pod).
    pub in_cluster: bool,
    /// The kuberc file read (`""` when none).
    pub kuberc: String,
    /// Default options the kuberc file would add to this command (option name →
    /// value), those given on the command line excluded. Whether kubectl applies them
    /// depends on its version.
    pub kuberc_defaults: BTreeMap<String, String>,
    /// The path of `get|create|replace|delete --raw URI` as the API server receives it:
    /// the URI's path, percent-decoded (as client-go's `RequestURI` does), repeated
    /// slashes collapsed and `.`/`..` resolved; `""` without `--raw`.
    pub raw_path: String,
    /// The subresource a `--raw` path names (`proxy`, `log`, `exec`, `status`, …);
    /// `proxy` whenever any spelling of the path has a `proxy` segment (the legacy
    /// `/api/v1/proxy/…` form, or one that only appears before `..` is resolved); `""`
    /// when none.
    pub subresource: String,
}

/// Fills `fact.kubectl`, normalises `_` to `-` in `fact.flags` option names as kubectl
/// does, and records whatever cannot be pinned down.
///
/// What leaves the cluster, context or server in doubt goes to `fact.target.uncertain`
/// (refused in every mode): a kubeconfig kubectl would read that failsafe cannot read
/// or parse, a kubeconfig path or `HOME` that is not UTF-8, a context, cluster or user
/// that is not defined (kubectl would stop, if failsafe read the file as it does), a
/// targeting option whose value is not UTF-8 or may have been swallowed by an
/// `_`-spelled option, a kuberc file that cannot be read or that sets targeting options
/// or aliases. The rest (a command word kubectl would find elsewhere, one option given
/// twice under two spellings) goes to `fact.uncertain` (refused in read mode).
pub fn enrich(walked: &Walked, ctx: &Context, fact: &mut Fact) {
    let mut doubts = Doubts::default();
    normalize_flag_names(
        &walked.verb,
        &mut fact.flags,
        &mut fact.flags_all,
        &mut doubts,
    );
    check_command_word(walked, fact.argv.get(1..).unwrap_or(&[]), &mut doubts.other);
    let kubectl = describe(walked, &fact.flags, ctx, &mut doubts);
    fact.uncertain.append(&mut doubts.other);
    fact.target.uncertain.append(&mut doubts.target);
    fact.kubectl = Some(kubectl);
}

/// What the enricher could not pin down, by kind.
#[derive(Default)]
struct Doubts {
    /// About where the command lands: `fact.target.uncertain`.
    target: Vec<String>,
    /// Anything else: `fact.uncertain`.
    other: Vec<String>,
}

fn describe(
    walked: &Walked,
    flags: &Map<String, Value>,
    ctx: &Context,
    doubts: &mut Doubts,
) -> KubectlFact {
    let verb = walked.verb.as_str();
    let subverb = walked.subverb.as_str();
    let text = |name: &str| flags.get(name).and_then(Value::as_str);
    // Some commands own flags named like the global overrides; there the value is data
    // to write (`config set-context --namespace=x`), not where the command runs.
    let global = |name: &str| text(name).filter(|_| !shadowed(verb, subverb, name));

    for name in TARGETING {
        if global(name).is_some_and(|v| v.contains(char::REPLACEMENT_CHARACTER)) {
            doubts.target.push(format!(
                "the value of `--{name}` is not valid UTF-8, so failsafe cannot tell where kubectl would connect"
            ));
        }
    }
    // Commands that never build a client do not land anywhere; for them a kubeconfig
    // failsafe cannot read matters only in read mode, as before.
    let offline = works_offline(verb, flags);
    let mut config_doubts = Vec::new();
    let config = kubeconfig::load(
        Given::new(text("kubeconfig"), "--kubeconfig"),
        ctx,
        &mut config_doubts,
    );
    if offline {
        doubts.other.append(&mut config_doubts);
    } else {
        doubts.target.append(&mut config_doubts);
    }
    let resolved = config.resolve(&Overrides {
        context: Given::new(global("context"), "--context"),
        cluster: Given::new(global("cluster"), "--cluster"),
        user: Given::new(global("user"), "--user"),
        server: Given::new(global("server"), "--server"),
        namespace: Given::new(global("namespace"), "--namespace"),
    });
    if !offline {
        doubts.target.extend(resolved.problems.iter().cloned());
    }

    let kuberc = kuberc::load(text("kuberc"), ctx, &mut doubts.target);
    let kuberc_defaults = match &kuberc {
        Some(k) => {
            let words = command_words(walked);
            let defaults = k.defaults_for(&words, &|name| flags.contains_key(name));
            check_kuberc(k, walked, &defaults, &mut doubts.target);
            defaults
        }
        None => BTreeMap::new(),
    };

    let raw = text("raw").filter(|_| verb != "config");
    let objects = resource::objects(verb, subverb, &walked.args, walked.dashdash_at, raw);
    KubectlFact {
        context: resolved.context,
        cluster: resolved.cluster,
        cluster_name: resolved.cluster_name,
        server: resolved.server,
        user: resolved.user,
        namespace: objects.namespace.clone().unwrap_or(resolved.namespace),
        all_namespaces: flags.get("all-namespaces").is_some_and(is_true),
        resource: objects.resource().to_string(),
        names: objects.names,
        resources: objects.resources,
        dry_run: honoured_dry_run(verb, flags, &kuberc_defaults).to_string(),
        raw_path: objects.raw_path.clone(),
        subresource: objects.subresource.clone(),
        kubeconfig: config.files,
        output: output_format(flags, &kuberc_defaults),
        in_cluster: resolved.in_cluster,
        kuberc: kuberc.map(|k| k.path).unwrap_or_default(),
        kuberc_defaults,
    }
}

/// Options some commands define for themselves under a global override's name.
fn shadowed(verb: &str, subverb: &str, name: &str) -> bool {
    match (verb, subverb) {
        ("config", s) if s.starts_with("set-") => {
            matches!(name, "cluster" | "user" | "namespace" | "server")
        }
        ("create", "rolebinding" | "clusterrolebinding") | ("set", "subject") => name == "user",
        _ => false,
    }
}

/// Commands kubectl runs without building a client, so an undefined context or a
/// missing explicit kubeconfig does not stop them (`config set-context` even creates
/// the file).
fn works_offline(verb: &str, flags: &Map<String, Value>) -> bool {
    matches!(
        verb,
        "" | "help" | "completion" | "options" | "plugin" | "kustomize" | "config"
    ) || flags.get("help").is_some_and(is_true)
        || (verb == "version" && flags.get("client").is_some_and(is_true))
}

/// The dry run kubectl would actually do: `--dry-run` as given on the command line (see
/// [`dry_run`]; a kuberc default is not trusted to make a dry run), downgraded to `none`
/// where kubectl's own code ignores it (kubectl `pkg/cmd`, checked at v1.32 and master):
///
/// - `create|replace|delete --raw URI`: the raw POST/PUT/DELETE is sent before the dry
///   run strategy is looked at (`rawhttp.RawPost|RawPut|RawDelete`);
/// - `create --edit`: the editor path creates the object without the dry run;
/// - `scale --record --dry-run=server`: the change-cause annotation is patched with a
///   helper that has no dry run.
///
/// `--raw`, `--edit` and `--record` count when a kuberc default would add them.
fn honoured_dry_run(
    verb: &str,
    flags: &Map<String, Value>,
    kuberc: &BTreeMap<String, String>,
) -> &'static str {
    let requested = dry_run(flags.get("dry-run"));
    let given = |name: &str| {
        flags
            .get(name)
            .cloned()
            .or_else(|| kuberc.get(name).map(|v| Value::String(v.clone())))
    };
    let raw = given("raw").is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()));
    let on = |name: &str| given(name).is_some_and(|v| is_true(&v));
    let ignored = match verb {
        "create" => raw || on("edit"),
        "replace" | "delete" => raw,
        "scale" => requested == "server" && on("record"),
        _ => false,
    };
    if ignored {
        "none"
    } else {
        requested
    }
}

/// kubectl's `--dry-run` value → `none`, `client` or `server`.
///
/// `client`, `server` and `none` are themselves. `unchanged` (older kubectl's value for a
/// bare `--dry-run`) and Go's true spellings are `client` (older kubectl accepted them
/// as such; newer kubectl refuses to run, which is no less safe). Anything else — a
/// false spelling, an invalid word, a bare `--dry_run` whose value is unknown — is
/// `none`: kubectl either refuses the value or does not dry-run, and a policy must not
/// take it for a dry run.
fn dry_run(value: Option<&Value>) -> &'static str {
    match value.and_then(Value::as_str) {
        Some("client" | "unchanged" | "1" | "t" | "T" | "true" | "TRUE" | "True") => "client",
        Some("server") => "server",
        _ => "none",
    }
}

/// A switch's value as pflag reads it: given bare, or `=` a true spelling; an
/// unparsable value counts as true (kubectl would refuse it, and over-reporting is the
/// safe side).
fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => !matches!(s.as_str(), "0" | "f" | "F" | "false" | "FALSE" | "False"),
        _ => false,
    }
}

fn output_format(flags: &Map<String, Value>, kuberc: &BTreeMap<String, String>) -> String {
    let pick = |name: &str| {
        flags
            .get(name)
            .and_then(Value::as_str)
            .or_else(|| kuberc.get(name).map(String::as_str))
    };
    let format = pick("output")
        .and_then(|o| o.split('=').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // kubectl prints with a go-template when --template is given without -o.
    if format.is_empty() && pick("template").is_some_and(|t| !t.is_empty()) {
        return "go-template".to_string();
    }
    format
}

/// kubectl's root-level switches: the only options before the verb that its command
/// finder does not take as swallowing the next word. (`_` spellings are normalised.)
const ROOT_SWITCHES: &[&str] = &[
    "help",
    "insecure-skip-tls-verify",
    "match-server-version",
    "warnings-as-errors",
    "disable-compression",
    // klog switches of older releases
    "add-dir-header",
    "alsologtostderr",
    "logtostderr",
    "one-output",
    "skip-headers",
    "skip-log-headers",
];

/// The index of the word kubectl's command finder (cobra) takes as the command: the
/// first word that neither starts with `-` nor follows an option it assumes takes a
/// value — every `--name` without `=` that is not a root switch, and every two-byte
/// `-x` but `-h`. Options are parsed later against the chosen command, but the command
/// itself is chosen this way.
fn cobra_command_index(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while let Some(tok) = args.get(i) {
        i += 1;
        if tok == "--" {
            return None;
        }
        if let Some(name) = tok.strip_prefix("--") {
            if !tok.contains('=') && !ROOT_SWITCHES.contains(&name.replace('_', "-").as_str()) {
                i += 1;
            }
            continue;
        }
        if tok.starts_with('-') {
            if !tok.contains('=') && tok.len() == 2 && tok != "-h" {
                i += 1;
            }
            continue;
        }
        if !tok.is_empty() {
            return Some(i - 1);
        }
    }
    None
}

/// `kubectl --all events delete` deletes events: kubectl's finder skips `events` as the
/// value of `--all`, while the walker (rightly, for the final parse) reads `--all` as a
/// switch and `events` as the verb. Any such disagreement is uncertain.
fn check_command_word(walked: &Walked, rest: &[String], uncertain: &mut Vec<String>) {
    let cobra = cobra_command_index(rest);
    if cobra == walked.verb_index {
        return;
    }
    let word = |i: Option<usize>| i.and_then(|i| rest.get(i));
    let hint = "put options after the command";
    let message = match (word(cobra), word(walked.verb_index)) {
        (Some(theirs), Some(ours)) => format!(
            "kubectl would run `{theirs}`, not `{ours}`: an option before the command takes the next word as its value there; {hint}"
        ),
        (None, Some(ours)) => format!(
            "kubectl would not run `{ours}`: an option before it takes it as its value; {hint}"
        ),
        (Some(theirs), None) => format!(
            "kubectl would run `{theirs}`, which failsafe read as an option's value; {hint}"
        ),
        (None, None) => return,
    };
    uncertain.push(message);
}

/// kubectl normalises `_` to `-` in option names (`--all_namespaces` is
/// `--all-namespaces`). The walker does not know that, so a value-taking option spelled
/// with `_` was read as a switch and its value as a positional: uncertain. The option
/// is renamed in `flags` and `flags_all` so policies see one spelling.
fn normalize_flag_names(
    verb: &str,
    flags: &mut Map<String, Value>,
    flags_all: &mut Map<String, Value>,
    doubts: &mut Doubts,
) {
    let odd: Vec<String> = flags
        .keys()
        .filter(|k| k.len() > 1 && k.contains('_'))
        .cloned()
        .collect();
    if odd.is_empty() {
        return;
    }
    // Parsed only on this rare path; the built-in spec is validated by the test suite.
    let spec = crate::spec::builtin("kubectl").and_then(Result::ok);
    let takes_value = |name: &str| {
        spec.as_ref().is_some_and(|s| {
            s.global.takes_value(name) || s.verb_flags(verb).is_some_and(|v| v.takes_value(name))
        })
    };
    for old in odd {
        let new = old.replace('_', "-");
        let Some(value) = flags.remove(&old) else {
            continue;
        };
        // The word kubectl takes as the value may be a targeting option
        // (`--request_timeout --context=prod`): the target is in doubt.
        if value == Value::Bool(true) && takes_value(&new) {
            doubts.target.push(format!(
                "option `--{old}` is `--{new}` to kubectl, which takes a value; failsafe cannot tell which word kubectl reads as its value: write `--{new}=VALUE`"
            ));
        }
        if flags.get(&new).is_some_and(|existing| existing != &value) {
            doubts.other.push(format!(
                "options `--{old}` and `--{new}` are one option to kubectl and were given different values"
            ));
        }
        flags.insert(new.clone(), value);
        if let Some(Value::Array(mut moved)) = flags_all.remove(&old) {
            match flags_all.get_mut(&new) {
                Some(Value::Array(list)) => list.append(&mut moved),
                _ => {
                    flags_all.insert(new, Value::Array(moved));
                }
            }
        }
    }
}

/// kubectl's built-in top-level commands: a kuberc alias never shadows one.
const BUILTIN_VERBS: &[&str] = &[
    "alpha",
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "help",
    "kuberc",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// Options that decide where a command lands; a kuberc default for one of them makes
/// the target depend on whether this kubectl honours kuberc.
const TARGETING: &[&str] = &[
    "context",
    "cluster",
    "user",
    "server",
    "namespace",
    "kubeconfig",
];

fn check_kuberc(
    kuberc: &kuberc::Kuberc,
    walked: &Walked,
    defaults: &BTreeMap<String, String>,
    uncertain: &mut Vec<String>,
) {
    if !BUILTIN_VERBS.contains(&walked.verb.as_str()) {
        if let Some(command) = kuberc.alias(&walked.verb_as_typed) {
            uncertain.push(format!(
                "`{}` is an alias for `{command}` in kuberc `{}`; failsafe does not expand kuberc aliases",
                walked.verb_as_typed, kuberc.path
            ));
        }
    }
    for name in TARGETING {
        if let Some(value) = defaults.get(*name) {
            uncertain.push(format!(
                "kuberc `{}` sets `--{name}={value}` for this command; failsafe cannot tell whether this kubectl applies it",
                kuberc.path
            ));
        }
    }
}

/// The command path kuberc entries are matched against: verb, subverb and the first
/// arguments (`create secret generic`).
fn command_words(walked: &Walked) -> Vec<&str> {
    let before_dash = walked
        .args
        .get(..walked.dashdash_at.unwrap_or(walked.args.len()))
        .unwrap_or(&walked.args);
    [walked.verb.as_str(), walked.subverb.as_str()]
        .into_iter()
        .filter(|w| !w.is_empty())
        .chain(before_dash.iter().take(2).map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::path::Path;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: kind-dev, user: dev-admin, namespace: team-a}
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod", user: prod-admin}
- name: staging
  context: {cluster: gke_shop_europe-west1-b_payments-stg, user: stg, namespace: payments}
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443"}
- name: "arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod"
  cluster: {server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com"}
- name: gke_shop_europe-west1-b_payments-stg
  cluster: {server: "https://34.1.2.3"}
users:
- name: dev-admin
- name: prod-admin
- name: stg
"#;

    fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
        Context::for_test(home, home, env)
    }

    /// A temporary home with `~/.kube/config` (plus extra files) in it.
    fn home(extra: &[(&str, &str)]) -> tempfile::TempDir {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("cannot create a temporary directory")
        };
        let files = std::iter::once((".kube/config", KUBECONFIG)).chain(extra.iter().copied());
        for (name, text) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let written = std::fs::write(&path, text);
            assert!(written.is_ok(), "{written:?}");
        }
        dir
    }

    fn run_in(dir: &Path, env: &[(&str, &str)], line: &str) -> (Fact, KubectlFact) {
        let Some(Ok(spec)) = crate::spec::builtin("kubectl") else {
            unreachable!("the built-in kubectl spec parses")
        };
        let argv: Vec<String> = std::iter::once("kubectl")
            .chain(line.split_whitespace())
            .map(str::to_string)
            .collect();
        let fact = crate::facts::build(&spec, "kubectl", argv, Vec::new(), &ctx(dir, env));
        let kubectl = fact.kubectl.clone().unwrap_or_default();
        (fact, kubectl)
    }

    fn run(line: &str) -> (Fact, KubectlFact) {
        let dir = home(&[]);
        run_in(dir.path(), &[], line)
    }

    #[rstest]
    #[case::current_context("get pods", "get", "dev", "kind-dev", "team-a", "pods", "")]
    #[case::flags_before_verb(
        "-n prod --context prod delete ns y",
        "delete",
        "prod",
        "shop-prod",
        "prod",
        "namespaces",
        "y"
    )]
    #[case::namespace_equals("get po -n=foo", "get", "dev", "kind-dev", "foo", "pods", "")]
    #[case::namespace_glued("get po -nfoo", "get", "dev", "kind-dev", "foo", "pods", "")]
    #[case::namespace_long_equals(
        "get po --namespace=kube-system",
        "get",
        "dev",
        "kind-dev",
        "kube-system",
        "pods",
        ""
    )]
    #[case::context_equals(
        "--context=staging get deploy/web",
        "get",
        "staging",
        "payments-stg",
        "payments",
        "deployments",
        "web"
    )]
    #[case::context_after_verb(
        "get svc --context staging -n x web",
        "get",
        "staging",
        "payments-stg",
        "x",
        "services",
        "web"
    )]
    #[case::verbosity_before_verb("-v 6 get pods", "get", "dev", "kind-dev", "team-a", "pods", "")]
    #[case::selector_before_verb(
        "-l app=x delete pods",
        "delete",
        "dev",
        "kind-dev",
        "team-a",
        "pods",
        ""
    )]
    #[case::output_before_verb(
        "-o yaml get secrets",
        "get",
        "dev",
        "kind-dev",
        "team-a",
        "secrets",
        ""
    )]
    #[case::server_short(
        "-s https://other:6443 get ns",
        "get",
        "dev",
        "kind-dev",
        "team-a",
        "namespaces",
        ""
    )]
    #[case::rollout(
        "rollout restart deploy/api --context prod",
        "rollout",
        "prod",
        "shop-prod",
        "default",
        "deployments",
        "api"
    )]
    #[case::logs_follow(
        "logs -f web -c app",
        "logs",
        "dev",
        "kind-dev",
        "team-a",
        "pods",
        "web"
    )]
    #[case::logs_previous("logs -p web", "logs", "dev", "kind-dev", "team-a", "pods", "web")]
    #[case::exec(
        "exec -it web -c app -- sh -c ls",
        "exec",
        "dev",
        "kind-dev",
        "team-a",
        "pods",
        "web"
    )]
    #[case::create_secret(
        "create secret generic db --from-literal=pw=x",
        "create",
        "dev",
        "kind-dev",
        "team-a",
        "secrets",
        "db"
    )]
    #[case::top(
        "top pod web --containers",
        "top",
        "dev",
        "kind-dev",
        "team-a",
        "pods",
        "web"
    )]
    #[case::cp(
        "cp prod-ns/web:/etc/x ./x -c app",
        "cp",
        "dev",
        "kind-dev",
        "prod-ns",
        "pods",
        "web"
    )]
    #[case::raw(
        "get --raw /api/v1/namespaces/kube-system/secrets",
        "get",
        "dev",
        "kind-dev",
        "kube-system",
        "secrets",
        ""
    )]
    #[case::proxy("proxy -p 8001 -w ./www", "proxy", "dev", "kind-dev", "team-a", "", "")]
    #[case::set_env(
        "set env deploy/web -c app --prefix P_ FOO=bar",
        "set",
        "dev",
        "kind-dev",
        "team-a",
        "deployments",
        "web"
    )]
    fn facts_from_command_lines(
        #[case] line: &str,
        #[case] verb: &str,
        #[case] context: &str,
        #[case] cluster_name: &str,
        #[case] namespace: &str,
        #[case] resource: &str,
        #[case] names: &str,
    ) {
        let (fact, k) = run(line);
        assert_eq!(fact.verb, verb, "{line}");
        assert_eq!(k.context, context, "{line}");
        assert_eq!(k.cluster_name, cluster_name, "{line}");
        assert_eq!(k.namespace, namespace, "{line}");
        assert_eq!(k.resource, resource, "{line}");
        assert_eq!(k.names.join(" "), names, "{line}");
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{line}: {:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
    }

    #[rstest]
    #[case("apply -f x.yaml --dry-run=client", "client")]
    #[case("apply -f x.yaml --dry-run=server", "server")]
    #[case("apply -f x.yaml --dry-run=none", "none")]
    #[case("delete pod web --dry-run client", "client")]
    #[case("delete pod web --dry-run none", "none")]
    #[case("apply -f x.yaml --dry-run=true", "client")]
    #[case("apply -f x.yaml --dry-run=false", "none")]
    #[case("apply -f x.yaml --dry-run=bogus", "none")]
    #[case("apply -f x.yaml --dry-run -o yaml", "none")]
    #[case("delete pod web", "none")]
    fn dry_run_values(#[case] line: &str, #[case] want: &str) {
        assert_eq!(run(line).1.dry_run, want, "{line}");
    }

    #[test]
    fn bare_dry_run_at_the_end_is_uncertain() {
        let (fact, k) = run("apply -f x.yaml --dry-run");
        assert_eq!(k.dry_run, "none");
        assert!(
            fact.uncertain.iter().any(|u| u.contains("--dry-run")),
            "{:?}",
            fact.uncertain
        );
    }

    #[test]
    fn dry_run_none_takes_the_next_word_not_a_name() {
        let (_, k) = run("delete pod web --dry-run none");
        assert_eq!(k.names, vec!["web"]);
    }

    #[rstest]
    #[case("get secrets -o yaml", "yaml")]
    #[case("get secrets -oyaml", "yaml")]
    #[case("get secrets -o=JSON", "json")]
    #[case("get secrets --output=jsonpath={.data}", "jsonpath")]
    #[case("get secrets -o go-template-file=t.tmpl", "go-template-file")]
    #[case("get secrets --template={{.data}}", "go-template")]
    #[case("get secrets -o wide", "wide")]
    #[case("get secrets", "")]
    fn output_formats(#[case] line: &str, #[case] want: &str) {
        assert_eq!(run(line).1.output, want, "{line}");
    }

    #[rstest]
    #[case("get pods -A", true)]
    #[case("get pods --all-namespaces", true)]
    #[case("get pods --all-namespaces=false", false)]
    #[case("get pods --all_namespaces", true)]
    #[case("get pods", false)]
    fn all_namespaces(#[case] line: &str, #[case] want: bool) {
        assert_eq!(run(line).1.all_namespaces, want, "{line}");
    }

    #[test]
    fn comma_lists_keep_every_resource() {
        let (_, k) = run("get pods,secrets -o yaml");
        assert_eq!(k.resource, "pods");
        assert_eq!(k.resources, vec!["pods", "secrets"]);
    }

    #[test]
    fn kubeconfig_files_and_target() {
        let dir = home(&[]);
        let (fact, k) = run_in(dir.path(), &[], "--context prod get pods");
        assert_eq!(
            k.kubeconfig,
            vec![dir.path().join(".kube/config").display().to_string()]
        );
        assert_eq!(k.server, "https://ABC.gr7.eu-west-1.eks.amazonaws.com");
        assert_eq!(k.user, "prod-admin");
        assert_eq!(fact.target.env, "prod");
        assert_eq!(fact.target.name, "prod");
    }

    #[test]
    fn kubeconfig_flag_overrides_the_environment() {
        let other = "current-context: other\ncontexts:\n- name: other\n  context: {cluster: c, namespace: o}\nclusters:\n- name: c\n  cluster: {server: https://o}\n";
        let dir = home(&[("env.yaml", KUBECONFIG), ("other.yaml", other)]);
        let (fact, k) = run_in(
            dir.path(),
            &[("KUBECONFIG", "env.yaml")],
            "--kubeconfig other.yaml get pods",
        );
        assert_eq!(
            (k.context.as_str(), k.namespace.as_str(), k.server.as_str()),
            ("other", "o", "https://o")
        );
        assert_eq!(
            k.kubeconfig,
            vec![dir.path().join("other.yaml").display().to_string()]
        );
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
    }

    #[test]
    fn missing_explicit_kubeconfig_is_uncertain() {
        let (fact, k) = run("--kubeconfig=/no/such/file get pods");
        assert!(k.kubeconfig.is_empty());
        assert_eq!(k.context, "");
        assert!(
            fact.target
                .uncertain
                .iter()
                .any(|u| u.contains("`/no/such/file`")),
            "{:?}",
            fact.target.uncertain
        );
    }

    #[test]
    fn unknown_context_is_uncertain_but_reported() {
        let (fact, k) = run("--context nope delete ns x");
        assert_eq!(k.context, "nope");
        assert_eq!(fact.target.name, "nope");
        assert_eq!(
            fact.target.uncertain.len(),
            1,
            "{:?}",
            fact.target.uncertain
        );
        assert!(fact.target.uncertain[0].starts_with("context `nope` given by `--context`"));
    }

    #[rstest]
    #[case("--context nope config get-contexts")]
    #[case("--context nope get pods --help")]
    #[case("--kubeconfig new.yaml config set-context x --cluster c")]
    #[case("--context nope version --client")]
    fn offline_commands_do_not_need_a_usable_context(#[case] line: &str) {
        let (fact, _) = run(line);
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{line}: {:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
    }

    #[test]
    fn invalid_kubeconfig_in_the_list_is_uncertain() {
        let dir = home(&[("bad.yaml", "clusters: {{{\n")]);
        let (fact, k) = run_in(
            dir.path(),
            &[("KUBECONFIG", "bad.yaml:missing.yaml:.kube/config")],
            "get pods",
        );
        assert_eq!(k.context, "dev");
        assert_eq!(
            fact.target.uncertain.len(),
            1,
            "{:?}",
            fact.target.uncertain
        );
        assert!(fact.target.uncertain[0].contains("bad.yaml"));
    }

    #[rstest]
    #[case::switch_swallows_the_verb(
        "--all events delete",
        "kubectl would run `delete`, not `events`"
    )]
    #[case::short_switch("-A get pods", "kubectl would run `pods`, not `get`")]
    #[case::unknown_option("--bogus get delete ns x", "kubectl would run `delete`, not `get`")]
    #[case::underscore_value("--as_group system:masters delete ns x", "kubectl would run `delete`")]
    fn command_word_disagreements_are_uncertain(#[case] line: &str, #[case] want: &str) {
        let (fact, _) = run(line);
        assert!(
            fact.uncertain.iter().any(|u| u.contains(want)),
            "{line}: {:?}",
            fact.uncertain
        );
    }

    #[rstest]
    #[case("--insecure-skip-tls-verify get pods")]
    #[case("--namespace=x -n y --context dev get pods")]
    #[case("-nfoo get pods")]
    #[case("get pods -A --all")]
    fn agreeing_command_words_are_fine(#[case] line: &str) {
        assert!(run(line).0.uncertain.is_empty(), "{line}");
    }

    #[test]
    fn underscore_options_are_renamed_and_value_ones_are_uncertain() {
        let (fact, k) = run("delete pods web --dry_run none");
        assert_eq!(fact.flags.get("dry-run"), Some(&Value::Bool(true)));
        assert!(!fact.flags.contains_key("dry_run"));
        assert_eq!(k.dry_run, "none");
        assert!(
            fact.target
                .uncertain
                .iter()
                .any(|u| u.contains("`--dry_run` is `--dry-run`")),
            "{:?}",
            fact.target.uncertain
        );
        let (fact, k) = run("apply -f x --dry_run=server");
        assert_eq!(k.dry_run, "server");
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
        assert_eq!(
            fact.flags_all.get("dry-run"),
            Some(&serde_json::json!(["server"]))
        );
    }

    #[test]
    fn local_flags_named_like_overrides_are_not_overrides() {
        let (fact, k) = run("create rolebinding rb --clusterrole=view --user=alice");
        assert_eq!(k.user, "dev-admin");
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
        let (_, k) = run("config set-context prod --namespace=x --cluster=y");
        assert_eq!(
            (k.namespace.as_str(), k.cluster.as_str()),
            ("team-a", "kind-dev")
        );
    }

    #[test]
    fn config_view_raw_is_a_switch_and_get_raw_takes_a_path() {
        let (fact, k) = run("config view --raw");
        assert_eq!(
            (fact.verb.as_str(), fact.subverb.as_str()),
            ("config", "view")
        );
        assert_eq!(fact.flags.get("raw"), Some(&Value::Bool(true)));
        assert_eq!(k.resource, "");
        let (fact, _) = run("get --raw /healthz");
        assert_eq!(
            fact.flags.get("raw"),
            Some(&Value::String("/healthz".into()))
        );
        assert!(fact.args.is_empty());
    }

    #[test]
    fn no_kubeconfig_at_all_means_no_target() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let (fact, k) = run_in(dir.path(), &[], "get pods");
        assert_eq!(
            (k.context.as_str(), k.server.as_str(), k.namespace.as_str()),
            ("", "", "default")
        );
        assert!(k.kubeconfig.is_empty() && fact.uncertain.is_empty());
        assert_eq!(fact.target.kind, "");
    }

    const KUBERC: &str = "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ndefaults:\n- command: get\n  options:\n  - name: output\n    default: yaml\n- command: delete\n  options:\n  - name: namespace\n    default: prod\naliases:\n- name: getn\n  command: get\n";

    #[test]
    fn kuberc_default_output_counts() {
        let dir = home(&[(".kube/kuberc", KUBERC)]);
        let (fact, k) = run_in(dir.path(), &[], "get secrets");
        assert_eq!(k.output, "yaml");
        assert_eq!(
            k.kuberc,
            dir.path().join(".kube/kuberc").display().to_string()
        );
        assert_eq!(
            k.kuberc_defaults.get("output").map(String::as_str),
            Some("yaml")
        );
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
        let (_, k) = run_in(dir.path(), &[], "get secrets -o name");
        assert_eq!(k.output, "name");
        assert!(k.kuberc_defaults.is_empty());
        let (_, k) = run_in(dir.path(), &[("KUBERC", "off")], "get secrets");
        assert_eq!((k.output.as_str(), k.kuberc.as_str()), ("", ""));
    }

    #[test]
    fn kuberc_targeting_defaults_and_aliases_are_uncertain() {
        let dir = home(&[(".kube/kuberc", KUBERC)]);
        let (fact, _) = run_in(dir.path(), &[], "delete pods x");
        assert!(
            fact.target
                .uncertain
                .iter()
                .any(|u| u.contains("`--namespace=prod`")),
            "{:?}",
            fact.target.uncertain
        );
        let (fact, _) = run_in(dir.path(), &[], "delete pods x -n dev");
        assert!(
            fact.uncertain.is_empty() && fact.target.uncertain.is_empty(),
            "{:?} {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
        let (fact, _) = run_in(dir.path(), &[], "getn nodes");
        assert!(
            fact.target
                .uncertain
                .iter()
                .any(|u| u.contains("`getn` is an alias for `get`")),
            "{:?}",
            fact.target.uncertain
        );
    }

    #[rstest]
    #[case("--all", true)]
    #[case("--insecure_skip_tls_verify", false)]
    #[case("-n", true)]
    #[case("-h", false)]
    #[case("-nfoo", false)]
    #[case("--context=x", false)]
    fn cobra_skips_the_word_after(#[case] option: &str, #[case] skips: bool) {
        let args: Vec<String> = [option, "a", "b"]
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        let want = if skips { Some(2) } else { Some(1) };
        assert_eq!(cobra_command_index(&args), want, "{option}");
    }

    /// `--dry-run` only where kubectl honours it for that combination of options
    /// (kubectl pkg/cmd/{create,replace,delete,scale}).
    #[rstest]
    #[case::create_raw("create --raw /api/v1/namespaces -f ns.json --dry-run=server", "none")]
    #[case::create_raw_equals(
        "create -f ns.json --raw=/api/v1/namespaces --dry-run=client",
        "none"
    )]
    #[case::create_raw_empty("create -f ns.json --raw= --dry-run=server", "server")]
    #[case::replace_raw(
        "replace --raw /api/v1/namespaces/x -f ns.json --dry-run=server",
        "none"
    )]
    #[case::delete_raw("delete --raw /api/v1/namespaces/x --dry-run=server", "none")]
    #[case::create_edit("create --edit -f x.yaml --dry-run=server", "none")]
    #[case::create_edit_false("create --edit=false -f x.yaml --dry-run=server", "server")]
    #[case::scale_record_server("scale deploy/web --replicas 0 --record --dry-run=server", "none")]
    #[case::scale_record_client(
        "scale deploy/web --replicas 0 --record --dry-run=client",
        "client"
    )]
    #[case::scale_server("scale deploy/web --replicas 0 --dry-run=server", "server")]
    #[case::get_raw_is_not_a_mutation("apply -f x.yaml --dry-run=server", "server")]
    #[case::last_value_wins("apply -f x.yaml --dry-run=server --dry-run=none", "none")]
    #[case::deprecated_true("apply -f x.yaml --dry-run=T", "client")]
    #[case::deprecated_false("apply -f x.yaml --dry-run=0", "none")]
    fn dry_runs_kubectl_honours(#[case] line: &str, #[case] want: &str) {
        assert_eq!(run(line).1.dry_run, want, "{line}");
    }

    #[test]
    fn a_kuberc_default_raw_cancels_the_dry_run() {
        let kuberc = "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ndefaults:\n- command: delete\n  options:\n  - name: raw\n    default: /api/v1/namespaces/prod\n";
        let dir = home(&[(".kube/kuberc", kuberc)]);
        let (_, k) = run_in(dir.path(), &[], "delete ns x --dry-run=server");
        assert_eq!(k.dry_run, "none");
    }

    #[rstest]
    #[case::service_proxy("/api/v1/namespaces/default/services/web/proxy/", "proxy")]
    #[case::encoded("/api/v1/namespaces/default/services/web/%70roxy/", "proxy")]
    #[case::dot_dot("/api/v1/namespaces/default/services/web/x/../proxy", "proxy")]
    #[case::log("/api/v1/namespaces/default/pods/web/log", "log")]
    #[case::none("/api/v1/namespaces/default/pods/web", "")]
    fn raw_subresource_reaches_the_fact(#[case] path: &str, #[case] want: &str) {
        let (_, k) = run(&format!("get --raw {path}"));
        assert_eq!(k.subresource, want, "{path}");
    }

    #[rstest]
    #[case::kubeconfig("--kubeconfig /tmp/k\u{fffd}.yaml get pods", "`--kubeconfig`")]
    #[case::context("--context pr\u{fffd}d get pods", "`--context`")]
    #[case::server("--server https://\u{fffd} get pods", "`--server`")]
    fn targeting_values_that_are_not_utf8_make_the_target_uncertain(
        #[case] line: &str,
        #[case] want: &str,
    ) {
        let (fact, _) = run(line);
        assert!(
            fact.target
                .uncertain
                .iter()
                .any(|u| u.contains(want) && u.contains("not valid UTF-8")),
            "{line}: {:?}",
            fact.target.uncertain
        );
    }

    #[test]
    fn merge_keys_resolve_to_the_context_kubectl_uses() {
        // kubectl v1.32 `--context prod2 config view --minify`: cluster devc, because
        // the merge after `cluster: prodc` overwrites it.
        let config = "current-context: prod2\ncontexts:\n- name: dev\n  context: &d {cluster: kind-dev, user: u}\n- name: prod2\n  context:\n    cluster: prod-eu\n    <<: *d\nclusters:\n- name: kind-dev\n  cluster: {server: \"https://127.0.0.1:6443\"}\n- name: prod-eu\n  cluster: {server: \"https://prod\"}\nusers:\n- name: u\n";
        let dir = home(&[("merged.yaml", config)]);
        let (fact, k) = run_in(dir.path(), &[], "--kubeconfig merged.yaml delete ns x");
        assert_eq!(
            (k.context.as_str(), k.cluster.as_str(), k.server.as_str()),
            ("prod2", "kind-dev", "https://127.0.0.1:6443")
        );
        assert!(
            fact.target.uncertain.is_empty(),
            "{:?}",
            fact.target.uncertain
        );
    }

    #[test]
    fn unset_home_reads_the_kubeconfig_in_the_working_directory() {
        let prod = "current-context: prod\ncontexts:\n- name: prod\n  context: {cluster: prod}\nclusters:\n- name: prod\n  cluster: {server: \"https://prod\"}\n";
        let dir = home(&[("work/.kube/config", prod)]);
        let Some(Ok(spec)) = crate::spec::builtin("kubectl") else {
            unreachable!("the built-in kubectl spec parses")
        };
        // HOME is not in the environment; the password database's home must not count.
        let c = Context::for_test(&dir.path().join("work"), dir.path(), &[]);
        let argv = vec!["kubectl".to_string(), "get".into(), "pods".into()];
        let fact = crate::facts::build(&spec, "kubectl", argv, Vec::new(), &c);
        assert_eq!(fact.target.name, "prod");
        assert_eq!(fact.target.env, "prod");
    }

    #[rstest]
    #[case::unreadable_kubeconfig("--kubeconfig /dev/null get pods", true)]
    #[case::offline_command("--kubeconfig /dev/null version --client", false)]
    #[case::undefined_cluster("--cluster nope get pods", true)]
    #[case::command_word("--all events delete", false)]
    fn which_doubts_are_about_the_target(#[case] line: &str, #[case] target: bool) {
        let (fact, _) = run(line);
        let (want, other) = if target {
            (&fact.target.uncertain, &fact.uncertain)
        } else {
            (&fact.uncertain, &fact.target.uncertain)
        };
        assert!(
            !want.is_empty() && other.is_empty(),
            "{line}: {:?} / {:?}",
            fact.uncertain,
            fact.target.uncertain
        );
    }
}
