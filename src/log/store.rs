//! The log files: opening, locking, finding the previous hash, rotating and appending,
//! plus the locked snapshot that readers (`read`, `chain::verify`) start from.
//!
//! `decisions.jsonl` is the current file; rotated files are `decisions.jsonl.1`,
//! `.2`, … numbered in the order they were rotated, so `.1` is the oldest and a rotated
//! file keeps its name forever. Every append holds an exclusive `flock` on the current
//! file; readers take a shared one just long enough to open every file.
//!
//! The hot path ([`append`]) is one open, one lock, two `stat`s, one read of the last
//! few KiB and one `O_APPEND` write, whatever the size of the log. It never fsyncs:
//! a record may be lost in a power cut, never half-written among other records.
//! This module never decides what a record says; it redacts it and has `chain` seal it.

use super::chain::{self, GENESIS_HASH, SUFFIX_LEN};
use super::redact::{redact_argv, redact_text};
use super::{DecisionRecord, LogError};
use crate::config::LogSettings;
use crate::fsutil;
use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The current log file's name inside the config directory.
pub const LOG_FILE_NAME: &str = "decisions.jsonl";

/// How much of the end of the file one read brings in while looking for the last hash.
const TAIL_BLOCK: u64 = 4096;
/// How far back to look for a sealed line before giving up on a damaged tail.
const TAIL_LIMIT: u64 = 1 << 20;
/// How often to retry when the file was rotated away while waiting for its lock.
const LOCK_ATTEMPTS: usize = 64;

/// An open log file and how many bytes of it belong to the snapshot.
pub(crate) struct LogFile {
    pub(crate) path: PathBuf,
    pub(crate) file: File,
    pub(crate) len: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Append,
    Read,
}

/// Appends one record: redacts its argv and reason texts, chains it to the last record,
/// rotates the file first when the line would take it past `settings.max_bytes`
/// (0 means never), and writes it as one line. Creates the directory 0700 and the file
/// 0600 (and narrows an existing file that is wider). `record.prev_hash` and
/// `record.hash` are overwritten; an empty `record.time` is set to now.
/// `settings.required` is the caller's business.
///
/// When rotating fails (say, the file system refuses hard links) the record goes into
/// the current file instead, and rotation is tried again by the next append.
///
/// # Errors
/// A [`LogError`] naming the file when the directory cannot be created or the file
/// cannot be opened, locked, read or written. Nothing has been written then.
pub fn append(
    config_dir: &Path,
    settings: &LogSettings,
    record: DecisionRecord,
) -> Result<(), LogError> {
    let mut record = record;
    if record.time.is_empty() {
        record.time = super::time::now();
    }
    record.argv = redact_argv(&record.argv);
    for reason in &mut record.reasons {
        reason.reason = redact_text(&reason.reason);
    }
    let path = config_dir.join(LOG_FILE_NAME);
    let Some((file, meta)) = lock_current(config_dir, Access::Append)? else {
        return Err(LogError::Unstable { path });
    };
    let read_err = |source| LogError::Read {
        path: path.clone(),
        source,
    };
    let write_err = |source| LogError::Write {
        path: path.clone(),
        source,
    };
    // A file of someone else's is left as it is: a sealed install's log is root's,
    // shared with the `failsafe` group (0660) on purpose — and root appending to it
    // (`mode set --agent`, sealing) must not narrow it either.
    if meta.mode() & 0o077 != 0
        && meta.uid() == nix::unistd::geteuid().as_raw()
        && !in_shared_log_dir(&path)
    {
        file.set_permissions(Permissions::from_mode(0o600))
            .map_err(write_err)?;
    }
    let len = meta.len();
    let tail = read_tail(&file, len).map_err(read_err)?;
    record.prev_hash = match tail.hash {
        Some(hash) => hash,
        // An empty (or wholly damaged) current file continues the newest rotated one.
        None if tail.saw_whole_file => newest_rotated_hash(config_dir, &meta)?,
        None => GENESIS_HASH.to_string(),
    };
    let line = chain::seal(&mut record).map_err(|source| LogError::Encode {
        path: path.clone(),
        source,
    })?;
    let grown = len.saturating_add(u64::try_from(line.len()).unwrap_or(u64::MAX));
    let full = settings.max_bytes > 0 && len > 0 && grown > settings.max_bytes;
    if full && rotate(config_dir, &path, &meta, &line).is_ok() {
        return Ok(());
    }
    let mut out = Vec::with_capacity(line.len() + 1);
    if !tail.ends_with_newline {
        // A cut-off line is left as it is (verify reports it); ours starts afresh.
        out.push(b'\n');
    }
    out.extend_from_slice(&line);
    (&file).write_all(&out).map_err(write_err)
}

/// Whether the file `path` leads to sits in a sealed install's log directory: one that
/// is setgid and sticky (`3770 root:failsafe`), where the file is shared with the group on
/// purpose.
fn in_shared_log_dir(path: &Path) -> bool {
    fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().and_then(|d| fs::metadata(d).ok()))
        .is_some_and(|d| d.uid() == 0 && d.mode() & 0o3000 == 0o3000)
}

/// Opens `decisions.jsonl` and locks it (exclusively to append, shared to read),
/// retrying when another process rotated it away while this one waited. `Ok(None)`:
/// there is no current file (only when reading).
fn lock_current(config_dir: &Path, access: Access) -> Result<Option<(File, Metadata)>, LogError> {
    let path = config_dir.join(LOG_FILE_NAME);
    let mut made_dir = false;
    for _ in 0..LOCK_ATTEMPTS {
        let opened = match access {
            Access::Append => OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .mode(0o600)
                .open(&path),
            Access::Read => File::open(&path),
        };
        let file = match opened {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound && access == Access::Read => {
                return Ok(None)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && !made_dir => {
                fsutil::ensure_private_dir(config_dir).map_err(|source| LogError::CreateDir {
                    path: config_dir.to_path_buf(),
                    source,
                })?;
                made_dir = true;
                continue;
            }
            Err(source) => return Err(LogError::Open { path, source }),
        };
        let locked = match access {
            Access::Append => file.lock(),
            Access::Read => file.lock_shared(),
        };
        locked.map_err(|source| LogError::Lock {
            path: path.clone(),
            source,
        })?;
        let meta = file.metadata().map_err(|source| LogError::Read {
            path: path.clone(),
            source,
        })?;
        // The lock is only worth something if this is still the log: a rotation that
        // finished while we waited leaves us holding the old file.
        match fs::metadata(&path) {
            Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => {
                return Ok(Some((file, meta)))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(LogError::Read { path, source }),
        }
    }
    Err(LogError::Unstable { path })
}

/// What the end of a file says about the chain.
struct Tail {
    /// The hash of the last sealed line.
    hash: Option<String>,
    /// Whether the file is empty or ends with a newline.
    ends_with_newline: bool,
    /// Whether the search went back to the start of the file.
    saw_whole_file: bool,
}

/// Reads the file backwards, a block at a time, until the last newline-terminated line
/// that ends in a hash member. A raw newline cannot occur inside a JSON string, so a
/// `,"hash":"…"}` right before a newline is always the end of a sealed line: the
/// 75 bytes before it are all that need checking.
fn read_tail(file: &File, len: u64) -> io::Result<Tail> {
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    let mut ends_with_newline = true;
    while start > 0 {
        let step = TAIL_BLOCK.min(start);
        start -= step;
        let mut block = vec![0; usize::try_from(step).unwrap_or(0)];
        file.read_exact_at(&mut block, start)?;
        if buf.is_empty() {
            ends_with_newline = block.last() == Some(&b'\n');
        }
        block.extend_from_slice(&buf);
        buf = block;
        let line_ends = buf.iter().enumerate().rev().filter(|(_, &c)| c == b'\n');
        for (end, _) in line_ends {
            if end < SUFFIX_LEN && start > 0 {
                break; // need more of the file before this line
            }
            let claimed = buf.get(..end).and_then(chain::claimed_hash);
            if let Some(hash) = claimed {
                return Ok(Tail {
                    hash: Some(hash.to_string()),
                    ends_with_newline,
                    saw_whole_file: false,
                });
            }
        }
        if len - start >= TAIL_LIMIT {
            break;
        }
    }
    Ok(Tail {
        hash: None,
        ends_with_newline,
        saw_whole_file: start == 0,
    })
}

/// The hash of the last record of the newest rotated file, or the genesis hash.
fn newest_rotated_hash(config_dir: &Path, current: &Metadata) -> Result<String, LogError> {
    let rotated = rotated_files(config_dir)?;
    for path in rotated.iter().rev().map(|(_, p)| p) {
        let read_err = |source| LogError::Read {
            path: path.clone(),
            source,
        };
        let file = File::open(path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        if meta.ino() == current.ino() && meta.dev() == current.dev() {
            continue; // left over from an interrupted rotation: the same file
        }
        let tail = read_tail(&file, meta.len()).map_err(read_err)?;
        return Ok(tail.hash.unwrap_or_else(|| GENESIS_HASH.to_string()));
    }
    Ok(GENESIS_HASH.to_string())
}

/// Rotated files `(number, path)`, oldest (lowest number) first.
fn rotated_files(config_dir: &Path) -> Result<Vec<(u64, PathBuf)>, LogError> {
    let entries = match fs::read_dir(config_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LogError::Read {
                path: config_dir.to_path_buf(),
                source,
            })
        }
    };
    let prefix = format!("{LOG_FILE_NAME}.");
    let mut found: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let number = name.to_str()?.strip_prefix(&prefix)?;
            let valid = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
            Some((number.parse().ok().filter(|_| valid)?, entry.path()))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Starts a new current file whose first line is `first_line`. The old file gets its
/// rotated name by a hard link, and the new one (written in full under a temporary
/// name) replaces `decisions.jsonl` by rename, so the log is never missing and a new
/// file is never visible without its first record. Processes waiting for the old
/// file's lock notice the change and retry on the new file.
fn rotate(config_dir: &Path, path: &Path, current: &Metadata, first_line: &[u8]) -> io::Result<()> {
    let rotated = rotated_files(config_dir).map_err(io::Error::other)?;
    let leftover = rotated.last().is_some_and(|(_, p)| {
        fs::metadata(p).is_ok_and(|m| m.ino() == current.ino() && m.dev() == current.dev())
    });
    let mut linked = None;
    if !leftover {
        let number = rotated.last().map_or(1, |(n, _)| n + 1);
        let target = config_dir.join(format!("{LOG_FILE_NAME}.{number}"));
        fs::hard_link(path, &target)?;
        linked = Some(target);
    }
    let tmp = config_dir.join(format!(".{LOG_FILE_NAME}.{}.tmp", std::process::id()));
    let result = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut file| file.write_all(first_line))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        if let Some(target) = linked {
            let _ = fs::remove_file(target);
        }
    }
    result
}

/// Opens every log file, oldest first, under the shared lock, and notes how long each
/// is; the lock is released before returning. Appends after this are not seen.
pub(crate) fn snapshot(config_dir: &Path) -> Result<Vec<LogFile>, LogError> {
    let current = lock_current(config_dir, Access::Read)?;
    let mut files = Vec::new();
    for (_, path) in rotated_files(config_dir)? {
        let read_err = |source| LogError::Read {
            path: path.clone(),
            source,
        };
        let file = File::open(&path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        let same_as_current = current
            .as_ref()
            .is_some_and(|(_, m)| m.ino() == meta.ino() && m.dev() == meta.dev());
        if !same_as_current {
            files.push(LogFile {
                path,
                file,
                len: meta.len(),
            });
        }
    }
    if let Some((file, meta)) = current {
        let path = config_dir.join(LOG_FILE_NAME);
        file.unlock().map_err(|source| LogError::Lock {
            path: path.clone(),
            source,
        })?;
        files.push(LogFile {
            path,
            file,
            len: meta.len(),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{log_files, read_records, verify};
    use std::sync::Arc;

    use crate::log::fixtures::{log_settings as settings, numbered as record};

    #[test]
    fn creates_owner_only_file_and_directory() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let dir = root.path().join("config/failsafe");
        append(&dir, &settings(0), record(0))?;
        let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode(&dir)?, 0o700);
        assert_eq!(mode(&dir.join(LOG_FILE_NAME))?, 0o600);
        // A file someone widened is narrowed again on the next append.
        fs::set_permissions(dir.join(LOG_FILE_NAME), Permissions::from_mode(0o644))?;
        append(&dir, &settings(0), record(1))?;
        assert_eq!(mode(&dir.join(LOG_FILE_NAME))?, 0o600);
        Ok(())
    }

    #[test]
    fn chains_to_the_previous_record_and_redacts() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut first = record(0);
        first.argv.push("--token=abc".into());
        first.prev_hash = "caller values are ignored".into();
        append(dir.path(), &settings(0), first)?;
        append(dir.path(), &settings(0), record(1))?;
        let records = read_records(dir.path(), None)?;
        let [a, b] = records.as_slice() else {
            return Err("expected two records".into());
        };
        assert_eq!(a.prev_hash, GENESIS_HASH);
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!(
            a.argv.last().map(String::as_str),
            Some("--token=<redacted>")
        );
        Ok(())
    }

    #[test]
    fn a_cut_off_last_line_is_left_alone_and_skipped() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        append(dir.path(), &settings(0), record(0))?;
        let path = dir.path().join(LOG_FILE_NAME);
        let first_hash = read_records(dir.path(), None)?
            .first()
            .map(|r| r.hash.clone())
            .ok_or("no record")?;
        OpenOptions::new()
            .append(true)
            .open(&path)?
            .write_all(b"{\"time\":\"2026")?;
        append(dir.path(), &settings(0), record(1))?;
        let text = fs::read_to_string(&path)?;
        assert_eq!(text.lines().count(), 3, "{text}");
        let records = read_records(dir.path(), None)?;
        assert_eq!(records.len(), 2);
        assert_eq!(
            records.get(1).map(|r| r.prev_hash.as_str()),
            Some(first_hash.as_str())
        );
        let report = verify(dir.path())?;
        assert_eq!(report.first_bad.map(|b| b.line), Some(2));
        Ok(())
    }

    #[test]
    fn rotation_keeps_the_chain_across_three_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut sample = record(0);
        sample.prev_hash = GENESIS_HASH.to_string();
        let line_len = u64::try_from(chain::seal(&mut sample)?.len())?;
        // Room for four records per file: 10 records make .1, .2 and the current file.
        let max = line_len * 4 + 20;
        for n in 0..10 {
            append(dir.path(), &settings(max), record(n))?;
        }
        let files = log_files(dir.path())?;
        let names: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(String::from))
            .collect();
        assert_eq!(
            names,
            ["decisions.jsonl.1", "decisions.jsonl.2", "decisions.jsonl"]
        );
        for file in &files {
            assert!(fs::metadata(file)?.len() <= max);
            assert_eq!(fs::metadata(file)?.permissions().mode() & 0o777, 0o600);
        }
        let report = verify(dir.path())?;
        assert!(report.is_intact(), "{report:?}");
        assert_eq!((report.records, report.files.len()), (10, 3));
        // The first record of each new file chains to the last of the one before.
        let all = read_records(dir.path(), None)?;
        assert!(all
            .windows(2)
            .all(|w| matches!(w, [a, b] if b.prev_hash == a.hash)));

        // Tampering inside a rotated file is found there.
        let middle = dir.path().join("decisions.jsonl.2");
        let text = fs::read_to_string(&middle)?.replacen("pod-5", "pod-X", 1);
        fs::write(&middle, text)?;
        let report = verify(dir.path())?;
        let bad = report.first_bad.ok_or("tampering not detected")?;
        assert_eq!((bad.file, bad.line), (middle, 2));
        // Removing the oldest file is a removal of records, too.
        fs::remove_file(dir.path().join("decisions.jsonl.1"))?;
        let bad = verify(dir.path())?
            .first_bad
            .ok_or("removal not detected")?;
        assert!(
            bad.why.contains("older records were removed"),
            "{}",
            bad.why
        );
        Ok(())
    }

    #[test]
    fn an_empty_current_file_continues_the_rotated_one() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        for n in 0..3 {
            append(dir.path(), &settings(0), record(n))?;
        }
        fs::rename(
            dir.path().join(LOG_FILE_NAME),
            dir.path().join("decisions.jsonl.1"),
        )?;
        append(dir.path(), &settings(0), record(3))?;
        assert!(verify(dir.path())?.is_intact());
        Ok(())
    }

    /// Eight threads, each opening the file for every append, never fork the chain or
    /// interleave lines.
    #[test]
    fn concurrent_appends_keep_one_chain() -> Result<(), Box<dyn std::error::Error>> {
        let dir = Arc::new(tempfile::tempdir()?);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let dir = Arc::clone(&dir);
                std::thread::spawn(move || {
                    (0..200)
                        .try_for_each(|n| append(dir.path(), &settings(0), record(t * 1000 + n)))
                })
            })
            .collect();
        for thread in threads {
            thread.join().map_err(|_| "thread panicked")??;
        }
        let text = fs::read_to_string(dir.path().join(LOG_FILE_NAME))?;
        assert_eq!(text.lines().count(), 1_600);
        assert!(text
            .lines()
            .all(|l| l.starts_with("{\"time\":") && l.ends_with("\"}")));
        let report = verify(dir.path())?;
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.records, 1_600);
        Ok(())
    }

    /// Concurrency with rotation: appenders waiting on a file that was rotated away
    /// retry on the new one.
    #[test]
    fn concurrent_appends_with_rotation_keep_one_chain() -> Result<(), Box<dyn std::error::Error>> {
        let dir = Arc::new(tempfile::tempdir()?);
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let dir = Arc::clone(&dir);
                std::thread::spawn(move || {
                    (0..50).try_for_each(|n| {
                        append(dir.path(), &settings(4_000), record(t * 1000 + n))
                    })
                })
            })
            .collect();
        for thread in threads {
            thread.join().map_err(|_| "thread panicked")??;
        }
        let report = verify(dir.path())?;
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.records, 200);
        assert!(report.files.len() > 3);
        Ok(())
    }
}
