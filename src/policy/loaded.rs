//! The one preparation step both evaluators share: every file of a chain rewritten (see
//! `rewrite`), checked against the packages its layer may use, given a package of its
//! own when it is a repo file, and loaded into one regorus engine.
//!
//! Whatever the shim evaluates is exactly what `explain` and `test` evaluate, because
//! there is no other way into the engine. Every file that cannot be prepared or loaded
//! becomes a block reason naming the file and line; nothing here can allow. No I/O.

use super::engine::{broken, error_location, first_line_of_error, FileResult};
use super::layers::{Chain, PolicyFile};
use super::rewrite::{self, Prepared};
use super::{Layer, Reason};
use regorus::Engine;

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

/// Prepares and loads every file of `chain`. Never fails: a file that does not parse,
/// declares a package its layer may not use, or that regorus refuses is left out and
/// becomes a block reason in [`Loaded::failures`].
pub fn load(chain: &Chain) -> Loaded<'_> {
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
        let prepared =
            match rewrite::prepare_as(&file.path, &file.text, next_index, own_package.as_deref()) {
                Ok(p) => p,
                Err(message) => {
                    let why = format!(
                        "policy file {} does not parse, so it is treated as a block: {}",
                        file.path,
                        first_line_of_error(&message)
                    );
                    loaded.failures.push(broken(
                        file,
                        "",
                        error_location(&message, &file.path),
                        why,
                    ));
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
        loaded.results.push(FileResult {
            layer: file.layer,
            path: file.path.clone(),
            package: prepared.package.clone(),
            trusted: file.trusted,
            rules: Some(prepared.sites.len()),
        });
        loaded.files.push((file, prepared));
    }
    loaded
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
