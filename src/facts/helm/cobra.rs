//! Which words helm runs as its command and subcommand, found the way cobra finds them.
//!
//! cobra picks the command *before* it parses options, with a rule of its own: an option
//! spelled `--name` or `-x` (no `=`) takes the next word as its value unless cobra knows
//! it as a switch at that level, and an empty word is skipped. Only the root's persistent
//! switches are known there, so `helm --wait install x chart` runs `x` (and fails) while
//! `helm --description list uninstall web` runs `uninstall`. The walker reads options
//! with the full spec, which is right for the final parse; when the two disagree on the
//! command, the fact cannot be trusted and the disagreement goes to `uncertain`.
//!
//! Pure: no I/O.

use crate::facts::walker::Walked;

/// helm's root switches (persistent flags that take no value, klog's included): the only
/// options before the command that cobra does not take as swallowing the next word.
/// Every helm parent command (`repo`, `get`, …) adds no flags of its own, so the same
/// list holds one level down.
const ROOT_SWITCHES: &[&str] = &[
    "debug",
    "kube-insecure-skip-tls-verify",
    "logtostderr",
    "alsologtostderr",
    "add-dir-header",
    "skip-headers",
    "skip-log-headers",
    "one-output",
    "legacy-stderr-threshold-behavior",
];

/// helm's built-in commands and their aliases; any other command word is a plugin.
pub const BUILTIN_COMMANDS: &[&str] = &[
    "completion",
    "create",
    "dependency",
    "dep",
    "dependencies",
    "docs",
    "env",
    "get",
    "help",
    "history",
    "hist",
    "install",
    "lint",
    "list",
    "ls",
    "package",
    "plugin",
    "pull",
    "fetch",
    "push",
    "registry",
    "repo",
    "rollback",
    "search",
    "show",
    "inspect",
    "status",
    "template",
    "test",
    "uninstall",
    "un",
    "del",
    "delete",
    "upgrade",
    "verify",
    "version",
];

/// Commands whose next word is a subcommand (canonical names).
pub const PARENT_COMMANDS: &[&str] = &[
    "completion",
    "dependency",
    "get",
    "plugin",
    "registry",
    "repo",
    "search",
    "show",
];

/// Indexes in `args` (argv without argv[0]) of the words cobra takes as commands, in
/// order; at most `levels` of them.
pub fn command_indexes(args: &[String], levels: usize) -> Vec<usize> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(tok) = args.get(i) {
        if found.len() >= levels {
            break;
        }
        i += 1;
        if tok == "--" {
            break;
        }
        if let Some(name) = tok.strip_prefix("--") {
            if !tok.contains('=') && !ROOT_SWITCHES.contains(&name) {
                i += 1;
            }
            continue;
        }
        if tok.starts_with('-') {
            // `-n ns`: a two-byte short option takes the next word; helm's root has no
            // short switch cobra knows of at this point (`-h` is added later).
            if !tok.contains('=') && tok.len() == 2 {
                i += 1;
            }
            continue;
        }
        if !tok.is_empty() {
            found.push(i - 1);
        }
    }
    found
}

/// Compares cobra's choice of command (and subcommand, for parent commands) with the
/// walker's, and pushes a message to `uncertain` when they differ.
///
/// `help` says the line asks for help: helm then prints help for whatever built-in
/// command cobra finds and runs nothing, so a disagreement matters only when cobra would
/// find a plugin, which receives the arguments unparsed.
pub fn check(walked: &Walked, args: &[String], help: bool, uncertain: &mut Vec<String>) {
    let found = command_indexes(args, 2);
    let word = |i: Option<usize>| i.and_then(|i| args.get(i)).map(String::as_str);
    let cobra_verb = found.first().copied();
    let hint = "put options after the command";
    if cobra_verb != walked.verb_index {
        if help && word(cobra_verb).is_none_or(|w| BUILTIN_COMMANDS.contains(&w)) {
            return;
        }
        let message = match (word(cobra_verb), word(walked.verb_index)) {
            (Some(theirs), Some(ours)) => format!(
                "helm would run `{theirs}`, not `{ours}`: an option before the command takes the next word as its value there; {hint}"
            ),
            (None, Some(ours)) => format!(
                "helm would not run `{ours}`: an option before it takes it as its value; {hint}"
            ),
            (Some(theirs), None) => format!(
                "helm would run `{theirs}`, which failsafe read as an option's value; {hint}"
            ),
            (None, None) => return,
        };
        uncertain.push(message);
        return;
    }
    if help || !PARENT_COMMANDS.contains(&walked.verb.as_str()) {
        return;
    }
    let theirs = word(found.get(1).copied()).unwrap_or_default();
    if theirs != walked.subverb {
        let verb = &walked.verb_as_typed;
        let ours = &walked.subverb;
        uncertain.push(match (theirs.is_empty(), ours.is_empty()) {
            (false, false) => format!(
                "helm would run `{verb} {theirs}`, not `{verb} {ours}`: an option before the subcommand takes the next word as its value there; {hint}"
            ),
            (false, true) => format!(
                "helm would look for a subcommand `{verb} {theirs}`, which failsafe does not know; {hint}"
            ),
            _ => format!(
                "helm would not run `{verb} {ours}`: an option before it takes it as its value; {hint}"
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case("list", &[0])]
    #[case("--debug list", &[1])]
    #[case("--kube-context prod list", &[2])]
    #[case("-n prod uninstall web", &[2, 3])]
    #[case("-nprod list", &[1])]
    #[case("--namespace=prod list", &[1])]
    #[case("--wait install web chart", &[2, 3])]
    #[case("--description list uninstall web", &[2, 3])]
    #[case("repo --username u add name url", &[0, 3])]
    #[case("-- list", &[])]
    #[case("--kube-context", &[])]
    fn finds_commands_like_cobra(#[case] line: &str, #[case] want: &[usize]) {
        assert_eq!(command_indexes(&words(line), 2), want);
    }

    #[test]
    fn empty_words_are_skipped() {
        let args = vec![String::new(), "uninstall".to_string(), "web".to_string()];
        assert_eq!(command_indexes(&args, 1), vec![1]);
    }
}
