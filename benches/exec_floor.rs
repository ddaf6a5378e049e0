//! The floor for the latency benchmark, built twice by `benches/shim-latency.sh` (linked
//! dynamically and statically): a shim that checks nothing. It finds the real tool on PATH
//! the way failsafe does (skipping itself by device and inode) and execs it, so the
//! difference between it and failsafe is what judging a command costs, and the difference
//! between its two builds is what static linking saves. Standard library only, so it is
//! compiled with plain `rustc`.
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let name = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    let me = std::fs::metadata("/proc/self/exe")
        .ok()
        .map(|m| (m.dev(), m.ino()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(&name);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file()
            || meta.permissions().mode() & 0o111 == 0
            || Some((meta.dev(), meta.ino())) == me
        {
            continue;
        }
        let err = std::process::Command::new(candidate)
            .args(argv.iter().skip(1))
            .exec();
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{err}\n").as_bytes());
        std::process::exit(126);
    }
    std::process::exit(127);
}
