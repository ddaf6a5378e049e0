//! A repository's `.git/config` (git's config syntax, includes, aliases) and alias
//! expansion: no panic, no hang; a config `git::config::parse` rejects leaves the fact
//! uncertain, and an uncertain fact is refused.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::Once;

fn repo() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let git = common::world().work.join(".git");
        for d in ["objects", "refs/heads", "refs/remotes/origin"] {
            std::fs::create_dir_all(git.join(d)).unwrap();
        }
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    });
}

fuzz_target!(|data: &[u8]| {
    repo();
    let text = String::from_utf8_lossy(data);
    let parsed = failsafe::facts::git::config::parse(&text);
    for line in text.lines() {
        let _ = failsafe::facts::git::alias::split_cmdline(line);
    }
    let w = common::world();
    std::fs::write(w.work.join(".git/config"), data).unwrap();
    let env = [("GIT_CONFIG_NOSYSTEM", "1")];
    for argv in [
        common::argv("git", &["push"]),
        common::argv("git", &["pf", "origin", "main"]),
    ] {
        let fact = common::fact(&argv, &env);
        if parsed.is_err() && std::str::from_utf8(data).is_ok() {
            assert!(
                !fact.uncertain.is_empty() || !fact.target.uncertain.is_empty(),
                "git::config::parse rejects the config ({:?}) but the fact for {argv:?} has no doubt",
                parsed.as_ref().err()
            );
        }
        common::uncertain_is_blocked(&fact, &argv, &env);
    }
});
