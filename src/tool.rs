//! Names of guarded tools: which basenames failsafe answers to and what tool each one is.
//!
//! The personality of the binary is decided only by the file name of argv[0]; this module
//! owns the list of built-in names and the validation of user-defined ones.

use std::fmt;

/// The binaries failsafe guards out of the box, with the canonical tool each one is
/// parsed as (`tofu` is parsed like `terraform`).
pub const BUILTIN_BINARIES: &[(&str, &str)] = &[
    ("kubectl", "kubectl"),
    ("helm", "helm"),
    ("terraform", "terraform"),
    ("tofu", "terraform"),
    ("aws", "aws"),
    ("git", "git"),
];

/// The name failsafe answers to as a command rather than a shim.
pub const SELF_NAME: &str = "failsafe";

/// A validated tool or binary name: a plain file name made of letters, digits, `-`, `_`
/// and `.`, not starting with `.` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ToolName(String);

impl ToolName {
    /// Validates `name`; returns `None` for anything that could not be a plain file name
    /// of a command (empty, a path, a dot file, spaces or shell characters).
    pub fn new(name: &str) -> Option<ToolName> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && !name.starts_with('.')
            && !name.starts_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        valid.then(|| ToolName(name.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ToolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The canonical tool of a built-in binary name (`tofu` → `terraform`), or `None` when the
/// name is not built in.
pub fn builtin_tool_of(binary: &str) -> Option<&'static str> {
    BUILTIN_BINARIES
        .iter()
        .find(|(bin, _)| *bin == binary)
        .map(|(_, tool)| *tool)
}

/// True when `name` is reserved: a built-in binary or failsafe itself. User tool specs
/// may not claim these names.
pub fn is_reserved(name: &str) -> bool {
    name == SELF_NAME || builtin_tool_of(name).is_some()
}

/// The built-in name closest to `typed`, for "did you mean" hints; `None` when nothing is
/// close enough to be a plausible typo.
pub fn nearest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(typed, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars (`strsim`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("kubectl", true)]
    #[case("gh", true)]
    #[case("my_tool-2.1", true)]
    #[case("", false)]
    #[case("../kubectl", false)]
    #[case(".hidden", false)]
    #[case("-rf", false)]
    #[case("a b", false)]
    fn tool_names_are_plain_file_names(#[case] name: &str, #[case] ok: bool) {
        assert_eq!(ToolName::new(name).is_some(), ok);
    }

    #[test]
    fn tofu_is_terraform() {
        assert_eq!(builtin_tool_of("tofu"), Some("terraform"));
        assert_eq!(builtin_tool_of("kubectl.exe"), None);
        assert!(is_reserved("failsafe"));
        assert!(is_reserved("git"));
        assert!(!is_reserved("gh"));
    }

    #[test]
    fn nearest_suggests_typos_only() {
        assert_eq!(nearest("kubctl", ["kubectl", "helm"]), Some("kubectl"));
        assert_eq!(nearest("zzzzzz", ["kubectl", "helm"]), None);
    }
}
