//! The documentation's console blocks are run and compared: every ```` ```console ````
//! block in README.md and docs/**/*.md, in a fresh fixture world per block.
//!
//! A block is a list of `$ command` lines, each followed by the output it prints (stdout
//! and stderr together). A line `...` in the expected output stands for any number of
//! lines. Commands of one block run in one `sh` session, so `export` and `cd` carry over.
//! Blocks that only illustrate (no output to check) are ```` ```sh ```` blocks instead.
//!
//! The world: `HOME` is `/home/alice` (shown as such: the temp path is replaced), the
//! config dir its default `~/.config/failsafe`, shims installed by `failsafe
//! install-shims`, a kubeconfig with contexts `dev` (cluster `kind-dev`, current) and
//! `prod` (cluster `prod-eks`), and the working directory `~/src/payments`, a git
//! repository on `main` with an `origin`. `kubectl`, `helm`, `terraform`, `tofu` and
//! `aws` behind the shims are stand-ins that print nothing; git is the real one.
//! Timestamps, hashes and durations are shown as `[TIME]`, `[HASH]` and `[N]`.
//!
//! `FAILSAFE_BLESS=1 cargo test --test main docs::` rewrites every block that no longer
//! matches with what the commands print now (docs/testing.md).

use crate::sandbox::{exe, sh_quote};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable that turns comparing into rewriting.
const BLESS_VAR: &str = "FAILSAFE_BLESS";
/// Printed before each command's output, to split the session's output.
const MARK: &str = "@@failsafe-doc-test@@";

/// One `$ command` and the lines it is documented to print.
#[derive(Debug, Clone)]
struct Step {
    command: String,
    expected: Vec<String>,
}

/// A console block: where it is and its steps.
#[derive(Debug, Clone)]
struct Block {
    /// Line index (0-based) of the first line inside the fence.
    start: usize,
    /// Line index of the closing fence.
    end: usize,
    steps: Vec<Step>,
}

fn doc_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for dir in [root.join("docs"), root.join("docs/tools")] {
        let mut found: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|e| e.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        found.retain(|p| p.extension().is_some_and(|x| x == "md"));
        found.sort();
        files.extend(found);
    }
    files
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim_end() != "```" {
            end += 1;
        }
        let mut steps: Vec<Step> = Vec::new();
        for line in &lines[start..end] {
            match line.strip_prefix("$ ") {
                Some(command) => steps.push(Step {
                    command: command.to_string(),
                    expected: Vec::new(),
                }),
                None => {
                    if let Some(step) = steps.last_mut() {
                        step.expected.push(line.to_string());
                    }
                }
            }
        }
        found.push(Block { start, end, steps });
        i = end + 1;
    }
    found
}

/// The fixture world of one block.
struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::Builder::new()
            .prefix("failsafe-doc-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().canonicalize().expect("canonical temp dir");
        let home = root.join("home/alice");
        let bin = root.join("bin");
        fs::create_dir_all(&home).expect("home");
        fs::create_dir_all(&bin).expect("bin");
        std::os::unix::fs::symlink(exe(), bin.join("failsafe")).expect("failsafe link");
        for tool in ["kubectl", "helm", "terraform", "tofu", "aws"] {
            use std::os::unix::fs::PermissionsExt;
            let path = bin.join(tool);
            fs::write(&path, "#!/bin/sh\nexit 0\n").expect("stand-in");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let world = World {
            _tmp: tmp,
            root,
            home,
        };
        let setup = r#"set -ex
mkdir -p ~/.kube ~/src/payments
cat > ~/.kube/config <<'EOF'
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443"}
- name: prod-eks
  cluster: {server: "https://prod-eks.example.com"}
contexts:
- name: dev
  context: {cluster: kind-dev, user: alice}
- name: prod
  context: {cluster: prod-eks, user: alice}
users:
- name: alice
  user: {}
EOF
git config --global user.name alice
git config --global user.email alice@example.com
git init -q --bare -b main ~/remotes/payments.git
cd ~/src/payments
git init -q -b main
echo hello > README.md
git add README.md
git commit -q -m 'initial commit'
git remote add origin ~/remotes/payments.git
git push -q -u origin main 2>/dev/null
failsafe install-shims > /dev/null
"#;
        let out = world.sh(setup, &world.home).output().expect("run setup");
        assert!(
            out.status.success(),
            "doc world setup failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        world
    }

    fn sh(&self, script: &str, cwd: &Path) -> Command {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(script)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &self.home)
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.root.join("bin").display()
                ),
            )
            .env("FAILSAFE_PANE", "default")
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Runs the steps in one session; the output of each, redacted.
    fn run(&self, steps: &[Step]) -> Vec<Vec<String>> {
        let mut script = String::from("exec 2>&1\n");
        for step in steps {
            script.push_str(&format!(
                "printf '%s\\n' {}\n{}\n",
                sh_quote(MARK),
                step.command
            ));
        }
        let out = self
            .sh(&script, &self.home.join("src/payments"))
            .output()
            .expect("run block");
        let text = self.redact(&String::from_utf8_lossy(&out.stdout));
        text.split(&format!("{MARK}\n"))
            .skip(1)
            .map(|chunk| chunk.lines().map(str::to_string).collect())
            .collect()
    }

    fn redact(&self, text: &str) -> String {
        let text = text
            .replace(&self.home.display().to_string(), "/home/alice")
            .replace(&self.root.display().to_string(), "[ROOT]");
        let time = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").expect("re");
        let hash = regex::Regex::new(r"\b[0-9a-f]{64}\b").expect("re");
        let duration = regex::Regex::new(r#""duration_us": ?\d+"#).expect("re");
        // A pane incarnation names the session leader's pid and start time, and an
        // approval id is random: neither is the same twice. A leader outside this pid
        // namespace (a container runner) reads as `session:0@gone`.
        let incarnation = regex::Regex::new(r"session:\d+@(?:\d+|gone)").expect("re");
        let approval = regex::Regex::new(r"approve [a-z0-9]{6}\b").expect("re");
        let text = incarnation.replace_all(&text, "session:[PID]@[START]");
        let text = approval.replace_all(&text, "approve [ID]");
        let text = time.replace_all(&text, "[TIME]");
        let text = hash.replace_all(&text, |c: &regex::Captures<'_>| {
            if c[0].bytes().all(|b| b == b'0') {
                c[0].to_string()
            } else {
                "[HASH]".to_string()
            }
        });
        duration
            .replace_all(&text, "\"duration_us\": [N]")
            .into_owned()
    }
}

/// Whether `actual` matches `expected`, where a `...` line matches any number of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a.trim_end() == first.trim_end() && matches(rest, more)),
    }
}

#[test]
fn console_blocks_in_the_docs_print_what_they_show() {
    let bless = std::env::var_os(BLESS_VAR).is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in doc_files() {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let found = blocks(&text);
        if found.is_empty() {
            continue;
        }
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // Rewrite from the last block up, so earlier line numbers stay valid.
        let mut changed = false;
        for block in found.iter().rev() {
            let world = World::new();
            let outputs = world.run(&block.steps);
            let mut new_block = Vec::new();
            let mut block_ok = true;
            for (i, step) in block.steps.iter().enumerate() {
                checked += 1;
                let actual = outputs.get(i).cloned().unwrap_or_default();
                new_block.push(format!("$ {}", step.command));
                if matches(&step.expected, &actual) {
                    new_block.extend(step.expected.iter().cloned());
                } else {
                    block_ok = false;
                    failures.push(format!(
                        "{}:{}: `{}`\n--- documented\n{}\n--- printed\n{}\n",
                        file.display(),
                        block.start,
                        step.command,
                        step.expected.join("\n"),
                        actual.join("\n")
                    ));
                    new_block.extend(actual);
                }
            }
            if !block_ok && bless {
                lines.splice(block.start..block.end, new_block);
                changed = true;
            }
        }
        if changed {
            let mut out = lines.join("\n");
            out.push('\n');
            fs::write(&file, out).expect("bless doc file");
        }
    }
    assert!(checked > 0, "no console blocks found in the docs");
    if !bless {
        assert!(
            failures.is_empty(),
            "{} documented command(s) print something else now:\n\n{}\nIf the new output is right, rewrite the docs with:\n  {BLESS_VAR}=1 cargo test --test main docs::\n",
            failures.len(),
            failures.join("\n")
        );
    }
}
