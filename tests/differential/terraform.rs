//! terraform differential: the working directory and workspace in failsafe's fact
//! against `terraform workspace show` (`/usr/local/bin/terraform`, local backend, no
//! providers) on generated directory trees and environments.
//!
//! Every directory's workspace file names a workspace unique to that directory (and to
//! the data directory it sits in), so the workspace terraform prints also tells which
//! directory `-chdir` and `TF_DATA_DIR` led it to. Generated: `-chdir` spellings
//! (`=`, separate, repeated, missing directories), `TF_DATA_DIR` (relative, absolute),
//! `TF_WORKSPACE` (valid, empty, invalid), workspace files with trailing newlines or
//! blanks or a directory in their place, and `TF_CLI_ARGS` / `TF_CLI_ARGS_workspace`
//! values merged into the command line.

use super::{drop_one, Shrink};
use failsafe::config::Settings;
use failsafe::facts::{self, Context, Fact, Source};
use failsafe::mode::Mode;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const REAL_TERRAFORM: &str = "/usr/local/bin/terraform";
/// Directories under the working directory (`.` is the working directory itself).
const DIRS: &[&str] = &[".", "a", "b", "a/c"];
static RAN: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
static INTENDED: AtomicUsize = AtomicUsize::new(0);

/// What stands at `<dir>/<data dir>/environment`.
#[derive(Clone, Debug)]
enum EnvFile {
    /// A file holding the directory's own workspace name, followed by this text.
    Named(&'static str),
    /// A file with only blanks in it.
    Blank,
    /// A directory in place of the file.
    Directory,
}

#[derive(Clone, Debug)]
struct Case {
    /// (directory index, data dir name, what is there).
    files: Vec<(usize, &'static str, EnvFile)>,
    /// The words before the command (`-chdir…`).
    before: Vec<String>,
    env: Vec<(&'static str, String)>,
}

fn workspace_name(dir: &str, data: &str) -> String {
    let d = if dir == "." {
        "root".to_string()
    } else {
        dir.replace('/', "-")
    };
    format!("w-{d}-{}", data.trim_start_matches('.'))
}

impl Case {
    fn argv(&self) -> Vec<String> {
        let mut argv = vec!["terraform".to_string()];
        argv.extend(self.before.iter().cloned());
        argv.extend(["workspace".to_string(), "show".to_string()]);
        argv
    }
}

impl Shrink for Case {
    fn smaller(&self) -> Vec<Case> {
        let mut out = Vec::new();
        for files in drop_one(&self.files) {
            out.push(Case {
                files,
                ..self.clone()
            });
        }
        for before in drop_one(&self.before) {
            out.push(Case {
                before,
                ..self.clone()
            });
        }
        for env in drop_one(&self.env) {
            out.push(Case {
                env,
                ..self.clone()
            });
        }
        out
    }

    fn show(&self) -> String {
        let mut s = String::new();
        for (d, data, f) in &self.files {
            let path = format!("{}/{data}/environment", DIRS[*d]);
            match f {
                EnvFile::Named(tail) => s.push_str(&format!(
                    "# {path}: {:?}\n",
                    format!("{}{tail}", workspace_name(DIRS[*d], data))
                )),
                EnvFile::Blank => s.push_str(&format!("# {path}: blanks\n")),
                EnvFile::Directory => s.push_str(&format!("# {path}: a directory\n")),
            }
        }
        for (k, v) in &self.env {
            s.push_str(&format!("{k}={} ", shell_words::quote(v)));
        }
        s.push_str(&shell_words::join(self.argv()));
        s
    }
}

fn generate(seed: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data_dirs = [".terraform", "dd"];
    let mut files = Vec::new();
    for d in 0..DIRS.len() {
        for data in data_dirs {
            if rng.random_bool(0.5) {
                let f = match rng.random_range(0..10) {
                    0 => EnvFile::Blank,
                    1 => EnvFile::Directory,
                    2 => EnvFile::Named("\n"),
                    3 => EnvFile::Named("  \n\n"),
                    _ => EnvFile::Named(""),
                };
                files.push((d, data, f));
            }
        }
    }
    let mut before = Vec::new();
    let chdirs = match rng.random_range(0..10) {
        0..=3 => 0,
        9 => 2,
        _ => 1,
    };
    for _ in 0..chdirs {
        let dir = match rng.random_range(0..12) {
            0 => "missing".to_string(),
            1 => "./a/../b".to_string(),
            _ => DIRS[rng.random_range(0..DIRS.len())].to_string(),
        };
        match rng.random_range(0..12) {
            0 => {
                before.push("-chdir".to_string());
                before.push(dir);
            }
            1 => before.push(format!("--chdir={dir}")),
            _ => before.push(format!("-chdir={dir}")),
        }
    }
    let mut env = Vec::new();
    if rng.random_bool(0.4) {
        let v = match rng.random_range(0..5) {
            0 => "../dd".to_string(),
            1 => String::new(),
            _ => "dd".to_string(),
        };
        env.push(("TF_DATA_DIR", v));
    }
    if rng.random_bool(0.25) {
        let v = match rng.random_range(0..8) {
            0 => String::new(),
            1 => "bad name".to_string(),
            2 => "prod".to_string(),
            _ => "from-env".to_string(),
        };
        env.push(("TF_WORKSPACE", v));
    }
    if rng.random_bool(0.2) {
        let v = match rng.random_range(0..6) {
            0 => "-chdir=b",
            1 | 2 => "",
            3 => "extra",
            _ => "-no-color",
        };
        let name = if rng.random_bool(0.5) {
            "TF_CLI_ARGS"
        } else {
            "TF_CLI_ARGS_workspace"
        };
        env.push((name, v.to_string()));
    }
    Case { files, before, env }
}

fn write_world(root: &Path, case: &Case) {
    for d in DIRS {
        // Not `work/.`: `create_dir_all` cannot make a path ending in `.`.
        let path: std::path::PathBuf = root.join("work").join(d).components().collect();
        std::fs::create_dir_all(path).expect("mkdir");
    }
    std::fs::create_dir_all(root.join("home")).expect("mkdir");
    for (d, data, f) in &case.files {
        let dir: std::path::PathBuf = root
            .join("work")
            .join(DIRS[*d])
            .join(data)
            .components()
            .collect();
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("environment");
        match f {
            EnvFile::Named(tail) => {
                let text = format!("{}{tail}", workspace_name(DIRS[*d], data));
                std::fs::write(path, text).expect("write");
            }
            EnvFile::Blank => std::fs::write(path, " \n").expect("write"),
            EnvFile::Directory => std::fs::create_dir_all(path).expect("mkdir"),
        }
    }
}

fn fact(root: &Path, case: &Case) -> Fact {
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), root.join("home").display().to_string());
    for (k, v) in &case.env {
        env.insert(k.to_string(), v.clone());
    }
    let ctx = Context {
        cwd: root.join("work"),
        home: Some(root.join("home")),
        env,
        settings: Settings::default(),
        mode: Mode::Read,
        pane: "diff".to_string(),
        source: Source::Test,
        ticket: String::new(),
    };
    let spec = failsafe::spec::builtin("terraform")
        .expect("terraform spec")
        .expect("terraform spec parses");
    facts::build(&spec, "terraform", case.argv(), Vec::new(), &ctx)
}

/// `terraform workspace show`: the workspace printed, or the error.
fn real(root: &Path, case: &Case) -> Result<String, String> {
    let argv = case.argv();
    let mut cmd = Command::new(REAL_TERRAFORM);
    cmd.args(&argv[1..])
        .current_dir(root.join("work"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", root.join("home"))
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1");
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run terraform");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string())
    }
}

fn check(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    write_world(dir.path(), case);
    let fact = fact(dir.path(), case);
    let tf = fact.terraform.clone().unwrap_or_default();
    let real = real(dir.path(), case);
    let got = format!(
        "failsafe: workspace={:?} cwd={:?} verb={:?} subverb={:?} target.uncertain={:?} uncertain={:?}",
        tf.workspace,
        fact.cwd.strip_prefix(&dir.path().display().to_string()).unwrap_or(&fact.cwd),
        fact.verb,
        fact.subverb,
        fact.target.uncertain,
        fact.uncertain
    );
    let disagree = |what: &str| Err(format!("{what}\n  {got}\n  terraform: {real:?}"));
    match &real {
        Ok(workspace) => {
            RAN.fetch_add(1, Ordering::Relaxed);
            // Intended: a workspace file that exists but cannot be read (a directory in
            // its place) is a doubt, though terraform quietly falls back to `default`:
            // what was meant to be selected is unknown, so failsafe refuses.
            let unreadable_file = workspace == "default"
                && fact.uncertain.is_empty()
                && !fact.target.uncertain.is_empty()
                && fact
                    .target
                    .uncertain
                    .iter()
                    .all(|d| d.contains("workspace file") && d.contains("cannot be read"));
            if unreadable_file {
                INTENDED.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            if !fact.target.uncertain.is_empty() || !fact.uncertain.is_empty() {
                return disagree("terraform runs, failsafe is uncertain");
            }
            if (fact.verb.as_str(), fact.subverb.as_str()) != ("workspace", "show") {
                return disagree("command differs");
            }
            if &tf.workspace != workspace {
                return disagree("workspace differs");
            }
        }
        Err(_) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

#[test]
fn terraform_workspace_and_directory_match_the_real_terraform() {
    if !Path::new(REAL_TERRAFORM).is_file() {
        println!("skipping the terraform differential: {REAL_TERRAFORM} is not installed");
        return;
    }
    let n = super::case_count(100);
    let ran = super::run("terraform", n, &generate, &check);
    println!(
        "terraform differential: terraform ran in {} checks and stopped with an error in {}; failsafe refused an unreadable workspace file terraform ignores in {}",
        RAN.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
        INTENDED.load(Ordering::Relaxed)
    );
    assert_eq!(ran, n);
}
