//! The bundled policies, embedded at build time, and which of them apply to a fact.
//!
//! Only the files that can apply are handed to the engine: the tool's own policy and the
//! uncertainty policy in read mode, the self-protection policy only for `failsafe`
//! itself. Parsing a policy that cannot apply would cost every `git status` for nothing.

use crate::mode::Mode;

/// One embedded policy file.
#[derive(Debug, Clone, Copy)]
pub struct BundledPolicy {
    /// Display path, used in every `file:line` (`bundled/kubectl.rego`).
    pub path: &'static str,
    /// The tool it guards, or `None` for the always-on policies.
    pub tool: Option<&'static str>,
    /// The Rego source.
    pub text: &'static str,
}

/// Every bundled policy.
pub const ALL: &[BundledPolicy] = &[
    BundledPolicy {
        path: "bundled/kubectl.rego",
        tool: Some("kubectl"),
        text: include_str!("../../policies/kubectl.rego"),
    },
    BundledPolicy {
        path: "bundled/git.rego",
        tool: Some("git"),
        text: include_str!("../../policies/git.rego"),
    },
    BundledPolicy {
        path: "bundled/helm.rego",
        tool: Some("helm"),
        text: include_str!("../../policies/helm.rego"),
    },
    BundledPolicy {
        path: "bundled/terraform.rego",
        tool: Some("terraform"),
        text: include_str!("../../policies/terraform.rego"),
    },
    BundledPolicy {
        path: "bundled/aws.rego",
        tool: Some("aws"),
        text: include_str!("../../policies/aws.rego"),
    },
    BundledPolicy {
        path: "bundled/uncertain.rego",
        tool: None,
        text: include_str!("../../policies/uncertain.rego"),
    },
    BundledPolicy {
        path: "bundled/self.rego",
        tool: Some("failsafe"),
        text: include_str!("../../policies/self.rego"),
    },
];

/// The bundled policies that apply to `tool` in `mode`: in read mode the tool's own and
/// the uncertainty policy; the self-protection policy for `failsafe` in every mode.
pub fn applicable(tool: &str, mode: Mode) -> Vec<&'static BundledPolicy> {
    ALL.iter()
        .filter(|p| match (p.tool, mode) {
            (Some("failsafe"), _) => tool == "failsafe",
            (Some(t), Mode::Read) => t == tool,
            (None, Mode::Read) => true,
            (_, Mode::Write) => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_mode_loads_only_this_tools_policy_and_uncertain() {
        let paths: Vec<_> = applicable("git", Mode::Read)
            .iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(paths, vec!["bundled/git.rego", "bundled/uncertain.rego"]);
    }

    #[test]
    fn write_mode_loads_nothing_but_self_protection() {
        assert!(applicable("kubectl", Mode::Write).is_empty());
        let paths: Vec<_> = applicable("failsafe", Mode::Write)
            .iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(paths, vec!["bundled/self.rego"]);
    }
}
