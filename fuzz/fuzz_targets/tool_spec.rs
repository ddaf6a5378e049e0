//! User tool specs (`<config>/tools/*.toml`): no panic, no hang; a spec that parses
//! walks command lines without panicking, and a spec that does not parse leaves its
//! tool refused.
#![no_main]

#[path = "common.rs"]
mod common;

use failsafe::policy::Verdict;
use libfuzzer_sys::fuzz_target;

const LINES: &[&[&str]] = &[
    &["deploy", "--force", "prod"],
    &["-x", "v", "sub", "--", "-y"],
    &["--name=value", "a", "-abc"],
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match failsafe::spec::ToolSpec::parse("fuzz.toml", &text) {
        Ok(spec) => {
            for line in LINES {
                let words: Vec<String> = line.iter().map(|w| w.to_string()).collect();
                let _ = failsafe::facts::walker::walk(&spec, &words);
            }
        }
        Err(e) if common::first_of_kind(&e.to_string()) => {
            // Broken spec named for the tool: the tool is refused, never run unchecked.
            let tools = common::world().config.join("tools");
            std::fs::create_dir_all(&tools).unwrap();
            std::fs::write(tools.join("mytool.toml"), data).unwrap();
            let argv = common::argv("mytool", &["deploy"]);
            let req = failsafe::judge::Request {
                binary: "mytool".to_string(),
                argv: argv.iter().map(std::ffi::OsString::from).collect(),
                source: failsafe::facts::Source::Shim,
                mode: Some(failsafe::mode::Mode::Write),
            };
            let j = failsafe::judge::judge_in(
                req,
                common::ctx(&[]),
                common::world().config.clone(),
                Vec::new(),
                Vec::new(),
                std::time::Instant::now(),
            );
            let _ = std::fs::remove_file(tools.join("mytool.toml"));
            assert_eq!(j.decision.verdict, Verdict::Block, "broken spec not refused: {e}");
        }
        Err(_) => {}
    }
});
