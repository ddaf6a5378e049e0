//! Tables for the aws walk (through the built-in spec) and the enricher.

use super::*;
use crate::facts::walker::walk;
use crate::spec::ToolSpec;
use rstest::rstest;
use std::collections::BTreeMap;
use std::path::Path;

fn spec() -> ToolSpec {
    match crate::spec::builtin("aws") {
        Some(Ok(spec)) => spec,
        other => unreachable!("aws spec: {other:?}"),
    }
}

fn words(line: &str) -> Vec<String> {
    match shell_words::split(line) {
        Ok(w) => w,
        Err(e) => unreachable!("{line}: {e}"),
    }
}

fn walked(line: &str) -> Walked {
    walk(&spec(), &words(line))
}

/// Flags as `name=v1|v2` (switches as `name`), sorted.
fn flags(w: &Walked) -> String {
    let mut out: Vec<String> = w
        .flags_all
        .iter()
        .map(|(name, values)| {
            let list: Vec<String> = values
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            if list.is_empty() {
                name.clone()
            } else {
                format!("{name}={}", list.join("|"))
            }
        })
        .collect();
    out.sort();
    out.join(" ")
}

#[rstest]
#[case("ec2 describe-instances", "ec2", "describe-instances", "", "")]
#[case(
    "--region eu-west-1 ec2 --output json describe-instances",
    "ec2",
    "describe-instances",
    "",
    "output=json region=eu-west-1"
)]
#[case("--profile ec2 s3 ls", "s3", "ls", "", "profile=ec2")]
#[case(
    "--prof prod ec2 describe-instances",
    "ec2",
    "describe-instances",
    "",
    "profile=prod"
)]
#[case(
    "ec2 --reg describe-instances terminate-instances --instance-ids i-1",
    "ec2",
    "terminate-instances",
    "",
    "instance-ids=i-1 region=describe-instances"
)]
#[case(
    "ec2 terminate-instances --instance-ids i-1 i-2",
    "ec2",
    "terminate-instances",
    "",
    "instance-ids=i-1|i-2"
)]
#[case(
    "ec2 terminate-instances help",
    "ec2",
    "terminate-instances",
    "help",
    ""
)]
#[case(
    "ssm delete-parameters --names a --debug help",
    "ssm",
    "delete-parameters",
    "",
    "debug names=a|help"
)]
#[case(
    "ssm delete-parameters --names a --region us-east-1 b",
    "ssm",
    "delete-parameters",
    "",
    "names=a|b region=us-east-1"
)]
#[case(
    "ssm delete-parameters --names=a help",
    "ssm",
    "delete-parameters",
    "help",
    "names=a"
)]
#[case(
    "ec2 terminate-instances --dry-run --instance-ids i-1",
    "ec2",
    "terminate-instances",
    "",
    "dry-run instance-ids=i-1"
)]
#[case(
    "ec2 --dry-run terminate-instances",
    "ec2",
    "terminate-instances",
    "",
    "dry-run"
)]
#[case(
    "--dry-run ec2 terminate-instances",
    "ec2",
    "terminate-instances",
    "",
    "dry-run"
)]
#[case(
    "s3 cp ./a s3://b/k --recursive --exclude '*' --quiet",
    "s3",
    "cp",
    "./a s3://b/k",
    "exclude=* quiet recursive"
)]
#[case("s3 cp --recursive s3://b ./d", "s3", "cp", "s3://b ./d", "recursive")]
#[case(
    "s3 cp s3://b/k ./x --request-payer",
    "s3",
    "cp",
    "s3://b/k ./x",
    "request-payer"
)]
#[case(
    "s3 cp --request-payer requester s3://b/k ./x",
    "s3",
    "cp",
    "s3://b/k ./x",
    "request-payer=requester"
)]
#[case(
    "s3 cp ./a s3://b/k --prof dev",
    "s3",
    "cp",
    "./a s3://b/k",
    "profile=dev"
)]
#[case(
    "s3 cp ./a s3://b/k --unknown x",
    "s3",
    "cp",
    "./a s3://b/k x",
    "unknown"
)]
#[case("s3 rm s3://b --dry --rec", "s3", "rm", "s3://b", "dryrun recursive")]
#[case(
    "configure get aws_secret_access_key --profile prod",
    "configure",
    "get",
    "aws_secret_access_key",
    "profile=prod"
)]
#[case(
    "ssm get-parameter --name x --with",
    "ssm",
    "get-parameter",
    "",
    "name=x with-decryption"
)]
#[case("--debug", "", "", "", "debug")]
#[case("--vers", "", "", "", "version")]
#[case("ec2", "ec2", "", "", "")]
#[case(
    "ec2 describe-instances --filters Name=a,Values=b Name=c,Values=-1 --max-items 5",
    "ec2",
    "describe-instances",
    "",
    "filters=Name=a,Values=b|Name=c,Values=-1 max-items=5"
)]
#[case(
    "ec2 create-thing --count -5 --flag",
    "ec2",
    "create-thing",
    "",
    "count=-5 flag"
)]
#[case(
    "ec2 wait instance-running --instance-ids i-1",
    "ec2",
    "wait",
    "instance-running",
    "instance-ids=i-1"
)]
#[case(
    "logs tail /aws/lambda/x --follow",
    "logs",
    "tail",
    "/aws/lambda/x",
    "follow"
)]
#[case(
    "--endpoint-url http://127.0.0.1:5000 --no-verify-ssl ec2 describe-instances",
    "ec2",
    "describe-instances",
    "",
    "endpoint-url=http://127.0.0.1:5000 no-verify-ssl"
)]
#[case(
    "--cli-input-json file://x.json ec2 describe-instances",
    "ec2",
    "describe-instances",
    "",
    "cli-input-json=file://x.json"
)]
#[case("--foo ec2 describe-instances", "ec2", "describe-instances", "", "foo")]
fn walks_like_aws(
    #[case] line: &str,
    #[case] service: &str,
    #[case] operation: &str,
    #[case] args: &str,
    #[case] flag_list: &str,
) {
    let w = walked(line);
    assert_eq!(
        (
            w.verb.as_str(),
            w.subverb.as_str(),
            w.args.join(" "),
            flags(&w)
        ),
        (service, operation, args.to_string(), flag_list.to_string()),
        "{line}"
    );
    assert!(w.uncertain.is_empty(), "{line}: {:?}", w.uncertain);
}

#[test]
fn a_global_value_at_the_end_is_uncertain() {
    let w = walked("ec2 describe-instances --region");
    assert_eq!(w.uncertain.len(), 1);
}

fn pure(line: &str, env: &[(&str, &str)]) -> (AwsFact, Vec<String>) {
    let (fact, uncertain, _) = pure_target(line, env);
    (fact, uncertain)
}

/// The pure stage, with the target uncertainty as a third part.
fn pure_target(line: &str, env: &[(&str, &str)]) -> (AwsFact, Vec<String>, Vec<String>) {
    let env: BTreeMap<&str, &str> = env.iter().copied().collect();
    let lookup = |name: &str| env.get(name).copied();
    let mut uncertain = Vec::new();
    let mut target_uncertain = Vec::new();
    let args = words(line);
    let fact = from_walk(
        &walked(line),
        &args,
        &lookup,
        &mut uncertain,
        &mut target_uncertain,
    );
    (fact, uncertain, target_uncertain)
}

#[rstest]
#[case("ec2 describe-instances", &[], "default", "")]
#[case("ec2 describe-instances", &[("AWS_DEFAULT_PROFILE", "b")], "b", "")]
#[case("ec2 describe-instances", &[("AWS_PROFILE", "a")], "a", "")]
#[case("ec2 describe-instances", &[("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "a")], "a", "")]
#[case("--profile c ec2 describe-instances", &[("AWS_PROFILE", "a")], "c", "")]
#[case("--profile= ec2 describe-instances", &[("AWS_PROFILE", "a")], "a", "")]
#[case("ec2 describe-instances", &[("AWS_DEFAULT_REGION", "r2")], "default", "r2")]
#[case("ec2 describe-instances", &[("AWS_REGION", "r1"), ("AWS_DEFAULT_REGION", "r2")], "default", "r1")]
#[case("ec2 describe-instances --region r0", &[("AWS_REGION", "r1")], "default", "r0")]
fn profile_and_region_precedence(
    #[case] line: &str,
    #[case] env: &[(&str, &str)],
    #[case] profile: &str,
    #[case] region: &str,
) {
    let (fact, _) = pure(line, env);
    assert_eq!(
        (fact.profile.as_str(), fact.region.as_str()),
        (profile, region)
    );
}

/// botocore (aws CLI v1) takes `AWS_DEFAULT_PROFILE` before `AWS_PROFILE`, the v2 CLI
/// the other way round: when they differ the target is uncertain.
#[test]
fn disagreeing_profile_variables_leave_the_target_uncertain() {
    let env = [("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "b")];
    let (fact, uncertain, target) = pure_target("ec2 describe-instances", &env);
    assert_eq!(fact.profile, "b");
    assert!(uncertain.is_empty(), "{uncertain:?}");
    assert_eq!(target.len(), 1, "{target:?}");
    assert!(target[0].contains("`AWS_DEFAULT_PROFILE=b` and `AWS_PROFILE=a` disagree"));
    let (_, _, target) = pure_target("--profile c ec2 describe-instances", &env);
    assert!(target.is_empty(), "{target:?}");
}

#[rstest]
#[case("ec2 terminate-instances --dry-run", true)]
#[case("ec2 terminate-instances --dry-run --no-dry-run", false)]
#[case("ec2 terminate-instances --no-dry-run --dry-run", true)]
#[case("ec2 terminate-instances --no-dry-run", false)]
#[case("ec2 terminate-instances --dryrun", false)]
#[case("ec2 terminate-instances --dry-run=true", false)]
#[case("ec2 terminate-instances --dry-run help", true)]
#[case("ec2 terminate-instances --instance-ids i-1 --dry", true)]
#[case("ec2 terminate-instances --instance-ids i-1 --dr", true)]
#[case("ec2 terminate-instances --instance-ids i-1 --d", false)]
#[case("ec2 terminate-instances --dry-run --no-dry", false)]
#[case("ec2 terminate-instances --dry-run --no-d", false)]
#[case("--dry-run ec2 stop-instances --instance-ids i-1", true)]
#[case("ec2 run-instances --dry-run --no-d", true)]
#[case("s3 rm s3://b --dryrun", true)]
#[case("s3 rm s3://b --dry", true)]
#[case("s3 rm s3://b --dry-run", false)]
#[case("s3 mb s3://b --dryrun", false)]
#[case("s3 rb s3://b --force --dryrun", false)]
#[case("s3api delete-bucket --bucket b --dry-run", false)]
#[case("secretsmanager get-secret-value --secret-id x --dry-run", false)]
#[case(
    "codeartifact login --tool npm --domain d --repository r --dry-run",
    false
)]
#[case("eks update-kubeconfig --name c --dry-run", true)]
#[case("medialive create-channel --dry-run", false)]
// The KMS model does not promise that a dry run does nothing: not excused.
#[case("kms decrypt --ciphertext-blob fileb://c --dry-run", false)]
fn dry_runs(#[case] line: &str, #[case] dry: bool) {
    assert_eq!(pure(line, &[]).0.dry_run, dry, "{line}");
}

#[rstest]
#[case("sts get-session-token", true)]
#[case("ecr get-login-password", true)]
#[case("ecr get-authorization-token", true)]
#[case("ecr-public get-login-password", true)]
#[case("cognito-identity get-credentials-for-identity --identity-id x", true)]
#[case("glue get-connection --name db", true)]
#[case("glue get-connection --name db --hide-password", false)]
#[case("glue get-connection --name db --hide", false)]
#[case(
    "glue get-connection --name db --hide-password --no-hide-password",
    true
)]
#[case("glue get-connections", true)]
#[case(
    "lightsail get-relational-database-master-user-password --relational-database-name d",
    true
)]
#[case(
    "redshift get-cluster-credentials --db-user u --cluster-identifier c",
    true
)]
#[case("emr get-cluster-session-credentials --cluster-id j-1", true)]
#[case("datazone get-connection --domain-identifier d --identifier c", false)]
#[case(
    "datazone get-connection --domain-identifier d --identifier c --with-secret",
    true
)]
#[case("ssm get-parameter --name p", false)]
#[case("ssm get-parameter --name p --with-decryption", true)]
#[case(
    "ssm get-parameter --name p --with-decryption --no-with-decryption",
    false
)]
#[case("ssm get-parameter --name p --cli-input-json file://p.json", true)]
#[case(
    "ssm get-parameter --cli-input-json file://p.json --no-with-decryption",
    false
)]
#[case("ec2 get-password-data --instance-id i-1", true)]
#[case("ec2 get-password-data --instance-id i-1 --dry-run", false)]
#[case("configure export-credentials", true)]
#[case("eks get-token --cluster-name c", false)]
#[case("ec2 describe-instances", false)]
#[case("rds describe-db-instances", false)]
#[case("lambda get-function --function-name f", false)]
fn credential_reads(#[case] line: &str, #[case] reveals: bool) {
    assert_eq!(pure(line, &[]).0.reveals_credentials, reveals, "{line}");
}

#[rstest]
#[case("s3 cp ./a s3://b/k", true, "s3://b/k", false, false)]
#[case("s3 cp s3://b/k ./a", false, "s3://b/k", false, false)]
#[case("s3 cp s3://b/k s3://c/k", true, "s3://b/k s3://c/k", false, false)]
#[case("s3 cp s3://b/k -", false, "s3://b/k", false, false)]
#[case("s3 cp - s3://b/k", true, "s3://b/k", false, false)]
#[case("s3 sync s3://b ./d --delete", false, "s3://b", false, true)]
#[case("s3 sync ./d s3://b --delete", true, "s3://b", false, true)]
#[case("s3 mv s3://b/k ./k", false, "s3://b/k", false, false)]
#[case("s3 cp S3://b/k s3://c", true, "s3://c", false, false)]
#[case("s3 rm s3://b --recursive", false, "s3://b", true, false)]
#[case("s3 ls", false, "", false, false)]
#[case(
    "s3api copy-object --bucket b --key k --copy-source s3://x/y",
    false,
    "s3://x/y",
    false,
    false
)]
#[case("s3api get-object --bucket b --key k out.bin", false, "", false, false)]
fn s3_paths_and_direction(
    #[case] line: &str,
    #[case] to_s3: bool,
    #[case] paths: &str,
    #[case] recursive: bool,
    #[case] delete: bool,
) {
    let (fact, uncertain) = pure(line, &[]);
    assert_eq!(
        (
            fact.destination_is_s3,
            fact.paths.join(" "),
            fact.recursive,
            fact.delete
        ),
        (to_s3, paths.to_string(), recursive, delete),
        "{line}"
    );
    assert!(uncertain.is_empty(), "{line}: {uncertain:?}");
}

#[rstest]
#[case("s3 cp ./a s3://b/k dev", "found 3 path(s): `./a`, `s3://b/k`, `dev`")]
#[case("s3 sync s3://b", "found 1 path(s): `s3://b`")]
#[case("s3 mv", "found 0 path(s)")]
#[case("ec2 describe-instances -- help", "`--` in an aws command")]
#[case("-- ec2 terminate-instances", "`--` in an aws command")]
#[case(
    "--cli-auto-prompt ec2 describe-instances",
    "`--cli-auto-prompt` makes aws v2"
)]
fn uncertain_shapes(#[case] line: &str, #[case] needle: &str) {
    let (_, uncertain) = pure(line, &[]);
    assert!(
        uncertain.iter().any(|u| u.contains(needle)),
        "{line}: {uncertain:?}"
    );
}

#[rstest]
#[case("s3 cp help", &[])]
#[case("ec2 describe-instances", &[("AWS_CLI_AUTO_PROMPT", "off")])]
#[case("--no-cli-auto-prompt ec2 describe-instances", &[("AWS_CLI_AUTO_PROMPT", "on")])]
#[case("--cli-auto-prompt --no-cli-auto-prompt ec2 describe-instances", &[])]
fn certain_shapes(#[case] line: &str, #[case] env: &[(&str, &str)]) {
    let (_, uncertain) = pure(line, env);
    assert!(uncertain.is_empty(), "{line}: {uncertain:?}");
}

#[test]
fn auto_prompt_from_the_environment_is_uncertain() {
    let (_, uncertain) = pure(
        "ec2 describe-instances",
        &[("AWS_CLI_AUTO_PROMPT", "on-partial")],
    );
    assert!(uncertain[0].starts_with("`AWS_CLI_AUTO_PROMPT=on-partial`"));
}

const CONFIG: &str = "[default]
region = us-east-1

[profile prod]
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::444455556666:role/dev
source_profile = default

[profile prompt]
cli_auto_prompt = on
";

fn context(home: &Path, env: &[(&str, &str)]) -> Context {
    Context::for_test(home, home, env)
}

fn fact_in(home: &Path, env: &[(&str, &str)], line: &str) -> Fact {
    let mut argv = vec!["aws".to_string()];
    argv.extend(words(line));
    crate::facts::build(&spec(), "aws", argv, Vec::new(), &context(home, env))
}

fn home_with_config() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join(".aws"))?;
    std::fs::write(dir.path().join(".aws/config"), CONFIG)?;
    Ok(dir)
}

#[rstest]
#[case(&[], "ec2 describe-instances", "default", "us-east-1", "", "unknown")]
#[case(&[], "--profile prod ec2 describe-instances", "prod", "eu-west-1", "111122223333", "prod")]
#[case(&[("AWS_PROFILE", "dev")], "ec2 describe-instances", "dev", "", "444455556666", "dev")]
#[case(&[("AWS_PROFILE", "prod")], "ec2 describe-instances --region us-west-2", "prod", "us-west-2", "111122223333", "prod")]
fn profile_region_account_and_target(
    #[case] env: &[(&str, &str)],
    #[case] line: &str,
    #[case] profile: &str,
    #[case] region: &str,
    #[case] account: &str,
    #[case] target_env: &str,
) -> std::io::Result<()> {
    let home = home_with_config()?;
    let fact = fact_in(home.path(), env, line);
    let aws = fact.aws.clone().unwrap_or_default();
    assert_eq!(
        (
            fact.verb.as_str(),
            aws.profile.as_str(),
            aws.region.as_str(),
            aws.account.as_str(),
            fact.target.env.as_str(),
            fact.target.kind.as_str()
        ),
        ("ec2", profile, region, account, target_env, "account")
    );
    assert!(aws.config_file.ends_with(".aws/config"));
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    Ok(())
}

#[test]
fn aws_config_file_is_honoured() -> std::io::Result<()> {
    let home = tempfile::tempdir()?;
    std::fs::write(
        home.path().join("elsewhere"),
        "[profile x]\nregion = ap-south-1\n",
    )?;
    let env = [("AWS_CONFIG_FILE", "~/elsewhere"), ("AWS_PROFILE", "x")];
    let fact = fact_in(home.path(), &env, "sts get-caller-identity");
    assert_eq!(fact.aws.map(|a| a.region), Some("ap-south-1".to_string()));
    Ok(())
}

#[test]
fn a_broken_config_leaves_the_target_uncertain_except_for_help() -> std::io::Result<()> {
    let home = tempfile::tempdir()?;
    std::fs::create_dir_all(home.path().join(".aws"))?;
    std::fs::write(home.path().join(".aws/config"), "region = x\n")?;
    let fact = fact_in(home.path(), &[], "ec2 describe-instances");
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    let target = &fact.target.uncertain;
    assert_eq!(target.len(), 1, "{target:?}");
    assert!(target[0].contains(".aws/config` cannot be parsed: line 1"));
    for line in ["--version", "help", "ec2 help", ""] {
        let fact = fact_in(home.path(), &[], line);
        assert!(fact.uncertain.is_empty(), "{line}: {:?}", fact.uncertain);
        assert!(
            fact.target.uncertain.is_empty(),
            "{line}: {:?}",
            fact.target.uncertain
        );
    }
    Ok(())
}

/// A named profile in neither file makes aws stop with `ProfileNotFound`; failsafe does
/// not guess an account for it. The implicit `default` may be missing; a profile only
/// in the credentials file exists.
#[rstest]
#[case(&[("AWS_PROFILE", "ghost")], "ec2 describe-instances", true)]
#[case(&[], "--profile ghost ec2 describe-instances", true)]
#[case(&[], "--profile default ec2 describe-instances", false)]
#[case(&[], "--profile keys ec2 describe-instances", false)]
#[case(&[("AWS_SHARED_CREDENTIALS_FILE", "~/other")], "--profile keys ec2 describe-instances", true)]
#[case(&[("AWS_SHARED_CREDENTIALS_FILE", "~/other")], "--profile elsewhere ec2 describe-instances", false)]
#[case(&[("AWS_PROFILE", "ghost")], "ec2 help", false)]
fn a_missing_profile_leaves_the_target_uncertain(
    #[case] env: &[(&str, &str)],
    #[case] line: &str,
    #[case] uncertain: bool,
) -> std::io::Result<()> {
    let home = home_with_config()?;
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[keys]\naws_access_key_id = x\n",
    )?;
    std::fs::write(
        home.path().join("other"),
        "[elsewhere]\naws_access_key_id = y\n",
    )?;
    let fact = fact_in(home.path(), env, line);
    let target = &fact.target.uncertain;
    assert_eq!(!target.is_empty(), uncertain, "{line}: {target:?}");
    if uncertain {
        assert!(target[0].contains("could not be found"), "{target:?}");
    }
    let no_config = tempfile::tempdir()?;
    let fact = fact_in(
        no_config.path(),
        &[],
        "--profile default sts get-caller-identity",
    );
    assert_eq!(
        fact.target.uncertain.len(),
        1,
        "{:?}",
        fact.target.uncertain
    );
    let fact = fact_in(no_config.path(), &[], "sts get-caller-identity");
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
    Ok(())
}

#[test]
fn an_unparsable_credentials_file_leaves_the_target_uncertain() -> std::io::Result<()> {
    let home = home_with_config()?;
    std::fs::write(home.path().join(".aws/credentials"), "no section\n")?;
    let fact = fact_in(home.path(), &[], "--profile keys ec2 describe-instances");
    let target = &fact.target.uncertain;
    assert!(
        target
            .iter()
            .any(|t| t.contains("credentials` cannot be parsed")),
        "{target:?}"
    );
    // Not needed when the profile is in the config file.
    let fact = fact_in(home.path(), &[], "--profile prod ec2 describe-instances");
    assert!(
        fact.target.uncertain.is_empty(),
        "{:?}",
        fact.target.uncertain
    );
    Ok(())
}

#[test]
fn auto_prompt_in_the_profile_is_uncertain() -> std::io::Result<()> {
    let home = home_with_config()?;
    let fact = fact_in(home.path(), &[], "--profile prompt ec2 describe-instances");
    assert!(
        fact.uncertain
            .iter()
            .any(|u| u.contains("`cli_auto_prompt = on` in profile `prompt`")),
        "{:?}",
        fact.uncertain
    );
    let fact = fact_in(
        home.path(),
        &[],
        "--profile prompt ec2 describe-instances --no-cli-auto-prompt",
    );
    assert!(fact.uncertain.is_empty());
    Ok(())
}

#[test]
fn inventory_names_accounts_and_profiles() -> std::io::Result<()> {
    let home = home_with_config()?;
    let mut settings = Settings::default();
    settings.inventory.prod.push("444455556666".to_string());
    settings.inventory.staging.push("default".to_string());
    let fact = fact_in(home.path(), &[("AWS_PROFILE", "dev")], "ec2 describe-vpcs");
    let aws = fact.aws.unwrap_or_default();
    assert_eq!(target(&aws, &settings).env, "prod");
    let fact = fact_in(home.path(), &[], "ec2 describe-vpcs");
    let aws = fact.aws.unwrap_or_default();
    let t = target(&aws, &settings);
    assert_eq!((t.env.as_str(), t.name.as_str()), ("staging", "default"));
    Ok(())
}

#[test]
fn an_alias_named_like_a_builtin_leaves_the_target_uncertain() -> std::io::Result<()> {
    let home = home_with_config()?;
    std::fs::create_dir_all(home.path().join(".aws/cli"))?;
    std::fs::write(
        home.path().join(".aws/cli/alias"),
        "[toplevel]\nhelp = ec2 terminate-instances --instance-ids i-1\n",
    )?;
    let fact = fact_in(home.path(), &[], "help");
    let target = &fact.target.uncertain;
    assert!(
        target.iter().any(|u| u.starts_with("`help` is an alias")),
        "{target:?}"
    );
    assert!(fact_in(home.path(), &[], "ec2 help")
        .target
        .uncertain
        .is_empty());
    Ok(())
}

/// An alias can name another profile: it is refused in write mode too.
#[test]
fn an_alias_leaves_the_target_uncertain_in_write_mode() -> std::io::Result<()> {
    let home = home_with_config()?;
    std::fs::create_dir_all(home.path().join(".aws/cli"))?;
    std::fs::write(
        home.path().join(".aws/cli/alias"),
        "[command ec2]\nstop-dev = stop-instances --profile prod\n",
    )?;
    let fact = fact_in(home.path(), &[], "ec2 stop-dev --instance-ids i-1");
    assert!(fact.uncertain.is_empty(), "{:?}", fact.uncertain);
    assert_eq!(
        fact.target.uncertain.len(),
        1,
        "{:?}",
        fact.target.uncertain
    );
    std::fs::write(home.path().join(".aws/cli/alias"), "no section\n")?;
    let fact = fact_in(home.path(), &[], "ec2 describe-instances");
    assert!(
        fact.target.uncertain[0].contains("alias` cannot be parsed"),
        "{:?}",
        fact.target.uncertain
    );
    Ok(())
}
