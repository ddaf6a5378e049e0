//! Gives every `block`, `ask` and `allow_override` definition in a policy file a name of
//! its own, so each definition can be evaluated alone and every reason traced to the
//! `file:line` of the rule that produced it.
//!
//! The rewrite only renames the rule-name token of each head (found with regorus's own
//! parser, so comments and strings are never touched) and appends, after the last line,
//! a rule that re-creates the original name as the union of the renamed ones, so other
//! rules that refer to `block` keep working. Line numbers never change.
//!
//! It runs in two steps: [`analyse`] parses the file and notes where each head is (an
//! [`Analysis`], which can be computed at build time or cached), and
//! [`Analysis::apply`] splices the new names in without parsing. [`verify`] checks,
//! against the module the engine parsed anyway, that an analysis that came from
//! somewhere else (a cache entry) renamed exactly what a fresh one would have.
//!
//! No I/O. This file is also compiled into `build.rs`, so it may only use `super::Effect`,
//! regorus and serde.

use super::Effect;
use regorus::unstable::{Expr, Module, Parser, Rule, RuleHead, Source};
use serde::{Deserialize, Serialize};

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

/// Where one decision-rule head is in the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Byte offset where the rule name starts.
    pub start: u32,
    /// Byte offset just after the rule name.
    pub end: u32,
    /// Line of the head.
    pub line: u32,
    /// Which decision rule it is.
    pub effect: Effect,
    /// A partial set (`block contains …`), which the appended union re-creates.
    pub set: bool,
}

/// What parsing a file tells the rewrite: everything [`Analysis::apply`] needs to
/// produce the rewritten text without parsing again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// The package as written (`failsafe.user`).
    pub declared_package: String,
    /// Byte range of the package name in the text.
    pub package_span: (u32, u32),
    /// Every decision-rule head, in file order.
    pub heads: Vec<Head>,
    /// Whether the file parsed as Rego v1.
    pub rego_v1: bool,
    /// Names of the `test_*` rules.
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
    analyse(path, text)?.apply(path, text, first_index, package_as)
}

fn reserved(path: &str, line: u32) -> String {
    format!("{path}:{line}: rule names starting with `__failsafe` are reserved for failsafe itself")
}

/// The head of a rule: its name expression and whether it is a partial set.
fn head_of(rule: &Rule) -> (&Expr, bool) {
    match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Set { refr, .. } => (refr, true),
            RuleHead::Compr { refr, .. } | RuleHead::Func { refr, .. } => (refr, false),
        },
        Rule::Default { refr, .. } => (refr, false),
    }
}

/// Parses `text` (v1 first, then v0) and notes the package and every decision-rule head.
///
/// # Errors
/// The parser's message when the file is not valid Rego in either syntax; a rule whose
/// name starts with `__failsafe` (reserved).
pub fn analyse(path: &str, text: &str) -> Result<Analysis, String> {
    let (module, rego_v1) = match parse(path, text, true) {
        Ok(m) => (m, true),
        Err(v1_error) => match parse(path, text, false) {
            Ok(m) => (m, false),
            Err(_) => return Err(v1_error),
        },
    };
    let package_span = module.package.refr.span();
    let declared_package = package_span.text().split_whitespace().collect::<String>();
    let mut heads = Vec::new();
    let mut tests = Vec::new();
    for rule in &module.policy {
        let (refr, set) = head_of(rule);
        let span = refr.span();
        if !matches!(refr, Expr::Var { .. }) {
            if span.text().trim_start().starts_with("__failsafe") {
                return Err(reserved(path, span.line));
            }
            continue;
        }
        let name = span.text();
        if name.starts_with("__failsafe") {
            return Err(reserved(path, span.line));
        }
        if name.starts_with("test_") && !tests.iter().any(|t| t == name) {
            tests.push(name.to_string());
        }
        if let Some(effect) = Effect::from_rule_name(name) {
            heads.push(Head {
                start: span.start,
                end: span.end,
                line: span.line,
                effect,
                set,
            });
        }
    }
    Ok(Analysis {
        declared_package,
        package_span: (package_span.start, package_span.end),
        heads,
        rego_v1,
        tests,
    })
}

impl Analysis {
    /// The rewritten file: each head renamed (numbered from `first_index`), the package
    /// renamed to `package_as` when given, and the unions appended. No parsing.
    ///
    /// # Errors
    /// A span that does not hold what the analysis says it does (an analysis of some
    /// other text): the caller must analyse the text afresh.
    pub fn apply(
        &self,
        path: &str,
        text: &str,
        first_index: usize,
        package_as: Option<&str>,
    ) -> Result<Prepared, String> {
        let mismatch = || format!("{path}: the rewrite does not match the file (a stale analysis)");
        let span_text = |start: u32, end: u32| text.get(start as usize..end as usize);
        let (package_start, package_end) = self.package_span;
        let package_text = span_text(package_start, package_end).ok_or_else(mismatch)?;
        if package_text.split_whitespace().collect::<String>() != self.declared_package {
            return Err(mismatch());
        }
        let mut renames: Vec<(u32, u32, String)> = Vec::with_capacity(self.heads.len() + 1);
        if let Some(new) = package_as {
            renames.push((package_start, package_end, new.to_string()));
        }
        let mut sites = Vec::with_capacity(self.heads.len());
        let mut unions = String::new();
        for head in &self.heads {
            if span_text(head.start, head.end) != Some(head.effect.rule_name()) {
                return Err(mismatch());
            }
            let name = format!(
                "__failsafe_{}_{}",
                head.effect.rule_name(),
                first_index + sites.len()
            );
            if head.set {
                let rule = head.effect.rule_name();
                if self.rego_v1 {
                    unions.push_str(&format!(
                        "{rule} contains __failsafe_x if {{ {name}[__failsafe_x] }}\n"
                    ));
                } else {
                    unions.push_str(&format!(
                        "{rule}[__failsafe_x] {{ {name}[__failsafe_x] }}\n"
                    ));
                }
            }
            renames.push((head.start, head.end, name.clone()));
            sites.push(Site {
                name,
                effect: head.effect,
                line: head.line,
            });
        }
        renames.sort_by_key(|r| r.0);
        let mut out = String::with_capacity(text.len() + 32 * renames.len() + unions.len() + 1);
        let mut at = 0usize;
        for (start, end, name) in &renames {
            let (start, end) = (*start as usize, *end as usize);
            out.push_str(text.get(at..start).ok_or_else(mismatch)?);
            out.push_str(name);
            at = end;
        }
        out.push_str(text.get(at..).ok_or_else(mismatch)?);
        if !unions.is_empty() {
            out.push('\n');
            out.push_str(&unions);
        }
        Ok(Prepared {
            package: package_as.map_or_else(|| self.declared_package.clone(), str::to_string),
            declared_package: self.declared_package.clone(),
            text: out,
            sites,
            rego_v1: self.rego_v1,
            tests: self.tests.clone(),
        })
    }
}

/// Checks that `module` — what the engine parsed from `prepared.text`, a rewrite of a
/// file of `original_lines` lines — holds exactly the renamed heads of `prepared`: every
/// decision-rule head of the original renamed at its line, with its kind, and the
/// original names only in the unions appended after the last line. This is what makes
/// an analysis from a cache safe: one that missed a head, invented one or got its kind
/// wrong fails here, and the file is then analysed afresh.
///
/// # Errors
/// What does not match, for the caller to discard the analysis.
pub fn verify(
    module: &Module,
    prepared: &Prepared,
    analysis: &Analysis,
    original_lines: usize,
) -> Result<(), String> {
    let package = module
        .package
        .refr
        .span()
        .text()
        .split_whitespace()
        .collect::<String>();
    if package != prepared.package {
        return Err(format!("package `{package}` is not `{}`", prepared.package));
    }
    let mut renamed = Vec::with_capacity(prepared.sites.len());
    let mut unions = [0usize; 3];
    for rule in &module.policy {
        let (refr, set) = head_of(rule);
        let span = refr.span();
        if !matches!(refr, Expr::Var { .. }) {
            if span.text().trim_start().starts_with("__failsafe") {
                return Err(format!("unexpected head at line {}", span.line));
            }
            continue;
        }
        let name = span.text();
        if let Some(effect) = Effect::from_rule_name(name) {
            if (span.line as usize) <= original_lines || !set {
                return Err(format!("`{name}` at line {} was not renamed", span.line));
            }
            unions[effect as usize] += 1;
        } else if name.starts_with("__failsafe") {
            renamed.push((name, span.line, set));
        }
    }
    let expected = prepared
        .sites
        .iter()
        .zip(&analysis.heads)
        .map(|(site, head)| (site.name.as_str(), site.line, head.set));
    if renamed.len() != prepared.sites.len() || !renamed.iter().copied().eq(expected) {
        return Err("the renamed heads differ".to_string());
    }
    for (index, effect) in [Effect::Block, Effect::Ask, Effect::AllowOverride]
        .iter()
        .enumerate()
    {
        let sets = analysis
            .heads
            .iter()
            .filter(|h| h.set && h.effect == *effect)
            .count();
        if unions[index] != sets {
            return Err(format!(
                "{} unions for `{}`",
                unions[index],
                effect.rule_name()
            ));
        }
    }
    Ok(())
}

fn parse(path: &str, text: &str, v1: bool) -> Result<Module, String> {
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
        let p = p.map_err(|e| e.clone());
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
