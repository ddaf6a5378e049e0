//! Redaction: what of a command may reach the decision log.
//!
//! Policies always see the real argument vector; only the copy that is written is
//! redacted. A value is hidden when it belongs to a flag whose name carries a secret
//! word (`--token abc`, `--kube-token=abc`), when it is the value of a `KEY=VALUE`
//! whose key does (also inside a flag value, `--from-literal=password=…`, and in env
//! assignments), and wherever the text rules of the `scan` module find one: URL
//! userinfo, `Authorization`/`Bearer` headers, well-known token shapes and PEM private
//! key blocks. A name that identifies a secret is not one (`--secret-id prod/db`,
//! `--secret-name`, `--name`): a reviewer needs to see which secret was touched. Pure:
//! no I/O. It errs towards hiding too much.

use super::scan::{self, is_key_char, is_sensitive_name, REDACTED};
use std::ops::Range;

/// The argument vector as it may be written to the log.
///
/// Every element is kept in place (secrets become `<redacted>`), so the command stays
/// readable: `kubectl get pods --token abc` → `kubectl get pods --token <redacted>`.
/// Never fails.
pub fn redact_argv(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for arg in argv {
        if std::mem::take(&mut hide_next) && !is_long_flag(arg) {
            out.push(REDACTED.to_string());
            continue;
        }
        hide_next = takes_secret_value(arg);
        let mut ranges = Vec::new();
        if let Some(value) = sensitive_assignment(arg) {
            ranges.push(value..arg.len());
        }
        scan::find_secrets(arg, &mut ranges);
        out.push(scan::hide(arg, ranges));
    }
    out
}

/// Free text (a shell command line, a reason, a report) with its secrets hidden: the
/// rules of [`redact_argv`] applied to its shell-like words, plus the text rules on the
/// whole of it. Never fails.
pub fn redact_text(text: &str) -> String {
    let mut ranges = Vec::new();
    let mut hide_next = false;
    for word in shell_words_at(text) {
        let raw = text.get(word.clone()).unwrap_or("");
        let bare = raw.trim_matches(|c| c == '"' || c == '\'');
        if std::mem::take(&mut hide_next) && !is_long_flag(bare) {
            ranges.push(word);
            continue;
        }
        hide_next = takes_secret_value(bare);
        let lead = raw.len() - raw.trim_start_matches(['"', '\'']).len();
        let inner = raw.get(lead..).unwrap_or("");
        if let Some(value) = sensitive_assignment(inner) {
            let trail = raw.len() - raw.trim_end_matches(['"', '\'']).len();
            ranges.push(word.start + lead + value..word.end - trail);
        }
    }
    scan::find_secrets(text, &mut ranges);
    scan::hide(text, ranges)
}

/// A long flag such as `--namespace` is never taken for the value of the flag before
/// it; anything else after a sensitive flag is (a password may start with `-`).
fn is_long_flag(arg: &str) -> bool {
    arg.strip_prefix("--")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// `--token`, `-token`, `--kube-token` standing alone: its value is the next argument.
/// Negated switches (`--no-auth`) take none. So does a bare setting name such as
/// `aws configure set aws_secret_access_key VALUE` or `git config user.password VALUE`.
fn takes_secret_value(arg: &str) -> bool {
    let Some(name) = arg.strip_prefix('-') else {
        return is_secret_setting(arg);
    };
    let name = name.strip_prefix('-').unwrap_or(name);
    !name.is_empty()
        && !name.starts_with("no-")
        && name.bytes().all(is_key_char)
        && is_sensitive_name(name)
}

/// A positional word that names a secret setting: identifier-like with a `_` or `.`
/// (`aws_session_token`, `user.password`), so that `kubectl get secret db-token` keeps
/// its resource name, and not a file name (`db_password.txt`).
fn is_secret_setting(word: &str) -> bool {
    const FILE_ENDINGS: &[&str] = &[
        "txt", "json", "yaml", "yml", "toml", "env", "ini", "conf", "pem", "key", "crt", "tf",
        "tfvars", "sh",
    ];
    let dotted_file = word
        .rsplit_once('.')
        .is_some_and(|(_, ext)| FILE_ENDINGS.contains(&ext.to_ascii_lowercase().as_str()));
    word.contains(['_', '.'])
        && !dotted_file
        && word.bytes().all(is_key_char)
        && is_sensitive_name(word)
}

/// Where the secret begins in `KEY=VALUE`, `--flag=VALUE` or `--flag=KEY=VALUE` when a
/// key in that leading chain is sensitive; the rest of the argument is the value.
fn sensitive_assignment(arg: &str) -> Option<usize> {
    let mut pos = 0;
    // Three levels cover `--set-literal=key=value`; deeper chains fall to the text rules.
    for _ in 0..3 {
        let rest = arg.get(pos..)?;
        let eq = rest.find('=')?;
        let key = rest.get(..eq)?;
        if key.is_empty() || !key.bytes().all(is_key_char) {
            return None;
        }
        if is_sensitive_name(key) {
            return Some(pos + eq + 1);
        }
        pos += eq + 1;
    }
    None
}

/// Byte ranges of the words of `text`, split at white space outside quotes (quotes
/// are kept in the word).
fn shell_words_at(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(s..i);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogSettings;
    use crate::log::{append, DecisionRecord};
    use rstest::rstest;

    fn argv(text: &str) -> Vec<String> {
        shell_words::split(text).unwrap_or_default()
    }

    /// Every form of secret the log must never hold: the command as typed, the secret
    /// that must be gone from the file, and parts that must stay.
    #[rstest]
    #[case::flag_equals("kubectl get pods --token=abc123tok", "abc123tok", &["--token=<redacted>", "get", "pods"])]
    #[case::flag_space("kubectl get pods --token abc123tok", "abc123tok", &["\"--token\",\"<redacted>\""])]
    #[case::helm_kube_token("helm list --kube-token s3cr3tKube", "s3cr3tKube", &["--kube-token"])]
    #[case::helm_kube_token_eq("helm list --kube-token=s3cr3tKube", "s3cr3tKube", &["--kube-token=<redacted>"])]
    #[case::password("aws rds x --master-user-password Hunter2pw", "Hunter2pw", &["--master-user-password"])]
    #[case::passwd("tool --passwd=Hunter2pw", "Hunter2pw", &["--passwd=<redacted>"])]
    #[case::secret("tool --client-secret Hunter2sec", "Hunter2sec", &["--client-secret"])]
    #[case::credential("tool --credential=cr3dValue", "cr3dValue", &["--credential=<redacted>"])]
    #[case::api_key("tool --api-key k3yValue99", "k3yValue99", &["--api-key"])]
    #[case::apikey("tool --apikey=k3yValue99", "k3yValue99", &["--apikey=<redacted>"])]
    #[case::auth("tool --auth u:p4ssword", "p4ssword", &["--auth"])]
    #[case::bearer_flag("tool --bearer b34rerValue", "b34rerValue", &["--bearer"])]
    #[case::private_key("tool --private-key=pr1vKeyValue", "pr1vKeyValue", &["--private-key=<redacted>"])]
    #[case::single_dash("terraform login -token=tfT0kenValue", "tfT0kenValue", &["-token=<redacted>"])]
    #[case::from_literal("kubectl create secret generic db --from-literal=password=Hunter2lit", "Hunter2lit", &["--from-literal=password=<redacted>", "generic"])]
    #[case::helm_set("helm install x --set image.tag=v1,auth.password=Hunter2set", "Hunter2set", &["image.tag=v1"])]
    #[case::tf_var("terraform apply -var db_password=Hunter2var", "Hunter2var", &["db_password=<redacted>"])]
    #[case::tf_var_eq("terraform apply -var=db_password=Hunter2var", "Hunter2var", &["-var=db_password=<redacted>"])]
    #[case::env_assignment("env AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI aws s3 ls", "wJalrXUtnFEMI", &["AWS_SECRET_ACCESS_KEY=<redacted>", "s3"])]
    #[case::env_token("env GITHUB_TOKEN=plainvalue9 git push", "plainvalue9", &["GITHUB_TOKEN=<redacted>"])]
    #[case::url_userinfo("git clone https://bob:Hunter2url@git.example.com/r.git", "Hunter2url", &["git.example.com/r.git"])]
    #[case::url_token_user("git push https://x-access-token:Tok3nUrl@github.com/o/r", "Tok3nUrl", &["github.com/o/r"])]
    #[case::url_query("helm repo add r https://charts.example.com/?token=qT0ken", "qT0ken", &["charts.example.com"])]
    #[case::auth_header("helm pull x --header \"Authorization: Bearer hdrT0ken\"", "hdrT0ken", &["Authorization: <redacted>"])]
    #[case::curl_header("tool -H \"Authorization: Bearer xyzT0ken\"", "xyzT0ken", &["-H"])]
    #[case::basic_header("tool -H \"Authorization: Basic dXNlcjpwYXNz\"", "dXNlcjpwYXNz", &["-H"])]
    #[case::api_key_header("tool -H \"X-Api-Key: h3aderKey\"", "h3aderKey", &["X-Api-Key: <redacted>"])]
    #[case::bearer_alone("tool \"Bearer l0neBearer\"", "l0neBearer", &["Bearer <redacted>"])]
    #[case::aws_key_id("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", &["aws_access_key_id"])]
    #[case::aws_session_id("tool ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", &["tool"])]
    #[case::ghp("git remote add o https://ghp_1234567890abcdefghijABCDEFGHIJ123456@github.com/o/r", "ghp_1234567890abcdefghij", &["github.com/o/r"])]
    #[case::gho("tool gho_1234567890abcdefghijABCDEFGHIJ123456", "gho_1234567890", &["tool"])]
    #[case::ghs("tool x=ghs_1234567890abcdefghijABCDEFGHIJ123456", "ghs_1234567890", &["x="])]
    #[case::ghu("tool ghu_1234567890abcdefghijABCDEFGHIJ123456", "ghu_1234567890", &["tool"])]
    #[case::github_pat("tool github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABC", &["tool"])]
    #[case::glpat("tool glpat-ABCdef123456ghiJKL7890", "glpat-ABCdef", &["tool"])]
    #[case::slack("tool xoxb-123456789012-abcdefGHIJ", "xoxb-123456789012", &["tool"])]
    #[case::slack_user("tool xoxp-1234567890-abcdef", "xoxp-1234567890", &["tool"])]
    #[case::sk_key("tool sk-proj-abc123DEF456ghi789JKL", "sk-proj-abc123DEF456", &["tool"])]
    #[case::pem("kubectl create secret x --from-literal=key=\"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\"", "MIIEvQIBADANBg", &["--from-literal=key=<redacted>"])]
    #[case::pem_openssh("tool \"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\"", "b3BlbnNzaC1rZXk", &["tool"])]
    #[case::aws_configure("aws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENG", "wJalrXUtnFEMIK7MDENG", &["aws_secret_access_key"])]
    #[case::git_config("git config --global user.password Hunter2cfg", "Hunter2cfg", &["user.password"])]
    #[case::json_patch("kubectl patch secret s -p '{\"data\":{\"password\":\"aHVudGVyMg==\"}}'", "aHVudGVyMg", &["patch", "\\\"password\\\""])]
    fn no_secret_reaches_the_file(
        #[case] command: &str,
        #[case] secret: &str,
        #[case] kept: &[&str],
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let record = DecisionRecord {
            argv: argv(command),
            ..DecisionRecord::default()
        };
        append(dir.path(), &LogSettings::default(), record)?;
        let written = std::fs::read_to_string(dir.path().join("decisions.jsonl"))?;
        assert!(!written.contains(secret), "{secret} leaked: {written}");
        for part in kept {
            assert!(written.contains(part), "{part} lost: {written}");
        }
        Ok(())
    }

    #[rstest]
    #[case("kubectl get pods", "kubectl get pods")]
    #[case("kubectl get pods --token=abc", "kubectl get pods --token=<redacted>")]
    #[case("kubectl get pods --token abc", "kubectl get pods --token <redacted>")]
    #[case(
        "kubectl --token abc --namespace x get pods",
        "kubectl --token <redacted> --namespace x get pods"
    )]
    #[case(
        "kubectl --token --namespace x get pods",
        "kubectl --token --namespace x get pods"
    )]
    #[case("git commit --author Alice -m fix", "git commit --author Alice -m fix")]
    #[case(
        "docker login --password-stdin -u bob",
        "docker login --password-stdin -u bob"
    )]
    #[case(
        "kubectl get secret db-token -o yaml",
        "kubectl get secret db-token -o yaml"
    )]
    #[case(
        "kubectl --kubeconfig /k --certificate-authority /ca get ns",
        "kubectl --kubeconfig /k --certificate-authority /ca get ns"
    )]
    #[case("git push origin token-fix:main", "git push origin token-fix:main")]
    #[case(
        "kubectl apply -f db_password.yaml -n x",
        "kubectl apply -f db_password.yaml -n x"
    )]
    #[case(
        "aws configure set aws_session_token t0k --profile p",
        "aws configure set aws_session_token <redacted> --profile p"
    )]
    #[case(
        "helm upgrade x --set-file tls.key=./key.pem",
        "helm upgrade x --set-file tls.key=./key.pem"
    )]
    #[case(
        "aws secretsmanager get-secret-value --secret-id prod/db",
        "aws secretsmanager get-secret-value --secret-id prod/db"
    )]
    #[case(
        "aws secretsmanager create-secret --name prod/db --secret-string Hunter2new",
        "aws secretsmanager create-secret --name prod/db --secret-string <redacted>"
    )]
    #[case(
        "aws ssm get-parameter --name /prod/db/password --with-decryption",
        "aws ssm get-parameter --name /prod/db/password --with-decryption"
    )]
    #[case(
        "aws secretsmanager get-secret-value --secret-id=prod/db",
        "aws secretsmanager get-secret-value --secret-id=prod/db"
    )]
    fn argv_redaction_keeps_the_command_readable(#[case] command: &str, #[case] want: &str) {
        assert_eq!(redact_argv(&argv(command)), argv(want));
    }

    #[rstest]
    #[case("kubectl get pods --token abc", "kubectl get pods --token <redacted>")]
    #[case(
        "kubectl get pods --token 'a b' -n x",
        "kubectl get pods --token <redacted> -n x"
    )]
    #[case("GITHUB_TOKEN=abc git push", "GITHUB_TOKEN=<redacted> git push")]
    #[case(
        "kubectl create secret generic x \"--from-literal=password=a b\"",
        "kubectl create secret generic x \"--from-literal=password=<redacted>\""
    )]
    #[case(
        "curl -H \"Authorization: Bearer xyz\" https://h",
        "curl -H \"Authorization: <redacted>\" https://h"
    )]
    #[case("kubectl get pods", "kubectl get pods")]
    fn text_redaction(#[case] text: &str, #[case] want: &str) {
        assert_eq!(redact_text(text), want);
    }
}
