//! The devcontainer feature: its metadata, and (as root, with debootstrap) its install.sh
//! run for real inside a minimal Debian root through chroot, by
//! `install/devcontainer/test-in-chroot.sh` — plain, and with `sealed: true`.

use crate::install::repo_root;
use crate::sandbox::exe;
use std::path::Path;
use std::process::Command;

fn feature_dir() -> std::path::PathBuf {
    repo_root().join("install/devcontainer/failsafe")
}

#[test]
fn the_feature_metadata_has_what_the_devcontainer_cli_needs() {
    let text = std::fs::read_to_string(feature_dir().join("devcontainer-feature.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["id"], "failsafe");
    assert!(v["version"].is_string());
    for option in ["tools", "mode", "policyBundle", "sealed", "binary"] {
        assert!(v["options"][option].is_object(), "option {option} missing");
    }
    assert_eq!(v["options"]["sealed"]["type"], "boolean");
    assert!(v["containerEnv"]["PATH"]
        .as_str()
        .is_some_and(|p| p.starts_with("/usr/local/share/failsafe/shims:")));
    let after: Vec<&str> = v["installsAfter"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    for f in ["kubectl-helm-minikube", "terraform", "aws-cli"] {
        assert!(
            after.iter().any(|a| a.ends_with(&format!("/{f}"))),
            "installsAfter lacks {f}"
        );
    }
    // The feature ships its own copy of the profile snippet (features are packaged from
    // their directory alone); it must not drift.
    assert_eq!(
        std::fs::read_to_string(feature_dir().join("profile.sh")).unwrap(),
        std::fs::read_to_string(repo_root().join("install/profile.d/failsafe.sh")).unwrap(),
        "install/devcontainer/failsafe/profile.sh differs from install/profile.d/failsafe.sh"
    );
}

#[test]
fn the_feature_installs_in_a_minimal_debian_root() {
    run_in_chroot(None, "devcontainer feature: all checks passed");
}

/// sealed=true: a root remote user fails the build with the reason and changes nothing;
/// for the agent user the real git is out of reach and guarded commands are judged.
#[test]
fn the_sealed_feature_seals_the_remote_user_out_in_a_minimal_debian_root() {
    run_in_chroot(
        Some("sealed"),
        "devcontainer feature (sealed): all checks passed",
    );
}

fn run_in_chroot(variant: Option<&str>, passed: &str) {
    // `id -u` rather than geteuid(): no unsafe code in the tests.
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: the devcontainer feature test needs root (chroot and mount)");
        return;
    }
    if ![
        "/usr/sbin/debootstrap",
        "/sbin/debootstrap",
        "/usr/bin/debootstrap",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
    {
        eprintln!("skipped: debootstrap is not installed (apt-get install --no-install-recommends debootstrap, or run scripts/test.sh as root)");
        return;
    }
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("devcontainer");
    let out = Command::new(repo_root().join("install/devcontainer/test-in-chroot.sh"))
        .arg(exe())
        .arg(&cache)
        .args(variant)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(passed),
        "test-in-chroot.sh failed ({})\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
