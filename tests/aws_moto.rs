//! The real aws CLI against a local moto server, through the shims (filled in by the issue-3 work).
