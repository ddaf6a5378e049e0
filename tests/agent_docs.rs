//! docs/agents/: every settings snippet parses (JSON, TOML, YAML) and names
//! `failsafe hook`, and the fail-closed switches the pages promise are in them.

use std::path::Path;

/// The fenced code blocks of a Markdown text: (language, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn every_agent_snippet_parses_and_names_the_hook() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/agents");
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "README.md" || !name.ends_with(".md") {
            continue;
        }
        pages += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let snippets = blocks(&text);
        assert!(!snippets.is_empty(), "{name}: no settings snippet");
        let mut names_hook = false;
        for (lang, body) in &snippets {
            let as_json: serde_json::Value = match lang.as_str() {
                "json" => serde_json::from_str(body)
                    .unwrap_or_else(|e| panic!("{name}: JSON snippet does not parse: {e}\n{body}")),
                "toml" => {
                    let v: toml::Value = toml::from_str(body).unwrap_or_else(|e| {
                        panic!("{name}: TOML snippet does not parse: {e}\n{body}")
                    });
                    serde_json::to_value(v).unwrap()
                }
                "yaml" => yaml_serde::from_str(body)
                    .unwrap_or_else(|e| panic!("{name}: YAML snippet does not parse: {e}\n{body}")),
                "sh" => serde_json::Value::String(body.clone()),
                other => panic!("{name}: snippet in an unchecked language `{other}`"),
            };
            let text = as_json.to_string();
            names_hook |= text.contains("failsafe hook --agent");
            match name.as_str() {
                "claude-code.md" => assert!(
                    text.contains(r#""onFailure":"block""#),
                    "{name}: onFailure block"
                ),
                "cursor.md" => assert!(text.contains(r#""failClosed":true"#), "{name}: failClosed"),
                "goose.md" => assert!(
                    text.contains(r#""on_failure":"block""#),
                    "{name}: on_failure block"
                ),
                _ => {}
            }
        }
        if name == "opencode.md" {
            // The snippet installs the shipped plugin, which is what calls the hook.
            let plugin = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("install/opencode/failsafe.js"),
            )
            .unwrap();
            names_hook = text.contains("install/opencode/failsafe.js")
                && plugin.contains(r#"["hook", "--agent", "opencode"]"#)
                && plugin.contains("throw new Error");
        }
        assert!(
            names_hook,
            "{name}: no snippet runs `failsafe hook --agent …`"
        );
    }
    assert!(pages >= 11, "expected a page per agent, found {pages}");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for shims_only in ["Aider", "Roo Code", "Continue", "Zed", "Amp"] {
        assert!(
            readme.contains(shims_only),
            "README.md: {shims_only} missing from the shims-only table"
        );
    }
}
