//! terraform's workspace file and `TF_CLI_ARGS` / `TF_CLI_ARGS_plan` / `TF_WORKSPACE`:
//! no panic, no hang, and an uncertain fact is refused. Input: the workspace file's
//! bytes, then NUL-separated values for the three variables.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0);
    let file = parts.next().unwrap_or_default();
    let w = common::world();
    std::fs::create_dir_all(w.work.join(".terraform")).unwrap();
    std::fs::write(w.work.join(".terraform/environment"), file).unwrap();
    let values: Vec<String> = parts
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let names = ["TF_CLI_ARGS", "TF_CLI_ARGS_plan", "TF_WORKSPACE"];
    let env: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let _ = failsafe::facts::terraform::cli::merge(&[String::from("plan")], &|name| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_string())
    });
    for argv in [
        common::argv("terraform", &["plan"]),
        common::argv("terraform", &["-chdir=.", "apply", "-auto-approve"]),
    ] {
        let fact = common::fact(&argv, &env);
        common::uncertain_is_blocked(&fact, &argv, &env);
    }
});
