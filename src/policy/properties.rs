//! Property tests over random policy chains: bundled (self-protection or not), user and
//! repo files (trusted or not, in nested directories), each with random `block`, `ask`
//! and `allow_override` rules and random helper rules whose names the files share.
//!
//! Two properties: the shim's [`evaluate_quick`] and `explain`'s [`evaluate`] always
//! reach the same verdict for the same reasons, and that verdict is the one a small
//! model of policy.md's "Decision" and "Layers" sections gives: a block or ask of layer
//! L is lifted by a non-empty `allow_override` of a later layer; an untrusted repo
//! file's `allow_override` never applies; `failsafe.bundled.self` blocks are never
//! lifted; block beats ask beats allow. The model knows which files share a package
//! (user files do; each bundled package and each repo file is on its own), so a helper
//! rule reaching across repo files shows up as a disagreement.

use super::decide::{decide, Verdict};
use super::engine::{evaluate, evaluate_cached, evaluate_quick, Evaluation};
use super::layers::{Chain, PolicyFile};
use super::Layer;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Boolean fields of the input (`input.f0`, …).
const FLAGS: usize = 3;
/// Helper rule names (`h0`, …), shared by every file.
const HELPERS: usize = 3;

/// A rule body: one expression.
#[derive(Debug, Clone, Copy)]
enum Cond {
    True,
    Flag(usize),
    NotFlag(usize),
    Helper(usize),
    NotHelper(usize),
}

impl Cond {
    fn text(self) -> String {
        match self {
            Cond::True => "true".to_string(),
            Cond::Flag(n) => format!("input.f{n}"),
            Cond::NotFlag(n) => format!("not input.f{n}"),
            Cond::Helper(k) => format!("h{k}"),
            Cond::NotHelper(k) => format!("not h{k}"),
        }
    }

    fn holds(self, input: [bool; FLAGS], helpers: [bool; HELPERS]) -> bool {
        match self {
            Cond::True => true,
            Cond::Flag(n) => input[n],
            Cond::NotFlag(n) => !input[n],
            Cond::Helper(k) => helpers[k],
            Cond::NotHelper(k) => !helpers[k],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Ask,
    Override,
}

impl Kind {
    fn rule_name(self) -> &'static str {
        match self {
            Kind::Block => "block",
            Kind::Ask => "ask",
            Kind::Override => "allow_override",
        }
    }
}

/// Decision rules and helper definitions of one file.
#[derive(Debug, Clone)]
struct Body {
    rules: Vec<(Kind, Cond)>,
    helpers: Vec<(usize, Cond)>,
}

/// One file of the chain and what the model needs to know about it.
#[derive(Debug, Clone)]
struct File {
    layer: Layer,
    /// Files with the same scope share a Rego package (and so their helpers).
    scope: String,
    package: String,
    path: String,
    trusted: Option<bool>,
    self_protection: bool,
    body: Body,
}

impl File {
    fn text(&self) -> String {
        let mut text = format!("package {}\n\nimport rego.v1\n\n", self.package);
        for (j, (kind, cond)) in self.body.rules.iter().enumerate() {
            text.push_str(&format!(
                "{} contains {{\"id\": \"{}.{j}\", \"reason\": \"r\"}} if {{ {} }}\n",
                kind.rule_name(),
                self.scope,
                cond.text()
            ));
        }
        for (k, cond) in &self.body.helpers {
            text.push_str(&format!("h{k} if {{ {} }}\n", cond.text()));
        }
        // Every helper is defined in every file (false unless something says otherwise),
        // so a reference is never a compile error and the model stays a pure OR.
        for k in 0..HELPERS {
            text.push_str(&format!("h{k} if {{ input.never }}\n"));
        }
        text
    }
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        Just(Cond::True),
        (0..FLAGS).prop_map(Cond::Flag),
        (0..FLAGS).prop_map(Cond::NotFlag),
        (0..HELPERS).prop_map(Cond::Helper),
        (0..HELPERS).prop_map(Cond::NotHelper),
    ]
}

fn helper_cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        Just(Cond::True),
        (0..FLAGS).prop_map(Cond::Flag),
        (0..FLAGS).prop_map(Cond::NotFlag),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    let kind = prop_oneof![Just(Kind::Block), Just(Kind::Ask), Just(Kind::Override)];
    (
        prop::collection::vec((kind, cond()), 0..3),
        prop::collection::vec((0..HELPERS, helper_cond()), 0..3),
    )
        .prop_map(|(rules, helpers)| Body { rules, helpers })
}

/// Bundled files (self-protection or not), user files, repo files (trusted or not,
/// root first, one directory deeper each), in chain order.
fn chain() -> impl Strategy<Value = Vec<File>> {
    (
        prop::collection::vec((any::<bool>(), body()), 0..3),
        prop::collection::vec(body(), 0..3),
        prop::collection::vec((any::<bool>(), body()), 0..4),
    )
        .prop_map(|(bundled, user, repo)| {
            let mut files = Vec::new();
            for (i, (self_protection, body)) in bundled.into_iter().enumerate() {
                let name = if self_protection {
                    "self".to_string()
                } else {
                    format!("t{i}")
                };
                files.push(File {
                    layer: Layer::Bundled,
                    scope: format!("bundled.{name}"),
                    package: format!("failsafe.bundled.{name}"),
                    path: format!("bundled/{name}{i}.rego"),
                    trusted: None,
                    self_protection,
                    body,
                });
            }
            for (i, body) in user.into_iter().enumerate() {
                files.push(File {
                    layer: Layer::User,
                    scope: "user".to_string(),
                    package: "failsafe.user".to_string(),
                    path: format!("/config/policies/u{i}.rego"),
                    trusted: None,
                    self_protection: false,
                    body,
                });
            }
            for (i, (trusted, body)) in repo.into_iter().enumerate() {
                files.push(File {
                    layer: Layer::Repo,
                    scope: format!("repo{i}"),
                    package: "failsafe.repo".to_string(),
                    path: format!("/repo{}/.failsafe.rego", "/sub".repeat(i)),
                    trusted: Some(trusted),
                    self_protection: false,
                    body,
                });
            }
            files
        })
}

/// policy.md's decision rules, applied to what each rule says under `input`.
fn model(files: &[File], input: [bool; FLAGS]) -> Verdict {
    let mut helpers: BTreeMap<&str, [bool; HELPERS]> = BTreeMap::new();
    for file in files {
        let scope = helpers.entry(file.scope.as_str()).or_default();
        for (k, cond) in &file.body.helpers {
            scope[*k] |= cond.holds(input, [false; HELPERS]);
        }
    }
    // (kind, layer, lift-proof)
    let mut said: Vec<(Kind, Layer, bool)> = Vec::new();
    let mut overrides: Vec<Layer> = Vec::new();
    for file in files {
        let scope = helpers
            .get(file.scope.as_str())
            .copied()
            .unwrap_or_default();
        for (kind, cond) in &file.body.rules {
            if !cond.holds(input, scope) {
                continue;
            }
            match kind {
                Kind::Override if file.trusted == Some(false) => {}
                Kind::Override => overrides.push(file.layer),
                _ => said.push((*kind, file.layer, file.self_protection)),
            }
        }
    }
    let (lifted, standing): (Vec<_>, Vec<_>) = said
        .into_iter()
        .partition(|(_, layer, fixed)| !fixed && overrides.iter().any(|o| o > layer));
    if standing.iter().any(|(k, _, _)| *k == Kind::Block) {
        Verdict::Block
    } else if !standing.is_empty() {
        Verdict::Ask
    } else if !lifted.is_empty() {
        Verdict::Override
    } else {
        Verdict::Allow
    }
}

fn to_chain(files: &[File]) -> Chain {
    Chain {
        files: files
            .iter()
            .map(|f| PolicyFile {
                layer: f.layer,
                path: f.path.clone(),
                text: f.text(),
                trusted: f.trusted,
            })
            .collect(),
        failures: Vec::new(),
    }
}

fn said(e: &Evaluation) -> Vec<(String, String)> {
    e.reasons
        .iter()
        .map(|r| (r.id.clone(), r.location.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn quick_full_and_the_model_agree(files in chain(), input in any::<[bool; FLAGS]>()) {
        let chain = to_chain(&files);
        let fact = serde_json::json!({"f0": input[0], "f1": input[1], "f2": input[2]});
        let config = serde_json::json!({});
        let full = evaluate(&chain, &fact, &config);
        let quick = evaluate_quick(&chain, &fact, &config);
        prop_assert!(
            !full.reasons.iter().any(|r| r.id.starts_with("failsafe.")),
            "a generated file is broken: {:?}", full.reasons
        );
        prop_assert_eq!(said(&quick), said(&full));
        // Through the analysis cache: once filling it, once reading it.
        let cache = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for _ in 0..2 {
            let cached = evaluate_cached(&chain, &fact, &config, true, Some(cache.path()));
            prop_assert_eq!(said(&cached), said(&full));
        }
        let verdict = decide(&full).verdict;
        prop_assert_eq!(decide(&quick).verdict, verdict);
        prop_assert_eq!(verdict, model(&files, input));
    }
}
