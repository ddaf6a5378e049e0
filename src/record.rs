//! Writing a judgement to the decision log, and what to do when that fails.
//! (Placeholder until the log room lands: logging is a no-op.)

use crate::judge::Judgement;

/// Logs `j`. `Err` carries the refusal text when the log is required and cannot be
/// written.
pub fn record(_j: &Judgement) -> Result<(), String> {
    Ok(())
}
