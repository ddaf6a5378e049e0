//! failsafe: a command guard for AI coding agents.
//!
//! One binary answers to many names. Invoked as `kubectl`, `git`, … (a shim on PATH) it
//! turns the argument vector into a fact, evaluates the Rego policy chain and either
//! execs the real tool or refuses with exit status 77. Invoked as `failsafe` it is the
//! human's command-line tool.
//!
//! Data flows one way: argv → [`facts`] → [`policy`] → decision → [`shim`] (exec or
//! refuse).

pub mod approvals;
pub mod cli;
pub mod config;
pub mod exit;
pub mod facts;
pub mod fsutil;
pub mod hook;
pub mod human;
pub mod judge;
pub mod lockdown;
pub mod log;
pub mod mode;
pub mod pathfind;
pub mod policy;
pub mod quote;
pub mod record;
pub mod refusal;
pub mod seal;
pub mod shim;
pub mod spec;
pub mod tool;
