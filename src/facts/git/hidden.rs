//! Shell commands hidden in git's settings, options and environment: an editor, a pager,
//! an ssh command, a diff driver, a content filter, an `--upload-pack` program, a
//! `rebase --exec` line. git runs each of them itself, so failsafe never sees the
//! command they stand for; like a `!` alias, it cannot be judged.
//!
//! [`TABLE`] is the one list of them: each entry names the setting, environment
//! variable or option, says why git runs it, and which values are harmless
//! (`GIT_PAGER=cat`, `core.hooksPath=/dev/null`, `pager.log=false`). [`found`] reports
//! those given on the **command line** (`-c`, `--config-env`, files they include) or in
//! the **environment** (`GIT_CONFIG_PARAMETERS`, `GIT_CONFIG_COUNT`, `GIT_SSH_COMMAND`,
//! …) — the agent's own choices. Settings in the user's config files are not reported:
//! the human put them there. Section and variable names are compared
//! case-insensitively and subsections exactly, as git does (the config layer already
//! lowercases them).
//!
//! An environment variable is reported only for verbs that can run it (`GIT_PAGER` for
//! `log`, `GIT_SSH_COMMAND` for `fetch`): humans export these in their shell profile,
//! and `git status` must not be refused for it. A setting given with `-c` is reported
//! for every verb: the agent typed it, and dropping it is easy. Generic `EDITOR`,
//! `VISUAL` and `PAGER`, and `GIT_ASKPASS`/`SSH_ASKPASS` (set by IDE terminals), are
//! not reported: refusing every commit or fetch for them would make read mode unusable.
//! Nor is `GIT_EXEC_PATH`: git sets it for every process it starts (hooks, aliases), so
//! a git run inside a pre-commit hook would be refused for it (`--exec-path` is).
//!
//! Pure: the walk, the config and the environment come in; no I/O.

use super::config::parse_bool;
use super::layers::{Config, Scope};
use crate::facts::walker::Walked;
use std::collections::BTreeMap;

/// What a table entry names.
#[derive(Debug, Clone, Copy)]
pub enum Name {
    /// A config variable: section, subsection rule, variable (`*` for any), lowercase.
    Config(&'static str, Sub, &'static str),
    /// An environment variable, read only for the verbs it can matter to.
    Env(&'static str, Verbs),
    /// A verb's option, by the long name the walk records it under (`x` for `-x` when
    /// the verb's spec has no long spelling for it).
    Option(&'static [&'static str], &'static str),
    /// One of git's own options, given before the verb (`--exec-path=<dir>`).
    Global(&'static str),
    /// A verb and subverb whose arguments are a shell command (`submodule foreach`).
    Subcommand(&'static str, &'static str),
}

/// Which subsection a config entry has.
#[derive(Debug, Clone, Copy)]
pub enum Sub {
    /// None (`core.pager`).
    None,
    /// Any (`diff.<driver>.command`).
    Any,
    /// Either none or any (`credential.helper`, `credential.<url>.helper`).
    Either,
    /// Exactly this one (`protocol.ext.allow`).
    Exact(&'static str),
}

/// The verbs an environment variable matters to.
#[derive(Debug, Clone, Copy)]
pub enum Verbs {
    /// Every verb.
    Any,
    /// Only these.
    Only(&'static [&'static str]),
    /// These, and any verb run with `--paginate`/`-p`.
    Paging(&'static [&'static str]),
}

/// Which values run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// Every non-empty value.
    Always,
    /// Every value but a harmless program (`cat`, `true`, `:`, `less -R`, `/dev/null`).
    UnlessHarmless,
    /// Every value but a boolean (`pager.log=false`, `core.fsmonitor=true`: the
    /// built-in daemon) or a harmless program.
    UnlessBoolean,
    /// A value starting with `!` (a shell command) or naming a path.
    ShellOrPath,
    /// A value starting with `!`.
    Shell,
    /// Any value but `never`.
    UnlessNever,
    /// Only `always`.
    IfAlways,
    /// A `:`-separated list that includes `ext`.
    ListsExt,
}

/// One way git runs a command it was told about.
#[derive(Debug, Clone, Copy)]
pub struct Hidden {
    /// The setting, variable or option.
    pub name: Name,
    /// Which of its values run something.
    pub runs: Runs,
    /// What git runs, for the message.
    pub why: &'static str,
}

const NETWORK: &[&str] = &[
    "fetch",
    "pull",
    "push",
    "clone",
    "ls-remote",
    "remote",
    "submodule",
    "archive",
    "fetch-pack",
    "send-pack",
    "maintenance",
];
const EDITING: &[&str] = &[
    "commit",
    "merge",
    "rebase",
    "tag",
    "notes",
    "am",
    "cherry-pick",
    "revert",
    "pull",
    "config",
    "add",
    "branch",
    "send-email",
];
const PAGING: &[&str] = &[
    "log",
    "show",
    "diff",
    "grep",
    "blame",
    "annotate",
    "shortlog",
    "whatchanged",
    "reflog",
    "branch",
    "tag",
    "config",
    "range-diff",
    "stash",
    "cherry",
];
const DIFFING: &[&str] = &["diff", "log", "show", "whatchanged", "stash"];

/// Every way a git command line or environment can make git run a command.
#[rustfmt::skip]
pub const TABLE: &[Hidden] = &[
    // Settings (from `-c`, `--config-env`, `GIT_CONFIG_*` and files those include).
    Hidden { name: Name::Config("core", Sub::None, "editor"), runs: Runs::UnlessHarmless, why: "the editor git starts for messages" },
    Hidden { name: Name::Config("sequence", Sub::None, "editor"), runs: Runs::UnlessHarmless, why: "the editor git starts for a rebase todo list" },
    Hidden { name: Name::Config("core", Sub::None, "pager"), runs: Runs::UnlessHarmless, why: "the pager git pipes its output through" },
    Hidden { name: Name::Config("pager", Sub::None, "*"), runs: Runs::UnlessBoolean, why: "the pager git pipes this command's output through" },
    Hidden { name: Name::Config("core", Sub::None, "sshcommand"), runs: Runs::Always, why: "the command git runs instead of ssh" },
    Hidden { name: Name::Config("core", Sub::None, "gitproxy"), runs: Runs::Always, why: "the proxy command git runs for git:// remotes" },
    Hidden { name: Name::Config("core", Sub::None, "askpass"), runs: Runs::Always, why: "the program git runs to ask for a password" },
    Hidden { name: Name::Config("core", Sub::None, "fsmonitor"), runs: Runs::UnlessBoolean, why: "the hook git runs to learn which files changed" },
    Hidden { name: Name::Config("core", Sub::None, "hookspath"), runs: Runs::UnlessHarmless, why: "the directory git runs hooks from" },
    Hidden { name: Name::Config("core", Sub::None, "alternaterefscommand"), runs: Runs::Always, why: "the command git runs to list an alternate's refs" },
    Hidden { name: Name::Config("diff", Sub::None, "external"), runs: Runs::Always, why: "the program git runs instead of its own diff" },
    Hidden { name: Name::Config("diff", Sub::Any, "command"), runs: Runs::Always, why: "an external diff driver" },
    Hidden { name: Name::Config("diff", Sub::Any, "textconv"), runs: Runs::Always, why: "a text conversion filter git runs on files it shows" },
    Hidden { name: Name::Config("interactive", Sub::None, "difffilter"), runs: Runs::Always, why: "the filter `add -p` runs diffs through" },
    Hidden { name: Name::Config("filter", Sub::Any, "clean"), runs: Runs::Always, why: "a content filter git runs when it reads files (`add`, `status`)" },
    Hidden { name: Name::Config("filter", Sub::Any, "smudge"), runs: Runs::Always, why: "a content filter git runs when it writes files (`checkout`)" },
    Hidden { name: Name::Config("filter", Sub::Any, "process"), runs: Runs::Always, why: "a long-running content filter" },
    Hidden { name: Name::Config("merge", Sub::Any, "driver"), runs: Runs::Always, why: "a merge driver" },
    Hidden { name: Name::Config("mergetool", Sub::Any, "cmd"), runs: Runs::Always, why: "a merge tool" },
    Hidden { name: Name::Config("difftool", Sub::Any, "cmd"), runs: Runs::Always, why: "a diff tool" },
    Hidden { name: Name::Config("credential", Sub::Either, "helper"), runs: Runs::ShellOrPath, why: "a credential helper" },
    Hidden { name: Name::Config("gpg", Sub::None, "program"), runs: Runs::Always, why: "the program git signs and verifies with" },
    Hidden { name: Name::Config("gpg", Sub::Any, "program"), runs: Runs::Always, why: "the program git signs and verifies with" },
    Hidden { name: Name::Config("gpg", Sub::Exact("ssh"), "defaultkeycommand"), runs: Runs::Always, why: "the command git runs to pick a signing key" },
    Hidden { name: Name::Config("remote", Sub::Any, "uploadpack"), runs: Runs::Always, why: "the program a fetch runs on the remote side (a local remote runs it here)" },
    Hidden { name: Name::Config("remote", Sub::Any, "receivepack"), runs: Runs::Always, why: "the program a push runs on the remote side (a local remote runs it here)" },
    Hidden { name: Name::Config("protocol", Sub::Exact("ext"), "allow"), runs: Runs::UnlessNever, why: "it lets `ext::` URLs run a command" },
    Hidden { name: Name::Config("protocol", Sub::None, "allow"), runs: Runs::IfAlways, why: "it lets `ext::` URLs run a command" },
    Hidden { name: Name::Config("submodule", Sub::Any, "update"), runs: Runs::Shell, why: "the command `submodule update` runs" },
    Hidden { name: Name::Config("uploadpack", Sub::None, "packobjectshook"), runs: Runs::Always, why: "the command upload-pack runs to pack objects" },
    Hidden { name: Name::Config("browser", Sub::Any, "cmd"), runs: Runs::Always, why: "the browser `git help -w` starts" },
    Hidden { name: Name::Config("sendemail", Sub::None, "sendmailcmd"), runs: Runs::Always, why: "the command `send-email` sends mail with" },
    // Environment variables git reads.
    Hidden { name: Name::Env("GIT_SSH", Verbs::Only(NETWORK)), runs: Runs::Always, why: "the program git runs instead of ssh" },
    Hidden { name: Name::Env("GIT_SSH_COMMAND", Verbs::Only(NETWORK)), runs: Runs::Always, why: "the command git runs instead of ssh" },
    Hidden { name: Name::Env("GIT_PROXY_COMMAND", Verbs::Only(NETWORK)), runs: Runs::Always, why: "the proxy command git runs for git:// remotes" },
    Hidden { name: Name::Env("GIT_ALLOW_PROTOCOL", Verbs::Only(NETWORK)), runs: Runs::ListsExt, why: "it lets `ext::` URLs run a command" },
    Hidden { name: Name::Env("GIT_EDITOR", Verbs::Only(EDITING)), runs: Runs::UnlessHarmless, why: "the editor git starts for messages" },
    Hidden { name: Name::Env("GIT_SEQUENCE_EDITOR", Verbs::Only(&["rebase"])), runs: Runs::UnlessHarmless, why: "the editor git starts for a rebase todo list" },
    Hidden { name: Name::Env("GIT_PAGER", Verbs::Paging(PAGING)), runs: Runs::UnlessHarmless, why: "the pager git pipes its output through" },
    Hidden { name: Name::Env("GIT_EXTERNAL_DIFF", Verbs::Only(DIFFING)), runs: Runs::Always, why: "the program git runs instead of its own diff" },
    Hidden { name: Name::Env("GIT_TEMPLATE_DIR", Verbs::Only(&["clone"])), runs: Runs::Always, why: "the template whose hooks the new clone runs at checkout" },
    // Options.
    Hidden { name: Name::Option(&["fetch", "pull", "clone", "ls-remote", "fetch-pack"], "upload-pack"), runs: Runs::Always, why: "the program run as the remote's upload-pack (a local remote runs it here)" },
    Hidden { name: Name::Option(&["push", "send-pack"], "receive-pack"), runs: Runs::Always, why: "the program run as the remote's receive-pack (a local remote runs it here)" },
    Hidden { name: Name::Option(&["push", "send-pack", "archive"], "exec"), runs: Runs::Always, why: "the program run on the remote side (a local remote runs it here)" },
    Hidden { name: Name::Option(&["rebase"], "exec"), runs: Runs::Always, why: "a shell command rebase runs after each commit" },
    Hidden { name: Name::Option(&["difftool"], "extcmd"), runs: Runs::Always, why: "the command difftool runs for each file" },
    Hidden { name: Name::Option(&["difftool"], "x"), runs: Runs::Always, why: "the command difftool runs for each file" },
    Hidden { name: Name::Option(&["clone"], "template"), runs: Runs::Always, why: "the template whose hooks the new clone runs at checkout" },
    Hidden { name: Name::Global("exec-path"), runs: Runs::Always, why: "the directory git runs its helper programs from" },
    Hidden { name: Name::Subcommand("submodule", "foreach"), runs: Runs::Always, why: "a shell command run in every submodule" },
    Hidden { name: Name::Subcommand("bisect", "run"), runs: Runs::Always, why: "a command run at every bisection step" },
];

/// True for the programs agents set to keep git non-interactive (`cat`, `true`, `:`,
/// `false`, `less`, `more`, possibly from `/bin` or `/usr/bin`, with plain options
/// only), the empty string, and `/dev/null` (no hooks can be found there).
fn harmless(value: &str) -> bool {
    let mut words = value.split_whitespace();
    let Some(first) = words.next() else {
        return true;
    };
    let program = first
        .strip_prefix("/usr/bin/")
        .or_else(|| first.strip_prefix("/bin/"))
        .unwrap_or(first);
    let known = matches!(program, "cat" | "true" | "false" | ":" | "less" | "more");
    let plain_options = words.all(|w| {
        w.starts_with('-')
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '=' | '_' | '+'))
    });
    (known && plain_options) || value.trim() == "/dev/null"
}

impl Runs {
    /// Whether `value` (`None`: a bare config key, i.e. boolean true) runs a command.
    fn runs(self, value: Option<&str>) -> bool {
        let Some(v) = value else {
            return false;
        };
        match self {
            Runs::Always => !v.trim().is_empty(),
            Runs::UnlessHarmless => !harmless(v),
            Runs::UnlessBoolean => parse_bool(Some(v)).is_none() && !harmless(v),
            Runs::ShellOrPath => v.starts_with('!') || v.contains('/'),
            Runs::Shell => v.starts_with('!'),
            Runs::UnlessNever => v.trim() != "never",
            Runs::IfAlways => v.trim() == "always",
            Runs::ListsExt => v.split(':').any(|p| p == "ext"),
        }
    }
}

impl Sub {
    fn matches(self, sub: Option<&str>) -> bool {
        match self {
            Sub::None => sub.is_none(),
            Sub::Any => sub.is_some(),
            Sub::Either => true,
            Sub::Exact(s) => sub == Some(s),
        }
    }
}

impl Verbs {
    fn matter_to(self, walked: &Walked) -> bool {
        let verb = walked.verb.as_str();
        match self {
            Verbs::Any => true,
            Verbs::Only(list) => list.contains(&verb),
            Verbs::Paging(list) => {
                list.contains(&verb) || walked.global_flags.iter().any(|g| g == "paginate")
            }
        }
    }
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

fn message(given: &str, value: &str, why: &str) -> String {
    format!(
        "{given} makes git run a command failsafe cannot judge ({why}): `{}`",
        clip(value)
    )
}

/// The hidden commands of one git command: settings of the command-line layer of
/// `config`, `clone --config` values, variables of `env`, and options of `walked`,
/// each as an `uncertain` entry naming it.
pub fn found(walked: &Walked, config: &Config, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for s in config
        .settings()
        .iter()
        .filter(|s| s.scope == Scope::Command)
    {
        let e = &s.entry;
        if let Some(why) = config_command(
            &e.section,
            e.subsection.as_deref(),
            &e.name,
            e.value.as_deref(),
        ) {
            let key = match &e.subsection {
                Some(sub) => format!("{}.{sub}.{}", e.section, e.name),
                None => format!("{}.{}", e.section, e.name),
            };
            let given = format!("`{key}` (from `{}`)", s.origin);
            out.push(message(&given, e.value.as_deref().unwrap_or(""), why));
        }
    }
    if walked.verb == "clone" {
        for kv in walked.flag_values("config") {
            let (k, v) = super::config::split_assignment(kv);
            let Some((section, sub, name)) = super::config::parse_key(k) else {
                continue;
            };
            if let Some(why) = config_command(&section, sub.as_deref(), &name, v) {
                out.push(message(
                    &format!("`git clone --config {k}`"),
                    v.unwrap_or(""),
                    why,
                ));
            }
        }
    }
    for h in TABLE {
        match h.name {
            Name::Env(var, verbs) => {
                let value = env.get(var).map(String::as_str);
                if verbs.matter_to(walked) && h.runs.runs(value) {
                    out.push(message(&format!("`{var}`"), value.unwrap_or(""), h.why));
                }
            }
            Name::Option(verbs, flag) => {
                if verbs.contains(&walked.verb.as_str()) && walked.has_flag(flag) {
                    let values = walked.flag_values(flag);
                    let value = values.last().copied().unwrap_or("");
                    let dashes = if flag.len() == 1 { "-" } else { "--" };
                    let given = format!("`git {} {dashes}{flag}`", walked.verb);
                    out.push(message(&given, value, h.why));
                }
            }
            Name::Global(flag) => {
                if walked.global_flags.iter().any(|g| g == flag) {
                    let value = walked.flag_str(flag).unwrap_or("");
                    if h.runs.runs(Some(value)) {
                        out.push(message(&format!("`git --{flag}`"), value, h.why));
                    }
                }
            }
            Name::Subcommand(verb, sub) => {
                if walked.verb == verb && walked.subverb == sub {
                    let given = format!("`git {verb} {sub}`");
                    out.push(message(&given, &walked.args.join(" "), h.why));
                }
            }
            Name::Config(..) => {}
        }
    }
    out
}

/// `git config` subcommands that do not set a value.
const CONFIG_OTHER_SUBCOMMANDS: &[&str] = &[
    "list",
    "get",
    "unset",
    "rename-section",
    "remove-section",
    "edit",
];

/// Legacy `git config` actions that do not set a value.
const CONFIG_OTHER_ACTIONS: &[&str] = &[
    "get",
    "get-all",
    "get-regexp",
    "get-urlmatch",
    "get-color",
    "get-colorbool",
    "unset",
    "unset-all",
    "rename-section",
    "remove-section",
    "list",
    "edit",
];

/// The command-valued settings a `git config` command writes into a config file, as
/// `name=value` (`git config core.pager ./x`, `git config set core.fsmonitor ./x`,
/// `--add`, `--replace-all`). A later git command would read them as the user's own
/// configuration, so writing one is how a command gets hidden for later.
pub fn config_writes(walked: &Walked) -> Vec<String> {
    if walked.verb != "config" {
        return Vec::new();
    }
    let end = walked.dashdash_at.unwrap_or(walked.args.len());
    let args = walked.args.get(..end).unwrap_or(&[]);
    let (key, value) = match args {
        [first, key, value, ..] if first == "set" => (key, value),
        [first, ..] if CONFIG_OTHER_SUBCOMMANDS.contains(&first.as_str()) => return Vec::new(),
        _ if CONFIG_OTHER_ACTIONS.iter().any(|a| walked.has_flag(a)) => return Vec::new(),
        [key, value, ..] => (key, value),
        _ => return Vec::new(),
    };
    let Some((section, sub, name)) = super::config::parse_key(key) else {
        return Vec::new();
    };
    match config_command(&section, sub.as_deref(), &name, Some(value)) {
        Some(_) => vec![format!("{key}={}", clip(value))],
        None => Vec::new(),
    }
}

/// Why the setting `section[.sub].name = value` runs a command, if it does.
fn config_command(
    section: &str,
    sub: Option<&str>,
    name: &str,
    value: Option<&str>,
) -> Option<&'static str> {
    TABLE.iter().find_map(|h| match h.name {
        Name::Config(sec, want_sub, var)
            if sec == section
                && want_sub.matches(sub)
                && (var == "*" || var == name)
                && h.runs.runs(value) =>
        {
            Some(h.why)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::git::layers::Where;
    use crate::facts::git::repo::Head;
    use rstest::rstest;

    fn walk(argv: &[&str]) -> Walked {
        let rest: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        crate::facts::walker::walk(&crate::facts::git::tests::spec(), &rest)
    }

    /// The hidden commands of `argv` with `env`, and `files` as the user's config.
    fn hidden(argv: &[&str], env: &[(&str, &str)], files: &str) -> Vec<String> {
        let w = walk(argv);
        let tmp = std::env::temp_dir();
        let ctx = crate::facts::git::tests::context(&tmp, &tmp, env);
        let head = Head::NoRepo;
        let at = Where {
            git_dir: None,
            common_dir: None,
            head: &head,
        };
        let base = Config::from_text(files, Scope::Global).unwrap_or_default();
        let mut unc = Vec::new();
        let config = crate::facts::git::layers::add_command_line(
            base,
            &ctx,
            at,
            &w.flag_values("c"),
            &w.flag_values("config-env"),
            &mut unc,
        );
        found(&w, &config, &ctx.env)
    }

    #[rstest]
    #[case(&["-c", "core.pager=sh -c 'rm -rf ~'", "log"], &[], "`core.pager` (from `-c`)")]
    #[case(&["-c", "Core.Pager=evil", "status"], &[], "`core.pager` (from `-c`)")]
    #[case(&["-c", "core.editor=./x.sh", "commit"], &[], "`core.editor`")]
    #[case(&["-c", "sequence.editor=sed -i s/pick/drop/", "rebase", "-i", "HEAD~2"], &[], "`sequence.editor`")]
    #[case(&["-c", "pager.log=evil", "log"], &[], "`pager.log`")]
    #[case(&["-c", "core.sshCommand=evil", "fetch"], &[], "`core.sshcommand`")]
    #[case(&["-c", "core.fsmonitor=./hook", "status"], &[], "`core.fsmonitor`")]
    #[case(&["-c", "core.hooksPath=/tmp/hooks", "commit", "-m", "x"], &[], "`core.hookspath`")]
    #[case(&["-c", "diff.external=evil", "diff"], &[], "`diff.external`")]
    #[case(&["-c", "diff.x.textconv=evil", "log", "-p"], &[], "`diff.x.textconv`")]
    #[case(&["-c", "diff.x.command=evil", "diff"], &[], "`diff.x.command`")]
    #[case(&["-c", "filter.lfs.smudge=evil", "checkout", "x"], &[], "`filter.lfs.smudge`")]
    #[case(&["-c", "filter.a.clean=evil", "add", "."], &[], "`filter.a.clean`")]
    #[case(&["-c", "filter.a.process=evil", "status"], &[], "`filter.a.process`")]
    #[case(&["-c", "credential.helper=!evil", "fetch"], &[], "`credential.helper`")]
    #[case(&["-c", "credential.https://x.helper=/tmp/h", "fetch"], &[], "`credential.https://x.helper`")]
    #[case(&["-c", "protocol.ext.allow=always", "fetch", "ext::sh -c evil"], &[], "`protocol.ext.allow`")]
    #[case(&["-c", "protocol.allow=always", "clone", "ext::x"], &[], "`protocol.allow`")]
    #[case(&["-c", "gpg.program=evil", "commit", "-S", "-m", "x"], &[], "`gpg.program`")]
    #[case(&["-c", "gpg.ssh.program=evil", "log", "--show-signature"], &[], "`gpg.ssh.program`")]
    #[case(&["-c", "remote.origin.uploadpack=evil", "fetch"], &[], "`remote.origin.uploadpack`")]
    #[case(&["-c", "merge.x.driver=evil", "merge", "topic"], &[], "`merge.x.driver`")]
    #[case(&["--config-env=core.pager=P", "log"], &[("P", "evil")], "(from `--config-env`)")]
    #[case(&["log"], &[("GIT_CONFIG_PARAMETERS", "'core.pager'='evil'")], "(from `GIT_CONFIG_PARAMETERS`)")]
    #[case(&["log"], &[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "CORE.PAGER"), ("GIT_CONFIG_VALUE_0", "evil")], "(from `GIT_CONFIG_KEY_0`)")]
    #[case(&["fetch"], &[("GIT_SSH_COMMAND", "evil")], "`GIT_SSH_COMMAND`")]
    #[case(&["push"], &[("GIT_SSH", "/tmp/evil")], "`GIT_SSH`")]
    #[case(&["commit"], &[("GIT_EDITOR", "evil")], "`GIT_EDITOR`")]
    #[case(&["rebase", "-i", "HEAD~3"], &[("GIT_SEQUENCE_EDITOR", "sed -i x")], "`GIT_SEQUENCE_EDITOR`")]
    #[case(&["log"], &[("GIT_PAGER", "evil")], "`GIT_PAGER`")]
    #[case(&["-p", "status"], &[("GIT_PAGER", "evil")], "`GIT_PAGER`")]
    #[case(&["diff"], &[("GIT_EXTERNAL_DIFF", "evil")], "`GIT_EXTERNAL_DIFF`")]
    #[case(&["fetch"], &[("GIT_ALLOW_PROTOCOL", "https:ext")], "`GIT_ALLOW_PROTOCOL`")]
    #[case(&["fetch", "--upload-pack=evil", "origin"], &[], "`git fetch --upload-pack`")]
    #[case(&["clone", "-u", "evil", "x", "y"], &[], "`git clone --upload-pack`")]
    #[case(&["ls-remote", "--upload-pack", "evil", "x"], &[], "`git ls-remote --upload-pack`")]
    #[case(&["push", "--receive-pack=evil", "origin"], &[], "`git push --receive-pack`")]
    #[case(&["push", "--exec=evil", "origin"], &[], "`git push --exec`")]
    #[case(&["rebase", "-x", "make test", "main"], &[], "`git rebase --exec`")]
    #[case(&["rebase", "--exec=evil", "main"], &[], "`git rebase --exec`")]
    #[case(&["difftool", "-x", "evil"], &[], "`git difftool -x`")]
    #[case(&["difftool", "--extcmd=evil"], &[], "`git difftool --extcmd`")]
    #[case(&["clone", "--config", "core.fsmonitor=./evil", "x"], &[], "`git clone --config core.fsmonitor`")]
    #[case(&["clone", "--template=/tmp/t", "x"], &[], "`git clone --template`")]
    #[case(&["--exec-path=/tmp/x", "status"], &[], "`git --exec-path`")]
    #[case(&["submodule", "foreach", "rm -rf ."], &[], "`git submodule foreach`")]
    #[case(&["bisect", "run", "./t.sh"], &[], "`git bisect run`")]
    #[case(&["-c", "include.path=/nonexistent", "-c", "submodule.x.update=!evil", "submodule", "update"], &[], "`submodule.x.update`")]
    fn hidden_commands_are_reported(
        #[case] argv: &[&str],
        #[case] env: &[(&str, &str)],
        #[case] names: &str,
    ) {
        let got = hidden(argv, env, "");
        assert_eq!(got.len(), 1, "{argv:?} {env:?}: {got:?}");
        assert!(got[0].contains(names), "{argv:?}: {got:?}");
        assert!(got[0].contains("cannot judge"), "{got:?}");
    }

    #[rstest]
    #[case(&["-c", "core.pager=cat", "log"], &[])]
    #[case(&["-c", "core.pager=less -FRX", "log"], &[])]
    #[case(&["-c", "core.pager=", "log"], &[])]
    #[case(&["-c", "core.editor=true", "commit"], &[])]
    #[case(&["-c", "core.editor=:", "commit"], &[])]
    #[case(&["-c", "core.hooksPath=/dev/null", "commit", "-m", "x"], &[])]
    #[case(&["-c", "pager.log=false", "log"], &[])]
    #[case(&["-c", "pager.log", "log"], &[])]
    #[case(&["-c", "core.fsmonitor=true", "status"], &[])]
    #[case(&["-c", "credential.helper=store", "fetch"], &[])]
    #[case(&["-c", "credential.helper=", "fetch"], &[])]
    #[case(&["-c", "protocol.ext.allow=never", "fetch"], &[])]
    #[case(&["-c", "protocol.allow=user", "fetch"], &[])]
    #[case(&["-c", "submodule.x.update=rebase", "submodule", "update"], &[])]
    #[case(&["-c", "color.ui=never", "log"], &[])]
    #[case(&["-c", "core.editortypo=evil", "log"], &[])]
    #[case(&["status"], &[("GIT_SSH_COMMAND", "ssh -i key")])]
    #[case(&["status"], &[("GIT_PAGER", "delta")])]
    #[case(&["status"], &[("GIT_EDITOR", "vim")])]
    #[case(&["log"], &[("GIT_EDITOR", "vim")])]
    #[case(&["log"], &[("GIT_PAGER", "cat")])]
    #[case(&["commit", "-m", "x"], &[("GIT_EDITOR", "true")])]
    #[case(&["rebase", "--continue"], &[("GIT_EDITOR", ":")])]
    #[case(&["fetch"], &[("GIT_ASKPASS", "/usr/bin/code-askpass"), ("EDITOR", "evil"), ("PAGER", "evil")])]
    #[case(&["fetch"], &[("GIT_ALLOW_PROTOCOL", "https:ssh")])]
    #[case(&["fetch", "-u", "origin"], &[])]
    #[case(&["diff", "--cached"], &[("GIT_EXEC_PATH", "/usr/libexec/git-core")])]
    #[case(&["status"], &[])]
    fn harmless_or_irrelevant_are_not(#[case] argv: &[&str], #[case] env: &[(&str, &str)]) {
        let got = hidden(argv, env, "");
        assert!(got.is_empty(), "{argv:?} {env:?}: {got:?}");
    }

    #[rstest]
    #[case(&["config", "core.pager", "./evil"], &["core.pager=./evil"])]
    #[case(&["config", "--global", "Core.FSMonitor", "./h"], &["Core.FSMonitor=./h"])]
    #[case(&["config", "set", "core.hooksPath", "/tmp/h"], &["core.hooksPath=/tmp/h"])]
    #[case(&["config", "--add", "credential.helper", "!steal"], &["credential.helper=!steal"])]
    #[case(&["config", "--replace-all", "diff.x.textconv", "t", "old"], &["diff.x.textconv=t"])]
    #[case(&["config", "core.pager", "cat"], &[])]
    #[case(&["config", "core.hooksPath", "/dev/null"], &[])]
    #[case(&["config", "user.name", "x"], &[])]
    #[case(&["config", "core.pager"], &[])]
    #[case(&["config", "get", "core.pager"], &[])]
    #[case(&["config", "--get-regexp", "core.pager", "x"], &[])]
    #[case(&["config", "--unset", "core.pager"], &[])]
    #[case(&["config", "-l"], &[])]
    #[case(&["log", "core.pager", "./evil"], &[])]
    fn config_writes_of_commands(#[case] argv: &[&str], #[case] want: &[&str]) {
        assert_eq!(config_writes(&walk(argv)), want, "{argv:?}");
    }

    #[test]
    fn the_users_own_config_files_are_trusted() {
        let files =
            "[core]\n\tpager = delta\n\tsshCommand = ssh -i key\n[diff \"x\"]\n\ttextconv = t\n";
        assert!(hidden(&["log", "-p"], &[], files).is_empty());
        assert!(hidden(&["fetch"], &[], files).is_empty());
    }
}
