//! git aliases: deciding whether the verb word is an alias, splitting its value as git
//! does, splicing it into the argument vector and walking again, until the verb is a
//! real command.
//!
//! git resolves a command word in this order: a built-in command, then an external
//! `git-<word>` found in the exec path or on `PATH`, and only then `alias.<word>` — so an
//! alias can never hide a built-in, and we must not expand one either (judging
//! `alias.push = status` as `status` would let `git push --force` through). Alias names
//! are case-insensitive. Nested aliases expand in turn; a loop is reported the way git
//! refuses it. A value starting with `!` runs a shell command, which cannot be judged.
//! When the word is neither command nor alias, `help.autocorrect` may make git run the
//! nearest command instead, which cannot be judged either.
//!
//! The expansion loop is pure (config and the external-command check come in as
//! closures); only [`external_command_exists`] touches the file system, with `stat`
//! calls, never a subprocess.

use super::config;
use super::layers::Config;
use crate::facts::walker::{self, Walked};
use crate::facts::Context;
use crate::spec::ToolSpec;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Longer chains than this are refused (git has no limit but loop detection; this only
/// guards against pathological configs).
const MAX_EXPANSIONS: usize = 64;

/// git's built-in commands and the commands it ships in its exec path (git 2.47,
/// `git --list-cmds=main`, plus `gui` and `citool`). An alias with one of these names is
/// ignored by git.
const COMMANDS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archimport",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bugreport",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "check-mailmap",
    "check-ref-format",
    "checkout",
    "checkout--worker",
    "checkout-index",
    "cherry",
    "cherry-pick",
    "citool",
    "clean",
    "clone",
    "column",
    "commit",
    "commit-graph",
    "commit-tree",
    "config",
    "count-objects",
    "credential",
    "credential-cache",
    "credential-cache--daemon",
    "credential-store",
    "cvsexportcommit",
    "cvsimport",
    "cvsserver",
    "daemon",
    "describe",
    "diagnose",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "difftool",
    "difftool--helper",
    "fast-export",
    "fast-import",
    "fetch",
    "fetch-pack",
    "filter-branch",
    "fmt-merge-msg",
    "for-each-ref",
    "for-each-repo",
    "format-patch",
    "fsck",
    "fsck-objects",
    "fsmonitor--daemon",
    "gc",
    "get-tar-commit-id",
    "grep",
    "gui",
    "hash-object",
    "help",
    "hook",
    "http-backend",
    "http-fetch",
    "http-push",
    "imap-send",
    "index-pack",
    "init",
    "init-db",
    "instaweb",
    "interpret-trailers",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "mailinfo",
    "mailsplit",
    "maintenance",
    "merge",
    "merge-base",
    "merge-file",
    "merge-index",
    "merge-octopus",
    "merge-one-file",
    "merge-ours",
    "merge-recursive",
    "merge-recursive-ours",
    "merge-recursive-theirs",
    "merge-resolve",
    "merge-subtree",
    "merge-tree",
    "mergetool",
    "mktag",
    "mktree",
    "multi-pack-index",
    "mv",
    "name-rev",
    "notes",
    "p4",
    "pack-objects",
    "pack-redundant",
    "pack-refs",
    "patch-id",
    "pickaxe",
    "prune",
    "prune-packed",
    "pull",
    "push",
    "quiltimport",
    "range-diff",
    "read-tree",
    "rebase",
    "receive-pack",
    "reflog",
    "refs",
    "remote",
    "remote-ext",
    "remote-fd",
    "remote-ftp",
    "remote-ftps",
    "remote-http",
    "remote-https",
    "repack",
    "replace",
    "replay",
    "request-pull",
    "rerere",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "send-email",
    "send-pack",
    "sh-i18n--envsubst",
    "shell",
    "shortlog",
    "show",
    "show-branch",
    "show-index",
    "show-ref",
    "sparse-checkout",
    "stage",
    "stash",
    "status",
    "stripspace",
    "submodule",
    "submodule--helper",
    "svn",
    "switch",
    "symbolic-ref",
    "tag",
    "unpack-file",
    "unpack-objects",
    "update-index",
    "update-ref",
    "update-server-info",
    "upload-archive",
    "upload-archive--writer",
    "upload-pack",
    "var",
    "verify-commit",
    "verify-pack",
    "verify-tag",
    "version",
    "web--browse",
    "whatchanged",
    "worktree",
    "write-tree",
];

/// Where git looks for `git-<word>` besides `PATH` when no exec path is given (the
/// compiled-in exec path of the usual builds).
const DEFAULT_EXEC_PATHS: &[&str] = &["/usr/lib/git-core", "/usr/libexec/git-core"];

/// True when `word` is one of git's own commands (case-sensitive, as in git).
pub fn is_builtin(word: &str) -> bool {
    COMMANDS.contains(&word)
}

/// True when an executable `git-<word>` exists in the exec path (`exec_path`, else
/// `GIT_EXEC_PATH`, else the usual compiled-in ones) or on `PATH`: git runs it in
/// preference to an alias.
pub fn external_command_exists(ctx: &Context, exec_path: Option<&str>, word: &str) -> bool {
    if word.is_empty() || word.contains('/') {
        return false;
    }
    let name = format!("git-{word}");
    let mut dirs: Vec<PathBuf> = match exec_path.or_else(|| ctx.var("GIT_EXEC_PATH")) {
        Some(p) => vec![PathBuf::from(p)],
        None => DEFAULT_EXEC_PATHS.iter().map(PathBuf::from).collect(),
    };
    dirs.extend(
        ctx.var("PATH")
            .unwrap_or("")
            .split(':')
            .filter(|d| d.starts_with('/'))
            .map(PathBuf::from),
    );
    dirs.iter().any(|d| is_executable(&d.join(&name)))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Splits an alias value into words exactly as git's `split_cmdline` does: blanks
/// separate words, `'…'` and `"…"` quote, a backslash escapes the next character
/// outside single quotes. (Not a POSIX shell split: git has no comments and keeps no
/// backslashes inside double quotes, and a difference here would let an alias be read
/// differently from how git runs it.)
///
/// # Errors
/// `unclosed quote` or `cmdline ends with \`, git's own reasons for refusing the alias.
pub fn split_cmdline(value: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_ascii_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == '\\' && quote != Some('\'') => match chars.next() {
                Some(e) => word.push(e),
                None => return Err("cmdline ends with \\"),
            },
            _ => word.push(c),
        }
        in_word = true;
    }
    if quote.is_some() {
        return Err("unclosed quote");
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Shortens a value for a message.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX).collect();
    format!("{head}…")
}

/// Looks `alias.<word>` up as git does (the whole `alias.<word>` key is parsed, so the
/// lookup is case-insensitive).
fn lookup<'a>(config: &'a Config, word: &str) -> Option<&'a super::layers::Setting> {
    let (section, sub, name) = config::parse_key(&format!("alias.{word}"))?;
    config.get(&section, sub.as_deref(), &name)
}

/// True when `help.autocorrect` makes git run its guess for an unknown command (any
/// setting but unset, `0`, `false`-like, `show` and `never`).
fn autocorrect_runs(config: &Config) -> Option<String> {
    let setting = config.get("help", None, "autocorrect")?;
    let value = setting.entry.value.as_deref().unwrap_or("true");
    let lower = value.trim().to_ascii_lowercase();
    let off = matches!(
        lower.as_str(),
        "0" | "false" | "no" | "off" | "" | "show" | "never"
    );
    (!off).then(|| value.to_string())
}

/// Expands the verb of `walked` (the walk of `rest`) while it is an alias.
///
/// `config_for` gives the configuration in effect for a walk (its `-c` options count:
/// `alias.a = -c alias.b=… b` is legal); `is_external` says whether `git-<word>` exists.
/// Returns the final walk and the first alias word typed, if any expansion happened or
/// the word was an alias that could not be expanded (a shell alias). Everything that
/// cannot be judged goes to `uncertain`.
pub fn expand(
    spec: &ToolSpec,
    rest: &[String],
    walked: Walked,
    config_for: &mut dyn FnMut(&Walked) -> Config,
    is_external: &dyn Fn(&str) -> bool,
    uncertain: &mut Vec<String>,
) -> (Walked, Option<String>) {
    let mut line = rest.to_vec();
    let mut walked = walked;
    let mut first: Option<String> = None;
    let mut chain: Vec<String> = Vec::new();
    loop {
        let word = walked.verb_as_typed.clone();
        let Some(at) = walked.verb_index else {
            break;
        };
        if word.is_empty() || is_builtin(&word) || is_external(&word) {
            break;
        }
        let config = config_for(&walked);
        let Some(setting) = lookup(&config, &word) else {
            if let Some(value) = autocorrect_runs(&config) {
                uncertain.push(format!(
                    "`{word}` is not a git command and `help.autocorrect` is `{value}`, so git may run a guessed command instead"
                ));
            }
            break;
        };
        if first.is_none() {
            first = Some(word.clone());
        }
        if chain.contains(&word) || chain.len() >= MAX_EXPANSIONS {
            chain.push(word);
            uncertain.push(format!(
                "git alias `{}` does not terminate: {}",
                chain.first().map_or("", String::as_str),
                chain.join(" → ")
            ));
            break;
        }
        chain.push(word.clone());
        if let Some(cond) = &setting.condition {
            uncertain.push(format!(
                "git alias `{word}` comes from `{}`, included under a condition failsafe cannot evaluate (`{cond}`)",
                setting.origin
            ));
        }
        // A value-less alias or an empty one makes git stop with an error.
        let Some(value) = setting.entry.value.clone() else {
            break;
        };
        if value.starts_with('!') {
            uncertain.push(format!(
                "git alias `{word}` runs a shell command (`{}`) that cannot be judged",
                clip(&value)
            ));
            break;
        }
        let words = match split_cmdline(&value) {
            Ok(w) => w,
            Err(e) => {
                uncertain.push(format!(
                    "git alias `{word}` cannot be split ({e}): `{}`",
                    clip(&value)
                ));
                break;
            }
        };
        if words.is_empty() {
            break;
        }
        let tail = line.split_off(at);
        line.extend(words);
        line.extend(tail.into_iter().skip(1));
        walked = walker::walk(spec, &line);
    }
    (walked, first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::git::layers::Scope;
    use rstest::rstest;

    #[rstest]
    #[case("push --force", &["push", "--force"])]
    #[case("  log   --oneline  ", &["log", "--oneline"])]
    #[case("commit -m 'two words'", &["commit", "-m", "two words"])]
    #[case("commit -m \"say \\\"hi\\\"\"", &["commit", "-m", "say \"hi\""])]
    #[case("pu\\sh", &["push"])]
    #[case("\"pu\\sh\" -f", &["push", "-f"])]
    #[case("'a\\b'", &["a\\b"])]
    #[case("commit -m #wip --amend", &["commit", "-m", "#wip", "--amend"])]
    #[case("a''b \"\"", &["ab", ""])]
    #[case("", &[])]
    fn splits_like_git(#[case] value: &str, #[case] want: &[&str]) {
        assert_eq!(
            split_cmdline(value),
            Ok(want.iter().map(std::string::ToString::to_string).collect())
        );
    }

    #[rstest]
    #[case("push 'open", "unclosed quote")]
    #[case("push \"open", "unclosed quote")]
    #[case("push \\", "cmdline ends with \\")]
    fn split_errors(#[case] value: &str, #[case] err: &str) {
        assert_eq!(split_cmdline(value), Err(err));
    }

    fn spec() -> ToolSpec {
        match crate::spec::builtin("git") {
            Some(Ok(s)) => s,
            _ => unreachable!("the git spec is embedded"),
        }
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Runs the expansion of `line` with `config` text plus the walk's `-c` values.
    fn run(config: &str, line: &str, externals: &[&str]) -> (Walked, Option<String>, Vec<String>) {
        let spec = spec();
        let rest = words(line);
        let walked = walker::walk(&spec, &rest);
        let base = Config::from_text(config, Scope::Global).unwrap_or_default();
        let mut config_for = |w: &Walked| {
            let mut text = String::new();
            for c in w.flag_values("c") {
                let (k, v) = config::split_assignment(c);
                if let Some((_, _, name)) = config::parse_key(k) {
                    text.push_str(&format!("[alias]\n{name} = {}\n", v.unwrap_or("")));
                }
            }
            let mut merged = base.clone();
            if let Ok(extra) = Config::from_text(&text, Scope::Command) {
                merged.extend(extra);
            }
            merged
        };
        let is_external = |w: &str| externals.contains(&w);
        let mut unc = Vec::new();
        let (w, alias) = expand(
            &spec,
            &rest,
            walked,
            &mut config_for,
            &is_external,
            &mut unc,
        );
        (w, alias, unc)
    }

    #[rstest]
    #[case(
        "[alias]\n pf = push --force\n",
        "pf origin main",
        "push",
        "origin main",
        Some("pf"),
        0
    )]
    #[case("[alias]\n PF = push --force\n", "Pf", "push", "", Some("Pf"), 0)]
    #[case("[alias]\n push = status\n", "push -f", "push", "", None, 0)]
    #[case(
        "[alias]\n st = status\n",
        "-C /tmp st -s",
        "status",
        "",
        Some("st"),
        0
    )]
    #[case(
        "[alias]\n a = b --x\n b = push\n",
        "a origin",
        "push",
        "origin",
        Some("a"),
        0
    )]
    #[case("[alias]\n a = b\n b = a\n", "a", "a", "", Some("a"), 1)]
    #[case("[alias]\n sh = !git push --force\n", "sh", "sh", "", Some("sh"), 1)]
    #[case("[alias]\n bad = push 'x\n", "bad", "bad", "", Some("bad"), 1)]
    #[case("[alias]\n empty =\n", "empty", "empty", "", Some("empty"), 0)]
    #[case("[alias]\n x = -p push\n", "x origin", "push", "origin", Some("x"), 0)]
    #[case("", "-c alias.y=push y -f", "push", "", Some("y"), 0)]
    #[case("", "-c alias.y=push -c alias.z=y z", "push", "", Some("z"), 0)]
    #[case("[alias]\n lfs = push -f\n", "lfs", "lfs", "", None, 0)]
    #[case("[help]\n autocorrect = 1\n", "pusj -f", "pusj", "", None, 1)]
    #[case("[help]\n autocorrect = 0\n", "pusj -f", "pusj", "", None, 0)]
    fn expansions(
        #[case] config: &str,
        #[case] line: &str,
        #[case] verb: &str,
        #[case] args: &str,
        #[case] alias: Option<&str>,
        #[case] n_uncertain: usize,
    ) {
        let (w, a, unc) = run(config, line, &["lfs"]);
        assert_eq!(w.verb, verb, "{line}");
        assert_eq!(w.args.join(" "), args, "{line}");
        assert_eq!(a.as_deref(), alias, "{line}");
        assert_eq!(unc.len(), n_uncertain, "{line}: {unc:?}");
    }

    #[test]
    fn expansion_keeps_flags_of_alias_and_line() {
        let (w, _, _) = run(
            "[alias]\n pf = push --force-with-lease\n",
            "pf -u origin x",
            &[],
        );
        assert!(w.has_flag("force-with-lease"));
        assert!(w.has_flag("set-upstream"));
        assert_eq!(w.args, vec!["origin", "x"]);
    }

    #[test]
    fn messages_name_the_alias() {
        let (_, _, unc) = run("[alias]\n sh = !git push --force\n", "sh", &[]);
        assert_eq!(
            unc,
            vec!["git alias `sh` runs a shell command (`!git push --force`) that cannot be judged"]
        );
        let (_, _, unc) = run("[alias]\n a = b\n b = a\n", "a", &[]);
        assert_eq!(unc, vec!["git alias `a` does not terminate: a → b → a"]);
    }
}
