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
    let front = if name == tool::SELF_NAME {
        Front::Cli
    } else {
        Front::Shim
    };
    install_panic_hook(front);
    let code = match front {
        Front::Shim => shim::run(&name, argv),
        Front::Cli => cli::run(&argv),
    };
    std::process::exit(code);
}

/// The personality an internal failure happens in: it decides how the failure refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Front {
    /// Started as a guarded tool's name: a failure refuses the command (exit 77).
    Shim,
    /// Started as `failsafe`: a failure is a usage-level error (exit 2).
    Cli,
}

/// Any panic is a bug; in shim mode it must still refuse (exit 77), never fall through.
fn install_panic_hook(front: Front) {
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = format!(
            "failsafe: internal error{place}: {info}\n  help:   this is a bug in failsafe; the command was refused\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
        std::process::exit(match front {
            Front::Shim => exit::BLOCKED,
            Front::Cli => exit::USAGE,
        });
    }));
}
