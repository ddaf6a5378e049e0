//! terraform's reading of its own command line, before any option is parsed: the
//! `-chdir` option it takes out first, the command it picks (hashicorp/cli's finder,
//! nested commands such as `state rm` included), and the words `TF_CLI_ARGS` and
//! `TF_CLI_ARGS_<command>` put right after that command.
//!
//! Pure: the environment comes in as a lookup function; no I/O.

/// One `-chdir` option, as terraform takes it out of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chdir {
    /// Index of the option in the arguments.
    pub index: usize,
    /// How many words it spans: 1 for `-chdir=DIR`, 2 for `-chdir DIR`.
    pub words: usize,
    /// The directory as given.
    pub dir: String,
}

/// The `-chdir` option terraform would use: among the options before the first
/// non-option word, the last `-chdir=DIR`.
///
/// terraform itself refuses `-chdir DIR` (it wants the `=`), as it refuses `--chdir`;
/// failsafe reads those spellings as the same option, which is harmless because
/// terraform runs nothing for them.
pub fn extract_chdir(args: &[String]) -> Option<Chdir> {
    let mut found = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if !arg.starts_with('-') {
            break;
        }
        let name = arg
            .strip_prefix("--")
            .or_else(|| arg.strip_prefix('-'))
            .unwrap_or(arg);
        if let Some(dir) = name.strip_prefix("chdir=") {
            found = Some(Chdir {
                index: i,
                words: 1,
                dir: dir.to_string(),
            });
        } else if name == "chdir" {
            if let Some(dir) = args.get(i + 1) {
                found = Some(Chdir {
                    index: i,
                    words: 2,
                    dir: dir.clone(),
                });
                i += 1;
            }
        }
        i += 1;
    }
    found
}

/// `args` without the `-chdir` option `chdir` describes.
pub fn without_chdir(args: &[String], chdir: Option<&Chdir>) -> Vec<String> {
    match chdir {
        None => args.to_vec(),
        Some(c) => args
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < c.index || *i >= c.index + c.words)
            .map(|(_, a)| a.clone())
            .collect(),
    }
}

/// Every command terraform and `OpenTofu` register. Nested ones matter to the finder; the
/// others matter too, because the finder matches the longest registered *prefix*.
const COMMANDS: &[&str] = &[
    "apply",
    "cloud",
    "console",
    "destroy",
    "env",
    "env delete",
    "env list",
    "env new",
    "env select",
    "fmt",
    "force-unlock",
    "get",
    "graph",
    "import",
    "init",
    "login",
    "logout",
    "metadata",
    "metadata functions",
    "modules",
    "output",
    "plan",
    "providers",
    "providers lock",
    "providers mirror",
    "providers schema",
    "query",
    "refresh",
    "rpcapi",
    "show",
    "stacks",
    "state",
    "state identities",
    "state list",
    "state mv",
    "state pull",
    "state push",
    "state replace-provider",
    "state rm",
    "state show",
    "taint",
    "test",
    "untaint",
    "validate",
    "version",
    "workspace",
    "workspace delete",
    "workspace list",
    "workspace new",
    "workspace select",
    "workspace show",
];

/// Words terraform reads as "print help" anywhere before `--`.
pub const HELP: &[&str] = &["-h", "-help", "--help"];

/// Words that make terraform run `version` instead, anywhere in the line.
pub const VERSION: &[&str] = &["-v", "-version", "--version"];

/// The command terraform picks, as hashicorp/cli picks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index of the command's first word.
    pub index: usize,
    /// The command, nested words joined by a space (`state rm`); a word that names no
    /// command is kept as typed.
    pub command: String,
    /// Options before the command other than help, version and autocomplete ones:
    /// terraform refuses to run when there are any.
    pub top_flags: bool,
}

/// The command terraform would pick from `args` (the `-chdir` option already removed),
/// or `None` when there is none (or one with a space in it, which terraform refuses).
pub fn find_command(args: &[String]) -> Option<Found> {
    let mut top_flags = false;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            return None;
        }
        if HELP.contains(&arg.as_str()) || VERSION.contains(&arg.as_str()) {
            continue;
        }
        if matches!(
            arg.trim_start_matches('-'),
            "install-autocomplete" | "uninstall-autocomplete"
        ) && arg.starts_with('-')
        {
            continue;
        }
        if arg.starts_with('-') {
            top_flags = true;
            continue;
        }
        if arg.is_empty() {
            continue;
        }
        if arg.contains(' ') {
            return None;
        }
        // Consecutive plain words (up to an option, an empty word or a word with a
        // space) are matched against the registered commands; the longest registered
        // prefix wins if it ends at a word boundary somewhere in the key (cli's own,
        // unanchored, check).
        let key_words: Vec<&str> = args[i..]
            .iter()
            .take_while(|w| !w.is_empty() && !w.starts_with('-') && !w.contains(' '))
            .map(String::as_str)
            .collect();
        let key = key_words.join(" ");
        let longest = COMMANDS
            .iter()
            .filter(|c| key.starts_with(**c))
            .max_by_key(|c| c.len());
        let command = match longest {
            Some(c) if key.ends_with(c) || key.contains(&format!("{c} ")) => (*c).to_string(),
            _ => arg.clone(),
        };
        return Some(Found {
            index: i,
            command,
            top_flags,
        });
    }
    None
}

/// The environment variable with the arguments terraform adds to `command`:
/// `TF_CLI_ARGS_` and the command with `-` and spaces made `_` (`TF_CLI_ARGS_state_rm`).
pub fn command_variable(command: &str) -> String {
    format!("TF_CLI_ARGS_{}", command.replace(['-', ' '], "_"))
}

/// What merging `TF_CLI_ARGS*` produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// The arguments terraform will see (the `-chdir` option already removed).
    pub args: Vec<String>,
    /// The words the variables added, in the order they stand.
    pub added: Vec<String>,
    /// Variables that could not be read the way terraform reads them.
    pub problems: Vec<String>,
}

/// Merges `TF_CLI_ARGS` and then `TF_CLI_ARGS_<command>` into `args` exactly where
/// terraform does: right after the first word equal to the command's last word (so the
/// second variable's words come first), or at the front when there is no command.
/// `var` looks a variable up (non-empty values only).
pub fn merge(args: &[String], var: &dyn Fn(&str) -> Option<String>) -> Merged {
    let command = find_command(args).map(|f| f.command).unwrap_or_default();
    let search = command.rsplit(' ').next().unwrap_or_default();
    let mut out = Merged {
        args: args.to_vec(),
        ..Merged::default()
    };
    for name in ["TF_CLI_ARGS".to_string(), command_variable(&command)] {
        let Some(value) = var(&name) else {
            continue;
        };
        let words = match split(&value) {
            Ok(w) => w,
            Err(cause) => {
                out.problems.push(format!(
                    "`{name}` cannot be split into words the way terraform splits it: {cause}"
                ));
                continue;
            }
        };
        let at = out
            .args
            .iter()
            .position(|a| a == search)
            .map_or(0, |i| i + 1);
        out.added.splice(0..0, words.iter().cloned());
        out.args.splice(at..at, words);
    }
    out
}

/// Splits a variable's value like terraform's shell-words parser. Characters where that
/// parser and a POSIX split part ways (shell operators, `$`, backquotes, backslashes)
/// are refused rather than guessed.
fn split(value: &str) -> Result<Vec<String>, String> {
    if let Some(c) = value
        .chars()
        .find(|c| matches!(c, ';' | '&' | '|' | '<' | '>' | '$' | '`' | '\\' | '\r'))
    {
        return Err(format!("it contains `{}`", c.escape_default()));
    }
    shell_words::split(value).map_err(|_| "it has an unclosed quote".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::collections::BTreeMap;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case("-chdir=infra plan", Some((0, 1, "infra")))]
    #[case("-chdir infra plan", Some((0, 2, "infra")))]
    #[case("-chdir=a -chdir=b plan", Some((1, 1, "b")))]
    #[case("--chdir=x plan", Some((0, 1, "x")))]
    #[case("plan -chdir=x", None)]
    #[case("-help -chdir=x", Some((1, 1, "x")))]
    #[case("plan", None)]
    fn chdir_is_taken_from_the_leading_options(
        #[case] line: &str,
        #[case] want: Option<(usize, usize, &str)>,
    ) {
        let got = extract_chdir(&words(line)).map(|c| (c.index, c.words, c.dir));
        assert_eq!(got, want.map(|(i, w, d)| (i, w, d.to_string())));
    }

    #[rstest]
    #[case("plan -out x", Some((0, "plan")))]
    #[case("state rm aws_instance.a", Some((0, "state rm")))]
    #[case("state -lock=false rm x", Some((0, "state")))]
    #[case("state rmx", Some((0, "state")))]
    #[case("workspace select prod", Some((0, "workspace select")))]
    #[case("-help apply", Some((1, "apply")))]
    #[case("-v destroy", Some((1, "destroy")))]
    #[case("-auto-approve apply", Some((1, "apply")))]
    #[case("frobnicate", Some((0, "frobnicate")))]
    #[case("applyx apply", Some((0, "apply")))]
    #[case("-- apply", None)]
    #[case("", None)]
    fn finds_the_command_like_terraform(#[case] line: &str, #[case] want: Option<(usize, &str)>) {
        let got = find_command(&words(line)).map(|f| (f.index, f.command));
        assert_eq!(got, want.map(|(i, c)| (i, c.to_string())));
    }

    #[test]
    fn empty_words_are_skipped_and_spaces_refused() {
        let args = vec![String::new(), "apply".to_string()];
        assert_eq!(find_command(&args).map(|f| f.index), Some(1));
        let args = vec!["state rm".to_string(), "x".to_string()];
        assert_eq!(find_command(&args), None);
        let flagged = find_command(&words("-auto-approve apply"));
        assert!(flagged.is_some_and(|f| f.top_flags));
    }

    #[rstest]
    #[case("plan", "TF_CLI_ARGS_plan")]
    #[case("state rm", "TF_CLI_ARGS_state_rm")]
    #[case("force-unlock", "TF_CLI_ARGS_force_unlock")]
    #[case("", "TF_CLI_ARGS_")]
    fn command_variables(#[case] command: &str, #[case] want: &str) {
        assert_eq!(command_variable(command), want);
    }

    fn merged(line: &str, env: &[(&str, &str)]) -> Merged {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        merge(&words(line), &|name| {
            env.get(name).filter(|v| !v.is_empty()).cloned()
        })
    }

    #[rstest]
    #[case("apply", &[("TF_CLI_ARGS", "-auto-approve")], "apply -auto-approve")]
    #[case(
        "apply x.tfplan",
        &[("TF_CLI_ARGS", "-input=false"), ("TF_CLI_ARGS_apply", "-auto-approve")],
        "apply -auto-approve -input=false x.tfplan"
    )]
    #[case("state rm a", &[("TF_CLI_ARGS_state_rm", "-dry-run")], "state rm -dry-run a")]
    #[case("state rm a", &[("TF_CLI_ARGS", "-lock=false")], "state rm -lock=false a")]
    #[case("", &[("TF_CLI_ARGS", "destroy -auto-approve")], "destroy -auto-approve")]
    #[case("-help", &[("TF_CLI_ARGS", "apply")], "apply -help")]
    #[case("plan", &[("TF_CLI_ARGS_apply", "-auto-approve")], "plan")]
    fn merges_where_terraform_merges(
        #[case] line: &str,
        #[case] env: &[(&str, &str)],
        #[case] want: &str,
    ) {
        let got = merged(line, env);
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(got.args, words(want));
    }

    #[test]
    fn values_are_split_like_a_shell() {
        let got = merged("plan", &[("TF_CLI_ARGS", "-var 'a=b c' -target=\"x.y\"")]);
        assert_eq!(got.args, vec!["plan", "-var", "a=b c", "-target=x.y"]);
        assert_eq!(got.added, vec!["-var", "a=b c", "-target=x.y"]);
    }

    #[rstest]
    #[case("-auto-approve; rm -rf /")]
    #[case("-var 'a=b")]
    #[case("-var=x=$HOME")]
    #[case("-var=\\\"x")]
    fn unsplittable_values_are_problems(#[case] value: &str) {
        let got = merged("plan", &[("TF_CLI_ARGS_plan", value)]);
        assert_eq!(got.args, words("plan"));
        assert_eq!(got.problems.len(), 1, "{:?}", got.problems);
        assert!(got.problems[0].contains("TF_CLI_ARGS_plan"));
    }
}
