//! `~/.aws/config` (botocore's ini dialect): no panic, no hang; a config the ini parser
//! rejects leaves the fact uncertain, and an uncertain fact is refused.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = failsafe::facts::aws::ini::Ini::parse(&text);
    let w = common::world();
    std::fs::write(w.home.join(".aws/config"), data).unwrap();
    for argv in [
        common::argv("aws", &["s3", "ls"]),
        common::argv("aws", &["--profile", "prod", "ec2", "terminate-instances"]),
    ] {
        let fact = common::fact(&argv, &[]);
        if parsed.is_err() && std::str::from_utf8(data).is_ok() {
            assert!(
                !fact.uncertain.is_empty() || !fact.target.uncertain.is_empty(),
                "the ini parser rejects the config ({:?}) but the fact for {argv:?} has no doubt",
                parsed.as_ref().err()
            );
        }
        common::uncertain_is_blocked(&fact, &argv, &[]);
    }
});
