//! `failsafe test DIR`: a policy regression corpus, plus the `test_*` rules of the policy
//! files (the user's, or those of `--policies`, and any `.rego` under DIR).

use super::{err, json_text, out};
use crate::exit;
use crate::facts::Source;
use crate::judge::{decide_fact, judge, judge_in, Place, Request};
use crate::mode::Mode;
use crate::policy::layers::{user_policy_paths, PolicyFile};
use crate::policy::{rewrite, Layer};
use serde_json::{json, Value};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// One case's outcome.
struct Outcome {
    name: String,
    passed: bool,
    detail: String,
}

/// Every path under `dir` (sorted, depth first) for which `keep` says yes.
fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    children.sort();
    for child in children {
        if keep(&child) {
            found.push(child.clone());
        }
        if child.is_dir() {
            walk(&child, keep, found);
        }
    }
}

/// Case directories: those holding an `expected.json`.
fn cases(dir: &Path, found: &mut Vec<PathBuf>) {
    walk(
        dir,
        &|p| p.is_dir() && p.join("expected.json").is_file(),
        found,
    );
}

/// Policy files under `dir`.
fn rego_files(dir: &Path, found: &mut Vec<PathBuf>) {
    walk(
        dir,
        &|p| p.is_file() && p.extension().is_some_and(|x| x == "rego"),
        found,
    );
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

fn read_argv(path: &Path) -> Result<Vec<OsString>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let words: Vec<String> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a JSON array of strings: {e}", path.display()))?
    } else {
        shell_words::split(text.trim()).map_err(|e| format!("{}: {e}", path.display()))?
    };
    Ok(words.into_iter().map(OsString::from).collect())
}

/// The policies under `dir` (`--policies`), read as a user layer.
fn user_policies_in(dir: &Path) -> Vec<PolicyFile> {
    let mut paths = Vec::new();
    policy_files_in(dir, &mut paths);
    paths
        .iter()
        .map(|p| PolicyFile {
            layer: Layer::User,
            path: p.display().to_string(),
            // An unreadable file stays in the layer with no text, so it fails to parse
            // and blocks, naming the file, instead of silently dropping out.
            text: std::fs::read_to_string(p).unwrap_or_default(),
            trusted: None,
        })
        .collect()
}

/// Policy files under `dir`, without the `*_test.rego` files of `test_*` rules.
fn policy_files_in(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut all = Vec::new();
    rego_files(dir, &mut all);
    found.extend(all.into_iter().filter(|p| {
        !p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with("_test.rego"))
    }));
}

/// The variables of a case's optional `env.json` (`{"AWS_CONFIG_FILE": "../aws-config"}`)
/// that its `argv` is judged with; a value starting `./` or `../` is a path relative to
/// the case directory.
fn case_env(case: &Path) -> Result<Option<Vec<(String, String)>>, String> {
    let path = case.join("env.json");
    if !path.is_file() {
        return Ok(None);
    }
    let map: std::collections::BTreeMap<String, String> = serde_json::from_value(read_json(&path)?)
        .map_err(|e| format!("{} is not an object of strings: {e}", path.display()))?;
    Ok(Some(
        map.into_iter()
            .map(|(k, v)| {
                let v = if v.starts_with("./") || v.starts_with("../") {
                    case.join(&v).display().to_string()
                } else {
                    v
                };
                (k, v)
            })
            .collect(),
    ))
}

/// (decision, every reason id) for one case directory.
fn run_case(
    case: &Path,
    expected: &Value,
    policies: Option<&Path>,
) -> Result<(String, Vec<String>), String> {
    let mode = match expected.get("mode").and_then(Value::as_str) {
        Some(m) => Mode::parse(m).ok_or_else(|| format!("expected.json: unknown mode `{m}`"))?,
        None => Mode::Read,
    };
    if case.join("argv").is_file() {
        let argv = read_argv(&case.join("argv"))?;
        let binary = argv
            .first()
            .and_then(|a| Path::new(a).file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| "argv is empty".to_string())?;
        let req = Request {
            binary,
            argv,
            source: Source::Test,
            mode: Some(mode),
        };
        let j = match case_env(case)? {
            None => judge(req),
            Some(vars) => {
                let config_dir = super::config_dir();
                let settings =
                    crate::config::Settings::load(&config_dir).map_err(|e| e.to_string())?;
                let mut ctx = crate::facts::Context::from_process(
                    settings,
                    mode,
                    "test".to_string(),
                    Source::Test,
                );
                ctx.env.extend(vars);
                judge_in(
                    req,
                    ctx,
                    config_dir,
                    Vec::new(),
                    Vec::new(),
                    std::time::Instant::now(),
                )
            }
        };
        if policies.is_none() {
            let ids = j.evaluation.reasons.iter().map(|r| r.id.clone()).collect();
            return Ok((j.decision.verdict.as_str().to_string(), ids));
        }
        // The fact as built; judged again below against the `--policies` user layer.
        let fact = serde_json::to_value(&j.fact).map_err(|e| e.to_string())?;
        return judge_fact(case, fact, mode, policies);
    }
    let fact = read_json(&case.join("fact.json"))?;
    judge_fact(case, fact, mode, policies)
}

/// (decision, every reason id) for one fact, through the one fact → decision step; with
/// `--policies` its user layer is the policies under that directory.
fn judge_fact(
    case: &Path,
    mut fact: Value,
    mode: Mode,
    policies: Option<&Path>,
) -> Result<(String, Vec<String>), String> {
    let obj = fact
        .as_object_mut()
        .ok_or_else(|| "fact.json is not a JSON object".to_string())?;
    obj.entry("mode").or_insert(json!(mode.as_str()));
    // A fact without a cwd is judged from the case directory (repo policies next to it).
    obj.entry("cwd")
        .or_insert(json!(case.to_string_lossy().into_owned()));
    let user_layer = policies.map(user_policies_in);
    let config = super::config_dir();
    let home = crate::config::process_home();
    let settings = crate::config::Settings::load(&config).map_err(|e| e.to_string())?;
    let place = Place {
        config_dir: &config,
        home: home.as_deref(),
        settings: &settings,
        source: Source::Test,
        user_layer: user_layer.as_deref(),
    };
    let (eval, d) = decide_fact(&fact, &place, Vec::new());
    Ok((
        d.verdict.as_str().to_string(),
        eval.reasons.iter().map(|r| r.id.clone()).collect(),
    ))
}

fn check_case(case: &Path, root: &Path, policies: Option<&Path>) -> Outcome {
    let name = case
        .strip_prefix(root)
        .unwrap_or(case)
        .display()
        .to_string();
    let result = read_json(&case.join("expected.json")).and_then(|expected| {
        let want = expected
            .get("decision")
            .and_then(Value::as_str)
            .ok_or("expected.json has no \"decision\"")?
            .to_string();
        let (got, ids) = run_case(case, &expected, policies)?;
        let mut problems = Vec::new();
        if got != want {
            problems.push(format!("expected {want}, got {got}"));
        }
        for id in expected
            .get("ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !ids.iter().any(|i| i == id) {
                problems.push(format!(
                    "rule `{id}` did not fire (fired: {})",
                    ids.join(", ")
                ));
            }
        }
        Ok(problems.join("; "))
    });
    match result {
        Ok(problems) if problems.is_empty() => Outcome {
            name,
            passed: true,
            detail: String::new(),
        },
        Ok(problems) => Outcome {
            name,
            passed: false,
            detail: problems,
        },
        Err(e) => Outcome {
            name,
            passed: false,
            detail: e,
        },
    }
}

/// Evaluates every `test_*` rule in `files` (loaded together, as written).
fn rule_tests(files: &[PathBuf]) -> Vec<Outcome> {
    let mut engine = regorus::Engine::new();
    let mut tests = Vec::new();
    let mut outcomes = Vec::new();
    for path in files {
        let display = path.display().to_string();
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| {
                let prepared = rewrite::prepare(&display, &text, 0)?;
                engine.set_rego_v0(!prepared.rego_v1);
                engine
                    .add_policy(display.clone(), text)
                    .map_err(|e| e.to_string())?;
                Ok(prepared)
            });
        match loaded {
            Ok(p) => tests.extend(
                p.tests
                    .into_iter()
                    .map(|t| (display.clone(), p.package.clone(), t)),
            ),
            Err(e) => outcomes.push(Outcome {
                name: display,
                passed: false,
                detail: crate::policy::engine::first_line_of_error(&e),
            }),
        }
    }
    for (file, package, test) in tests {
        let result = engine.eval_rule(format!("data.{package}.{test}"));
        let (passed, detail) = match result {
            Ok(regorus::Value::Bool(true)) => (true, String::new()),
            Ok(v) => (false, format!("evaluated to {v}")),
            Err(e) => (
                false,
                crate::policy::engine::first_line_of_error(&e.to_string()),
            ),
        };
        outcomes.push(Outcome {
            name: format!("{file}: {test}"),
            passed,
            detail,
        });
    }
    outcomes
}

/// Runs `failsafe test DIR [--policies DIR]`.
pub fn run(dir: &Path, policies: Option<&Path>, json: bool) -> i32 {
    for d in std::iter::once(dir).chain(policies) {
        if !d.is_dir() {
            err(&format!("failsafe: `{}` is not a directory\n", d.display()));
            return exit::USAGE;
        }
    }
    let mut found = Vec::new();
    cases(dir, &mut found);
    let mut outcomes: Vec<Outcome> = found.iter().map(|c| check_case(c, dir, policies)).collect();
    let mut policy_files = Vec::new();
    let mut failures = Vec::new();
    match policies {
        Some(p) => rego_files(p, &mut policy_files),
        None => policy_files.extend(user_policy_paths(&super::config_dir(), &mut failures)),
    }
    rego_files(dir, &mut policy_files);
    outcomes.extend(rule_tests(&policy_files));
    let passed = outcomes.iter().filter(|o| o.passed).count();
    let failed = outcomes.len() - passed;
    if json {
        out(&json_text(&json!({
            "passed": passed,
            "failed": failed,
            "results": outcomes.iter().map(|o| json!({"name": o.name, "passed": o.passed, "detail": o.detail})).collect::<Vec<_>>(),
        })));
    } else {
        for o in &outcomes {
            if o.passed {
                out(&format!("PASS {}\n", o.name));
            } else {
                out(&format!("FAIL {}: {}\n", o.name, o.detail));
            }
        }
        out(&format!("{passed} passed, {failed} failed\n"));
    }
    if failed == 0 && !outcomes.is_empty() {
        exit::OK
    } else {
        if outcomes.is_empty() {
            err(&format!("failsafe: no cases (directories with expected.json) and no test_* rules under {}\n", dir.display()));
        }
        exit::NO
    }
}
