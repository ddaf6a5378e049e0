//! The human-facing subcommands (`failsafe explain`, `mode`, `trust`, …), built with clap.
//!
//! Each subcommand lives in its own module and returns an exit code. Output goes through
//! [`out`] and [`err`]; nothing here execs a guarded tool.

mod approve;
mod doctor;
mod explain;
pub(crate) mod guard;
mod inspect;
mod lockdown;
mod logs;
mod modes;
pub mod seal;
mod setup;
mod testing;
mod trust;
mod validate;
mod watch;

use crate::exit;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// Writes `text` to stdout (the CLI's data channel).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes `text` to stderr (messages for the human).
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// failsafe: a command guard for AI coding agents.
///
/// Installed as shims named kubectl, helm, terraform, tofu, aws and git at the front of
/// an agent's PATH, failsafe judges every call against Rego policies and runs the real
/// tool or refuses it (exit 77). These subcommands are for the human.
#[derive(Debug, Parser)]
#[command(name = "failsafe", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Examples:\n  failsafe explain -- kubectl --context prod delete ns payments\n  failsafe mode get\n  failsafe install-shims\n  failsafe doctor"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// A mode word as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Read-only (also `r`, `read`).
    #[value(alias = "r", alias = "read")]
    Ro,
    /// Read-write (also `w`, `write`).
    #[value(alias = "w", alias = "write")]
    Rw,
}

impl ModeArg {
    /// The mode it names.
    pub fn mode(self) -> crate::mode::Mode {
        match self {
            ModeArg::Ro => crate::mode::Mode::Read,
            ModeArg::Rw => crate::mode::Mode::Write,
        }
    }
}

/// `--json` for commands that print data.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// failsafe's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dry-run a command: print the decision, every rule that matched and (with --fact)
    /// the fact the policies saw.
    ///
    /// Never runs anything. Exit status 0 means the command would run, 1 that it would be
    /// blocked or need approval, 3 that the program is not guarded (failsafe never sees it).
    #[command(
        after_help = "Examples:\n  failsafe explain -- kubectl --context prod delete ns payments\n  failsafe explain 'git push --force origin main'\n  failsafe explain --mode rw --json -- terraform destroy"
    )]
    Explain {
        /// Judge as if the pane were in this mode instead of its current one.
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// Print the fact, the rules and the decision as one JSON document.
        #[arg(long)]
        json: bool,
        /// Also print the fact (the JSON document the policies see).
        #[arg(long)]
        fact: bool,
        /// The command: its words after `--`, or one quoted string.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
    /// Answer an agent's pre-exec hook: read its JSON on stdin, reply in its dialect.
    ///
    /// The agent is recognised from the JSON unless named. Anything that cannot be
    /// judged is refused (exit 2 with the reason on stderr, or the agent's own refusal);
    /// no objection is silence. Bare `failsafe` with stdin not a terminal does the same.
    #[command(
        after_help = "Examples:\n  failsafe hook < pre-tool-use.json\n  failsafe hook --agent codex < pre-tool-use.json"
    )]
    Hook {
        /// The agent: claude, codex, gemini, qwen, cursor, copilot, cline, goose, crush,
        /// windsurf, opencode (default: recognised from the JSON).
        #[arg(long)]
        agent: Option<String>,
    },
    /// Read or set this pane's mode (read-only or write).
    #[command(after_help = "Examples:\n  failsafe mode get\n  failsafe mode set rw")]
    Mode {
        /// get or set.
        #[command(subcommand)]
        action: ModeAction,
    },
    /// Flip this pane between read and write; prints old → new.
    #[command(
        after_help = "Examples:\n  failsafe toggle\n  failsafe toggle --pane %3 --for 30m --reason 'roll out payments'"
    )]
    Toggle {
        /// `--pane`.
        #[command(flatten)]
        pane: PaneArg,
        /// `--for`, `--reason`, `--ticket`, `--incarnation`.
        #[command(flatten)]
        write: WriteOptions,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Approve one refused command once, deny it, or list what is waiting.
    #[command(
        after_help = "Examples:\n  failsafe approve --list\n  failsafe approve k7m2qx\n  failsafe approve --deny k7m2qx"
    )]
    Approve {
        /// The id the refusal printed.
        #[arg(required_unless_present = "list")]
        id: Option<String>,
        /// Deny the request instead.
        #[arg(long)]
        deny: bool,
        /// List pending requests and unused grants (command, target, rule, pane, age).
        #[arg(long, conflicts_with_all = ["id", "deny"])]
        list: bool,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Refuse every guarded command in a pane (or all panes) until a human lifts it.
    #[command(
        after_help = "Examples:\n  failsafe lockdown --pane %3 --reason 'looping on deletes'\n  failsafe lockdown --all\n  failsafe lockdown --off --pane %3\n  failsafe lockdown --list"
    )]
    Lockdown {
        /// `--pane` (default: this terminal's own).
        #[command(flatten)]
        pane: PaneArg,
        /// Every pane.
        #[arg(long, conflicts_with = "pane")]
        all: bool,
        /// Lift the lockdown instead.
        #[arg(long)]
        off: bool,
        /// Show which panes are locked down.
        #[arg(long, conflicts_with_all = ["off", "all"])]
        list: bool,
        /// Why, in a few words (kept in the log and shown in refusals).
        #[arg(long)]
        reason: Option<String>,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Watch every pane's decisions live; approve, deny or lock down with a key.
    #[command(
        after_help = "Keys: ↑/↓ select a pending approval, a approve, d deny, l lock its pane down, q quit.\nExample:\n  failsafe watch"
    )]
    Watch,
    /// Trust a repo policy file by path and content hash, so its overrides apply.
    #[command(
        after_help = "Examples:\n  failsafe trust add\n  failsafe trust add ./.failsafe.rego\n  failsafe trust list"
    )]
    Trust {
        /// add, remove or list.
        #[command(subcommand)]
        action: TrustAction,
    },
    /// List the loaded policy files per layer.
    #[command(after_help = "Example:\n  failsafe policies list --json")]
    Policies {
        /// list.
        #[command(subcommand)]
        action: ListAction,
    },
    /// List the tool specs failsafe parses commands with.
    #[command(after_help = "Example:\n  failsafe tools list")]
    Tools {
        /// list.
        #[command(subcommand)]
        action: ListAction,
    },
    /// Print the effective policy chain for a directory, with <file:line> of every rule.
    #[command(after_help = "Example:\n  failsafe audit ~/src/payments")]
    Audit {
        /// Directory to audit (default: the current one).
        path: Option<PathBuf>,
        /// The tool whose bundled policy to show (default: all).
        #[arg(long)]
        tool: Option<String>,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Check everything failsafe will read before the agent runs into it.
    ///
    /// With no FILE: the whole config dir (config.toml, tools/, policies/, trust.json,
    /// modes/) and the repo policies above the current directory. Each file is recognised
    /// by what it is; every policy is loaded and evaluated against sample commands of
    /// every tool in read and write mode. Exit status 0 means every file printed `ok`.
    #[command(
        after_help = "Examples:\n  failsafe validate\n  failsafe validate --strict ~/.config/failsafe/policies/*.rego\n  failsafe validate --json ~/.config/failsafe/tools/docker.toml"
    )]
    Validate {
        /// Also fail a policy without `import rego.v1` or with a rule that has no `id`.
        #[arg(long)]
        strict: bool,
        /// Files to check (default: the whole config dir and the repo policies).
        files: Vec<PathBuf>,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Run a policy regression corpus and the `test_*` rules of the policy files.
    ///
    /// Each case is a directory with `fact.json` or `argv` (a JSON array, or one shell
    /// line) and `expected.json` (`{"decision": "block", "ids": ["..."], "mode": "read"}`).
    #[command(
        after_help = "Examples:\n  failsafe test tests/policy-cases\n  failsafe test tests/fixtures/targets --policies policies/examples/targets"
    )]
    Test {
        /// The corpus directory.
        dir: PathBuf,
        /// Judge with the policies under this directory as the user layer, instead of
        /// those in <config>/policies/.
        #[arg(long, value_name = "DIR")]
        policies: Option<PathBuf>,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Create the shim symlinks and print the PATH line to add.
    #[command(
        after_help = "Examples:\n  failsafe install-shims\n  failsafe install-shims --dir /opt/agent/shims --tools kubectl,git\n  sudo failsafe install-shims --sealed --agent-user agent\n  sudo failsafe install-shims --unseal"
    )]
    InstallShims {
        /// Directory for the shims (default: $`XDG_DATA_HOME/failsafe/shims` or ~/.local/share/failsafe/shims).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Comma-separated tools to shim, installed or not (default: every built-in tool
        /// and user spec that is installed on PATH). A `failsafe` link is always added.
        #[arg(long, value_delimiter = ',')]
        tools: Option<Vec<String>>,
        /// Sealed install flags (--sealed, --agent-user, --unseal).
        #[command(flatten)]
        seal: seal::SealArgs,
    },
    /// Remove the shim symlinks that point at failsafe.
    #[command(after_help = "Example:\n  failsafe uninstall-shims")]
    UninstallShims {
        /// Directory of the shims (default as for install-shims).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check the setup the way the agent sees it; every failed check comes with its fix.
    ///
    /// Run from your own terminal (no shim directory on PATH) it says so and prints the
    /// command that checks the agent's side.
    #[command(
        after_help = "Examples:\n  failsafe doctor                      # in the agent's shell\n  env FAILSAFE_AGENT=1 PATH=\"$HOME/.local/share/failsafe/shims:$PATH\" bash -lc 'failsafe doctor'"
    )]
    Doctor(JsonFlag),
    /// Write a commented starter user policy and config.toml, and offer the shipped
    /// target examples under <config>/examples/targets/ (not loaded until copied into
    /// <config>/policies/). Existing files are kept.
    #[command(after_help = "Example:\n  failsafe init")]
    Init,
    /// Show the decision log, or verify its hash chain.
    #[command(args_conflicts_with_subcommands = true)]
    #[command(
        after_help = "Examples:\n  failsafe log --tail 20\n  failsafe log --since 1h --decision block\n  failsafe log --tool kubectl --env prod --follow\n  failsafe log --json | jq .decision\n  failsafe log verify"
    )]
    Log {
        /// verify: recompute the hash chain and name the first bad line.
        #[command(subcommand)]
        action: Option<LogAction>,
        /// Only the last N records (of those the filters keep).
        #[arg(long, value_name = "N")]
        tail: Option<usize>,
        /// `--since`, `--decision`, `--tool`, `--pane`, `--env`.
        #[command(flatten)]
        filter: LogFilter,
        /// Keep printing new records as they are written (until interrupted).
        #[arg(long)]
        follow: bool,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Summarise the decision log: counts by tool, verb, decision, rule and environment,
    /// the most dangerous refusals first, and a timeline.
    #[command(
        after_help = "Examples:\n  failsafe report\n  failsafe report --since 24h --format html > report.html\n  failsafe report --share --format md"
    )]
    Report {
        /// How far back: 30m, 24h, 7d, 2w.
        #[arg(long, default_value = "7d")]
        since: String,
        /// md, json or html (one self-contained file).
        #[arg(long, default_value = "md")]
        format: String,
        /// Scrub home paths, user names, account ids, ARNs, cluster and host names.
        #[arg(long)]
        share: bool,
    },
    /// Print shell completions.
    #[command(
        after_help = "Examples:\n  mkdir -p ~/.local/share/bash-completion/completions\n  failsafe completions bash > ~/.local/share/bash-completion/completions/failsafe\n  failsafe completions zsh > \"${fpath[1]}/_failsafe\""
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `--pane` for the mode commands.
#[derive(Debug, Clone, Args)]
pub struct PaneArg {
    /// The pane to act on, instead of this terminal's own (e.g. the agent's tmux pane
    /// `%3`, or the value the agent has in `FAILSAFE_PANE`).
    #[arg(long)]
    pub pane: Option<String>,
}

/// What goes with a write mode.
#[derive(Debug, Clone, Default, Args)]
pub struct WriteOptions {
    /// Write mode lapses after this long: 30m, 2h, 1h30m (config.toml `[mode]` sets a
    /// default and a maximum).
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
    /// Why, in a few words (kept in the log).
    #[arg(long)]
    pub reason: Option<String>,
    /// A change ticket; policies see it as `input.ticket`.
    #[arg(long)]
    pub ticket: Option<String>,
    /// The pane incarnation to bind the mode to, as printed by the agent's refusal
    /// (default: this terminal's own; right when it shares the agent's tmux server).
    #[arg(long)]
    pub incarnation: Option<String>,
}

/// `failsafe mode …`.
#[derive(Debug, Subcommand)]
pub enum ModeAction {
    /// Print this pane's mode, how long write mode has left, and its incarnation (--json).
    Get {
        /// `--pane`.
        #[command(flatten)]
        pane: PaneArg,
        /// Read the mode as this incarnation of the pane (default: this terminal's own).
        #[arg(long)]
        incarnation: Option<String>,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
        /// `--agent` (sealed installs).
        #[command(flatten)]
        agent: seal::AgentArgs,
    },
    /// Set this pane's mode: ro (r, read) or rw (w, write).
    #[command(
        after_help = "Examples:\n  failsafe mode set rw --for 30m --reason 'migrate db' --ticket OPS-12\n  failsafe mode set ro --pane %3"
    )]
    Set {
        /// The new mode.
        #[arg(value_enum)]
        mode: ModeArg,
        /// `--pane`.
        #[command(flatten)]
        pane: PaneArg,
        /// `--for`, `--reason`, `--ticket`, `--incarnation`.
        #[command(flatten)]
        write: WriteOptions,
        /// `--json`.
        #[command(flatten)]
        json: JsonFlag,
        /// `--agent` and `--for` (sealed installs).
        #[command(flatten)]
        agent: seal::AgentArgs,
    },
}

/// `failsafe trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustAction {
    /// Trust a repo policy (default: the nearest .failsafe.rego above the current directory).
    Add {
        /// The .failsafe.rego file.
        path: Option<PathBuf>,
    },
    /// Stop trusting a repo policy.
    Remove {
        /// The .failsafe.rego file.
        path: PathBuf,
    },
    /// List trusted files and whether their content still matches.
    List(JsonFlag),
}

/// Which records `failsafe log` shows; every filter given must match.
#[derive(Debug, Clone, Default, Args)]
pub struct LogFilter {
    /// Only records from this far back: 30m, 24h, 7d, 2w.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only this decision: allow, block, ask.
    #[arg(long)]
    pub decision: Option<String>,
    /// Only this tool (`terraform` also matches `tofu`) or binary name.
    #[arg(long)]
    pub tool: Option<String>,
    /// Only this pane (as the agent's terminal names it, e.g. `%3`).
    #[arg(long)]
    pub pane: Option<String>,
    /// Only this target environment: prod, staging, dev, unknown.
    #[arg(long)]
    pub env: Option<String>,
}

/// `failsafe log …`.
#[derive(Debug, Subcommand)]
pub enum LogAction {
    /// Recompute the hash chain; exit 1 and name the first bad line when it is broken.
    Verify(JsonFlag),
}

/// `… list`.
#[derive(Debug, Subcommand)]
pub enum ListAction {
    /// List them.
    List(JsonFlag),
}

/// Parses `argv` and runs the subcommand; returns the exit code.
pub fn run(argv: &[OsString]) -> i32 {
    // An agent that runs bare `failsafe` as its hook pipes JSON in.
    let hook_call = (argv.len() == 1 && !std::io::IsTerminal::is_terminal(&std::io::stdin()))
        || argv.get(1).is_some_and(|a| a == "hook");
    // The setgid binary of a sealed install holds its group for shims only.
    if let Err(e) = crate::seal::privilege::drop_for_cli() {
        err(&format!(
            "failsafe: refused: {e}
"
        ));
        // Agents block on exit 2 with a reason on stderr; 77 is the shim's refusal.
        return if hook_call {
            exit::USAGE
        } else {
            exit::BLOCKED
        };
    }
    if argv.len() == 1 && hook_call {
        return crate::hook::run(None);
    }
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Explain {
            mode,
            json,
            fact,
            command,
        } => explain::run(mode, json, fact, command),
        Command::Hook { agent } => crate::hook::run(agent.as_deref()),
        Command::Mode { action } => {
            seal::intercept_mode(&action).unwrap_or_else(|| modes::run_mode(action))
        }
        Command::Toggle { pane, write, json } => {
            seal::intercept_toggle().unwrap_or_else(|| modes::toggle(pane.pane, &write, json.json))
        }
        Command::Trust { action } => trust::run(action),
        Command::Watch => watch::run(),
        Command::Lockdown {
            pane,
            all,
            off,
            list,
            reason,
            json,
        } => lockdown::run(pane.pane, all, off, list, reason, json.json),
        Command::Approve {
            id,
            deny,
            list,
            json,
        } => approve::run(
            match (id, deny || list) {
                (Some(id), true) if deny => approve::ApproveAction::Deny(id),
                (Some(id), _) if !list => approve::ApproveAction::Grant(id),
                _ => approve::ApproveAction::List,
            },
            json.json,
        ),
        Command::Policies {
            action: ListAction::List(j),
        } => inspect::policies_list(j.json),
        Command::Tools {
            action: ListAction::List(j),
        } => inspect::tools_list(j.json),
        Command::Audit { path, tool, json } => inspect::audit(path, tool.as_deref(), json.json),
        Command::Validate {
            strict,
            files,
            json,
        } => validate::run(strict, &files, json.json),
        Command::Test {
            dir,
            policies,
            json,
        } => testing::run(&dir, policies.as_deref(), json.json),
        Command::InstallShims { dir, tools, seal } if seal.wanted() => {
            seal::install(&seal, dir.as_deref(), tools)
        }
        Command::InstallShims { dir, tools, .. } => setup::install_shims(dir, tools),
        Command::UninstallShims { dir } => setup::uninstall_shims(dir),
        Command::Doctor(j) => doctor::run(j.json),
        Command::Init => setup::init(),
        Command::Log {
            action: Some(LogAction::Verify(j)),
            ..
        } => logs::verify(j.json),
        Command::Log {
            action: None,
            tail,
            filter,
            follow,
            json,
        } => logs::show(tail, &filter, follow, json.json),
        Command::Report {
            since,
            format,
            share,
        } => logs::report(&since, &format, share),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "failsafe", &mut buf);
            out(&String::from_utf8_lossy(&buf));
            exit::OK
        }
    }
}

/// The config dir of the real process environment.
pub fn config_dir() -> PathBuf {
    crate::config::process_config_dir()
}

/// Pretty JSON text with a trailing newline.
pub fn json_text(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
