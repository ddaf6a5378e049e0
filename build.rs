//! Turns the built-in tool specs (`shims/*.toml`) into Rust source at build time.
//!
//! The shim parses its tool's spec on every call, so the TOML is converted to JSON (which
//! deserialises several times faster) and split: the base spec, and each verb's flags on
//! their own, parsed only for the verb a command actually uses. The TOML stays the one
//! source of truth; a spec that does not parse fails the build.

use std::fmt::Write as _;
use std::path::Path;

const TOOLS: &[&str] = &["kubectl", "git", "helm", "terraform", "aws"];

fn main() {
    println!("cargo:rerun-if-changed=shims");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
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
