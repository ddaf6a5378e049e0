//! End-to-end: user-defined tool specs guarded through the shims (filled in by the issue-3 work).
