//! aws enricher: service and operation, profile, region and account, dry runs, and s3
//! paths and direction.
//!
//! The walker (driven by `shims/aws.toml`) already read the line the way the aws CLI's
//! argparse parsers do: global options anywhere, the service and the operation as verb
//! and subverb, operation parameters taking the words after them. This module adds what
//! the line alone cannot say — the profile's region and account from the config file,
//! and from the table generated out of the aws CLI's models whether the operation
//! honours the dry run asked for and whether it prints a credential (`operations`) —
//! and flags, in `uncertain`, the shapes whose meaning failsafe cannot pin down: an s3
//! copy without exactly one source and one destination, a `--`, an interactive
//! auto-prompt that would let the command be edited after the check. What leaves the
//! target itself unknown (a profile aws cannot resolve, an aws alias) goes to
//! `target.uncertain`, which is refused in every mode.
//!
//! Reads the config and alias files (and the credentials file's section names, when a
//! named profile is not in the config file) only: no subprocesses, no network. Never
//! fails.

pub mod config;
pub mod ini;
pub mod operations;

use super::target::Target;
use super::walker::Walked;
use super::{Context, Fact};
use crate::config::Settings;
use serde::Serialize;
use serde_json::Value;

/// The `aws` object of a fact. See facts.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AwsFact {
    /// Service (`ec2`, `s3`); the fact's `verb`.
    pub service: String,
    /// Operation (`describe-instances`, `cp`); the fact's `subverb`.
    pub operation: String,
    /// Effective profile: `--profile`, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`,
    /// else `default`.
    pub profile: String,
    /// Effective region: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else
    /// the profile's `region` in the config file; `""` when none is known.
    pub region: String,
    /// The account the profile lands in: the account of its `role_arn`, else its
    /// `sso_account_id`; `""` when the config file does not say.
    pub account: String,
    /// `--endpoint-url`; `""` when not given.
    pub endpoint_url: String,
    /// A dry run the aws CLI honours for this exact operation: its model has a `DryRun`
    /// parameter that promises to change nothing (`--dry-run`, the last of
    /// `--dry-run`/`--no-dry-run` winning, abbreviations as argparse accepts them), or
    /// it is `s3 cp|mv|rm|sync --dryrun`, `eks update-kubeconfig --dry-run` or
    /// `emr-containers update-role-trust-policy --dry-run`. A dry-run flag the operation
    /// does not define is an error to aws and is `false` here.
    pub dry_run: bool,
    /// The command prints or mints a credential (a password, secret, key or token), by
    /// the table generated from the aws CLI's models (`policies/data/aws-operations.txt`),
    /// taking switches like `--with-decryption` and `--hide-password` into account;
    /// `false` for an honoured dry run.
    pub reveals_credentials: bool,
    /// `s3`/`s3api` only: every `s3://` argument (positionals, then option values).
    pub paths: Vec<String>,
    /// `s3 cp|mv|sync` only: the last path argument (the destination) is `s3://`.
    pub destination_is_s3: bool,
    /// `s3`/`s3api` only: `--recursive`.
    pub recursive: bool,
    /// `s3`/`s3api` only: `--delete`.
    pub delete: bool,
    /// The config file read for region and account; `""` when there was none.
    pub config_file: String,
    /// The profile was named (`--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`) rather
    /// than the implicit `default`: aws then stops when it does not exist.
    #[serde(skip)]
    pub profile_named: bool,
}

/// The s3 commands that copy from a source to a destination.
const S3_TRANSFERS: &[&str] = &["cp", "mv", "sync"];

/// Fills `fact.aws`, and pushes to `fact.uncertain` what cannot be pinned down: `--`, an
/// s3 transfer without exactly two paths, an auto-prompt.
///
/// What leaves the target itself unknown (the config file cannot be read or parsed, the
/// profile is in neither aws file, `AWS_PROFILE` and `AWS_DEFAULT_PROFILE` disagree, an
/// aws alias, an alias file that cannot be read) goes to `fact.target.uncertain`,
/// refused in every mode.
pub fn enrich(walked: &Walked, ctx: &Context, fact: &mut Fact) {
    let mut uncertain = Vec::new();
    let mut target_uncertain = Vec::new();
    let env = |name: &str| ctx.var(name);
    let args = fact.argv.get(1..).unwrap_or(&[]);
    let mut aws = from_walk(walked, args, &env, &mut uncertain, &mut target_uncertain);
    if only_help(walked) {
        target_uncertain.clear();
    } else {
        add_config(&mut aws, walked, ctx, &mut uncertain, &mut target_uncertain);
    }
    // Even `help` can be an alias: aws lets an alias replace a built-in command. An
    // alias can carry `--profile` or `--endpoint-url`, so it leaves the target unknown
    // too, in every mode: in write mode a user's "ask before changing prod" policy
    // would otherwise judge the alias's name, not the account it lands in.
    if !aws.service.is_empty() {
        config::check_aliases(ctx, &aws.service, &aws.operation, &mut target_uncertain);
    }
    fact.uncertain.append(&mut uncertain);
    fact.target.uncertain.append(&mut target_uncertain);
    fact.aws = Some(aws);
}

/// True when `flag` was given as a plain switch.
fn switch(walked: &Walked, flag: &str) -> bool {
    walked.flags.get(flag) == Some(&Value::Bool(true))
}

/// A flag's non-empty string value.
fn text<'a>(walked: &'a Walked, flag: &str) -> Option<&'a str> {
    walked.flag_str(flag).filter(|v| !v.is_empty())
}

/// True when aws would print help or its version and do nothing else, so its files do
/// not matter (`aws`, `aws help`, `aws ec2 help`, `--version` anywhere).
fn only_help(walked: &Walked) -> bool {
    walked.verb.is_empty()
        || walked.verb == "help"
        || walked.subverb == "help"
        || switch(walked, "version")
}

/// The profile aws uses, and whether it was named (by `--profile` or the environment)
/// rather than the implicit `default`. botocore (aws CLI v1) reads `AWS_DEFAULT_PROFILE`
/// before `AWS_PROFILE`; the aws CLI v2 reads them the other way round, so when both
/// are set and differ the profile depends on the CLI's version and is noted in
/// `target_uncertain`.
fn profile<'e>(
    walked: &Walked,
    env: &dyn Fn(&str) -> Option<&'e str>,
    target_uncertain: &mut Vec<String>,
) -> (String, bool) {
    if let Some(given) = text(walked, "profile") {
        return (given.to_string(), true);
    }
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    match (set("AWS_DEFAULT_PROFILE"), set("AWS_PROFILE")) {
        (Some(v1), Some(v2)) if v1 != v2 => {
            target_uncertain.push(format!(
                "`AWS_DEFAULT_PROFILE={v1}` and `AWS_PROFILE={v2}` disagree: aws CLI v1 uses the first, v2 the second; unset one of them or pass `--profile`"
            ));
            (v1.to_string(), true)
        }
        (Some(p), _) | (None, Some(p)) => (p.to_string(), true),
        (None, None) => ("default".to_string(), false),
    }
}

/// Whether the line is an honoured dry run, and whether it reveals a credential, by the
/// generated operations table.
fn dry_run_and_credentials(
    service: &str,
    operation: &str,
    args: &[String],
    walked: &Walked,
) -> (bool, bool) {
    let Some(op) = operations::lookup(service, operation) else {
        return (false, false);
    };
    let dry_run = op.dry_run.is_some_and(|s| s.value(args) == Some(true));
    // An input file (`--cli-input-json`) can set any parameter the line leaves unset.
    let from_file = ["cli-input-json", "cli-input-yaml"]
        .iter()
        .any(|f| walked.has_flag(f));
    let reveals = match op.reveals {
        operations::Reveals::Never => false,
        operations::Reveals::Always => true,
        operations::Reveals::If(s) => s.value(args).unwrap_or(from_file),
        operations::Reveals::Unless(s) => !s.value(args).unwrap_or(false),
    };
    (dry_run, reveals && !dry_run)
}

/// Everything the command line and the environment say (the pure stage). `args` is
/// argv without argv[0], in order, for the switches whose last occurrence wins.
fn from_walk<'e>(
    walked: &Walked,
    args: &[String],
    env: &dyn Fn(&str) -> Option<&'e str>,
    uncertain: &mut Vec<String>,
    target_uncertain: &mut Vec<String>,
) -> AwsFact {
    let service = walked.verb.clone();
    let operation = walked.subverb.clone();
    let (profile, named) = profile(walked, env, target_uncertain);
    let region = text(walked, "region")
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or("")
        .to_string();
    let (dry_run, reveals_credentials) =
        dry_run_and_credentials(&service, &operation, args, walked);
    let mut aws = AwsFact {
        profile,
        profile_named: named,
        region,
        endpoint_url: text(walked, "endpoint-url").unwrap_or("").to_string(),
        dry_run,
        reveals_credentials,
        ..AwsFact::default()
    };
    if walked.dashdash_at.is_some() {
        // Each of aws's parsers reads `--` its own way: `--names a -- help` shows help
        // where failsafe's walk would see a positional `help` after the list, and before
        // the service it is an error. Nobody needs it with aws; refuse to guess.
        uncertain.push(
            "`--` in an aws command: aws reads what follows it differently at each level, so failsafe does not guess".to_string(),
        );
    }
    if matches!(service.as_str(), "s3" | "s3api") {
        s3_details(&mut aws, walked, &operation, uncertain);
    }
    if auto_prompt_flag(walked) == Some(true) {
        uncertain.push(prompt_note("`--cli-auto-prompt`"));
    } else if auto_prompt_flag(walked).is_none() {
        if let Some(v) = env("AWS_CLI_AUTO_PROMPT").filter(|v| prompts(v)) {
            uncertain.push(prompt_note(&format!("`AWS_CLI_AUTO_PROMPT={v}`")));
        }
    }
    aws.service = service;
    aws.operation = operation;
    aws
}

fn s3_details(aws: &mut AwsFact, walked: &Walked, operation: &str, uncertain: &mut Vec<String>) {
    let values = walked
        .flags_all
        .values()
        .filter_map(Value::as_array)
        .flatten();
    aws.paths = walked
        .args
        .iter()
        .map(String::as_str)
        .chain(values.filter_map(Value::as_str))
        .filter(|a| a.starts_with("s3://"))
        .map(str::to_string)
        .collect();
    aws.recursive = switch(walked, "recursive");
    aws.delete = switch(walked, "delete");
    if walked.verb != "s3" || !S3_TRANSFERS.contains(&operation) {
        return;
    }
    aws.destination_is_s3 = walked.args.last().is_some_and(|a| a.starts_with("s3://"));
    let asks_help = walked.args.len() == 1 && walked.args[0] == "help";
    if walked.args.len() != 2 && !asks_help {
        let list: Vec<String> = walked.args.iter().map(|a| format!("`{a}`")).collect();
        uncertain.push(format!(
            "`aws s3 {operation}` takes a source and a destination, but failsafe found {} path(s){}{}",
            walked.args.len(),
            if list.is_empty() { "" } else { ": " },
            list.join(", ")
        ));
    }
}

/// `Some(true)` for `--cli-auto-prompt`, `Some(false)` for `--no-cli-auto-prompt`
/// (which wins), `None` for neither.
fn auto_prompt_flag(walked: &Walked) -> Option<bool> {
    if walked.has_flag("no-cli-auto-prompt") {
        Some(false)
    } else if walked.has_flag("cli-auto-prompt") {
        Some(true)
    } else {
        None
    }
}

/// True for the auto-prompt settings that can open the prompt (`on`, `on-partial`).
fn prompts(setting: &str) -> bool {
    matches!(
        setting.trim().to_ascii_lowercase().as_str(),
        "on" | "on-partial"
    )
}

fn prompt_note(origin: &str) -> String {
    format!(
        "{origin} makes aws v2 open an interactive prompt where the command can be changed after failsafe checked it"
    )
}

/// Region, account and the auto-prompt setting from the profile in the config file.
/// A config file aws cannot read, or a named profile that is in neither the config nor
/// the credentials file, leaves the target unknown (`target_uncertain`).
fn add_config(
    aws: &mut AwsFact,
    walked: &Walked,
    ctx: &Context,
    uncertain: &mut Vec<String>,
    target_uncertain: &mut Vec<String>,
) {
    let mut broken = Vec::new();
    let file = config::load(ctx, &mut broken);
    if !broken.is_empty() {
        target_uncertain.append(&mut broken);
        return;
    }
    if let Some(file) = &file {
        aws.config_file = file.path.display().to_string();
    }
    let profile = file.as_ref().and_then(|f| f.profile(&aws.profile));
    let Some(profile) = profile else {
        if aws.profile_named {
            config::check_credentials_profile(ctx, &aws.profile, target_uncertain);
        }
        return;
    };
    if aws.region.is_empty() {
        aws.region = profile.region.trim().to_string();
    }
    aws.account = config::account(&profile);
    let env_prompt = ctx.var("AWS_CLI_AUTO_PROMPT").is_some();
    if auto_prompt_flag(walked).is_none() && !env_prompt && prompts(&profile.cli_auto_prompt) {
        uncertain.push(prompt_note(&format!(
            "`cli_auto_prompt = {}` in profile `{}` of `{}`",
            profile.cli_auto_prompt.trim(),
            aws.profile,
            aws.config_file
        )));
    }
}

/// The target of an aws command: the account when known (else the profile), with the
/// profile as another name, so either can be in the inventory.
pub fn target(a: &AwsFact, settings: &Settings) -> Target {
    let name = if a.account.is_empty() {
        &a.profile
    } else {
        &a.account
    };
    super::target::classify("account", name, &[&a.profile, &a.account], settings)
}

#[cfg(test)]
mod tests;
