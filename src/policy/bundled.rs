//! The bundled policies, embedded at build time, and which of them apply to a fact.
//!
//! Only the files that can apply are handed to the engine: in read mode the tool's own
//! policies — for git only the files whose verbs match — and the uncertainty policy when
//! something is uncertain; the self-protection policy only for `failsafe` itself.
//! Parsing a policy that cannot apply would cost every `git status` for nothing. The
//! tests below check that a file never fires outside the scope it is loaded for.

use crate::mode::Mode;
use crate::policy::rewrite::{Analysis, Head};
use crate::policy::Effect;

include!(concat!(env!("OUT_DIR"), "/bundled_analyses.rs"));

/// The analysis `build.rs` made of the bundled policy shown as `path`, when `text` is
/// that policy's text; `None` for anything else (which is then analysed at run time).
pub fn analysis(path: &str, text: &str) -> Option<Analysis> {
    ALL.iter()
        .any(|p| p.path == path && p.text == text)
        .then(|| generated(path))
        .flatten()
}

/// When a bundled file can produce anything at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// For every command of its tool.
    Always,
    /// Only for these verbs of its tool (each rule tests `input.verb`).
    Verbs(&'static [&'static str]),
    /// Only when the fact lists something uncertain (read mode).
    WhenUncertain,
    /// Only when the target itself is uncertain (`target.uncertain`), in every mode.
    WhenTargetUncertain,
    /// The write-mode safety net: in write mode (read mode already blocks all it asks
    /// for), for the verbs of [`SAFETY_NET_VERBS`] (every aws command).
    SafetyNet,
}

/// The verbs the safety net (`bundled/irreversible.rego`) can fire for, per tool; aws is
/// not listed because its verb is the service and any service can delete.
pub const SAFETY_NET_VERBS: &[(&str, &[&str])] = &[
    (
        "git",
        &[
            "push",
            "send-pack",
            "rebase",
            "reset",
            "filter-branch",
            "filter-repo",
            "commit",
            "branch",
        ],
    ),
    ("kubectl", &["delete"]),
    ("helm", &["uninstall", "delete", "del", "un"]),
    ("terraform", &["destroy", "apply", "state", "workspace"]),
];

/// One embedded policy file.
#[derive(Debug, Clone, Copy)]
pub struct BundledPolicy {
    /// Display path, used in every `file:line` (`bundled/kubectl.rego`).
    pub path: &'static str,
    /// The tool it guards, or `None` for the always-on policies.
    pub tool: Option<&'static str>,
    /// When it can fire.
    pub scope: Scope,
    /// The Rego source.
    pub text: &'static str,
}

/// The verbs of `bundled/git/local-changes.rego`.
const GIT_LOCAL_CHANGE_VERBS: &[&str] = &[
    "reset",
    "clean",
    "checkout",
    "restore",
    "switch",
    "rm",
    "read-tree",
    "checkout-index",
];

/// The verbs of `bundled/git/push.rego`.
const GIT_PUSH_VERBS: &[&str] = &["push", "send-pack"];

/// The verbs of `bundled/git/history.rego`.
const GIT_HISTORY_VERBS: &[&str] = &[
    "stash",
    "branch",
    "filter-branch",
    "filter-repo",
    "reflog",
    "gc",
    "prune",
    "update-ref",
    "worktree",
    "repack",
    "maintenance",
    "config",
];

/// Every bundled policy.
pub const ALL: &[BundledPolicy] = &[
    BundledPolicy {
        path: "bundled/kubectl.rego",
        tool: Some("kubectl"),
        scope: Scope::Always,
        text: include_str!("../../policies/kubectl.rego"),
    },
    BundledPolicy {
        path: "bundled/git/push.rego",
        tool: Some("git"),
        scope: Scope::Verbs(GIT_PUSH_VERBS),
        text: include_str!("../../policies/git/push.rego"),
    },
    BundledPolicy {
        path: "bundled/git/local-changes.rego",
        tool: Some("git"),
        scope: Scope::Verbs(GIT_LOCAL_CHANGE_VERBS),
        text: include_str!("../../policies/git/local-changes.rego"),
    },
    BundledPolicy {
        path: "bundled/git/history.rego",
        tool: Some("git"),
        scope: Scope::Verbs(GIT_HISTORY_VERBS),
        text: include_str!("../../policies/git/history.rego"),
    },
    BundledPolicy {
        path: "bundled/helm.rego",
        tool: Some("helm"),
        scope: Scope::Always,
        text: include_str!("../../policies/helm.rego"),
    },
    BundledPolicy {
        path: "bundled/terraform.rego",
        tool: Some("terraform"),
        scope: Scope::Always,
        text: include_str!("../../policies/terraform.rego"),
    },
    BundledPolicy {
        path: "bundled/aws.rego",
        tool: Some("aws"),
        scope: Scope::Always,
        text: include_str!("../../policies/aws.rego"),
    },
    BundledPolicy {
        path: "bundled/uncertain.rego",
        tool: None,
        scope: Scope::WhenUncertain,
        text: include_str!("../../policies/uncertain.rego"),
    },
    BundledPolicy {
        path: "bundled/target.rego",
        tool: None,
        scope: Scope::WhenTargetUncertain,
        text: include_str!("../../policies/target.rego"),
    },
    BundledPolicy {
        path: "bundled/irreversible.rego",
        tool: None,
        scope: Scope::SafetyNet,
        text: include_str!("../../policies/irreversible.rego"),
    },
    BundledPolicy {
        path: "bundled/self.rego",
        tool: Some("failsafe"),
        scope: Scope::Always,
        text: include_str!("../../policies/self.rego"),
    },
];

/// What decides which bundled files can apply to one command.
#[derive(Debug, Clone, Copy)]
pub struct Applicability<'a> {
    /// The canonical tool.
    pub tool: &'a str,
    /// The pane's mode.
    pub mode: Mode,
    /// The command's verb.
    pub verb: &'a str,
    /// Whether the fact lists anything uncertain.
    pub uncertain: bool,
    /// Whether the fact's target is uncertain (`target.uncertain`).
    pub target_uncertain: bool,
}

impl BundledPolicy {
    /// This file as a member of the bundled layer of a policy chain.
    pub fn to_policy_file(&self) -> crate::policy::PolicyFile {
        crate::policy::PolicyFile {
            layer: crate::policy::Layer::Bundled,
            path: self.path.to_string(),
            text: self.text.to_string(),
            trusted: None,
        }
    }

    /// True when this file can fire for such a command.
    pub fn applies(&self, a: &Applicability<'_>) -> bool {
        let tool_matches = match (self.tool, a.mode) {
            (Some("failsafe"), _) => a.tool == "failsafe",
            (None, _) if self.scope == Scope::WhenTargetUncertain => true,
            // In read mode the read-mode policies already block everything the net
            // asks for, so it is loaded only where it changes a decision.
            (None, Mode::Write) if self.scope == Scope::SafetyNet => true,
            (None, Mode::Read) if self.scope == Scope::SafetyNet => false,
            (Some(t), Mode::Read) => t == a.tool,
            (None, Mode::Read) => true,
            (_, Mode::Write) => false,
        };
        tool_matches
            && match self.scope {
                Scope::Always => true,
                Scope::Verbs(verbs) => verbs.contains(&a.verb),
                Scope::WhenUncertain => a.uncertain,
                Scope::WhenTargetUncertain => a.target_uncertain,
                Scope::SafetyNet => {
                    a.tool == "aws"
                        || SAFETY_NET_VERBS
                            .iter()
                            .any(|(t, verbs)| *t == a.tool && verbs.contains(&a.verb))
                }
            }
    }
}

/// The bundled policies that can apply: in read mode the tool's own (scoped by verb) and
/// the uncertainty policy when something is uncertain; in every mode the target policy
/// when the target is uncertain, the safety net for the verbs it covers, and
/// self-protection for `failsafe`.
pub fn applicable(a: &Applicability<'_>) -> Vec<&'static BundledPolicy> {
    ALL.iter().filter(|p| p.applies(a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::engine::evaluate;
    use crate::policy::layers::Chain;
    use serde_json::json;

    fn read(tool: &'static str, verb: &'static str, uncertain: bool) -> Applicability<'static> {
        Applicability {
            tool,
            mode: Mode::Read,
            verb,
            uncertain,
            target_uncertain: false,
        }
    }

    fn paths(a: &Applicability<'_>) -> Vec<&'static str> {
        applicable(a).iter().map(|p| p.path).collect()
    }

    /// The build-time analysis of every bundled file is exactly what the run-time
    /// rewrite makes of it, so both produce byte-identical rewritten text and the
    /// decisions cannot differ (the corpus and every policy test run the build-time one).
    #[test]
    fn build_time_analyses_match_the_runtime_rewrite() {
        for policy in ALL {
            let built = analysis(policy.path, policy.text);
            let fresh = crate::policy::rewrite::analyse(policy.path, policy.text).ok();
            assert!(built.is_some(), "{}", policy.path);
            assert_eq!(built, fresh, "{}", policy.path);
        }
        assert_eq!(
            analysis("bundled/kubectl.rego", "package failsafe.bundled.kubectl\n"),
            None
        );
    }

    #[test]
    fn read_mode_loads_only_what_can_fire() {
        assert!(paths(&read("git", "status", false)).is_empty());
        assert_eq!(
            paths(&read("git", "push", false)),
            vec!["bundled/git/push.rego"]
        );
        assert_eq!(
            paths(&read("git", "reset", true)),
            vec!["bundled/git/local-changes.rego", "bundled/uncertain.rego"]
        );
        assert_eq!(
            paths(&read("kubectl", "get", false)),
            vec!["bundled/kubectl.rego"]
        );
    }

    #[test]
    fn write_mode_loads_nothing_but_self_protection_and_the_safety_net() {
        let w = |tool, verb| Applicability {
            tool,
            mode: Mode::Write,
            verb,
            uncertain: true,
            target_uncertain: false,
        };
        assert!(applicable(&w("kubectl", "x")).is_empty());
        assert!(applicable(&w("git", "status")).is_empty());
        assert_eq!(paths(&w("failsafe", "x")), vec!["bundled/self.rego"]);
        assert_eq!(
            paths(&w("kubectl", "delete")),
            vec!["bundled/irreversible.rego"]
        );
        assert_eq!(paths(&w("aws", "ec2")), vec!["bundled/irreversible.rego"]);
    }

    #[test]
    fn target_uncertainty_applies_in_every_mode() {
        for mode in [Mode::Read, Mode::Write] {
            let a = Applicability {
                tool: "kubectl",
                mode,
                verb: "delete",
                uncertain: false,
                target_uncertain: true,
            };
            assert!(
                paths(&a).contains(&"bundled/target.rego"),
                "{mode:?}: {:?}",
                paths(&a)
            );
        }
    }

    /// A fact that would trip every git rule if its verb matched.
    fn provocative_git_fact(verb: &str, uncertain: bool) -> serde_json::Value {
        provocative_git_fact_with(verb, "drop", uncertain)
    }

    fn provocative_git_fact_with(verb: &str, subverb: &str, uncertain: bool) -> serde_json::Value {
        let all = json!(true);
        json!({
            "tool": "git", "verb": verb, "subverb": subverb, "args": ["."],
            "flags": {"force": all, "hard": all, "delete": all, "prune": "now", "expire": "now",
                      "stdin": all, "worktree": all, "discard-changes": all, "force-create": "x", "u": all},
            "uncertain": if uncertain { json!(["something"]) } else { json!([]) },
            "target": {"uncertain": if uncertain { json!(["something"]) } else { json!([]) }},
            "git": {"protected": true, "paths": ["x"], "expires_now": ["x"], "resets_branches": ["x"], "config_sets_command": ["x"],
                    "push": {"force": true, "force_kind": "force", "delete": true, "mirror": true, "targets": ["main"]}},
        })
    }

    #[test]
    fn scoped_files_never_fire_outside_their_scope() {
        let mut verbs = vec![
            "status",
            "log",
            "diff",
            "commit",
            "fetch",
            "pull",
            "merge",
            "rebase",
            "tag",
            "push",
            "frobnicate",
            "",
        ];
        verbs.extend_from_slice(GIT_LOCAL_CHANGE_VERBS);
        verbs.extend_from_slice(GIT_HISTORY_VERBS);
        verbs.extend_from_slice(GIT_PUSH_VERBS);
        for policy in ALL {
            for &verb in &verbs {
                for uncertain in [false, true] {
                    let a = Applicability {
                        tool: policy.tool.unwrap_or("git"),
                        mode: Mode::Read,
                        verb,
                        uncertain,
                        target_uncertain: uncertain,
                    };
                    // The safety net is not loaded in read mode at all (see `applies`).
                    if policy.applies(&a)
                        || policy.scope == Scope::Always
                        || policy.scope == Scope::SafetyNet
                    {
                        continue;
                    }
                    let chain = Chain {
                        files: vec![policy.to_policy_file()],
                        failures: Vec::new(),
                    };
                    let e = evaluate(&chain, &provocative_git_fact(verb, uncertain), &json!({}));
                    assert!(e.reasons.is_empty(), "{} fired for verb {verb:?} (uncertain {uncertain}) outside its scope: {:?}", policy.path, e.reasons);
                }
            }
        }
    }

    #[test]
    fn scoped_files_do_fire_inside_their_scope() {
        for policy in ALL.iter().filter(|p| matches!(p.scope, Scope::Verbs(_))) {
            let Scope::Verbs(verbs) = policy.scope else {
                continue;
            };
            for verb in verbs {
                let chain = Chain {
                    files: vec![policy.to_policy_file()],
                    failures: Vec::new(),
                };
                let fired = ["drop", "expire", "remove"].iter().any(|sub| {
                    let fact = provocative_git_fact_with(verb, sub, false);
                    !evaluate(&chain, &fact, &json!({})).reasons.is_empty()
                });
                assert!(fired, "{} did not fire for {verb}", policy.path);
            }
        }
    }
}
