//! Test data shared by the log's tests (store, read, report, share, HTML, the append
//! benchmark): a week of decisions with
//! something of everything a shared report must hide. Compiled only for tests.

use super::{DecisionRecord, LoggedReason, LoggedTarget};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-11-22T12:00:00Z.
pub(crate) fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_hours(498_708)
}

/// One record of `command` (split like a shell would) at `2026-11-{time}`.
pub(crate) fn rec(
    time: &str,
    decision: &str,
    command: &str,
    target: (&str, &str, &str),
    rule: &str,
    cwd: &str,
) -> DecisionRecord {
    let argv = shell_words::split(command).unwrap_or_default();
    let word = |i: usize| argv.get(i).cloned().unwrap_or_default();
    // The first word that is neither a flag nor a flag's value.
    let mut verb = String::new();
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        if !w.starts_with('-') {
            verb.clone_from(w);
            break;
        }
        i += 2;
    }
    DecisionRecord {
        time: format!("2026-11-{time}:00.000000Z"),
        source: "shim".into(),
        tool: word(0),
        binary: word(0),
        verb,
        argv: argv.clone(),
        cwd: cwd.into(),
        mode: "read".into(),
        decision: decision.into(),
        reasons: (!rule.is_empty())
            .then(|| LoggedReason {
                id: rule.into(),
                reason: format!("{rule} says no"),
                location: "bundled/x.rego:3".into(),
                layer: "bundled".into(),
                effect: decision.into(),
            })
            .into_iter()
            .collect(),
        target: LoggedTarget {
            env: target.0.into(),
            name: target.1.into(),
            kind: target.2.into(),
        },
        ..DecisionRecord::default()
    }
}

/// A week of decisions with something of everything a share must hide.
pub(crate) fn sample_records() -> Vec<DecisionRecord> {
    let eks = ("prod", "prod-eks-payments", "cluster");
    let mut aws = rec(
        "22T10:00",
        "block",
        "aws iam delete-role --role-name admin --profile acme-prod",
        ("prod", "123456789012", "account"),
        "aws.iam-delete",
        "/home/alice/infra",
    );
    if let Some(r) = aws.reasons.first_mut() {
        r.reason = "deleting arn:aws:iam::123456789012:role/admin seen from 10.1.2.3".into();
        r.location = "/home/alice/.config/failsafe/policies/mine.rego:7".into();
        r.layer = "user".into();
    }
    vec![
        rec("10T00:00", "block", "kubectl delete ns old", eks, "kubectl.mutating-verb", "/tmp"),
        rec("20T09:00", "allow", "kubectl get pods", ("dev", "kind-dev", "cluster"), "", "/tmp"),
        rec(
            "21T10:00",
            "block",
            "kubectl --context prod-eks-payments --server https://api.prod.internal.example.com:6443 delete ns payments",
            eks,
            "kubectl.mutating-verb",
            "/home/alice/src/payments",
        ),
        rec(
            "21T11:00",
            "block",
            "kubectl --context prod-eks-payments --server https://api.prod.internal.example.com:6443 delete ns payments",
            eks,
            "kubectl.mutating-verb",
            "/home/alice/src/payments",
        ),
        rec(
            "22T08:00",
            "block",
            "git -c user.name=alice push --force git@github.com:acme/payments.git main",
            ("unknown", "main", "branch"),
            "git.force-push-protected",
            "/home/alice/src/payments",
        ),
        rec("22T09:00", "ask", "terraform destroy", ("staging", "staging", "workspace"), "terraform.destroy", "/tmp"),
        aws,
        rec("22T11:00", "override", "helm uninstall web", ("staging", "stg-cluster", "cluster"), "helm.uninstall", "/tmp"),
    ]
}

/// A minimal allowed `kubectl get pod-{n}` record, for append and chain tests.
pub(crate) fn numbered(n: usize) -> DecisionRecord {
    DecisionRecord {
        time: "2026-11-22T03:04:05.000000Z".into(),
        source: "shim".into(),
        tool: "kubectl".into(),
        binary: "kubectl".into(),
        verb: "get".into(),
        argv: vec!["kubectl".into(), "get".into(), format!("pod-{n}")],
        decision: "allow".into(),
        ..DecisionRecord::default()
    }
}

/// Log settings that rotate past `max_bytes` (0: never) and never require the log.
pub(crate) fn log_settings(max_bytes: u64) -> crate::config::LogSettings {
    crate::config::LogSettings {
        required: false,
        max_bytes,
    }
}
