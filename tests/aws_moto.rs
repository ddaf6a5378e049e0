//! The real aws CLI against a local AWS emulator (moto's server), through the shims: a
//! read-mode pane describes but cannot terminate an instance or upload to S3, a
//! write-mode pane can. Also the target-classification examples of docs/targets.md
//! (`policies/examples/targets/`), run with `failsafe test`.
//!
//! The aws CLI and moto come from `.venv-test/`, which `./scripts/test.sh` creates and
//! names in `FAILSAFE_TEST_AWS_VENV`. Without it these tests fail and say so: a guard
//! whose aws tests silently skip is a guard nobody checked.

use crate::sandbox::{Run, Sandbox};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where scripts/test.sh says the venv is.
const VENV_VAR: &str = "FAILSAFE_TEST_AWS_VENV";

/// An AMI id moto accepts.
const AMI: &str = "ami-12c6146b";

/// The venv holding `aws` and `moto_server`: `$FAILSAFE_TEST_AWS_VENV`, else
/// `.venv-test/` in the repository when a previous `./scripts/test.sh` made it.
fn venv() -> PathBuf {
    let dir = std::env::var_os(VENV_VAR).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test"),
        PathBuf::from,
    );
    for tool in ["aws", "moto_server"] {
        assert!(
            dir.join("bin").join(tool).is_file(),
            "the aws tests need the real aws CLI and moto, and {} has no bin/{tool}.\n\
             Run the test suite with ./scripts/test.sh: it creates .venv-test/ (pip install \
             awscli 'moto[server]') and points {VENV_VAR} at it.",
            dir.display()
        );
    }
    dir
}

/// A running moto server; killed when dropped.
struct Moto {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts `moto_server` on a free port of 127.0.0.1 and waits until it answers.
    fn start(venv: &Path, scratch: &Path) -> Moto {
        let mut last = String::new();
        // The port is free when probed; another process may take it before moto binds
        // it, so try a few.
        for attempt in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("find a free port")
                .port();
            let log = scratch.join(format!("moto-{attempt}.log"));
            let out = std::fs::File::create(&log).expect("create moto log");
            let err = out.try_clone().expect("clone moto log");
            let child = Command::new(venv.join("bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", scratch)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("start moto_server");
            let mut moto = Moto {
                child,
                url: format!("http://127.0.0.1:{port}"),
                log,
            };
            match moto.wait_ready(port) {
                Ok(()) => return moto,
                Err(why) => last = format!("{why}\nmoto log:\n{}", moto.log_text()),
            }
        }
        panic!("moto_server did not start: {last}");
    }

    fn wait_ready(&mut self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("moto_server exited with {status}"));
            }
            if answers(port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("moto_server did not answer within 30s".to_string())
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// True when an HTTP server answers on 127.0.0.1:`port`.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 8];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// A sandbox whose `aws` is the real CLI, and a moto server for it.
struct World {
    sb: Sandbox,
    venv: PathBuf,
    moto: Moto,
}

/// Dummy credentials and a fixed region; no instance metadata lookups.
const AWS_ENV: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_PAGER", ""),
];

fn world() -> World {
    let venv = venv();
    let sb = Sandbox::new();
    let real = sb.bin.join("aws");
    std::fs::remove_file(&real).expect("remove the aws stand-in");
    symlink(venv.join("bin/aws"), &real).expect("link the real aws");
    let moto = Moto::start(&venv, &sb.root);
    World { sb, venv, moto }
}

impl World {
    /// The real aws CLI, called directly (never through a shim); panics when it fails.
    /// Returns trimmed stdout.
    fn aws_direct(&self, args: &[&str]) -> String {
        let mut cmd = Command::new(self.venv.join("bin/aws"));
        cmd.arg("--endpoint-url")
            .arg(&self.moto.url)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.sb.home)
            .envs(AWS_ENV.iter().copied());
        let mut cmd = assert_cmd::Command::from_std(cmd);
        cmd.timeout(Duration::from_mins(1));
        let out = cmd.output().expect("run the real aws");
        assert!(
            out.status.success(),
            "setup command failed: aws {}\nstatus: {}\nstdout:\n{}\nstderr:\n{}\nmoto log:\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.moto.log_text()
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `aws --endpoint-url … ARGS` the way an agent runs it: through the shim.
    fn aws_shim(&self, args: &[&str]) -> Run {
        let mut cmd = self
            .sb
            .tool("aws")
            .args(["--endpoint-url", &self.moto.url])
            .args(args);
        for (k, v) in AWS_ENV {
            cmd = cmd.env(k, v);
        }
        cmd.run()
    }

    fn state(&self, instance: &str) -> String {
        self.aws_direct(&[
            "ec2",
            "describe-instances",
            "--instance-ids",
            instance,
            "--query",
            "Reservations[0].Instances[0].State.Name",
            "--output",
            "text",
        ])
    }
}

#[test]
fn ec2_describe_runs_and_terminate_is_refused_until_write_mode() {
    let w = world();
    let id = w.aws_direct(&[
        "ec2",
        "run-instances",
        "--image-id",
        AMI,
        "--count",
        "1",
        "--instance-type",
        "t2.micro",
        "--query",
        "Instances[0].InstanceId",
        "--output",
        "text",
    ]);
    assert!(id.starts_with("i-"), "unexpected instance id {id:?}");

    // Read mode (the default): describing goes through to the real aws.
    let run = w.aws_shim(&[
        "ec2",
        "describe-instances",
        "--query",
        "Reservations[].Instances[].InstanceId",
        "--output",
        "text",
    ]);
    run.assert_code(0).assert_stdout_contains(&id);

    // Terminating is refused before aws runs.
    let run = w.aws_shim(&["ec2", "terminate-instances", "--instance-ids", &id]);
    run.assert_blocked()
        .assert_stderr_contains("aws.not-read-only");
    assert_eq!(w.state(&id), "running");

    // A dry run is a read: aws runs and answers that the call would have succeeded.
    let run = w.aws_shim(&[
        "ec2",
        "terminate-instances",
        "--instance-ids",
        &id,
        "--dry-run",
    ]);
    run.check(run.code() != Some(77), "a dry run must reach aws")
        .assert_stderr_contains("DryRunOperation");
    assert_eq!(w.state(&id), "running");

    // A human switches the pane to write mode; now it terminates.
    w.sb.write_mode();
    let run = w.aws_shim(&[
        "ec2",
        "terminate-instances",
        "--instance-ids",
        &id,
        "--output",
        "text",
    ]);
    run.assert_code(0);
    let state = w.state(&id);
    assert!(
        state == "shutting-down" || state == "terminated",
        "the instance should be terminating, but is {state:?}"
    );
}

#[test]
fn s3_downloads_run_and_uploads_are_refused() {
    let w = world();
    w.aws_direct(&["s3", "mb", "s3://failsafe-test"]);
    let file =
        w.sb.write(w.sb.work.join("report.txt"), "quarterly numbers\n");
    let file = file.display().to_string();
    w.aws_direct(&["s3", "cp", &file, "s3://failsafe-test/report.txt"]);

    let run = w.aws_shim(&["s3", "ls", "s3://failsafe-test/"]);
    run.assert_code(0).assert_stdout_contains("report.txt");
    let run = w.aws_shim(&["s3", "cp", "s3://failsafe-test/report.txt", "copy.txt"]);
    run.assert_code(0);
    let copy = std::fs::read_to_string(w.sb.work.join("copy.txt")).unwrap_or_default();
    assert_eq!(copy, "quarterly numbers\n");

    let run = w.aws_shim(&["s3", "cp", "copy.txt", "s3://failsafe-test/copy.txt"]);
    run.assert_blocked().assert_stderr_contains("aws.s3-upload");
    let run = w.aws_shim(&["s3", "rm", "s3://failsafe-test/report.txt"]);
    run.assert_blocked()
        .assert_stderr_contains("aws.not-read-only");
    let listing = w.aws_direct(&["s3", "ls", "s3://failsafe-test/"]);
    assert!(listing.contains("report.txt") && !listing.contains("copy.txt"));
}

/// The example policies of docs/targets.md pass `failsafe validate --strict` and do
/// what the documentation says, checked by the `failsafe test` cases in
/// tests/fixtures/targets/.
#[test]
fn target_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = root.join("policies/examples/targets");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("list policies/examples/targets")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rego"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    let sb = Sandbox::new();
    sb.failsafe()
        .args(["validate", "--strict"])
        .args(&files)
        .run()
        .assert_code(0);
    for file in &files {
        let name = file.file_name().expect("file name");
        let text = std::fs::read_to_string(file).expect("read example");
        sb.user_policy(&name.to_string_lossy(), &text);
    }
    sb.write(
        sb.home.join(".aws/config"),
        "[profile payments]\nsso_account_id = 111122223333\nregion = eu-west-1\n\n\
         [profile sandbox]\nrole_arn = arn:aws:iam::444455556666:role/dev\nsource_profile = payments\n",
    );
    let run = sb
        .failsafe()
        .args(["test"])
        .arg(root.join("tests/fixtures/targets"))
        .run();
    run.assert_code(0)
        .assert_stdout_contains("16 passed, 0 failed");
}

impl World {
    /// The real aws CLI, called directly, whatever its exit status: (status code,
    /// stdout, stderr).
    fn aws_direct_any(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let mut cmd = Command::new(self.venv.join("bin/aws"));
        cmd.arg("--endpoint-url")
            .arg(&self.moto.url)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.sb.home)
            .envs(AWS_ENV.iter().copied());
        let mut cmd = assert_cmd::Command::from_std(cmd);
        cmd.timeout(Duration::from_mins(1));
        let out = cmd.output().expect("run the real aws");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn running_instance(&self) -> String {
        let id = self.aws_direct(&[
            "ec2",
            "run-instances",
            "--image-id",
            AMI,
            "--count",
            "1",
            "--instance-type",
            "t2.micro",
            "--query",
            "Instances[0].InstanceId",
            "--output",
            "text",
        ]);
        assert!(id.starts_with("i-"), "unexpected instance id {id:?}");
        id
    }
}

/// A dry run excuses a command only where aws honours it for that operation, with its
/// last-wins and abbreviation rules: `--dr` is argparse's abbreviation of `--dry-run`,
/// while `--dry-run --no-d` really stops the instance (aws reads `--no-d` as
/// `--no-dry-run`), and `codeartifact login --dry-run` prints the auth token.
#[test]
fn dry_runs_count_only_where_aws_honours_them() {
    let w = world();
    let id = w.running_instance();

    // Honoured: the abbreviation reaches aws, which answers DryRunOperation.
    let run = w.aws_shim(&["ec2", "stop-instances", "--instance-ids", &id, "--dr"]);
    run.check(
        run.code() != Some(77),
        "an abbreviated dry run must reach aws",
    )
    .assert_stderr_contains("DryRunOperation");
    let run = w.aws_shim(&[
        "ec2",
        "stop-instances",
        "--instance-ids",
        &id,
        "--no-dry-run",
        "--dry-run",
    ]);
    run.check(run.code() != Some(77), "the last --dry-run wins")
        .assert_stderr_contains("DryRunOperation");
    assert_eq!(w.state(&id), "running");

    // Not honoured: refused before aws runs.
    let line = [
        "ec2",
        "stop-instances",
        "--instance-ids",
        &id,
        "--dry-run",
        "--no-d",
    ];
    w.aws_shim(&line)
        .assert_blocked()
        .assert_stderr_contains("aws.not-read-only");
    assert_eq!(w.state(&id), "running");
    // What aws itself does with that line: it stops the instance.
    let (code, _, stderr) = w.aws_direct_any(&line);
    assert_eq!(code, Some(0), "{stderr}");
    let state = w.state(&id);
    assert!(
        state == "stopping" || state == "stopped",
        "aws should have ignored the dry run, but the instance is {state:?}"
    );

    let run = w.aws_shim(&[
        "codeartifact",
        "login",
        "--tool",
        "pip",
        "--domain",
        "dd",
        "--repository",
        "rr",
        "--dry-run",
    ]);
    run.assert_blocked()
        .assert_stderr_contains("aws.credentials");
    // `s3 rb` has no --dryrun: aws stops on it, and failsafe does not take it for one.
    w.aws_direct(&["s3", "mb", "s3://failsafe-dry"]);
    let (code, _, stderr) = w.aws_direct_any(&["s3", "rb", "s3://failsafe-dry", "--dryrun"]);
    assert_ne!(code, Some(0), "aws accepted `s3 rb --dryrun`: {stderr}");
    assert!(stderr.contains("Unknown options: --dryrun"), "{stderr}");
    w.aws_shim(&["s3", "rb", "s3://failsafe-dry", "--force", "--dryrun"])
        .assert_blocked()
        .assert_stderr_contains("aws.not-read-only");
    // An s3 command that has it: honoured, and nothing is removed.
    let file = w.sb.write(w.sb.work.join("k.txt"), "k\n");
    w.aws_direct(&[
        "s3",
        "cp",
        &file.display().to_string(),
        "s3://failsafe-dry/k.txt",
    ]);
    w.aws_shim(&["s3", "rm", "s3://failsafe-dry/k.txt", "--dry"])
        .assert_code(0)
        .assert_stdout_contains("(dryrun) delete: s3://failsafe-dry/k.txt");
    assert!(w
        .aws_direct(&["s3", "ls", "s3://failsafe-dry/"])
        .contains("k.txt"));
}

/// `get-*` operations that hand out credentials are refused in read mode, although their
/// name reads like a read: the table generated from the models knows them.
#[test]
fn credential_reads_are_refused_in_read_mode() {
    let w = world();
    let pool = w.aws_direct(&[
        "cognito-identity",
        "create-identity-pool",
        "--identity-pool-name",
        "failsafe",
        "--allow-unauthenticated-identities",
        "--query",
        "IdentityPoolId",
        "--output",
        "text",
    ]);
    let identity = w.aws_direct(&[
        "cognito-identity",
        "get-id",
        "--identity-pool-id",
        &pool,
        "--query",
        "IdentityId",
        "--output",
        "text",
    ]);
    let line = [
        "cognito-identity",
        "get-credentials-for-identity",
        "--identity-id",
        &identity,
    ];
    // aws really prints keys for it.
    assert!(w.aws_direct(&line).contains("SecretKey"));
    w.aws_shim(&line)
        .assert_blocked()
        .assert_stderr_contains("aws.credentials");
    w.aws_shim(&["ecr", "get-login-password"])
        .assert_blocked()
        .assert_stderr_contains("aws.credentials");
    w.aws_shim(&["sts", "get-session-token"])
        .assert_blocked()
        .assert_stderr_contains("aws.credentials");
    // An ordinary read of the same service goes through.
    w.aws_shim(&[
        "cognito-identity",
        "list-identity-pools",
        "--max-results",
        "5",
    ])
    .assert_code(0)
    .assert_stdout_contains("failsafe");

    w.sb.write_mode();
    w.aws_shim(&line)
        .assert_code(0)
        .assert_stdout_contains("SecretKey");
}

/// A profile aws cannot find is refused in every mode: failsafe cannot say which account
/// the command would land in (and aws itself stops with `ProfileNotFound`).
#[test]
fn an_unknown_profile_is_refused_in_write_mode_too() {
    let w = world();
    w.sb.write_mode();
    let run = w.aws_shim(&["--profile", "ghost", "ec2", "describe-instances"]);
    run.assert_blocked()
        .assert_stderr_contains("target.uncertain");
    let (code, _, stderr) = w.aws_direct_any(&["--profile", "ghost", "ec2", "describe-instances"]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("could not be found"), "{stderr}");
}

/// policies/data/aws-operations.txt is what scripts/gen-aws-operations.py makes from the
/// venv's aws CLI. Skipped, saying so, when the venv is missing.
#[test]
fn the_operations_table_is_current() {
    let dir = std::env::var_os(VENV_VAR).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test"),
        PathBuf::from,
    );
    let python = dir.join("bin/python");
    if !python.is_file() {
        eprintln!(
            "SKIPPED the_operations_table_is_current: no Python venv with the aws CLI at {} \
             (run ./scripts/test.sh to create it)",
            dir.display()
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(&python)
        .arg(root.join("scripts/gen-aws-operations.py"))
        .arg("--stdout")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", root)
        .output()
        .expect("run scripts/gen-aws-operations.py");
    assert!(
        out.status.success(),
        "scripts/gen-aws-operations.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8_lossy(&out.stdout);
    let committed = std::fs::read_to_string(root.join("policies/data/aws-operations.txt"))
        .expect("read policies/data/aws-operations.txt");
    if fresh != committed {
        let differ: Vec<String> = fresh
            .lines()
            .zip(committed.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("  generated: {a}\n  committed: {b}"))
            .collect();
        panic!(
            "policies/data/aws-operations.txt is stale ({} lines generated, {} committed); \
             first differences:\n{}\nregenerate it with: {} scripts/gen-aws-operations.py",
            fresh.lines().count(),
            committed.lines().count(),
            differ.join("\n"),
            python.display()
        );
    }
}
