//! Judging what a shell line runs: every guarded command goes through the same decision
//! core as the shim ([`crate::judge`], source `hook`), `failsafe` commands through the
//! self-protection policy, writes into failsafe's own directories are refused, and
//! constructs that hide a command are refused unless the shims will see it at exec time.
//!
//! The first block wins; an ask stands unless a later command is blocked. Never execs.

use super::answer::Verdict;
use super::shell::{self, Finding};
use super::wrappers::basename;
use crate::facts::Source;
use crate::judge::{self, Request};
use crate::policy::Verdict as PolicyVerdict;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// What the checks need to know about the world, read once per hook call.
#[derive(Debug, Clone, Default)]
pub struct Setting {
    /// The agent's working directory (relative paths are resolved against it).
    pub cwd: PathBuf,
    /// `$HOME`, for `~`.
    pub home: Option<PathBuf>,
    /// A failsafe shim directory on the hook's PATH, when there is one.
    pub shim_dir: Option<PathBuf>,
    /// Directories no agent command may write into: the config dir and the shim dirs.
    pub protected: Vec<PathBuf>,
    /// Every guarded binary name (built-ins and user specs).
    pub guarded: Vec<String>,
    /// Judge each command (false in pure tests of the splitter's findings).
    pub judge: bool,
    /// Write each judgement to the decision log.
    pub log: bool,
}

/// What checking a line found: the verdict and notes for the human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Notes (a hidden command allowed because the shims will check it, …).
    pub notes: Vec<String>,
    /// One line per command found, for `explain` and debugging.
    pub commands: Vec<String>,
}

impl Setting {
    /// Reads the real process: config dir, shim dirs, HOME, guarded names.
    pub fn from_process(cwd: PathBuf) -> Setting {
        let home = crate::config::process_home();
        let shim_dir = crate::cli::guard::shim_dir_on_path();
        let mut protected = vec![crate::config::process_config_dir()];
        protected.push(crate::config::default_shim_dir(
            &crate::config::process_env,
            home.as_deref(),
        ));
        protected.extend(shim_dir.clone());
        Setting {
            cwd,
            home,
            shim_dir,
            protected,
            guarded: judge::guarded_names(),
            judge: true,
            log: true,
        }
    }
}

/// Lexically normalises `p` against `cwd` (`..` and `.` removed), then resolves symlinks
/// of the longest existing ancestor, so `~/.config/./failsafe/../failsafe/x` and a
/// symlinked config dir are both seen for what they are.
fn resolve(text: &str, s: &Setting) -> PathBuf {
    let expanded = expand_vars(text, s);
    let p = Path::new(&expanded);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        s.cwd.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    // Canonicalise the deepest existing ancestor and append the rest. The last
    // component is never followed: `rm <shims>/kubectl` removes the link, not the binary
    // it points at.
    let Some(last) = out.file_name().map(std::ffi::OsStr::to_os_string) else {
        return out;
    };
    let mut existing = out.clone();
    existing.pop();
    let mut rest = vec![last];
    while !existing.as_os_str().is_empty() {
        if let Ok(real) = existing.canonicalize() {
            let mut r = real;
            for part in rest.iter().rev() {
                r.push(part);
            }
            return r;
        }
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    out
}

/// `~`, `$HOME`, `${HOME}` and the XDG and failsafe directory variables, from the hook's
/// own environment: the ones a path into failsafe's directories is spelled with.
fn expand_vars(text: &str, s: &Setting) -> String {
    let home = s
        .home
        .as_ref()
        .map(|h| h.display().to_string())
        .unwrap_or_default();
    let mut t = if text == "~" {
        home.clone()
    } else if let Some(rest) = text.strip_prefix("~/") {
        format!("{home}/{rest}")
    } else {
        text.to_string()
    };
    for name in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "FAILSAFE_CONFIG_DIR",
        "PWD",
    ] {
        let value = if name == "HOME" {
            Some(home.clone())
        } else if name == "PWD" {
            Some(s.cwd.display().to_string())
        } else {
            crate::config::process_env(name)
        };
        if let Some(v) = value {
            t = t
                .replace(&format!("${{{name}}}"), &v)
                .replace(&format!("${name}"), &v);
        }
    }
    t
}

fn canonical_dirs(s: &Setting) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for d in &s.protected {
        dirs.push(d.clone());
        if let Ok(c) = d.canonicalize() {
            dirs.push(c);
        }
    }
    dirs
}

/// The protected directory `path` lies in (or is), if any. With `tree` (a command that
/// removes, moves or re-owns whole trees: `rm -r`, `mv`, `chmod -R`), naming a parent
/// of a protected directory counts too: `rm -rf ~/.config` removes failsafe's config.
pub fn protected_dir_of(path: &str, s: &Setting, tree: bool) -> Option<PathBuf> {
    let resolved = resolve(path, s);
    canonical_dirs(s).into_iter().find(|d| {
        resolved.starts_with(d)
            || (tree && d.starts_with(&resolved) && resolved.components().count() > 1)
    })
}

/// Whether a write of this kind acts on whole trees.
fn acts_on_trees(how: &str) -> bool {
    matches!(
        how,
        "`rm`" | "`mv`" | "`chmod`" | "`chown`" | "`chgrp`" | "`rmdir`" | "`shred`"
    )
}

fn self_refusal(what: &str, dir: &Path) -> String {
    format!(
        "failsafe: blocked {what} into {}\n  reason: that directory holds failsafe's own configuration or shims; only a human may change it\n  rule:   self.protected-dir (hook self-protection, never overridable)\n  help:   ask the user to make this change in their own terminal",
        dir.display()
    )
}

fn hidden_refusal(what: &str) -> String {
    format!(
        "failsafe: blocked a command it cannot see: {what}\n  reason: this agent's PATH has no failsafe shim directory, so nothing would check the real command when it runs\n  rule:   hook.hidden-command\n  help:   run the guarded command directly (not through eval, a variable, a pipe into a shell or an interpreter), or have a human run `failsafe install-shims` and put the shim directory first on the agent's PATH"
    )
}

/// Whether interpreter code names a guarded tool or failsafe as a word.
fn names_guarded(code: &str, s: &Setting) -> Option<String> {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .collect();
    s.guarded
        .iter()
        .map(String::as_str)
        .chain([crate::tool::SELF_NAME])
        .find(|name| words.contains(name))
        .map(str::to_string)
}

/// Checks every line of one call and the files it writes.
pub fn check_call(lines: &[String], writes: &[String], powershell: bool, s: &Setting) -> Outcome {
    let mut out = Outcome {
        verdict: Verdict::Silent,
        notes: Vec::new(),
        commands: Vec::new(),
    };
    for w in writes {
        if let Some(dir) = protected_dir_of(w, s, false) {
            out.verdict = Verdict::Deny(self_refusal(&format!("a write to `{w}`"), &dir));
            return out;
        }
    }
    for line in lines {
        let o = check_line(line, powershell, s);
        out.notes.extend(o.notes);
        out.commands.extend(o.commands);
        match o.verdict {
            Verdict::Deny(r) => {
                out.verdict = Verdict::Deny(r);
                return out;
            }
            Verdict::Ask(r) if out.verdict == Verdict::Silent => out.verdict = Verdict::Ask(r),
            _ => {}
        }
    }
    out
}

/// PowerShell is not POSIX: its statements are split on `;`, `|`, `&&`, `||` and
/// newlines and each is read as a plain command line.
fn powershell_findings(line: &str) -> Vec<Finding> {
    line.split(['\n', ';', '|', '&'])
        .filter_map(|part| {
            let words: Vec<String> = shell_words::split(part.trim())
                .unwrap_or_else(|_| part.split_whitespace().map(str::to_string).collect());
            let words: Vec<String> = words
                .into_iter()
                .skip_while(|w| w == "&" || w == ".")
                .collect();
            (!words.is_empty()).then(|| {
                Finding::Run(shell::Command {
                    argv: words,
                    env: Vec::new(),
                    dynamic_args: false,
                })
            })
        })
        .collect()
}

/// The name a command word is guarded as: its basename, minus a Windows `.exe`.
fn tool_name(word: &str) -> String {
    let b = basename(word);
    let b = b.rsplit('\\').next().unwrap_or(b);
    b.strip_suffix(".exe").unwrap_or(b).to_string()
}

/// Checks one shell line.
pub fn check_line(line: &str, powershell: bool, s: &Setting) -> Outcome {
    let mut out = Outcome {
        verdict: Verdict::Silent,
        notes: Vec::new(),
        commands: Vec::new(),
    };
    let findings = if powershell {
        powershell_findings(line)
    } else {
        match shell::split(line) {
            Ok(f) => f,
            Err(e) => {
                // bash would not run an unparsable line either; refuse only when it
                // could matter, so a typo in `ls` does not stop the agent.
                let matters = names_guarded(line, s).is_some()
                    || s.protected.iter().any(|d| {
                        d.file_name()
                            .is_some_and(|n| line.contains(n.to_string_lossy().as_ref()))
                    });
                if matters {
                    out.verdict = Verdict::Deny(format!(
                        "failsafe: blocked a shell line it cannot read: {e}\n  reason: the line names a guarded tool, and failsafe judges only commands it can split the way bash will\n  rule:   hook.unparsable\n  help:   fix the quoting, or run the commands one by one"
                    ));
                } else {
                    out.notes
                        .push(format!("{e} (no guarded tool named; not refused)"));
                }
                return out;
            }
        }
    };
    let mut ask: Option<String> = None;
    for f in findings {
        let deny = match f {
            Finding::Run(c) => {
                if let Some(refusal) = failsafe_variable(c.env.iter().map(|(k, _)| k.as_str())) {
                    out.verdict = Verdict::Deny(refusal);
                    return out;
                }
                let name = tool_name(&c.argv[0]);
                out.commands.push(c.argv.join(" "));
                let guarded = name == crate::tool::SELF_NAME || s.guarded.contains(&name);
                if !guarded || !s.judge {
                    continue;
                }
                let mut argv: Vec<OsString> = c.argv.iter().map(OsString::from).collect();
                argv[0] = OsString::from(&name);
                let j = judge::judge_with_env(
                    Request {
                        binary: name,
                        argv,
                        source: Source::Hook,
                        mode: None,
                    },
                    &c.env,
                );
                if s.log {
                    if let crate::record::Logged::Refused(refusal) = crate::record::record(&j) {
                        Some(refusal)
                    } else {
                        verdict_of(&j, &mut ask, &mut out.notes)
                    }
                } else {
                    verdict_of(&j, &mut ask, &mut out.notes)
                }
            }
            Finding::Hidden(what) => hidden(&what, s, &mut out.notes),
            Finding::Interpreter(name, code) => match names_guarded(&code, s) {
                Some(tool) => hidden(
                    &format!("`{name}` code that names `{tool}`"),
                    s,
                    &mut out.notes,
                ),
                None => None,
            },
            Finding::Assign(names) => failsafe_variable(names.iter().map(String::as_str)),
            Finding::Write(path, how) => protected_dir_of(&path, s, acts_on_trees(&how))
                .map(|dir| self_refusal(&format!("{how} writing `{path}`"), &dir)),
        };
        if let Some(reason) = deny {
            out.verdict = Verdict::Deny(reason);
            return out;
        }
    }
    if let Some(reason) = ask {
        out.verdict = Verdict::Ask(reason);
    }
    out
}

/// A refusal when the line sets one of failsafe's own variables: pointing
/// `FAILSAFE_CONFIG_DIR` elsewhere or borrowing another pane's `FAILSAFE_PANE` would
/// change what every later shim call allows.
fn failsafe_variable<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<String> {
    names.find(|n| n.starts_with("FAILSAFE_")).map(|name| {
        format!(
            "failsafe: blocked setting `{name}`\n  reason: failsafe's own variables decide which config and which pane's mode apply; only a human may change them\n  rule:   self.failsafe-variable (hook self-protection, never overridable)\n  help:   ask the user to set it in their own terminal if it is really intended"
        )
    })
}

fn hidden(what: &str, s: &Setting, notes: &mut Vec<String>) -> Option<String> {
    match &s.shim_dir {
        None => Some(hidden_refusal(what)),
        Some(dir) => {
            notes.push(format!(
                "{what}: allowed, because the shims in {} check the real command when it runs",
                dir.display()
            ));
            None
        }
    }
}

fn verdict_of(
    j: &judge::Judgement,
    ask: &mut Option<String>,
    notes: &mut Vec<String>,
) -> Option<String> {
    notes.extend(j.notes.iter().cloned());
    match j.decision.verdict {
        PolicyVerdict::Block => Some(crate::refusal::render(j).trim_end().to_string()),
        PolicyVerdict::Ask => {
            if ask.is_none() {
                *ask = Some(crate::refusal::render(j).trim_end().to_string());
            }
            None
        }
        PolicyVerdict::Allow | PolicyVerdict::Override => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting() -> Setting {
        Setting {
            cwd: PathBuf::from("/work"),
            home: Some(PathBuf::from("/home/u")),
            shim_dir: None,
            protected: vec![PathBuf::from("/home/u/.config/failsafe")],
            guarded: vec!["kubectl".into(), "git".into()],
            judge: false,
            log: false,
        }
    }

    #[test]
    fn writes_into_the_config_dir_are_refused() {
        let s = setting();
        assert!(protected_dir_of("~/.config/failsafe/policy.rego", &s, false).is_some());
        assert!(protected_dir_of("$HOME/.config/failsafe", &s, false).is_some());
        assert!(protected_dir_of("/home/u/.config/x/../failsafe/a", &s, false).is_some());
        assert!(protected_dir_of("/home/u/.config/failsafe-notes", &s, false).is_none());
        assert!(protected_dir_of("/tmp/x", &s, false).is_none());
        assert!(protected_dir_of("~/.config", &s, true).is_some());
        assert!(protected_dir_of("~/.config", &s, false).is_none());
    }

    #[test]
    fn hidden_commands_depend_on_the_shims() {
        let mut s = setting();
        assert!(matches!(
            check_line("eval \"$CMD\"", false, &s).verdict,
            Verdict::Deny(_)
        ));
        s.shim_dir = Some(PathBuf::from("/shims"));
        let o = check_line("eval \"$CMD\"", false, &s);
        assert_eq!(o.verdict, Verdict::Silent);
        assert!(!o.notes.is_empty());
    }
}
