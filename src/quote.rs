//! Shell quoting for the words failsafe shows a human: only where a shell needs quotes to
//! read the word back as typed (`git gc --prune=now`, not `git gc '--prune=now'`).
//!
//! Pure string work; no I/O.

use std::borrow::Cow;

/// True for a character no POSIX shell (bash, zsh, dash) treats specially inside a word.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | '=' | ':' | ',' | '@' | '+' | '%')
}

/// `word` as a shell reads it back: unchanged when every character is plain, else in
/// single quotes (a `'` inside written as `'\''`); the empty word is `''`.
pub fn word(word: &str) -> Cow<'_, str> {
    if !word.is_empty() && word.chars().all(is_plain) {
        return Cow::Borrowed(word);
    }
    Cow::Owned(format!("'{}'", word.replace('\'', "'\\''")))
}

/// `words` joined by spaces, each quoted by [`word`].
pub fn line<I, S>(words: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    words
        .into_iter()
        .map(|w| word(w.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("--prune=now", "--prune=now")]
    #[case("origin", "origin")]
    #[case("%1", "%1")]
    #[case("s3://bucket/key", "s3://bucket/key")]
    #[case("user@host:path,x+y", "user@host:path,x+y")]
    #[case("", "''")]
    #[case("two words", "'two words'")]
    #[case("it's", "'it'\\''s'")]
    #[case("$HOME", "'$HOME'")]
    #[case("~/x", "'~/x'")]
    #[case("a*b", "'a*b'")]
    #[case("line\nbreak", "'line\nbreak'")]
    fn quotes_only_what_a_shell_needs(#[case] input: &str, #[case] want: &str) {
        assert_eq!(word(input), want);
    }

    #[test]
    fn every_quoted_word_splits_back_to_itself() {
        let words = ["git", "gc", "--prune=now", "", "a b", "it's", "$x", "é"];
        let joined = line(words);
        assert_eq!(joined, "git gc --prune=now '' 'a b' 'it'\\''s' '$x' 'é'");
        assert_eq!(
            shell_words::split(&joined).ok(),
            Some(words.map(String::from).to_vec())
        );
    }
}
