//! Reading the log back for `failsafe log` and `failsafe report`.
//!
//! Works on a snapshot of the files (see `store::snapshot`), so it never blocks appends
//! for longer than it takes to open the files, and never sees a half-written line.
//! `--tail N` reads the files backwards and stops after N lines. Never writes.

use super::store::{snapshot, LogFile};
use super::{DecisionRecord, LogError};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The log files, oldest first: `decisions.jsonl.1`, `.2`, …, then `decisions.jsonl`.
///
/// # Errors
/// A [`LogError`] when the directory or a file cannot be read.
pub fn log_files(config_dir: &Path) -> Result<Vec<PathBuf>, LogError> {
    Ok(snapshot(config_dir)?.into_iter().map(|f| f.path).collect())
}

/// The records of the log, oldest first; with `tail`, only the last that many (read
/// from the end, so `--tail 20` costs the same on any log). Lines that are not records
/// (damaged, cut off) are skipped here; `verify` is what reports them.
///
/// # Errors
/// A [`LogError`] when a file cannot be opened, locked or read. No log means no records.
pub fn read_records(
    config_dir: &Path,
    tail: Option<usize>,
) -> Result<Vec<DecisionRecord>, LogError> {
    let files = snapshot(config_dir)?;
    let Some(want) = tail else {
        let mut records = Vec::new();
        for f in files {
            read_all(&f, &mut records)?;
        }
        return Ok(records);
    };
    let mut newest_first: Vec<Vec<DecisionRecord>> = Vec::new();
    let mut have = 0;
    for f in files.iter().rev() {
        if have >= want {
            break;
        }
        let lines = last_lines(&f.file, f.len, want - have).map_err(|source| LogError::Read {
            path: f.path.clone(),
            source,
        })?;
        let records: Vec<DecisionRecord> = lines
            .iter()
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect();
        have += records.len();
        newest_first.push(records);
    }
    let mut records: Vec<DecisionRecord> = newest_first.into_iter().rev().flatten().collect();
    let extra = records.len().saturating_sub(want);
    records.drain(..extra);
    Ok(records)
}

fn read_all(f: &LogFile, records: &mut Vec<DecisionRecord>) -> Result<(), LogError> {
    let mut reader = BufReader::new((&f.file).take(f.len));
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let read = reader
            .read_until(b'\n', &mut raw)
            .map_err(|source| LogError::Read {
                path: f.path.clone(),
                source,
            })?;
        if read == 0 {
            return Ok(());
        }
        if let Some(line) = raw.strip_suffix(b"\n") {
            if let Ok(record) = serde_json::from_slice(line) {
                records.push(record);
            }
        }
    }
}

/// Up to `want` complete lines (newline removed) from the end of the first `len` bytes,
/// oldest first. A cut-off last line is not counted.
fn last_lines(file: &File, len: u64, want: usize) -> io::Result<Vec<Vec<u8>>> {
    const BLOCK: u64 = 64 * 1024;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut start = len;
    let mut newlines = 0;
    while start > 0 && newlines <= want {
        let step = BLOCK.min(start);
        start -= step;
        let mut block = vec![0; usize::try_from(step).unwrap_or(0)];
        file.read_exact_at(&mut block, start)?;
        // A block is at most a few KiB: a plain count beats another dependency.
        #[allow(clippy::naive_bytecount)]
        let in_block = block.iter().filter(|&&c| c == b'\n').count();
        newlines += in_block;
        blocks.push(block);
    }
    let bytes: Vec<u8> = blocks.into_iter().rev().flatten().collect();
    let complete = bytes.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    let mut lines: Vec<&[u8]> = bytes
        .get(..complete)
        .unwrap_or_default()
        .split(|&c| c == b'\n')
        .collect();
    lines.pop(); // the empty piece after the final newline
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // began mid-line
    }
    let skip = lines.len().saturating_sub(want);
    Ok(lines.into_iter().skip(skip).map(<[u8]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::append;

    use crate::log::fixtures::{log_settings as settings, numbered as record};

    #[test]
    fn tail_reads_only_the_last_records_across_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        for n in 0..30 {
            append(dir.path(), &settings(2_000), record(n))?;
        }
        assert!(log_files(dir.path())?.len() >= 3);
        let last: Vec<String> = read_records(dir.path(), Some(12))?
            .into_iter()
            .filter_map(|r| r.argv.get(2).cloned())
            .collect();
        let want: Vec<String> = (18..30).map(|n| format!("pod-{n}")).collect();
        assert_eq!(last, want);
        assert_eq!(read_records(dir.path(), Some(100))?.len(), 30);
        assert_eq!(read_records(dir.path(), Some(0))?.len(), 0);
        Ok(())
    }
}
