//! The INI dialect of the aws CLI's files (`~/.aws/config`, `~/.aws/cli/alias`): what
//! Python's `configparser.RawConfigParser` accepts, because that is what botocore reads
//! them with.
//!
//! Section headers `[name]` (anything after the closing bracket is ignored), options
//! `key = value` or `key: value` (keys are lowercased), full-line comments starting
//! with `#` or `;` (no inline comments: `region = x # y` has the value `x # y`), indented
//! continuation lines, a `[DEFAULT]` section whose keys every other section inherits,
//! and the strict checks: a duplicate section or key, a line before any section, or a
//! line that is neither a header nor an option is an error — botocore refuses such a
//! file, so the aws CLI would not run with it either.
//!
//! Pure: text in, sections out; no I/O.

/// One parsed file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ini {
    /// Sections in file order (without `DEFAULT`), each with its keys in order.
    sections: Vec<(String, Vec<(String, String)>)>,
    /// The keys of `[DEFAULT]`, inherited by every section.
    defaults: Vec<(String, String)>,
}

/// The section name configparser treats as defaults for all others.
const DEFAULT_SECTION: &str = "DEFAULT";

impl Ini {
    /// Parses `text`.
    ///
    /// # Errors
    /// The first problem, as `line N: what`, for the cases where botocore refuses the
    /// file.
    pub fn parse(text: &str) -> Result<Ini, String> {
        let mut ini = Ini::default();
        // The section being filled: `None` before the first header, `Some(None)` for
        // DEFAULT, `Some(Some(i))` for `sections[i]`.
        let mut current: Option<Option<usize>> = None;
        let mut key: Option<String> = None;
        let mut indent_level = 0usize;
        let mut seen: Vec<(String, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let lineno = n + 1;
            let value = line.trim();
            if value.starts_with('#') || value.starts_with(';') {
                continue;
            }
            if value.is_empty() {
                // An empty line may belong to a multi-line value; trailing ones are
                // trimmed when the value is finished.
                if let (Some(section), Some(k)) = (current, &key) {
                    ini.append(section, k, "");
                }
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if let (Some(section), Some(k)) = (current, &key) {
                if indent > indent_level {
                    ini.append(section, k, value);
                    continue;
                }
            }
            indent_level = indent;
            if let Some(name) = header(value) {
                key = None;
                if name == DEFAULT_SECTION {
                    current = Some(None);
                    continue;
                }
                if ini.sections.iter().any(|(s, _)| s == name) {
                    return Err(format!("line {lineno}: section `[{name}]` appears twice"));
                }
                ini.sections.push((name.to_string(), Vec::new()));
                current = Some(Some(ini.sections.len() - 1));
                continue;
            }
            let Some(section) = current else {
                return Err(format!(
                    "line {lineno}: `{value}` comes before any `[section]` header"
                ));
            };
            let Some(split) = value.find(['=', ':']) else {
                return Err(format!(
                    "line {lineno}: `{value}` is neither a `[section]` header nor `key = value`"
                ));
            };
            let name = value[..split].trim_end().to_lowercase();
            if name.is_empty() {
                return Err(format!("line {lineno}: `{value}` has no key before `=`"));
            }
            let section_name = match section {
                Some(i) => ini.sections[i].0.clone(),
                None => DEFAULT_SECTION.to_string(),
            };
            let pair = (section_name, name.clone());
            if seen.contains(&pair) {
                return Err(format!(
                    "line {lineno}: key `{name}` appears twice in `[{}]`",
                    pair.0
                ));
            }
            seen.push(pair);
            let entries = ini.entries_mut(section);
            entries.push((name.clone(), value[split + 1..].trim().to_string()));
            key = Some(name);
        }
        ini.finish();
        Ok(ini)
    }

    fn entries_mut(&mut self, section: Option<usize>) -> &mut Vec<(String, String)> {
        match section.and_then(|i| self.sections.get_mut(i)) {
            Some((_, entries)) => entries,
            None => &mut self.defaults,
        }
    }

    /// Adds a continuation line to the value of `key` in `section`.
    fn append(&mut self, section: Option<usize>, key: &str, line: &str) {
        if let Some((_, v)) = self
            .entries_mut(section)
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
        {
            v.push('\n');
            v.push_str(line);
        }
    }

    /// Trims the trailing empty lines multi-line values collected.
    fn finish(&mut self) {
        let all = self
            .sections
            .iter_mut()
            .flat_map(|(_, e)| e.iter_mut())
            .chain(self.defaults.iter_mut());
        for (_, v) in all {
            let trimmed = v.trim_end().len();
            v.truncate(trimmed);
        }
    }

    /// Section names in file order (`DEFAULT` excluded).
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(s, _)| s.as_str())
    }

    /// True when the file has section `name`.
    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|(s, _)| s == name)
    }

    /// The value of `key` (lowercase) in `section`, else in `[DEFAULT]`; `None` when
    /// the section does not exist.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let (_, entries) = self.sections.iter().find(|(s, _)| s == section)?;
        entries
            .iter()
            .chain(self.defaults.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The name of a section header line (`[name]`, with anything after the last `]`
/// ignored, as configparser's unanchored pattern does), or `None`.
fn header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// Splits `s` into words the way Python's `shlex.split` does (POSIX mode): blanks
/// separate words, single quotes keep everything, double quotes keep everything but a
/// backslash before `"` or `\`, a backslash outside quotes escapes the next character.
///
/// # Errors
/// An unclosed quote or a trailing backslash.
pub fn shlex_split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("no closing quotation".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("no escaped character".to_string()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parsed(text: &str) -> Ini {
        match Ini::parse(text) {
            Ok(ini) => ini,
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn sections_keys_and_defaults() {
        let ini = parsed(
            "# comment\n[DEFAULT]\nregion = eu-central-1\n\n[default]\nRegion=us-east-1\n[profile prod]\n; c\nsso_account_id: 111122223333\noutput = json # not a comment\n",
        );
        assert_eq!(ini.get("default", "region"), Some("us-east-1"));
        assert_eq!(ini.get("profile prod", "region"), Some("eu-central-1"));
        assert_eq!(
            ini.get("profile prod", "sso_account_id"),
            Some("111122223333")
        );
        assert_eq!(
            ini.get("profile prod", "output"),
            Some("json # not a comment")
        );
        assert_eq!(ini.get("nope", "region"), None);
        assert_eq!(
            ini.sections().collect::<Vec<_>>(),
            vec!["default", "profile prod"]
        );
    }

    #[test]
    fn continuation_lines_join_and_do_not_start_keys() {
        let ini =
            parsed("[default]\ns3 =\n  max_concurrent_requests = 10\n\n  region = x\nregion = y\n");
        assert_eq!(
            ini.get("default", "s3"),
            Some("\nmax_concurrent_requests = 10\n\nregion = x")
        );
        assert_eq!(ini.get("default", "region"), Some("y"));
    }

    #[test]
    fn header_ignores_what_follows_the_bracket() {
        let ini = parsed("[profile a] trailing\nregion = r\n");
        assert!(ini.has_section("profile a"));
    }

    #[rstest]
    #[case("region = x\n", "before any")]
    #[case("[a]\nregion\n", "neither")]
    #[case("[a]\n= x\n", "no key")]
    #[case("[a]\n[a]\n", "appears twice")]
    #[case("[a]\nregion = x\nREGION = y\n", "key `region` appears twice")]
    #[case("[a]\n[]\n", "neither")]
    fn strict_errors(#[case] text: &str, #[case] needle: &str) {
        let err = Ini::parse(text).map(|_| ()).map_err(|e| e.clone());
        assert!(err.as_ref().is_err_and(|e| e.contains(needle)), "{err:?}");
    }

    #[rstest]
    #[case("profile prod", &["profile", "prod"])]
    #[case("profile \"my prod\"", &["profile", "my prod"])]
    #[case("profile 'a b'  c", &["profile", "a b", "c"])]
    #[case("profile a\\ b", &["profile", "a b"])]
    fn shlex(#[case] s: &str, #[case] words: &[&str]) {
        assert_eq!(
            shlex_split(s),
            Ok(words.iter().map(std::string::ToString::to_string).collect())
        );
    }

    #[test]
    fn shlex_unclosed_quote_is_an_error() {
        assert!(shlex_split("profile \"x").is_err());
    }
}
