//! helm enricher: what a helm command names (release, chart, dry run) and where it lands
//! (kube context, cluster, server, namespace), read from the kubeconfig through the code
//! kubectl's enricher uses, with helm's own overrides (`--kube-context`,
//! `HELM_KUBECONTEXT`, `--kube-apiserver`, `HELM_NAMESPACE`).
//!
//! It also checks that cobra, helm's command finder, would run the command the walker
//! found (see `cobra`), and names subcommand aliases canonically (`repo rm` is
//! `repo remove`).
//!
//! Reads kubeconfig files only: no subprocesses, no network, never runs helm. Never
//! fails: what it cannot pin down lands in `fact.uncertain`, or in
//! `fact.target.uncertain` when it is about where the command lands.

pub mod cobra;

use super::kubeconfig::{self, Given, Overrides};
use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;
use serde_json::Value;

/// The `helm` object of a fact. See facts.md and docs/tools/helm.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HelmFact {
    /// Release name, where the verb takes one (install, upgrade, uninstall, status,
    /// history, rollback, test, get …, template); `""` when none is given (an install
    /// with `--generate-name`).
    pub release: String,
    /// Chart reference (install, upgrade, template, pull, show …, push).
    pub chart: String,
    /// Effective namespace: `-n`/`--namespace`, else `HELM_NAMESPACE`, else the kube
    /// context's, else `default`. Empty for commands that never reach a cluster.
    pub namespace: String,
    /// Effective kube context: `--kube-context`, else `HELM_KUBECONTEXT`, else the
    /// kubeconfig's `current-context`.
    pub kube_context: String,
    /// The context's cluster entry name.
    pub cluster: String,
    /// Short cluster name (after `cluster/` of an EKS ARN, the last field of a GKE name).
    pub cluster_name: String,
    /// API server URL: `--kube-apiserver`, else `HELM_KUBEAPISERVER`, else the cluster's.
    pub server: String,
    /// `false`, `"client"`, `"server"`, or `true` (a legacy boolean `--dry-run=true`).
    pub dry_run: Value,
    /// Every release the command names (`uninstall a b c`); `[release]` otherwise.
    pub releases: Vec<String>,
    /// `list -A` / `--all-namespaces`.
    pub all_namespaces: bool,
    /// Kubeconfig files read, in order.
    pub kubeconfig: Vec<String>,
    /// True when the command would use the pod's in-cluster service account.
    pub in_cluster: bool,
}

/// Verbs whose target is a cluster: the kubeconfig is read for them.
const CLUSTER_VERBS: &[&str] = &[
    "install",
    "upgrade",
    "template",
    "uninstall",
    "rollback",
    "status",
    "history",
    "list",
    "test",
    "get",
];

/// Fills `fact.helm`, renames subcommand aliases in `fact.subverb`, pushes to
/// `fact.uncertain` a command cobra would find elsewhere, and, for commands that reach a
/// cluster, pushes to `fact.target.uncertain` an unreadable kubeconfig, an undefined
/// context or a missing `--kubeconfig`.
pub fn enrich(walked: &Walked, ctx: &Context, fact: &mut Fact) {
    let mut uncertain = Vec::new();
    let help = asks_for_help(walked);
    cobra::check(
        walked,
        fact.argv.get(1..).unwrap_or(&[]),
        help,
        &mut uncertain,
    );
    fact.subverb = canonical_subverb(&walked.verb, &walked.subverb).to_string();

    let verb = walked.verb.as_str();
    let dry_run = dry_run(verb, walked.flags.get("dry-run"));
    let (release, releases, chart) = names(verb, &walked.args, walked.has_flag("generate-name"));
    let mut helm = HelmFact {
        release,
        chart,
        dry_run: dry_run.clone(),
        releases,
        all_namespaces: walked.flags.get("all-namespaces").is_some_and(is_true),
        ..HelmFact::default()
    };
    if CLUSTER_VERBS.contains(&verb) {
        let mut config_problems = Vec::new();
        locate(walked, ctx, &mut helm, &mut config_problems);
        // Every kubeconfig problem is about where the command lands: refused in every
        // mode (bundled/target.rego), since in write mode the user's target policies
        // are the guard and a wrong context would silence them.
        if !help && reaches_cluster(walked, &dry_run) {
            fact.target.uncertain.append(&mut config_problems);
        }
    }
    fact.uncertain.append(&mut uncertain);
    fact.helm = Some(helm);
}

/// Resolves context, cluster, server and namespace into `helm`; kubeconfig problems go
/// to `problems`, which the caller keeps only for commands that reach the cluster.
fn locate(walked: &Walked, ctx: &Context, helm: &mut HelmFact, problems: &mut Vec<String>) {
    // A flag given on the command line wins even when empty (helm's flag default is the
    // variable's value, and an explicit `--kube-context=` replaces it).
    let pick = |flag: &'static str, var: &'static str| -> (Option<&str>, &'static str) {
        match walked.flags.get(flag) {
            Some(v) => (v.as_str(), flag_origin(flag)),
            None => (ctx.var(var), var),
        }
    };
    let (context, context_origin) = pick("kube-context", "HELM_KUBECONTEXT");
    let (server, server_origin) = pick("kube-apiserver", "HELM_KUBEAPISERVER");
    let (namespace, namespace_origin) = pick("namespace", "HELM_NAMESPACE");
    let config = kubeconfig::load(
        Given::new(walked.flag_str("kubeconfig"), "--kubeconfig"),
        ctx,
        problems,
    );
    let resolved = config.resolve(&Overrides {
        context: Given::new(context, context_origin),
        cluster: None,
        user: None,
        server: Given::new(server, server_origin),
        namespace: Given::new(namespace, namespace_origin),
    });
    problems.extend(resolved.problems);
    helm.kube_context = resolved.context;
    helm.cluster = resolved.cluster;
    helm.cluster_name = resolved.cluster_name;
    helm.server = resolved.server;
    helm.namespace = resolved.namespace;
    helm.in_cluster = resolved.in_cluster;
    helm.kubeconfig = config.files;
}

fn flag_origin(flag: &str) -> &'static str {
    match flag {
        "kube-context" => "--kube-context",
        "kube-apiserver" => "--kube-apiserver",
        _ => "--namespace",
    }
}

/// True when helm would contact the cluster: everything in [`CLUSTER_VERBS`] but an
/// install or upgrade with a client-side dry run, and a template without `--validate`
/// or `--dry-run=server`.
fn reaches_cluster(walked: &Walked, dry_run: &Value) -> bool {
    let client_only = matches!(dry_run, Value::Bool(true)) || dry_run == "client";
    match walked.verb.as_str() {
        "install" | "upgrade" => !client_only,
        "template" => walked.flags.get("validate").is_some_and(is_true) || dry_run == "server",
        verb => CLUSTER_VERBS.contains(&verb),
    }
}

/// `--help`, `-h` (given bare), the `help` verb, or no command word at all (an empty
/// word is not "no verb": cobra skips it and runs the next word).
fn asks_for_help(walked: &Walked) -> bool {
    walked.verb_index.is_none()
        || walked.verb == "help"
        || walked.flags.get("help") == Some(&Value::Bool(true))
}

/// Release, every release named, and chart, by verb. `args` are the positionals after
/// verb and subverb.
fn names(verb: &str, args: &[String], generate_name: bool) -> (String, Vec<String>, String) {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let (release, chart) = match verb {
        // `install CHART` with --generate-name (or a name from --name-template);
        // `template CHART` names the release `release-name`.
        "install" | "template" if generate_name || args.len() == 1 => (String::new(), arg(0)),
        "install" | "template" | "upgrade" => (arg(0), arg(1)),
        "uninstall" => return (arg(0), args.to_vec(), String::new()),
        "status" | "history" | "rollback" | "test" | "get" => (arg(0), String::new()),
        "pull" | "show" | "push" => (String::new(), arg(0)),
        _ => (String::new(), String::new()),
    };
    let releases = if release.is_empty() {
        Vec::new()
    } else {
        vec![release.clone()]
    };
    (release, releases, chart)
}

/// helm's `--dry-run` as the fact reports it for `verb`, covering helm 3 (3.13+ and the
/// older boolean flag) and helm 4. Read from helm's source (`pkg/cmd/helpers.go`
/// `cmdGetDryRunFlagStrategy`, `cmd/helm/install.go` `validateDryRunOptionFlag`,
/// `pkg/action/{install,upgrade,rollback,uninstall}.go`); pflag keeps the last
/// occurrence, and the bare form takes no value (`NoOptDefVal`).
///
/// `install`, `upgrade` (with or without `--install`: the install it falls back to gets
/// the same setting) and `rollback` (a string flag in helm 4, a boolean in helm 3):
///
/// - absent, `none`, false spellings, and `--dry-run=` (helm 3 reads the empty value as
///   `none`) → `false`: helm runs for real;
/// - bare `--dry-run`, `client`, helm 4's `unset` → `"client"`; `server` → `"server"`;
/// - true spellings (`--dry-run=true`, `=1`, `=t` …) → `true`, a client dry run;
/// - anything else → `false`: helm refuses the value, and a policy must not take it for
///   a dry run. Where one helm version refuses a value the other reads as a dry run
///   (`=client` on helm 3's boolean rollback, `=1` on helm 3.13+), nothing runs for real
///   in either, so the dry-run answer is safe.
///
/// `uninstall` has a boolean flag in every version: bare or a true spelling → `true`,
/// anything else → `false` (`--dry-run=client` is refused by pflag). Every other verb
/// has no `--dry-run` (helm stops with "unknown flag"), so it is `false`; `template`
/// keeps the string reading, since `--dry-run=server` makes it contact the cluster.
fn dry_run(verb: &str, value: Option<&Value>) -> Value {
    match verb {
        "install" | "upgrade" | "rollback" | "template" => dry_run_strategy(value),
        "uninstall" => Value::Bool(value.is_some_and(is_true) && !refused_bool(value)),
        _ => Value::Bool(false),
    }
}

/// The string form of `--dry-run` (install, upgrade, rollback, template).
fn dry_run_strategy(value: Option<&Value>) -> Value {
    match value {
        Some(Value::Bool(true)) => Value::String("client".into()),
        Some(Value::String(s)) => match s.as_str() {
            "client" | "unset" => Value::String("client".into()),
            "server" => Value::String("server".into()),
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Value::Bool(true),
            _ => Value::Bool(false),
        },
        _ => Value::Bool(false),
    }
}

/// True when a switch's value is one pflag refuses (`--dry-run=client` on a boolean).
fn refused_bool(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::String(s)) if !matches!(
        s.as_str(),
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    ))
}

/// A switch's value as pflag reads it: bare or a true spelling; an unparsable value
/// counts as true (helm refuses it, and over-reporting is the safe side).
fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => !matches!(s.as_str(), "0" | "f" | "F" | "false" | "FALSE" | "False"),
        _ => false,
    }
}

/// The canonical name of a subcommand alias (`repo rm` → `remove`, `plugin rm` →
/// `uninstall`, `dependency up` → `update`).
fn canonical_subverb<'a>(verb: &str, subverb: &'a str) -> &'a str {
    match (verb, subverb) {
        ("repo" | "plugin" | "dependency", "ls") => "list",
        ("repo" | "plugin" | "dependency", "up") => "update",
        ("repo", "rm") => "remove",
        ("plugin", "rm" | "remove") => "uninstall",
        _ => subverb,
    }
}

/// The target of a helm command: its kube context, classified with the cluster entry,
/// short cluster name and server as aliases.
pub fn target(h: &HelmFact, settings: &Settings) -> Target {
    super::target::classify(
        "cluster",
        &h.kube_context,
        &[&h.cluster, &h.cluster_name, &h.server],
        settings,
    )
}

#[cfg(test)]
mod tests;
