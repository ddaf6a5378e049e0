//! terraform / tofu enricher: the effective working directory (`-chdir`), the workspace,
//! destroy detection, saved plans, targets and replacements, the declared backend, and
//! the merging of `TF_CLI_ARGS` / `TF_CLI_ARGS_<command>` into the command line exactly
//! where terraform merges them.
//!
//! It also checks that terraform would run the command the walker found (see `cli`):
//! terraform picks its command before parsing options, with rules of its own.
//!
//! Reads `<dir>/.terraform/environment` and the top-level `*.tf` files only: no
//! subprocesses, no network, never runs terraform. Never fails: what it cannot pin down
//! lands in `fact.uncertain`, or in `fact.target.uncertain` when it is the workspace.

pub mod backend;
pub mod cli;

use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// The `terraform` object of a fact. See facts.md and docs/tools/terraform.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TerraformFact {
    /// The `-chdir` directory as given, `""` when not given. The resolved directory is
    /// the fact's `cwd`.
    pub chdir: String,
    /// Selected workspace: `TF_WORKSPACE`, else `<cwd>/.terraform/environment` (or
    /// `$TF_DATA_DIR/environment`), else `default`.
    pub workspace: String,
    /// `-auto-approve` (and not `=false`).
    pub auto_approve: bool,
    /// Destroys infrastructure: `destroy`, `apply -destroy`, `plan -destroy`.
    pub destroy: bool,
    /// The saved plan given to `apply` (its positional, unless that is a directory).
    pub plan_file: String,
    /// Every `-target` value.
    pub targets: Vec<String>,
    /// Every `-replace` value.
    pub replace: Vec<String>,
    /// Backend type declared in the configuration (`s3`, `gcs`, `cloud`, …), when
    /// cheaply readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The words `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>` added to the command line
    /// (they are in `flags`/`args` like any other word).
    pub cli_args: Vec<String>,
    /// The workspace `workspace delete NAME` or `workspace new NAME` acts on, `""` for
    /// every other command. It is the command's target: deleting `prod` while `dev` is
    /// selected lands on `prod` (terraform ignores `TF_WORKSPACE` for these two).
    pub named_workspace: String,
}

/// The arguments terraform will actually see: `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>`
/// merged into `rest` (argv without argv[0]) right after the command, where terraform
/// merges them. The `-chdir` option is kept first, since terraform acts on it before
/// anything else. A variable that cannot be split like terraform splits it is left out
/// and reported in `uncertain` (terraform itself would stop with an error).
pub fn merge_cli_args(rest: &[String], ctx: &Context, uncertain: &mut Vec<String>) -> Vec<String> {
    let merged = merged(rest, ctx);
    uncertain.extend(merged.1.problems.iter().cloned());
    merged.0
}

/// The merged line and the merge details; the `-chdir` words come first.
fn merged(rest: &[String], ctx: &Context) -> (Vec<String>, cli::Merged) {
    let chdir = cli::extract_chdir(rest);
    let without = cli::without_chdir(rest, chdir.as_ref());
    let merged = cli::merge(&without, &|name| ctx.var(name).map(str::to_string));
    let mut line: Vec<String> = chdir
        .and_then(|c| rest.get(c.index..c.index + c.words))
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    line.extend(merged.args.iter().cloned());
    (line, merged)
}

/// Fills `fact.terraform`, sets `fact.cwd` to the `-chdir` directory, pushes to
/// `fact.uncertain` a command terraform would pick differently, and to
/// `fact.target.uncertain` a workspace file that exists but cannot be read.
pub fn enrich(walked: &Walked, ctx: &Context, fact: &mut Fact) {
    let rest = fact.argv.get(1..).unwrap_or(&[]).to_vec();
    let chdir = cli::extract_chdir(&rest);
    let (line, merge) = merged(&rest, ctx);
    let help = line.iter().any(|w| cli::VERSION.contains(&w.as_str()))
        || line
            .iter()
            .take_while(|w| *w != "--")
            .any(|w| cli::HELP.contains(&w.as_str()));
    if !help {
        check_command(walked, &line, chdir.as_ref().map_or(0, |c| c.words), fact);
    }

    let cwd = match &chdir {
        Some(c) => effective_dir(&ctx.cwd, &c.dir),
        None => ctx.cwd.clone(),
    };
    fact.cwd = cwd.display().to_string();
    // A -chdir that is not UTF-8 was turned into text lossily (U+FFFD), so the directory
    // read here is not the one terraform enters: its workspace is unknown.
    if !help && chdir.as_ref().is_some_and(|c| c.dir.contains('\u{FFFD}')) {
        fact.target.uncertain.push(
            "the -chdir directory is not valid UTF-8, so failsafe cannot read which workspace it selects"
                .to_string(),
        );
    }
    // An unreadable workspace file leaves the target unknown: refused in every mode
    // (bundled/target.rego), except when only asking for help, which runs nothing.
    let workspace = workspace(&cwd, ctx).unwrap_or_else(|problem| {
        if !help {
            fact.target.uncertain.push(problem);
        }
        String::new()
    });
    let verb = walked.verb.as_str();
    let on = |name: &str| walked.flags.get(name).is_some_and(go_bool);
    let plan_file = match (verb, walked.args.first()) {
        ("apply", Some(arg)) if !cwd.join(arg).is_dir() => arg.clone(),
        _ => String::new(),
    };
    fact.terraform = Some(TerraformFact {
        chdir: chdir.map(|c| c.dir).unwrap_or_default(),
        workspace,
        auto_approve: on("auto-approve"),
        destroy: verb == "destroy" || (matches!(verb, "apply" | "plan") && on("destroy")),
        plan_file,
        targets: strings(walked, "target"),
        replace: strings(walked, "replace"),
        backend: if help { None } else { backend::declared(&cwd) },
        cli_args: merge.added,
        named_workspace: match (verb, walked.subverb.as_str(), walked.args.first()) {
            ("workspace", "delete" | "new", Some(name)) => name.clone(),
            _ => String::new(),
        },
    });
}

/// Pushes an `uncertain` entry when terraform would run another command than the one
/// the walker found. `line` is the merged line the walker read, `-chdir` words first.
fn check_command(walked: &Walked, line: &[String], chdir_words: usize, fact: &mut Fact) {
    let after_chdir = line.get(chdir_words..).unwrap_or(&[]);
    let found = cli::find_command(after_chdir);
    // Options before the command make terraform refuse to run at all.
    if found.as_ref().is_some_and(|f| f.top_flags) {
        return;
    }
    let theirs = found
        .as_ref()
        .map(|f| (f.index + chdir_words, f.command.clone()));
    let ours_words = [walked.verb_as_typed.as_str(), walked.subverb.as_str()];
    let ours = walked.verb_index.map(|i| {
        let words: Vec<&str> = ours_words.into_iter().filter(|w| !w.is_empty()).collect();
        (i, words.join(" "))
    });
    if theirs == ours {
        return;
    }
    let name = |c: &Option<(usize, String)>| c.as_ref().map(|(_, w)| w.clone());
    fact.uncertain.push(match (name(&theirs), name(&ours)) {
        (Some(t), Some(o)) => format!(
            "{} would run `{t}`, not `{o}`: it reads the command words differently; write the command plainly",
            fact.binary
        ),
        (Some(t), None) => format!("{} would run `{t}`, which failsafe did not read as a command", fact.binary),
        (None, Some(o)) => format!("{} would not run `{o}`", fact.binary),
        (None, None) => return,
    });
}

/// The directory `-chdir` names, taken from the process's working directory, symlinks
/// resolved when it exists (terraform's own chdir does the same); otherwise cleaned of
/// `.` and `..` by hand.
fn effective_dir(cwd: &Path, dir: &str) -> PathBuf {
    let joined = cwd.join(dir);
    joined.canonicalize().unwrap_or_else(|_| {
        let mut clean = PathBuf::new();
        for part in joined.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir => {
                    clean.pop();
                }
                other => clean.push(other),
            }
        }
        clean
    })
}

/// The selected workspace, read as terraform's `Meta.WorkspaceOverridden` reads it:
/// `TF_WORKSPACE` verbatim when set and non-empty; else the file `environment` in the
/// data directory (`TF_DATA_DIR`, taken from the `-chdir` directory when relative, else
/// `.terraform`), trimmed of surrounding white space as Go's `bytes.TrimSpace` trims it;
/// else `default` (no file, an empty file, or a path through a non-directory).
///
/// Fails with a message for `target.uncertain` when the file exists but cannot be read
/// (a directory, a FIFO, no permission) or is not UTF-8. terraform itself logs such a
/// read error and silently uses `default` — which is exactly the surprise a guard must
/// not repeat: the workspace the human selected is unknown.
fn workspace(cwd: &Path, ctx: &Context) -> Result<String, String> {
    if let Some(name) = ctx.var("TF_WORKSPACE") {
        return Ok(name.to_string());
    }
    let data_dir = ctx.var("TF_DATA_DIR").unwrap_or(".terraform");
    let path = cwd.join(data_dir).join("environment");
    let unreadable = |cause: &str| {
        format!(
            "terraform workspace file `{}` cannot be read ({cause}); terraform would fall back to workspace `default`, which may not be the one selected",
            path.display()
        )
    };
    match std::fs::metadata(&path) {
        // ENOTDIR: a parent is a file, so there is no workspace file (terraform's
        // read fails the same way and it uses `default`).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok("default".to_string());
        }
        _ => {}
    }
    match super::kubeconfig::read_text(&path) {
        Ok(Some(text)) if !text.trim().is_empty() => Ok(text.trim().to_string()),
        Ok(_) => Ok("default".to_string()),
        Err(cause) => Err(unreadable(&cause)),
    }
}

/// Every value of option `name`.
fn strings(walked: &Walked, name: &str) -> Vec<String> {
    walked
        .flag_values(name)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A switch as Go's `flag` package reads it: bare, or `=` one of strconv.ParseBool's
/// true spellings. A value `ParseBool` refuses counts as true: terraform stops with an
/// error then, and over-reporting is the safe side.
fn go_bool(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => !matches!(s.as_str(), "0" | "f" | "F" | "false" | "FALSE" | "False"),
        _ => false,
    }
}

/// The target of a terraform command: the workspace `workspace delete|new` names, else
/// the selected workspace.
pub fn target(t: &TerraformFact, settings: &Settings) -> Target {
    let name = if t.named_workspace.is_empty() {
        &t.workspace
    } else {
        &t.named_workspace
    };
    super::target::classify("workspace", name, &[], settings)
}

#[cfg(test)]
mod tests;
