//! `failsafe report --share`: records with the details that identify a person or an
//! organisation replaced by stable placeholders, so a report can be pasted into an
//! issue or sent to a colleague.
//!
//! Replaced, in every text field a report can show (argv, cwd, target name, reason text
//! and location): ARNs (`<arn-1>`), e-mail addresses (`<email-1>`), host names and IP
//! addresses, in URLs and on their own (`<host-1>`), home directories (`<home>`), user
//! names (`<user-1>`), cluster and context names (`<cluster-1>`), kubectl and helm
//! namespaces (`<namespace-1>`), terraform workspaces (`<workspace-1>`), AWS profiles and
//! 12-digit account ids (`<account-1>`). Each kind has its own numbering, and the same
//! original of the same kind always gets the same placeholder within one report. Secrets were already redacted when the log was
//! written; they are redacted again here in case the log is older. Pure, except
//! [`Scrubber::from_env`].

use super::redact::redact_text;
use super::DecisionRecord;
use std::collections::HashMap;
use std::ops::Range;

/// Scrubs records for sharing; knows the local home directories and user names.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    homes: Vec<String>,
    users: Vec<String>,
}

/// Flags whose value names a cluster or kube context, and an AWS profile.
const CLUSTER_FLAGS: &[&str] = &["--context", "--cluster", "--kube-context"];
const ACCOUNT_FLAGS: &[&str] = &["--profile"];
/// Flags of kubectl and helm whose value names a namespace.
const NAMESPACE_FLAGS: &[&str] = &["-n", "--namespace"];

/// The kind of identifier a flag's value is, for a record of `tool`.
fn flag_kind(tool: &str, flag: &str) -> Option<&'static str> {
    if CLUSTER_FLAGS.contains(&flag) {
        Some("cluster")
    } else if ACCOUNT_FLAGS.contains(&flag) {
        Some("account")
    } else if NAMESPACE_FLAGS.contains(&flag) && matches!(tool, "kubectl" | "helm") {
        Some("namespace")
    } else {
        None
    }
}

/// The kinds of target whose name is an identifier with a placeholder space of its own.
const TARGET_KINDS: &[&str] = &["cluster", "account", "workspace", "namespace"];

/// Last labels of a dotted word that mean a file, not a host (`values.yaml`).
const FILE_ENDINGS: &[&str] = &[
    "rego", "yaml", "yml", "json", "jsonl", "toml", "tf", "tfvars", "tfstate", "hcl", "txt", "md",
    "sh", "py", "rs", "go", "js", "ts", "lock", "tgz", "gz", "zip", "tar", "log", "conf", "cfg",
    "ini", "pem", "crt", "key", "html", "xml", "csv", "env", "plan", "sql", "tpl",
];
/// Top-level domains that make a two-label word a host (`example.com`); words with
/// three or more labels count as hosts whatever their last label.
const TLDS: &[&str] = &[
    "com", "net", "org", "io", "dev", "app", "cloud", "ai", "co", "me", "us", "uk", "de", "fr",
    "eu", "info", "biz", "xyz", "tech", "local", "internal", "lan", "corp", "home", "arpa",
];

impl Scrubber {
    /// A scrubber that also hides these home directories and user names wherever they
    /// appear (names shorter than three characters are ignored).
    pub fn new(homes: Vec<String>, users: Vec<String>) -> Scrubber {
        let mut homes: Vec<String> = homes.into_iter().filter(|h| h.len() > 1).collect();
        homes.sort_by_key(|h| std::cmp::Reverse(h.len()));
        Scrubber { homes, users }
    }

    /// From this process: `$HOME`, `$USER` and `$LOGNAME`.
    pub fn from_env() -> Scrubber {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Scrubber::new(
            var("HOME").into_iter().collect(),
            [var("USER"), var("LOGNAME")]
                .into_iter()
                .flatten()
                .collect(),
        )
    }

    /// Copies of `records` with identifying details replaced (see the module docs).
    ///
    /// Each kind of identifier has its own placeholders (`default` the workspace and
    /// `default` the AWS profile are `<workspace-1>` and `<account-1>`). A flag's value
    /// and a record's target are replaced by the kind they are; in free text a record's
    /// own names take precedence over those of other records.
    pub fn scrub(&self, records: &[DecisionRecord]) -> Vec<DecisionRecord> {
        let mut global: Vec<(String, &'static str)> = Vec::new();
        for user in &self.users {
            global.push((user.clone(), "user"));
        }
        for record in records {
            collect_known(record, &mut global);
        }
        let mut names = Placeholders::default();
        records
            .iter()
            .map(|r| self.scrub_record(r, &global, &mut names))
            .collect()
    }

    /// One record; `global` are the names every record of the report knows.
    fn scrub_record(
        &self,
        r: &DecisionRecord,
        global: &[(String, &'static str)],
        names: &mut Placeholders,
    ) -> DecisionRecord {
        let mut known = Vec::new();
        collect_known(r, &mut known);
        known.extend(global.iter().cloned());
        known.retain(|(name, _)| name.chars().count() >= 3);
        // Stable: among equal names the record's own kind stays first.
        known.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
        known.dedup_by(|a, b| a.0 == b.0);
        let mut out = r.clone();
        out.argv = Vec::with_capacity(r.argv.len());
        let mut previous: Option<&str> = None;
        for arg in &r.argv {
            let joined = arg
                .split_once('=')
                .filter(|(f, _)| f.starts_with("--"))
                .and_then(|(f, v)| Some((f, flag_kind(&r.tool, f)?, v)));
            let scrubbed = if let Some((flag, kind, value)) = joined {
                format!("{flag}={}", scrub_as(kind, value, names))
            } else if let Some(kind) = previous.and_then(|p| flag_kind(&r.tool, p)) {
                scrub_as(kind, arg, names)
            } else {
                self.scrub_text(arg, &known, names)
            };
            out.argv.push(scrubbed);
            previous = Some(arg);
        }
        out.cwd = self.scrub_text(&r.cwd, &known, names);
        out.target.name = match TARGET_KINDS.iter().find(|k| **k == r.target.kind) {
            Some(kind) => scrub_as(kind, &r.target.name, names),
            None => self.scrub_text(&r.target.name, &known, names),
        };
        if let Some(e) = &mut out.escape {
            e.config_dir = self.scrub_text(&e.config_dir, &known, names);
            e.installed_config_dir = self.scrub_text(&e.installed_config_dir, &known, names);
            e.installed_from = self.scrub_text(&e.installed_from, &known, names);
        }
        for reason in &mut out.reasons {
            reason.reason = self.scrub_text(&reason.reason, &known, names);
            reason.location = self.scrub_text(&reason.location, &known, names);
        }
        out
    }

    fn scrub_text(
        &self,
        text: &str,
        known: &[(String, &'static str)],
        names: &mut Placeholders,
    ) -> String {
        let text = redact_text(text);
        let text = rewrite(&text, arns(&text), names);
        let text = rewrite(&text, emails(&text), names);
        let text = rewrite(&text, url_hosts(&text), names);
        let text = rewrite(&text, host_words(&text), names);
        let text = rewrite(&text, self.home_paths(&text), names);
        let text = rewrite(&text, known_names(&text, known), names);
        rewrite(&text, account_ids(&text), names)
    }

    fn home_paths(&self, text: &str) -> Vec<Found> {
        let mut found = Vec::new();
        for home in &self.homes {
            for (at, _) in text.match_indices(home.as_str()) {
                let end = at + home.len();
                if after(text, end).starts_with(|c: char| c != '/' && is_path_char(c)) {
                    continue; // `/home/al` inside `/home/alice`
                }
                found.push((at..end, "home", String::new()));
            }
        }
        for prefix in ["/home/", "/Users/"] {
            for (at, _) in text.match_indices(prefix) {
                let name_end = run_end(text, at + prefix.len(), |c| c != '/' && is_path_char(c));
                if name_end > at + prefix.len() && !after(text, at + prefix.len()).starts_with('<')
                {
                    found.push((at..name_end, "home", String::new()));
                }
            }
        }
        for (at, _) in text.match_indices("/root") {
            if run_end(text, at + 5, |c| c != '/' && is_path_char(c)) == at + 5 {
                found.push((at..at + 5, "home", String::new()));
            }
        }
        found
    }
}

/// `value`, a whole identifier of `kind` (a flag's value, a target name), as its
/// placeholder; names shorter than three characters are kept, like in free text.
fn scrub_as(kind: &'static str, value: &str, names: &mut Placeholders) -> String {
    let value = redact_text(value);
    if value.chars().count() < 3 || !placeholders_in(&value).is_empty() {
        value
    } else {
        names.get(kind, &value)
    }
}

/// A range to replace, the kind of placeholder, and the original (empty: the range).
type Found = (Range<usize>, &'static str, String);

/// Placeholders handed out so far: one numbering per kind of identifier.
#[derive(Default)]
struct Placeholders {
    by_name: HashMap<(&'static str, String), String>,
    next: HashMap<&'static str, usize>,
}

impl Placeholders {
    fn get(&mut self, kind: &'static str, name: &str) -> String {
        if kind == "home" {
            return "<home>".to_string();
        }
        if let Some(p) = self.by_name.get(&(kind, name.to_string())) {
            return p.clone();
        }
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        let p = format!("<{kind}-{n}>");
        self.by_name.insert((kind, name.to_string()), p.clone());
        p
    }
}

/// `text` with each found range replaced by its placeholder; overlapping finds after
/// the first are dropped, and so is anything inside an existing placeholder.
fn rewrite(text: &str, mut found: Vec<Found>, names: &mut Placeholders) -> String {
    let protected = placeholders_in(text);
    found.retain(|(r, _, _)| !protected.iter().any(|p| r.start < p.end && p.start < r.end));
    found.sort_by_key(|(r, _, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (range, kind, original) in found {
        let (Some(before), Some(matched)) = (text.get(pos..range.start), text.get(range.clone()))
        else {
            continue;
        };
        out.push_str(before);
        out.push_str(&names.get(
            kind,
            if original.is_empty() {
                matched
            } else {
                &original
            },
        ));
        pos = range.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

/// Ranges of `<word>` and `<word-12>` already in the text (placeholders, `<redacted>`).
fn placeholders_in(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for (open, _) in text.match_indices('<') {
        let inner_end = run_end(text, open + 1, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        });
        if inner_end > open + 1 && after(text, inner_end).starts_with('>') {
            spans.push(open..inner_end + 1);
        }
    }
    spans
}

/// The end of the run starting at `from` of characters for which `keep` holds.
fn run_end(text: &str, from: usize, keep: impl Fn(char) -> bool) -> usize {
    text.get(from..)
        .and_then(|rest| {
            rest.char_indices()
                .find(|(_, c)| !keep(*c))
                .map(|(i, _)| from + i)
        })
        .unwrap_or(text.len())
}

/// The start of the run ending at `to` of characters for which `keep` holds.
fn run_start(text: &str, to: usize, keep: impl Fn(char) -> bool) -> usize {
    text.get(..to)
        .and_then(|head| {
            head.char_indices()
                .rev()
                .find(|(_, c)| !keep(*c))
                .map(|(i, c)| i + c.len_utf8())
        })
        .unwrap_or(0)
}

/// `text[from..]`, or `""` off a character boundary (never the case for the positions
/// used here, which all come from matches of ASCII characters).
fn after(text: &str, from: usize) -> &str {
    text.get(from..).unwrap_or("")
}

/// `text[..to]`, or `""` off a character boundary.
fn before(text: &str, to: usize) -> &str {
    text.get(..to).unwrap_or("")
}

/// `text[from..to]`, or `""` off a character boundary.
fn between(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or("")
}

fn is_path_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '"' | '\'' | ':' | ',' | ';' | '=' | '<' | '>')
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

fn arns(text: &str) -> Vec<Found> {
    text.match_indices("arn:")
        .filter(|(at, _)| !before(text, *at).ends_with(|c: char| c.is_ascii_alphanumeric()))
        .filter_map(|(at, _)| {
            let end = run_end(text, at, |c| {
                !c.is_whitespace()
                    && !matches!(
                        c,
                        '"' | '\'' | ',' | ';' | '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}'
                    )
            });
            (between(text, at, end).matches(':').count() >= 5)
                .then(|| (at..end, "arn", String::new()))
        })
        .collect()
}

fn emails(text: &str) -> Vec<Found> {
    let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    text.match_indices('@')
        .filter_map(|(at, _)| {
            let start = run_start(text, at, local);
            let end = run_end(text, at + 1, is_host_char);
            let domain = between(text, at + 1, end).trim_end_matches('.');
            (start < at && domain.contains('.') && !domain.starts_with('.'))
                .then(|| (start..at + 1 + domain.len(), "email", String::new()))
        })
        .collect()
}

fn url_hosts(text: &str) -> Vec<Found> {
    text.match_indices("://")
        .filter_map(|(at, _)| {
            let authority_end = run_end(text, at + 3, |c| {
                !c.is_whitespace() && !matches!(c, '/' | '?' | '#' | '"' | '\'')
            });
            let authority = between(text, at + 3, authority_end);
            let host_start = at + 3 + authority.rfind('@').map_or(0, |p| p + 1);
            let host_end = run_end(text, host_start, is_host_char);
            (host_end > host_start).then(|| (host_start..host_end, "host", String::new()))
        })
        .collect()
}

/// Dotted words that look like host names or IPv4 addresses.
fn host_words(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let end = run_end(text, i, is_host_char);
        if end == i {
            i += after(text, i).chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let word = between(text, i, end).trim_end_matches('.');
        if looks_like_host(word) {
            found.push((i..i + word.len(), "host", String::new()));
        }
        i = end;
    }
    found
}

fn looks_like_host(word: &str) -> bool {
    let labels: Vec<&str> = word.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    if labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok()) {
        return true;
    }
    let last = labels
        .last()
        .map_or(String::new(), |l| l.to_ascii_lowercase());
    if last.len() < 2
        || !last.bytes().all(|b| b.is_ascii_alphabetic())
        || FILE_ENDINGS.contains(&last.as_str())
    {
        return false;
    }
    labels.len() >= 3 || TLDS.contains(&last.as_str())
}

fn known_names(text: &str, known: &[(String, &'static str)]) -> Vec<Found> {
    let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let at_boundary = !before(text, i).ends_with(word_char);
        let hit = at_boundary
            .then(|| {
                known.iter().find(|(name, _)| {
                    after(text, i).starts_with(name.as_str())
                        && !after(text, i + name.len()).starts_with(word_char)
                })
            })
            .flatten();
        match hit {
            Some((name, kind)) => {
                found.push((i..i + name.len(), *kind, String::new()));
                i += name.len();
            }
            None => i += after(text, i).chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

fn account_ids(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let end = run_end(text, i, |c| c.is_ascii_digit());
        if end - i == 12 && !before(text, i).ends_with(|c: char| c.is_ascii_digit()) {
            found.push((i..end, "account", String::new()));
        }
        i = if end > i {
            end
        } else {
            i + after(text, i).chars().next().map_or(1, char::len_utf8)
        };
    }
    found
}

/// Cluster and account names a record names outright: its target, and the values of
/// `--context`/`--cluster`/`--kube-context` and `--profile`; user names from home paths.
fn collect_known(record: &DecisionRecord, known: &mut Vec<(String, &'static str)>) {
    if let Some(kind) = TARGET_KINDS.iter().find(|k| **k == record.target.kind) {
        if !record.target.name.is_empty() {
            known.push((record.target.name.clone(), kind));
        }
    }
    let mut previous: Option<&str> = None;
    for arg in &record.argv {
        let (flag, value) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        let named = |f: &str| flag_kind(&record.tool, f);
        if let (Some(kind), Some(v)) = (named(flag), value) {
            known.push((v.to_string(), kind));
        } else if let Some(kind) = previous.and_then(named) {
            known.push((arg.clone(), kind));
        }
        previous = Some(arg);
    }
    let texts = record
        .argv
        .iter()
        .chain([&record.cwd])
        .chain(record.reasons.iter().map(|r| &r.location));
    for text in texts {
        for prefix in ["/home/", "/Users/"] {
            for (at, _) in text.match_indices(prefix) {
                let start = at + prefix.len();
                let end = run_end(text, start, |c| c != '/' && is_path_char(c));
                if end > start {
                    known.push((between(text, start, end).to_string(), "user"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{now, sample_records};
    use crate::log::{report_at, ReportFormat};
    use rstest::rstest;
    use std::time::Duration;

    fn scrubber() -> Scrubber {
        Scrubber::new(vec!["/home/alice".into()], vec!["alice".into()])
    }

    fn all_text(records: &[DecisionRecord]) -> String {
        serde_json::to_string(records).unwrap_or_default()
    }

    /// Each identifying detail in the sample, and that it is gone from the scrubbed
    /// records and from every report format.
    #[rstest]
    #[case::home_path("/home/alice")]
    #[case::home_prefix("/home/")]
    #[case::user_name("alice")]
    #[case::account_id("123456789012")]
    #[case::arn("arn:aws:iam")]
    #[case::cluster("prod-eks-payments")]
    #[case::host("api.prod.internal.example.com")]
    #[case::domain("example.com")]
    #[case::git_host("github.com")]
    #[case::ip("10.1.2.3")]
    #[case::profile("acme-prod")]
    fn share_hides(#[case] secret: &str) {
        let records = sample_records();
        assert!(
            all_text(&records).contains(secret),
            "the sample must hold {secret}"
        );
        let scrubbed = scrubber().scrub(&records);
        assert!(
            !all_text(&scrubbed).contains(secret),
            "{secret} in {}",
            all_text(&scrubbed)
        );
        for format in [ReportFormat::Md, ReportFormat::Json, ReportFormat::Html] {
            let text = report_at(
                &records,
                now(),
                Duration::from_hours(168),
                format,
                Some(&scrubber()),
            );
            assert!(
                !text.contains(secret),
                "{secret} in {format:?} report:\n{text}"
            );
        }
    }

    #[test]
    fn each_kind_of_identifier_has_its_own_placeholders() {
        use crate::log::fixtures::rec;
        let records = vec![
            rec(
                "20T10:00",
                "block",
                "aws --profile default s3 ls",
                ("unknown", "default", "account"),
                "",
                "/tmp",
            ),
            rec(
                "20T10:01",
                "block",
                "terraform destroy",
                ("unknown", "default", "workspace"),
                "",
                "/tmp",
            ),
            rec(
                "20T10:02",
                "block",
                "kubectl --context payments -n payments delete pod x",
                ("prod", "payments", "cluster"),
                "",
                "/tmp",
            ),
        ];
        let scrubbed = scrubber().scrub(&records);
        let argv = |i: usize| {
            scrubbed
                .get(i)
                .map(|r| r.argv.join(" "))
                .unwrap_or_default()
        };
        let target = |i: usize| {
            scrubbed
                .get(i)
                .map(|r| r.target.name.clone())
                .unwrap_or_default()
        };
        assert_eq!(argv(0), "aws --profile <account-1> s3 ls");
        assert_eq!(target(0), "<account-1>");
        assert_eq!(target(1), "<workspace-1>", "a workspace is not an account");
        assert_eq!(
            argv(2),
            "kubectl --context <cluster-1> -n <namespace-1> delete pod x",
            "a namespace named like the context is still a namespace"
        );
        assert_eq!(target(2), "<cluster-1>");
    }

    #[test]
    fn placeholders_are_stable_and_the_rest_stays() {
        let scrubbed = scrubber().scrub(&sample_records());
        let delete = scrubbed
            .get(2)
            .map(|r| r.argv.join(" "))
            .unwrap_or_default();
        assert_eq!(
            delete,
            "kubectl --context <cluster-1> --server https://<host-1>:6443 delete ns payments"
        );
        assert_eq!(
            scrubbed.get(2).map(|r| r.target.name.as_str()),
            Some("<cluster-1>")
        );
        assert_eq!(
            scrubbed.get(3).map(|r| r.target.name.as_str()),
            Some("<cluster-1>")
        );
        assert_eq!(
            scrubbed.get(2).map(|r| r.cwd.as_str()),
            Some("<home>/src/payments")
        );
        let aws = scrubbed.get(6).cloned().unwrap_or_default();
        assert!(
            aws.argv.contains(&"<account-1>".to_string()),
            "{:?}",
            aws.argv
        );
        assert_eq!(aws.target.name, "<account-2>");
        assert_eq!(aws.target.env, "prod");
        let reason = aws.reasons.first().cloned().unwrap_or_default();
        assert_eq!(reason.reason, "deleting <arn-1> seen from <host-2>");
        assert_eq!(
            reason.location,
            "<home>/.config/failsafe/policies/mine.rego:7"
        );
        assert_eq!(reason.id, "aws.iam-delete");
        let git = scrubbed
            .get(4)
            .map(|r| r.argv.join(" "))
            .unwrap_or_default();
        assert_eq!(
            git,
            "git -c user.name=<user-1> push --force <email-1>:acme/payments.git main"
        );
    }

    #[rstest]
    #[case("see /Users/bob/x and /root/.kube", "see <home>/x and <home>/.kube")]
    #[case("db01.corp.example.net:5432", "<host-1>:5432")]
    #[case(
        "deployments.apps values.yaml v1.2.3 bundled/git.rego:3",
        "deployments.apps values.yaml v1.2.3 bundled/git.rego:3"
    )]
    #[case(
        "acct 1234567890123 and 123456789012",
        "acct 1234567890123 and <account-1>"
    )]
    #[case("arn:aws:eks:eu-west-1:123456789012:cluster/prod", "<arn-1>")]
    #[case("<redacted> stays", "<redacted> stays")]
    fn text_rules(#[case] text: &str, #[case] want: &str) {
        let record = DecisionRecord {
            cwd: text.into(),
            ..DecisionRecord::default()
        };
        let scrubbed = Scrubber::default().scrub(&[record]);
        assert_eq!(scrubbed.first().map(|r| r.cwd.as_str()), Some(want));
    }
}
