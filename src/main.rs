//! The `failsafe` binary: picks a personality from argv[0] and hands over.

use failsafe::{cli, exit, shim, tool};
use std::ffi::OsString;
use std::path::Path;

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let name = argv
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shim_mode = name != tool::SELF_NAME;
    install_panic_hook(shim_mode);
    let code = if shim_mode {
        shim::run(&name, argv)
    } else {
        cli::run(argv)
    };
    std::process::exit(code);
}

/// Any panic is a bug; in shim mode it must still refuse (exit 77), never fall through.
fn install_panic_hook(shim_mode: bool) {
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = format!(
            "failsafe: internal error{place}: {info}\n  help:   this is a bug in failsafe; the command was refused\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
        std::process::exit(if shim_mode {
            exit::BLOCKED
        } else {
            exit::USAGE
        });
    }));
}
