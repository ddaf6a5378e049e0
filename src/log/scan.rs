//! Finding secrets inside one piece of text: the rules that do not depend on where an
//! argument stands in the argument vector.
//!
//! Each finder reports byte ranges to hide; [`hide`] merges them and writes
//! `<redacted>` in their place. Pure: no I/O, no allocation beyond the result. The
//! finders look only for ASCII delimiters, so every range starts and ends on a character
//! boundary; [`hide`] widens a range that does not rather than panic.

use std::ops::Range;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "<redacted>";

/// Words that make a flag, key or header name sensitive (after lowercasing and turning
/// `_` and `.` into `-`). `auth` is handled by [`mentions_auth`].
const SENSITIVE_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "api-key",
    "apikey",
    "bearer",
    "private-key",
    "privatekey",
    "cookie",
];

/// Endings that name where a secret is kept rather than the secret itself
/// (`--token-file`, `--password-stdin`, `PRIVATE_KEY_PATH`): their values stay readable.
const HOLDER_ENDINGS: &[&str] = &["file", "path", "dir", "stdin"];
/// Name endings that make a secret-sounding name an identifier of a secret, not the
/// secret: `--secret-id prod/db`, `--secret-name`, `--kms-key-arn`. A reviewer needs to
/// see which secret was read; its value is never on the command line there.
const IDENTIFIER_ENDINGS: &[&str] = &[
    "-id", "-ids", "-id-list", "-name", "-names", "-arn", "-arns",
];

/// Whether a flag name (`--kube-token`), assignment key (`DB_PASSWORD`) or header name
/// (`Authorization`) names a secret.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let norm: String = name
        .trim_start_matches('-')
        .chars()
        .map(|c| match c {
            '_' | '.' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if norm.is_empty()
        || HOLDER_ENDINGS.iter().any(|e| norm.ends_with(e))
        || IDENTIFIER_ENDINGS.iter().any(|e| norm.ends_with(e))
    {
        return false;
    }
    norm == "pass" || SENSITIVE_WORDS.iter().any(|w| norm.contains(w)) || mentions_auth(&norm)
}

/// `auth`, `oauth`, `authorization`, `auth-token` — but not git's `--author` or
/// kubectl's `--certificate-authority`, which hold a name and a path.
fn mentions_auth(norm: &str) -> bool {
    norm.match_indices("auth").any(|(at, _)| {
        let rest = norm.get(at + 4..).unwrap_or("");
        !rest.starts_with("or") || rest.starts_with("oriz")
    })
}

/// Characters of a flag name, an assignment key or a header name.
pub(crate) fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_quote(b: u8) -> bool {
    b == b'"' || b == b'\''
}

fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// First index at or after `from` where `stop` holds, or the end.
fn run_until(b: &[u8], from: usize, stop: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .and_then(|rest| rest.iter().position(|&c| stop(c)))
        .map_or(b.len(), |p| from + p)
}

/// Adds every secret found in `text` to `out`.
pub(crate) fn find_secrets(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    pem_blocks(b, out);
    url_userinfo(b, out);
    token_shapes(b, out);
    bearer_tokens(b, out);
    key_values(b, out);
    colon_values(b, out);
}

/// `text` with every range replaced by `<redacted>` (overlapping ranges merged).
pub(crate) fn hide(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.retain(|r| r.start < r.end);
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut iter = ranges.into_iter().peekable();
    while let Some(first) = iter.next() {
        let mut end = first.end;
        while let Some(next) = iter.next_if(|r| r.start <= end) {
            end = end.max(next.end);
        }
        let start = floor_boundary(text, first.start.max(pos));
        let end = ceil_boundary(text, end);
        out.push_str(text.get(pos..start).unwrap_or(""));
        if start < end {
            out.push_str(REDACTED);
        }
        pos = pos.max(end);
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `-----BEGIN … PRIVATE KEY-----` up to its `-----END …-----` (or the end of the text
/// when the block is cut off).
fn pem_blocks(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(begin) = find(b, b"-----BEGIN ", from) {
        let label_start = begin + 11;
        let Some(label_end) = find(b, b"-----", label_start) else {
            return;
        };
        let label = b.get(label_start..label_end).unwrap_or_default();
        if !label.ends_with(b"PRIVATE KEY") {
            from = label_end + 5;
            continue;
        }
        let end = find(b, b"-----END ", label_end + 5).map_or(b.len(), |e| {
            find(b, b"-----", e + 9).map_or(b.len(), |d| d + 5)
        });
        out.push(begin..end);
        from = end;
    }
}

/// The userinfo of `scheme://user:pass@host`, and of `scheme://token@host`.
fn url_userinfo(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(sep) = find(b, b"://", from) {
        let start = sep + 3;
        let end = run_until(b, start, |c| {
            matches!(c, b'/' | b'?' | b'#' | b'<' | b'>') || is_quote(c) || c.is_ascii_whitespace()
        });
        let authority = b.get(start..end).unwrap_or_default();
        if let Some(at_sign) = authority.iter().rposition(|&c| c == b'@') {
            out.push(start..start + at_sign);
        }
        from = start;
    }
}

/// A well-known credential format: a fixed prefix and a body of at least `min` bytes.
struct Shape {
    prefix: &'static [u8],
    body: fn(u8) -> bool,
    min: usize,
    needs_digit: bool,
}

fn upper_alnum(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}
fn alnum_underscore(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}
fn alnum_dash(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}
fn alnum_dash_underscore(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

const fn shape(prefix: &'static [u8], body: fn(u8) -> bool, min: usize) -> Shape {
    Shape {
        prefix,
        body,
        min,
        needs_digit: false,
    }
}

const SHAPES: &[Shape] = &[
    shape(b"AKIA", upper_alnum, 16), // AWS access key id
    shape(b"ASIA", upper_alnum, 16), // AWS temporary access key id
    shape(b"ghp_", alnum, 20),       // GitHub personal access token
    shape(b"gho_", alnum, 20),       // GitHub OAuth token
    shape(b"ghs_", alnum, 20),       // GitHub app installation token
    shape(b"ghu_", alnum, 20),       // GitHub user-to-server token
    shape(b"ghr_", alnum, 20),       // GitHub refresh token
    shape(b"github_pat_", alnum_underscore, 20),
    shape(b"glpat-", alnum_dash_underscore, 20), // GitLab personal access token
    shape(b"xoxa-", alnum_dash, 10),             // Slack tokens
    shape(b"xoxb-", alnum_dash, 10),
    shape(b"xoxp-", alnum_dash, 10),
    shape(b"xoxr-", alnum_dash, 10),
    shape(b"xoxs-", alnum_dash, 10),
    shape(b"sk_live_", alnum, 16), // Stripe secret keys
    shape(b"sk_test_", alnum, 16),
    shape(b"rk_live_", alnum, 16),
    // OpenAI, Anthropic and similar `sk-…` API keys; the digit keeps ordinary words
    // such as `sk-learn-compatible-models` readable.
    Shape {
        prefix: b"sk-",
        body: alnum_dash_underscore,
        min: 20,
        needs_digit: true,
    },
];

fn token_shapes(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while i < b.len() {
        let starts_word = i == 0 || !at(b, i - 1).is_some_and(|c| c.is_ascii_alphanumeric());
        let rest = b.get(i..).unwrap_or_default();
        let found = starts_word
            .then(|| {
                SHAPES.iter().find_map(|s| {
                    let body = rest
                        .get(s.prefix.len()..)
                        .filter(|_| rest.starts_with(s.prefix))?;
                    let len = body.iter().take_while(|&&c| (s.body)(c)).count();
                    let digits_ok = !s.needs_digit || body.iter().take(len).any(u8::is_ascii_digit);
                    (len >= s.min && digits_ok).then_some(s.prefix.len() + len)
                })
            })
            .flatten();
        match found {
            Some(len) => {
                out.push(i..i + len);
                i += len;
            }
            None => i += 1,
        }
    }
}

/// The credential after `Bearer ` (any case), wherever it stands.
fn bearer_tokens(b: &[u8], out: &mut Vec<Range<usize>>) {
    let lower = b.to_ascii_lowercase();
    let mut from = 0;
    while let Some(word) = find(&lower, b"bearer", from) {
        from = word + 6;
        if word > 0 && at(b, word - 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = run_until(b, from, |c| c != b' ' && c != b'\t');
        if start == from {
            continue;
        }
        let end = run_until(b, start, |c| c.is_ascii_whitespace() || is_quote(c));
        out.push(start..end);
    }
}

/// `KEY=VALUE` with a sensitive key, anywhere: env assignments, `--token=…`, `?token=…`
/// in a URL, `password=…` inside a flag value. The value ends at white space, a quote,
/// `&` or `;` (a comma does not end it: `--set password=a,b` hides `a,b`).
fn key_values(b: &[u8], out: &mut Vec<Range<usize>>) {
    for (eq, _) in b.iter().enumerate().filter(|(_, &c)| c == b'=') {
        let key_start = b
            .get(..eq)
            .and_then(|before| before.iter().rposition(|&c| !is_key_char(c)))
            .map_or(0, |p| p + 1);
        let key = b.get(key_start..eq).unwrap_or_default();
        if key.is_empty() || !is_sensitive_name(&String::from_utf8_lossy(key)) {
            continue;
        }
        out.push(value_range(b, eq + 1, |c| {
            c.is_ascii_whitespace() || is_quote(c) || c == b'&' || c == b';'
        }));
    }
}

/// `Name: value` headers and YAML lines (`Authorization: Bearer x`, `X-Api-Key: k`,
/// `password: p`) and JSON members (`"token":"t"`) whose name is sensitive. An unquoted
/// name needs white space after the colon, so git refspecs (`auth-fix:main`) stay.
fn colon_values(b: &[u8], out: &mut Vec<Range<usize>>) {
    for (colon, _) in b.iter().enumerate().filter(|(_, &c)| c == b':') {
        let mut name_end = colon;
        while name_end > 0 && at(b, name_end - 1) == Some(b' ') {
            name_end -= 1;
        }
        let quote = at(b, name_end.wrapping_sub(1)).filter(|&c| is_quote(c));
        let (name_start, name_end) = if let Some(q) = quote {
            let inner_end = name_end - 1;
            let start = b
                .get(..inner_end)
                .and_then(|s| s.iter().rposition(|&c| !is_key_char(c)))
                .map_or(0, |p| p + 1);
            if start == 0 || at(b, start - 1) != Some(q) {
                continue;
            }
            (start, inner_end)
        } else {
            if name_end != colon || !at(b, colon + 1).is_some_and(|c| c == b' ' || c == b'\t') {
                continue;
            }
            let start = b
                .get(..colon)
                .and_then(|s| s.iter().rposition(|&c| !is_key_char(c)))
                .map_or(0, |p| p + 1);
            let before = start.checked_sub(1).and_then(|p| at(b, p));
            if !before
                .is_none_or(|c| c.is_ascii_whitespace() || is_quote(c) || c == b'{' || c == b',')
            {
                continue;
            }
            (start, colon)
        };
        let name = b.get(name_start..name_end).unwrap_or_default();
        if name.is_empty() || !is_sensitive_name(&String::from_utf8_lossy(name)) {
            continue;
        }
        let start = run_until(b, colon + 1, |c| c != b' ' && c != b'\t');
        let range = if quote.is_some() {
            value_range(b, start, |c| {
                c.is_ascii_whitespace() || c == b',' || c == b'}'
            })
        } else {
            value_range(b, start, |c| c == b'\n' || c == b'\r' || is_quote(c))
        };
        out.push(range);
    }
}

/// The value starting at `start`: the inside of a quoted string, else up to `stop`.
fn value_range(b: &[u8], start: usize, stop: impl Fn(u8) -> bool) -> Range<usize> {
    match at(b, start).filter(|&c| is_quote(c)) {
        Some(q) => start + 1..run_until(b, start + 1, |c| c == q),
        None => start..run_until(b, start, stop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn scrub(text: &str) -> String {
        let mut ranges = Vec::new();
        find_secrets(text, &mut ranges);
        hide(text, ranges)
    }

    #[rstest]
    #[case("token", true)]
    #[case("--kube-token", true)]
    #[case("DB_PASSWORD", true)]
    #[case("api_key", true)]
    #[case("X-Api-Key", true)]
    #[case("Authorization", true)]
    #[case("--oauth2-client", true)]
    #[case("auth.password", true)]
    #[case("--private-key", true)]
    #[case("--author", false)]
    #[case("--reset-author", false)]
    #[case("--certificate-authority", false)]
    #[case("--token-file", false)]
    #[case("--password-stdin", false)]
    #[case("--namespace", false)]
    #[case("--context", false)]
    #[case("", false)]
    fn sensitive_names(#[case] name: &str, #[case] want: bool) {
        assert_eq!(is_sensitive_name(name), want, "{name}");
    }

    #[rstest]
    #[case("kubectl get pods -n default", "kubectl get pods -n default")]
    #[case("GITHUB_TOKEN=abc123 git push", "GITHUB_TOKEN=<redacted> git push")]
    #[case("x?access_token=s3cr3t&page=2", "x?access_token=<redacted>&page=2")]
    #[case("TOKEN=\"a b\" run", "TOKEN=\"<redacted>\" run")]
    #[case(
        "https://bob:hunter2@git.example.com/x",
        "https://<redacted>@git.example.com/x"
    )]
    #[case("-H 'Authorization: Bearer xyz'", "-H 'Authorization: <redacted>'")]
    #[case(
        "{\"password\":\"pw1\",\"user\":\"u\"}",
        "{\"password\":\"<redacted>\",\"user\":\"u\"}"
    )]
    #[case("git push origin auth-fix:main", "git push origin auth-fix:main")]
    #[case("key AKIAIOSFODNN7EXAMPLE end", "key <redacted> end")]
    #[case("sk-learn-compatible-models", "sk-learn-compatible-models")]
    #[case(
        "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nb",
        "a\n<redacted>\nb"
    )]
    #[case(
        "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"
    )]
    #[case("naïve token=é€ done", "naïve token=<redacted> done")]
    fn text_rules(#[case] text: &str, #[case] want: &str) {
        assert_eq!(scrub(text), want);
    }

    #[test]
    fn overlapping_ranges_become_one_marker() {
        let text = "TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        assert_eq!(scrub(text), "TOKEN=<redacted>");
    }

    #[test]
    fn ranges_off_character_boundaries_widen() {
        assert_eq!(hide("aéb", std::iter::once(2..3).collect()), "a<redacted>b");
    }
}
