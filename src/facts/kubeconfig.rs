//! Kubeconfig loading, merging and resolution, shared by the kubectl and helm enrichers.
//!
//! Owns: finding the kubeconfig files exactly as client-go does (an explicit file, else
//! every file in `KUBECONFIG`, else `$HOME/.kube/config` with `HOME` exactly as set, and
//! the old `.kubeconfig` client-go migrates), reading each file as client-go does (see
//! `goyaml`: a YAML reader of our own rules on top of `yaml_serde`, because go-yaml v2's
//! merge keys, duplicate keys and first-document rule decide the cluster and serde's
//! derive cannot express them), merging them (first file wins per context, cluster and
//! user name; first non-empty `current-context` wins), and resolving the effective
//! context, cluster, user, server and namespace under command-line overrides —
//! including client-go's fallbacks to `KUBERNETES_MASTER` and to the in-cluster service
//! account.
//!
//! Reads files only: no subprocesses, no network, never writes. Never fails: a file that
//! exists but cannot be read or parsed exactly, or a path that is not UTF-8, becomes an
//! entry in the caller's `uncertain` list naming it (kubectl files it under the target's
//! doubts); a file that does not exist is skipped, as client-go skips it.

mod goyaml;

use super::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where a pod's service account credentials are mounted; client-go's in-cluster
/// configuration looks here.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Larger files are refused rather than read: a kubeconfig is a few hundred kilobytes at
/// most, and a path such as `/dev/zero` must not stall the guard.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A value given on the command line or in the environment, with where it came from
/// (`--context`, `HELM_KUBECONTEXT`) so messages can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given<'a> {
    /// The value as given.
    pub value: &'a str,
    /// The flag or variable it came from, e.g. `--context`.
    pub origin: &'a str,
}

impl<'a> Given<'a> {
    /// `value` given by `origin`; `None` when `value` is absent or empty, since client-go
    /// treats an empty override as no override.
    pub fn new(value: Option<&'a str>, origin: &'a str) -> Option<Given<'a>> {
        value
            .filter(|v| !v.is_empty())
            .map(|value| Given { value, origin })
    }
}

/// One context entry: which cluster and user it pairs, and its default namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextEntry {
    /// Cluster entry name.
    pub cluster: String,
    /// User entry name.
    pub user: String,
    /// Default namespace, `""` when unset.
    pub namespace: String,
}

/// One cluster entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterEntry {
    /// API server URL, `""` when unset.
    pub server: String,
}

/// The in-cluster configuration client-go falls back to inside a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InCluster {
    /// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`.
    pub server: String,
    /// `POD_NAMESPACE`, else the service account's namespace file, else `default`.
    pub namespace: String,
}

/// The merged kubeconfig, plus what client-go would fall back to without one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kubeconfig {
    /// Files read and merged, in order (missing and unreadable files are not listed).
    pub files: Vec<String>,
    /// The first non-empty `current-context`.
    pub current_context: String,
    /// Context entries by name (first file wins).
    pub contexts: BTreeMap<String, ContextEntry>,
    /// Cluster entries by name (first file wins).
    pub clusters: BTreeMap<String, ClusterEntry>,
    /// User entry names.
    pub users: BTreeSet<String>,
    /// `KUBERNETES_MASTER`: client-go's server for a cluster entry that has none.
    pub default_server: String,
    /// Set when in-cluster configuration is possible (inside a pod with a mounted
    /// service account token).
    pub in_cluster: Option<InCluster>,
    /// Things that make the tool stop with an error before it reaches a cluster (an
    /// explicit kubeconfig that does not exist). The caller decides whether they matter
    /// for its command, and moves them to `uncertain` if so.
    pub problems: Vec<String>,
}

/// Command-line (or environment) overrides of the kubeconfig.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides<'a> {
    /// Context to use instead of `current-context`.
    pub context: Option<Given<'a>>,
    /// Cluster entry to use instead of the context's.
    pub cluster: Option<Given<'a>>,
    /// User entry to use instead of the context's.
    pub user: Option<Given<'a>>,
    /// Server URL to use instead of the cluster's.
    pub server: Option<Given<'a>>,
    /// Namespace to use instead of the context's.
    pub namespace: Option<Given<'a>>,
}

/// Where a command lands, after the overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Effective context name (`""` when there is none).
    pub context: String,
    /// Cluster entry name.
    pub cluster: String,
    /// Short cluster name: see [`short_cluster_name`].
    pub cluster_name: String,
    /// API server URL (`""` when unknown).
    pub server: String,
    /// User entry name.
    pub user: String,
    /// Effective namespace; never empty.
    pub namespace: String,
    /// True when client-go would use the pod's in-cluster configuration: no server
    /// could be found in the kubeconfig or on the command line, and the process runs in
    /// a pod with a service account token mounted.
    pub in_cluster: bool,
    /// Why the tool would stop with an error before contacting any cluster (a named
    /// context, cluster or user that is not defined; a missing explicit kubeconfig),
    /// worded for `uncertain`.
    pub problems: Vec<String>,
}

/// Loads the kubeconfig the way client-go does. `explicit` is `--kubeconfig`: when
/// given, only that file is read, and its absence is recorded in
/// [`Kubeconfig::problems`]. Relative paths are taken from `ctx.cwd`.
///
/// Never fails: a file that exists but cannot be read or parsed is skipped and an
/// `uncertain` entry naming it is pushed.
pub fn load(explicit: Option<Given<'_>>, ctx: &Context, uncertain: &mut Vec<String>) -> Kubeconfig {
    load_with(explicit, ctx, Path::new(SERVICE_ACCOUNT_DIR), uncertain)
}

/// [`load`] with the service account directory made explicit (tests point it at a
/// temporary directory).
pub fn load_with(
    explicit: Option<Given<'_>>,
    ctx: &Context,
    service_account_dir: &Path,
    uncertain: &mut Vec<String>,
) -> Kubeconfig {
    let mut config = Kubeconfig::default();
    match explicit.filter(|g| !g.value.is_empty()) {
        Some(given) if given.value.contains(char::REPLACEMENT_CHARACTER) => {
            uncertain.push(not_utf8(given.origin));
        }
        Some(given) => {
            let path = absolute(ctx, given.value);
            match read_text(&path) {
                Ok(None) => config.problems.push(format!(
                    "kubeconfig `{}` given by `{}` does not exist",
                    path.display(),
                    given.origin
                )),
                Ok(Some(text)) => config.merge_text(&path, &text, uncertain),
                Err(cause) => uncertain.push(unreadable(&path, &cause)),
            }
        }
        None => match search_path(ctx) {
            Err(why) => uncertain.push(why),
            Ok(paths) => {
                for path in paths {
                    match read_text(&path) {
                        Ok(None) => {}
                        Ok(Some(text)) => config.merge_text(&path, &text, uncertain),
                        Err(cause) => uncertain.push(unreadable(&path, &cause)),
                    }
                }
            }
        },
    }
    config.default_server = ctx.var("KUBERNETES_MASTER").unwrap_or_default().to_string();
    config.in_cluster = in_cluster(ctx, service_account_dir);
    config
}

/// The files client-go would read without an explicit kubeconfig: every non-empty entry
/// of `KUBECONFIG` (colon-separated, duplicates dropped, relative entries taken from
/// `ctx.cwd`) when the variable is set and non-empty, else the home file (see
/// [`home_file`]).
///
/// # Errors
/// A message for `uncertain` when the variable or `HOME` is not valid UTF-8: the file kubectl would read cannot be named then.
pub fn search_path(ctx: &Context) -> Result<Vec<PathBuf>, String> {
    match ctx.var("KUBECONFIG") {
        Some(list) if list.contains(char::REPLACEMENT_CHARACTER) => Err(not_utf8("KUBECONFIG")),
        Some(list) => {
            let mut seen: Vec<&str> = Vec::new();
            for entry in list.split(':').filter(|e| !e.is_empty()) {
                if !seen.contains(&entry) {
                    seen.push(entry);
                }
            }
            Ok(seen.into_iter().map(|e| absolute(ctx, e)).collect())
        }
        None => home_file(ctx).map(|f| vec![f]),
    }
}

/// client-go's home kubeconfig: `$HOME/.kube/config`, where `$HOME` is the variable
/// exactly as set (`homedir.HomeDir()` on Unix reads `HOME` and nothing else), so with
/// `HOME` unset or empty it is `.kube/config` in the working directory — checked with
/// the real kubectl. When that file does not exist but the old default
/// `$HOME/.kube/.kubeconfig` does, client-go's migration copies the old file into place
/// before reading, so the old file is the one read.
///
/// # Errors
/// A message for `uncertain` when `HOME` is not valid UTF-8.
pub fn home_file(ctx: &Context) -> Result<PathBuf, String> {
    let home = ctx.env.get("HOME").map(String::as_str).unwrap_or_default();
    if home.contains(char::REPLACEMENT_CHARACTER) {
        return Err(not_utf8("HOME"));
    }
    let dir = absolute(ctx, &Path::new(home).join(".kube").display().to_string());
    let current = dir.join("config");
    let old = dir.join(".kubeconfig");
    // client-go migrates only when the new file is missing (not merely unreadable) and
    // the old one can be stat'ed; both checks follow symlinks, as `os.Stat` does.
    let missing =
        matches!(std::fs::metadata(&current), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    if missing && std::fs::metadata(&old).is_ok() {
        return Ok(old);
    }
    Ok(current)
}

fn not_utf8(origin: &str) -> String {
    format!("the kubeconfig path given by `{origin}` is not valid UTF-8, so failsafe cannot read the file kubectl would read")
}

/// Shortens a cluster entry name for display and classification: the part after
/// `cluster/` of an EKS ARN (`arn:aws:eks:eu-west-1:123456789012:cluster/shop` →
/// `shop`), the last `_` field of a GKE name (`gke_proj_europe-west1_shop` → `shop`),
/// else the name unchanged.
pub fn short_cluster_name(name: &str) -> String {
    let arn: Vec<&str> = name.splitn(6, ':').collect();
    if let ["arn", _partition, "eks", _region, _account, resource] = arn.as_slice() {
        if let Some(short) = resource.strip_prefix("cluster/").filter(|s| !s.is_empty()) {
            return short.to_string();
        }
    }
    if let Some(rest) = name.strip_prefix("gke_") {
        let fields: Vec<&str> = rest.split('_').collect();
        if let [_project, _location, .., last] = fields.as_slice() {
            if !last.is_empty() {
                return (*last).to_string();
            }
        }
    }
    name.to_string()
}

impl Kubeconfig {
    /// Resolves the effective context, cluster, user, server and namespace:
    ///
    /// - context: the override, else `current-context`;
    /// - cluster and user: the override, else the context's;
    /// - server: the override, else the cluster's, else `KUBERNETES_MASTER`, else the
    ///   in-cluster server when that is possible;
    /// - namespace: the override, else the context's, else (in a pod) the service
    ///   account's, else `default` — client-go's order.
    ///
    /// A context, cluster or user named but not defined lands in
    /// [`Resolved::problems`] (client-go refuses to run then), and the name is still
    /// reported.
    pub fn resolve(&self, overrides: &Overrides<'_>) -> Resolved {
        let mut problems = self.problems.clone();
        let context = match overrides.context {
            Some(given) => given.value.to_string(),
            None => self.current_context.clone(),
        };
        let entry = self.contexts.get(&context);
        if entry.is_none() && !context.is_empty() {
            problems.push(match overrides.context {
                Some(given) => format!(
                    "context `{context}` given by `{}` is not defined in {}",
                    given.origin,
                    self.described()
                ),
                None => format!(
                    "current-context `{context}` is not defined in {}",
                    self.described()
                ),
            });
        }
        let entry = entry.cloned().unwrap_or_default();
        let cluster = match overrides.cluster {
            Some(given) => {
                if !self.clusters.contains_key(given.value) {
                    problems.push(self.undefined("cluster", given));
                }
                given.value.to_string()
            }
            None => entry.cluster,
        };
        let user = match overrides.user {
            Some(given) => {
                if !self.users.contains(given.value) {
                    problems.push(self.undefined("user", given));
                }
                given.value.to_string()
            }
            None => entry.user,
        };
        let mut server = match overrides.server {
            Some(given) => given.value.to_string(),
            None => self
                .clusters
                .get(&cluster)
                .map(|c| c.server.clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| self.default_server.clone()),
        };
        // client-go falls back to the pod's service account only when the kubeconfig
        // gave it nothing usable; a named-but-undefined entry is an error instead.
        let in_cluster = server.is_empty() && problems.is_empty() && self.in_cluster.is_some();
        if in_cluster {
            if let Some(ic) = &self.in_cluster {
                server.clone_from(&ic.server);
            }
        }
        let namespace = match overrides.namespace {
            Some(given) => given.value.to_string(),
            None if !entry.namespace.is_empty() => entry.namespace,
            None => self
                .in_cluster
                .as_ref()
                .filter(|_| problems.is_empty())
                .map_or_else(|| "default".to_string(), |ic| ic.namespace.clone()),
        };
        Resolved {
            cluster_name: short_cluster_name(&cluster),
            context,
            cluster,
            server,
            user,
            namespace,
            in_cluster,
            problems,
        }
    }

    fn undefined(&self, what: &str, given: Given<'_>) -> String {
        format!(
            "{what} `{}` given by `{}` is not defined in {}",
            given.value,
            given.origin,
            self.described()
        )
    }

    /// "the kubeconfig (`a`, `b`)" or "any kubeconfig (none was found)".
    fn described(&self) -> String {
        if self.files.is_empty() {
            return "any kubeconfig (none was found)".to_string();
        }
        let list: Vec<String> = self.files.iter().map(|f| format!("`{f}`")).collect();
        format!("the kubeconfig ({})", list.join(", "))
    }

    fn merge_text(&mut self, path: &Path, text: &str, uncertain: &mut Vec<String>) {
        match parse(text) {
            Ok(file) => self.merge(path.display().to_string(), file),
            Err(cause) => uncertain.push(format!(
                "kubeconfig `{}` cannot be parsed: {cause}",
                path.display()
            )),
        }
    }

    /// Merges one more file under the ones already merged: existing names win, and the
    /// first non-empty `current-context` wins (client-go's rule).
    fn merge(&mut self, path: String, file: FileConfig) {
        self.files.push(path);
        if self.current_context.is_empty() {
            self.current_context = file.current_context;
        }
        for (name, entry) in file.contexts {
            self.contexts.entry(name).or_insert(entry);
        }
        for (name, entry) in file.clusters {
            self.clusters.entry(name).or_insert(entry);
        }
        self.users.extend(file.users);
    }
}

/// One parsed kubeconfig file, lists turned into maps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FileConfig {
    current_context: String,
    contexts: BTreeMap<String, ContextEntry>,
    clusters: BTreeMap<String, ClusterEntry>,
    users: BTreeSet<String>,
}

/// Parses a YAML document of kubectl's (`what`: kubeconfig, kuberc) into `T`; `None` for
/// an empty document. The error names only the position and the kind of problem, never
/// the parser's own message: that message can quote file content, and in a sealed install
/// failsafe may read files the agent itself cannot.
pub(crate) fn parse_yaml_quietly<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<Option<T>, String> {
    // yaml_serde stops after the first mapping entry of a text that starts with a byte
    // order mark (without an error); go-yaml skips the mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    yaml_serde::from_str(text).map_err(|e| match e.location() {
        Some(at) => format!(
            "not a valid {what} (line {}, column {})",
            at.line(),
            at.column()
        ),
        None => format!("not a valid {what}"),
    })
}

/// Parses one kubeconfig file the way client-go does (see [`goyaml`]): the first
/// document, go-yaml v2 merge keys and duplicate keys, then the JSON step's types. An
/// empty document is an empty kubeconfig.
///
/// The error names only the position and the kind of problem, never file content: in
/// the sealed install failsafe may read files the agent itself cannot.
fn parse(text: &str) -> Result<FileConfig, String> {
    use goyaml::Node;
    let root = goyaml::parse_first_document(text)?;
    if !matches!(root, Node::Map(_) | Node::Null) {
        return Err("it is not a mapping".to_string());
    }
    // The JSON step: a string field takes a string or null; anything else makes
    // client-go refuse the whole file.
    let string = |node: Option<&Node>, what: &str| -> Result<String, String> {
        match node {
            None | Some(Node::Null) => Ok(String::new()),
            Some(Node::Str(s)) => Ok(s.clone()),
            Some(_) => Err(format!("`{what}` is not a string")),
        }
    };
    let list = |key: &str| -> Result<Vec<Node>, String> {
        match root.get(key) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::Seq(items)) => Ok(items.clone()),
            Some(_) => Err(format!("`{key}` is not a list")),
        }
    };
    let object = |node: Option<&Node>, what: &str| -> Result<Node, String> {
        match node {
            None | Some(Node::Null) => Ok(Node::Map(Vec::new())),
            Some(map @ Node::Map(_)) => Ok(map.clone()),
            Some(_) => Err(format!("`{what}` is not a mapping")),
        }
    };
    let mut file = FileConfig {
        current_context: string(root.get("current-context"), "current-context")?,
        ..FileConfig::default()
    };
    for item in list("contexts")? {
        let item = object(Some(&item), "contexts[]")?;
        let context = object(item.get("context"), "context")?;
        let entry = ContextEntry {
            cluster: string(context.get("cluster"), "context.cluster")?,
            user: string(context.get("user"), "context.user")?,
            namespace: string(context.get("namespace"), "context.namespace")?,
        };
        // client-go rejects a file that defines a name twice.
        if file
            .contexts
            .insert(string(item.get("name"), "name")?, entry)
            .is_some()
        {
            return Err("it defines two contexts with the same name".to_string());
        }
    }
    for item in list("clusters")? {
        let item = object(Some(&item), "clusters[]")?;
        let cluster = object(item.get("cluster"), "cluster")?;
        let entry = ClusterEntry {
            server: string(cluster.get("server"), "cluster.server")?,
        };
        if file
            .clusters
            .insert(string(item.get("name"), "name")?, entry)
            .is_some()
        {
            return Err("it defines two clusters with the same name".to_string());
        }
    }
    for item in list("users")? {
        let item = object(Some(&item), "users[]")?;
        if !file.users.insert(string(item.get("name"), "name")?) {
            return Err("it defines two users with the same name".to_string());
        }
    }
    Ok(file)
}

/// In-cluster configuration is possible when client-go's own test passes:
/// `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set and the service
/// account token file exists. The token is never read, only looked at.
fn in_cluster(ctx: &Context, service_account_dir: &Path) -> Option<InCluster> {
    let host = ctx.var("KUBERNETES_SERVICE_HOST")?;
    let port = ctx.var("KUBERNETES_SERVICE_PORT")?;
    let token = std::fs::metadata(service_account_dir.join("token")).ok()?;
    if token.is_dir() {
        return None;
    }
    let namespace = ctx
        .var("POD_NAMESPACE")
        .map(str::to_string)
        .or_else(|| {
            read_text(&service_account_dir.join("namespace"))
                .ok()
                .flatten()
                .map(|ns| ns.trim().to_string())
                .filter(|ns| !ns.is_empty())
        })
        .unwrap_or_else(|| "default".to_string());
    let server = if host.contains(':') {
        format!("https://[{host}]:{port}")
    } else {
        format!("https://{host}:{port}")
    };
    Some(InCluster { server, namespace })
}

/// `path` as given when absolute, else joined to the context's working directory (the
/// agent's, which in hook mode is not the process's).
pub(crate) fn absolute(ctx: &Context, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ctx.cwd.join(p)
    }
}

/// Reads a small configuration file: `Ok(None)` when it does not exist, `Err(cause)`
/// when it exists but cannot be read (not a regular file, too large, permission, not
/// UTF-8).
pub(crate) fn read_text(path: &Path) -> Result<Option<String>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_cause(&e)),
    };
    // A FIFO or a device would block or never end; kubectl may read them, failsafe
    // refuses to guess.
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err("larger than 16 MiB".to_string());
    }
    let file = std::fs::File::open(path).map_err(|e| io_cause(&e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_cause(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err("larger than 16 MiB".to_string());
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "not valid UTF-8".to_string())
}

fn io_cause(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotADirectory => "a parent is not a directory".to_string(),
        _ => e.to_string().to_lowercase(),
    }
}

fn unreadable(path: &Path, cause: &str) -> String {
    format!("kubeconfig `{}` cannot be read: {cause}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::fs;

    fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
        Context::for_test(home, home, env)
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let written = fs::write(&path, text);
        assert!(written.is_ok(), "writing {}: {written:?}", path.display());
        path
    }

    fn file(
        current: &str,
        contexts: &[(&str, &str, &str, &str)],
        clusters: &[(&str, &str)],
    ) -> String {
        let mut s =
            format!("apiVersion: v1\nkind: Config\ncurrent-context: \"{current}\"\ncontexts:\n");
        for (name, cluster, user, ns) in contexts {
            s.push_str(&format!(
                "- name: {name}\n  context:\n    cluster: {cluster}\n    user: {user}\n    namespace: \"{ns}\"\n"
            ));
        }
        s.push_str("clusters:\n");
        for (name, server) in clusters {
            s.push_str(&format!("- name: {name}\n  cluster:\n    server: {server}\n    certificate-authority-data: AAAA\n"));
        }
        s.push_str(
            "users:\n- name: alice\n  user:\n    token: t0ps3cret\n- name: bob\n  user: {}\n",
        );
        s
    }

    fn given<'a>(value: &'a str, origin: &'a str) -> Option<Given<'a>> {
        Given::new(Some(value), origin)
    }

    #[rstest]
    #[case("arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod", "shop-prod")]
    #[case("arn:aws-cn:eks:cn-north-1:123456789012:cluster/x", "x")]
    #[case(
        "arn:aws:eks:eu-west-1:123456789012:nodegroup/x",
        "arn:aws:eks:eu-west-1:123456789012:nodegroup/x"
    )]
    #[case(
        "arn:aws:eks:eu-west-1:123456789012:cluster/",
        "arn:aws:eks:eu-west-1:123456789012:cluster/"
    )]
    #[case("gke_my-project_europe-west1-b_payments", "payments")]
    #[case("gke_my-project_us-central1_prod-1", "prod-1")]
    #[case("gke_only", "gke_only")]
    #[case("kind-dev", "kind-dev")]
    #[case("", "")]
    fn shortens_cluster_names(#[case] name: &str, #[case] want: &str) {
        assert_eq!(short_cluster_name(name), want);
    }

    #[rstest]
    #[case::empty("", "")]
    #[case::comments_only("# nothing here\n", "")]
    #[case::null_lists("current-context: a\ncontexts: null\nclusters:\nusers: ~\n", "a")]
    #[case::json(
        r#"{"current-context": "j", "contexts": [{"name": "j", "context": {"cluster": "c"}}]}"#,
        "j"
    )]
    fn parses_sparse_files(#[case] text: &str, #[case] current: &str) {
        let parsed = parse(text);
        assert_eq!(parsed.map(|f| f.current_context), Ok(current.to_string()));
    }

    #[rstest]
    #[case::not_yaml("contexts: [\n")]
    #[case::wrong_shape("contexts: 7\n")]
    #[case::duplicate_context("contexts:\n- name: a\n- name: a\n")]
    #[case::duplicate_cluster("clusters:\n- name: a\n- name: a\n")]
    fn rejects_broken_files(#[case] text: &str) {
        assert!(parse(text).is_err());
    }

    #[test]
    fn parse_errors_do_not_quote_the_file() {
        let err = parse("current-context: [t0ps3cret\n")
            .err()
            .unwrap_or_default();
        assert!(!err.contains("t0ps3cret"), "{err}");
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn merge_is_first_one_wins() {
        let mut config = Kubeconfig::default();
        let a = parse(&file(
            "",
            &[("shared", "c1", "alice", "a")],
            &[("c1", "https://one")],
        ));
        let b = parse(&file(
            "b-ctx",
            &[("shared", "c2", "bob", "b"), ("b-ctx", "c2", "bob", "")],
            &[("c1", "https://two"), ("c2", "https://b")],
        ));
        let (Ok(a), Ok(b)) = (a, b) else {
            unreachable!("fixtures parse");
        };
        config.merge("a".into(), a);
        config.merge("b".into(), b);
        assert_eq!(config.current_context, "b-ctx");
        assert_eq!(
            config.contexts.get("shared").map(|c| c.cluster.as_str()),
            Some("c1")
        );
        assert_eq!(
            config.clusters.get("c1").map(|c| c.server.as_str()),
            Some("https://one")
        );
        assert_eq!(
            config.clusters.get("c2").map(|c| c.server.as_str()),
            Some("https://b")
        );
        assert_eq!(config.files, vec!["a", "b"]);
    }

    #[test]
    fn kubeconfig_list_three_files_second_sets_current_context() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else {
            unreachable!("tempdir")
        };
        let one = write(
            dir.path(),
            "one.yaml",
            &file(
                "",
                &[("dev", "dev-c", "alice", "team")],
                &[("dev-c", "https://dev")],
            ),
        );
        let two = write(
            dir.path(),
            "two.yaml",
            &file(
                "prod",
                &[("prod", "arn:aws:eks:eu-west-1:1:cluster/shop", "bob", "")],
                &[("arn:aws:eks:eu-west-1:1:cluster/shop", "https://eks")],
            ),
        );
        let three = write(
            dir.path(),
            "three.yaml",
            &file("dev", &[("prod", "other", "alice", "x")], &[]),
        );
        let list = format!(
            "{}:{}::{}:{}",
            one.display(),
            dir.path().join("missing.yaml").display(),
            two.display(),
            three.display()
        );
        let c = ctx(dir.path(), &[("KUBECONFIG", &list)]);
        let mut uncertain = Vec::new();
        let config = load_with(None, &c, dir.path(), &mut uncertain);
        assert!(uncertain.is_empty(), "{uncertain:?}");
        assert_eq!(
            config.files.len(),
            3,
            "the missing file is skipped silently"
        );
        let r = config.resolve(&Overrides::default());
        assert_eq!(r.context, "prod");
        assert_eq!(r.cluster, "arn:aws:eks:eu-west-1:1:cluster/shop");
        assert_eq!(r.cluster_name, "shop");
        assert_eq!(r.server, "https://eks");
        assert_eq!(r.user, "bob");
        assert_eq!(r.namespace, "default");
        assert!(r.problems.is_empty());
    }

    #[test]
    fn invalid_file_is_uncertain_and_the_rest_still_loads() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let bad = write(dir.path(), "bad.yaml", "contexts: [oops\n");
        let good = write(
            dir.path(),
            "good.yaml",
            &file("dev", &[("dev", "c", "alice", "")], &[("c", "https://dev")]),
        );
        let list = format!("{}:{}", bad.display(), good.display());
        let mut uncertain = Vec::new();
        let config = load_with(
            None,
            &ctx(dir.path(), &[("KUBECONFIG", &list)]),
            dir.path(),
            &mut uncertain,
        );
        assert_eq!(uncertain.len(), 1);
        assert!(
            uncertain[0].contains(&format!("`{}`", bad.display())),
            "{uncertain:?}"
        );
        assert!(uncertain[0].starts_with("kubeconfig "));
        assert_eq!(config.resolve(&Overrides::default()).context, "dev");
    }

    #[test]
    fn directory_in_place_of_a_file_is_uncertain() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let _ = fs::create_dir_all(dir.path().join(".kube/config"));
        let mut uncertain = Vec::new();
        let config = load_with(None, &ctx(dir.path(), &[]), dir.path(), &mut uncertain);
        assert!(config.files.is_empty());
        assert!(
            uncertain.iter().any(|u| u.contains("not a regular file")),
            "{uncertain:?}"
        );
    }

    #[test]
    fn home_config_is_the_default() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(
            dir.path(),
            ".kube/config",
            &file(
                "kind-dev",
                &[("kind-dev", "kind-dev", "alice", "")],
                &[("kind-dev", "https://127.0.0.1:6443")],
            ),
        );
        let mut uncertain = Vec::new();
        let config = load_with(None, &ctx(dir.path(), &[]), dir.path(), &mut uncertain);
        assert_eq!(
            config.files,
            vec![dir.path().join(".kube/config").display().to_string()]
        );
        assert_eq!(
            config.resolve(&Overrides::default()).server,
            "https://127.0.0.1:6443"
        );
    }

    #[test]
    fn kubeconfig_variable_replaces_the_home_file() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(
            dir.path(),
            ".kube/config",
            &file("home", &[("home", "c", "alice", "")], &[]),
        );
        let c = ctx(dir.path(), &[("KUBECONFIG", "nowhere.yaml")]);
        let mut uncertain = Vec::new();
        let config = load_with(None, &c, dir.path(), &mut uncertain);
        assert!(config.files.is_empty() && uncertain.is_empty());
        assert_eq!(config.resolve(&Overrides::default()).context, "");
    }

    #[test]
    fn explicit_file_is_the_only_one_read() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(
            dir.path(),
            ".kube/config",
            &file("home", &[("home", "c", "alice", "")], &[]),
        );
        write(
            dir.path(),
            "env.yaml",
            &file("env", &[("env", "c", "alice", "")], &[]),
        );
        write(
            dir.path(),
            "sub/explicit.yaml",
            &file("explicit", &[("explicit", "c", "alice", "")], &[]),
        );
        let c = ctx(dir.path(), &[("KUBECONFIG", "env.yaml")]);
        let mut uncertain = Vec::new();
        // relative to the context's cwd
        let config = load_with(
            given("sub/explicit.yaml", "--kubeconfig"),
            &c,
            dir.path(),
            &mut uncertain,
        );
        assert_eq!(config.files.len(), 1);
        assert_eq!(config.resolve(&Overrides::default()).context, "explicit");
    }

    #[test]
    fn missing_explicit_file_is_a_problem_not_a_silent_skip() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(
            dir.path(),
            ".kube/config",
            &file("home", &[("home", "c", "alice", "")], &[]),
        );
        let mut uncertain = Vec::new();
        let config = load_with(
            given("/no/such/kubeconfig", "--kubeconfig"),
            &ctx(dir.path(), &[]),
            dir.path(),
            &mut uncertain,
        );
        let r = config.resolve(&Overrides::default());
        assert_eq!(r.context, "");
        assert_eq!(r.problems.len(), 1);
        assert!(
            r.problems[0].contains("`/no/such/kubeconfig` given by `--kubeconfig` does not exist")
        );
    }

    fn sample() -> Kubeconfig {
        let mut config = Kubeconfig::default();
        let text = file(
            "dev",
            &[
                ("dev", "kind-dev", "alice", "team-a"),
                ("prod", "gke_shop_europe-west1_payments", "bob", ""),
            ],
            &[
                ("kind-dev", "https://127.0.0.1:6443"),
                ("gke_shop_europe-west1_payments", "https://34.1.2.3"),
            ],
        );
        if let Ok(parsed) = parse(&text) {
            config.merge("/k".into(), parsed);
        }
        config
    }

    #[rstest]
    #[case::current(None, None, "dev", "kind-dev", "team-a", "https://127.0.0.1:6443")]
    #[case::context_flag(Some("prod"), None, "prod", "payments", "default", "https://34.1.2.3")]
    #[case::namespace_flag(
        None,
        Some("kube-system"),
        "dev",
        "kind-dev",
        "kube-system",
        "https://127.0.0.1:6443"
    )]
    #[case::both(Some("prod"), Some("x"), "prod", "payments", "x", "https://34.1.2.3")]
    fn namespace_and_context_precedence(
        #[case] context: Option<&str>,
        #[case] namespace: Option<&str>,
        #[case] want_context: &str,
        #[case] want_cluster_name: &str,
        #[case] want_namespace: &str,
        #[case] want_server: &str,
    ) {
        let overrides = Overrides {
            context: Given::new(context, "--context"),
            namespace: Given::new(namespace, "--namespace"),
            ..Overrides::default()
        };
        let r = sample().resolve(&overrides);
        assert_eq!(r.context, want_context);
        assert_eq!(r.cluster_name, want_cluster_name);
        assert_eq!(r.namespace, want_namespace);
        assert_eq!(r.server, want_server);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }

    #[test]
    fn cluster_user_and_server_flags_override_the_context() {
        let overrides = Overrides {
            cluster: given("gke_shop_europe-west1_payments", "--cluster"),
            user: given("bob", "--user"),
            ..Overrides::default()
        };
        let r = sample().resolve(&overrides);
        assert_eq!(
            (r.context.as_str(), r.cluster_name.as_str(), r.user.as_str()),
            ("dev", "payments", "bob")
        );
        assert_eq!(r.server, "https://34.1.2.3");
        assert_eq!(r.namespace, "team-a");
        let overrides = Overrides {
            server: given("https://10.9.9.9", "--server"),
            ..Overrides::default()
        };
        assert_eq!(sample().resolve(&overrides).server, "https://10.9.9.9");
    }

    #[rstest]
    #[case::context(Overrides { context: given("nope", "--context"), ..Overrides::default() }, "context `nope` given by `--context` is not defined in the kubeconfig (`/k`)")]
    #[case::cluster(Overrides { cluster: given("nope", "--cluster"), ..Overrides::default() }, "cluster `nope` given by `--cluster`")]
    #[case::user(Overrides { user: given("nope", "--user"), ..Overrides::default() }, "user `nope` given by `--user`")]
    fn undefined_names_are_problems(#[case] overrides: Overrides<'static>, #[case] want: &str) {
        let r = sample().resolve(&overrides);
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].contains(want), "{:?}", r.problems);
    }

    #[test]
    fn undefined_context_is_still_reported() {
        let r = sample().resolve(&Overrides {
            context: given("nope", "--context"),
            ..Overrides::default()
        });
        assert_eq!(r.context, "nope");
        assert_eq!(r.cluster, "");
        assert_eq!(r.namespace, "default");
    }

    #[test]
    fn dangling_current_context_is_a_problem() {
        let mut config = sample();
        config.current_context = "gone".into();
        let r = config.resolve(&Overrides::default());
        assert_eq!(r.context, "gone");
        assert!(
            r.problems
                .iter()
                .any(|p| p.starts_with("current-context `gone`")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn no_kubeconfig_means_no_target() {
        let r = Kubeconfig::default().resolve(&Overrides::default());
        assert_eq!(
            r,
            Resolved {
                namespace: "default".into(),
                ..Resolved::default()
            }
        );
        let r = Kubeconfig::default().resolve(&Overrides {
            context: given("x", "--context"),
            ..Overrides::default()
        });
        assert!(
            r.problems[0].contains("any kubeconfig (none was found)"),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn kubernetes_master_is_the_default_server() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(dir.path(), ".kube/config", "current-context: a\ncontexts:\n- name: a\n  context: {cluster: bare}\nclusters:\n- name: bare\n  cluster: {}\n");
        let c = ctx(dir.path(), &[("KUBERNETES_MASTER", "http://master:8080")]);
        let config = load_with(None, &c, dir.path(), &mut Vec::new());
        assert_eq!(
            config.resolve(&Overrides::default()).server,
            "http://master:8080"
        );
    }

    #[test]
    fn in_cluster_fallback_inside_a_pod() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let sa = dir.path().join("sa");
        write(&sa, "token", "not read");
        write(&sa, "namespace", "ci-runners\n");
        let env = [
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
            ("KUBERNETES_SERVICE_PORT", "443"),
        ];
        let config = load_with(None, &ctx(dir.path(), &env), &sa, &mut Vec::new());
        let r = config.resolve(&Overrides::default());
        assert!(r.in_cluster);
        assert_eq!(r.server, "https://10.96.0.1:443");
        assert_eq!(r.namespace, "ci-runners");
        // POD_NAMESPACE wins over the file; -n over both.
        let env = [
            ("KUBERNETES_SERVICE_HOST", "fd00::1"),
            ("KUBERNETES_SERVICE_PORT", "443"),
            ("POD_NAMESPACE", "from-env"),
        ];
        let config = load_with(None, &ctx(dir.path(), &env), &sa, &mut Vec::new());
        let r = config.resolve(&Overrides::default());
        assert_eq!(
            (r.server.as_str(), r.namespace.as_str()),
            ("https://[fd00::1]:443", "from-env")
        );
        let r = config.resolve(&Overrides {
            namespace: given("n", "-n"),
            ..Overrides::default()
        });
        assert_eq!(r.namespace, "n");
    }

    #[test]
    fn in_cluster_needs_the_token_file_and_yields_to_a_real_kubeconfig() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let env = [
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
            ("KUBERNETES_SERVICE_PORT", "443"),
        ];
        let config = load_with(
            None,
            &ctx(dir.path(), &env),
            &dir.path().join("no-sa"),
            &mut Vec::new(),
        );
        assert!(!config.resolve(&Overrides::default()).in_cluster);
        let sa = dir.path().join("sa");
        write(&sa, "token", "x");
        write(&sa, "namespace", "pod-ns");
        write(
            dir.path(),
            ".kube/config",
            &file("dev", &[("dev", "c", "alice", "")], &[("c", "https://dev")]),
        );
        let config = load_with(None, &ctx(dir.path(), &env), &sa, &mut Vec::new());
        let r = config.resolve(&Overrides::default());
        assert!(!r.in_cluster);
        assert_eq!(r.server, "https://dev");
        // the context has no namespace of its own: client-go takes the pod's
        assert_eq!(r.namespace, "pod-ns");
    }

    /// Contexts built with anchors and merge keys; `prod2` writes its cluster *before*
    /// the merge, so go-yaml v2 (and kubectl) let the merge overwrite it.
    const MERGED: &str = "apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: devc
  cluster: &c {server: \"https://dev.example:6443\"}
- name: prodc
  cluster: {server: \"https://prod.example:6443\"}
contexts:
- name: dev
  context: &d {cluster: devc, user: u}
- name: prod
  context:
    <<: *d
    cluster: prodc
- name: prod2
  context:
    cluster: prodc
    <<: *d
users:
- name: u
";

    // Each expectation was checked with kubectl v1.32:
    // `kubectl --kubeconfig F [--context C] config view --minify -o json`.
    #[rstest]
    #[case::merge_then_key(MERGED, Some("prod"), "prod", "prodc", "https://prod.example:6443")]
    #[case::key_then_merge(MERGED, Some("prod2"), "prod2", "devc", "https://dev.example:6443")]
    #[case::bom(&format!("\u{feff}{MERGED}"), None, "dev", "devc", "https://dev.example:6443")]
    #[case::first_document_only(
        &format!("{MERGED}---\n{}", MERGED.replace("current-context: dev", "current-context: prod")),
        None,
        "dev",
        "devc",
        "https://dev.example:6443"
    )]
    #[case::duplicate_keys_last_wins(
        "current-context: dev\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, cluster: d}\nclusters:\n- {name: c, cluster: {server: \"https://c\"}}\n- {name: d, cluster: {server: \"https://d\"}}\n",
        None,
        "prod",
        "d",
        "https://d"
    )]
    #[case::empty_first_document(&format!("---\n---\n{MERGED}"), None, "", "", "")]
    fn files_resolve_as_kubectl_resolves_them(
        #[case] text: &str,
        #[case] context: Option<&str>,
        #[case] want_context: &str,
        #[case] want_cluster: &str,
        #[case] want_server: &str,
    ) {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let path = write(dir.path(), "k.yaml", text);
        let mut uncertain = Vec::new();
        let config = load_with(
            given(&path.display().to_string(), "--kubeconfig"),
            &ctx(dir.path(), &[]),
            dir.path(),
            &mut uncertain,
        );
        assert!(uncertain.is_empty(), "{uncertain:?}");
        let r = config.resolve(&Overrides {
            context: Given::new(context, "--context"),
            ..Overrides::default()
        });
        assert_eq!(
            (r.context.as_str(), r.cluster.as_str(), r.server.as_str()),
            (want_context, want_cluster, want_server)
        );
    }

    #[rstest]
    #[case::non_string_value("current-context: true\n")]
    #[case::list_is_a_map("contexts: {a: b}\n")]
    #[case::quoted_merge_key("\"<<\": {current-context: prod}\n")]
    fn files_kubectl_refuses_or_failsafe_cannot_read_exactly_are_uncertain(#[case] text: &str) {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(dir.path(), ".kube/config", text);
        let mut uncertain = Vec::new();
        let c = ctx(dir.path(), &[("HOME", &dir.path().display().to_string())]);
        let config = load_with(None, &c, dir.path(), &mut uncertain);
        assert!(config.files.is_empty());
        assert_eq!(uncertain.len(), 1, "{uncertain:?}");
        assert!(uncertain[0].contains("cannot be parsed"), "{uncertain:?}");
    }

    /// `HOME` as client-go reads it: exactly the variable, so unset or empty means
    /// `.kube/config` in the working directory (kubectl v1.32: `env -u HOME kubectl
    /// config current-context` reads `./.kube/config`).
    #[rstest]
    #[case::set(Some("home"), "home/.kube/config")]
    #[case::unset(None, "work/.kube/config")]
    #[case::empty(Some(""), "work/.kube/config")]
    fn home_is_the_variable_exactly(#[case] home: Option<&str>, #[case] want: &str) {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let home_dir = dir.path().join("home");
        let value = match home {
            Some("") | None => String::new(),
            Some(h) => dir.path().join(h).display().to_string(),
        };
        let env: Vec<(&str, &str)> = match home {
            Some(_) => vec![("HOME", value.as_str())],
            None => Vec::new(),
        };
        let mut c = Context::for_test(&dir.path().join("work"), &home_dir, &env);
        // A home from the password database must not matter.
        c.home = Some(home_dir);
        assert_eq!(search_path(&c), Ok(vec![dir.path().join(want)]));
    }

    #[test]
    fn old_home_file_is_read_when_kubectl_would_migrate_it() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let old = write(dir.path(), ".kube/.kubeconfig", "current-context: old\n");
        let c = ctx(dir.path(), &[("HOME", &dir.path().display().to_string())]);
        assert_eq!(home_file(&c), Ok(old));
        let new = write(dir.path(), ".kube/config", "current-context: new\n");
        assert_eq!(home_file(&c), Ok(new));
    }

    #[rstest]
    #[case::kubeconfig_variable(&[("KUBECONFIG", "/tmp/k\u{fffd}.yaml")], None, "`KUBECONFIG`")]
    #[case::home(&[("HOME", "/home/\u{fffd}")], None, "`HOME`")]
    #[case::flag(&[], Some("/tmp/k\u{fffd}.yaml"), "`--kubeconfig`")]
    fn paths_that_are_not_utf8_are_uncertain(
        #[case] env: &[(&str, &str)],
        #[case] flag: Option<&str>,
        #[case] want: &str,
    ) {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        write(dir.path(), ".kube/config", "current-context: dev\n");
        let mut uncertain = Vec::new();
        let config = load_with(
            Given::new(flag, "--kubeconfig"),
            &ctx(dir.path(), env),
            dir.path(),
            &mut uncertain,
        );
        assert!(config.files.is_empty());
        assert_eq!(uncertain.len(), 1, "{uncertain:?}");
        assert!(
            uncertain[0].contains(want) && uncertain[0].contains("not valid UTF-8"),
            "{uncertain:?}"
        );
    }
}
