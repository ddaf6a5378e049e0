//! The three things a decision rule can ask for. Kept in a file of its own, with no
//! dependency on the rest of the crate, because `build.rs` compiles it too (it prepares
//! the bundled policies at build time with the same rewrite the runtime uses).

use serde::{Deserialize, Serialize};

/// What a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// `block contains …`: refuse.
    Block,
    /// `ask contains …`: a human must approve.
    Ask,
    /// `allow_override contains …`: lift the blocks and asks of earlier layers.
    AllowOverride,
}

impl Effect {
    /// The rule name in Rego.
    pub fn rule_name(self) -> &'static str {
        match self {
            Effect::Block => "block",
            Effect::Ask => "ask",
            Effect::AllowOverride => "allow_override",
        }
    }

    /// The effect of a rule name, if it is one of the three.
    pub fn from_rule_name(name: &str) -> Option<Effect> {
        match name {
            "block" => Some(Effect::Block),
            "ask" => Some(Effect::Ask),
            "allow_override" => Some(Effect::AllowOverride),
            _ => None,
        }
    }
}
