//! Which objects a kubectl command names: resource types normalised to their plural
//! canonical name, object names, and the namespace an argument itself carries
//! (`kubectl cp ns/pod:/path`, `kubectl get --raw /api/v1/namespaces/ns/...`).
//!
//! Pure: no I/O, no environment, no policy. Unknown words (custom resources, typos) are
//! kept as typed (lowercased, API group removed) rather than guessed at.

/// The objects one command line names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Objects {
    /// Every resource type named, normalised, in order of first mention, no repeats.
    pub resources: Vec<String>,
    /// Object names, in order.
    pub names: Vec<String>,
    /// A namespace named by an argument itself (`ns/pod:path`, a `--raw` path), which
    /// overrides `-n` and the context's namespace for that command.
    pub namespace: Option<String>,
    /// A `--raw` URI's path as the API server receives it (see [`request_path`]);
    /// `""` without `--raw`.
    pub raw_path: String,
    /// The subresource a `--raw` path names, `proxy` whenever any spelling of the path
    /// has a `proxy` segment; `""` when none.
    pub subresource: String,
}

impl Objects {
    /// The first resource type, or `""` when none is named.
    pub fn resource(&self) -> &str {
        self.resources.first().map_or("", String::as_str)
    }

    fn add_resource(&mut self, resource: String) {
        if !resource.is_empty() && !self.resources.contains(&resource) {
            self.resources.push(resource);
        }
    }

    fn add_name(&mut self, name: &str) {
        if !name.is_empty() {
            self.names.push(name.to_string());
        }
    }

    fn only(resource: &str) -> Objects {
        let mut out = Objects::default();
        out.add_resource(resource.to_string());
        out
    }
}

/// Built-in resource types: plural canonical name, then every other spelling kubectl
/// accepts for it (singular / lowercased kind, short names).
const RESOURCES: &[(&str, &[&str])] = &[
    ("pods", &["pod", "po"]),
    ("services", &["service", "svc"]),
    ("deployments", &["deployment", "deploy"]),
    ("replicasets", &["replicaset", "rs"]),
    ("statefulsets", &["statefulset", "sts"]),
    ("daemonsets", &["daemonset", "ds"]),
    ("replicationcontrollers", &["replicationcontroller", "rc"]),
    ("jobs", &["job"]),
    ("cronjobs", &["cronjob", "cj"]),
    ("namespaces", &["namespace", "ns"]),
    ("nodes", &["node", "no"]),
    ("configmaps", &["configmap", "cm"]),
    ("secrets", &["secret"]),
    ("serviceaccounts", &["serviceaccount", "sa"]),
    ("persistentvolumes", &["persistentvolume", "pv"]),
    ("persistentvolumeclaims", &["persistentvolumeclaim", "pvc"]),
    ("endpoints", &["ep"]),
    ("endpointslices", &["endpointslice"]),
    ("events", &["event", "ev"]),
    ("ingresses", &["ingress", "ing"]),
    ("ingressclasses", &["ingressclass"]),
    ("networkpolicies", &["networkpolicy", "netpol"]),
    (
        "horizontalpodautoscalers",
        &["horizontalpodautoscaler", "hpa"],
    ),
    ("poddisruptionbudgets", &["poddisruptionbudget", "pdb"]),
    ("storageclasses", &["storageclass", "sc"]),
    ("volumeattachments", &["volumeattachment"]),
    ("volumeattributesclasses", &["volumeattributesclass", "vac"]),
    ("csidrivers", &["csidriver"]),
    ("csinodes", &["csinode"]),
    ("csistoragecapacities", &["csistoragecapacity"]),
    ("resourcequotas", &["resourcequota", "quota"]),
    ("limitranges", &["limitrange", "limits"]),
    (
        "customresourcedefinitions",
        &["customresourcedefinition", "crd", "crds"],
    ),
    (
        "certificatesigningrequests",
        &["certificatesigningrequest", "csr"],
    ),
    ("roles", &["role"]),
    ("rolebindings", &["rolebinding"]),
    ("clusterroles", &["clusterrole"]),
    ("clusterrolebindings", &["clusterrolebinding"]),
    ("priorityclasses", &["priorityclass", "pc"]),
    ("podtemplates", &["podtemplate"]),
    ("controllerrevisions", &["controllerrevision"]),
    ("leases", &["lease"]),
    ("componentstatuses", &["componentstatus", "cs"]),
    ("apiservices", &["apiservice"]),
    (
        "mutatingwebhookconfigurations",
        &["mutatingwebhookconfiguration"],
    ),
    (
        "validatingwebhookconfigurations",
        &["validatingwebhookconfiguration"],
    ),
    (
        "validatingadmissionpolicies",
        &["validatingadmissionpolicy"],
    ),
    (
        "validatingadmissionpolicybindings",
        &["validatingadmissionpolicybinding"],
    ),
    ("mutatingadmissionpolicies", &["mutatingadmissionpolicy"]),
    (
        "mutatingadmissionpolicybindings",
        &["mutatingadmissionpolicybinding"],
    ),
    ("runtimeclasses", &["runtimeclass"]),
    ("flowschemas", &["flowschema"]),
    (
        "prioritylevelconfigurations",
        &["prioritylevelconfiguration"],
    ),
    ("podsecuritypolicies", &["podsecuritypolicy", "psp"]),
    ("bindings", &["binding"]),
    ("tokenreviews", &["tokenreview"]),
    ("subjectaccessreviews", &["subjectaccessreview"]),
    ("selfsubjectaccessreviews", &["selfsubjectaccessreview"]),
    ("localsubjectaccessreviews", &["localsubjectaccessreview"]),
    ("selfsubjectrulesreviews", &["selfsubjectrulesreview"]),
    ("selfsubjectreviews", &["selfsubjectreview"]),
    ("ipaddresses", &["ipaddress"]),
    ("servicecidrs", &["servicecidr"]),
    ("resourceclaims", &["resourceclaim"]),
    ("resourceclaimtemplates", &["resourceclaimtemplate"]),
    ("resourceslices", &["resourceslice"]),
    ("deviceclasses", &["deviceclass"]),
];

/// Normalises one resource-type word: lowercased, the API group or `version.group`
/// suffix dropped (`deployments.v1.apps` → `deployments`, as kubectl splits at the first
/// dot), short names and singulars mapped to the plural (`po` → `pods`,
/// `Deployment` → `deployments`). A word kubectl does not build in (a custom resource)
/// is returned lowercased and without its group, since its plural cannot be known
/// without asking the cluster.
pub fn normalize(word: &str) -> String {
    let lower = word.trim().to_ascii_lowercase();
    let bare = lower.split('.').next().unwrap_or_default();
    RESOURCES
        .iter()
        .find(|(plural, others)| *plural == bare || others.contains(&bare))
        .map_or_else(|| bare.to_string(), |(plural, _)| (*plural).to_string())
}

/// The objects named by a command's positional arguments.
///
/// `args` are the walker's positionals (those after `--` included, from `dashdash_at`);
/// `raw` is the value of `--raw` if given. How the positionals are read depends on the
/// verb:
///
/// - `get`, `describe`, `delete`, `edit`, `patch`, `scale`, … and the subverb forms
///   `rollout …`, `set …`, `apply view-last-applied`, `top pod|node`: the
///   `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…` forms; for `label`, `annotate`, `taint` and
///   `set` the `key=value` / `key-` arguments are not names.
/// - `logs`, `exec`, `attach`, `port-forward`, `debug`: the first argument is a pod, or
///   a `TYPE/NAME` (`deploy/web`); container names, ports and the command after `--`
///   are not objects.
/// - `run NAME`: a pod. `drain`, `cordon`, `uncordon`: nodes. `certificate approve`:
///   certificate signing requests. `events`: events. `explain TYPE.field`: the type.
/// - `cp`: the pod of the `[ns/]pod:path` argument, and its namespace.
/// - `create SUBVERB`: the subverb is the kind (`create secret generic NAME` →
///   `secrets` + `[NAME]`; `create token SA` → `serviceaccounts` + `[SA]`).
/// - `get|create|replace|delete --raw /api/...`: the resource, name and namespace in the
///   API path.
/// - Everything else (`config`, `auth`, `apply -f`, `diff`, plugins, unknown verbs):
///   nothing, because their words are not object references.
pub fn objects(
    verb: &str,
    subverb: &str,
    args: &[String],
    dashdash_at: Option<usize>,
    raw: Option<&str>,
) -> Objects {
    if let Some(path) = raw.filter(|_| matches!(verb, "get" | "create" | "replace" | "delete")) {
        return raw_path(path);
    }
    let before_dash = args
        .get(..dashdash_at.unwrap_or(args.len()))
        .unwrap_or(args);
    match verb {
        "get" | "describe" | "delete" | "edit" | "patch" | "scale" | "autoscale" | "expose"
        | "wait" | "replace" | "rollout" | "top" => type_args(args.iter()),
        "apply" if !subverb.is_empty() => type_args(args.iter()),
        "label" | "annotate" => type_args(args.iter().filter(|a| !is_key_arg(a))),
        "taint" => type_args(args.iter().filter(|a| !is_key_arg(a) && !a.contains(':'))),
        "set" => type_args(args.iter().filter(|a| !a.contains('='))),
        "logs" | "exec" | "attach" | "port-forward" | "debug" => pod_first(before_dash),
        "run" => {
            let mut out = Objects::only("pods");
            if let Some(name) = before_dash.first() {
                out.add_name(name);
            }
            out
        }
        "drain" | "cordon" | "uncordon" => named("nodes", args),
        "certificate" => named("certificatesigningrequests", args),
        "events" => Objects::only("events"),
        "explain" => args
            .first()
            .map_or_else(Objects::default, |a| Objects::only(&normalize(a))),
        "cp" => copy_spec(before_dash),
        "create" => create(subverb, args),
        _ => Objects::default(),
    }
}

/// `key=value` and `key-` arguments of `label`, `annotate` and `taint`. Object names are
/// DNS labels and can end in neither.
fn is_key_arg(arg: &str) -> bool {
    arg.contains('=') || arg.ends_with('-')
}

fn named(resource: &str, args: &[String]) -> Objects {
    let mut out = Objects::only(resource);
    for name in args {
        out.add_name(name);
    }
    out
}

/// kubectl's resource-builder forms: `TYPE[,TYPE…] NAME…`, `TYPE/NAME…`. A mix (which
/// kubectl rejects) is read the generous way: every type mentioned is reported.
fn type_args<'a>(mut args: impl Iterator<Item = &'a String>) -> Objects {
    let mut out = Objects::default();
    let Some(first) = args.next() else {
        return out;
    };
    if first.contains('/') {
        add_type_name(&mut out, first);
    } else {
        for kind in first.split(',') {
            out.add_resource(normalize(kind));
        }
    }
    for arg in args {
        if arg.contains('/') {
            add_type_name(&mut out, arg);
        } else {
            out.add_name(arg);
        }
    }
    out
}

fn add_type_name(out: &mut Objects, arg: &str) {
    if let Some((kind, name)) = arg.split_once('/') {
        out.add_resource(normalize(kind));
        out.add_name(name);
    }
}

/// `logs POD`, `exec deploy/web`: a pod unless the argument says `TYPE/NAME`.
fn pod_first(args: &[String]) -> Objects {
    let mut out = Objects::default();
    match args.first() {
        Some(first) if first.contains('/') => add_type_name(&mut out, first),
        Some(first) => {
            out.add_resource("pods".to_string());
            out.add_name(first);
        }
        None => out.add_resource("pods".to_string()),
    }
    out
}

/// `kubectl cp [ns/]pod:path local` or the reverse: kubectl splits each argument at its
/// first `:`; the part before it is `pod` or `namespace/pod`.
fn copy_spec(args: &[String]) -> Objects {
    for arg in args {
        let Some((pod, _path)) = arg.split_once(':') else {
            continue;
        };
        if pod.is_empty() {
            continue;
        }
        let mut out = Objects::only("pods");
        match pod.split('/').collect::<Vec<_>>().as_slice() {
            [name] => out.add_name(name),
            [namespace, name] => {
                out.add_name(name);
                out.namespace = Some((*namespace).to_string());
            }
            _ => continue,
        }
        return out;
    }
    Objects::default()
}

/// `create KIND …`: the subverb is the kind. `create secret` and `create service` take
/// a sub-type word first (`generic`, `tls`, `clusterip`, …); `create token SA` asks for
/// a token of the service account SA.
fn create(subverb: &str, args: &[String]) -> Objects {
    if subverb.is_empty() {
        return Objects::default();
    }
    let kind = match normalize(subverb).as_str() {
        "token" => "serviceaccounts".to_string(),
        other => other.to_string(),
    };
    let name_at = usize::from(matches!(kind.as_str(), "secrets" | "services"));
    let mut out = Objects::only(&kind);
    if let Some(name) = args.get(name_at) {
        out.add_name(name);
    }
    out
}

/// An API path given to `--raw`: `/api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB…]]` or
/// `/apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUB…]]`, read as the API server
/// receives it (see [`request_path`]). Non-resource paths (`/healthz`, `/metrics`) name
/// nothing.
///
/// `subresource` is `proxy` whenever a `proxy` segment appears in the path before or
/// after `..` is resolved, anywhere (`/api/v1/proxy/…` is the legacy proxy form, and the
/// API server may see either spelling): a path that opens a way through the API server
/// into a pod, service or node is never mistaken for a read.
pub fn raw_path(uri: &str) -> Objects {
    let mut out = Objects::default();
    let Some(decoded) = request_path(uri) else {
        return out;
    };
    let cleaned = clean(&decoded);
    let any_proxy = decoded
        .split('/')
        .chain(cleaned.split('/'))
        .any(|s| s == "proxy");
    let segments: Vec<&str> = cleaned.split('/').filter(|s| !s.is_empty()).collect();
    out.raw_path.clone_from(&cleaned);
    let rest = match segments.as_slice() {
        ["api", _version, rest @ ..] => rest,
        ["apis", _group, _version, rest @ ..] => rest,
        _ => &[][..],
    };
    let tail = match rest {
        ["namespaces", namespace, resource, tail @ ..] => {
            out.namespace = Some((*namespace).to_string());
            out.add_resource(normalize(resource));
            tail
        }
        [resource, tail @ ..] => {
            out.add_resource(normalize(resource));
            tail
        }
        [] => &[][..],
    };
    if let Some(name) = tail.first() {
        out.add_name(name);
    }
    out.subresource = if any_proxy {
        "proxy".to_string()
    } else {
        tail.get(1).map(|s| (*s).to_string()).unwrap_or_default()
    };
    out
}

/// The path client-go sends for `RequestURI(uri)`: Go's `url.Parse` takes the path
/// part (after a scheme and a `//host` authority, before `?` and `#`) and
/// percent-decodes it; the request then carries that decoded path, so `%2F` becomes a
/// real `/` on the wire. `None` where `url.Parse` fails (kubectl then sends nothing) or
/// the URI has no path.
pub fn request_path(uri: &str) -> Option<String> {
    let uri = uri.split('#').next().unwrap_or_default();
    let rest = match scheme_end(uri) {
        Some(at) => uri.get(at + 1..).unwrap_or_default(),
        None => uri,
    };
    let has_scheme = rest.len() != uri.len();
    let rest = rest.split('?').next().unwrap_or_default();
    if !rest.starts_with('/') {
        // `scheme:opaque` has no path; a colon in a relative first segment is an error.
        return None;
    }
    let rest = if (has_scheme || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = rest.get(2..).unwrap_or_default();
        after
            .find('/')
            .map_or("", |i| after.get(i..).unwrap_or_default())
    } else {
        rest
    };
    percent_decode(rest)
}

/// Go's `getScheme`: the index of the `:` ending a scheme (`[A-Za-z][A-Za-z0-9+.-]*:`).
fn scheme_end(uri: &str) -> Option<usize> {
    for (i, c) in uri.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i > 0 => return Some(i),
            _ => return None,
        }
    }
    None
}

/// Go's `unescape(s, encodePath)`: `%XX` decoded, a malformed escape is an error; `+`
/// stays `+` in a path. Bytes that do not form UTF-8 are replaced, which only ever
/// makes a segment match nothing.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex)
                .ok()
                .filter(|t| t.chars().all(|c| c.is_ascii_hexdigit()))?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `path.Clean` for an absolute path: repeated slashes collapsed, `.` dropped, `..`
/// removing the segment before it (never above the root).
fn clean(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case("ns", "namespaces")]
    #[case("namespace", "namespaces")]
    #[case("po", "pods")]
    #[case("Pod", "pods")]
    #[case("svc", "services")]
    #[case("deploy", "deployments")]
    #[case("Deployment", "deployments")]
    #[case("deployments.apps", "deployments")]
    #[case("deployments.v1.apps", "deployments")]
    #[case("deploy.apps", "deployments")]
    #[case("secret", "secrets")]
    #[case("Secrets", "secrets")]
    #[case("secrets.v1.", "secrets")]
    #[case("cm", "configmaps")]
    #[case("sts", "statefulsets")]
    #[case("ds", "daemonsets")]
    #[case("rs", "replicasets")]
    #[case("ing", "ingresses")]
    #[case("pv", "persistentvolumes")]
    #[case("pvc", "persistentvolumeclaims")]
    #[case("sa", "serviceaccounts")]
    #[case("crd", "customresourcedefinitions")]
    #[case("crds", "customresourcedefinitions")]
    #[case("no", "nodes")]
    #[case("node", "nodes")]
    #[case("ep", "endpoints")]
    #[case("endpoints", "endpoints")]
    #[case("ev", "events")]
    #[case("events.events.k8s.io", "events")]
    #[case("hpa", "horizontalpodautoscalers")]
    #[case("cj", "cronjobs")]
    #[case("job", "jobs")]
    #[case("netpol", "networkpolicies")]
    #[case("pdb", "poddisruptionbudgets")]
    #[case("sc", "storageclasses")]
    #[case("quota", "resourcequotas")]
    #[case("limits", "limitranges")]
    #[case("csr", "certificatesigningrequests")]
    #[case("rolebinding", "rolebindings")]
    #[case("clusterrole", "clusterroles")]
    #[case("NetworkPolicy", "networkpolicies")]
    #[case("all", "all")]
    #[case("certificates.cert-manager.io", "certificates")]
    #[case("widget", "widget")]
    #[case("", "")]
    fn normalises_resource_words(#[case] word: &str, #[case] want: &str) {
        assert_eq!(normalize(word), want);
    }

    #[rstest]
    #[case::plain("get", "", "pods", "pods", "pods", "")]
    #[case::names("delete", "", "ns y z", "namespaces", "namespaces", "y z")]
    #[case::type_name("get", "", "deploy/web", "deployments", "deployments", "web")]
    #[case::several_type_names("delete", "", "pod/a pod/b", "pods", "pods", "a b")]
    #[case::mixed_type_names(
        "get",
        "",
        "rc/web svc/front",
        "replicationcontrollers",
        "replicationcontrollers services",
        "web front"
    )]
    #[case::comma_list("get", "", "po,svc", "pods", "pods services", "")]
    #[case::comma_list_names(
        "get",
        "",
        "deploy,svc web",
        "deployments",
        "deployments services",
        "web"
    )]
    #[case::comma_secrets_second("get", "", "pods,secrets", "pods", "pods secrets", "")]
    #[case::grouped("get", "", "deployments.apps web", "deployments", "deployments", "web")]
    #[case::nothing("get", "", "", "", "", "")]
    #[case::label("label", "", "pods web app=x tier-", "pods", "pods", "web")]
    #[case::annotate(
        "annotate",
        "",
        "deploy/web note=hi",
        "deployments",
        "deployments",
        "web"
    )]
    #[case::taint(
        "taint",
        "",
        "nodes n1 dedicated=gpu:NoSchedule gpu:NoSchedule-",
        "nodes",
        "nodes",
        "n1"
    )]
    #[case::rollout("rollout", "restart", "deploy/x", "deployments", "deployments", "x")]
    #[case::set_image(
        "set",
        "image",
        "deploy/web web=nginx:1.27",
        "deployments",
        "deployments",
        "web"
    )]
    #[case::apply_subverb("apply", "view-last-applied", "secret/db", "secrets", "secrets", "db")]
    #[case::apply_file("apply", "", "", "", "", "")]
    #[case::top_pod("top", "", "pod web", "pods", "pods", "web")]
    #[case::top_node("top", "", "node", "nodes", "nodes", "")]
    #[case::logs("logs", "", "web-1 sidecar", "pods", "pods", "web-1")]
    #[case::logs_type("logs", "", "deploy/web", "deployments", "deployments", "web")]
    #[case::port_forward("port-forward", "", "svc/db 5432:5432", "services", "services", "db")]
    #[case::debug_node("debug", "", "node/n1", "nodes", "nodes", "n1")]
    #[case::run("run", "", "tmp", "pods", "pods", "tmp")]
    #[case::drain("drain", "", "n1 n2", "nodes", "nodes", "n1 n2")]
    #[case::csr(
        "certificate",
        "approve",
        "csr-1",
        "certificatesigningrequests",
        "certificatesigningrequests",
        "csr-1"
    )]
    #[case::events("events", "", "", "events", "events", "")]
    #[case::explain("explain", "", "pods.spec.containers", "pods", "pods", "")]
    #[case::create_secret("create", "secret", "generic db", "secrets", "secrets", "db")]
    #[case::create_service("create", "service", "clusterip web", "services", "services", "web")]
    #[case::create_ns("create", "ns", "team-a", "namespaces", "namespaces", "team-a")]
    #[case::create_deploy("create", "deployment", "web", "deployments", "deployments", "web")]
    #[case::create_token(
        "create",
        "token",
        "builder",
        "serviceaccounts",
        "serviceaccounts",
        "builder"
    )]
    #[case::create_file("create", "", "", "", "", "")]
    #[case::config("config", "use-context", "prod", "", "", "")]
    #[case::plugin("ctx", "", "prod", "", "", "")]
    fn objects_by_verb(
        #[case] verb: &str,
        #[case] subverb: &str,
        #[case] args: &str,
        #[case] resource: &str,
        #[case] resources: &str,
        #[case] names: &str,
    ) {
        let got = objects(verb, subverb, &words(args), None, None);
        assert_eq!(got.resource(), resource);
        assert_eq!(got.resources.join(" "), resources);
        assert_eq!(got.names.join(" "), names);
    }

    #[test]
    fn exec_ignores_the_command_after_dashdash() {
        let args = words("web sh -c ls");
        let got = objects("exec", "", &args, Some(1), None);
        assert_eq!(got.resources, vec!["pods"]);
        assert_eq!(got.names, vec!["web"]);
    }

    #[test]
    fn delete_reads_objects_after_dashdash() {
        // `kubectl delete -- ns prod` deletes namespace prod: cobra hands the words
        // after `--` to the command as ordinary arguments.
        let args = words("ns prod");
        let got = objects("delete", "", &args, Some(0), None);
        assert_eq!(got.resources, vec!["namespaces"]);
        assert_eq!(got.names, vec!["prod"]);
    }

    #[rstest]
    #[case("web:/etc/hosts ./hosts", "web", None)]
    #[case("./local prod/web:/tmp/x", "web", Some("prod"))]
    #[case("./a ./b", "", None)]
    fn copy_names_the_pod(#[case] args: &str, #[case] name: &str, #[case] ns: Option<&str>) {
        let got = objects("cp", "", &words(args), None, None);
        assert_eq!(got.names.join(" "), name);
        assert_eq!(got.namespace.as_deref(), ns);
    }

    #[rstest]
    #[case(
        "/api/v1/namespaces/kube-system/secrets/tok",
        "secrets",
        "tok",
        Some("kube-system")
    )]
    #[case("/api/v1/namespaces/prod/secrets", "secrets", "", Some("prod"))]
    #[case("/api/v1/secrets?limit=5", "secrets", "", None)]
    #[case(
        "/apis/apps/v1/namespaces/a/deployments/web/scale",
        "deployments",
        "web",
        Some("a")
    )]
    #[case("/api/v1/namespaces/prod", "namespaces", "prod", None)]
    #[case("/api/v1/nodes/n1/proxy/metrics", "nodes", "n1", None)]
    #[case(
        "https://10.0.0.1:6443/api/v1/namespaces/x/pods",
        "pods",
        "",
        Some("x")
    )]
    #[case("/healthz", "", "", None)]
    #[case("/metrics", "", "", None)]
    fn raw_paths(
        #[case] path: &str,
        #[case] resource: &str,
        #[case] names: &str,
        #[case] ns: Option<&str>,
    ) {
        let got = objects("get", "", &[], None, Some(path));
        assert_eq!(got.resource(), resource);
        assert_eq!(got.names.join(" "), names);
        assert_eq!(got.namespace.as_deref(), ns);
    }

    /// The path the API server receives (client-go `RequestURI`: Go `url.Parse`, the
    /// decoded path sent as is) and the subresource it names.
    #[rstest]
    #[case::plain(
        "/api/v1/namespaces/d/services/web/proxy/x",
        Some("/api/v1/namespaces/d/services/web/proxy/x"),
        "proxy"
    )]
    #[case::pod_proxy(
        "/api/v1/namespaces/d/pods/p/proxy",
        Some("/api/v1/namespaces/d/pods/p/proxy"),
        "proxy"
    )]
    #[case::node_proxy(
        "/api/v1/nodes/n1/proxy/configz",
        Some("/api/v1/nodes/n1/proxy/configz"),
        "proxy"
    )]
    #[case::encoded_letter(
        "/api/v1/namespaces/d/services/web/%70roxy",
        Some("/api/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::encoded_slash(
        "/api/v1/namespaces/d/services/web%2Fproxy",
        Some("/api/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::double_slash(
        "//api/v1//namespaces/d/services/web/proxy",
        Some("/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::triple_slash(
        "///api/v1/namespaces/d/services/web/proxy",
        Some("/api/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::dot_dot(
        "/api/v1/namespaces/d/services/web/x/../proxy/",
        Some("/api/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::proxy_then_dot_dot(
        "/api/v1/namespaces/d/pods/p/proxy/../../../../../healthz",
        Some("/api/v1/healthz"),
        "proxy"
    )]
    #[case::legacy(
        "/api/v1/proxy/namespaces/d/services/web/",
        Some("/api/v1/proxy/namespaces/d/services/web"),
        "proxy"
    )]
    #[case::with_host(
        "https://other/api/v1/namespaces/d/services/web/proxy?x=1#f",
        Some("/api/v1/namespaces/d/services/web/proxy"),
        "proxy"
    )]
    #[case::log(
        "/api/v1/namespaces/d/pods/p/log",
        Some("/api/v1/namespaces/d/pods/p/log"),
        "log"
    )]
    #[case::object(
        "/apis/apps/v1/namespaces/d/deployments/web",
        Some("/apis/apps/v1/namespaces/d/deployments/web"),
        ""
    )]
    #[case::bad_escape("/api/v1/%zz", None, "")]
    #[case::opaque("x:api/v1/namespaces/d/services/web/proxy", None, "")]
    fn raw_paths_as_the_api_server_sees_them(
        #[case] uri: &str,
        #[case] path: Option<&str>,
        #[case] subresource: &str,
    ) {
        assert_eq!(
            request_path(uri).map(|p| clean(&p)).as_deref(),
            path,
            "{uri}"
        );
        assert_eq!(raw_path(uri).subresource, subresource, "{uri}");
    }
}
