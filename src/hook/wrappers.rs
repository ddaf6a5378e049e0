//! What one argument vector runs: wrappers peeled (`sudo`, `env`, `timeout`, …, each
//! with its own options), shells given a `-c` string or fed stdin, `eval`, interpreter
//! one-liners, and commands that write files.
//!
//! Pure: no I/O. Tools are recognised by basename (`/usr/local/bin/kubectl` is kubectl).

use super::shell::Command;

/// How many wrappers may be stacked (`sudo env nice timeout …`) before peeling stops.
const MAX_WRAPPERS: usize = 32;

/// What an argument vector turned out to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peeled {
    /// Nothing runs (`command -v kubectl`, `sudo -l`, a wrapper with no command).
    Nothing,
    /// This command runs.
    Run(Command),
    /// This command runs, and runs the nested ones (`find -exec`).
    Nested {
        /// The outer command.
        command: Command,
        /// The commands it runs, still to be peeled.
        inner: Vec<Command>,
    },
    /// A shell runs a script given as a string (`bash -c STRING`, `watch 'a | b'`).
    ShellString {
        /// The shell's name.
        shell: String,
        /// The script.
        script: String,
        /// The shell command itself.
        command: Command,
    },
    /// A shell reads its script from stdin (`… | bash`, `bash <<EOF`).
    ShellStdin {
        /// The shell's name.
        shell: String,
        /// The shell command itself.
        command: Command,
    },
    /// `eval`: the static text when there is one.
    Eval {
        /// The words joined, when all of them are static.
        script: Option<String>,
        /// The eval command itself.
        command: Command,
    },
    /// An interpreter one-liner (`python -c CODE`).
    Interpreter {
        /// The interpreter's name.
        name: String,
        /// The code.
        code: String,
        /// The interpreter command itself.
        command: Command,
    },
    /// An interpreter that reads its program from stdin (`python3 -`, `node <<EOF`).
    InterpreterStdin {
        /// The interpreter's name.
        name: String,
        /// The interpreter command itself.
        command: Command,
    },
    /// A command that writes to these paths (`tee`, `cp`, `rm`, `sed -i`, …).
    Writes {
        /// The written paths.
        paths: Vec<String>,
        /// How (`tee`, `rm`), for the message.
        how: String,
        /// The command itself.
        command: Command,
    },
}

/// The file name of a command word (`/usr/bin/sudo` → `sudo`).
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Options of one wrapper: short letters and long names that take a value, how many
/// positionals come before the wrapped command, and options that mean "nothing runs".
struct Grammar {
    short_values: &'static str,
    long_values: &'static [&'static str],
    positionals: usize,
    no_command: &'static [&'static str],
}

const fn g(
    short_values: &'static str,
    long_values: &'static [&'static str],
    positionals: usize,
    no_command: &'static [&'static str],
) -> Grammar {
    Grammar {
        short_values,
        long_values,
        positionals,
        no_command,
    }
}

fn grammar(name: &str) -> Option<Grammar> {
    Some(match name {
        "sudo" => g(
            "ugCDhpRrTtU",
            &[
                "user",
                "group",
                "close-from",
                "chdir",
                "host",
                "prompt",
                "role",
                "type",
                "command-timeout",
                "other-user",
                "chroot",
            ],
            0,
            &[
                "-l",
                "--list",
                "-v",
                "--validate",
                "-k",
                "-K",
                "--reset-timestamp",
                "--remove-timestamp",
                "-e",
                "--edit",
                "-V",
                "--version",
            ],
        ),
        "doas" => g("uC", &[], 0, &["-C"]),
        "env" => g("uCS", &["unset", "chdir", "split-string"], 0, &[]),
        "timeout" | "gtimeout" => g("ks", &["kill-after", "signal"], 1, &[]),
        "nohup" | "builtin" | "setsid" => g("", &[], 0, &[]),
        "time" => g("fo", &["format", "output"], 0, &[]),
        "nice" => g("n", &["adjustment"], 0, &[]),
        "command" => g("", &[], 0, &["-v", "-V"]),
        "exec" => g("a", &[], 0, &[]),
        "stdbuf" => g("ioe", &["input", "output", "error"], 0, &[]),
        "ionice" => g(
            "cn",
            &["class", "classdata"],
            0,
            &["-p", "-P", "-u", "--pid", "--pgid", "--uid"],
        ),
        "chrt" => g(
            "TPD",
            &["sched-runtime", "sched-period", "sched-deadline"],
            1,
            &["-p", "--pid", "-m", "--max"],
        ),
        "taskset" => g("", &[], 1, &["-p", "--pid"]),
        "watch" => g("nq", &["interval"], 0, &[]),
        "flock" => g("wE", &["timeout", "wait", "conflict-exit-code"], 1, &[]),
        "xargs" => g(
            "adEILnPs",
            &[
                "arg-file",
                "delimiter",
                "max-lines",
                "max-args",
                "max-procs",
                "max-chars",
                "process-slot-var",
            ],
            0,
            &[],
        ),
        _ => return None,
    })
}

/// Shells that take `-c STRING` or read a script from stdin.
fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "mksh" | "ash" | "fish" | "busybox"
    )
}

/// Interpreters and the option that introduces code on the command line.
fn code_options(name: &str) -> Option<&'static [&'static str]> {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "python" | "pypy" => &["-c"],
        "node" | "nodejs" | "bun" | "deno" => &["-e", "--eval", "-p", "--print"],
        "perl" => &["-e", "-E"],
        "ruby" | "lua" | "osascript" => &["-e"],
        "php" => &["-r"],
        _ => return None,
    })
}

/// An interpreter given no script file and no module: it runs what stdin holds.
fn reads_program_from_stdin(argv: &[String]) -> bool {
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "-" {
            return true;
        }
        if matches!(a, "-m" | "--version" | "-V" | "--help" | "-h" | "-v") {
            return false;
        }
        if !a.starts_with('-') {
            return false;
        }
        i += if matches!(a, "-W" | "-X" | "-r" | "--require" | "-I") {
            2
        } else {
            1
        };
    }
    true
}

/// Where `argv[from..]` starts the wrapped command, per `gr`; `None` when nothing runs.
fn command_start(argv: &[String], from: usize, gr: &Grammar) -> Option<usize> {
    let mut i = from;
    let mut positionals = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        if gr.no_command.contains(&a) {
            return None;
        }
        if a == "--" {
            i += 1;
            if positionals < gr.positionals {
                i += gr.positionals - positionals;
            }
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            if gr
                .no_command
                .iter()
                .any(|n| n.strip_prefix("--") == Some(name))
            {
                return None;
            }
            i += if !long.contains('=') && gr.long_values.contains(&name) {
                2
            } else {
                1
            };
            continue;
        }
        if a.len() > 1 && a.starts_with('-') && !a[1..].starts_with(|c: char| c.is_ascii_digit()) {
            let letters: Vec<char> = a[1..].chars().collect();
            let mut skip = 1;
            for (k, c) in letters.iter().enumerate() {
                if gr
                    .no_command
                    .iter()
                    .any(|n| n.len() == 2 && n.ends_with(*c))
                {
                    return None;
                }
                if gr.short_values.contains(*c) {
                    if k + 1 == letters.len() {
                        skip = 2;
                    }
                    break;
                }
            }
            i += skip;
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            // `nice -5 cmd`: an old-style number.
            i += 1;
            continue;
        }
        if positionals < gr.positionals {
            positionals += 1;
            i += 1;
            continue;
        }
        break;
    }
    (i < argv.len()).then_some(i)
}

fn is_assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), value.to_string()))
}

/// Follows wrappers until the command that really runs.
pub fn peel(argv: Vec<String>, env: Vec<(String, String)>, dynamic_args: bool) -> Peeled {
    let mut cmd = Command {
        argv,
        env,
        dynamic_args,
    };
    for _ in 0..MAX_WRAPPERS {
        let Some(first) = cmd.argv.first() else {
            return Peeled::Nothing;
        };
        let name = basename(first).to_string();
        if let Some(gr) = grammar(&name) {
            let script = shell_option(&cmd.argv, &name);
            if let Some(script) = script {
                return Peeled::ShellString {
                    shell: name,
                    script,
                    command: cmd,
                };
            }
            if name == "watch" && !cmd.argv.iter().any(|a| a == "-x" || a == "--exec") {
                return match command_start(&cmd.argv, 1, &gr) {
                    Some(start) => Peeled::ShellString {
                        shell: name,
                        script: cmd.argv[start..].join(" "),
                        command: cmd,
                    },
                    None => Peeled::Nothing,
                };
            }
            let Some(start) = command_start(&cmd.argv, 1, &gr) else {
                return Peeled::Nothing;
            };
            let mut rest: Vec<String> = cmd.argv[start..].to_vec();
            if matches!(name.as_str(), "env" | "sudo" | "doas") {
                // `env A=1 B=2 kubectl …`: assignments, then the command.
                while let Some((k, v)) = rest.first().and_then(|w| is_assignment(w)) {
                    cmd.env.push((k, v));
                    rest.remove(0);
                }
                if name == "env" {
                    if let Some(s) = split_string_option(&cmd.argv[..start]) {
                        let mut words = shell_words::split(&s).unwrap_or_default();
                        words.extend(rest);
                        rest = words;
                    }
                }
            }
            if name == "xargs" {
                cmd.dynamic_args = true;
            }
            cmd.argv = rest;
            continue;
        }
        if is_shell(&name) {
            return shell(cmd, name);
        }
        if name == "eval" {
            let script = (!cmd.dynamic_args).then(|| cmd.argv[1..].join(" "));
            return Peeled::Eval {
                script,
                command: cmd,
            };
        }
        if let Some(options) = code_options(&name) {
            if let Some(code) = option_value(&cmd.argv, options) {
                return Peeled::Interpreter {
                    name,
                    code,
                    command: cmd,
                };
            }
            if reads_program_from_stdin(&cmd.argv) {
                return Peeled::InterpreterStdin { name, command: cmd };
            }
            return Peeled::Run(cmd);
        }
        if matches!(name.as_str(), "find") {
            return find(cmd);
        }
        if matches!(name.as_str(), "su" | "runuser") {
            if let Some(script) = option_value(&cmd.argv, &["-c", "--command"]) {
                return Peeled::ShellString {
                    shell: name,
                    script,
                    command: cmd,
                };
            }
            return Peeled::Run(cmd);
        }
        if let Some((paths, how)) = writes(&name, &cmd.argv) {
            return Peeled::Writes {
                paths,
                how,
                command: cmd,
            };
        }
        return Peeled::Run(cmd);
    }
    Peeled::Run(cmd)
}

/// `flock … -c STRING`, `sudo -s`-less forms: the script string of a wrapper's own `-c`.
fn shell_option(argv: &[String], name: &str) -> Option<String> {
    match name {
        "flock" => option_value(argv, &["-c", "--command"]),
        _ => None,
    }
}

fn split_string_option(options: &[String]) -> Option<String> {
    option_value(options, &["-S", "--split-string"])
}

/// The value of the first of `options` in `argv` (`-c X`, `-cX`, `--eval=X`), looking
/// only at option words before the first `--`.
fn option_value(argv: &[String], options: &[&str]) -> Option<String> {
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--" {
            return None;
        }
        for o in options {
            if a == *o {
                return argv.get(i + 1).cloned();
            }
            if o.starts_with("--") {
                if let Some(v) = a.strip_prefix(&format!("{o}=")) {
                    return Some(v.to_string());
                }
            } else if let Some(v) = a.strip_prefix(o) {
                if !v.is_empty() && !a.starts_with("--") {
                    return Some(v.to_string());
                }
            }
        }
        i += 1;
    }
    None
}

/// A shell: `-c STRING` (also inside a cluster like `-lc`), a script file, or stdin.
fn shell(cmd: Command, name: String) -> Peeled {
    let mut i = 1;
    let mut wants_string = false;
    while i < cmd.argv.len() {
        let a = cmd.argv[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if a.starts_with("--") {
            i += if matches!(a, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
            continue;
        }
        if a.len() > 1 && (a.starts_with('-') || a.starts_with('+')) {
            if a[1..].contains('c') && a.starts_with('-') {
                wants_string = true;
            }
            i += if a[1..].ends_with('o') || a[1..].ends_with('O') {
                2
            } else {
                1
            };
            continue;
        }
        break;
    }
    if wants_string {
        return match cmd.argv.get(i).cloned() {
            Some(script) => Peeled::ShellString {
                shell: name,
                script,
                command: cmd,
            },
            None => Peeled::Nothing,
        };
    }
    if i < cmd.argv.len() && !cmd.argv.iter().any(|a| a == "-s") {
        // A script file: seeing into it is the shims' job.
        return Peeled::Run(cmd);
    }
    Peeled::ShellStdin {
        shell: name,
        command: cmd,
    }
}

/// `find … -exec CMD … ;` (and `-execdir`, `-ok`, `-okdir`).
fn find(cmd: Command) -> Peeled {
    let mut inner = Vec::new();
    let mut i = 1;
    while i < cmd.argv.len() {
        if matches!(
            cmd.argv[i].as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) {
            let start = i + 1;
            let mut end = start;
            while end < cmd.argv.len() && cmd.argv[end] != ";" && cmd.argv[end] != "+" {
                end += 1;
            }
            if start < end {
                inner.push(Command {
                    argv: cmd.argv[start..end].to_vec(),
                    env: cmd.env.clone(),
                    dynamic_args: true,
                });
            }
            i = end;
        }
        i += 1;
    }
    if inner.is_empty() {
        Peeled::Run(cmd)
    } else {
        Peeled::Nested {
            command: cmd,
            inner,
        }
    }
}

/// The positional words of `argv[1..]` (options dropped; everything after `--` kept).
fn positionals(argv: &[String], value_options: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 1;
    let mut options_done = false;
    while i < argv.len() {
        let a = &argv[i];
        if !options_done && a == "--" {
            options_done = true;
        } else if !options_done && a.len() > 1 && a.starts_with('-') {
            if value_options.contains(&a.as_str()) {
                i += 1;
            }
        } else {
            out.push(a.clone());
        }
        i += 1;
    }
    out
}

/// The paths a file-writing command writes to, and its name for the message.
fn writes(name: &str, argv: &[String]) -> Option<(Vec<String>, String)> {
    let target_dir = option_value(argv, &["-t", "--target-directory"]);
    let paths = match name {
        "tee" | "rm" | "rmdir" | "chmod" | "chown" | "chgrp" | "truncate" | "touch" | "mkdir"
        | "unlink" | "shred" => {
            let mut p = positionals(argv, &["-s", "--size", "-r", "--reference", "-m", "--mode"]);
            if matches!(name, "chmod" | "chown" | "chgrp") && !p.is_empty() {
                p.remove(0); // the mode or owner
            }
            p
        }
        "cp" | "mv" | "ln" | "install" | "rsync" | "scp" => {
            let p = positionals(
                argv,
                &[
                    "-t",
                    "--target-directory",
                    "-S",
                    "--suffix",
                    "-m",
                    "--mode",
                    "-o",
                    "-g",
                    "-e",
                ],
            );
            let mut out: Vec<String> = target_dir.into_iter().collect();
            if name == "mv" {
                out.extend(p); // moving a file out of a directory changes it too
            } else if out.is_empty() {
                out.extend(p.last().cloned());
            }
            out
        }
        "sed" | "perl"
            if argv.iter().any(|a| {
                a.starts_with("-i") || a == "--in-place" || a.starts_with("--in-place=")
            }) =>
        {
            positionals(argv, &["-e", "-f", "--expression", "--file"])
                .into_iter()
                .skip(usize::from(!argv.iter().any(|a| a == "-e" || a == "-f")))
                .collect()
        }
        "dd" => argv
            .iter()
            .filter_map(|a| a.strip_prefix("of=").map(str::to_string))
            .collect(),
        _ => return None,
    };
    Some((paths, format!("`{name}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn words(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap_or_default()
    }

    fn ran(line: &str) -> String {
        match peel(words(line), Vec::new(), false) {
            Peeled::Run(c) => c.argv.join(" "),
            Peeled::Nothing => "<nothing>".to_string(),
            other => format!("{other:?}"),
        }
    }

    #[rstest]
    #[case("sudo -u root -E kubectl delete ns a", "kubectl delete ns a")]
    #[case("sudo -- git push -f", "git push -f")]
    #[case("env -i A=1 kubectl get pods", "kubectl get pods")]
    #[case("env -u HOME -C /tmp git status", "git status")]
    #[case("timeout -s KILL 5 kubectl get pods", "kubectl get pods")]
    #[case("timeout 5s helm list", "helm list")]
    #[case("nice -n 10 terraform plan", "terraform plan")]
    #[case("nice -5 terraform plan", "terraform plan")]
    #[case("nohup aws s3 ls", "aws s3 ls")]
    #[case("command kubectl get pods", "kubectl get pods")]
    #[case("command -v kubectl", "<nothing>")]
    #[case("exec -a x kubectl get pods", "kubectl get pods")]
    #[case("stdbuf -oL kubectl logs x", "kubectl logs x")]
    #[case("stdbuf -o L kubectl logs x", "kubectl logs x")]
    #[case("ionice -c 3 git gc", "git gc")]
    #[case("chrt -f 10 git gc", "git gc")]
    #[case("taskset -c 0,1 git gc", "git gc")]
    #[case("taskset 0x3 git gc", "git gc")]
    #[case("flock /tmp/l kubectl apply -f x", "kubectl apply -f x")]
    #[case("flock -w 5 /tmp/l kubectl apply -f x", "kubectl apply -f x")]
    #[case("setsid git push", "git push")]
    #[case("doas -u root kubectl delete ns a", "kubectl delete ns a")]
    #[case("builtin git status", "git status")]
    #[case("time -p git status", "git status")]
    #[case("xargs -n1 -I{} kubectl delete pod {}", "kubectl delete pod {}")]
    #[case(
        "/usr/bin/sudo /usr/local/bin/kubectl get ns",
        "/usr/local/bin/kubectl get ns"
    )]
    #[case(
        "sudo env KUBECONFIG=/k nice timeout 3 kubectl get ns",
        "kubectl get ns"
    )]
    #[case("sudo -l", "<nothing>")]
    #[case("bash deploy.sh", "bash deploy.sh")]
    fn wrappers_are_peeled(#[case] line: &str, #[case] runs: &str) {
        assert_eq!(ran(line), runs);
    }

    #[test]
    fn env_assignments_are_kept() {
        let p = peel(words("env KUBECONFIG=/k kubectl get ns"), Vec::new(), false);
        assert!(
            matches!(&p, Peeled::Run(c) if c.env == vec![("KUBECONFIG".to_string(), "/k".to_string())]),
            "{p:?}"
        );
    }

    #[test]
    fn shells_and_interpreters() {
        assert!(
            matches!(peel(words("bash -lc 'kubectl get ns'"), Vec::new(), false), Peeled::ShellString { script, .. } if script == "kubectl get ns")
        );
        assert!(matches!(
            peel(words("sh"), Vec::new(), false),
            Peeled::ShellStdin { .. }
        ));
        assert!(matches!(
            peel(words("python3 -c 'import os'"), Vec::new(), false),
            Peeled::Interpreter { .. }
        ));
        assert!(matches!(
            peel(words("python3 tool.py"), Vec::new(), false),
            Peeled::Run(_)
        ));
        assert!(
            matches!(peel(words("watch -n 5 'kubectl get pods | head'"), Vec::new(), false), Peeled::ShellString { script, .. } if script == "kubectl get pods | head")
        );
    }
}
