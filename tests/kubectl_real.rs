//! The real kubectl behind the shim, against stub Kubernetes API servers on loopback.
//!
//! Each stub is a thread with a `TcpListener` on `127.0.0.1:0` that records every
//! request line it receives and answers minimal JSON. The tests show, with the real
//! tool: a dry run kubectl ignores is refused before any request leaves; an allowed read
//! does reach the server; a kubeconfig built with YAML merge keys resolves to the
//! cluster kubectl really uses, so a user's "prod is read-only" policy still holds.
//!
//! Every test skips, saying so, when `/usr/bin/kubectl` is not installed.

use crate::sandbox::{non_utf8, Cmd, Run, Sandbox, BLOCKED};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::{Arc, Mutex};

const REAL_KUBECTL: &str = "/usr/bin/kubectl";

/// The real kubectl, or `None` after printing why the test is skipped.
fn real_kubectl() -> Option<&'static Path> {
    let path = Path::new(REAL_KUBECTL);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {REAL_KUBECTL} is not installed, so the real-kubectl tests cannot run"
        );
        None
    }
}

/// A stub API server: every request's `METHOD PATH` line, in order.
struct Stub {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Stub {
    fn start() -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        // Detached: the thread blocks in accept and ends with the test process.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &seen);
            }
        });
        Stub { url, requests }
    }

    /// Every request received, query strings dropped.
    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("stub lock").clone()
    }

    /// The requests of the commands themselves: without the `GET /version` a kubectl
    /// dispatcher build sends first to pick a client matching the server.
    fn api_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r != "GET /version")
            .collect()
    }
}

/// Reads one request (head and body), records its request line, answers with JSON and
/// closes the connection.
fn serve(stream: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let request = line
        .split_whitespace()
        .take(2)
        .map(|w| w.split('?').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    seen.lock().expect("stub lock").push(request);
    let json = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}"#;
    let mut out = stream;
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
}

/// A sandbox whose `kubectl` behind the shim is the real one.
fn sandbox(kubectl: &Path) -> Sandbox {
    let sb = Sandbox::new();
    let link = sb.bin.join("kubectl");
    let _ = std::fs::remove_file(&link);
    symlink(kubectl, &link).expect("link the real kubectl");
    sb
}

/// A kubeconfig whose current context `dev` points at `server`.
fn single(server: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: dev\ncontexts:\n- name: dev\n  context: {{cluster: dev, user: u}}\nclusters:\n- name: dev\n  cluster: {{server: \"{server}\"}}\nusers:\n- name: u\n  user: {{token: not-a-real-token}}\n"
    )
}

const NAMESPACE_JSON: &str = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}"#;

fn raw_create(sb: &Sandbox, program: Cmd) -> Run {
    let file = sb.write(sb.work.join("ns.json"), NAMESPACE_JSON);
    program
        .args(["create", "--raw", "/api/v1/namespaces", "-f"])
        .arg(file)
        .args(["--dry-run=server", "--request-timeout=5s"])
        .run()
}

#[test]
fn raw_create_with_a_dry_run_is_refused_and_nothing_reaches_the_server() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let stub = Stub::start();
    let sb = sandbox(kubectl);
    sb.write(sb.home.join(".kube/config"), &single(&stub.url));

    let run = raw_create(&sb, sb.tool("kubectl"));
    run.assert_code(BLOCKED)
        .assert_stderr_contains("kubectl.not-read-only");
    run.check(
        stub.requests().is_empty(),
        format!("the stub received {:?}", stub.requests()),
    );

    // The premise, checked with kubectl itself: it ignores the dry run and POSTs.
    let direct = raw_create(&sb, sb.program(kubectl));
    direct.check(
        stub.api_requests() == vec!["POST /api/v1/namespaces".to_string()],
        format!(
            "kubectl was expected to send the raw POST despite --dry-run=server; the stub received {:?}",
            stub.requests()
        ),
    );
}

#[test]
fn an_allowed_read_reaches_the_server() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let stub = Stub::start();
    let sb = sandbox(kubectl);
    sb.write(sb.home.join(".kube/config"), &single(&stub.url));
    let run = sb
        .tool("kubectl")
        .args([
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods",
            "--request-timeout=5s",
        ])
        .run();
    run.assert_code(0).assert_stdout_contains("PodList");
    run.check(
        stub.api_requests() == vec!["GET /api/v1/namespaces/default/pods".to_string()],
        format!("the stub received {:?}", stub.requests()),
    );

    // A raw read through a service proxy is refused, and never sent.
    let before = stub.requests().len();
    let run = sb
        .tool("kubectl")
        .args([
            "get",
            "--raw",
            "/api/v1/namespaces/default/services/web/%70roxy/",
            "--request-timeout=5s",
        ])
        .run();
    run.assert_code(BLOCKED)
        .assert_stderr_contains("kubectl.raw-proxy");
    run.check(
        stub.requests().len() == before,
        format!("the stub received {:?}", stub.requests()),
    );
}

/// `work` names `dev-cluster` and then merges `*prod`, which go-yaml v2 lets overwrite
/// the cluster: kubectl talks to the prod server.
fn merged(dev: &str, prod: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
current-context: work
clusters:
- name: dev-cluster
  cluster: {{server: \"{dev}\"}}
- name: prod-cluster
  cluster: {{server: \"{prod}\"}}
contexts:
- name: prod
  context: &prod {{cluster: prod-cluster, user: u}}
- name: work
  context:
    cluster: dev-cluster
    <<: *prod
users:
- name: u
  user: {{token: not-a-real-token}}
"
    )
}

#[test]
fn a_kubeconfig_with_merge_keys_resolves_to_the_cluster_kubectl_uses() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let dev = Stub::start();
    let prod = Stub::start();
    let sb = sandbox(kubectl);
    sb.write(sb.home.join(".kube/config"), &merged(&dev.url, &prod.url));

    // What kubectl itself resolves.
    let minify = sb
        .program(kubectl)
        .args([
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].name}",
        ])
        .run();
    minify.assert_code(0);
    assert_eq!(
        minify.stdout().trim(),
        "prod-cluster",
        "{}",
        minify.report()
    );

    // What failsafe resolves: the same cluster, so the target is prod.
    let fact = sb.explain_json(&["kubectl", "get", "pods"]);
    let fact = fact.get("fact").unwrap_or(&fact);
    assert_eq!(fact["kubectl"]["cluster"], "prod-cluster", "{fact:#}");
    assert_eq!(fact["kubectl"]["server"], prod.url.as_str(), "{fact:#}");
    assert_eq!(fact["target"]["env"], "prod", "{fact:#}");

    // So a user's "prod is read-only" policy holds in write mode, and nothing is sent.
    sb.user_policy(
        "prod.rego",
        "package failsafe.user\nimport rego.v1\nblock contains {\"id\": \"user.prod-read-only\", \"reason\": \"prod is read-only\"} if {\n\tinput.target.env == \"prod\"\n\tinput.verb == \"delete\"\n}\n",
    );
    sb.write_mode();
    let run = sb
        .tool("kubectl")
        .args([
            "delete",
            "--raw",
            "/api/v1/namespaces/payments",
            "--request-timeout=5s",
        ])
        .run();
    run.assert_code(BLOCKED)
        .assert_stderr_contains("user.prod-read-only");
    run.check(
        dev.requests().is_empty() && prod.api_requests().is_empty(),
        format!(
            "dev received {:?}, prod received {:?}",
            dev.requests(),
            prod.requests()
        ),
    );

    // And an allowed command reaches the server kubectl picked, not the other one.
    // (Only kubectl itself sends requests: everything so far was refused, or was
    // `config view`, which contacts no server but a dispatcher build's `/version`.)
    let sent_before = prod.api_requests().len();
    let run = sb
        .tool("kubectl")
        .args([
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods",
            "--request-timeout=5s",
        ])
        .run();
    run.assert_code(0);
    run.check(
        dev.requests().is_empty() && prod.api_requests().len() == sent_before + 1,
        format!(
            "dev received {:?}, prod received {:?}",
            dev.requests(),
            prod.requests()
        ),
    );
}

#[test]
fn a_kubeconfig_failsafe_cannot_read_is_refused_in_write_mode_too() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let stub = Stub::start();
    let sb = sandbox(kubectl);
    sb.write(
        sb.home.join(".kube/config"),
        &format!("\"<<\": {{}}\n{}", single(&stub.url)),
    );
    sb.write_mode();
    let run = sb
        .tool("kubectl")
        .args([
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods",
            "--request-timeout=5s",
        ])
        .run();
    run.assert_code(BLOCKED)
        .assert_stderr_contains("target.uncertain");
    run.check(
        stub.requests().is_empty(),
        format!("the stub received {:?}", stub.requests()),
    );
}

#[test]
fn a_kubeconfig_path_that_is_not_utf8_is_refused_in_write_mode_not_ignored() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let dev = Stub::start();
    let prod = Stub::start();
    let sb = sandbox(kubectl);
    sb.write(sb.home.join(".kube/config"), &single(&dev.url));
    let odd = sb.work.join(non_utf8("kubeconfig-"));
    std::fs::write(&odd, single(&prod.url).replace("dev", "prod")).expect("write kubeconfig");
    sb.user_policy(
        "prod.rego",
        "package failsafe.user\nimport rego.v1\nblock contains {\"id\": \"user.prod-read-only\", \"reason\": \"prod is read-only\"} if input.target.env == \"prod\"\n",
    );
    sb.write_mode();
    let args = [
        "get",
        "--raw",
        "/api/v1/namespaces/default/pods",
        "--request-timeout=5s",
    ];

    // kubectl itself reads the file the variable names: the prod server.
    let direct = sb.program(kubectl).args(args).env("KUBECONFIG", &odd).run();
    direct.assert_code(0);
    direct.check(
        dev.requests().is_empty() && prod.api_requests().len() == 1,
        format!(
            "dev received {:?}, prod received {:?}",
            dev.requests(),
            prod.requests()
        ),
    );

    // failsafe cannot name that file, so it refuses instead of reading ~/.kube/config.
    let run = sb.tool("kubectl").args(args).env("KUBECONFIG", &odd).run();
    run.assert_code(BLOCKED)
        .assert_stderr_contains("target.uncertain");
    run.check(
        dev.requests().is_empty() && prod.api_requests().len() == 1,
        format!(
            "dev received {:?}, prod received {:?}",
            dev.requests(),
            prod.requests()
        ),
    );
}
