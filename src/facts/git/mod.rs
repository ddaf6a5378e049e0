//! git enricher. (Interface placeholder; the full implementation replaces this body.)

use super::walker::Walked;
use super::{Context, Fact};
use crate::spec::ToolSpec;
use serde::Serialize;
use std::collections::BTreeMap;

/// The `git` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GitFact {
    /// Top of the work tree, `""` outside a repository.
    pub repo_root: String,
    /// The git directory.
    pub git_dir: String,
    /// Current branch, `""` when detached.
    pub branch: String,
    /// Remote name → URL.
    pub remotes: BTreeMap<String, String>,
    /// Push details (verb `push` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushFact>,
    /// Any target (or the current branch, for commands that move it) is protected.
    pub protected: bool,
    /// `-c name=value` options, in order.
    pub config_overrides: Vec<String>,
    /// The alias word typed, when the verb was an alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// The `git.push` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PushFact {
    /// Remote name or URL.
    pub remote: String,
    /// Refspecs as given.
    pub refspecs: Vec<String>,
    /// Destination branch names.
    pub targets: Vec<String>,
    /// Any kind of force.
    pub force: bool,
    /// `force`, `lease` or `""`.
    pub force_kind: String,
    /// Deletes a remote ref.
    pub delete: bool,
    /// `--all`.
    pub all: bool,
    /// `--mirror`.
    pub mirror: bool,
    /// `--tags`.
    pub tags: bool,
}

/// Expands a git alias verb; returns the (re-)walked argv and the alias word.
pub fn expand_alias(
    _spec: &ToolSpec,
    _rest: &[String],
    walked: Walked,
    _ctx: &Context,
    _uncertain: &mut Vec<String>,
) -> (Walked, Option<String>) {
    (walked, None)
}

/// Fills `fact.git`.
pub fn enrich(_walked: &Walked, alias: Option<String>, _ctx: &Context, fact: &mut Fact) {
    fact.git = Some(GitFact {
        alias,
        ..GitFact::default()
    });
}
