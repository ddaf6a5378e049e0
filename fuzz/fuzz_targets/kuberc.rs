//! `~/.kube/kuberc` (kubectl's preferences: default options and aliases): no panic, no
//! hang, and a kuberc failsafe cannot read or that retargets the command is refused.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: dev, user: u}
clusters:
- name: dev
  cluster: {server: \"https://127.0.0.1:6443\"}
users:
- name: u
  user: {token: t}
";

fuzz_target!(|data: &[u8]| {
    let w = common::world();
    std::fs::write(w.home.join(".kube/config"), KUBECONFIG).unwrap();
    std::fs::write(w.home.join(".kube/kuberc"), data).unwrap();
    for argv in [
        common::argv("kubectl", &["get", "pods"]),
        common::argv("kubectl", &["delete", "pod", "x", "--dry-run=server"]),
    ] {
        let fact = common::fact(&argv, &[]);
        common::uncertain_is_blocked(&fact, &argv, &[]);
    }
});
