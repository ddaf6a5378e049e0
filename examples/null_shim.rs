//! The floor for the latency benchmark: a shim that checks nothing. It finds the real tool
//! on PATH the way failsafe does (skipping itself by device and inode) and execs it, so
//! the difference between it and failsafe is what judging a command costs.
use std::os::unix::process::CommandExt;

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let name = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let Some(real) = failsafe::shim::resolve_real(&name, &path, failsafe::shim::self_id()) else {
        std::process::exit(127);
    };
    let err = std::process::Command::new(real)
        .args(argv.iter().skip(1))
        .exec();
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{err}\n").as_bytes());
    std::process::exit(126);
}
