//! aws enricher: service and operation, profile, region and account, dry runs, and s3
//! paths. No subprocesses, no network.

use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;

/// The `aws` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AwsFact {
    /// Service (`ec2`, `s3`).
    pub service: String,
    /// Operation (`describe-instances`, `cp`).
    pub operation: String,
    /// Effective profile.
    pub profile: String,
    /// Effective region.
    pub region: String,
    /// Account id, when known from the profile.
    pub account: String,
    /// `--endpoint-url`.
    pub endpoint_url: String,
    /// `--dry-run` / `--dryrun`.
    pub dry_run: bool,
    /// Every `s3://` argument.
    pub paths: Vec<String>,
    /// For s3 cp/mv/sync: the destination is an s3:// URI.
    pub destination_is_s3: bool,
    /// `--recursive`.
    pub recursive: bool,
    /// `--delete` (sync).
    pub delete: bool,
}

/// Fills `fact.aws`.
pub fn enrich(_walked: &Walked, _ctx: &Context, fact: &mut Fact) {
    fact.aws = Some(AwsFact::default());
}

/// The target of an aws command.
pub fn target(a: &AwsFact, settings: &Settings) -> Target {
    let name = if a.account.is_empty() {
        &a.profile
    } else {
        &a.account
    };
    super::target::classify("account", name, &[&a.profile, &a.account], settings)
}
