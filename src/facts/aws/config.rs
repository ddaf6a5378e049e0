//! The aws CLI's own files, read the way botocore finds and reads them: the config file
//! (`AWS_CONFIG_FILE`, else `~/.aws/config`) for a profile's region, account and
//! auto-prompt setting, and the alias file (`~/.aws/cli/alias`) to notice a command
//! word that aws would expand.
//!
//! Reads files only: no subprocesses, no network. The credentials file
//! (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) is read only to learn
//! whether a profile missing from the config file is defined there; its values are
//! dropped at once and never reach the fact. A file that does not exist, or is not a
//! regular file, is what botocore treats as absent; one that exists but cannot be read or
//! parsed is reported as uncertain, because aws itself would stop on it.

use super::ini::{shlex_split, Ini};
use crate::facts::Context;
use std::path::{Path, PathBuf};

/// A config file that was read.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its content.
    pub ini: Ini,
}

/// What one profile's section says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `region`.
    pub region: String,
    /// `sso_account_id`.
    pub sso_account_id: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `cli_auto_prompt`.
    pub cli_auto_prompt: String,
}

impl ConfigFile {
    /// The section of profile `name`, as botocore maps sections to profiles:
    /// `[default]`, or `[profile NAME]` split like a shell line into exactly two words
    /// (`[profile "my prod"]`); when several map to one profile the last one wins.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        let section = self
            .ini
            .sections()
            .filter(|s| names_profile(s, name))
            .last()?;
        let get = |key: &str| self.ini.get(section, key).unwrap_or("").to_string();
        Some(Profile {
            region: get("region"),
            sso_account_id: get("sso_account_id"),
            role_arn: get("role_arn"),
            cli_auto_prompt: get("cli_auto_prompt"),
        })
    }
}

fn names_profile(section: &str, name: &str) -> bool {
    if section == "default" {
        return name == "default";
    }
    if !section.starts_with("profile") {
        return false;
    }
    matches!(shlex_split(section).as_deref(), Ok([_, profile]) if profile == name)
}

/// The account a profile lands in: the account of its `role_arn` (the role it assumes
/// is where the command runs), else its `sso_account_id`, else `""`.
pub fn account(profile: &Profile) -> String {
    let from_role = profile
        .role_arn
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()));
    match from_role {
        Some(account) => account.to_string(),
        None => profile.sso_account_id.trim().to_string(),
    }
}

/// Where the config file is: `AWS_CONFIG_FILE` (with `$VAR` and `~` expanded, as
/// botocore does), else `~/.aws/config`; `None` without either.
pub fn config_path(ctx: &Context) -> Option<PathBuf> {
    match ctx.var("AWS_CONFIG_FILE") {
        Some(given) => Some(absolute(given, ctx)),
        None => ctx.home.as_ref().map(|h| h.join(".aws/config")),
    }
}

/// Notes in `target_uncertain` when profile `name`, absent from the config file, is not
/// a section of the credentials file either (aws then stops with "The config profile
/// (NAME) could not be found"), or when that file cannot be read or parsed.
pub fn check_credentials_profile(ctx: &Context, name: &str, target_uncertain: &mut Vec<String>) {
    let path = match ctx.var("AWS_SHARED_CREDENTIALS_FILE") {
        Some(given) => absolute(given, ctx),
        None => match &ctx.home {
            Some(home) => home.join(".aws/credentials"),
            None => PathBuf::from("~/.aws/credentials"),
        },
    };
    let mut broken = Vec::new();
    let text = read(&path, "aws credentials file", &mut broken);
    if !broken.is_empty() {
        target_uncertain.append(&mut broken);
        return;
    }
    let found = match text.as_deref().map(Ini::parse) {
        Some(Ok(ini)) => ini.has_section(name),
        Some(Err(cause)) => {
            target_uncertain.push(format!(
                "aws credentials file `{}` cannot be parsed: {cause}",
                path.display()
            ));
            return;
        }
        None => false,
    };
    if !found {
        let config = config_path(ctx)
            .map_or_else(|| "~/.aws/config".to_string(), |p| p.display().to_string());
        target_uncertain.push(format!(
            "aws profile `{name}` is in neither `{config}` nor `{}`, so aws would stop with \"The config profile ({name}) could not be found\"; failsafe cannot tell which account it would use",
            path.display()
        ));
    }
}

/// `given` with `$VAR` and `~` expanded, relative to the working directory.
fn absolute(given: &str, ctx: &Context) -> PathBuf {
    let expanded = expand_user(&expand_vars(given, ctx), ctx.home.as_deref());
    let path = PathBuf::from(expanded);
    if path.is_absolute() {
        path
    } else {
        ctx.cwd.join(path)
    }
}

/// Reads the config file; `None` when there is none. Problems go to `uncertain`.
pub fn load(ctx: &Context, uncertain: &mut Vec<String>) -> Option<ConfigFile> {
    let path = config_path(ctx)?;
    let text = read(&path, "aws config file", uncertain)?;
    match Ini::parse(&text) {
        Ok(ini) => Some(ConfigFile { path, ini }),
        Err(cause) => {
            uncertain.push(format!(
                "aws config file `{}` cannot be parsed: {cause}",
                path.display()
            ));
            None
        }
    }
}

/// Notes in `uncertain` when aws would expand `service` (or `operation`, the aws CLI
/// v2 `[command SERVICE]` sections) from `~/.aws/cli/alias`: failsafe does not expand
/// aws aliases, so it cannot say what such a command runs.
pub fn check_aliases(ctx: &Context, service: &str, operation: &str, uncertain: &mut Vec<String>) {
    let Some(home) = &ctx.home else { return };
    let path = home.join(".aws/cli/alias");
    let Some(text) = read(&path, "aws alias file", uncertain) else {
        return;
    };
    let ini = match Ini::parse(&text) {
        Ok(ini) => ini,
        Err(cause) => {
            uncertain.push(format!(
                "aws alias file `{}` cannot be parsed: {cause}",
                path.display()
            ));
            return;
        }
    };
    let word = if ini.get("toplevel", service).is_some() {
        service
    } else if !operation.is_empty() && ini.get(&format!("command {service}"), operation).is_some() {
        operation
    } else {
        return;
    };
    uncertain.push(format!(
        "`{word}` is an alias in `{}`; failsafe does not expand aws aliases, so it cannot tell what this command runs",
        path.display()
    ));
}

/// The text of `path`; `None` when it does not exist or is not a regular file (botocore
/// ignores those), or when it cannot be read (then noted in `uncertain`).
fn read(path: &Path, what: &str, uncertain: &mut Vec<String>) -> Option<String> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    match crate::facts::kubeconfig::read_text(path) {
        Ok(text) => text,
        Err(cause) => {
            uncertain.push(format!(
                "{what} `{}` cannot be read: {cause}",
                path.display()
            ));
            None
        }
    }
}

/// `$NAME` and `${NAME}` replaced by set variables, others left alone (Python's
/// `os.path.expandvars`).
fn expand_vars(s: &str, ctx: &Context) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, skip) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match ctx.env.get(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..at + 1 + skip]),
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// A leading `~` or `~/` replaced by the home directory.
fn expand_user(s: &str, home: Option<&Path>) -> String {
    match (home, s.strip_prefix('~')) {
        (Some(h), Some(rest)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{rest}", h.display())
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::facts::Source;
    use crate::mode::Mode;
    use rstest::rstest;
    use std::collections::BTreeMap;

    fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
        Context {
            cwd: home.join("work"),
            home: Some(home.to_path_buf()),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            settings: Settings::default(),
            mode: Mode::Read,
            pane: "t".to_string(),
            source: Source::Test,
            ticket: String::new(),
        }
    }

    fn file(text: &str) -> ConfigFile {
        match Ini::parse(text) {
            Ok(ini) => ConfigFile {
                path: PathBuf::from("/c"),
                ini,
            },
            Err(e) => unreachable!("{e}"),
        }
    }

    #[rstest]
    #[case("default", "us-east-1")]
    #[case("prod", "eu-west-1")]
    #[case("my prod", "ap-south-1")]
    #[case("missing", "")]
    #[case("profilex", "")]
    fn profiles_map_like_botocore(#[case] name: &str, #[case] region: &str) {
        let f = file("[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n[profile \"my prod\"]\nregion = ap-south-1\n[prod]\nregion = nope\n[profilex]\nregion = nope\n");
        assert_eq!(
            f.profile(name).map(|p| p.region).unwrap_or_default(),
            region
        );
    }

    #[test]
    fn profile_default_section_wins_when_later() {
        let f = file("[default]\nregion = a\n[profile default]\nregion = b\n");
        assert_eq!(f.profile("default").map(|p| p.region), Some("b".into()));
    }

    #[rstest]
    #[case("", "111122223333", "111122223333")]
    #[case("arn:aws:iam::444455556666:role/dev", "", "444455556666")]
    #[case("arn:aws:iam::444455556666:role/dev", "111122223333", "444455556666")]
    #[case("arn:aws-cn:iam::777788889999:role/x", "", "777788889999")]
    #[case("not-an-arn", "", "")]
    fn account_from_role_or_sso(#[case] role: &str, #[case] sso: &str, #[case] want: &str) {
        let p = Profile {
            role_arn: role.into(),
            sso_account_id: sso.into(),
            ..Profile::default()
        };
        assert_eq!(account(&p), want);
    }

    #[rstest]
    #[case(&[], "/h/.aws/config")]
    #[case(&[("AWS_CONFIG_FILE", "/etc/aws.cfg")], "/etc/aws.cfg")]
    #[case(&[("AWS_CONFIG_FILE", "~/cfg")], "/h/cfg")]
    #[case(&[("AWS_CONFIG_FILE", "$D/cfg"), ("D", "/d")], "/d/cfg")]
    #[case(&[("AWS_CONFIG_FILE", "${D}/cfg"), ("D", "/d")], "/d/cfg")]
    #[case(&[("AWS_CONFIG_FILE", "$NOPE/cfg")], "/h/work/$NOPE/cfg")]
    #[case(&[("AWS_CONFIG_FILE", "rel/cfg")], "/h/work/rel/cfg")]
    fn config_path_like_botocore(#[case] env: &[(&str, &str)], #[case] want: &str) {
        let c = ctx(Path::new("/h"), env);
        assert_eq!(config_path(&c), Some(PathBuf::from(want)));
    }

    #[test]
    fn missing_or_directory_is_absent_broken_is_uncertain() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let home = dir.path();
        let mut uncertain = Vec::new();
        assert!(load(&ctx(home, &[]), &mut uncertain).is_none());
        std::fs::create_dir_all(home.join(".aws/config"))?;
        assert!(load(&ctx(home, &[]), &mut uncertain).is_none());
        assert!(uncertain.is_empty());
        std::fs::write(home.join("bad"), "region = x\n")?;
        let c = ctx(home, &[("AWS_CONFIG_FILE", "~/bad")]);
        assert!(load(&c, &mut uncertain).is_none());
        assert_eq!(uncertain.len(), 1);
        assert!(uncertain[0].contains("bad` cannot be parsed: line 1"));
        std::fs::write(home.join("latin1"), b"[default]\nregion = \xe9\n")?;
        let c = ctx(home, &[("AWS_CONFIG_FILE", "~/latin1")]);
        assert!(load(&c, &mut uncertain).is_none());
        assert!(uncertain[1].contains("cannot be read: not valid UTF-8"));
        Ok(())
    }

    #[test]
    fn aliases_are_noticed() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let home = dir.path();
        let c = ctx(home, &[]);
        let mut uncertain = Vec::new();
        check_aliases(&c, "ec2", "describe-instances", &mut uncertain);
        assert!(uncertain.is_empty());
        std::fs::create_dir_all(home.join(".aws/cli"))?;
        std::fs::write(
            home.join(".aws/cli/alias"),
            "[toplevel]\nwhoami = sts get-caller-identity\n[command ec2]\ndescribe-mine = terminate-instances\n",
        )?;
        check_aliases(&c, "ec2", "describe-instances", &mut uncertain);
        check_aliases(&c, "sts", "get-caller-identity", &mut uncertain);
        assert!(uncertain.is_empty());
        check_aliases(&c, "whoami", "", &mut uncertain);
        check_aliases(&c, "ec2", "describe-mine", &mut uncertain);
        assert_eq!(uncertain.len(), 2);
        assert!(uncertain[0].starts_with("`whoami` is an alias"));
        assert!(uncertain[1].starts_with("`describe-mine` is an alias"));
        Ok(())
    }
}
