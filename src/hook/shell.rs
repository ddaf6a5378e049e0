//! Splitting an agent's shell line the way bash will run it.
//!
//! The line is parsed with `brush-parser` (a real bash grammar), then walked: lists,
//! pipelines, `&&`/`||`, subshells, groups, loops, conditionals, functions, `$(…)`,
//! backticks, process substitutions, here-documents that expand, and `bash -c` strings
//! (through [`super::wrappers`]). What comes out is a flat list of [`Finding`]s: each
//! command that will run (wrappers peeled, words unquoted), each path written by a
//! redirection, and each construct that hides a command from a static reader.
//!
//! Pure: no I/O, never judges, never execs. Data words (a commit message, an `echo`
//! argument, a here-document body fed to `cat`) are never taken for commands.

use super::wrappers::{self, Peeled};
use brush_parser::ast;
use brush_parser::word::{self, WordPiece, WordPieceWithSource};
use brush_parser::ParserOptions;

/// How deep `bash -c`, `$(…)` and friends may nest before the line is refused.
const MAX_DEPTH: usize = 12;

/// One command that will run, after its wrappers were peeled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The argument vector, words unquoted; argv[0] is static text.
    pub argv: Vec<String>,
    /// `NAME=value` assignments that reach the command's environment (before the
    /// command, or given to `env`/`sudo`).
    pub env: Vec<(String, String)>,
    /// Some argument is only known at run time (a variable, `$(…)`, a glob, `xargs` input).
    pub dynamic_args: bool,
}

/// What the splitter found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A command that will run.
    Run(Command),
    /// A construct that hides what runs from any static reader (`eval`, `$X` as a
    /// command name, text piped into a shell), described for the human.
    Hidden(String),
    /// An interpreter one-liner (`python -c CODE`): the interpreter and its code.
    Interpreter(String, String),
    /// A path that a redirection or a file-writing command writes to (its text after
    /// unquoting; `~` and a few variables are left for the caller to resolve).
    Write(String, String),
    /// Variables the line sets for the rest of the shell session (`X=1` alone, `export
    /// X=1`, `declare -x X=1`), by name.
    Assign(Vec<String>),
}

/// Why a line could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// The shell grammar rejected the line.
    #[error("cannot parse the shell line: {0}")]
    Parse(String),
    /// `bash -c` inside `$(…)` inside … went deeper than failsafe follows.
    #[error("the shell line nests commands more than {MAX_DEPTH} levels deep")]
    TooDeep,
}

/// Splits `line` into what it runs, writes and hides.
///
/// # Errors
/// [`SplitError::Parse`] when bash's grammar rejects the line, [`SplitError::TooDeep`]
/// when nesting goes past a fixed depth.
pub fn split(line: &str) -> Result<Vec<Finding>, SplitError> {
    let mut walker = Walker::default();
    walker.line(line, 0)?;
    Ok(walker.found)
}

/// Where a command's standard input comes from, as far as the line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stdin {
    /// Nothing in the line feeds it.
    Terminal,
    /// An earlier command of a pipeline.
    Pipe,
    /// A here-document or here-string with this text (None when it expands at run time
    /// in ways the line does not show).
    Text(String),
}

#[derive(Default)]
struct Walker {
    found: Vec<Finding>,
}

fn options() -> ParserOptions {
    ParserOptions {
        // Tilde expansion is done by the caller, which knows HOME.
        tilde_expansion_at_word_start: false,
        ..ParserOptions::default()
    }
}

/// A word after unquoting: its static text and whether anything in it is only known at
/// run time.
struct Expanded {
    text: String,
    dynamic: bool,
}

impl Walker {
    fn line(&mut self, line: &str, depth: usize) -> Result<(), SplitError> {
        if depth > MAX_DEPTH {
            return Err(SplitError::TooDeep);
        }
        let mut parser = brush_parser::Parser::new(std::io::Cursor::new(line), &options());
        let program = parser
            .parse_program()
            .map_err(|e| SplitError::Parse(e.to_string()))?;
        for complete in &program.complete_commands {
            self.compound_list(complete, depth)?;
        }
        Ok(())
    }

    fn compound_list(&mut self, list: &ast::CompoundList, depth: usize) -> Result<(), SplitError> {
        for item in &list.0 {
            self.and_or(&item.0, depth)?;
        }
        Ok(())
    }

    fn and_or(&mut self, list: &ast::AndOrList, depth: usize) -> Result<(), SplitError> {
        self.pipeline(&list.first, depth)?;
        for next in &list.additional {
            match next {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p, depth)?,
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, depth: usize) -> Result<(), SplitError> {
        for (i, command) in pipeline.seq.iter().enumerate() {
            let stdin = if i == 0 { Stdin::Terminal } else { Stdin::Pipe };
            self.command(command, stdin, depth)?;
        }
        Ok(())
    }

    fn command(
        &mut self,
        command: &ast::Command,
        stdin: Stdin,
        depth: usize,
    ) -> Result<(), SplitError> {
        match command {
            ast::Command::Simple(simple) => self.simple(simple, stdin, depth),
            ast::Command::Compound(compound, redirects) => {
                if let Some(r) = redirects {
                    for redirect in &r.0 {
                        self.redirect(redirect, depth)?;
                    }
                }
                self.compound(compound, depth)
            }
            ast::Command::Function(f) => {
                // The body may run later in the same line: judge it as if it ran.
                if let Some(r) = &f.body.1 {
                    for redirect in &r.0 {
                        self.redirect(redirect, depth)?;
                    }
                }
                self.compound(&f.body.0, depth)
            }
            ast::Command::ExtendedTest(test, _) => self.extended_test(&test.expr, depth),
        }
    }

    fn extended_test(
        &mut self,
        expr: &ast::ExtendedTestExpr,
        depth: usize,
    ) -> Result<(), SplitError> {
        match expr {
            ast::ExtendedTestExpr::And(a, b) | ast::ExtendedTestExpr::Or(a, b) => {
                self.extended_test(a, depth)?;
                self.extended_test(b, depth)
            }
            ast::ExtendedTestExpr::Not(a) | ast::ExtendedTestExpr::Parenthesized(a) => {
                self.extended_test(a, depth)
            }
            ast::ExtendedTestExpr::UnaryTest(_, w) => self.expand(&w.value, depth).map(|_| ()),
            ast::ExtendedTestExpr::BinaryTest(_, a, b) => {
                self.expand(&a.value, depth)?;
                self.expand(&b.value, depth).map(|_| ())
            }
        }
    }

    fn compound(
        &mut self,
        compound: &ast::CompoundCommand,
        depth: usize,
    ) -> Result<(), SplitError> {
        match compound {
            ast::CompoundCommand::Arithmetic(a) => self.expand(&a.expr.value, depth).map(|_| ()),
            ast::CompoundCommand::ArithmeticForClause(f) => self.compound_list(&f.body.list, depth),
            ast::CompoundCommand::BraceGroup(g) => self.compound_list(&g.list, depth),
            ast::CompoundCommand::Subshell(s) => self.compound_list(&s.list, depth),
            ast::CompoundCommand::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.expand(&w.value, depth)?;
                }
                self.compound_list(&f.body.list, depth)
            }
            ast::CompoundCommand::CaseClause(c) => {
                self.expand(&c.value.value, depth)?;
                for item in &c.cases {
                    if let Some(cmd) = &item.cmd {
                        self.compound_list(cmd, depth)?;
                    }
                }
                Ok(())
            }
            ast::CompoundCommand::IfClause(i) => {
                self.compound_list(&i.condition, depth)?;
                self.compound_list(&i.then, depth)?;
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.compound_list(c, depth)?;
                    }
                    self.compound_list(&e.body, depth)?;
                }
                Ok(())
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                self.compound_list(&w.0, depth)?;
                self.compound_list(&w.1.list, depth)
            }
            ast::CompoundCommand::Coprocess(c) => self.command(&c.body, Stdin::Terminal, depth),
        }
    }

    /// Records a redirection's written path, follows substitutions in its words, and
    /// returns the text it feeds to stdin when it is a here-document or here-string.
    fn redirect(
        &mut self,
        redirect: &ast::IoRedirect,
        depth: usize,
    ) -> Result<Option<Stdin>, SplitError> {
        match redirect {
            ast::IoRedirect::File(_, kind, target) => {
                match target {
                    ast::IoFileRedirectTarget::Filename(w) => {
                        let e = self.expand(&w.value, depth)?;
                        let writes = matches!(
                            kind,
                            ast::IoFileRedirectKind::Write
                                | ast::IoFileRedirectKind::Append
                                | ast::IoFileRedirectKind::Clobber
                                | ast::IoFileRedirectKind::ReadAndWrite
                        );
                        if writes {
                            self.found
                                .push(Finding::Write(e.text, "a redirection".to_string()));
                        }
                    }
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                        self.compound_list(&sub.list, depth + 1)?;
                    }
                    ast::IoFileRedirectTarget::Duplicate(w) => {
                        self.expand(&w.value, depth)?;
                    }
                    ast::IoFileRedirectTarget::Fd(_) => {}
                }
                Ok(None)
            }
            ast::IoRedirect::OutputAndError(w, _) => {
                let e = self.expand(&w.value, depth)?;
                self.found
                    .push(Finding::Write(e.text, "a redirection".to_string()));
                Ok(None)
            }
            ast::IoRedirect::HereString(_, w) => {
                let e = self.expand(&w.value, depth)?;
                Ok(Some(Stdin::Text(e.text)))
            }
            ast::IoRedirect::HereDocument(_, doc) => {
                if doc.requires_expansion {
                    // An unquoted delimiter: `$(…)` in the body runs.
                    let pieces = word::parse_heredoc(&doc.doc.value, &options())
                        .map_err(|e| SplitError::Parse(e.to_string()))?;
                    let e = self.pieces(&doc.doc.value, &pieces, depth)?;
                    Ok(Some(Stdin::Text(e.text)))
                } else {
                    Ok(Some(Stdin::Text(doc.doc.value.clone())))
                }
            }
        }
    }

    fn simple(
        &mut self,
        simple: &ast::SimpleCommand,
        stdin: Stdin,
        depth: usize,
    ) -> Result<(), SplitError> {
        let mut env = Vec::new();
        let mut argv = Vec::new();
        let mut dynamic_name = false;
        let mut dynamic_args = false;
        let mut stdin = stdin;
        let mut items: Vec<&ast::CommandPrefixOrSuffixItem> = Vec::new();
        if let Some(prefix) = &simple.prefix {
            items.extend(prefix.0.iter());
        }
        let name_index = items.len();
        if let Some(suffix) = &simple.suffix {
            items.extend(suffix.0.iter());
        }
        if let Some(name) = &simple.word_or_name {
            let e = self.expand(&name.value, depth)?;
            dynamic_name = e.dynamic;
            argv.push(e.text);
        }
        for (i, item) in items.iter().enumerate() {
            match item {
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    if let Some(text) = self.redirect(r, depth)? {
                        stdin = text;
                    }
                }
                ast::CommandPrefixOrSuffixItem::Word(w) => {
                    let e = self.expand(&w.value, depth)?;
                    dynamic_args |= e.dynamic;
                    argv.push(e.text);
                }
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                    let value = match &a.value {
                        ast::AssignmentValue::Scalar(v) => self.expand(&v.value, depth)?.text,
                        ast::AssignmentValue::Array(values) => {
                            for (k, v) in values {
                                if let Some(k) = k {
                                    self.expand(&k.value, depth)?;
                                }
                                self.expand(&v.value, depth)?;
                            }
                            String::new()
                        }
                    };
                    if i < name_index || simple.word_or_name.is_none() {
                        if let ast::AssignmentName::VariableName(n) = &a.name {
                            env.push((n.clone(), value));
                        }
                    } else {
                        // `declare X=1`, `export X=1`: an argument.
                        argv.push(w.value.clone());
                    }
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => {
                    self.compound_list(&sub.list, depth + 1)?;
                    argv.push("/dev/fd/63".to_string());
                }
            }
        }
        if argv.is_empty() {
            if !env.is_empty() {
                self.found
                    .push(Finding::Assign(env.into_iter().map(|(k, _)| k).collect()));
            }
            return Ok(());
        }
        if matches!(
            argv[0].as_str(),
            "export" | "declare" | "typeset" | "local" | "readonly"
        ) {
            let names: Vec<String> = argv[1..]
                .iter()
                .filter(|a| !a.starts_with('-'))
                .map(|a| a.split('=').next().unwrap_or(a).to_string())
                .collect();
            if !names.is_empty() {
                self.found.push(Finding::Assign(names));
            }
        }
        if dynamic_name {
            self.found.push(Finding::Hidden(format!(
                "`{}` as a command name is only known when the line runs",
                argv[0]
            )));
            return Ok(());
        }
        self.argv(argv, env, dynamic_args, false, stdin, depth)
    }

    /// Peels wrappers off `argv` and records what it runs.
    fn argv(
        &mut self,
        argv: Vec<String>,
        env: Vec<(String, String)>,
        dynamic_args: bool,
        _nested: bool,
        stdin: Stdin,
        depth: usize,
    ) -> Result<(), SplitError> {
        if depth > MAX_DEPTH {
            return Err(SplitError::TooDeep);
        }
        match wrappers::peel(argv, env, dynamic_args) {
            Peeled::Nothing => Ok(()),
            Peeled::Run(command) => {
                self.found.push(Finding::Run(command));
                Ok(())
            }
            Peeled::Nested { command, inner } => {
                self.found.push(Finding::Run(command));
                for c in inner {
                    self.argv(
                        c.argv,
                        c.env,
                        c.dynamic_args,
                        true,
                        Stdin::Terminal,
                        depth + 1,
                    )?;
                }
                Ok(())
            }
            Peeled::ShellString {
                script, command, ..
            } => {
                self.found.push(Finding::Run(command));
                self.line(&script, depth + 1)
            }
            Peeled::ShellStdin { shell, command } => {
                self.found.push(Finding::Run(command));
                match stdin {
                    Stdin::Terminal => Ok(()),
                    Stdin::Text(text) => self.line(&text, depth + 1),
                    Stdin::Pipe => {
                        self.found.push(Finding::Hidden(format!(
                            "text piped into `{shell}` is only known when the line runs"
                        )));
                        Ok(())
                    }
                }
            }
            Peeled::Eval { script, command } => {
                self.found.push(Finding::Run(command));
                self.found.push(Finding::Hidden(
                    "`eval` runs text that is only final when the line runs".to_string(),
                ));
                // Still read what is visible, for a precise reason.
                if let Some(script) = script {
                    let _ = self.line(&script, depth + 1);
                }
                Ok(())
            }
            Peeled::Interpreter {
                name,
                code,
                command,
            } => {
                self.found.push(Finding::Run(command));
                self.found.push(Finding::Interpreter(name, code));
                Ok(())
            }
            Peeled::InterpreterStdin { name, command } => {
                self.found.push(Finding::Run(command));
                match stdin {
                    Stdin::Terminal => {}
                    Stdin::Text(text) => self.found.push(Finding::Interpreter(name, text)),
                    Stdin::Pipe => self.found.push(Finding::Hidden(format!(
                        "a program piped into `{name}` is only known when the line runs"
                    ))),
                }
                Ok(())
            }
            Peeled::Writes {
                paths,
                how,
                command,
            } => {
                self.found.push(Finding::Run(command));
                for p in paths {
                    self.found.push(Finding::Write(p, how.clone()));
                }
                Ok(())
            }
        }
    }

    /// Unquotes one word, following every command substitution inside it.
    fn expand(&mut self, raw: &str, depth: usize) -> Result<Expanded, SplitError> {
        let pieces = match word::parse(raw, &options()) {
            Ok(p) => p,
            Err(e) => return Err(SplitError::Parse(e.to_string())),
        };
        self.pieces(raw, &pieces, depth)
    }

    fn pieces(
        &mut self,
        raw: &str,
        pieces: &[WordPieceWithSource],
        depth: usize,
    ) -> Result<Expanded, SplitError> {
        let mut out = Expanded {
            text: String::new(),
            dynamic: false,
        };
        for p in pieces {
            let source = raw.get(p.start_index..p.end_index).unwrap_or_default();
            match &p.piece {
                WordPiece::Text(s) => {
                    if s.contains(['*', '?', '[']) {
                        out.dynamic = true;
                    }
                    out.text.push_str(s);
                }
                WordPiece::SingleQuotedText(s) | WordPiece::AnsiCQuotedText(s) => {
                    out.text.push_str(s);
                }
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    let e = self.pieces(raw, inner, depth)?;
                    out.dynamic |= e.dynamic;
                    out.text.push_str(&e.text);
                }
                WordPiece::TildeExpansion(t) => {
                    // Kept as text; the caller resolves `~` where it matters (paths).
                    out.text.push_str(match t {
                        word::TildeExpr::Home => "~",
                        _ => source,
                    });
                    if !matches!(t, word::TildeExpr::Home) {
                        out.dynamic = true;
                    }
                }
                WordPiece::ParameterExpansion(_) => {
                    if source.contains("$(") || source.contains('`') {
                        self.found.push(Finding::Hidden(format!(
                            "a command inside the parameter expansion `{source}`"
                        )));
                    }
                    out.dynamic = true;
                    out.text.push_str(source);
                }
                WordPiece::CommandSubstitution(s) | WordPiece::BackquotedCommandSubstitution(s) => {
                    self.line(s, depth + 1)?;
                    out.dynamic = true;
                    out.text.push_str(source);
                }
                WordPiece::EscapeSequence(s) => {
                    out.text.push_str(s.strip_prefix('\\').unwrap_or(s));
                }
                WordPiece::ArithmeticExpression(a) => {
                    if a.value.contains("$(") || a.value.contains('`') {
                        self.expand(&a.value, depth + 1)?;
                    }
                    out.dynamic = true;
                    out.text.push_str(source);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(line: &str) -> Vec<String> {
        split(line)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| match f {
                Finding::Run(c) => Some(c.argv.join(" ")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn operators_and_nesting() {
        assert_eq!(
            runs("git status && kubectl get pods -n prod | grep api"),
            vec!["git status", "kubectl get pods -n prod", "grep api"]
        );
        assert_eq!(
            runs("echo $(kubectl delete ns a)"),
            vec!["kubectl delete ns a", "echo $(kubectl delete ns a)"]
        );
        assert_eq!(runs("(cd x; git push -f) &"), vec!["cd x", "git push -f"]);
        assert_eq!(
            runs("bash -c 'kubectl delete ns a'"),
            vec!["bash -c kubectl delete ns a", "kubectl delete ns a"]
        );
    }

    #[test]
    fn data_words_are_not_commands() {
        assert_eq!(
            runs("git commit -m 'kubectl delete ns prod'"),
            vec!["git commit -m kubectl delete ns prod"]
        );
        assert_eq!(runs("cat <<'EOF'\nkubectl delete ns a\nEOF\n"), vec!["cat"]);
    }

    #[test]
    fn assignments_reach_the_environment() {
        let found = split("KUBECONFIG=/tmp/k kubectl get pods").unwrap_or_default();
        assert!(found.iter().any(|f| matches!(f, Finding::Run(c) if c.env == vec![("KUBECONFIG".to_string(), "/tmp/k".to_string())])));
    }
}
