//! The one preparation step both evaluators share: every file of a chain rewritten (see
//! `rewrite`), checked against the packages its layer may use, given a package of its
//! own when it is a repo file, and loaded into one regorus engine.
//!
//! Bundled files come with the analysis made at build time; user and repo files, when a
//! cache directory is given, with the one cached the first time they were seen (see
//! `cache`). Every reused analysis is verified against the engine's own parse.
//!
//! Whatever the shim evaluates is exactly what `explain` and `test` evaluate, because
//! there is no other way into the engine. Every file that cannot be prepared or loaded
//! becomes a block reason naming the file and line; nothing here can allow. No I/O but
//! the analysis cache.

use super::bundled;
use super::cache;
use super::engine::{broken, error_location, first_line_of_error, FileResult};
use super::layers::{Chain, PolicyFile};
use super::rewrite::{self, Analysis, Prepared};
use super::{Layer, Reason};
use regorus::Engine;
use std::path::Path;

/// The prefix of the package each repo file is evaluated in (`failsafe.repo.file0`, …).
pub const REPO_FILE_PACKAGE: &str = "failsafe.repo.file";

/// A chain loaded into an engine, ready to be queried.
pub struct Loaded<'a> {
    /// The engine holding every prepared file (no input or data yet).
    pub engine: Engine,
    /// The files that loaded, each with what the rewrite made of it, in chain order.
    pub files: Vec<(&'a PolicyFile, Prepared)>,
    /// What the evaluation reports about each loaded file, in chain order.
    pub results: Vec<FileResult>,
    /// A block reason for every file that could not be prepared or loaded.
    pub failures: Vec<Reason>,
}

/// Packages each layer may declare. Bundled files use `failsafe.bundled.*`; user files
/// `failsafe.user`, or helper packages outside `failsafe.*`/`guard.*`; repo files only
/// `failsafe.repo`. `guard.*` is accepted for the same names (the original failsafe
/// README's spelling).
pub fn package_allowed(layer: Layer, package: &str) -> bool {
    let canonical = package
        .strip_prefix("guard.")
        .map_or_else(|| package.to_string(), |rest| format!("failsafe.{rest}"));
    match layer {
        Layer::Bundled => canonical.starts_with("failsafe.bundled."),
        Layer::User => {
            canonical == "failsafe.user"
                || !(package.starts_with("failsafe.")
                    || package.starts_with("guard.")
                    || package == "failsafe"
                    || package == "guard")
        }
        Layer::Repo => canonical == "failsafe.repo",
    }
}

fn expected_package(layer: Layer) -> &'static str {
    match layer {
        Layer::Bundled => "failsafe.bundled.<tool>",
        Layer::User => "failsafe.user",
        Layer::Repo => "failsafe.repo",
    }
}

/// Prepares and loads every file of `chain`, analysing every user and repo file afresh
/// (bundled files use the analysis made at build time). Never fails: a file that does
/// not parse, declares a package its layer may not use, or that regorus refuses is left
/// out and becomes a block reason in [`Loaded::failures`].
pub fn load(chain: &Chain) -> Loaded<'_> {
    load_with(chain, None)
}

/// [`load`], reusing the analyses cached in `cache` (see `cache`) and storing new ones.
/// A reused analysis that does not reproduce exactly what a fresh one would (checked by
/// `rewrite::verify` against the engine's own parse) is never used: the whole chain is
/// then loaded again with every file analysed afresh, so a cache can cost time but never
/// change a decision.
pub fn load_with<'a>(chain: &'a Chain, cache: Option<&Path>) -> Loaded<'a> {
    match load_inner(chain, cache, true) {
        Some(loaded) => loaded,
        // Without reuse nothing can be "stale", so this is always `Some`; the fallback
        // to an empty engine with a block reason only keeps the function total.
        None => load_inner(chain, cache, false)
            .unwrap_or_else(|| internal_failure("the policies could not be prepared")),
    }
}

/// An empty engine and one block reason: what is left when preparing went wrong in a way
/// that only a bug in failsafe explains.
fn internal_failure<'a>(why: &str) -> Loaded<'a> {
    Loaded {
        engine: Engine::new(),
        files: Vec::new(),
        results: Vec::new(),
        failures: vec![Reason {
            id: "failsafe.internal".to_string(),
            reason: format!("{why} (a bug in failsafe; the command was refused)"),
            effect: super::Effect::Block,
            layer: Layer::Bundled,
            location: String::new(),
            package: String::new(),
        }],
    }
}

/// Where an analysis came from: reused ones are checked and may be discarded.
struct Found {
    analysis: Result<Analysis, String>,
    reused: bool,
}

fn analysis_of(file: &PolicyFile, cache: Option<&Path>, reuse: bool) -> Found {
    if file.layer == Layer::Bundled {
        if let Some(analysis) = reuse
            .then(|| bundled::analysis(&file.path, &file.text))
            .flatten()
        {
            return Found {
                analysis: Ok(analysis),
                reused: true,
            };
        }
        return Found {
            analysis: rewrite::analyse(&file.path, &file.text),
            reused: false,
        };
    }
    let Some(dir) = cache else {
        return Found {
            analysis: rewrite::analyse(&file.path, &file.text),
            reused: false,
        };
    };
    let key = cache::key(&file.text);
    if let Some(analysis) = reuse.then(|| cache::read(dir, &key)).flatten() {
        return Found {
            analysis: Ok(analysis),
            reused: true,
        };
    }
    let analysis = rewrite::analyse(&file.path, &file.text);
    if let Ok(a) = &analysis {
        cache::write(dir, &key, a);
    }
    Found {
        analysis,
        reused: false,
    }
}

/// One pass over the chain; `None` when a reused analysis turned out not to fit.
fn load_inner<'a>(chain: &'a Chain, cache: Option<&Path>, reuse: bool) -> Option<Loaded<'a>> {
    let mut loaded = Loaded {
        engine: Engine::new(),
        files: Vec::new(),
        results: Vec::new(),
        failures: Vec::new(),
    };
    let mut next_index = 0;
    for file in &chain.files {
        // Each repo file gets a package of its own: in a shared package an untrusted file
        // could define a helper rule that a trusted file's override, or any repo file's
        // block, depends on — widening the override or silencing the block.
        let own_package = (file.layer == Layer::Repo)
            .then(|| format!("{REPO_FILE_PACKAGE}{}", loaded.files.len()));
        let found = analysis_of(file, cache, reuse);
        let prepared = found.analysis.and_then(|a| {
            let prepared = a.apply(&file.path, &file.text, next_index, own_package.as_deref());
            prepared.map(|p| (a, p))
        });
        let (analysis, prepared) = match prepared {
            Ok(p) => p,
            Err(_) if found.reused => return None,
            Err(message) => {
                let why = format!(
                    "policy file {} does not parse, so it is treated as a block: {}",
                    file.path,
                    first_line_of_error(&message)
                );
                loaded
                    .failures
                    .push(broken(file, "", error_location(&message, &file.path), why));
                continue;
            }
        };
        next_index += prepared.sites.len();
        if !package_allowed(file.layer, &prepared.declared_package) {
            let why = format!(
                "policy file {} declares package `{}`, which a {} policy may not use (expected `{}`)",
                file.path,
                prepared.declared_package,
                file.layer,
                expected_package(file.layer)
            );
            loaded
                .failures
                .push(broken(file, &prepared.package, file.path.clone(), why));
            continue;
        }
        loaded.engine.set_rego_v0(!prepared.rego_v1);
        if let Err(e) = loaded
            .engine
            .add_policy(file.path.clone(), prepared.text.clone())
        {
            if found.reused {
                return None;
            }
            let message = e.to_string();
            let why = format!(
                "policy file {} does not load, so it is treated as a block: {}",
                file.path,
                first_line_of_error(&message)
            );
            loaded.failures.push(broken(
                file,
                &prepared.package,
                error_location(&message, &file.path),
                why,
            ));
            continue;
        }
        let checked = match loaded.engine.get_modules().last() {
            Some(module) => {
                rewrite::verify(module, &prepared, &analysis, file.text.lines().count())
            }
            None => Err("the engine holds no module".to_string()),
        };
        if let Err(why) = checked {
            if found.reused {
                return None;
            }
            // A fresh analysis that does not verify is a bug in the rewrite; the engine
            // now holds a module nothing accounts for, so nothing of it may be trusted.
            let failed = internal_failure(&format!(
                "policy file {} was rewritten wrongly: {why}",
                file.path
            ));
            return Some(failed);
        }
        loaded.results.push(FileResult {
            layer: file.layer,
            path: file.path.clone(),
            package: prepared.package.clone(),
            trusted: file.trusted,
            rules: Some(prepared.sites.len()),
        });
        loaded.files.push((file, prepared));
    }
    Some(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layer: Layer, path: &str, text: &str) -> PolicyFile {
        PolicyFile {
            layer,
            path: path.to_string(),
            text: text.to_string(),
            trusted: (layer == Layer::Repo).then_some(false),
        }
    }

    const CACHED: &str = "package failsafe.user\nimport rego.v1\n\n# a block in a comment\nblock contains {\"id\": \"u.a\", \"reason\": \"a\"} if input.x\n\nblock contains {\"id\": \"u.b\", \"reason\": \"b\"} if input.y\nask contains {\"id\": \"u.c\", \"reason\": \"c\"} if count(block) == 0\n";

    fn said(
        chain: &Chain,
        input: &serde_json::Value,
        cache: Option<&Path>,
    ) -> Vec<(String, crate::policy::Effect, String)> {
        let e = crate::policy::engine::evaluate_cached(
            chain,
            input,
            &serde_json::json!({}),
            true,
            cache,
        );
        e.reasons
            .iter()
            .map(|r| (r.id.clone(), r.effect, r.location.clone()))
            .collect()
    }

    fn entry(dir: &Path, text: &str) -> std::path::PathBuf {
        dir.join("rego").join(format!("{}.json", cache::key(text)))
    }

    fn inputs() -> Vec<serde_json::Value> {
        vec![
            serde_json::json!({"x": true}),
            serde_json::json!({"y": true}),
            serde_json::json!({}),
        ]
    }

    #[test]
    fn analyses_are_cached_and_reused() -> Result<(), Box<dyn std::error::Error>> {
        let t = tempfile::tempdir()?;
        let chain = Chain {
            files: vec![file(Layer::User, "u.rego", CACHED)],
            failures: Vec::new(),
        };
        for input in inputs() {
            let fresh = said(&chain, &input, None);
            assert_eq!(said(&chain, &input, Some(t.path())), fresh);
            assert!(entry(t.path(), CACHED).exists());
            assert_eq!(said(&chain, &input, Some(t.path())), fresh);
        }
        Ok(())
    }

    type Spoiler = Box<dyn Fn(serde_json::Value, &str) -> Option<String>>;

    /// Every way a cache entry can be wrong, as an edit of its JSON (`None`: deleted,
    /// `Some(text)`: replaced by that text).
    fn spoilers() -> Vec<(&'static str, Spoiler)> {
        fn edit(f: impl Fn(&mut serde_json::Value) + 'static) -> Spoiler {
            Box::new(move |mut v, _| {
                f(&mut v);
                Some(v.to_string())
            })
        }
        fn raw(f: impl Fn(&str) -> Option<String> + 'static) -> Spoiler {
            Box::new(move |_, text| f(text))
        }
        vec![
            ("missing", raw(|_| None)),
            ("truncated", raw(|r| Some(r[..r.len() / 2].to_string()))),
            ("empty", raw(|_| Some(String::new()))),
            ("stale version", edit(|v| v["version"] = "0.0.0-old".into())),
            ("other key", edit(|v| v["key"] = "0".repeat(64).into())),
            (
                "head dropped",
                edit(|v| {
                    if let Some(h) = v["analysis"]["heads"].as_array_mut() {
                        h.remove(0);
                    }
                }),
            ),
            (
                "all heads dropped",
                edit(|v| v["analysis"]["heads"] = serde_json::json!([])),
            ),
            (
                "set flag flipped",
                edit(|v| v["analysis"]["heads"][2]["set"] = false.into()),
            ),
            (
                "effect changed",
                edit(|v| v["analysis"]["heads"][0]["effect"] = "allow_override".into()),
            ),
            (
                "line moved",
                edit(|v| v["analysis"]["heads"][1]["line"] = 3.into()),
            ),
            (
                "head in a comment",
                edit(|v| {
                    let at = CACHED.find("block in a comment").unwrap_or(0) as u64;
                    if let Some(h) = v["analysis"]["heads"].as_array_mut() {
                        h.insert(0, serde_json::json!({"start": at, "end": at + 5, "line": 4, "effect": "block", "set": true}));
                    }
                }),
            ),
            (
                "span shifted",
                edit(|v| {
                    let start = v["analysis"]["heads"][0]["start"].as_u64().unwrap_or(0);
                    v["analysis"]["heads"][0]["start"] = (start + 1).into();
                }),
            ),
            (
                "syntax flipped",
                edit(|v| v["analysis"]["rego_v1"] = false.into()),
            ),
            (
                "package moved",
                edit(|v| v["analysis"]["package_span"] = serde_json::json!([0, 7])),
            ),
            (
                "package renamed",
                edit(|v| v["analysis"]["declared_package"] = "failsafe.repo".into()),
            ),
        ]
    }

    #[test]
    fn a_wrong_cache_entry_never_changes_a_decision() -> Result<(), Box<dyn std::error::Error>> {
        let chain = Chain {
            files: vec![file(Layer::User, "u.rego", CACHED)],
            failures: Vec::new(),
        };
        for (what, spoil) in spoilers() {
            let t = tempfile::tempdir()?;
            let _ = said(&chain, &serde_json::json!({}), Some(t.path()));
            let path = entry(t.path(), CACHED);
            let raw = std::fs::read_to_string(&path)?;
            match spoil(serde_json::from_str(&raw)?, &raw) {
                Some(text) => std::fs::write(&path, text)?,
                None => std::fs::remove_file(&path)?,
            }
            for input in inputs() {
                let fresh = said(&chain, &input, None);
                assert!(!fresh.is_empty(), "{input}");
                assert_eq!(
                    said(&chain, &input, Some(t.path())),
                    fresh,
                    "{what}, {input}"
                );
            }
            // The wrong entry was replaced by a right one.
            assert_eq!(std::fs::read_to_string(&path)?, raw, "{what}");
        }
        Ok(())
    }

    #[test]
    fn an_unwritable_cache_only_costs_time() -> Result<(), Box<dyn std::error::Error>> {
        let t = tempfile::tempdir()?;
        let blocked = t.path().join("not-a-dir");
        std::fs::write(&blocked, "")?;
        let chain = Chain {
            files: vec![file(Layer::User, "u.rego", CACHED)],
            failures: Vec::new(),
        };
        for input in inputs() {
            assert_eq!(
                said(&chain, &input, Some(&blocked)),
                said(&chain, &input, None)
            );
        }
        Ok(())
    }

    #[test]
    fn package_rules() {
        assert!(package_allowed(Layer::User, "guard.user"));
        assert!(package_allowed(Layer::User, "lib.k8s"));
        assert!(!package_allowed(Layer::User, "failsafe.repo"));
        assert!(!package_allowed(Layer::User, "failsafe.bundled.git"));
        assert!(package_allowed(Layer::Repo, "guard.repo"));
        assert!(!package_allowed(Layer::Repo, "lib"));
        assert!(!package_allowed(Layer::Repo, "failsafe.repo.file0"));
        assert!(package_allowed(Layer::Bundled, "failsafe.bundled.git"));
    }

    #[test]
    fn every_repo_file_gets_its_own_package() {
        let text = "package failsafe.repo\nimport rego.v1\nx if true\n";
        let chain = Chain {
            files: vec![
                file(
                    Layer::User,
                    "u.rego",
                    "package failsafe.user\nimport rego.v1\n",
                ),
                file(Layer::Repo, "/r/.failsafe.rego", text),
                file(
                    Layer::Repo,
                    "/r/bad/.failsafe.rego",
                    "package failsafe.repo\nx if {\n",
                ),
                file(Layer::Repo, "/r/a/.failsafe.rego", text),
            ],
            failures: Vec::new(),
        };
        let loaded = load(&chain);
        let packages: Vec<_> = loaded.results.iter().map(|r| r.package.as_str()).collect();
        assert_eq!(
            packages,
            vec![
                "failsafe.user",
                "failsafe.repo.file1",
                "failsafe.repo.file2"
            ]
        );
        assert_eq!(loaded.failures.len(), 1);
        assert_eq!(loaded.failures[0].location, "/r/bad/.failsafe.rego:3");
    }

    #[test]
    fn reserved_names_are_refused_in_every_layer() {
        for layer in [Layer::User, Layer::Repo] {
            let package = if layer == Layer::User {
                "failsafe.user"
            } else {
                "failsafe.repo"
            };
            let text = format!("package {package}\nimport rego.v1\n__failsafe_block_0 contains {{\"reason\": \"x\"}} if true\n");
            let chain = Chain {
                files: vec![file(layer, "f.rego", &text)],
                failures: Vec::new(),
            };
            let loaded = load(&chain);
            assert!(loaded.files.is_empty());
            assert!(loaded.failures[0].reason.contains("reserved"), "{layer}");
        }
    }
}
