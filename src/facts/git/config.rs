//! The git config file syntax: a pure parser from text to entries, plus the pieces of
//! syntax that live outside files (`-c` keys, booleans, `GIT_CONFIG_PARAMETERS`).
//!
//! Pure: no I/O. Reading files, includes and precedence belong to `layers`. The parser
//! follows git's own reader (config.c) rather than INI conventions, because a file git
//! accepts and we reject would block every git command, and a file we read differently
//! from git could hide an alias:
//! - section and variable names are case-insensitive (stored lowercased); a subsection
//!   in quotes (`[remote "origin"]`) is case-sensitive, the deprecated `[section.sub]`
//!   form is lowercased whole;
//! - a value may be quoted in parts, knows the escapes `\\ \" \n \t \b`, continues on the
//!   next line after a trailing `\`, loses its leading and trailing blanks, and ends at
//!   `#` or `;` outside quotes;
//! - a variable with no `=` is a boolean true (value `None`).

use std::iter::Peekable;
use std::str::Chars;

/// One `name = value` line of a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Section name, lowercased (`remote`).
    pub section: String,
    /// Subsection as written (`origin`), if any.
    pub subsection: Option<String>,
    /// Variable name, lowercased (`url`).
    pub name: String,
    /// The value; `None` for a bare `name` (boolean true).
    pub value: Option<String>,
    /// 1-based line where the variable starts (0 for entries not from a file).
    pub line: usize,
}

/// Why a config text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad config line {line}: {message}")]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// What was wrong, lowercase.
    pub message: String,
}

/// A character reader that folds `\r\n` into `\n` and counts lines.
struct Reader<'a> {
    chars: Peekable<Chars<'a>>,
    /// Line of the character read last (a newline belongs to the line it ends).
    line: usize,
    after_newline: bool,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<char> {
        if self.after_newline {
            self.line += 1;
            self.after_newline = false;
        }
        let mut c = self.chars.next()?;
        if c == '\r' && self.chars.peek() == Some(&'\n') {
            self.chars.next();
            c = '\n';
        }
        self.after_newline = c == '\n';
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        match self.chars.peek() {
            Some('\r') => {
                let mut ahead = self.chars.clone();
                ahead.next();
                if ahead.peek() == Some(&'\n') {
                    Some('\n')
                } else {
                    Some('\r')
                }
            }
            other => other.copied(),
        }
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError {
            line: self.line,
            message: message.to_string(),
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.next() {
            if c == '\n' {
                break;
            }
        }
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Parses the text of one config file into its entries, in file order.
///
/// # Errors
/// The first syntax error, with its line, exactly where git would refuse the file.
pub fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = Reader {
        chars: text.chars().peekable(),
        line: 1,
        after_newline: false,
    };
    let mut entries = Vec::new();
    let mut section: Option<(String, Option<String>)> = None;
    loop {
        let Some(c) = r.next() else {
            return Ok(entries);
        };
        if c.is_whitespace() {
            continue;
        }
        if c == '#' || c == ';' {
            r.skip_line();
            continue;
        }
        if c == '[' {
            section = Some(parse_section_header(&mut r)?);
            continue;
        }
        if !c.is_ascii_alphabetic() {
            return Err(r.error(&format!("unexpected character `{c}`")));
        }
        let line = r.line;
        let Some((sec, sub)) = section.clone() else {
            return Err(r.error("variable outside of any section"));
        };
        let (name, value) = parse_variable(&mut r, c)?;
        entries.push(Entry {
            section: sec,
            subsection: sub,
            name,
            value,
            line,
        });
    }
}

/// Reads `name]`, `name "sub"]` or the deprecated `name.sub]` after the `[`.
fn parse_section_header(r: &mut Reader<'_>) -> Result<(String, Option<String>), ParseError> {
    let mut name = String::new();
    loop {
        let Some(c) = r.next() else {
            return Err(r.error("unterminated section header"));
        };
        if c == ']' {
            if name.is_empty() {
                return Err(r.error("empty section name"));
            }
            // `[branch.main]` is the old spelling of `[branch "main"]`, lowercased.
            return Ok(match name.split_once('.') {
                Some((sec, sub)) => (sec.to_string(), Some(sub.to_string())),
                None => (name, None),
            });
        }
        if c == ' ' || c == '\t' {
            if name.is_empty() {
                return Err(r.error("empty section name"));
            }
            let sub = parse_subsection(r)?;
            return Ok((name, Some(sub)));
        }
        if c == '\n' {
            return Err(r.error("unterminated section header"));
        }
        if !is_key_char(c) && c != '.' {
            return Err(r.error(&format!("bad character `{c}` in section name")));
        }
        name.push(c.to_ascii_lowercase());
    }
}

/// Reads ` "subsection"]` after the section name and its first blank.
fn parse_subsection(r: &mut Reader<'_>) -> Result<String, ParseError> {
    let mut c = r.next();
    while matches!(c, Some(' ' | '\t')) {
        c = r.next();
    }
    if c != Some('"') {
        return Err(r.error("subsection name must be quoted"));
    }
    let mut sub = String::new();
    loop {
        match r.next() {
            None | Some('\n') => return Err(r.error("unterminated subsection name")),
            Some('"') => break,
            Some('\\') => match r.next() {
                None | Some('\n') => return Err(r.error("unterminated subsection name")),
                // git keeps the escaped character and drops the backslash.
                Some(e) => sub.push(e),
            },
            Some(ch) => sub.push(ch),
        }
    }
    if r.next() != Some(']') {
        return Err(r.error("missing `]` after subsection name"));
    }
    Ok(sub)
}

/// Reads a variable whose first character `first` was already consumed.
fn parse_variable(r: &mut Reader<'_>, first: char) -> Result<(String, Option<String>), ParseError> {
    let mut name = String::from(first.to_ascii_lowercase());
    while let Some(c) = r.peek().filter(|c| is_key_char(*c)) {
        r.next();
        name.push(c.to_ascii_lowercase());
    }
    while matches!(r.peek(), Some(' ' | '\t')) {
        r.next();
    }
    match r.next() {
        None | Some('\n') => Ok((name, None)),
        Some('=') => Ok((name, Some(parse_value(r)?))),
        Some(c) => Err(r.error(&format!("unexpected `{c}` after variable `{name}`"))),
    }
}

/// Reads a value after the `=`, up to the end of its (possibly continued) line.
fn parse_value(r: &mut Reader<'_>) -> Result<String, ParseError> {
    let mut out = String::new();
    let mut quoted = false;
    let mut pending_spaces = 0usize;
    loop {
        let Some(c) = r.next() else {
            if quoted {
                return Err(r.error("unterminated quote"));
            }
            return Ok(out);
        };
        if c == '\n' {
            if quoted {
                return Err(r.error("unterminated quote"));
            }
            return Ok(out);
        }
        if !quoted && c.is_whitespace() {
            // Blanks inside a value survive as single spaces each; leading and
            // trailing ones do not (they are only written out before the next char).
            if !out.is_empty() {
                pending_spaces += 1;
            }
            continue;
        }
        if !quoted && (c == '#' || c == ';') {
            r.skip_line();
            return Ok(out);
        }
        out.extend(std::iter::repeat_n(' ', pending_spaces));
        pending_spaces = 0;
        match c {
            '\\' => match r.next() {
                Some('\n') => {}
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('b') => out.push('\u{8}'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some(e) => return Err(r.error(&format!("bad escape `\\{e}` in value"))),
                None => return Err(r.error("backslash at end of file")),
            },
            '"' => quoted = !quoted,
            _ => out.push(c),
        }
    }
}

/// Splits a dotted key (`remote.origin.url`) into lowercased section, subsection as
/// given, lowercased name. `None` when the key has no section or no name.
pub fn parse_key(key: &str) -> Option<(String, Option<String>, String)> {
    let (section, rest) = key.split_once('.')?;
    let (sub, name) = match rest.rsplit_once('.') {
        Some((sub, name)) => (Some(sub.to_string()), name),
        None => (None, rest),
    };
    if section.is_empty() || name.is_empty() {
        return None;
    }
    Some((section.to_ascii_lowercase(), sub, name.to_ascii_lowercase()))
}

/// Splits one `-c` argument: `name=value`, or `name` alone for a boolean true.
pub fn split_assignment(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (arg, None),
    }
}

/// git's boolean: `None` (a bare name), `true`/`yes`/`on`/non-zero number → true;
/// `false`/`no`/`off`/`0`/empty → false; anything else → `None` (not a boolean).
pub fn parse_bool(value: Option<&str>) -> Option<bool> {
    let Some(v) = value else {
        return Some(true);
    };
    let lower = v.trim().to_ascii_lowercase();
    match lower.as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        n => n.parse::<i64>().ok().map(|i| i != 0),
    }
}

/// Parses `GIT_CONFIG_PARAMETERS`, the environment form of `-c`: shell single-quoted
/// words, either `'name=value'` (old) or `'name'='value'` (git 2.31+), separated by
/// blanks. Returns `(name, value)` pairs in order.
///
/// # Errors
/// A description of the first malformed word (git refuses to run in that case too).
pub fn parse_parameters(text: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut chars = text.chars().peekable();
    let mut out = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let key = single_quoted(&mut chars)?;
        if chars.peek() == Some(&'=') {
            chars.next();
            // `'name'=` with nothing after it is a bare boolean.
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                out.push((key, None));
            } else {
                let value = single_quoted(&mut chars)?;
                out.push((key, Some(value)));
            }
        } else {
            let (k, v) = split_assignment(&key);
            out.push((k.to_string(), v.map(str::to_string)));
        }
        if chars.peek().is_some_and(|c| !c.is_whitespace()) {
            return Err("words must be separated by blanks".to_string());
        }
    }
}

/// One word quoted as git's `sq_quote` writes it: `'…'` with `'\''` and `'\!'` inside.
fn single_quoted(chars: &mut Peekable<Chars<'_>>) -> Result<String, String> {
    if chars.next() != Some('\'') {
        return Err("expected a single-quoted word".to_string());
    }
    let mut word = String::new();
    loop {
        match chars.next() {
            None => return Err("unterminated single quote".to_string()),
            Some('\'') => {
                if chars.peek() != Some(&'\\') {
                    return Ok(word);
                }
                chars.next();
                match chars.next() {
                    Some(c @ ('\'' | '!')) => word.push(c),
                    _ => return Err("bad escape after a closing quote".to_string()),
                }
                if chars.next() != Some('\'') {
                    return Err("expected a quote to reopen the word".to_string());
                }
            }
            Some(c) => word.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn one(text: &str) -> Entry {
        match parse(text) {
            Ok(mut e) if e.len() == 1 => e.remove(0),
            other => unreachable!("expected one entry from {text:?}, got {other:?}"),
        }
    }

    #[rstest]
    #[case("[core]\n\tbare = false\n", "core", None, "bare", Some("false"))]
    #[case("[Core]\n\tBaRe = x\n", "core", None, "bare", Some("x"))]
    #[case(
        "[remote \"Origin\"]\nurl = git@h:o/r.git\n",
        "remote",
        Some("Origin"),
        "url",
        Some("git@h:o/r.git")
    )]
    #[case(
        "[branch.Main]\nremote = o\n",
        "branch",
        Some("main"),
        "remote",
        Some("o")
    )]
    #[case(
        "[s \"a\\\"b\\\\c\\d\"]\nk = v\n",
        "s",
        Some("a\"b\\cd"),
        "k",
        Some("v")
    )]
    #[case("[s]\nflag\n", "s", None, "flag", None)]
    #[case("[s]\nflag", "s", None, "flag", None)]
    #[case("[s]\nk =\n", "s", None, "k", Some(""))]
    #[case("[s] k = inline\n", "s", None, "k", Some("inline"))]
    #[case("[s]\nk = \"  padded  \"\n", "s", None, "k", Some("  padded  "))]
    #[case("[s]\nk =   a   b\t c  \n", "s", None, "k", Some("a   b  c"))]
    #[case("[s]\nk = a # comment\n", "s", None, "k", Some("a"))]
    #[case("[s]\nk = a ; comment\n", "s", None, "k", Some("a"))]
    #[case(
        "[s]\nk = \"a # not ; comment\"\n",
        "s",
        None,
        "k",
        Some("a # not ; comment")
    )]
    #[case("[s]\nk = one\\\n  two\n", "s", None, "k", Some("one  two"))]
    #[case("[s]\nk = t\\tn\\nq\\\"b\\\\\n", "s", None, "k", Some("t\tn\nq\"b\\"))]
    #[case("[s]\r\nk = crlf\r\n", "s", None, "k", Some("crlf"))]
    #[case("\u{feff}[s]\nk = bom\n", "s", None, "k", Some("bom"))]
    #[case(
        "[alias]\n\tpf = push --force-with-lease\n",
        "alias",
        None,
        "pf",
        Some("push --force-with-lease")
    )]
    #[case(
        "[alias]\n\tq = \"!f() { git push \\\"$@\\\"; }; f\"\n",
        "alias",
        None,
        "q",
        Some("!f() { git push \"$@\"; }; f")
    )]
    fn parses_one_entry(
        #[case] text: &str,
        #[case] section: &str,
        #[case] sub: Option<&str>,
        #[case] name: &str,
        #[case] value: Option<&str>,
    ) {
        let e = one(text);
        assert_eq!(e.section, section);
        assert_eq!(e.subsection.as_deref(), sub);
        assert_eq!(e.name, name);
        assert_eq!(e.value.as_deref(), value);
    }

    #[rstest]
    #[case("k = v\n", 1, "outside")]
    #[case("[s\nk = v\n", 1, "unterminated section")]
    #[case("[s!]\n", 1, "bad character")]
    #[case("[s \"x]\n", 1, "unterminated")]
    #[case("[s x]\n", 1, "quoted")]
    #[case("[]\n", 1, "empty")]
    #[case("[s]\nk = \"open\n", 2, "unterminated quote")]
    #[case("[s]\nk = bad\\q\n", 2, "bad escape")]
    #[case("[s]\nk v\n", 2, "after variable")]
    #[case("[s]\n\n9k = v\n", 3, "unexpected character")]
    fn rejects_what_git_rejects(#[case] text: &str, #[case] line: usize, #[case] msg: &str) {
        let err = parse(text).map(|_| ()).map_err(|e| (e.line, e.message));
        assert!(
            matches!(&err, Err((l, m)) if *l == line && m.contains(msg)),
            "{text:?}: {err:?}"
        );
    }

    #[test]
    fn keeps_order_and_lines() {
        let text = "# top\n[a]\n x = 1\n[b \"s\"]\n y = 2\n x = 3\n";
        let got: Vec<(String, usize)> = parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (format!("{}.{}", e.section, e.name), e.line))
            .collect();
        let want = [("a.x", 3), ("b.y", 5), ("b.x", 6)].map(|(k, l)| (k.to_string(), l));
        assert_eq!(got, want);
    }

    #[rstest]
    #[case("remote.Origin.URL", Some(("remote", Some("Origin"), "url")))]
    #[case("Alias.PF", Some(("alias", None, "pf")))]
    #[case("url.git@h:o/.insteadOf", Some(("url", Some("git@h:o/"), "insteadof")))]
    #[case("nodot", None)]
    #[case(".x", None)]
    #[case("x.", None)]
    fn keys(#[case] key: &str, #[case] want: Option<(&str, Option<&str>, &str)>) {
        let got = parse_key(key);
        let got = got
            .as_ref()
            .map(|(s, sub, n)| (s.as_str(), sub.as_deref(), n.as_str()));
        assert_eq!(got, want);
    }

    #[rstest]
    #[case(None, Some(true))]
    #[case(Some("yes"), Some(true))]
    #[case(Some("On"), Some(true))]
    #[case(Some("2"), Some(true))]
    #[case(Some("off"), Some(false))]
    #[case(Some(""), Some(false))]
    #[case(Some("0"), Some(false))]
    #[case(Some("maybe"), None)]
    fn booleans(#[case] v: Option<&str>, #[case] want: Option<bool>) {
        assert_eq!(parse_bool(v), want);
    }

    #[rstest]
    #[case("'alias.x=push -f'", vec![("alias.x", Some("push -f"))])]
    #[case("'alias.x'='push -f' 'core.bare'", vec![("alias.x", Some("push -f")), ("core.bare", None)])]
    #[case("  'a.b'=''  ", vec![("a.b", Some(""))])]
    #[case("'a.b'='it'\\''s'", vec![("a.b", Some("it's"))])]
    #[case("'alias.x'=''\\!'env' 'a.b'='it'\\''s' 'core.flag'=", vec![("alias.x", Some("!env")), ("a.b", Some("it's")), ("core.flag", None)])]
    #[case("", vec![])]
    fn config_parameters(#[case] text: &str, #[case] want: Vec<(&str, Option<&str>)>) {
        let got = parse_parameters(text).unwrap_or_default();
        let got: Vec<(&str, Option<&str>)> = got
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect();
        assert_eq!(got, want);
    }

    #[rstest]
    #[case("alias.x=push")]
    #[case("'open")]
    #[case("'a.b'x")]
    fn bad_config_parameters(#[case] text: &str) {
        assert!(parse_parameters(text).is_err());
    }
}
