//! git's wildcard matching, as used by `includeIf "gitdir:…"` and `includeIf
//! "onbranch:…"`: `*`, `**`, `?`, `[…]` classes and `\` escapes.
//!
//! Pure: no I/O.

use std::collections::HashSet;

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
    let mut m = Matcher {
        p: pattern.chars().collect(),
        t: text.chars().collect(),
        opts,
        failed: HashSet::new(),
    };
    m.matches(0, 0)
}

fn same(a: char, b: char, opts: Options) -> bool {
    if opts.casefold {
        a.to_lowercase().eq(b.to_lowercase())
    } else {
        a == b
    }
}

/// A backtracking matcher that remembers which (pattern, text) positions failed, so a
/// pattern full of stars costs at most pattern length × text length steps (a config
/// file cannot make the shim hang).
struct Matcher {
    p: Vec<char>,
    t: Vec<char>,
    opts: Options,
    failed: HashSet<(usize, usize)>,
}

impl Matcher {
    /// Does the text from `ti` on match the pattern from `pi` on?
    fn matches(&mut self, pi: usize, ti: usize) -> bool {
        if self.failed.contains(&(pi, ti)) {
            return false;
        }
        let hit = self.step(pi, ti);
        if !hit {
            self.failed.insert((pi, ti));
        }
        hit
    }

    /// One character of the text, unless it is a `/` that `?`, `*` or `[…]` may not
    /// match.
    fn any_char(&self, ti: usize) -> Option<char> {
        self.t
            .get(ti)
            .copied()
            .filter(|c| !(self.opts.pathname && *c == '/'))
    }

    fn step(&mut self, pi: usize, ti: usize) -> bool {
        let Some(&first) = self.p.get(pi) else {
            return ti == self.t.len();
        };
        match first {
            '*' => self.star(pi, ti),
            '?' => self.any_char(ti).is_some() && self.matches(pi + 1, ti + 1),
            '[' => match (self.any_char(ti), class(&self.p, pi + 1)) {
                (Some(c), Some((members, after))) => {
                    members.contains(c, self.opts) && self.matches(after, ti + 1)
                }
                _ => false,
            },
            '\\' => {
                let (lit, after) = match self.p.get(pi + 1) {
                    Some(&c) => (c, pi + 2),
                    None => ('\\', pi + 1),
                };
                self.literal(lit, ti) && self.matches(after, ti + 1)
            }
            lit => self.literal(lit, ti) && self.matches(pi + 1, ti + 1),
        }
    }

    fn literal(&self, lit: char, ti: usize) -> bool {
        self.t.get(ti).is_some_and(|c| same(lit, *c, self.opts))
    }

    /// `p[pi]` is `*`.
    fn star(&mut self, pi: usize, ti: usize) -> bool {
        let stars = self.p.iter().skip(pi).take_while(|c| **c == '*').count();
        let rest = pi + stars;
        let mut crosses_slash = !self.opts.pathname;
        if self.opts.pathname && stars >= 2 {
            // `**` is special only as a whole path component: `a/**/b`, `**/b`, `a/**`.
            let starts_component = pi == 0 || self.p.get(pi - 1) == Some(&'/');
            let ends_component = self.p.get(rest).is_none_or(|c| *c == '/');
            if starts_component && ends_component {
                crosses_slash = true;
                // `**/` also matches zero directories.
                if self.p.get(rest) == Some(&'/') && self.matches(rest + 1, ti) {
                    return true;
                }
            }
        }
        for k in ti..=self.t.len() {
            if self.matches(rest, k) {
                return true;
            }
            if !crosses_slash && self.t.get(k) == Some(&'/') {
                return false;
            }
        }
        false
    }
}

/// The members of a `[…]` class.
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

/// Parses a class body starting at `p[start]` (after the `[`); returns it and the index
/// after the closing `]`, or `None` when the class is not closed (git then matches
/// nothing).
fn class(p: &[char], start: usize) -> Option<(Class, usize)> {
    let mut i = start;
    let negated = matches!(p.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *p.get(i)?;
        if c == ']' && !first {
            return Some((Class { negated, ranges }, i + 1));
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
    #[case(
        "*a*a*a*a*a*a*a*a*a*a*a*a*b",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        PLAIN,
        false
    )]
    fn cases(#[case] pattern: &str, #[case] text: &str, #[case] opts: Options, #[case] want: bool) {
        assert_eq!(wildmatch(pattern, text, opts), want, "{pattern} vs {text}");
    }
}
