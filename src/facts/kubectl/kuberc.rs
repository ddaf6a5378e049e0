//! kubectl's preferences file, kuberc (kubectl 1.33 and later): default option values
//! per command and command aliases. Both change what a command line means without
//! showing in it, so the enricher reports which defaults would apply.
//!
//! Reads one file only: no subprocesses, no network, never writes. Whether the running
//! kubectl honours kuberc depends on its version, which failsafe cannot know without
//! running it; callers treat the defaults as possible, not certain.

use super::super::kubeconfig::{absolute, read_text};
use super::super::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The parts of a kuberc file that change a command's meaning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kuberc {
    /// The file read.
    pub path: String,
    /// `defaults` (v1beta1) and `overrides` (v1alpha1), in file order.
    defaults: Vec<CommandDefaults>,
    /// `aliases`: alias name → the command it runs.
    aliases: Vec<(String, String)>,
}

/// One `defaults` entry: a command path and the option values it presets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CommandDefaults {
    /// Command words (`["set", "env"]`).
    command: Vec<String>,
    /// (option name, value), in file order.
    options: Vec<(String, String)>,
}

/// The kuberc file kubectl would read: none when `KUBECTL_KUBERC=false` or
/// `KUBERC=off`; else `--kuberc`, else `KUBERC`, else `$HOME/.kube/kuberc` with `HOME`
/// exactly as set (kubectl's `homedir.HomeDir()`: unset or empty means `.kube/kuberc` in
/// the working directory).
pub fn locate(flag: Option<&str>, ctx: &Context) -> Option<PathBuf> {
    if ctx
        .var("KUBECTL_KUBERC")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        return None;
    }
    if let Some(path) = flag.filter(|p| !p.is_empty()) {
        return Some(absolute(ctx, path));
    }
    match ctx.var("KUBERC") {
        Some("off") => None,
        Some(path) => Some(absolute(ctx, path)),
        None => {
            let home = ctx.env.get("HOME").map(String::as_str).unwrap_or_default();
            let path = Path::new(home).join(".kube").join("kuberc");
            Some(absolute(ctx, &path.display().to_string()))
        }
    }
}

/// Reads the kuberc file kubectl would use. `None` when there is none; a file that exists
/// but cannot be read or parsed is skipped with an `uncertain` entry naming it.
pub fn load(flag: Option<&str>, ctx: &Context, uncertain: &mut Vec<String>) -> Option<Kuberc> {
    let path = locate(flag, ctx)?;
    let shown = path.display().to_string();
    if shown.contains(char::REPLACEMENT_CHARACTER) {
        uncertain.push(format!(
            "the kuberc path `{shown}` is not valid UTF-8, so failsafe cannot read the file kubectl would read"
        ));
        return None;
    }
    let parsed = match read_text(&path) {
        Ok(None) => return None,
        Ok(Some(text)) => parse(&text),
        Err(cause) => Err(cause),
    };
    match parsed {
        Ok(mut kuberc) => {
            kuberc.path = shown;
            Some(kuberc)
        }
        Err(cause) => {
            uncertain.push(format!("kuberc `{shown}` cannot be read: {cause}"));
            None
        }
    }
}

impl Kuberc {
    /// The default options that would apply to the command whose words are `words`
    /// (verb, subverb, first arguments) and that are not already `given` on the command
    /// line. An entry applies when its command words start `words`: kubectl matches the
    /// exact command path, and a prefix match may over-report, never under-report.
    pub fn defaults_for(
        &self,
        words: &[&str],
        given: &dyn Fn(&str) -> bool,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for CommandDefaults { command, options } in &self.defaults {
            let applies = !command.is_empty()
                && command.len() <= words.len()
                && command.iter().zip(words).all(|(a, b)| a == b);
            if !applies {
                continue;
            }
            for (name, value) in options {
                if !given(name) {
                    out.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        out
    }

    /// The command an alias runs, if `verb` is a kuberc alias.
    pub fn alias(&self, verb: &str) -> Option<&str> {
        self.aliases
            .iter()
            .find(|(name, _)| name == verb)
            .map(|(_, command)| command.as_str())
    }
}

#[derive(Deserialize)]
struct RawKuberc {
    #[serde(default)]
    defaults: Option<Vec<RawDefaults>>,
    #[serde(default)]
    overrides: Option<Vec<RawDefaults>>,
    #[serde(default)]
    aliases: Option<Vec<RawAlias>>,
}

#[derive(Deserialize)]
struct RawDefaults {
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    options: Option<Vec<RawOption>>,
    #[serde(default)]
    flags: Option<Vec<RawOption>>,
}

#[derive(Deserialize)]
struct RawOption {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    default: Option<yaml_serde::Value>,
}

#[derive(Deserialize)]
struct RawAlias {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    command: Option<String>,
}

/// Parses kuberc text; like the kubeconfig parser it never quotes file content back.
fn parse(text: &str) -> Result<Kuberc, String> {
    if text.trim().is_empty() {
        return Ok(Kuberc::default());
    }
    let Some(raw) = crate::facts::kubeconfig::parse_yaml_quietly::<RawKuberc>(text, "kuberc")?
    else {
        return Ok(Kuberc::default());
    };
    let mut out = Kuberc::default();
    let entries = raw
        .defaults
        .unwrap_or_default()
        .into_iter()
        .chain(raw.overrides.unwrap_or_default());
    for entry in entries {
        let command: Vec<String> = entry
            .command
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let options = entry
            .options
            .unwrap_or_default()
            .into_iter()
            .chain(entry.flags.unwrap_or_default())
            .filter_map(|o| Some((o.name?, scalar(o.default?)?)))
            .collect();
        out.defaults.push(CommandDefaults { command, options });
    }
    for alias in raw.aliases.unwrap_or_default() {
        if let (Some(name), Some(command)) = (alias.name, alias.command) {
            out.aliases.push((name, command));
        }
    }
    Ok(out)
}

fn scalar(value: yaml_serde::Value) -> Option<String> {
    match value {
        yaml_serde::Value::String(s) => Some(s),
        yaml_serde::Value::Bool(b) => Some(b.to_string()),
        yaml_serde::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::path::Path;

    const SAMPLE: &str = r"
apiVersion: kubectl.config.k8s.io/v1beta1
kind: Preference
defaults:
- command: get
  options:
  - name: output
    default: yaml
- command: set env
  options:
  - name: namespace
    default: prod
- command: delete
  options:
  - name: interactive
    default: true
aliases:
- name: getn
  command: get
  prependArgs: [nodes]
";

    fn ctx(home: &Path, env: &[(&str, &str)]) -> Context {
        Context::for_test(home, home, env)
    }

    #[rstest]
    #[case::get(&["get", "secrets"], "output=yaml")]
    #[case::set_env(&["set", "env", "deploy/x"], "namespace=prod")]
    #[case::set_other(&["set", "image"], "")]
    #[case::bool_default(&["delete", "pods"], "interactive=true")]
    #[case::other(&["describe"], "")]
    fn defaults_apply_by_command(#[case] words: &[&str], #[case] want: &str) {
        let Ok(k) = parse(SAMPLE) else {
            unreachable!("sample parses")
        };
        let got: Vec<String> = k
            .defaults_for(words, &|_| false)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(got.join(","), want);
    }

    #[test]
    fn explicit_options_win() {
        let Ok(k) = parse(SAMPLE) else {
            unreachable!("sample parses")
        };
        assert!(k
            .defaults_for(&["get"], &|name| name == "output")
            .is_empty());
    }

    #[test]
    fn alpha_overrides_and_aliases() {
        let text = "overrides:\n- command: get\n  flags:\n  - name: output\n    default: json\naliases:\n- name: getn\n  command: get\n";
        let Ok(k) = parse(text) else {
            unreachable!("parses")
        };
        assert_eq!(
            k.defaults_for(&["get"], &|_| false)
                .get("output")
                .map(String::as_str),
            Some("json")
        );
        assert_eq!(k.alias("getn"), Some("get"));
        assert_eq!(k.alias("get"), None);
    }

    #[rstest]
    #[case::default_home(&[("HOME", "/home/u")], None, Some(".kube/kuberc"))]
    // HOME unset: kubectl reads `.kube/kuberc` in the working directory (here also
    // /home/u), never a home from the password database.
    #[case::home_unset(&[], None, Some(".kube/kuberc"))]
    #[case::home_elsewhere(&[("HOME", "/elsewhere")], None, Some("/elsewhere/.kube/kuberc"))]
    #[case::env(&[("KUBERC", "/etc/k")], None, Some("/etc/k"))]
    #[case::flag_beats_env(&[("KUBERC", "/etc/k")], Some("mine"), Some("mine"))]
    #[case::off(&[("KUBERC", "off")], None, None)]
    #[case::gate_off(&[("KUBECTL_KUBERC", "false")], Some("mine"), None)]
    fn locates_like_kubectl(
        #[case] env: &[(&str, &str)],
        #[case] flag: Option<&str>,
        #[case] want: Option<&str>,
    ) {
        let home = Path::new("/home/u");
        let got = locate(flag, &ctx(home, env));
        assert_eq!(got, want.map(|w| home.join(w)));
    }

    #[test]
    fn broken_kuberc_is_uncertain() {
        let Ok(dir) = tempfile::tempdir() else {
            unreachable!("tempdir")
        };
        let _ = std::fs::create_dir_all(dir.path().join(".kube"));
        let _ = std::fs::write(dir.path().join(".kube/kuberc"), "defaults: {{{\n");
        let mut uncertain = Vec::new();
        assert!(load(None, &ctx(dir.path(), &[]), &mut uncertain).is_none());
        assert_eq!(uncertain.len(), 1);
        assert!(uncertain[0].starts_with("kuberc `"), "{uncertain:?}");
    }
}
