//! kubectl enricher: kubeconfig-based context, cluster, namespace and resource details.
//! (Interface placeholder; the full implementation replaces this body.)

use super::walker::Walked;
use super::{Context, Fact};
use serde::Serialize;

/// The `kubectl` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KubectlFact {
    /// The effective context.
    pub context: String,
    /// The context's cluster entry name.
    pub cluster: String,
    /// Short cluster name (EKS ARN / GKE name shortened).
    pub cluster_name: String,
    /// API server URL.
    pub server: String,
    /// The context's user entry name.
    pub user: String,
    /// Effective namespace.
    pub namespace: String,
    /// `--all-namespaces` / `-A`.
    pub all_namespaces: bool,
    /// Normalised resource (plural).
    pub resource: String,
    /// Object names.
    pub names: Vec<String>,
    /// `none`, `client` or `server`.
    pub dry_run: String,
    /// Kubeconfig files read, in order.
    pub kubeconfig: Vec<String>,
}

/// Fills `fact.kubectl`.
pub fn enrich(_walked: &Walked, _ctx: &Context, fact: &mut Fact) {
    fact.kubectl = Some(KubectlFact::default());
}
