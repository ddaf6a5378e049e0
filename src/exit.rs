//! Exit codes failsafe itself uses. Every `process::exit` in the crate names one of these.
//!
//! When a command is allowed in shim mode there is no exit code of ours: the process has
//! become the real tool, and its status is the tool's own.

/// Shim mode: the command was refused, by policy or because something could not be checked.
pub const BLOCKED: i32 = 77;
/// Shim mode: no real tool of that name was found on PATH after the shim directory.
pub const TOOL_NOT_FOUND: i32 = 127;
/// A failsafe subcommand finished normally (and `explain` decided allow).
pub const OK: i32 = 0;
/// `explain`, `log verify`, `test`, `validate`, `doctor`: the answer was "no" (block, ask,
/// failed check), so scripts can test a command.
pub const NO: i32 = 1;
/// `explain`: the program is not a guarded tool, so failsafe never sees it (neither allow
/// nor block).
pub const NOT_GUARDED: i32 = 3;
/// A usage error of failsafe's own commands, and hook mode's "block" when no JSON answer
/// can be produced.
pub const USAGE: i32 = 2;
/// Shim mode: the command was allowed but the real tool could not be exec'd (as shells
/// report "found but not executable").
pub const CANNOT_EXECUTE: i32 = 126;
