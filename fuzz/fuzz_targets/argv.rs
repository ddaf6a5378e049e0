//! The argv walker and every built-in tool's enricher, on arbitrary command lines in an
//! empty world: no panic, no hang, and a fact with doubts is refused.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

const TOOLS: &[&str] = &["kubectl", "helm", "terraform", "tofu", "aws", "git"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let tool = TOOLS[usize::from(pick) % TOOLS.len()];
    let words = common::words(rest);
    let canonical = failsafe::tool::builtin_tool_of(tool).unwrap();
    let spec = failsafe::spec::builtin(canonical).unwrap().unwrap();
    let _ = failsafe::facts::walker::walk(&spec, &words);
    let mut argv = vec![tool.to_string()];
    argv.extend(words);
    let fact = common::fact(&argv, &[]);
    common::uncertain_is_blocked(&fact, &argv, &[]);
});
