//! Gives every `block`, `ask` and `allow_override` definition in a policy file a name of
//! its own, so each definition can be evaluated alone and every reason traced to the
//! `file:line` of the rule that produced it.
//!
//! The rewrite only renames the rule-name token of each head (found with regorus's own
//! parser, so comments and strings are never touched) and appends, after the last line,
//! a rule that re-creates the original name as the union of the renamed ones, so other
//! rules that refer to `block` keep working. Line numbers never change.

use super::Effect;
use regorus::unstable::{Expr, Parser, Rule, RuleHead, Source};

/// One renamed rule definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The unique name it has after the rewrite (`__failsafe_block_3`).
    pub name: String,
    /// `block`, `ask` or `allow_override`.
    pub effect: Effect,
    /// Line of the rule head in the original file.
    pub line: u32,
}

/// A policy file ready for the engine.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The package the rules are evaluated in (the declared one, or the one given to
    /// [`prepare_as`]).
    pub package: String,
    /// The package as written in the file (`failsafe.user`, `guard.user`).
    pub declared_package: String,
    /// The rewritten source.
    pub text: String,
    /// Every renamed definition, in file order.
    pub sites: Vec<Site>,
    /// Whether the file parsed as Rego v1 (`import rego.v1` or v1 syntax); otherwise it
    /// is v0 (`import future.keywords…` or the oldest style).
    pub rego_v1: bool,
    /// Names of the `test_*` rules (for `failsafe test`).
    pub tests: Vec<String>,
}

/// Parses `text` (named `path` in messages) and renames its decision rules, numbering
/// them from `first_index`.
///
/// # Errors
/// The parser's message (with file, line and a caret) when the file is not valid Rego in
/// either syntax.
pub fn prepare(path: &str, text: &str, first_index: usize) -> Result<Prepared, String> {
    prepare_as(path, text, first_index, None)
}

/// [`prepare`], and when `package_as` is given the file's package is renamed to it, so
/// the file's rules cannot merge with another file's (repo files: an untrusted file must
/// never add to a trusted file's rules). `declared_package` keeps what the file says.
///
/// # Errors
/// As [`prepare`]; also a rule whose name starts with `__failsafe` (reserved).
pub fn prepare_as(
    path: &str,
    text: &str,
    first_index: usize,
    package_as: Option<&str>,
) -> Result<Prepared, String> {
    let (module, rego_v1) = match parse(path, text, true) {
        Ok(m) => (m, true),
        Err(v1_error) => match parse(path, text, false) {
            Ok(m) => (m, false),
            Err(_) => return Err(v1_error),
        },
    };
    let package_span = module.package.refr.span();
    let declared_package = package_span.text().split_whitespace().collect::<String>();
    let mut renames: Vec<(usize, usize, String)> = Vec::new();
    if let Some(new) = package_as {
        renames.push((
            package_span.start as usize,
            package_span.end as usize,
            new.to_string(),
        ));
    }
    let mut sites = Vec::new();
    let mut set_sites: Vec<(Effect, String)> = Vec::new();
    let mut tests = Vec::new();
    for rule in &module.policy {
        let (refr, is_set) = match rule.as_ref() {
            Rule::Spec { head, .. } => match head {
                RuleHead::Set { refr, .. } => (refr, true),
                RuleHead::Compr { refr, .. } => (refr, false),
                RuleHead::Func { refr, .. } => (refr, false),
            },
            Rule::Default { refr, .. } => (refr, false),
        };
        if !matches!(refr.as_ref(), Expr::Var { .. }) {
            if refr.span().text().trim_start().starts_with("__failsafe") {
                return Err(format!(
                    "{path}:{}: rule names starting with `__failsafe` are reserved for failsafe itself",
                    refr.span().line
                ));
            }
            continue;
        }
        let span = refr.span();
        let name = span.text();
        if name.starts_with("__failsafe") {
            return Err(format!(
                "{path}:{}: rule names starting with `__failsafe` are reserved for failsafe itself",
                span.line
            ));
        }
        if name.starts_with("test_") && !tests.iter().any(|t| t == name) {
            tests.push(name.to_string());
        }
        let Some(effect) = Effect::from_rule_name(name) else {
            continue;
        };
        let new_name = format!(
            "__failsafe_{}_{}",
            effect.rule_name(),
            first_index + sites.len()
        );
        renames.push((span.start as usize, span.end as usize, new_name.clone()));
        if is_set {
            set_sites.push((effect, new_name.clone()));
        }
        sites.push(Site {
            name: new_name,
            effect,
            line: span.line,
        });
    }
    let mut out = text.to_string();
    renames.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (start, end, name) in renames {
        if out.get(start..end).is_none() {
            return Err(format!(
                "{path}: cannot locate a rule head to rename (a bug in failsafe)"
            ));
        }
        out.replace_range(start..end, &name);
    }
    if !set_sites.is_empty() {
        out.push('\n');
    }
    for (effect, site) in &set_sites {
        let name = effect.rule_name();
        let rule = if rego_v1 {
            format!("{name} contains __failsafe_x if {{ {site}[__failsafe_x] }}\n")
        } else {
            format!("{name}[__failsafe_x] {{ {site}[__failsafe_x] }}\n")
        };
        out.push_str(&rule);
    }
    Ok(Prepared {
        package: package_as.map_or_else(|| declared_package.clone(), str::to_string),
        declared_package,
        text: out,
        sites,
        rego_v1,
        tests,
    })
}

fn parse(path: &str, text: &str, v1: bool) -> Result<regorus::unstable::Module, String> {
    let source =
        Source::from_contents(path.to_string(), text.to_string()).map_err(|e| e.to_string())?;
    let mut parser = Parser::new(&source).map_err(|e| e.to_string())?;
    if v1 {
        parser.enable_rego_v1().map_err(|e| e.to_string())?;
    }
    parser.parse().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(text: &str) -> Prepared {
        match prepare("t.rego", text, 0) {
            Ok(p) => p,
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn renames_each_definition_and_keeps_lines() {
        let text = "package failsafe.user\nimport rego.v1\n\n# block is a word in a comment\nblock contains {\"reason\": \"a block\"} if input.x\n\nblock contains {\"reason\": \"b\"} if { input.y }\nask contains {\"reason\": \"c\"} if input.z\n";
        let p = prep(text);
        assert_eq!(p.package, "failsafe.user");
        assert!(p.rego_v1);
        let lines: Vec<_> = p.sites.iter().map(|s| (s.effect, s.line)).collect();
        assert_eq!(
            lines,
            vec![(Effect::Block, 5), (Effect::Block, 7), (Effect::Ask, 8)]
        );
        assert!(p.text.contains("# block is a word in a comment"));
        assert!(p.text.contains("\"reason\": \"a block\""));
        assert!(p.text.contains("__failsafe_block_0 contains"));
        assert_eq!(
            p.text
                .lines()
                .nth(6)
                .map(|l| l.starts_with("__failsafe_block_1")),
            Some(true)
        );
    }

    #[test]
    fn old_style_files_parse_as_v0() {
        let p = prep("package guard.user\nblock[msg] { msg := {\"reason\": \"x\"} }\n");
        assert!(!p.rego_v1);
        assert_eq!(p.sites.len(), 1);
        assert!(p.text.contains("block[__failsafe_x] {"));
    }

    #[test]
    fn future_keywords_files_parse() {
        let p = prep("package guard.user\nimport future.keywords.if\nimport future.keywords.contains\nblock contains {\"reason\": \"r\"} if { input.a }\n");
        assert_eq!(p.sites.len(), 1);
    }

    #[test]
    fn syntax_errors_name_the_file_and_line() {
        let err = prepare("bad.rego", "package x\nblock contains if {\n", 0).err();
        assert!(err.is_some_and(|e| e.contains("bad.rego:")));
    }

    #[test]
    fn reserved_rule_names_are_refused() {
        let err = prepare("r.rego", "package failsafe.repo\nimport rego.v1\n__failsafe_allow_override_0 contains {\"reason\": \"x\"}\n", 0).err();
        assert!(err.is_some_and(|e| e.contains("reserved")));
    }

    #[test]
    fn packages_can_be_renamed_per_file() {
        let p = prepare_as(
            "r.rego",
            "package failsafe.repo\nimport rego.v1\nblock contains {\"reason\": \"x\"} if true\n",
            0,
            Some("failsafe.repo.file1"),
        );
        let p = p.map_err(|e| e.to_string());
        assert!(p.as_ref().is_ok_and(
            |p| p.package == "failsafe.repo.file1" && p.declared_package == "failsafe.repo"
        ));
        assert!(p.is_ok_and(|p| p.text.starts_with("package failsafe.repo.file1\n")));
    }

    #[test]
    fn collects_test_rules() {
        let p = prep("package x\nimport rego.v1\ntest_one if true\ntest_two if true\n");
        assert_eq!(p.tests, vec!["test_one", "test_two"]);
    }
}
