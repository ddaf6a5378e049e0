//! One-shot approvals of `ask` decisions (`<config>/approvals.json`).
//!
//! A shim that meets an `ask` files a **request** (a short id bound to a hash of the
//! fact: tool, argv, cwd, pane, incarnation and target) and refuses, printing
//! `failsafe approve ID`. A human runs that from their own terminal: the request becomes
//! a **grant**, good for one run of exactly that command, in that cwd, from that pane
//! incarnation, until it expires. The next identical call finds the grant, marks it
//! **used** and runs.
//!
//! Every step is also a record in the hash-chained decision log, and a grant counts only
//! when the log holds, in an intact chain, the grant record after the request record and
//! no use record after that: a hand-edited approvals.json grants nothing
//! (docs/threat-model.md says what this does and does not stop).
//!
//! The file is read and written only under an exclusive lock on `approvals.lock`, so
//! parallel shims never lose a request or use a grant twice. This module is read only
//! for an `ask` (never on the hot path of an allow), never prints and never execs.

use crate::fsutil;
use crate::human::{self, ActionKind};
use crate::log::{self, DecisionRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The approvals file's name in the config dir.
pub const FILE_NAME: &str = "approvals.json";
const LOCK_NAME: &str = "approvals.lock";
/// At most this many live requests and grants; the oldest make room.
const MAX_LIVE: usize = 64;

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Filed by a shim, waiting for a human.
    Pending,
    /// Approved by a human, not yet used.
    Granted,
    /// Used once; never again.
    Used,
    /// Refused by a human.
    Denied,
}

impl State {
    /// The state as a word.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Granted => "granted",
            State::Used => "used",
            State::Denied => "denied",
        }
    }
}

/// One request and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The short id a human types (`failsafe approve k7m2qx`).
    pub id: String,
    /// SHA-256 of what the approval is bound to (see [`Subject::hash`]).
    pub fact_hash: String,
    /// The command as typed, for the human.
    pub command: String,
    /// Where it runs.
    pub cwd: String,
    /// The pane that asked.
    pub pane: String,
    /// Its incarnation.
    pub incarnation: String,
    /// Where the command lands (`prod:eks-prod`), for the human.
    pub target: String,
    /// The rule that asked.
    pub rule: String,
    /// When it was filed (seconds since the epoch).
    pub requested_at: u64,
    /// When it stops being usable (seconds since the epoch): the request until a human
    /// answers, then the grant until it is used.
    pub expires_at: u64,
    /// Where it stands.
    pub state: State,
}

/// The approvals file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// Every live request and grant, oldest first.
    pub approvals: Vec<Approval>,
}

/// What an approval is bound to: exactly this command, here, from this pane incarnation,
/// landing there.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    /// Canonical tool.
    pub tool: String,
    /// The full argv.
    pub argv: Vec<String>,
    /// Effective cwd.
    pub cwd: String,
    /// Pane id.
    pub pane: String,
    /// Pane incarnation.
    pub incarnation: String,
    /// Target env, name and kind.
    pub target: [String; 3],
}

impl Subject {
    /// SHA-256 (hex) of the subject's JSON.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        Sha256::digest(&json)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Why the approvals could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// The lock or the file could not be opened, read or written.
    #[error("cannot use {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not what failsafe writes.
    #[error("{} is not valid: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// No live approval has this id.
    #[error("no pending approval `{id}` (it may have expired, been used or answered already)")]
    Unknown {
        /// The id given.
        id: String,
    },
}

/// The approvals file, locked for as long as this value lives.
pub struct Locked {
    dir: PathBuf,
    _lock: File,
    /// The contents.
    pub store: Store,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ApprovalError + '_ {
    move |source| ApprovalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Takes the lock and reads the file (missing → empty).
///
/// # Errors
/// [`ApprovalError`] when the lock or file cannot be used, or the file does not parse.
pub fn lock(config_dir: &Path) -> Result<Locked, ApprovalError> {
    let lock_path = config_dir.join(LOCK_NAME);
    fsutil::ensure_private_dir(config_dir).map_err(io_err(config_dir))?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;
    let path = config_dir.join(FILE_NAME);
    let store = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ApprovalError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Store::default(),
        Err(e) => return Err(io_err(&path)(e)),
    };
    Ok(Locked {
        dir: config_dir.to_path_buf(),
        _lock: lock,
        store,
    })
}

impl Locked {
    /// Writes the file back (atomically) while still holding the lock.
    ///
    /// # Errors
    /// [`ApprovalError::Io`] naming the file.
    pub fn save(&self) -> Result<(), ApprovalError> {
        let path = self.dir.join(FILE_NAME);
        let mut text =
            serde_json::to_vec_pretty(&self.store).map_err(|e| ApprovalError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
        text.push(b'\n');
        fsutil::write_private_atomic(&path, &text).map_err(io_err(&path))
    }

    /// Drops what has expired or is finished, logging an `expire` record for each
    /// request or grant that ran out unused. Returns how many were dropped.
    pub fn sweep(&mut self, now: u64) -> usize {
        let before = self.store.approvals.len();
        let mut expired = Vec::new();
        self.store.approvals.retain(|a| {
            let live = matches!(a.state, State::Pending | State::Granted) && a.expires_at > now;
            if !live && matches!(a.state, State::Pending | State::Granted) {
                expired.push(a.clone());
            }
            live
        });
        for a in expired {
            let _ = log_step(&self.dir, "shim", &a, "expire");
        }
        before - self.store.approvals.len()
    }

    /// The live approval with `id`.
    pub fn find(&mut self, id: &str) -> Option<&mut Approval> {
        self.store.approvals.iter_mut().find(|a| a.id == id)
    }
}

/// Appends the log record of one step (`request`, `grant`, `use`, `deny`, `expire`).
///
/// # Errors
/// The log's warning text.
pub fn log_step(config_dir: &Path, source: &str, a: &Approval, change: &str) -> Result<(), String> {
    let mut action = human::action(ActionKind::Approval, change, &a.command);
    action.approval.clone_from(&a.id);
    action.fact_hash.clone_from(&a.fact_hash);
    action.incarnation.clone_from(&a.incarnation);
    if change == "grant" {
        action.until = crate::mode::epoch_text(a.expires_at);
    }
    let mut rec = human::record(source, &a.pane, action);
    rec.cwd.clone_from(&a.cwd);
    human::append(config_dir, rec)
}

/// A short id: 6 characters of `[a-z2-9]` (no 0/1/l/o to misread), from a hash of the
/// fact hash, the time and the pid.
pub fn short_id(fact_hash: &str, taken: &[Approval]) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for salt in 0u32.. {
        let digest = Sha256::digest(format!("{fact_hash}:{nanos}:{}:{salt}", std::process::id()));
        let id: String = digest
            .iter()
            .take(6)
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        if !taken.iter().any(|a| a.id == id) {
            return id;
        }
    }
    String::new()
}

/// True when the log holds, in an intact chain, a `grant` record for `a` after its
/// `request` record, and no `use` record after the grant.
pub fn granted_in_log(config_dir: &Path, a: &Approval) -> bool {
    let intact = log::verify(config_dir).is_ok_and(|r| r.is_intact());
    if !intact {
        return false;
    }
    let Ok(records) = log::read_records(config_dir, None) else {
        return false;
    };
    let step = |r: &DecisionRecord, change: &str| {
        r.action.as_ref().is_some_and(|x| {
            x.kind == ActionKind::Approval.as_str()
                && x.change == change
                && x.approval == a.id
                && x.fact_hash == a.fact_hash
        })
    };
    let Some(request) = records.iter().position(|r| step(r, "request")) else {
        return false;
    };
    let Some(grant) = records
        .iter()
        .skip(request + 1)
        .position(|r| step(r, "grant") && r.source == "human")
        .map(|p| p + request + 1)
    else {
        return false;
    };
    !records.iter().skip(grant + 1).any(|r| step(r, "use"))
}

/// What a shim does with an `ask`.
// One value, returned once per ask: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskOutcome {
    /// A human granted exactly this; it is now used up: run the command.
    Run,
    /// Refuse; `Some` is the request a human can approve (new or still pending),
    /// `None` when no request could be filed, with the reason.
    Refuse(Option<Approval>, Option<String>),
}

/// What `j` binds an approval to, in this process's pane incarnation.
pub fn subject_of(j: &crate::judge::Judgement) -> Subject {
    let f = &j.fact;
    Subject {
        tool: f.tool.clone(),
        argv: f.argv.clone(),
        cwd: f.cwd.clone(),
        pane: f.pane.clone(),
        incarnation: crate::mode::incarnation(&crate::config::process_env).to_string(),
        target: [
            f.target.env.clone(),
            f.target.name.clone(),
            f.target.kind.clone(),
        ],
    }
}

/// The shim's side of an `ask`: use a matching grant (once), else file a request (or
/// point at the pending one for the same command).
pub fn on_ask(j: &crate::judge::Judgement, now: u64) -> AskOutcome {
    let subject = subject_of(j);
    let hash = subject.hash();
    let mut locked = match lock(&j.config_dir) {
        Ok(l) => l,
        Err(e) => return AskOutcome::Refuse(None, Some(e.to_string())),
    };
    locked.sweep(now);
    let dir = j.config_dir.clone();
    if let Some(grant) = locked
        .store
        .approvals
        .iter_mut()
        .find(|a| a.fact_hash == hash && a.state == State::Granted && granted_in_log(&dir, a))
    {
        grant.state = State::Used;
        let used = grant.clone();
        // Saved before running: a grant that cannot be marked used is not used.
        if let Err(e) = locked.save() {
            return AskOutcome::Refuse(None, Some(e.to_string()));
        }
        let _ = log_step(&dir, "shim", &used, "use");
        return AskOutcome::Run;
    }
    if let Some(pending) = locked
        .store
        .approvals
        .iter()
        .find(|a| a.fact_hash == hash && a.state == State::Pending)
    {
        return AskOutcome::Refuse(Some(pending.clone()), None);
    }
    let rule = j
        .decision
        .reasons
        .iter()
        .find(|r| r.effect == crate::policy::Effect::Ask)
        .or(j.decision.reasons.first())
        .map(super::policy::Reason::display_id)
        .unwrap_or_default();
    let target = crate::refusal::target_phrase(&j.fact);
    // The command is shown and logged: with its secrets hidden, like the log's argv.
    let mut shown = j.fact.clone();
    shown.argv = log::redact_argv(&shown.argv);
    let a = Approval {
        id: short_id(&hash, &locked.store.approvals),
        fact_hash: hash,
        command: crate::refusal::command_line(&shown),
        cwd: subject.cwd,
        pane: subject.pane,
        incarnation: subject.incarnation,
        target: target.trim_start_matches("on ").to_string(),
        rule,
        requested_at: now,
        expires_at: now.saturating_add(j.settings.approvals.ttl.0.as_secs()),
        state: State::Pending,
    };
    // A storm of refusals (the breaker off) must not grow the file without bound.
    while locked.store.approvals.len() >= MAX_LIVE {
        let old = locked.store.approvals.remove(0);
        let _ = log_step(&dir, "shim", &old, "expire");
    }
    locked.store.approvals.push(a.clone());
    if let Err(e) = locked.save() {
        return AskOutcome::Refuse(None, Some(e.to_string()));
    }
    match log_step(&dir, "shim", &a, "request") {
        Ok(()) => AskOutcome::Refuse(Some(a), None),
        Err(w) => AskOutcome::Refuse(None, Some(w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(id: &str, state: State, expires_at: u64) -> Approval {
        Approval {
            id: id.to_string(),
            fact_hash: "h".to_string(),
            command: "kubectl delete ns x".to_string(),
            cwd: "/w".to_string(),
            pane: "p".to_string(),
            incarnation: "session:1@2".to_string(),
            target: "dev".to_string(),
            rule: "irreversible.kubectl-delete-kind".to_string(),
            requested_at: 0,
            expires_at,
            state,
        }
    }

    #[test]
    fn ids_are_short_readable_and_unique() {
        let taken = vec![approval("aaaaaa", State::Pending, 10)];
        let id = short_id("h", &taken);
        assert_eq!(id.len(), 6);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='9').contains(&c)));
        assert!(!id.contains(['0', '1', 'l', 'o']));
        assert_ne!(id, "aaaaaa");
    }

    #[test]
    fn subject_hash_changes_with_every_part() {
        let s = Subject {
            tool: "kubectl".to_string(),
            argv: vec!["kubectl".to_string(), "delete".to_string()],
            cwd: "/w".to_string(),
            pane: "p".to_string(),
            incarnation: "i".to_string(),
            target: ["dev".to_string(), "kind".to_string(), "cluster".to_string()],
        };
        let mut other = s.clone();
        other.cwd = "/elsewhere".to_string();
        assert_ne!(s.hash(), other.hash());
        let mut other = s.clone();
        other.incarnation = "j".to_string();
        assert_ne!(s.hash(), other.hash());
        assert_eq!(s.hash(), s.clone().hash());
    }

    #[test]
    fn a_forged_file_grants_nothing_without_the_log() -> Result<(), ApprovalError> {
        let dir = tempfile::tempdir().map_err(io_err(Path::new("tmp")))?;
        let mut locked = lock(dir.path())?;
        locked
            .store
            .approvals
            .push(approval("forged", State::Granted, u64::MAX));
        locked.save()?;
        drop(locked);
        let a = approval("forged", State::Granted, u64::MAX);
        assert!(!granted_in_log(dir.path(), &a));
        log_step(dir.path(), "shim", &a, "request").ok();
        assert!(!granted_in_log(dir.path(), &a), "a request alone");
        log_step(dir.path(), "human", &a, "grant").ok();
        assert!(granted_in_log(dir.path(), &a));
        log_step(dir.path(), "shim", &a, "use").ok();
        assert!(!granted_in_log(dir.path(), &a), "used once");
        Ok(())
    }

    #[test]
    fn sweep_drops_what_ran_out() -> Result<(), ApprovalError> {
        let dir = tempfile::tempdir().map_err(io_err(Path::new("tmp")))?;
        let mut locked = lock(dir.path())?;
        locked.store.approvals = vec![
            approval("a", State::Pending, 5),
            approval("b", State::Granted, 50),
            approval("c", State::Used, 50),
        ];
        assert_eq!(locked.sweep(10), 2);
        assert_eq!(locked.store.approvals.len(), 1);
        assert!(locked.find("b").is_some());
        Ok(())
    }
}
