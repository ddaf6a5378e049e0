//! Tool specs: the declarative description of a command line that drives the argv walker.
//!
//! A spec says which flags take a value, which short flags stand for which long ones,
//! which verbs have subverbs, which verb spellings are aliases, and which enrichers turn
//! the walked argv into a full fact. Built-in specs live in `shims/` and are embedded at
//! build time; users add their own in `<config>/tools/*.toml` (same format).
//!
//! This module only parses and validates specs; it never touches argv.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Built-in specs, converted by build.rs from `shims/<tool>.toml`: `BASE` holds each
/// spec without its per-verb flags, `verb_json` one verb's flags, parsed only when a
/// command uses that verb.
// One arm per (tool, verb), as generated: verbs with the same flags stay separate arms.
#[allow(clippy::match_same_arms)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/builtin_specs.rs"));
}

/// How a tool spells its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagStyle {
    /// GNU getopt: `--long`, `--long=value`, bundled shorts `-abc`, `-mVALUE`.
    Gnu,
    /// Go's pflag (kubectl, helm): GNU plus `-n=value`.
    Go,
    /// terraform: every option is `-name` or `-name=value` (a `--` prefix is accepted too);
    /// no bundling.
    SingleDash,
}

/// What a short flag stands for: one long name, or several (git's `-D` is
/// `--delete --force`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ShortTarget {
    /// One long flag.
    One(String),
    /// Several long flags set at once.
    Many(Vec<String>),
}

impl ShortTarget {
    /// The long names this short flag sets, in order.
    pub fn longs(&self) -> &[String] {
        match self {
            ShortTarget::One(name) => std::slice::from_ref(name),
            ShortTarget::Many(names) => names,
        }
    }
}

/// How a long option that no scope knows is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownOption {
    /// As a switch: the next word is not its value (the default).
    Switch,
    /// Once the command words are complete (the verb, and its subverb where it takes
    /// one), as taking every following word that does not look like an option, the way
    /// the aws CLI reads operation parameters (`--instance-ids i-1 i-2`). Each word is
    /// recorded as one value, as if the option had been repeated; with none it is a
    /// switch. Options of the global scope in between do not end the list, because aws
    /// parses them out of the line before it reads the operation's parameters.
    Values,
}

/// Flags known in one scope (globally, or after one verb).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagSet {
    /// Long names of the flags that take a value (`--name VALUE` or `--name=VALUE`).
    #[serde(default)]
    pub value: Vec<String>,
    /// Long names of the flags whose value is optional: they take the next word only
    /// when it does not look like an option (argparse's `nargs='?'`).
    #[serde(default)]
    pub optional: Vec<String>,
    /// Long names of the flags known to take no value. Unknown flags are switches
    /// anyway unless `unknown = "values"`; listing them matters there, and for
    /// `abbreviations`.
    #[serde(default)]
    pub switch: Vec<String>,
    /// How an unknown long option is read after the command words; the verb's scope
    /// overrides the global one; unset means [`UnknownOption::Switch`].
    #[serde(default)]
    pub unknown: Option<UnknownOption>,
    /// Short letter → long name(s).
    #[serde(default)]
    pub short: BTreeMap<String, ShortTarget>,
}

/// How a known long flag reads its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// No value (`--force`).
    Switch,
    /// Exactly one value, the next word or after `=`.
    Value,
    /// The next word if it does not look like an option, else none.
    Optional,
}

impl FlagSet {
    /// True when the long flag `name` takes a value in this scope.
    pub fn takes_value(&self, name: &str) -> bool {
        self.value.iter().any(|v| v == name)
    }

    /// How the long flag `name` reads its value, or `None` when this scope does not
    /// know it.
    pub fn arity(&self, name: &str) -> Option<Arity> {
        if self.takes_value(name) {
            Some(Arity::Value)
        } else if self.optional.iter().any(|v| v == name) {
            Some(Arity::Optional)
        } else if self.switch.iter().any(|v| v == name) {
            Some(Arity::Switch)
        } else {
            None
        }
    }

    /// The one long name in this scope that starts with `prefix`, if exactly one does
    /// (argparse's abbreviations: `--prof` for `--profile`).
    pub fn unique_prefix(&self, prefix: &str) -> Option<&str> {
        let mut found: Option<&str> = None;
        for name in self.value.iter().chain(&self.optional).chain(&self.switch) {
            if name.starts_with(prefix) && found != Some(name.as_str()) {
                if found.is_some() {
                    return None;
                }
                found = Some(name);
            }
        }
        found
    }

    /// The long names for the short letter `c`, if this scope knows it.
    pub fn short(&self, c: char) -> Option<&ShortTarget> {
        let mut buf = [0u8; 4];
        self.short.get(&*c.encode_utf8(&mut buf))
    }
}

/// Which verbs are followed by a subverb.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subverbs {
    /// Every verb's next word, whatever it is, is its subverb (aws: the service, then
    /// the operation).
    #[serde(default)]
    pub every: bool,
    /// Verbs whose next word, whatever it is, is the subverb (`rollout restart`).
    #[serde(default)]
    pub any: Vec<String>,
    /// Verbs whose next word is a subverb only when it is one of these
    /// (`apply view-last-applied`, but `apply` alone takes no positional).
    #[serde(default)]
    pub only: BTreeMap<String, Vec<String>>,
}

/// One tool's command-line description.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// Canonical tool name (`terraform` for tofu too); the fact's `tool`.
    pub tool: String,
    /// Binary names that are parsed with this spec; defaults to `[tool]`.
    #[serde(default)]
    pub binaries: Vec<String>,
    /// One line saying what the tool is, for `failsafe tools list`.
    #[serde(default)]
    pub description: String,
    /// How the tool spells options.
    pub style: FlagStyle,
    /// Built-in enrichers to run after the walk (`kubectl`, `git`); user specs usually
    /// have none.
    #[serde(default)]
    pub enrichers: Vec<String>,
    /// When true, global flags are recognised after the verb as well (kubectl, helm, aws);
    /// when false only before it (git).
    #[serde(default)]
    pub global_anywhere: bool,
    /// When true, a long option that is not spelled out in full but is the start of
    /// exactly one known option is that option, as Python's argparse reads it (aws:
    /// `--prof x` is `--profile x`). The global scope is searched before the verb's.
    #[serde(default)]
    pub abbreviations: bool,
    /// Flags valid before the verb (and anywhere with `global_anywhere`).
    #[serde(default)]
    pub global: FlagSet,
    /// Flags valid after a given verb, by canonical verb.
    #[serde(default)]
    pub verbs: BTreeMap<String, FlagSet>,
    /// Verbs that take a subverb.
    #[serde(default)]
    pub subverbs: Subverbs,
    /// Verb spellings → canonical verb (`del` → `uninstall`).
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Set for built-in specs, whose per-verb flags are parsed on first use.
    #[serde(skip)]
    pub builtin: bool,
}

/// Why a spec could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The TOML did not parse or did not match the spec format.
    #[error("tool spec {path} is not valid: {message}")]
    Invalid {
        /// File (or `builtin:<tool>`) the spec came from.
        path: String,
        /// What the TOML parser or validator said.
        message: String,
    },
    /// The spec file could not be read.
    #[error("cannot read tool spec {}: {source}", path.display())]
    Read {
        /// The spec file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl ToolSpec {
    /// Parses and validates spec text; `origin` names the file in errors.
    ///
    /// # Errors
    /// [`SpecError::Invalid`] when the text is not a valid tool spec.
    pub fn parse(origin: &str, text: &str) -> Result<ToolSpec, SpecError> {
        let spec: ToolSpec = toml::from_str(text).map_err(|e| SpecError::Invalid {
            path: origin.to_string(),
            message: e.message().to_string(),
        })?;
        spec.finish(origin)
    }

    /// Parses and validates a spec in its JSON form (the built-ins, converted at build
    /// time).
    ///
    /// # Errors
    /// [`SpecError::Invalid`] when the text is not a valid tool spec.
    pub fn parse_json(origin: &str, text: &str) -> Result<ToolSpec, SpecError> {
        let spec: ToolSpec = serde_json::from_str(text).map_err(|e| SpecError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        spec.finish(origin)
    }

    fn finish(self, origin: &str) -> Result<ToolSpec, SpecError> {
        let mut spec = self;
        if spec.binaries.is_empty() {
            spec.binaries.push(spec.tool.clone());
        }
        spec.validate().map_err(|message| SpecError::Invalid {
            path: origin.to_string(),
            message,
        })?;
        Ok(spec)
    }

    fn validate(&self) -> Result<(), String> {
        if crate::tool::ToolName::new(&self.tool).is_none() {
            return Err(format!(
                "`tool = \"{}\"` is not a plain command name",
                self.tool
            ));
        }
        for bin in &self.binaries {
            if crate::tool::ToolName::new(bin).is_none() {
                return Err(format!("binary `{bin}` is not a plain command name"));
            }
        }
        let scopes = std::iter::once(("global", &self.global))
            .chain(self.verbs.iter().map(|(v, f)| (v.as_str(), f)));
        for (scope, set) in scopes {
            for key in set.short.keys() {
                if key.chars().count() != 1 {
                    return Err(format!(
                        "short flag `{key}` in [{scope}] must be a single character"
                    ));
                }
            }
            let lists = [&set.value, &set.optional, &set.switch];
            for (i, list) in lists.iter().enumerate() {
                for name in *list {
                    if lists[i + 1..].iter().any(|other| other.contains(name)) {
                        return Err(format!(
                            "flag `{name}` in [{scope}] is listed as more than one of value, optional and switch"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The flag scope that applies after `verb` (`None` when the verb has none).
    pub fn verb_flags(&self, verb: &str) -> Option<&FlagSet> {
        match self.verbs.get(verb) {
            Some(set) => Some(set),
            None if self.builtin => builtin_verb_flags(&self.tool, verb),
            None => None,
        }
    }

    /// The canonical spelling of a verb (`del` → `uninstall`).
    pub fn canonical_verb<'a>(&'a self, verb: &'a str) -> &'a str {
        self.aliases.get(verb).map_or(verb, String::as_str)
    }

    /// True when `verb`'s next word, whatever it is, is its subverb.
    pub fn expects_subverb(&self, verb: &str) -> bool {
        self.subverbs.every || self.subverbs.any.iter().any(|v| v == verb)
    }

    /// True when `word` after `verb` is that verb's subverb.
    pub fn is_subverb(&self, verb: &str, word: &str) -> bool {
        self.expects_subverb(verb)
            || self
                .subverbs
                .only
                .get(verb)
                .is_some_and(|list| list.iter().any(|w| w == word))
    }
}

thread_local! {
    /// Per-verb flag sets of built-in specs, parsed once per process and kept for its
    /// lifetime (a handful of small sets at most).
    static VERB_CACHE: std::cell::RefCell<BTreeMap<(String, String), Option<&'static FlagSet>>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// One verb's flags of a built-in spec. A set that does not parse counts as absent; the
/// test suite parses every one.
fn builtin_verb_flags(tool: &str, verb: &str) -> Option<&'static FlagSet> {
    let key = (tool.to_string(), verb.to_string());
    if let Some(cached) = VERB_CACHE.with(|c| c.borrow().get(&key).copied()) {
        return cached;
    }
    let parsed: Option<&'static FlagSet> = generated::verb_json(tool, verb)
        .and_then(|json| serde_json::from_str::<FlagSet>(json).ok())
        .map(|set| &*Box::leak(Box::new(set)));
    VERB_CACHE.with(|c| c.borrow_mut().insert(key, parsed));
    parsed
}

/// The embedded spec of a built-in canonical tool.
///
/// # Errors
/// Fails only if an embedded spec is malformed, which the test suite rules out.
pub fn builtin(tool: &str) -> Option<Result<ToolSpec, SpecError>> {
    generated::BASE
        .iter()
        .find(|(name, _)| *name == tool)
        .map(|(name, text)| parse_builtin(name, text))
}

fn parse_builtin(name: &str, json: &str) -> Result<ToolSpec, SpecError> {
    let mut spec = ToolSpec::parse_json(&format!("builtin:{name}"), json)?;
    spec.builtin = true;
    Ok(spec)
}

/// Every built-in spec, for `tools list` and validation.
pub fn builtin_all() -> Vec<Result<ToolSpec, SpecError>> {
    generated::BASE
        .iter()
        .map(|(name, text)| parse_builtin(name, text))
        .collect()
}

/// Reads one user spec file.
///
/// # Errors
/// `SpecError::Read` when the file cannot be read, `SpecError::Invalid` when it does not
/// parse.
pub fn load_file(path: &Path) -> Result<ToolSpec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    ToolSpec::parse(&path.display().to_string(), &text)
}

/// Looks for a user spec in `<config>/tools/` that claims `binary`. Specs that claim a
/// reserved name (a built-in tool or `failsafe`) are skipped here and reported by
/// [`user_specs`].
///
/// # Errors
/// The first spec that cannot be read or parsed while searching: a broken spec could be
/// the one for this binary, so the caller must refuse rather than guess.
pub fn find_user_spec(config_dir: &Path, binary: &str) -> Option<Result<ToolSpec, SpecError>> {
    let dir = config_dir.join("tools");
    // Cheapest case first: `<tools>/<binary>.toml`.
    let direct = dir.join(format!("{binary}.toml"));
    if direct.is_file() {
        let spec = load_file(&direct);
        if let Ok(s) = &spec {
            if s.binaries.iter().any(|b| b == binary) {
                return Some(spec);
            }
        } else {
            return Some(spec);
        }
    }
    for (_, spec) in user_specs(config_dir).ok()? {
        match spec {
            Ok(s)
                if s.binaries.iter().any(|b| b == binary) && !crate::tool::is_reserved(binary) =>
            {
                return Some(Ok(s))
            }
            Ok(_) => {}
            Err(e) => return Some(Err(e)),
        }
    }
    None
}

/// Every user spec file with its parse result; a spec that claims a reserved name is an
/// error. A missing tools directory is an empty list.
///
/// # Errors
/// The directory exists but cannot be listed.
pub fn user_specs(
    config_dir: &Path,
) -> std::io::Result<Vec<(PathBuf, Result<ToolSpec, SpecError>)>> {
    let dir = config_dir.join("tools");
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let spec = load_file(&p).and_then(|s| {
                let reserved = std::iter::once(&s.tool)
                    .chain(s.binaries.iter())
                    .find(|n| crate::tool::is_reserved(n));
                match reserved {
                    Some(name) => Err(SpecError::Invalid {
                        path: p.display().to_string(),
                        message: format!(
                            "`{name}` is a built-in tool or failsafe itself; a user spec cannot replace it"
                        ),
                    }),
                    None => Ok(s),
                }
            });
            (p, spec)
        })
        .collect())
}

impl ToolSpec {
    /// A spec that knows nothing about `binary`: every word is positional. Used only to
    /// describe a command whose real spec could not be loaded (the command is refused).
    pub fn bare(binary: &str) -> ToolSpec {
        ToolSpec {
            tool: binary.to_string(),
            binaries: vec![binary.to_string()],
            description: String::new(),
            style: FlagStyle::Gnu,
            enrichers: Vec::new(),
            global_anywhere: true,
            abbreviations: false,
            global: FlagSet::default(),
            verbs: BTreeMap::new(),
            subverbs: Subverbs::default(),
            aliases: BTreeMap::new(),
            builtin: false,
        }
    }
}

/// The spec `failsafe` itself is parsed with when the hook finds it in an agent's shell
/// line, so that the self-protection policy sees `mode set` and `trust add` as verb and
/// subverb. It is not a shim: no directory ever gets a `failsafe` link from it.
///
/// # Errors
/// `SpecError::Invalid` only if the embedded text is broken (a bug, caught by tests).
pub fn failsafe() -> Result<ToolSpec, SpecError> {
    ToolSpec::parse("builtin:failsafe", include_str!("hook/failsafe.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_builtins_match_their_toml_source() {
        let sources = [
            ("kubectl", include_str!("../shims/kubectl.toml")),
            ("git", include_str!("../shims/git.toml")),
            ("helm", include_str!("../shims/helm.toml")),
            ("terraform", include_str!("../shims/terraform.toml")),
            ("aws", include_str!("../shims/aws.toml")),
        ];
        for (tool, toml_text) in sources {
            let from_toml = ToolSpec::parse(tool, toml_text).map_err(|e| e.to_string());
            let from_json = builtin(tool).map(|r| r.map_err(|e| e.to_string()));
            let (Ok(mut from_toml), Some(Ok(from_json))) = (from_toml, from_json) else {
                unreachable!("{tool}: a built-in spec does not parse");
            };
            for (verb, set) in &from_toml.verbs {
                assert_eq!(from_json.verb_flags(verb), Some(set), "{tool} {verb}");
            }
            assert_eq!(from_json.verb_flags("no-such-verb"), None);
            from_toml.verbs.clear();
            from_toml.builtin = true;
            assert_eq!(from_toml, from_json, "{tool}");
        }
    }

    #[test]
    fn every_builtin_spec_parses() {
        for spec in builtin_all() {
            let spec = spec.map_err(|e| e.to_string());
            assert!(spec.is_ok(), "{spec:?}");
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = ToolSpec::parse("t.toml", "tool = \"x\"\nstyle = \"gnu\"\nbogus = 1\n");
        assert!(err.is_err());
    }

    #[test]
    fn a_flag_has_one_arity() {
        let text = "tool = \"x\"\nstyle = \"gnu\"\n[verbs.cp]\nvalue = [\"a\"]\nswitch = [\"a\"]\n";
        let err = ToolSpec::parse("t.toml", text)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("more than one of value, optional and switch")));
    }

    #[test]
    fn unique_prefixes() {
        let set = FlagSet {
            value: vec!["profile".into(), "region".into()],
            switch: vec!["debug".into(), "profile".into()],
            ..FlagSet::default()
        };
        assert_eq!(set.unique_prefix("prof"), Some("profile"));
        assert_eq!(set.unique_prefix("d"), Some("debug"));
        assert_eq!(set.unique_prefix("x"), None);
        let set = FlagSet {
            switch: vec!["dry-run".into(), "dryrun".into()],
            ..FlagSet::default()
        };
        assert_eq!(set.unique_prefix("dry"), None);
        assert_eq!(set.unique_prefix("dry-"), Some("dry-run"));
    }

    #[test]
    fn short_flags_must_be_one_character() {
        let text = "tool = \"x\"\nstyle = \"gnu\"\n[global]\nshort = { ab = \"all\" }\n";
        let err = ToolSpec::parse("t.toml", text)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("single character")));
    }
}
