//! failsafe's integration tests: one test binary, one module per area.
//!
//! Every test builds a [`sandbox::Sandbox`] (temp dir, shim symlinks to the built binary,
//! recording stand-ins for the real tools, isolated HOME and config) and runs commands
//! from a cleared environment, so nothing depends on the developer's machine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod agent_docs;
mod aws_moto;
mod ci;
mod cli;
mod corpus;
mod devcontainer;
mod diff_aws;
mod diff_git;
mod differential;
mod docs;
mod example_policy;
mod fail_closed;
mod git_real;
mod hook;
mod human;
mod install;
mod kubectl_real;
mod log;
mod sandbox;
mod sealed;
mod shim;
mod terminal;
mod terraform_real;
mod user_tools;
