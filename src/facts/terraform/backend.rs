//! The backend a terraform configuration declares, found by a light scan of the
//! top-level `*.tf` and `*.tofu` files of a directory: the type in
//! `terraform { backend "TYPE" { … } }`, or `cloud` for a `terraform { cloud { … } }`
//! block. An override file (`override.tf`, `*_override.tf`) that declares one wins, as
//! it does in terraform.
//!
//! Cheap on purpose, since it runs before every terraform command: at most
//! [`MAX_FILES`] files of at most [`MAX_BYTES`] each, no modules, no JSON syntax.
//! Anything it cannot read or follow is simply not a backend; it never fails.

use std::path::Path;

/// Files looked at, at most.
pub const MAX_FILES: usize = 64;

/// Larger files are skipped.
pub const MAX_BYTES: u64 = 256 * 1024;

/// The backend type declared in `dir`, if cheaply readable.
pub fn declared(dir: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(std::result::Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tf") || n.ends_with(".tofu"))
        .collect();
    names.sort();
    names.truncate(MAX_FILES);
    let is_override = |n: &str| {
        let stem = n.trim_end_matches(".tofu").trim_end_matches(".tf");
        stem == "override" || stem.ends_with("_override")
    };
    let scan = |n: &String| {
        let path = dir.join(n);
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_BYTES {
            return None;
        }
        in_text(&std::fs::read_to_string(&path).ok()?)
    };
    // The last override file wins, like the last of several overrides in terraform.
    let overridden = names.iter().rev().filter(|n| is_override(n)).find_map(scan);
    overridden.or_else(|| names.iter().filter(|n| !is_override(n)).find_map(scan))
}

/// The backend declared in one file's text.
pub fn in_text(text: &str) -> Option<String> {
    let toks = tokens(text)?;
    let mut depth = 0usize;
    let mut terraform_block = false;
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        i += 1;
        match tok {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    terraform_block = false;
                }
            }
            Tok::Ident(name)
                if depth == 0 && name == "terraform" && toks.get(i) == Some(&Tok::Open) =>
            {
                terraform_block = true;
                depth += 1;
                i += 1;
            }
            Tok::Ident(name) if terraform_block && depth == 1 => {
                match (name.as_str(), toks.get(i), toks.get(i + 1)) {
                    ("backend", Some(Tok::Str(kind)), Some(Tok::Open)) => {
                        return Some(kind.clone())
                    }
                    ("cloud", Some(Tok::Open), _) => return Some("cloud".to_string()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
}

/// The little of HCL the scan needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// A string literal without interpolation (its text), or `""` for one with.
    Str(String),
    Open,
    Close,
    Other,
}

/// Splits HCL text into tokens, skipping comments, heredocs and string interpolations.
/// `None` when something is left open (a string, a comment, a heredoc).
fn tokens(text: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '#' => i = line_end(&chars, i),
            '/' if next == Some('/') => i = line_end(&chars, i),
            '/' if next == Some('*') => {
                let end = find(&chars, i + 2, &['*', '/'])?;
                i = end + 2;
            }
            '"' => {
                let (value, end) = string(&chars, i + 1)?;
                out.push(Tok::Str(value));
                i = end;
            }
            '<' if next == Some('<') => i = heredoc(&chars, i + 2)?,
            '{' => {
                out.push(Tok::Open);
                i += 1;
            }
            '}' => {
                out.push(Tok::Close);
                i += 1;
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            _ => {
                out.push(Tok::Other);
                i += 1;
            }
        }
    }
    Some(out)
}

fn line_end(chars: &[char], from: usize) -> usize {
    chars[from..]
        .iter()
        .position(|c| *c == '\n')
        .map_or(chars.len(), |p| from + p + 1)
}

fn find(chars: &[char], from: usize, needle: &[char]) -> Option<usize> {
    (from..chars.len()).find(|&i| chars[i..].starts_with(needle))
}

/// A string literal starting after its opening quote: its text (`""` when it has an
/// interpolation) and the index after the closing quote.
fn string(chars: &[char], mut i: usize) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut plain = true;
    loop {
        match *chars.get(i)? {
            '"' => return Some((if plain { value } else { String::new() }, i + 1)),
            '\n' => return None,
            '\\' => {
                value.push(*chars.get(i + 1)?);
                i += 2;
            }
            '$' | '%' if chars.get(i + 1) == Some(&'{') => {
                plain = false;
                i = template(chars, i + 2)?;
            }
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
}

/// Skips a `${ … }` or `%{ … }` template starting after its `{`, nested strings
/// included; returns the index after its closing brace.
fn template(chars: &[char], mut i: usize) -> Option<usize> {
    let mut depth = 1usize;
    loop {
        match *chars.get(i)? {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            '"' => {
                let (_, end) = string(chars, i + 1)?;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// Skips a heredoc starting after its `<<` (`<<EOF` or `<<-EOF`); returns the index
/// after its closing marker line.
fn heredoc(chars: &[char], mut i: usize) -> Option<usize> {
    if chars.get(i) == Some(&'-') {
        i += 1;
    }
    let start = i;
    while chars
        .get(i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        i += 1;
    }
    let marker: String = chars[start..i].iter().collect();
    if marker.is_empty() {
        // Not a heredoc (a `<<` operator inside an expression).
        return Some(i);
    }
    i = line_end(chars, i);
    while i < chars.len() {
        let end = line_end(chars, i);
        let line: String = chars[i..end].iter().collect();
        if line.trim() == marker {
            return Some(end);
        }
        i = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::s3(
        "terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n",
        Some("s3")
    )]
    #[case::empty_block("terraform { backend \"gcs\" {} }", Some("gcs"))]
    #[case::cloud(
        "terraform {\n  cloud {\n    organization = \"o\"\n  }\n}\n",
        Some("cloud")
    )]
    #[case::after_other_settings(
        "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n  backend \"azurerm\" {}\n}\n",
        Some("azurerm")
    )]
    #[case::none("resource \"null_resource\" \"x\" {}\n", None)]
    #[case::commented_out("terraform {\n  # backend \"s3\" {}\n  // backend \"gcs\" {}\n  /* backend \"pg\" {} */\n}\n", None)]
    #[case::not_in_terraform_block("locals {\n  backend \"s3\" {}\n}\n", None)]
    #[case::nested_too_deep("terraform {\n  x {\n    backend \"s3\" {}\n  }\n}\n", None)]
    #[case::heredoc_with_braces(
        "locals {\n  p = <<EOF\n{ \"terraform\": { } }\nEOF\n}\nterraform {\n  backend \"http\" {}\n}\n",
        Some("http")
    )]
    #[case::interpolation_with_quotes(
        "locals {\n  a = \"${lookup(var.m, \"}\")}\"\n}\nterraform { backend \"consul\" {} }\n",
        Some("consul")
    )]
    #[case::unterminated_string("terraform { backend \"s3 {} }", None)]
    fn finds_the_declared_backend(#[case] text: &str, #[case] want: Option<&str>) {
        assert_eq!(in_text(text).as_deref(), want);
    }

    #[test]
    fn override_files_win_and_other_files_are_ignored() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let write = |name: &str, text: &str| {
            let written = std::fs::write(dir.path().join(name), text);
            assert!(written.is_ok());
        };
        write("main.tf", "terraform { backend \"s3\" {} }\n");
        write("notes.txt", "terraform { backend \"gcs\" {} }\n");
        assert_eq!(declared(dir.path()).as_deref(), Some("s3"));
        write(
            "backend_override.tf",
            "terraform { backend \"local\" {} }\n",
        );
        assert_eq!(declared(dir.path()).as_deref(), Some("local"));
        assert_eq!(declared(&dir.path().join("missing")), None);
    }
}
