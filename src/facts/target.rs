//! Target classification: is this command landing on prod, staging or dev?
//!
//! The inventory in config.toml decides first; otherwise the name is split into words and
//! compared against well-known environment words. When several candidate names are known
//! (context, cluster, server), the most dangerous answer wins. Pure: no I/O.

use super::Fact;
use crate::config::{pattern_matches, Settings};
use serde::Serialize;

/// Where a command lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// `prod`, `staging`, `dev` or `unknown`.
    pub env: String,
    /// The name that was classified (context, account, workspace, branch).
    pub name: String,
    /// `cluster`, `account`, `workspace`, `branch`, or `""` when there is no target.
    pub kind: String,
    /// What could not be determined about where the command lands (an unreadable
    /// kubeconfig, an aws profile that cannot be resolved, a workspace file that cannot
    /// be read). Unlike the fact's other `uncertain` entries these refuse in **every**
    /// mode: in write mode the user's target policies are the guard, and a wrong target
    /// would silence them. Enrichers push here; classification keeps the list.
    pub uncertain: Vec<String>,
}

impl Target {
    /// No target at all (e.g. `kubectl version` with no kubeconfig).
    pub fn none() -> Target {
        Target {
            env: "unknown".to_string(),
            name: String::new(),
            kind: String::new(),
            uncertain: Vec::new(),
        }
    }
}

const PROD_WORDS: &[&str] = &["prod", "prd", "production", "live"];
const STAGING_WORDS: &[&str] = &["stag", "stg", "staging", "preprod", "uat"];
const DEV_WORDS: &[&str] = &[
    "dev",
    "local",
    "test",
    "sandbox",
    "minikube",
    "kind",
    "development",
];

/// A target environment. The variants are in order from most to least dangerous, so
/// the most dangerous of several is their minimum. In the fact and the log it is the
/// string of [`Env::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Env {
    /// `prod`.
    Prod,
    /// `staging`.
    Staging,
    /// `dev`.
    Dev,
    /// `unknown`: nothing said which.
    Unknown,
}

impl Env {
    /// Every environment, most dangerous first.
    pub const ALL: [Env; 4] = [Env::Prod, Env::Staging, Env::Dev, Env::Unknown];
    /// Their names, in the same order.
    pub const NAMES: [&'static str; 4] = [
        Env::Prod.as_str(),
        Env::Staging.as_str(),
        Env::Dev.as_str(),
        Env::Unknown.as_str(),
    ];

    /// `prod`, `staging`, `dev` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Env::Prod => "prod",
            Env::Staging => "staging",
            Env::Dev => "dev",
            Env::Unknown => "unknown",
        }
    }

    /// The environment named `name`, or `None`.
    pub fn parse(name: &str) -> Option<Env> {
        Env::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// Danger rank of an environment name: a name that is none of them ranks last.
fn rank(env: &str) -> usize {
    Env::parse(env).map_or(Env::ALL.len(), |e| e as usize)
}

/// Classifies one name by the inventory, or `None` when no inventory pattern matches.
pub fn by_inventory(name: &str, settings: &Settings) -> Option<&'static str> {
    let inv = &settings.inventory;
    [
        ("prod", &inv.prod),
        ("staging", &inv.staging),
        ("dev", &inv.dev),
    ]
    .into_iter()
    .find(|(_, patterns)| patterns.iter().any(|p| pattern_matches(p, name)))
    .map(|(env, _)| env)
}

/// Classifies one name by its words: `eks-prod-1` → prod, `preprod` → staging,
/// `kind-dev` → dev, `product` → unknown.
pub fn by_heuristic(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("docker-desktop") || lower.starts_with("kind-") {
        return "dev";
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| {
        words.iter().any(|w| {
            list.iter().any(|k| {
                w.strip_prefix(k)
                    .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
            })
        })
    };
    if has(PROD_WORDS) {
        "prod"
    } else if has(STAGING_WORDS) {
        "staging"
    } else if has(DEV_WORDS) {
        "dev"
    } else {
        "unknown"
    }
}

/// Classifies a target whose display name is `name` and whose other known names are
/// `aliases` (cluster entry, short cluster name, server): the inventory first over all
/// names, then the heuristic; the most dangerous answer wins.
pub fn classify(kind: &str, name: &str, aliases: &[&str], settings: &Settings) -> Target {
    if name.is_empty() && aliases.iter().all(|a| a.is_empty()) {
        return Target::none();
    }
    let names: Vec<&str> = std::iter::once(name)
        .chain(aliases.iter().copied())
        .filter(|n| !n.is_empty())
        .collect();
    let from_inventory = names
        .iter()
        .filter_map(|n| by_inventory(n, settings))
        .min_by_key(|e| rank(e));
    let env = from_inventory.unwrap_or_else(|| {
        names
            .iter()
            .map(|n| by_heuristic(n))
            .min_by_key(|e| rank(e))
            .unwrap_or("unknown")
    });
    Target {
        env: env.to_string(),
        name: name.to_string(),
        kind: kind.to_string(),
        uncertain: Vec::new(),
    }
}

/// The target of a whole fact, from whichever tool section it has.
pub fn classify_fact(fact: &Fact, settings: &Settings) -> Target {
    if let Some(k) = &fact.kubectl {
        let display = if k.context.is_empty() {
            &k.cluster
        } else {
            &k.context
        };
        return classify(
            "cluster",
            display,
            &[&k.cluster, &k.cluster_name, &k.server],
            settings,
        );
    }
    if let Some(g) = &fact.git {
        // A push lands on its targets; anything else on the current branch. Several
        // targets (`--all`, many refspecs): the most dangerous one names the target.
        let candidates: Vec<&str> = match g.push.as_ref().filter(|p| !p.targets.is_empty()) {
            Some(p) => p.targets.iter().map(String::as_str).collect(),
            None => vec![g.branch.as_str()],
        };
        return candidates
            .into_iter()
            .filter(|c| !c.is_empty())
            .map(|c| classify("branch", c, &[], settings))
            .min_by_key(|t| rank(&t.env))
            .unwrap_or_else(Target::none);
    }
    if let Some(h) = &fact.helm {
        return super::helm::target(h, settings);
    }
    if let Some(t) = &fact.terraform {
        return super::terraform::target(t, settings);
    }
    if let Some(a) = &fact.aws {
        return super::aws::target(a, settings);
    }
    Target::none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn environments_are_ordered_by_danger_and_named_as_in_the_fact() {
        assert!(Env::Prod < Env::Staging && Env::Staging < Env::Dev && Env::Dev < Env::Unknown);
        assert_eq!(Env::NAMES, ["prod", "staging", "dev", "unknown"]);
        assert_eq!(Env::parse("staging"), Some(Env::Staging));
        assert_eq!(rank("other"), Env::ALL.len());
    }

    #[rstest]
    #[case("prod", "prod")]
    #[case("eks-prod-1", "prod")]
    #[case("prod2", "prod")]
    #[case("arn:aws:eks:us-east-1:1:cluster/payments-production", "prod")]
    #[case("live", "prod")]
    #[case("preprod", "staging")]
    #[case("stg-eu", "staging")]
    #[case("uat", "staging")]
    #[case("kind-kind", "dev")]
    #[case("minikube", "dev")]
    #[case("docker-desktop", "dev")]
    #[case("sandbox-1", "dev")]
    #[case("product-catalog", "unknown")]
    #[case("payments", "unknown")]
    #[case("prod-test", "prod")]
    fn heuristics(#[case] name: &str, #[case] env: &str) {
        assert_eq!(by_heuristic(name), env);
    }

    #[test]
    fn inventory_wins_over_heuristics() {
        let mut settings = Settings::default();
        settings.inventory.dev.push("prod-like-sandbox".into());
        settings.inventory.prod.push("payments*".into());
        assert_eq!(
            classify("cluster", "prod-like-sandbox", &[], &settings).env,
            "dev"
        );
        assert_eq!(
            classify("cluster", "payments-eu", &[], &settings).env,
            "prod"
        );
    }

    #[test]
    fn most_dangerous_alias_wins() {
        let t = classify(
            "cluster",
            "ctx",
            &["dev-cluster", "prod-api"],
            &Settings::default(),
        );
        assert_eq!(t.env, "prod");
        assert_eq!(t.name, "ctx");
    }
}
