//! git's wildcard matching, as used by `includeIf "gitdir:…"` and `includeIf
//! "onbranch:…"`: `*`, `**`, `?`, `[…]` classes and `\` escapes.
//!
//! Pure: no I/O. Patterns come from config files and texts are short paths or branch
//! names, so a plain backtracking matcher is enough.

/// How to match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `*` and `?` do not match `/`; `**` between slashes matches any number of
    /// directories (git's `WM_PATHNAME`).
    pub pathname: bool,
    /// Compare letters case-insensitively (git's `WM_CASEFOLD`).
    pub casefold: bool,
}

/// True when `text` matches the wildcard `pattern`.
pub fn wildmatch(pattern: &str, text: &str, opts: Options) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches(&p, &t, opts)
}

fn same(a: char, b: char, opts: Options) -> bool {
    if opts.casefold {
        a.to_lowercase().eq(b.to_lowercase())
    } else {
        a == b
    }
}

fn matches(p: &[char], t: &[char], opts: Options) -> bool {
    let Some((&first, rest)) = p.split_first() else {
        return t.is_empty();
    };
    match first {
        '*' => star(p, t, opts),
        '?' => match t.split_first() {
            Some((&c, t_rest)) if !(opts.pathname && c == '/') => matches(rest, t_rest, opts),
            _ => false,
        },
        '[' => match (t.split_first(), class(rest)) {
            (Some((&c, t_rest)), Some((members, after))) => {
                let hit = members.contains(c, opts) && !(opts.pathname && c == '/');
                hit && matches(after, t_rest, opts)
            }
            _ => false,
        },
        '\\' => {
            let (lit, after) = match rest.split_first() {
                Some((&c, after)) => (c, after),
                None => ('\\', rest),
            };
            match t.split_first() {
                Some((&c, t_rest)) if same(lit, c, opts) => matches(after, t_rest, opts),
                _ => false,
            }
        }
        lit => match t.split_first() {
            Some((&c, t_rest)) if same(lit, c, opts) => matches(rest, t_rest, opts),
            _ => false,
        },
    }
}

/// `p` starts with `*`.
fn star(p: &[char], t: &[char], opts: Options) -> bool {
    let stars = p.iter().take_while(|c| **c == '*').count();
    let rest = p.get(stars..).unwrap_or(&[]);
    let mut crosses_slash = !opts.pathname;
    if opts.pathname && stars >= 2 {
        // `**` is special only as a whole path component: `a/**/b`, `**/b`, `a/**`.
        let ends_component = rest.first().is_none_or(|c| *c == '/');
        if ends_component {
            crosses_slash = true;
            if let Some(after_slash) = rest.strip_prefix(&['/']) {
                // `**/` also matches zero directories.
                if matches(after_slash, t, opts) {
                    return true;
                }
            }
        }
    }
    for k in 0..=t.len() {
        if matches(rest, t.get(k..).unwrap_or(&[]), opts) {
            return true;
        }
        if !crosses_slash && t.get(k) == Some(&'/') {
            return false;
        }
    }
    false
}

/// The members of a `[…]` class whose body starts at `p` (after the `[`).
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Class {
    fn contains(&self, c: char, opts: Options) -> bool {
        let hit = self.ranges.iter().any(|&(lo, hi)| {
            (lo..=hi).contains(&c)
                || (opts.casefold
                    && c.to_lowercase()
                        .chain(c.to_uppercase())
                        .any(|v| (lo..=hi).contains(&v)))
        });
        hit != self.negated
    }
}

/// Parses a class body; returns it and the pattern after the closing `]`, or `None`
/// when the class is not closed (git then matches nothing).
fn class(p: &[char]) -> Option<(Class, &[char])> {
    let mut i = 0;
    let negated = matches!(p.first(), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *p.get(i)?;
        if c == ']' && !first {
            return Some((Class { negated, ranges }, p.get(i + 1..).unwrap_or(&[])));
        }
        first = false;
        let lo = if c == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            c
        };
        i += 1;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|n| *n != ']') {
            let hi = *p.get(i + 1)?;
            ranges.push((lo, hi));
            i += 2;
        } else {
            ranges.push((lo, lo));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const PATH: Options = Options {
        pathname: true,
        casefold: false,
    };
    const PLAIN: Options = Options {
        pathname: false,
        casefold: false,
    };
    const FOLD: Options = Options {
        pathname: false,
        casefold: true,
    };

    #[rstest]
    #[case("main", "main", PATH, true)]
    #[case("release/*", "release/1.0", PATH, true)]
    #[case("release/*", "release/1/hot", PATH, false)]
    #[case("release/**", "release/1/hot", PATH, true)]
    #[case("**/work/**", "/home/u/work/repo/.git", PATH, true)]
    #[case("a/**/b", "a/b", PATH, true)]
    #[case("a/**/b", "a/x/y/b", PATH, true)]
    #[case("a**b", "a/x/b", PATH, false)]
    #[case("/home/*/.git", "/home/u/sub/.git", PLAIN, true)]
    #[case("/home/*/.git", "/home/u/sub/.git", PATH, false)]
    #[case("f?o", "foo", PATH, true)]
    #[case("f?o", "f/o", PATH, false)]
    #[case("v[0-9]*", "v1.2", PATH, true)]
    #[case("v[!0-9]*", "v1.2", PATH, false)]
    #[case("[]x]", "]", PATH, true)]
    #[case("a\\*", "a*", PATH, true)]
    #[case("a\\*", "ab", PATH, false)]
    #[case("/Work/**", "/work/x", FOLD, true)]
    #[case("/Work/**", "/work/x", PLAIN, false)]
    #[case("[abc", "a", PATH, false)]
    #[case("", "", PATH, true)]
    fn cases(#[case] pattern: &str, #[case] text: &str, #[case] opts: Options, #[case] want: bool) {
        assert_eq!(wildmatch(pattern, text, opts), want, "{pattern} vs {text}");
    }
}
