//! `failsafe doctor`: check the setup the way the agent sees it — shims first on PATH
//! (also in a login shell), real tools found, config and policies usable.

use super::{json_text, out};
use crate::exit;
use crate::mode::Mode;
use crate::policy::bundled;
use crate::policy::evaluate;
use crate::policy::layers::{load_chain, Chain, ChainRequest, PolicyFile};
use crate::shim::{resolve_real, self_id};
use crate::tool::BUILTIN_BINARIES;
use serde_json::json;
use std::process::Command;

/// One check.
struct Check {
    ok: bool,
    what: String,
    detail: String,
}

/// What the agent's shell runs for `name`: the same search the shim makes (an
/// executable regular file in an absolute PATH entry).
fn first_on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    crate::pathfind::find_executable(name, &path, None)
}

fn is_self(path: &std::path::Path) -> bool {
    crate::pathfind::is_self(path)
}

/// Every policy failsafe could load here — all bundled files, the user's, and the repo
/// files above the current directory — parsed and evaluated once against an empty fact.
fn policies_compile() -> Check {
    let config = super::config_dir();
    let home = crate::config::process_home();
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let mut chain = load_chain(&ChainRequest {
        tool: "",
        mode: Mode::Write,
        config_dir: &config,
        cwd: &cwd,
        home: home.as_deref(),
        verb: "",
        uncertain: false,
        target_uncertain: false,
    });
    let mut files: Vec<PolicyFile> = bundled::ALL
        .iter()
        .map(bundled::BundledPolicy::to_policy_file)
        .collect();
    files.append(&mut chain.files);
    let count = files.len();
    let chain = Chain {
        files,
        failures: chain.failures,
    };
    let empty = json!({"fact_version": 1, "argv": [], "args": [], "flags": {}, "flags_all": {}, "uncertain": []});
    let broken: Vec<String> = evaluate(&chain, &empty, &json!({}))
        .reasons
        .iter()
        .filter(|r| r.id.starts_with("failsafe."))
        .map(|r| r.reason.clone())
        .collect();
    Check {
        ok: broken.is_empty(),
        what: "policies".into(),
        detail: if broken.is_empty() {
            format!("{count} file(s) compile (bundled, user and repo)")
        } else {
            broken.join("; ")
        },
    }
}

/// Runs `failsafe doctor`.
pub fn run(json: bool) -> i32 {
    let mut checks = Vec::new();
    let shim_dir = super::guard::shim_dir_on_path();
    checks.push(Check {
        ok: shim_dir.is_some(),
        what: "shim directory on PATH".into(),
        detail: shim_dir.as_ref().map_or_else(
            || "no PATH entry holds failsafe shims; run `failsafe install-shims` and put its directory first on the agent's PATH".to_string(),
            |d| d.display().to_string(),
        ),
    });
    let path = std::env::var_os("PATH").unwrap_or_default();
    let me = self_id();
    for (name, _) in BUILTIN_BINARIES {
        let first = first_on_path(name);
        let real = resolve_real(name, &path, me);
        let guarded = first.as_deref().is_some_and(is_self);
        let (ok, detail) = match (&first, guarded, &real) {
            (None, _, _) => (true, "not on PATH (nothing to guard)".to_string()),
            (Some(_), true, Some(r)) => (true, format!("guarded; real tool {}", r.display())),
            (Some(_), true, None) => (
                true,
                "guarded; no real tool installed (calls exit 127)".to_string(),
            ),
            (Some(f), false, _) => (
                false,
                format!(
                    "{} comes before the shim on PATH: calls are NOT guarded",
                    f.display()
                ),
            ),
        };
        checks.push(Check {
            ok,
            what: format!("{name} on PATH"),
            detail,
        });
    }
    if let Some(dir) = &shim_dir {
        let login = Command::new("bash")
            .args(["-lc", "command -v git"])
            .output();
        let (ok, detail) = match login {
            Ok(o) => {
                let found = String::from_utf8_lossy(&o.stdout).trim().to_string();
                if found.starts_with(&dir.display().to_string()) {
                    (true, format!("`bash -lc` finds {found}"))
                } else {
                    (false, format!("`bash -lc 'command -v git'` finds `{found}`: a login shell's profile puts the shim directory later or drops it; add it in ~/.bash_profile or the agent's environment"))
                }
            }
            Err(e) => (
                true,
                format!("bash not runnable ({e}); login-shell check skipped"),
            ),
        };
        checks.push(Check {
            ok,
            what: "login shell PATH".into(),
            detail,
        });
    }
    let config = super::config_dir();
    let settings = crate::config::Settings::load(&config);
    checks.push(Check {
        ok: settings.is_ok(),
        what: "config.toml".into(),
        detail: match &settings {
            Ok(_) => format!("readable ({})", config.join("config.toml").display()),
            Err(e) => e.to_string(),
        },
    });
    checks.push(policies_compile());
    let failed = checks.iter().filter(|c| !c.ok).count();
    if json {
        out(&json_text(&json!({
            "ok": failed == 0,
            "checks": checks.iter().map(|c| json!({"ok": c.ok, "check": c.what, "detail": c.detail})).collect::<Vec<_>>(),
        })));
    } else {
        for c in &checks {
            out(&format!(
                "{} {:<24} {}\n",
                if c.ok { "ok  " } else { "FAIL" },
                c.what,
                c.detail
            ));
        }
        out(&format!("{} check(s) failed\n", failed));
    }
    if failed == 0 {
        exit::OK
    } else {
        exit::NO
    }
}
