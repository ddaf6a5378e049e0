//! The on-disk cache of user and repo policy analyses (see `rewrite::Analysis`), so a
//! policy file is parsed for the rewrite only the first time it is seen.
//!
//! Entries live in `$XDG_CACHE_HOME/failsafe/rego/` (else `~/.cache/failsafe/rego/`),
//! one file per analysis, named by the SHA-256 of failsafe's version and the file's
//! text. An entry is only ever a hint: one that is missing, unreadable, truncated, from
//! another version or for another text is ignored, and one that parses but renames the
//! wrong things is caught by `rewrite::verify` before anything is evaluated — either way
//! the file is analysed afresh. Nothing read here can decide anything. Writes are atomic
//! (a temp file renamed into place, owner-only) and their failures are ignored: a cache that cannot
//! be written only costs time.

use super::rewrite::Analysis;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// failsafe's version; part of every key, so an upgrade never reads an older analysis.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The cache directory: `$XDG_CACHE_HOME/failsafe` when that is an absolute path, else
/// `<home>/.cache/failsafe`; `None` without either.
pub fn dir(home: Option<&Path>) -> Option<PathBuf> {
    match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => Some(xdg.join("failsafe")),
        _ => home.map(|h| h.join(".cache").join("failsafe")),
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: String,
    key: String,
    analysis: Analysis,
}

/// The key of `text`: hex SHA-256 of the version, a NUL and the text.
pub fn key(text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(VERSION.as_bytes());
    hasher.update([0u8]);
    hasher.update(text.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

fn entry_path(dir: &Path, key: &str) -> PathBuf {
    dir.join("rego").join(format!("{key}.json"))
}

/// The cached analysis for the text whose [`key`] is `key`, if a well-formed entry for
/// exactly that key and version exists. Any problem reads as "not cached".
pub fn read(dir: &Path, key: &str) -> Option<Analysis> {
    let bytes = std::fs::read(entry_path(dir, key)).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.version == VERSION && entry.key == key).then_some(entry.analysis)
}

/// Stores `analysis` under `key`, atomically; errors are ignored (see the module doc).
pub fn write(dir: &Path, key: &str, analysis: &Analysis) {
    let _ = try_write(dir, key, analysis);
}

fn try_write(dir: &Path, key: &str, analysis: &Analysis) -> std::io::Result<()> {
    let entry = Entry {
        version: VERSION.to_string(),
        key: key.to_string(),
        analysis: analysis.clone(),
    };
    let json = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
    crate::fsutil::write_private_atomic(&entry_path(dir, key), &json)
}
