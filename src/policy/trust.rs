//! The trust store (`<config>/trust.json`): which repo policy files may lift blocks.
//!
//! A file is trusted by its canonical path **and** the SHA-256 of its content; any change
//! to the content makes it untrusted again until a human re-trusts it. An unreadable or
//! malformed store is an error, never an empty store: the caller refuses.

use crate::fsutil;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One trusted file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustEntry {
    /// Canonical absolute path of the `.failsafe.rego` file.
    pub path: PathBuf,
    /// Hex SHA-256 of its content when it was trusted.
    pub sha256: String,
    /// When it was trusted (seconds since the Unix epoch).
    pub added: u64,
}

/// The whole store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustStore {
    /// Format version, 1.
    #[serde(default = "one")]
    pub version: u32,
    /// Trusted files.
    #[serde(default)]
    pub entries: Vec<TrustEntry>,
}

fn one() -> u32 {
    1
}

/// Why the trust store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file exists but cannot be read.
    #[error("cannot read trust store {}: {source}", path.display())]
    Read {
        /// trust.json.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON of the expected shape.
    #[error("trust store {} is not valid: {message}", path.display())]
    Parse {
        /// trust.json.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The store could not be written.
    #[error("cannot write trust store {}: {source}", path.display())]
    Write {
        /// trust.json.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The store's path.
pub fn store_path(config_dir: &Path) -> PathBuf {
    config_dir.join("trust.json")
}

impl TrustStore {
    /// Reads the store; a missing file is an empty store.
    ///
    /// # Errors
    /// `TrustError::Read` or `TrustError::Parse` for a file that exists but cannot be
    /// used.
    pub fn load(config_dir: &Path) -> Result<TrustStore, TrustError> {
        let path = store_path(config_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TrustStore::default()),
            Err(source) => return Err(TrustError::Read { path, source }),
        };
        serde_json::from_str(&text).map_err(|e| TrustError::Parse {
            path,
            message: e.to_string(),
        })
    }

    /// Writes the store atomically, owner-only.
    ///
    /// # Errors
    /// `TrustError::Write` on any I/O error.
    pub fn save(&self, config_dir: &Path) -> Result<(), TrustError> {
        let path = store_path(config_dir);
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        fsutil::write_private_atomic(&path, text.as_bytes())
            .map_err(|source| TrustError::Write { path, source })
    }

    /// True when `canonical` is trusted with exactly this content hash.
    pub fn is_trusted(&self, canonical: &Path, sha256: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.path == canonical && e.sha256 == sha256)
    }

    /// The entry for `canonical`, whatever its hash.
    pub fn entry(&self, canonical: &Path) -> Option<&TrustEntry> {
        self.entries.iter().find(|e| e.path == canonical)
    }

    /// Trusts `canonical` with `sha256`, replacing any older entry for the same path.
    pub fn add(&mut self, canonical: PathBuf, sha256: String, now: u64) {
        self.entries.retain(|e| e.path != canonical);
        self.entries.push(TrustEntry {
            path: canonical,
            sha256,
            added: now,
        });
    }

    /// Forgets `canonical`; returns whether it was there.
    pub fn remove(&mut self, canonical: &Path) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.path != canonical);
        before != self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_is_by_path_and_content() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut store = TrustStore::load(dir.path())?;
        let file = PathBuf::from("/repo/.failsafe.rego");
        store.add(file.clone(), sha256_hex(b"v1"), 1);
        store.save(dir.path())?;
        let store = TrustStore::load(dir.path())?;
        assert!(store.is_trusted(&file, &sha256_hex(b"v1")));
        assert!(!store.is_trusted(&file, &sha256_hex(b"v2")));
        assert!(!store.is_trusted(Path::new("/other/.failsafe.rego"), &sha256_hex(b"v1")));
        Ok(())
    }

    #[test]
    fn malformed_store_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(store_path(dir.path()), "{not json")?;
        assert!(matches!(
            TrustStore::load(dir.path()),
            Err(TrustError::Parse { .. })
        ));
        Ok(())
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
