//! helm enricher: release, chart, namespace and the kube context → cluster resolution
//! (shared with kubectl through `kubeconfig`). No subprocesses, no network.

use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;

/// The `helm` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HelmFact {
    /// Release name, where the verb takes one.
    pub release: String,
    /// Chart reference.
    pub chart: String,
    /// Effective namespace.
    pub namespace: String,
    /// Effective kube context.
    pub kube_context: String,
    /// The context's cluster entry.
    pub cluster: String,
    /// Short cluster name.
    pub cluster_name: String,
    /// API server URL.
    pub server: String,
    /// `false`, `true`, `"client"` or `"server"` as JSON.
    pub dry_run: serde_json::Value,
}

/// Fills `fact.helm`.
pub fn enrich(_walked: &Walked, _ctx: &Context, fact: &mut Fact) {
    fact.helm = Some(HelmFact::default());
}

/// The target of a helm command.
pub fn target(h: &HelmFact, settings: &Settings) -> Target {
    super::target::classify(
        "cluster",
        &h.kube_context,
        &[&h.cluster, &h.cluster_name, &h.server],
        settings,
    )
}
