//! kubectl differential: `kubectl.context/cluster/user/namespace/server` against
//! `/usr/bin/kubectl` on generated kubeconfig worlds and global-flag placements.
//!
//! The oracle, per case, is two runs of the real kubectl with the same flags and
//! environment:
//!
//! - `create configmap cm --dry-run=server -v=8 …`: kubectl resolves every override and
//!   logs the request it sends (`POST <server>/api/v1/namespaces/<ns>/configmaps`, with
//!   an `Impersonate-User` header). Every generated cluster's server is
//!   `http://127.0.0.1:1/<file>/<cluster>` (port 1 refuses at once) and every user
//!   impersonates `<file>.<user>`, so the request names the cluster, the user and the
//!   file their entries were merged from;
//! - `config view --minify -o json …`: the effective context's name.
//!
//! failsafe judges the very same `create` command line.

use super::{drop_one, Shrink};
use failsafe::config::Settings;
use failsafe::facts::{self, Context, Fact, Source};
use failsafe::mode::Mode;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const REAL_KUBECTL: &str = "/usr/bin/kubectl";
/// Cases where kubectl sent its request, and where it refused to (reported at the end).
static SENT: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
/// Why kubectl refused, by the start of its message.
static WHY: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
const CONTEXTS: &[&str] = &["c0", "c1", "prod", "ghost"];
const CLUSTERS: &[&str] = &["k0", "k1", "k2", "ghost"];
const USERS: &[&str] = &["u0", "u1", "ghost"];
const NAMESPACES: &[&str] = &["n0", "n1", "kube-system"];
/// The command both failsafe and kubectl see, between the generated flags.
const VERB: &[&str] = &["create", "configmap", "cm", "--dry-run=server", "-v=8"];

#[derive(Clone, Debug)]
struct ContextEntry {
    name: String,
    cluster: Option<String>,
    user: Option<String>,
    namespace: Option<String>,
}

#[derive(Clone, Debug)]
struct File {
    /// `f0.yaml`…; also the prefix of its servers and impersonated users.
    name: String,
    current: Option<String>,
    contexts: Vec<ContextEntry>,
    /// Cluster name and whether it has a server.
    clusters: Vec<(String, bool)>,
    users: Vec<String>,
}

impl File {
    fn stem(&self) -> &str {
        self.name.trim_end_matches(".yaml")
    }

    fn yaml(&self) -> String {
        let mut y = String::from("apiVersion: v1\nkind: Config\n");
        if let Some(c) = &self.current {
            y.push_str(&format!("current-context: {c}\n"));
        }
        y.push_str("contexts:\n");
        for c in &self.contexts {
            y.push_str(&format!("- name: {}\n  context:\n", c.name));
            for (k, v) in [
                ("cluster", &c.cluster),
                ("user", &c.user),
                ("namespace", &c.namespace),
            ] {
                if let Some(v) = v {
                    y.push_str(&format!("    {k}: {v}\n"));
                }
            }
        }
        y.push_str("clusters:\n");
        for (name, has_server) in &self.clusters {
            if *has_server {
                let server = format!("http://127.0.0.1:1/{}/{name}", self.stem());
                y.push_str(&format!(
                    "- name: {name}\n  cluster:\n    server: {server}\n"
                ));
            } else {
                // No server, and nothing kubectl would stop on (a missing CA file
                // would make it refuse for a reason that is not about the target).
                let tls = "insecure-skip-tls-verify: true";
                y.push_str(&format!("- name: {name}\n  cluster:\n    {tls}\n"));
            }
        }
        y.push_str("users:\n");
        for u in &self.users {
            y.push_str(&format!(
                "- name: {u}\n  user:\n    as: {}.{u}\n",
                self.stem()
            ));
        }
        y
    }
}

/// A global option as written on the command line.
#[derive(Clone, Debug)]
struct Opt {
    name: &'static str,
    value: String,
    /// 0: `--name=v`; 1: `--name v`; 2: `-x v`; 3: `-xv`; 4: `-x=v` (2–4 only for
    /// `-n` and `-s`).
    style: u8,
}

impl Opt {
    fn words(&self) -> Vec<String> {
        let short = match self.name {
            "namespace" => Some('n'),
            "server" => Some('s'),
            _ => None,
        };
        match (self.style, short) {
            (2, Some(c)) => vec![format!("-{c}"), self.value.clone()],
            (3, Some(c)) if !self.value.is_empty() => vec![format!("-{c}{}", self.value)],
            (4, Some(c)) => vec![format!("-{c}={}", self.value)],
            (1, _) => vec![format!("--{}", self.name), self.value.clone()],
            _ => vec![format!("--{}={}", self.name, self.value)],
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    files: Vec<File>,
    /// Which file is also `~/.kube/config`.
    home: Option<usize>,
    /// `KUBECONFIG` entries, when the variable is set.
    env: Option<Vec<String>>,
    before: Vec<Opt>,
    after: Vec<Opt>,
}

impl Case {
    fn argv(&self, verb: &[&str]) -> Vec<String> {
        let mut argv = vec!["kubectl".to_string()];
        argv.extend(self.before.iter().flat_map(Opt::words));
        argv.extend(verb.iter().map(std::string::ToString::to_string));
        argv.extend(self.after.iter().flat_map(Opt::words));
        argv
    }

    fn kubeconfig_env(&self) -> Option<String> {
        self.env.as_ref().map(|e| e.join(":"))
    }
}

impl Shrink for Case {
    fn smaller(&self) -> Vec<Case> {
        let mut out = Vec::new();
        for before in drop_one(&self.before) {
            out.push(Case {
                before,
                ..self.clone()
            });
        }
        for after in drop_one(&self.after) {
            out.push(Case {
                after,
                ..self.clone()
            });
        }
        if self.home.is_some() {
            out.push(Case {
                home: None,
                ..self.clone()
            });
        }
        if let Some(env) = &self.env {
            out.push(Case {
                env: None,
                ..self.clone()
            });
            for e in drop_one(env) {
                out.push(Case {
                    env: Some(e),
                    ..self.clone()
                });
            }
        }
        for (i, f) in self.files.iter().enumerate() {
            let mut with = |g: File| {
                let mut c = self.clone();
                c.files[i] = g;
                out.push(c);
            };
            if f.current.is_some() {
                with(File {
                    current: None,
                    ..f.clone()
                });
            }
            for contexts in drop_one(&f.contexts) {
                with(File {
                    contexts,
                    ..f.clone()
                });
            }
            for clusters in drop_one(&f.clusters) {
                with(File {
                    clusters,
                    ..f.clone()
                });
            }
            for users in drop_one(&f.users) {
                with(File { users, ..f.clone() });
            }
            for (j, c) in f.contexts.iter().enumerate() {
                for field in 0..3 {
                    let mut g = f.clone();
                    let slot = match field {
                        0 => &mut g.contexts[j].cluster,
                        1 => &mut g.contexts[j].user,
                        _ => &mut g.contexts[j].namespace,
                    };
                    if slot.is_some() {
                        *slot = None;
                        with(g);
                    }
                }
                let _ = c;
            }
        }
        out
    }

    fn show(&self) -> String {
        let mut s = String::new();
        for (i, f) in self.files.iter().enumerate() {
            let home = if self.home == Some(i) {
                " (also ~/.kube/config)"
            } else {
                ""
            };
            s.push_str(&format!("# {}{home}\n{}", f.name, f.yaml()));
        }
        if let Some(k) = self.kubeconfig_env() {
            s.push_str(&format!("KUBECONFIG={k} "));
        }
        s.push_str(&shell_words::join(self.argv(VERB)));
        s
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A name from `items`, whose last entry (`ghost`, defined nowhere) comes up rarely:
/// kubectl refuses to run on it, and most cases should reach the request.
fn name(rng: &mut ChaCha8Rng, items: &[&str]) -> String {
    if rng.random_bool(0.08) {
        items[items.len() - 1].to_string()
    } else {
        pick(rng, &items[..items.len() - 1]).to_string()
    }
}

fn maybe(rng: &mut ChaCha8Rng, p: f64, items: &[&str]) -> Option<String> {
    rng.random_bool(p).then(|| name(rng, items))
}

fn dedup_by_name<T>(items: &mut Vec<T>, name: impl Fn(&T) -> String) {
    let mut seen = std::collections::BTreeSet::new();
    items.retain(|i| seen.insert(name(i)));
}

fn generate(seed: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nfiles = rng.random_range(1..=3);
    let mut files = Vec::new();
    for i in 0..nfiles {
        let mut contexts: Vec<ContextEntry> = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let name = pick(&mut rng, &CONTEXTS[..3]).to_string();
            contexts.push(ContextEntry {
                name,
                cluster: maybe(&mut rng, 0.9, CLUSTERS),
                user: maybe(&mut rng, 0.8, USERS),
                namespace: rng
                    .random_bool(0.5)
                    .then(|| pick(&mut rng, NAMESPACES).to_string()),
            });
        }
        let mut clusters = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let name = pick(&mut rng, &CLUSTERS[..3]).to_string();
            clusters.push((name, rng.random_bool(0.9)));
        }
        let mut users: Vec<String> = USERS[..2]
            .iter()
            .filter(|_| rng.random_bool(0.75))
            .map(std::string::ToString::to_string)
            .collect();
        // A name twice in one file makes kubectl refuse the whole file; keep that rare.
        if rng.random_bool(0.95) {
            dedup_by_name(&mut contexts, |c| c.name.clone());
            dedup_by_name(&mut clusters, |c| c.0.clone());
            dedup_by_name(&mut users, String::clone);
        }
        files.push(File {
            name: format!("f{i}.yaml"),
            current: maybe(&mut rng, 0.7, CONTEXTS),
            contexts,
            clusters,
            users,
        });
    }
    let home = rng.random_bool(0.5).then(|| rng.random_range(0..nfiles));
    let env = rng.random_bool(0.6).then(|| {
        (0..rng.random_range(1..=4))
            .map(|_| match rng.random_range(0..10) {
                0 => "missing.yaml".to_string(),
                1 => String::new(),
                2 => "sub/../f0.yaml".to_string(),
                _ => format!("f{}.yaml", rng.random_range(0..nfiles)),
            })
            .collect()
    });
    let mut opts = Vec::new();
    for _ in 0..rng.random_range(0..=5) {
        let (name, value) = match rng.random_range(0..6) {
            0 => ("context", name(&mut rng, CONTEXTS)),
            1 => ("cluster", name(&mut rng, CLUSTERS)),
            2 => ("user", name(&mut rng, USERS)),
            3 => ("namespace", pick(&mut rng, NAMESPACES).to_string()),
            4 => (
                "server",
                format!("http://127.0.0.1:1/flag/{}", pick(&mut rng, &["a", "b"])),
            ),
            _ => (
                "kubeconfig",
                match rng.random_range(0..8) {
                    0 => "missing.yaml".to_string(),
                    _ => format!("f{}.yaml", rng.random_range(0..nfiles)),
                },
            ),
        };
        // Now and then an empty value, which kubectl reads as "not given".
        let value = if rng.random_bool(0.05) {
            String::new()
        } else {
            value
        };
        opts.push(Opt {
            name,
            value,
            style: rng.random_range(0..5),
        });
    }
    let split = rng.random_range(0..=opts.len());
    let after = opts.split_off(split);
    Case {
        files,
        home,
        env,
        before: opts,
        after,
    }
}

/// What the real kubectl did with the `create` command.
#[derive(Debug)]
enum Request {
    /// It sent the request: server URL, namespace, impersonated `<file>.<user>`.
    Sent {
        server: String,
        namespace: String,
        impersonate: Option<String>,
    },
    /// It stopped before sending anything, with this error.
    Refused(String),
}

fn kubectl(dir: &Path, case: &Case, verb: &[&str]) -> std::process::Output {
    let argv = case.argv(verb);
    let mut cmd = Command::new(REAL_KUBECTL);
    cmd.args(&argv[1..])
        .current_dir(dir.join("work"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.join("home"));
    if let Some(k) = case.kubeconfig_env() {
        cmd.env("KUBECONFIG", k);
    }
    cmd.output().expect("run kubectl")
}

fn request(dir: &Path, case: &Case) -> Request {
    let out = kubectl(dir, case, VERB);
    let log = String::from_utf8_lossy(&out.stderr);
    let mut lines = log.lines();
    for line in lines.by_ref() {
        let Some((_, rest)) = line.split_once("] POST ") else {
            continue;
        };
        let url = rest.split('?').next().unwrap_or_default();
        let Some((server, path)) = url.split_once("/api/v1/namespaces/") else {
            return Request::Refused(format!("unexpected request {url}"));
        };
        let namespace = path.trim_end_matches("/configmaps").to_string();
        let mut impersonate = None;
        for header in lines.by_ref() {
            if header.contains("Response Status") {
                break;
            }
            if let Some((_, v)) = header.split_once("Impersonate-User: ") {
                impersonate = Some(v.trim().to_string());
            }
        }
        return Request::Sent {
            server: server.to_string(),
            namespace,
            impersonate,
        };
    }
    let error = log
        .lines()
        .find(|l| l.to_lowercase().starts_with("error:"))
        .or_else(|| log.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or_default()
        .to_string();
    Request::Refused(error)
}

/// `config view --minify`'s current context, or its error.
fn minified_context(dir: &Path, case: &Case) -> Result<String, String> {
    let out = kubectl(dir, case, &["config", "view", "--minify", "-o", "json"]);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("config view json");
    Ok(v["current-context"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn write_world(dir: &Path, case: &Case) {
    let work = dir.join("work");
    std::fs::create_dir_all(work.join("sub")).expect("mkdir");
    std::fs::create_dir_all(dir.join("home/.kube")).expect("mkdir");
    for (i, f) in case.files.iter().enumerate() {
        std::fs::write(work.join(&f.name), f.yaml()).expect("write kubeconfig");
        if case.home == Some(i) {
            std::fs::write(dir.join("home/.kube/config"), f.yaml()).expect("write home");
        }
    }
}

fn fact(dir: &Path, case: &Case) -> Fact {
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), dir.join("home").display().to_string());
    env.insert("PATH".to_string(), "/usr/bin:/bin".to_string());
    if let Some(k) = case.kubeconfig_env() {
        env.insert("KUBECONFIG".to_string(), k);
    }
    let ctx = Context {
        cwd: dir.join("work"),
        home: Some(dir.join("home")),
        env,
        settings: Settings::default(),
        mode: Mode::Read,
        pane: "diff".to_string(),
        source: Source::Test,
        ticket: String::new(),
    };
    let spec = failsafe::spec::builtin("kubectl")
        .expect("kubectl spec")
        .expect("kubectl spec parses");
    let (argv, pre) = facts::argv_to_strings(
        &case
            .argv(VERB)
            .iter()
            .map(std::ffi::OsString::from)
            .collect::<Vec<_>>(),
    );
    facts::build(&spec, "kubectl", argv, pre, &ctx)
}

fn check(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    write_world(dir.path(), case);
    let fact = fact(dir.path(), case);
    let k = fact.kubectl.clone().unwrap_or_default();
    let doubts = &fact.target.uncertain;
    let got = format!(
        "failsafe: context={:?} cluster={:?} user={:?} namespace={:?} server={:?} target.uncertain={doubts:?} uncertain={:?}",
        k.context, k.cluster, k.user, k.namespace, k.server, fact.uncertain
    );
    let req = request(dir.path(), case);
    let minified = minified_context(dir.path(), case);
    let oracle = format!("kubectl: {req:?}; config view --minify: {minified:?}");
    match &req {
        Request::Sent { .. } => SENT.fetch_add(1, Ordering::Relaxed),
        Request::Refused(why) => {
            let kind: String = why.split(['"', ':']).take(2).collect::<Vec<_>>().join(":");
            *WHY.lock().unwrap().entry(kind).or_default() += 1;
            REFUSED.fetch_add(1, Ordering::Relaxed)
        }
    };
    let disagree = |what: &str| Err(format!("{what}\n  {got}\n  {oracle}"));
    match &req {
        Request::Refused(error) => {
            if error.is_empty() {
                return disagree("kubectl neither sent a request nor said why");
            }
            // kubectl stops: whatever failsafe says, nothing lands. failsafe must not
            // name a server it is sure of unless kubectl's reason is one failsafe
            // cannot see (none are generated).
            if doubts.is_empty() && !k.server.is_empty() {
                return disagree("kubectl refuses to run, failsafe names a target without doubt");
            }
        }
        Request::Sent {
            server,
            namespace,
            impersonate,
        } => {
            if !doubts.is_empty() {
                return disagree("kubectl runs, failsafe doubts the target");
            }
            let default_server = server == "http://localhost:8080" && k.server.is_empty();
            // client-go puts `http://` (or `https://` with TLS settings) before a server
            // given without a scheme; the fact keeps the server as written.
            let schemeless = !k.server.contains("://")
                && server
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest == k.server);
            if &k.server != server && !default_server && !schemeless {
                return disagree("server differs");
            }
            if &k.namespace != namespace {
                return disagree("namespace differs");
            }
            // The cluster is visible in the request when the server came from it.
            let from_cluster = server
                .strip_prefix("http://127.0.0.1:1/")
                .filter(|p| !p.starts_with("flag/"))
                .and_then(|p| p.split_once('/'))
                .map(|(_, cluster)| cluster.to_string());
            let server_overridden = server.starts_with("http://127.0.0.1:1/flag/");
            if let Some(cluster) = from_cluster {
                if k.cluster != cluster {
                    return disagree("cluster differs");
                }
            }
            if let Some((_, user)) = impersonate.as_deref().and_then(|i| i.split_once('.')) {
                if k.user != user {
                    return disagree("user differs");
                }
            } else {
                // No user entry applied: failsafe's user must not be one defined
                // in a file it read (every generated user impersonates).
                let defined = case.files.iter().any(|f| {
                    k.kubeconfig.iter().any(|p| p.ends_with(&f.name)) && f.users.contains(&k.user)
                });
                if defined {
                    return disagree("kubectl used no user entry, failsafe names one");
                }
            }
            let _ = server_overridden;
        }
    }
    // `config view --minify` names the context, or says which one it cannot use.
    let minified_name = match &minified {
        Ok(context) => Some(context.clone()),
        Err(e) if e.contains("current-context must exist") => Some(String::new()),
        Err(e) => e
            .strip_prefix("error: cannot locate context ")
            .map(|c| c.trim().to_string()),
    };
    match minified_name {
        Some(context) if k.context != context => disagree("context differs"),
        _ => Ok(()),
    }
}

#[test]
fn kubectl_target_fields_match_the_real_kubectl() {
    if !Path::new(REAL_KUBECTL).is_file() {
        println!("skipping the kubectl differential: {REAL_KUBECTL} is not installed");
        return;
    }
    let n = super::case_count(300);
    let ran = super::run("kubectl", n, &generate, &check);
    println!(
        "kubectl differential: kubectl sent the request in {} checks and refused in {}",
        SENT.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed)
    );
    println!(
        "kubectl differential: why kubectl refused: {:?}",
        WHY.lock().unwrap()
    );
    assert_eq!(ran, n);
}
