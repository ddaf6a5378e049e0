//! The policy chain: loading the bundled, user and repo layers, evaluating them with
//! regorus, and combining what they say into one decision.
//!
//! This room never touches argv and never execs: its input is a fact (JSON), its output
//! a [`Decision`] with every reason, rule id and `file:line`.

pub mod bundled;
pub mod cache;
pub mod decide;
mod effect;
pub mod engine;
pub mod layers;
pub mod loaded;
#[cfg(test)]
mod properties;
pub mod rewrite;
pub mod trust;

use serde::Serialize;
use std::fmt;

pub use decide::{decide, Decision, Verdict};
pub use effect::Effect;
pub use engine::{evaluate, evaluate_cached, evaluate_quick, Evaluation};
pub use layers::{load_chain, Chain, ChainError, ChainRequest, PolicyFile};

/// The three policy layers, in evaluation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Embedded in the binary; active in read mode (self-protection always).
    Bundled,
    /// `<config>/policies/*.rego` and `<config>/policy.rego`.
    User,
    /// `.failsafe.rego` files from the working directory up to the repository root.
    Repo,
}

impl Layer {
    /// `bundled`, `user` or `repo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Bundled => "bundled",
            Layer::User => "user",
            Layer::Repo => "repo",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One thing a rule said (or one failure that counts as a block), with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule's stable id (`kubectl.mutating-verb`), or `""` when the rule gave none.
    pub id: String,
    /// Human-readable reason.
    pub reason: String,
    /// What it asks for.
    pub effect: Effect,
    /// Which layer said it.
    pub layer: Layer,
    /// `file:line` of the rule that fired (`bundled/kubectl.rego:12`).
    pub location: String,
    /// The Rego package (`failsafe.bundled.kubectl`); `""` for load failures.
    pub package: String,
}

impl Reason {
    /// The id, or a stand-in naming the layer and effect when the rule gave none.
    pub fn display_id(&self) -> String {
        if self.id.is_empty() {
            format!("{}.{} (no id)", self.layer, self.effect.rule_name())
        } else {
            self.id.clone()
        }
    }
}
