//! Turns the built-in tool specs (`shims/*.toml`) into Rust source at build time.
//!
//! The shim parses its tool's spec on every call, so the TOML is converted to JSON (which
//! deserialises several times faster) and split: the base spec, and each verb's flags on
//! their own, parsed only for the verb a command actually uses. The TOML stays the one
//! source of truth; a spec that does not parse fails the build.
//!
//! It also analyses the bundled policies (`policies/*.rego`) with the same rewrite the
//! runtime uses (`src/policy/rewrite.rs`, compiled in here), so a shim never parses a
//! bundled file for the rewrite: only the engine parses it, once. A bundled policy that
//! does not parse fails the build.

#[allow(dead_code)]
#[path = "src/policy/effect.rs"]
mod effect;
#[allow(dead_code)]
#[path = "src/policy/rewrite.rs"]
mod rewrite;

use effect::Effect;

use std::fmt::Write as _;
use std::path::Path;

/// The bundled policy files, relative to `policies/`: every `.rego` there and in its
/// sub-directories, except the copy-ready `examples/`. Found rather than listed, so a new
/// bundled file cannot be missed here; `bundled::ALL` is the one list of what ships, and
/// its test checks every entry has an analysis.
fn bundled_files() -> Vec<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| fail(&format!("cannot list {}: {e}", dir.display())));
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let rel_name = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if path.is_dir() {
                if rel.is_empty() && name == "examples" {
                    continue;
                }
                walk(&path, &rel_name, out);
            } else if name.ends_with(".rego") {
                out.push(rel_name);
            }
        }
    }
    println!("cargo:rerun-if-changed=policies");
    let mut found = Vec::new();
    walk(Path::new("policies"), "", &mut found);
    found.sort();
    found
}

const TOOLS: &[&str] = &["kubectl", "git", "helm", "terraform", "aws"];

fn main() {
    println!("cargo:rerun-if-changed=shims");
    println!("cargo:rerun-if-changed=policies");
    println!("cargo:rerun-if-changed=src/policy/rewrite.rs");
    println!("cargo:rerun-if-changed=src/policy/effect.rs");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    bundled_analyses(&out);
    let mut base = String::from("/// (tool, spec as JSON without its per-verb flags)\npub(crate) const BASE: &[(&str, &str)] = &[\n");
    let mut verbs = String::from(
        "/// The JSON of one verb's flags in a built-in spec.\npub(crate) fn verb_json(tool: &str, verb: &str) -> Option<&'static str> {\n    match (tool, verb) {\n",
    );
    for tool in TOOLS {
        let src = Path::new("shims").join(format!("{tool}.toml"));
        println!("cargo:rerun-if-changed={}", src.display());
        let text = std::fs::read_to_string(&src)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", src.display())));
        let mut value: toml::Table = toml::from_str(&text)
            .unwrap_or_else(|e| fail(&format!("{} is not valid TOML: {e}", src.display())));
        if let Some(toml::Value::Table(per_verb)) = value.remove("verbs") {
            for (verb, flags) in per_verb {
                let json = serde_json::to_string(&flags).unwrap_or_else(|e| fail(&e.to_string()));
                let _ = writeln!(
                    verbs,
                    "        ({tool:?}, {verb:?}) => Some({}),",
                    raw(&json)
                );
            }
        }
        let json = serde_json::to_string(&value).unwrap_or_else(|e| fail(&e.to_string()));
        let _ = writeln!(base, "    ({tool:?}, {}),", raw(&json));
    }
    base.push_str("];\n");
    verbs.push_str("        _ => None,\n    }\n}\n");
    let dest = Path::new(&out).join("builtin_specs.rs");
    if let Err(e) = std::fs::write(&dest, format!("{base}\n{verbs}")) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

/// Writes `bundled_analyses.rs`: `fn generated(path) -> Option<Analysis>` for every
/// bundled policy, keyed by its display path (`bundled/kubectl.rego`).
fn bundled_analyses(out: &str) {
    let mut code = String::from(
        "/// The build-time analysis of the bundled policy shown as `path`.\nfn generated(path: &str) -> Option<Analysis> {\n    match path {\n",
    );
    for name in bundled_files() {
        let src = Path::new("policies").join(&name);
        println!("cargo:rerun-if-changed={}", src.display());
        let text = std::fs::read_to_string(&src)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", src.display())));
        let display = format!("bundled/{name}");
        let a = rewrite::analyse(&display, &text)
            .unwrap_or_else(|e| fail(&format!("{} does not parse: {e}", src.display())));
        let mut heads = String::new();
        for h in &a.heads {
            let effect = match h.effect {
                Effect::Block => "Block",
                Effect::Ask => "Ask",
                Effect::AllowOverride => "AllowOverride",
            };
            let _ = write!(
                heads,
                "Head {{ start: {}, end: {}, line: {}, effect: Effect::{effect}, set: {} }}, ",
                h.start, h.end, h.line, h.set
            );
        }
        let tests: String = a
            .tests
            .iter()
            .map(|t| format!("{t:?}.to_string(), "))
            .collect();
        let _ = writeln!(
            code,
            "        {display:?} => Some(Analysis {{ declared_package: {:?}.to_string(), package_span: ({}, {}), heads: vec![{heads}], rego_v1: {}, tests: vec![{tests}] }}),",
            a.declared_package, a.package_span.0, a.package_span.1, a.rego_v1
        );
    }
    code.push_str("        _ => None,\n    }\n}\n");
    let dest = Path::new(out).join("bundled_analyses.rs");
    if let Err(e) = std::fs::write(&dest, code) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

/// A raw string literal holding `s`, with enough `#`s.
fn raw(s: &str) -> String {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

fn fail(message: &str) -> ! {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("build.rs: {message}");
    }
    std::process::exit(1)
}
