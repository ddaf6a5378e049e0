//! terraform / tofu enricher: `-chdir`, workspace, destroy detection, plan files,
//! targets, and `TF_CLI_ARGS*` merging. No subprocesses, no network.

use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;

/// The `terraform` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TerraformFact {
    /// `-chdir` value, `""` when not given.
    pub chdir: String,
    /// Selected workspace.
    pub workspace: String,
    /// `-auto-approve`.
    pub auto_approve: bool,
    /// Destroys infrastructure.
    pub destroy: bool,
    /// Saved plan file given to apply.
    pub plan_file: String,
    /// `-target` values.
    pub targets: Vec<String>,
    /// `-replace` values.
    pub replace: Vec<String>,
    /// Backend type, when cheaply readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

/// The arguments terraform will actually see: `TF_CLI_ARGS` and `TF_CLI_ARGS_<verb>`
/// merged into `rest` (argv without argv[0]) where terraform merges them.
pub fn merge_cli_args(
    rest: &[String],
    _ctx: &Context,
    _uncertain: &mut Vec<String>,
) -> Vec<String> {
    rest.to_vec()
}

/// Fills `fact.terraform` (and `fact.cwd` for `-chdir`).
pub fn enrich(_walked: &Walked, _ctx: &Context, fact: &mut Fact) {
    fact.terraform = Some(TerraformFact::default());
}

/// The target of a terraform command.
pub fn target(t: &TerraformFact, settings: &Settings) -> Target {
    super::target::classify("workspace", &t.workspace, &[], settings)
}
