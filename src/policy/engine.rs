//! Evaluating a chain of policy files against one fact with regorus.
//!
//! Every file is prepared and loaded by `loaded` — the one way into the engine, shared
//! by the shim's [`evaluate_quick`] and `explain`'s [`evaluate`], so the two can never
//! evaluate different modules — and each decision rule's output is traced to
//! `file:line`. Whatever goes wrong — a syntax error, a package
//! a layer may not use, an evaluation error, an output that is not an object with a
//! `reason` — becomes a block reason naming the file and line. Nothing here can allow.

use super::layers::{Chain, PolicyFile};
use super::loaded::{self, Loaded};
use super::rewrite::Prepared;
use super::{Effect, Layer, Reason};
use regorus::{Engine, Value};
use std::path::Path;

/// What one file's decision rules produced.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Layer of the file.
    pub layer: Layer,
    /// Display path.
    pub path: String,
    /// Package, `""` when the file did not parse.
    pub package: String,
    /// Repo files only: trusted?
    pub trusted: Option<bool>,
    /// Number of decision rules (`block`/`ask`/`allow_override` definitions) in it;
    /// `None` when the quick path answered without counting them.
    pub rules: Option<usize>,
}

/// The outcome of evaluating a chain: every reason that fired, plus the overrides that
/// were ignored because their repo file is not trusted.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Files that were evaluated, in order.
    pub files: Vec<FileResult>,
    /// Every reason that fired or failure that counts as a block, in chain order.
    pub reasons: Vec<Reason>,
    /// `allow_override` reasons from untrusted repo files; shown, never applied.
    pub ignored_overrides: Vec<Reason>,
    /// The engine that produced this evaluation. A shim keeps it until it execs, so the
    /// process never spends time freeing policy trees it is about to discard.
    pub engine: Option<Engine>,
}

/// A block reason for a broken policy file or rule.
pub(super) fn broken(file: &PolicyFile, package: &str, location: String, why: String) -> Reason {
    Reason {
        id: "failsafe.policy-broken".to_string(),
        reason: why,
        effect: Effect::Block,
        layer: file.layer,
        location: if location.is_empty() {
            file.path.clone()
        } else {
            location
        },
        package: package.to_string(),
    }
}

/// The shim's evaluation: exactly the modules [`evaluate`] evaluates, prepared by the
/// same step, with the same reasons; it only skips counting each file's decision rules
/// (`FileResult::rules` is `None`), which nothing on the hot path reads.
pub fn evaluate_quick(
    chain: &Chain,
    input: &serde_json::Value,
    config: &serde_json::Value,
) -> Evaluation {
    let mut eval = evaluate_loaded(chain, loaded::load(chain), input, config);
    for file in &mut eval.files {
        file.rules = None;
    }
    eval
}

/// [`evaluate_quick`] when `quick`, else [`evaluate`], with the analyses of user and repo
/// files reused from (and stored in) the cache directory `cache` (see `loaded::load_with`).
pub fn evaluate_cached(
    chain: &Chain,
    input: &serde_json::Value,
    config: &serde_json::Value,
    quick: bool,
    cache: Option<&Path>,
) -> Evaluation {
    let mut eval = evaluate_loaded(chain, loaded::load_with(chain, cache), input, config);
    if quick {
        for file in &mut eval.files {
            file.rules = None;
        }
    }
    eval
}

/// Evaluates `chain` with `input` (the fact as JSON) and `data.failsafe.config` set to
/// `config`, every decision rule on its own so each reason carries its `file:line`.
pub fn evaluate(
    chain: &Chain,
    input: &serde_json::Value,
    config: &serde_json::Value,
) -> Evaluation {
    evaluate_loaded(chain, loaded::load(chain), input, config)
}

fn evaluate_loaded(
    chain: &Chain,
    loaded: Loaded<'_>,
    input: &serde_json::Value,
    config: &serde_json::Value,
) -> Evaluation {
    let Loaded {
        mut engine,
        files: loaded,
        results,
        failures,
    } = loaded;
    let mut eval = Evaluation {
        files: results,
        reasons: chain.failures.clone(),
        ..Evaluation::default()
    };
    eval.reasons.extend(failures);
    if loaded.iter().all(|(_, p)| p.sites.is_empty()) {
        eval.engine = Some(engine);
        return eval;
    }
    if let Err(e) = engine.add_data(Value::from(serde_json::json!({
        "failsafe": { "config": config }
    }))) {
        let reason = Reason {
            id: "failsafe.internal".to_string(),
            reason: format!("cannot hand config.toml to the policies: {e} (a bug in failsafe; the command was refused)"),
            effect: Effect::Block,
            layer: Layer::Bundled,
            location: String::new(),
            package: String::new(),
        };
        eval.reasons.push(reason);
        return eval;
    }
    engine.set_input(Value::from(input.clone()));
    // Each decision rule is evaluated on its own. Never with one query for a whole
    // package: regorus 0.14 evaluates `data.<package>` module by module, and a rule
    // that depends on a helper defined in more than one file of the package can come
    // out empty there (a user block silently dropped: fail open). Asking for the rule
    // itself gathers every definition first.
    let mut seen_errors: Vec<String> = Vec::new();
    for (file, prepared) in &loaded {
        for site in &prepared.sites {
            let location = format!("{}:{}", file.path, site.line);
            match engine.eval_rule(format!("data.{}.{}", prepared.package, site.name)) {
                Ok(value) => {
                    collect_outputs(&mut eval, file, prepared, site.effect, &location, &value);
                }
                Err(e) => {
                    let message = first_line_of_error(&e.to_string())
                        .replace(&site.name, site.effect.rule_name());
                    if seen_errors.contains(&message) {
                        continue;
                    }
                    seen_errors.push(message.clone());
                    let why = format!(
                        "policy rule `{}` at {location} failed to evaluate, so it is treated as a block: {message}",
                        site.effect.rule_name()
                    );
                    eval.reasons
                        .push(broken(file, &prepared.package, location.clone(), why));
                }
            }
        }
    }
    eval.engine = Some(engine);
    eval
}

fn collect_outputs(
    eval: &mut Evaluation,
    file: &PolicyFile,
    prepared: &Prepared,
    effect: Effect,
    location: &str,
    value: &Value,
) {
    let items: Vec<&Value> = match value {
        Value::Undefined => return,
        Value::Set(set) => set.iter().collect(),
        other => {
            let why = format!(
                "policy rule `{}` at {location} produced `{}` instead of a set of objects with a `reason`; a broken policy counts as a block",
                effect.rule_name(),
                compact(other)
            );
            eval.reasons
                .push(broken(file, &prepared.package, location.to_string(), why));
            return;
        }
    };
    for item in items {
        let reason_text = item["reason"]
            .as_string()
            .ok()
            .map(std::string::ToString::to_string);
        let id = item["id"]
            .as_string()
            .ok()
            .map(std::string::ToString::to_string)
            .unwrap_or_default();
        let Some(reason_text) = reason_text.filter(|r| !r.trim().is_empty()) else {
            let why = format!(
                "policy rule `{}` at {location} produced `{}`, which is not an object with a non-empty `reason`; a broken policy counts as a block",
                effect.rule_name(),
                compact(item)
            );
            eval.reasons
                .push(broken(file, &prepared.package, location.to_string(), why));
            continue;
        };
        let reason = Reason {
            id,
            reason: reason_text,
            effect,
            layer: file.layer,
            location: location.to_string(),
            package: prepared.package.clone(),
        };
        if effect == Effect::AllowOverride && file.trusted == Some(false) {
            eval.ignored_overrides.push(reason);
        } else {
            eval.reasons.push(reason);
        }
    }
}

fn compact(v: &Value) -> String {
    let text = v.to_json_str().unwrap_or_else(|_| v.to_string());
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 120 {
        format!("{}…", one.chars().take(120).collect::<String>())
    } else {
        one
    }
}

/// The most useful line of a regorus error: the `error: …` text, with the `-->` location
/// in front when there is one.
pub fn first_line_of_error(message: &str) -> String {
    let location = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(str::to_string);
    let text = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(
            || {
                message
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or("")
                    .to_string()
            },
            str::to_string,
        );
    match location {
        Some(loc) => format!("{text} (at {loc})"),
        None => text,
    }
}

/// `file:line` from a regorus error (`--> file:12:5`), or the file alone.
pub(super) fn error_location(message: &str, path: &str) -> String {
    message
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|loc| loc.rsplit_once(':').map(|(fl, _col)| fl.to_string()))
        .unwrap_or_else(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(layer: Layer, path: &str, text: &str, trusted: Option<bool>) -> PolicyFile {
        PolicyFile {
            layer,
            path: path.to_string(),
            text: text.to_string(),
            trusted,
        }
    }

    fn run(files: Vec<PolicyFile>, input: &serde_json::Value) -> Evaluation {
        let chain = Chain {
            files,
            failures: Vec::new(),
        };
        evaluate(&chain, input, &json!({}))
    }

    #[test]
    fn each_reason_carries_its_rule_line() {
        let text = "package failsafe.user\nimport rego.v1\n\nblock contains {\"id\": \"a\", \"reason\": \"first\"} if input.x\n\nblock contains {\"id\": \"b\", \"reason\": \"second\"} if input.x\n";
        let e = run(
            vec![file(Layer::User, "u.rego", text, None)],
            &json!({"x": true}),
        );
        let got: Vec<_> = e
            .reasons
            .iter()
            .map(|r| (r.id.as_str(), r.location.as_str()))
            .collect();
        assert_eq!(got, vec![("a", "u.rego:4"), ("b", "u.rego:6")]);
    }

    #[test]
    fn malformed_outputs_block() {
        let text = "package failsafe.user\nimport rego.v1\nblock contains \"just a string\" if true\nask contains {\"id\": \"x\"} if true\n";
        let e = run(vec![file(Layer::User, "u.rego", text, None)], &json!({}));
        assert_eq!(e.reasons.len(), 2);
        assert!(e
            .reasons
            .iter()
            .all(|r| r.effect == Effect::Block && r.id == "failsafe.policy-broken"));
        assert!(e.reasons[0].reason.contains("u.rego:3"));
    }

    #[test]
    fn syntax_errors_block_with_the_file() {
        let e = run(
            vec![file(
                Layer::Repo,
                "/r/.failsafe.rego",
                "package failsafe.repo\nblock contains {\n",
                Some(false),
            )],
            &json!({}),
        );
        assert_eq!(e.reasons.len(), 1);
        assert!(e.reasons[0].reason.contains("/r/.failsafe.rego"));
    }

    #[test]
    fn evaluation_errors_block() {
        let text = "package failsafe.user\nimport rego.v1\nblock contains {\"reason\": sprintf(\"%d\", [1/0])} if true\n";
        let e = run(vec![file(Layer::User, "u.rego", text, None)], &json!({}));
        assert!(!e.reasons.is_empty());
        assert!(e.reasons.iter().all(|r| r.effect == Effect::Block));
    }

    #[test]
    fn repo_files_may_not_impersonate_the_user_layer() {
        let text = "package failsafe.user\nimport rego.v1\nallow_override contains {\"reason\": \"sneaky\"} if true\n";
        let e = run(
            vec![file(Layer::Repo, ".failsafe.rego", text, Some(true))],
            &json!({}),
        );
        assert_eq!(e.reasons.len(), 1);
        assert_eq!(e.reasons[0].effect, Effect::Block);
        assert!(e.reasons[0].reason.contains("may not use"));
    }

    #[test]
    fn untrusted_overrides_are_set_aside() {
        let text = "package failsafe.repo\nimport rego.v1\nallow_override contains {\"reason\": \"ok\"} if true\nblock contains {\"reason\": \"no\"} if true\n";
        let e = run(
            vec![file(Layer::Repo, ".failsafe.rego", text, Some(false))],
            &json!({}),
        );
        assert_eq!(e.ignored_overrides.len(), 1);
        assert_eq!(e.reasons.len(), 1);
        assert_eq!(e.reasons[0].effect, Effect::Block);
    }

    #[test]
    fn rules_referring_to_block_still_work() {
        let text = "package failsafe.user\nimport rego.v1\nblock contains {\"reason\": \"a\"} if input.x\nask contains {\"reason\": \"only when nothing blocks\"} if count(block) == 0\n";
        let e = run(
            vec![file(Layer::User, "u.rego", text, None)],
            &json!({"x": false}),
        );
        assert_eq!(e.reasons.len(), 1);
        assert_eq!(e.reasons[0].effect, Effect::Ask);
    }

    #[test]
    fn config_is_visible_to_policies() {
        let text = "package failsafe.user\nimport rego.v1\nblock contains {\"reason\": \"cfg\"} if data.failsafe.config.flag\n";
        let chain = Chain {
            files: vec![file(Layer::User, "u.rego", text, None)],
            failures: Vec::new(),
        };
        let e = evaluate(&chain, &json!({}), &json!({"flag": true}));
        assert_eq!(e.reasons.len(), 1);
    }

    #[test]
    fn quick_path_agrees_with_the_full_path() {
        let user = |text: &str| file(Layer::User, "u.rego", text, None);
        let repo = |path: &str, text: &str| file(Layer::Repo, path, text, Some(false));
        let chains = [
            vec![user("package failsafe.user\nimport rego.v1\nblock contains {\"id\": \"a\", \"reason\": \"r\"} if input.x\n")],
            vec![user("package failsafe.user\nimport rego.v1\nask contains {\"reason\": \"r\"} if input.y\n")],
            vec![user("package guard.user\nblock[msg] { input.x; msg := {\"reason\": \"old style\"} }\n")],
            vec![user("package failsafe.user\nimport rego.v1\nblock contains \"broken\" if input.x\n")],
            vec![user("package failsafe.user\nblock contains {\n")],
            vec![user("package failsafe.user\nimport rego.v1\nblock contains {\"reason\": sprintf(\"%d\", [1/0])} if input.x\n")],
            // A repo block whose helper an untrusted sub-directory file also defines.
            vec![
                repo("/r/.failsafe.rego", "package failsafe.repo\nimport rego.v1\nblock contains {\"id\": \"b\", \"reason\": \"r\"} if { not ok }\nok if input.x\n"),
                repo("/r/s/.failsafe.rego", "package failsafe.repo\nimport rego.v1\nok if input.y\n"),
            ],
            // A user helper split over two files.
            vec![
                file(Layer::User, "u0.rego", "package failsafe.user\nimport rego.v1\nhot if input.y\n", None),
                file(Layer::User, "u1.rego", "package failsafe.user\nimport rego.v1\nask contains {\"id\": \"h\", \"reason\": \"r\"} if hot\nhot if input.x\n", None),
            ],
        ];
        for files in chains {
            for input in [json!({"x": true}), json!({"x": false}), json!({"y": true})] {
                let chain = Chain {
                    files: files.clone(),
                    failures: Vec::new(),
                };
                let full = evaluate(&chain, &input, &json!({}));
                let quick = evaluate_quick(&chain, &input, &json!({}));
                let said = |e: &Evaluation| {
                    e.reasons
                        .iter()
                        .chain(&e.ignored_overrides)
                        .map(|r| (r.id.clone(), r.effect, r.location.clone()))
                        .collect::<Vec<_>>()
                };
                let context = format!("{:?} with {input}", chain.files[0].text);
                assert_eq!(said(&quick), said(&full), "{context}");
                let verdict = |e: &Evaluation| super::super::decide(e).verdict;
                assert_eq!(verdict(&quick), verdict(&full), "{context}");
            }
        }
    }

    #[test]
    fn an_untrusted_repo_file_cannot_widen_a_trusted_override() {
        let trusted = "package failsafe.repo\nimport rego.v1\ndev if input.context == \"kind-dev\"\nallow_override contains {\"reason\": \"dev\"} if dev\n";
        let untrusted = "package failsafe.repo\nimport rego.v1\ndev if true\n";
        let chain = Chain {
            files: vec![
                file(Layer::Repo, "/r/.failsafe.rego", trusted, Some(true)),
                file(Layer::Repo, "/r/sub/.failsafe.rego", untrusted, Some(false)),
            ],
            failures: Vec::new(),
        };
        let e = evaluate_quick(&chain, &json!({"context": "prod"}), &json!({}));
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
        let e = evaluate_quick(&chain, &json!({"context": "kind-dev"}), &json!({}));
        assert_eq!(e.reasons.len(), 1);
        assert_eq!(e.reasons[0].location, "/r/.failsafe.rego:4");
    }

    #[test]
    fn a_helper_defined_in_two_user_files_counts_whole() {
        // regorus 0.14 drops this block when the whole package is queried at once.
        let first = "package failsafe.user\nimport rego.v1\nprod if input.never\n";
        let second = "package failsafe.user\nimport rego.v1\nblock contains {\"id\": \"u\", \"reason\": \"r\"} if prod\nprod if input.context == \"prod\"\n";
        let chain = Chain {
            files: vec![
                file(Layer::User, "u0.rego", first, None),
                file(Layer::User, "u1.rego", second, None),
            ],
            failures: Vec::new(),
        };
        let input = json!({"context": "prod"});
        for e in [
            evaluate_quick(&chain, &input, &json!({})),
            evaluate(&chain, &input, &json!({})),
        ] {
            let got: Vec<_> = e.reasons.iter().map(|r| r.location.as_str()).collect();
            assert_eq!(got, vec!["u1.rego:3"]);
        }
    }

    #[test]
    fn an_untrusted_repo_file_cannot_silence_a_root_block() {
        let root = "package failsafe.repo\nimport rego.v1\nblock contains {\"id\": \"repo.keep\", \"reason\": \"no\"} if { not exempt }\nexempt if input.break_glass\n";
        let sub = "package failsafe.repo\nimport rego.v1\nexempt if true\n";
        let chain = Chain {
            files: vec![
                file(Layer::Repo, "/r/.failsafe.rego", root, Some(true)),
                file(Layer::Repo, "/r/sub/.failsafe.rego", sub, Some(false)),
            ],
            failures: Vec::new(),
        };
        for e in [
            evaluate_quick(&chain, &json!({}), &json!({})),
            evaluate(&chain, &json!({}), &json!({})),
        ] {
            let got: Vec<_> = e
                .reasons
                .iter()
                .map(|r| (r.id.as_str(), r.effect, r.location.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![("repo.keep", Effect::Block, "/r/.failsafe.rego:3")]
            );
        }
    }
}
