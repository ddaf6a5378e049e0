//! The generic argv walker: a tool spec plus an argument vector in, verb, subverb,
//! positionals and flags out.
//!
//! Pure: no I/O, no environment, no policy. Anything it cannot pin down (a value flag at
//! the end of the line with no value) goes into `uncertain` instead of being guessed.

use crate::spec::{Arity, FlagSet, FlagStyle, ToolSpec, UnknownOption};
use serde_json::{Map, Value};

/// The result of walking one argv with a spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Walked {
    /// First command word after global flags (canonical spelling), `""` if none.
    pub verb: String,
    /// The verb as typed, before alias normalisation.
    pub verb_as_typed: String,
    /// Second command word where the verb takes one, `""` otherwise.
    pub subverb: String,
    /// Positional arguments after verb/subverb, and everything after `--`.
    pub args: Vec<String>,
    /// Index into `args` where the arguments after `--` start, if `--` was given.
    pub dashdash_at: Option<usize>,
    /// Long flag name → last value (`true` for a switch).
    pub flags: Map<String, Value>,
    /// Long flag name → every value, in order.
    pub flags_all: Map<String, Value>,
    /// Flags given before the verb, by long name (git's `-C`, kubectl's `--context`).
    pub global_flags: Vec<String>,
    /// Every flag occurrence by long name, in command-line order (so `--force
    /// --no-force` can be resolved as the tool does: last one wins).
    pub flag_order: Vec<String>,
    /// What could not be determined.
    pub uncertain: Vec<String>,
    /// Index in the walked slice of the verb word, if any (used to splice alias
    /// expansions).
    pub verb_index: Option<usize>,
}

impl Walked {
    fn record(&mut self, name: &str, value: Value, before_verb: bool) {
        self.flag_order.push(name.to_string());
        self.flags.insert(name.to_string(), value.clone());
        match self.flags_all.get_mut(name) {
            Some(Value::Array(list)) => list.push(value),
            _ => {
                self.flags_all
                    .insert(name.to_string(), Value::Array(vec![value]));
            }
        }
        if before_verb && !self.global_flags.iter().any(|g| g == name) {
            self.global_flags.push(name.to_string());
        }
    }

    /// The string value of flag `name`, if it was given a value.
    pub fn flag_str(&self, name: &str) -> Option<&str> {
        self.flags.get(name).and_then(Value::as_str)
    }

    /// True when flag `name` was given at all (as a switch or with a value).
    pub fn has_flag(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    /// True when `on` was given after the last `off` (git's `--force --no-force`: the
    /// last one wins).
    pub fn last_wins(&self, on: &str, off: &str) -> bool {
        let last = |n: &str| self.flag_order.iter().rposition(|f| f == n);
        match (last(on), last(off)) {
            (Some(a), Some(b)) => a > b,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Every string value of flag `name`, in order.
    pub fn flag_values(&self, name: &str) -> Vec<&str> {
        match self.flags_all.get(name) {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// Walks `args` (argv without argv[0]) with `spec`.
pub fn walk(spec: &ToolSpec, args: &[String]) -> Walked {
    let mut out = Walked::default();
    let mut i = 0;
    let mut subverb_pending = false;
    // An unknown option collecting the words that follow it (`unknown = "values"`).
    let mut open = Open::default();
    while i < args.len() {
        let tok = &args[i];
        i += 1;
        if out.dashdash_at.is_some() {
            out.args.push(tok.clone());
            continue;
        }
        if tok == "--" {
            open.close(&mut out);
            out.dashdash_at = Some(out.args.len());
            continue;
        }
        let scopes = Scopes::new(spec, &out.verb);
        let before_verb = out.verb.is_empty();
        if let Some(rest) = long_option(spec.style, tok) {
            let (typed, inline) = match rest.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (rest, None),
            };
            let found = match scopes.resolve(typed, spec.abbreviations) {
                Resolved::Known(name, arity, from) => Some((name, arity, from)),
                Resolved::Unknown => None,
                Resolved::Ambiguous(names) => {
                    // The tool itself refuses an ambiguous abbreviation (git, argparse);
                    // guessing one of its meanings could read a dangerous option as a
                    // harmless one, and whether it eats the next word is unknown too.
                    out.uncertain.push(format!(
                        "option `--{typed}` is ambiguous: it could be {}",
                        names
                            .iter()
                            .map(|n| format!("`--{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    None
                }
            };
            // Global options are parsed out of the line before an operation's
            // parameters (aws), so only the others end an open list.
            if found.as_ref().map(|(_, _, from)| *from) != Some(From::Global) {
                open.close(&mut out);
            }
            let Some((name, arity, _)) = found else {
                let awaiting_subverb = subverb_pending && spec.expects_subverb(&out.verb);
                let complete = !before_verb && !awaiting_subverb;
                match inline {
                    Some(v) => out.record(typed, Value::String(v.to_string()), before_verb),
                    None if complete && scopes.unknown() == UnknownOption::Values => {
                        open.name = Some(typed.to_string());
                    }
                    None => out.record(typed, Value::Bool(true), before_verb),
                }
                continue;
            };
            let value = match (inline, arity) {
                (Some(v), _) => Value::String(v.to_string()),
                (None, Arity::Switch) => Value::Bool(true),
                (None, Arity::Optional) => match args.get(i) {
                    Some(v) if !looks_like_option(v) => {
                        i += 1;
                        Value::String(v.clone())
                    }
                    _ => Value::Bool(true),
                },
                (None, Arity::Value) => {
                    if let Some(v) = args.get(i) {
                        i += 1;
                        Value::String(v.clone())
                    } else {
                        out.uncertain
                            .push(format!("flag `{tok}` needs a value and has none"));
                        continue;
                    }
                }
            };
            out.record(&name, value, before_verb);
            continue;
        }
        if let Some(cluster) = short_cluster(spec.style, tok) {
            open.close(&mut out);
            i = walk_short_cluster(spec.style, &scopes, cluster, args, i, &mut out, before_verb);
            continue;
        }
        // A positional word.
        if let Some(name) = &open.name {
            out.record(name, Value::String(tok.clone()), false);
            open.has_value = true;
        } else if out.verb.is_empty() {
            out.verb_as_typed.clone_from(tok);
            out.verb = spec.canonical_verb(tok).to_string();
            out.verb_index = Some(i - 1);
            subverb_pending = true;
        } else if subverb_pending && out.subverb.is_empty() && spec.is_subverb(&out.verb, tok) {
            out.subverb.clone_from(tok);
            subverb_pending = false;
        } else {
            subverb_pending = false;
            out.args.push(tok.clone());
        }
    }
    open.close(&mut out);
    out
}

/// An unknown option reading the words after it as its values.
#[derive(Default)]
struct Open {
    name: Option<String>,
    has_value: bool,
}

impl Open {
    /// Ends the list; an option that got no word is a switch.
    fn close(&mut self, out: &mut Walked) {
        if let Some(name) = self.name.take() {
            if !self.has_value {
                out.record(&name, Value::Bool(true), false);
            }
        }
        self.has_value = false;
    }
}

/// True when `tok` would be read as an option rather than a value: it starts with `-`
/// and is neither `-` alone nor a negative number.
fn looks_like_option(tok: &str) -> bool {
    tok.strip_prefix('-')
        .is_some_and(|rest| !rest.is_empty() && rest.parse::<f64>().is_err())
}

/// Which scope knew an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum From {
    Verb,
    Global,
}

/// What a typed long option name stands for.
enum Resolved {
    /// Its full name, how it reads a value, and which scope knows it.
    Known(String, Arity, From),
    /// No scope knows it.
    Unknown,
    /// An abbreviation of several options of one scope (their names, sorted).
    Ambiguous(Vec<String>),
}

/// The distinct long names of `set` that start with `prefix`, sorted.
fn prefix_matches(set: &FlagSet, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = set
        .value
        .iter()
        .chain(&set.optional)
        .chain(&set.switch)
        .filter(|n| n.starts_with(prefix))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The flag scopes visible at one point of the walk: verb flags first, then globals.
struct Scopes<'a> {
    verb: Option<&'a FlagSet>,
    global: Option<&'a FlagSet>,
}

impl<'a> Scopes<'a> {
    fn new(spec: &'a ToolSpec, verb: &str) -> Scopes<'a> {
        if verb.is_empty() {
            return Scopes {
                verb: None,
                global: Some(&spec.global),
            };
        }
        Scopes {
            verb: spec.verb_flags(verb),
            global: spec.global_anywhere.then_some(&spec.global),
        }
    }

    fn takes_value(&self, name: &str) -> bool {
        self.verb.is_some_and(|s| s.takes_value(name))
            || self.global.is_some_and(|s| s.takes_value(name))
    }

    /// The long option `typed` names. A name taking a value in either scope takes one;
    /// then a known switch; then, with `abbreviations`, the one name that starts with
    /// `typed` (globals first, as aws's main parser sees them first). Several names
    /// starting with `typed` in the first scope that has any make it ambiguous.
    fn resolve(&self, typed: &str, abbreviations: bool) -> Resolved {
        let scoped = [(self.verb, From::Verb), (self.global, From::Global)];
        for (set, from) in scoped {
            if set.is_some_and(|s| s.takes_value(typed)) {
                return Resolved::Known(typed.to_string(), Arity::Value, from);
            }
        }
        for (set, from) in scoped {
            if let Some(arity) = set.and_then(|s| s.arity(typed)) {
                return Resolved::Known(typed.to_string(), arity, from);
            }
        }
        if !abbreviations || typed.is_empty() {
            return Resolved::Unknown;
        }
        for (set, from) in [scoped[1], scoped[0]] {
            let Some(set) = set else { continue };
            let names = prefix_matches(set, typed);
            match names.as_slice() {
                [] => {}
                [full] => {
                    let arity = set.arity(full).unwrap_or(Arity::Switch);
                    return Resolved::Known(full.clone(), arity, from);
                }
                _ => return Resolved::Ambiguous(names),
            }
        }
        Resolved::Unknown
    }

    /// How an unknown long option is read here.
    fn unknown(&self) -> UnknownOption {
        self.verb
            .and_then(|s| s.unknown)
            .or_else(|| self.global.and_then(|s| s.unknown))
            .unwrap_or(UnknownOption::Switch)
    }

    /// The long names for short letter `c`; an unknown letter is reported under itself.
    fn short_longs(&self, c: char) -> Vec<String> {
        let found = self
            .verb
            .and_then(|s| s.short(c))
            .or_else(|| self.global.and_then(|s| s.short(c)));
        match found {
            Some(target) => target.longs().to_vec(),
            None => vec![c.to_string()],
        }
    }
}

/// The name part of a long option token, or `None` if `tok` is not one.
fn long_option(style: FlagStyle, tok: &str) -> Option<&str> {
    match style {
        FlagStyle::Gnu | FlagStyle::Go => tok.strip_prefix("--").filter(|r| !r.is_empty()),
        FlagStyle::SingleDash => tok
            .strip_prefix("--")
            .or_else(|| tok.strip_prefix('-'))
            .filter(|r| !r.is_empty()),
    }
}

/// The letters of a short option cluster (`-abc` → `abc`), or `None` if `tok` is not one.
/// A lone `-` is a positional (stdin), as are negative numbers.
fn short_cluster(style: FlagStyle, tok: &str) -> Option<&str> {
    if style == FlagStyle::SingleDash {
        return None;
    }
    let rest = tok.strip_prefix('-')?;
    if rest.is_empty() || rest.starts_with('-') || rest.parse::<f64>().is_ok() {
        return None;
    }
    Some(rest)
}

fn walk_short_cluster(
    style: FlagStyle,
    scopes: &Scopes<'_>,
    cluster: &str,
    args: &[String],
    mut next: usize,
    out: &mut Walked,
    before_verb: bool,
) -> usize {
    for (pos, c) in cluster.char_indices() {
        let longs = scopes.short_longs(c);
        let rest = &cluster[pos + c.len_utf8()..];
        // pflag: `-A=false` gives the switch `-A` the value `false`. A bare `-n=` is not
        // that form (pflag needs something after the `=`): a value option takes `=` itself
        // as its value, as in `-n=` → namespace `=` (found by the kubectl differential).
        if style == FlagStyle::Go {
            if let Some(value) = rest.strip_prefix('=').filter(|v| !v.is_empty()) {
                for long in &longs {
                    out.record(long, Value::String(value.to_string()), before_verb);
                }
                return next;
            }
        }
        let needs_value = longs.iter().any(|l| scopes.takes_value(l));
        if !needs_value {
            for long in &longs {
                out.record(long, Value::Bool(true), before_verb);
            }
            continue;
        }
        let value = if !rest.is_empty() {
            Some(rest.to_string())
        } else if let Some(v) = args.get(next) {
            next += 1;
            Some(v.clone())
        } else {
            None
        };
        match value {
            Some(v) => {
                for long in &longs {
                    out.record(long, Value::String(v.clone()), before_verb);
                }
            }
            None => out
                .uncertain
                .push(format!("flag `-{c}` needs a value and has none")),
        }
        return next;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn spec(text: &str) -> ToolSpec {
        match ToolSpec::parse("test", text) {
            Ok(s) => s,
            Err(e) => unreachable!("test spec: {e}"),
        }
    }

    const GNU: &str = r#"
tool = "t"
style = "gnu"
[global]
value = ["C", "c", "git-dir"]
short = { C = "C", c = "c" }
[verbs.commit]
value = ["message"]
short = { m = "message", a = "all" }
[verbs.branch]
short = { D = ["delete", "force"], f = "force" }
[subverbs]
any = ["stash"]
[subverbs.only]
apply = ["view-last-applied"]
[aliases]
ci = "commit"
"#;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case("status", "status", "", "")]
    #[case("-C /tmp status", "status", "", "")]
    #[case("-c a=b --git-dir=/x log -1", "log", "", "-1")]
    #[case("stash drop stash@{0}", "stash", "drop", "stash@{0}")]
    #[case("apply -f x.yaml", "apply", "", "x.yaml")]
    #[case(
        "apply view-last-applied deploy/x",
        "apply",
        "view-last-applied",
        "deploy/x"
    )]
    #[case("ci -am wip", "commit", "", "")]
    #[case("", "", "", "")]
    fn verbs_and_args(
        #[case] line: &str,
        #[case] verb: &str,
        #[case] subverb: &str,
        #[case] args: &str,
    ) {
        let w = walk(&spec(GNU), &words(line));
        assert_eq!(w.verb, verb);
        assert_eq!(w.subverb, subverb);
        assert_eq!(w.args.join(" "), args);
    }

    #[test]
    fn bundled_shorts_take_the_rest_as_value() {
        let w = walk(&spec(GNU), &words("commit -amfix"));
        assert_eq!(w.flag_str("message"), Some("fix"));
        assert_eq!(w.flags.get("all"), Some(&Value::Bool(true)));
    }

    #[test]
    fn short_can_set_several_longs() {
        let w = walk(&spec(GNU), &words("branch -D topic"));
        assert!(w.has_flag("delete") && w.has_flag("force"));
        assert_eq!(w.args, vec!["topic"]);
    }

    #[test]
    fn missing_value_is_uncertain_not_guessed() {
        let w = walk(&spec(GNU), &words("commit -m"));
        assert_eq!(w.uncertain.len(), 1);
        assert!(w.uncertain[0].contains("-m"));
        let w = walk(&spec(GNU), &words("--git-dir"));
        assert!(w.uncertain[0].contains("--git-dir"));
    }

    #[test]
    fn global_value_is_never_the_verb() {
        let w = walk(&spec(GNU), &words("-C push status"));
        assert_eq!(w.verb, "status");
        assert_eq!(w.flag_str("C"), Some("push"));
        assert_eq!(w.global_flags, vec!["C"]);
    }

    #[test]
    fn double_dash_ends_options() {
        let w = walk(&spec(GNU), &words("commit -- -m x"));
        assert_eq!(w.args, vec!["-m", "x"]);
        assert_eq!(w.dashdash_at, Some(0));
    }

    #[test]
    fn repeated_flags_keep_last_and_all() {
        let w = walk(&spec(GNU), &words("-c a=1 -c b=2 status"));
        assert_eq!(w.flag_str("c"), Some("b=2"));
        assert_eq!(w.flag_values("c"), vec!["a=1", "b=2"]);
    }

    #[test]
    fn go_style_accepts_short_equals() {
        let text = "tool = \"k\"\nstyle = \"go\"\nglobal_anywhere = true\n[global]\nvalue = [\"namespace\"]\nshort = { n = \"namespace\" }\n";
        let w = walk(&spec(text), &words("get pods -n=kube-system"));
        assert_eq!(w.flag_str("namespace"), Some("kube-system"));
        let w = walk(&spec(text), &words("get -A=false pods"));
        assert_eq!(w.flag_str("A"), Some("false"));
        assert_eq!(w.args, vec!["pods"]);
        let w = walk(&spec(text), &words("get -nprod pods"));
        assert_eq!(w.flag_str("namespace"), Some("prod"));
        assert_eq!(w.args, vec!["pods"]);
        // pflag's `-n=` is `-n` glued to the value `=` (the real kubectl sends its
        // request to namespace `=`), not an empty value.
        let w = walk(&spec(text), &words("-n= get pods"));
        assert_eq!(w.flag_str("namespace"), Some("="));
        assert_eq!(w.args, vec!["pods"]);
    }

    #[test]
    fn single_dash_style_reads_long_flags() {
        let text = "tool = \"tf\"\nstyle = \"single-dash\"\nglobal_anywhere = true\n[global]\nvalue = [\"chdir\", \"var\"]\n";
        let w = walk(
            &spec(text),
            &words("-chdir dir apply -auto-approve -var=a=b"),
        );
        assert_eq!(w.verb, "apply");
        assert_eq!(w.flag_str("chdir"), Some("dir"));
        assert_eq!(w.flag_str("var"), Some("a=b"));
        assert_eq!(w.flags.get("auto-approve"), Some(&Value::Bool(true)));
    }

    /// An argparse-like tool (the shape of the aws CLI).
    const ARGPARSE: &str = r#"
tool = "a"
style = "gnu"
global_anywhere = true
abbreviations = true
[global]
value = ["profile", "region", "output"]
switch = ["debug", "version", "verbose"]
unknown = "values"
[subverbs]
every = true
[verbs.files]
value = ["exclude"]
optional = ["payer"]
switch = ["recursive", "delete"]
unknown = "switch"
"#;

    /// `verb subverb args | name=v1,v2 …` (switches as `name`), flags sorted.
    fn shape(line: &str) -> String {
        let w = walk(&spec(ARGPARSE), &words(line));
        let mut flags: Vec<String> = w
            .flags_all
            .iter()
            .map(|(k, v)| {
                let list: Vec<&str> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if list.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={}", list.join(","))
                }
            })
            .collect();
        flags.sort();
        format!(
            "{} {} {} | {}",
            w.verb,
            w.subverb,
            w.args.join(" "),
            flags.join(" ")
        )
    }

    #[rstest]
    #[case("svc op", "svc op  | ")]
    #[case("svc op --ids a b --name x", "svc op  | ids=a,b name=x")]
    #[case("svc op --ids a --debug b", "svc op  | debug ids=a,b")]
    #[case("svc op --ids a --region r b", "svc op  | ids=a,b region=r")]
    #[case("svc op --ids=a b", "svc op b | ids=a")]
    #[case("svc op --flag --ids a", "svc op  | flag ids=a")]
    #[case("svc op --ids a -x b", "svc op b | ids=a x")]
    #[case("svc op --n -1 -2.5", "svc op  | n=-1,-2.5")]
    #[case("svc op --ids a -- b", "svc op b | ids=a")]
    #[case("svc op help", "svc op help | ")]
    #[case("--weird svc op", "svc op  | weird")]
    #[case("svc --weird op x", "svc op x | weird")]
    #[case("--prof p svc op", "svc op  | profile=p")]
    #[case("svc op --reg=r", "svc op  | region=r")]
    #[case("--ver svc op", "svc op  | ver")]
    #[case("--vers svc op", "svc op  | version")]
    #[case("files cp --rec a b", "files cp a b | recursive")]
    #[case("files cp --de a b", "files cp a b | debug")]
    #[case("files cp --del a b", "files cp a b | delete")]
    #[case("files cp --ex x* a b", "files cp a b | exclude=x*")]
    #[case("files cp --odd a b", "files cp a b | odd")]
    #[case("files cp a b --payer", "files cp a b | payer")]
    #[case("files cp --payer me a b", "files cp a b | payer=me")]
    #[case("files cp --payer --recursive a b", "files cp a b | payer recursive")]
    fn argparse_shapes(#[case] line: &str, #[case] want: &str) {
        assert_eq!(shape(line), want, "{line}");
    }

    #[test]
    fn abbreviations_are_off_unless_asked_for() {
        let w = walk(&spec(GNU), &words("--git status"));
        assert!(w.has_flag("git") && !w.has_flag("git-dir"));
        assert_eq!(w.verb, "status");
    }

    /// A git-like tool: abbreviations, options known only after their verb.
    const GIT_LIKE: &str = r#"
tool = "g"
style = "gnu"
abbreviations = true
[global]
value = ["C", "git-dir"]
[verbs.push]
value = ["repo", "receive-pack"]
switch = ["force", "force-with-lease", "force-if-includes", "delete", "dry-run", "mirror"]
short = { f = "force", d = "delete" }
[verbs.switch]
value = ["create"]
switch = ["detach", "discard-changes"]
"#;

    #[rstest]
    #[case("push --delet origin x", "delete", "origin x")]
    #[case("push --mirr origin", "mirror", "origin")]
    #[case("push --force origin", "force", "origin")]
    #[case("push --force-w origin", "force-with-lease", "origin")]
    #[case("push --force-with-lease=a:b origin", "force-with-lease", "origin")]
    #[case("push --rep=o x", "repo", "x")]
    #[case("push --rec o x", "receive-pack", "x")]
    #[case("switch --disc main", "discard-changes", "main")]
    #[case("switch --cr topic", "create", "")]
    fn gnu_verb_scopes_resolve_abbreviations(
        #[case] line: &str,
        #[case] flag: &str,
        #[case] args: &str,
    ) {
        let w = walk(&spec(GIT_LIKE), &words(line));
        assert!(w.has_flag(flag), "{line}: {:?}", w.flags);
        assert_eq!(w.args.join(" "), args, "{line}");
        assert!(w.uncertain.is_empty(), "{line}: {:?}", w.uncertain);
    }

    #[rstest]
    #[case("push --forc origin", "`--force-if-includes`, `--force-with-lease`")]
    #[case("push --d origin", "`--delete`, `--dry-run`")]
    #[case("switch --d main", "`--detach`, `--discard-changes`")]
    fn ambiguous_abbreviations_are_uncertain(#[case] line: &str, #[case] names: &str) {
        let w = walk(&spec(GIT_LIKE), &words(line));
        assert_eq!(w.uncertain.len(), 1, "{line}: {:?}", w.uncertain);
        assert!(w.uncertain[0].contains("ambiguous"), "{:?}", w.uncertain);
        assert!(w.uncertain[0].contains(names), "{:?}", w.uncertain);
    }

    #[test]
    fn unknown_options_are_not_abbreviations() {
        let w = walk(&spec(GIT_LIKE), &words("push --xyz origin"));
        assert!(w.has_flag("xyz") && w.uncertain.is_empty());
        // Verb options are not known before the verb, nor globals after it.
        let w = walk(&spec(GIT_LIKE), &words("--forc push"));
        assert!(w.has_flag("forc") && !w.has_flag("force"));
        let w = walk(&spec(GIT_LIKE), &words("log --git x"));
        assert!(w.has_flag("git") && !w.has_flag("git-dir"));
        assert_eq!(w.args, vec!["x"]);
    }

    #[test]
    fn lone_dash_and_negative_numbers_are_positionals() {
        let w = walk(&spec(GNU), &words("log - -5"));
        assert_eq!(w.args, vec!["-", "-5"]);
    }
}
