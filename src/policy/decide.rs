//! Combining the reasons of all layers into one decision, exactly as policy.md states:
//! a block or ask of layer L is lifted when a later layer has a non-empty
//! `allow_override`; self-protection blocks are never lifted; any block left blocks,
//! else any ask left asks, else the command is allowed.

use super::engine::Evaluation;
use super::{Effect, Layer, Reason};
use serde::Serialize;

/// The package whose blocks no override can lift.
const SELF_PACKAGES: &[&str] = &["failsafe.bundled.self", "guard.bundled.self"];

/// Reason ids starting with this are failsafe's own failures (broken or unreadable
/// policy, config or spec); a broken check never lets a command through, so no override
/// lifts them.
pub const FAILSAFE_ID_PREFIX: &str = "failsafe.";

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing objected.
    Allow,
    /// Something objected, and a later layer lifted every objection.
    Override,
    /// A human must approve this one command.
    Ask,
    /// Refused.
    Block,
}

impl Verdict {
    /// `allow`, `override`, `ask` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Override => "override",
            Verdict::Ask => "ask",
            Verdict::Block => "block",
        }
    }

    /// True for the verdicts that let the command run.
    pub fn runs(self) -> bool {
        matches!(self, Verdict::Allow | Verdict::Override)
    }
}

/// The decision with everything that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The outcome.
    pub verdict: Verdict,
    /// The blocks (for `block`) or asks (for `ask`) that stand.
    pub reasons: Vec<Reason>,
    /// Blocks and asks that a later layer lifted.
    pub lifted: Vec<Reason>,
    /// The overrides that did the lifting.
    pub overrides: Vec<Reason>,
    /// Overrides in untrusted repo files, which were not applied.
    pub ignored_overrides: Vec<Reason>,
}

/// Combines an evaluation into a decision.
pub fn decide(eval: &Evaluation) -> Decision {
    let overrides: Vec<&Reason> = eval
        .reasons
        .iter()
        .filter(|r| r.effect == Effect::AllowOverride)
        .collect();
    let lifted_by = |r: &Reason| -> bool {
        !SELF_PACKAGES.contains(&r.package.as_str())
            && !r.id.starts_with(FAILSAFE_ID_PREFIX)
            && overrides.iter().any(|o| o.layer > r.layer)
    };
    let mut standing_blocks = Vec::new();
    let mut standing_asks = Vec::new();
    let mut lifted = Vec::new();
    for r in eval
        .reasons
        .iter()
        .filter(|r| r.effect != Effect::AllowOverride)
    {
        if lifted_by(r) {
            lifted.push(r.clone());
        } else if r.effect == Effect::Block {
            standing_blocks.push(r.clone());
        } else {
            standing_asks.push(r.clone());
        }
    }
    let used_overrides: Vec<Reason> = if lifted.is_empty() {
        Vec::new()
    } else {
        let lowest = lifted
            .iter()
            .map(|r| r.layer)
            .min()
            .unwrap_or(Layer::Bundled);
        overrides
            .iter()
            .filter(|o| o.layer > lowest)
            .map(|o| (*o).clone())
            .collect()
    };
    let (verdict, reasons) = if !standing_blocks.is_empty() {
        (Verdict::Block, standing_blocks)
    } else if !standing_asks.is_empty() {
        (Verdict::Ask, standing_asks)
    } else if !lifted.is_empty() {
        (Verdict::Override, Vec::new())
    } else {
        (Verdict::Allow, Vec::new())
    };
    Decision {
        verdict,
        reasons,
        lifted,
        overrides: used_overrides,
        ignored_overrides: eval.ignored_overrides.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn r(effect: Effect, layer: Layer, package: &str) -> Reason {
        Reason {
            id: format!("{layer}.{}", effect.rule_name()),
            reason: "because".into(),
            effect,
            layer,
            location: "f.rego:1".into(),
            package: package.into(),
        }
    }

    fn verdict(reasons: Vec<Reason>) -> Verdict {
        decide(&Evaluation {
            reasons,
            ..Evaluation::default()
        })
        .verdict
    }

    use Effect::{AllowOverride as O, Ask as A, Block as B};
    use Layer::{Bundled as BU, Repo as RE, User as US};

    #[rstest]
    #[case(vec![], Verdict::Allow)]
    #[case(vec![(B, BU)], Verdict::Block)]
    #[case(vec![(A, BU)], Verdict::Ask)]
    #[case(vec![(B, BU), (A, BU)], Verdict::Block)]
    #[case(vec![(B, BU), (O, US)], Verdict::Override)]
    #[case(vec![(B, BU), (O, BU)], Verdict::Block)]
    #[case(vec![(B, US), (O, US)], Verdict::Block)]
    #[case(vec![(B, US), (O, RE)], Verdict::Override)]
    #[case(vec![(B, RE), (O, RE)], Verdict::Block)]
    #[case(vec![(B, BU), (O, US), (B, US)], Verdict::Block)]
    #[case(vec![(B, BU), (O, US), (A, US)], Verdict::Ask)]
    #[case(vec![(B, BU), (O, US), (A, RE)], Verdict::Ask)]
    #[case(vec![(O, US)], Verdict::Allow)]
    fn combining(#[case] said: Vec<(Effect, Layer)>, #[case] expected: Verdict) {
        let reasons = said.into_iter().map(|(e, l)| r(e, l, "p")).collect();
        assert_eq!(verdict(reasons), expected);
    }

    #[test]
    fn self_protection_is_never_lifted() {
        let reasons = vec![
            r(B, BU, "failsafe.bundled.self"),
            r(O, US, "failsafe.user"),
            r(O, RE, "failsafe.repo"),
        ];
        assert_eq!(verdict(reasons), Verdict::Block);
    }

    #[test]
    fn broken_policies_are_never_lifted() {
        let mut broken = r(B, BU, "");
        broken.id = "failsafe.policy-broken".into();
        assert_eq!(
            verdict(vec![broken, r(O, US, "failsafe.user")]),
            Verdict::Block
        );
    }
}
