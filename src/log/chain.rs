//! The hash chain: sealing a record into its line, and `failsafe log verify`.
//!
//! A line is the record's compact JSON (serde's field order, `hash` last) followed by a
//! newline. Its hash is SHA-256 over **the exact bytes of the line with the `hash`
//! member taken out**: everything from `{` through the value of `prev_hash`, then `}`.
//! Because `prev_hash` is inside those bytes, each record commits to the whole history
//! before it. Verification works on the bytes as they are in the file, so any change to
//! a line — a field, a space, a reordered key — breaks it; nothing is re-serialised.
//!
//! Owns the hashing and the rules of the chain; reads files only through the snapshot
//! taken by `store`, and never writes.

use super::store::{self, LogFile};
use super::{DecisionRecord, LogError};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

/// The `prev_hash` of the very first record: 64 zeros.
///
/// Every other record's `prev_hash` is the `hash` of the record before it, across
/// rotated files too (the first record of a new file chains to the last of the old).
/// A record's `hash` is the lowercase hex SHA-256 of its JSON line without the
/// `,"hash":"…"` member, i.e. of `{"time":…,"prev_hash":"…"}` exactly as written.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The member that ends every line, before the 64 hex digits and `"}`.
const HASH_KEY: &[u8] = b",\"hash\":\"";
/// Length of `,"hash":"<64 hex>"}`.
pub(crate) const SUFFIX_LEN: usize = HASH_KEY.len() + 64 + 2;

/// The result of `failsafe log verify`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Records checked and found good (all of them when `first_bad` is `None`).
    pub records: usize,
    /// The files read, oldest first (rotated files, then `decisions.jsonl`).
    pub files: Vec<PathBuf>,
    /// The hash of the last good record ([`GENESIS_HASH`] for an empty log). Keeping it
    /// somewhere else lets a later verify notice a truncated tail.
    pub last_hash: String,
    /// The first line that breaks the chain, if any.
    pub first_bad: Option<BadRecord>,
}

impl VerifyReport {
    /// Whether every record is in place.
    pub fn is_intact(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// A line that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BadRecord {
    /// The file it is in.
    pub file: PathBuf,
    /// Its line number in that file, from 1.
    pub line: usize,
    /// What is wrong with it, as a lowercase sentence.
    pub why: String,
}

/// Sets `record.hash` and returns the line to write, newline included.
///
/// # Errors
/// Only if serde cannot encode the record (it is plain strings; this is a bug).
pub(crate) fn seal(record: &mut DecisionRecord) -> Result<Vec<u8>, serde_json::Error> {
    record.hash.clear();
    let mut line = serde_json::to_vec(&*record)?;
    let empty_hash: &[u8] = b",\"hash\":\"\"}";
    if !line.ends_with(empty_hash) {
        return Err(<serde_json::Error as serde::ser::Error>::custom(
            "record does not end with its hash field",
        ));
    }
    line.truncate(line.len() - empty_hash.len());
    let hash = hex_sha256(&[&line, b"}"]);
    line.extend_from_slice(HASH_KEY);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    record.hash = hash;
    Ok(line)
}

/// The hash a line (without its newline) claims, if it ends the way a sealed line does.
pub(crate) fn claimed_hash(line: &[u8]) -> Option<&str> {
    let tail = line.get(line.len().checked_sub(SUFFIX_LEN)?..)?;
    let hex = tail.strip_prefix(HASH_KEY)?.strip_suffix(b"\"}")?;
    let is_hex = hex
        .iter()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c));
    is_hex.then(|| std::str::from_utf8(hex).ok()).flatten()
}

/// The hash a line (without its newline, ending in a hash member) really has.
fn actual_hash(line: &[u8]) -> String {
    let body = line
        .get(..line.len().saturating_sub(SUFFIX_LEN))
        .unwrap_or_default();
    hex_sha256(&[body, b"}"])
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Checks one line (newline included) against the hash of the record before it;
/// returns its own hash, or why it breaks the chain.
fn check_line(raw: &[u8], prev: &str, first_of_log: bool) -> Result<String, String> {
    let Some(line) = raw.strip_suffix(b"\n") else {
        return Err("the line is incomplete: a write was cut short".to_string());
    };
    let Some(claimed) = claimed_hash(line) else {
        return Err("not a decision record: the line does not end with a hash".to_string());
    };
    if actual_hash(line) != claimed {
        return Err(
            "the record was changed after it was written: its hash does not match its content"
                .to_string(),
        );
    }
    let record: DecisionRecord =
        serde_json::from_slice(line).map_err(|e| format!("not a decision record: {e}"))?;
    if record.hash != claimed {
        return Err("not a decision record: it holds two different hashes".to_string());
    }
    if record.prev_hash != prev {
        return Err(if first_of_log {
            "the first record does not start the chain: older records were removed".to_string()
        } else {
            "the record does not follow the one before it: a record was inserted, removed or moved here".to_string()
        });
    }
    Ok(claimed.to_string())
}

/// Recomputes the chain over every log file, oldest first, and names the first line
/// that breaks it: an edited record, an inserted, reordered or deleted one anywhere
/// before the last, a line that is not a record, a cut-off line. Removing records from
/// the end is not detectable from the log alone (see `docs/log.md`).
///
/// Holds the log's shared lock only while opening the files, so appends wait
/// milliseconds, not for the whole check; records appended meanwhile are not checked.
///
/// # Errors
/// A [`LogError`] when a file cannot be opened, locked or read. A missing log is an
/// empty, intact one.
pub fn verify(config_dir: &std::path::Path) -> Result<VerifyReport, LogError> {
    let files = store::snapshot(config_dir)?;
    let mut report = VerifyReport {
        records: 0,
        files: files.iter().map(|f| f.path.clone()).collect(),
        last_hash: GENESIS_HASH.to_string(),
        first_bad: None,
    };
    for LogFile { path, file, len } in files {
        let mut reader = BufReader::new(file.take(len));
        let mut raw = Vec::new();
        let mut line_no = 0;
        loop {
            raw.clear();
            let read = reader
                .read_until(b'\n', &mut raw)
                .map_err(|source| LogError::Read {
                    path: path.clone(),
                    source,
                })?;
            if read == 0 {
                break;
            }
            line_no += 1;
            let first_of_log = report.records == 0;
            match check_line(&raw, &report.last_hash, first_of_log) {
                Ok(hash) => {
                    report.last_hash = hash;
                    report.records += 1;
                }
                Err(why) => {
                    report.first_bad = Some(BadRecord {
                        file: path,
                        line: line_no,
                        why,
                    });
                    return Ok(report);
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogSettings;
    use crate::log::append;
    use rstest::rstest;
    use std::fs;
    use std::path::Path;

    fn record(n: usize) -> DecisionRecord {
        DecisionRecord {
            time: format!("2026-11-22T03:04:{:02}.000000Z", n % 60),
            tool: "kubectl".into(),
            argv: vec!["kubectl".into(), "get".into(), format!("pod-{n}")],
            decision: "allow".into(),
            ..DecisionRecord::default()
        }
    }

    fn write_log(dir: &Path, n: usize) -> Result<(), LogError> {
        (0..n).try_for_each(|i| append(dir, &LogSettings::default(), record(i)))
    }

    fn lines(path: &Path) -> std::io::Result<Vec<String>> {
        Ok(fs::read_to_string(path)?
            .lines()
            .map(str::to_string)
            .collect())
    }

    fn put_lines(path: &Path, lines: &[String]) -> std::io::Result<()> {
        fs::write(
            path,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
    }

    #[test]
    fn sealed_hash_covers_the_line_without_its_hash_member() -> Result<(), serde_json::Error> {
        let mut rec = record(1);
        rec.prev_hash = GENESIS_HASH.to_string();
        let line = seal(&mut rec)?;
        let text = String::from_utf8_lossy(&line);
        let body = text.replace(&format!(",\"hash\":\"{}\"", rec.hash), "");
        assert_eq!(hex_sha256(&[body.trim_end().as_bytes()]), rec.hash);
        assert!(text.starts_with("{\"time\":") && text.ends_with("\"}\n"));
        assert_eq!(claimed_hash(line.trim_ascii_end()), Some(rec.hash.as_str()));
        Ok(())
    }

    #[test]
    fn intact_log_verifies() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        assert!(verify(dir.path())?.is_intact());
        write_log(dir.path(), 5)?;
        let report = verify(dir.path())?;
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.records, 5);
        assert_eq!(report.files, vec![dir.path().join("decisions.jsonl")]);
        Ok(())
    }

    /// Each way of tampering, and the line verify must name first.
    #[rstest]
    #[case::edit_field("edit", 3, "changed after it was written")]
    #[case::edit_first("edit_first", 1, "changed after it was written")]
    #[case::insert_copy("insert", 3, "does not follow")]
    #[case::reorder("reorder", 3, "does not follow")]
    #[case::delete_middle("delete", 3, "does not follow")]
    #[case::delete_first("delete_first", 1, "older records were removed")]
    #[case::garbage("garbage", 4, "does not end with a hash")]
    #[case::torn("torn", 7, "incomplete")]
    fn tampering_is_detected(
        #[case] how: &str,
        #[case] bad_line: usize,
        #[case] why: &str,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        write_log(dir.path(), 6)?;
        let path = dir.path().join("decisions.jsonl");
        let mut l = lines(&path)?;
        match how {
            "edit" => l[2] = l[2].replacen("\"allow\"", "\"block\"", 1),
            "edit_first" => l[0] = l[0].replacen("pod-0", "pod-9", 1),
            "insert" => {
                let copy = l[0].clone();
                l.insert(2, copy);
            }
            "reorder" => l.swap(2, 3),
            "delete" => {
                l.remove(2);
            }
            "delete_first" => {
                l.remove(0);
            }
            "garbage" => l.insert(3, "not json".to_string()),
            "torn" => {
                put_lines(&path, &l)?;
                fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"time\":"))?;
            }
            _ => return Err(format!("unknown case {how}").into()),
        }
        if how != "torn" {
            put_lines(&path, &l)?;
        }
        let report = verify(dir.path())?;
        let bad = report.first_bad.ok_or("tampering not detected")?;
        assert_eq!(
            (bad.file.as_path(), bad.line),
            (path.as_path(), bad_line),
            "{}",
            bad.why
        );
        assert!(bad.why.contains(why), "{}", bad.why);
        assert_eq!(report.records, bad_line - 1);
        Ok(())
    }

    /// The documented limit: removing records from the end leaves a valid chain.
    #[test]
    fn tail_truncation_is_not_detectable() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        write_log(dir.path(), 6)?;
        let full = verify(dir.path())?;
        let path = dir.path().join("decisions.jsonl");
        let mut l = lines(&path)?;
        l.truncate(4);
        put_lines(&path, &l)?;
        let cut = verify(dir.path())?;
        assert!(cut.is_intact());
        assert_eq!(cut.records, 4);
        // Only a copy of the last hash kept elsewhere shows the loss.
        assert_ne!(cut.last_hash, full.last_hash);
        Ok(())
    }
}
