//! What the aws CLI's service models say about one operation: whether its output reveals
//! or mints a credential, and whether it honours a dry-run switch — from
//! `policies/data/aws-operations.txt`, which `scripts/gen-aws-operations.py` writes from
//! the aws CLI's command table and botocore models (see that script for the rules).
//!
//! The table is compiled into the binary and searched in place (a binary search over
//! its sorted lines): the shim never parses it as a whole. Pure: no I/O.

/// The generated table: comment lines, then `SERVICE OPERATION TOKEN...` sorted by
/// `SERVICE OPERATION`.
const TABLE: &str = include_str!("../../../policies/data/aws-operations.txt");

/// A boolean parameter of an operation as argparse reads it: `--NAME` sets it,
/// `--no-NAME` clears it, the last one given wins, and any abbreviation at least `min`
/// (resp. `min_no`) characters long that no other option shares is the same switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch {
    /// The parameter's name without dashes (`dry-run`, `with-decryption`).
    pub name: &'static str,
    /// Shortest accepted abbreviation of `--NAME`, in characters after `--`.
    pub min: usize,
    /// Shortest accepted abbreviation of `--no-NAME`; 0 when there is no `no-` form.
    pub min_no: usize,
}

impl Switch {
    /// The switch's value after the command line `args` (argv without argv[0]):
    /// `Some(true)` or `Some(false)` from the last `--NAME` or `--no-NAME` (or an
    /// accepted abbreviation), `None` when neither is given. Words after `--` are not
    /// options; `--NAME=VALUE` is an argparse error for a switch and counts as neither.
    pub fn value(&self, args: &[String]) -> Option<bool> {
        let mut value = None;
        for arg in args {
            if arg == "--" {
                break;
            }
            let Some(typed) = arg.strip_prefix("--") else {
                continue;
            };
            if typed.contains('=') || typed.is_empty() {
                continue;
            }
            if abbreviates(typed, self.name, self.min) {
                value = Some(true);
            } else if let Some(negative) = typed.strip_prefix("no-") {
                // `--no-NAME` abbreviated: `typed` is a prefix of `no-NAME`.
                if self.min_no > 0 && typed.len() >= self.min_no && self.name.starts_with(negative)
                {
                    value = Some(false);
                }
            } else if self.min_no > 0 && typed.len() >= self.min_no && "no-".starts_with(typed) {
                value = Some(false);
            }
        }
        value
    }
}

/// True when `typed` is `name` or an abbreviation of it at least `min` long.
fn abbreviates(typed: &str, name: &str, min: usize) -> bool {
    typed == name || (typed.len() >= min && name.starts_with(typed))
}

/// Whether an operation's output holds a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reveals {
    /// Never (as far as the model says).
    #[default]
    Never,
    /// Always.
    Always,
    /// Only when this switch is on (`ssm get-parameter --with-decryption`).
    If(Switch),
    /// Unless this switch is on (`glue get-connection --hide-password`).
    Unless(Switch),
}

/// What the table says about one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Operation {
    /// Whether its output holds a credential.
    pub reveals: Reveals,
    /// The dry-run switch it honours (`--dry-run`, `--dryrun` for `s3`), if any.
    pub dry_run: Option<Switch>,
}

/// The table's entry for `service operation`; `None` when the table does not list it
/// (no credential in its output, no dry-run switch honoured).
pub fn lookup(service: &str, operation: &str) -> Option<Operation> {
    let line = find_line(service, operation)?;
    Some(parse_tokens(line.splitn(3, ' ').nth(2).unwrap_or("")))
}

/// The line for `service operation`, by binary search over the sorted body.
fn find_line(service: &str, operation: &str) -> Option<&'static str> {
    let body = body();
    let (mut lo, mut hi) = (0usize, body.len());
    // Invariant: `lo` is the start of a line; every line before it sorts before the key
    // and every line from `hi` on sorts after it.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = body[..mid].rfind('\n').map_or(0, |i| i + 1).max(lo);
        let end = body[start..].find('\n').map_or(body.len(), |i| start + i);
        let line = &body[start..end];
        match compare(line, service, operation) {
            std::cmp::Ordering::Equal => return Some(line),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    None
}

/// The table after its comment lines.
fn body() -> &'static str {
    let mut rest = TABLE;
    while rest.starts_with('#') {
        rest = rest.find('\n').map_or("", |i| &rest[i + 1..]);
    }
    rest
}

/// Orders a line's `SERVICE OPERATION` against the key, byte by byte as the generator
/// sorted them (a space sorts before every character of a name, so this is the order of
/// (service, operation) pairs).
fn compare(line: &str, service: &str, operation: &str) -> std::cmp::Ordering {
    let mut words = line.splitn(3, ' ');
    let key = [words.next().unwrap_or(""), words.next().unwrap_or("")];
    key[0]
        .bytes()
        .chain(std::iter::once(b' '))
        .chain(key[1].bytes())
        .cmp(
            service
                .bytes()
                .chain(std::iter::once(b' '))
                .chain(operation.bytes()),
        )
}

/// Reads a line's tokens; an unknown or malformed token is ignored (the table test
/// checks there are none).
fn parse_tokens(tokens: &'static str) -> Operation {
    let mut op = Operation::default();
    for token in tokens.split_whitespace() {
        if token == "creds" {
            op.reveals = Reveals::Always;
            continue;
        }
        let mut parts = token.split(':');
        let (Some(kind), Some(name), Some(min), Some(min_no), None) = (
            parts.next(),
            parts.next(),
            parts.next().and_then(|p| p.parse().ok()),
            parts.next().and_then(|p| p.parse().ok()),
            parts.next(),
        ) else {
            continue;
        };
        let switch = Switch { name, min, min_no };
        match kind {
            "creds-if" => op.reveals = Reveals::If(switch),
            "creds-unless" => op.reveals = Reveals::Unless(switch),
            "dry-run" | "dryrun" => op.dry_run = Some(switch),
            _ => {}
        }
    }
    op
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn the_table_is_sorted_and_every_token_is_known() {
        let mut previous: Option<(&str, &str)> = None;
        let mut lines = 0;
        for line in body().lines() {
            lines += 1;
            let mut words = line.split(' ');
            let key = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            assert!(!key.0.is_empty() && !key.1.is_empty(), "{line}");
            if let Some(p) = previous {
                assert!(p < key, "not sorted: {p:?} then {key:?}");
            }
            previous = Some(key);
            for token in words {
                let known = token == "creds"
                    || [
                        "creds-if:",
                        "creds-unless:",
                        "dry-run:dry-run:",
                        "dryrun:dryrun:",
                    ]
                    .iter()
                    .any(|k| token.starts_with(k) && token.split(':').count() == 4);
                assert!(known, "unknown token `{token}` in `{line}`");
            }
            assert!(lookup(key.0, key.1).is_some(), "{line}");
            assert_ne!(lookup(key.0, key.1), Some(Operation::default()), "{line}");
        }
        assert!(lines > 500, "the table has only {lines} lines");
    }

    #[rstest]
    #[case("sts", "get-session-token", true)]
    #[case("ecr", "get-login-password", true)]
    #[case("ecr", "get-authorization-token", true)]
    #[case("cognito-identity", "get-credentials-for-identity", true)]
    #[case("redshift", "get-cluster-credentials", true)]
    #[case("lightsail", "get-relational-database-master-user-password", true)]
    #[case("emr", "get-cluster-session-credentials", true)]
    #[case("configure", "export-credentials", true)]
    #[case("secretsmanager", "get-secret-value", true)]
    #[case("eks", "get-token", false)]
    #[case("ec2", "describe-instances", false)]
    #[case("rds", "describe-db-instances", false)]
    #[case("aaa", "zzz", false)]
    #[case("zzzz", "a", false)]
    fn credential_reads(#[case] service: &str, #[case] op: &str, #[case] reveals: bool) {
        let found = lookup(service, op).unwrap_or_default();
        assert_eq!(found.reveals == Reveals::Always, reveals, "{service} {op}");
    }

    #[rstest]
    #[case("ec2", "terminate-instances", Some(("dry-run", 2, 4)))]
    #[case("s3", "rm", Some(("dryrun", 2, 0)))]
    #[case("eks", "update-kubeconfig", Some(("dry-run", 2, 0)))]
    #[case("opensearch", "update-domain-config", Some(("dry-run", 7, 4)))]
    #[case("codeartifact", "login", None)]
    #[case("s3", "mb", None)]
    #[case("s3api", "delete-bucket", None)]
    #[case("medialive", "create-channel", None)]
    fn dry_run_switches(
        #[case] service: &str,
        #[case] op: &str,
        #[case] want: Option<(&str, usize, usize)>,
    ) {
        let found = lookup(service, op).and_then(|o| o.dry_run);
        assert_eq!(
            found.map(|s| (s.name, s.min, s.min_no)),
            want,
            "{service} {op}"
        );
    }

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case("--dry-run", Some(true))]
    #[case("--dr", Some(true))]
    #[case("--dry", Some(true))]
    #[case("--d", None)]
    #[case("--dry-run --no-dry-run", Some(false))]
    #[case("--no-dry-run --dry-run", Some(true))]
    #[case("--dry-run --no-d", Some(true))]
    #[case("--dry-run --no-dr", Some(false))]
    #[case("--dry-run --no-", Some(true))]
    #[case("--dry-run=true", None)]
    #[case("--dryrun", None)]
    #[case("--dry-run-x", None)]
    #[case("-- --dry-run", None)]
    #[case("dry-run", None)]
    fn switch_values(#[case] line: &str, #[case] want: Option<bool>) {
        let s = Switch {
            name: "dry-run",
            min: 2,
            min_no: 5,
        };
        assert_eq!(s.value(&args(line)), want, "{line}");
    }

    #[test]
    fn a_switch_without_a_no_form() {
        let s = Switch {
            name: "dryrun",
            min: 2,
            min_no: 0,
        };
        assert_eq!(s.value(&args("--no-dryrun")), None);
        assert_eq!(s.value(&args("--no-dryrun --dry")), Some(true));
    }
}
