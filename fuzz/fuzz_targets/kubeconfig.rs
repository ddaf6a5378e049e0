//! `~/.kube/config` (serde_yaml and the go-yaml reader) as kubectl and helm commands read
//! it: no panic, no hang, and a kubeconfig failsafe cannot read leaves the command
//! refused.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let w = common::world();
    std::fs::write(w.home.join(".kube/config"), data).unwrap();
    for argv in [
        common::argv("kubectl", &["get", "pods"]),
        common::argv("kubectl", &["--context", "prod", "delete", "pod", "x"]),
        common::argv("helm", &["status", "web"]),
    ] {
        let fact = common::fact(&argv, &[]);
        common::uncertain_is_blocked(&fact, &argv, &[]);
    }
});
