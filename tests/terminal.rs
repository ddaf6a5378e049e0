//! Terminal toggles and badges: the tmux binding in a real tmux server with a real client
//! (a key press flips the pane's mode and its status badge), and the Claude Code status
//! line script.

use crate::install::repo_root;
use crate::sandbox::{exe, Sandbox};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn which(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// A tmux server of its own (socket in the sandbox), started from the "human's"
/// environment: failsafe on PATH through a plain bin dir, never a shim dir.
struct Tmux {
    binary: PathBuf,
    socket: PathBuf,
    env: Vec<(String, String)>,
    client: Option<Child>,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.binary);
        c.env_clear()
            .envs(self.env.clone())
            .arg("-S")
            .arg(&self.socket);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// Types `bytes` into the attached client, as a person at the keyboard.
    fn type_keys(&mut self, bytes: &[u8]) {
        let client = self.client.as_mut().unwrap();
        let stdin = client.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits until `probe` returns `want` (tmux works asynchronously).
    fn wait_for(what: &str, want: &str, probe: impl Fn() -> String) {
        let start = Instant::now();
        let mut last = probe();
        while last != want && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
            last = probe();
        }
        assert_eq!(last, want, "{what}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(mut c) = self.client.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.cmd().arg("kill-server").output();
    }
}

#[test]
fn the_tmux_key_flips_the_pane_and_its_badge() {
    let (Some(tmux), Some(script)) = (which("tmux"), which("script")) else {
        eprintln!("skipped: tmux or script(1) is not installed (apt-get install tmux bsdutils)");
        return;
    };
    let sb = Sandbox::new();
    let human_bin = sb.root.join("human-bin");
    std::fs::create_dir_all(&human_bin).unwrap();
    std::os::unix::fs::symlink(exe(), human_bin.join("failsafe")).unwrap();
    let helper = repo_root().join("install/terminal/tmux/failsafe-tmux.sh");
    let env: Vec<(String, String)> = vec![
        ("HOME".into(), sb.home.display().to_string()),
        (
            "PATH".into(),
            format!("{}:/usr/bin:/bin", human_bin.display()),
        ),
        (
            "FAILSAFE_CONFIG_DIR".into(),
            sb.config.display().to_string(),
        ),
        ("FAILSAFE_TMUX".into(), helper.display().to_string()),
        ("TERM".into(), "xterm-256color".into()),
        ("LC_ALL".into(), "C.UTF-8".into()),
    ];
    let mut t = Tmux {
        binary: tmux,
        socket: sb.root.join("tmux.sock"),
        env,
        client: None,
    };
    let conf = repo_root().join("install/terminal/tmux/failsafe.tmux");
    t.run(&[
        "-f",
        &conf.display().to_string(),
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "20",
        "sh",
    ]);
    let pane = t.run(&["display-message", "-p", "#{pane_id}"]);
    // A real client on a pty, so the prefix key goes through tmux's key tables.
    let client = Command::new(script)
        .env_clear()
        .envs(t.env.clone())
        .args(["-qfc"])
        .arg(format!(
            "{} -S {} attach",
            t.binary.display(),
            t.socket.display()
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    t.client = Some(client);
    Tmux::wait_for("the client attaches", "1", || {
        t.run(&["display-message", "-p", "#{session_attached}"])
    });
    let badge = |t: &Tmux| {
        t.run(&[
            "display-message",
            "-p",
            "-t",
            &pane,
            "#{?#{==:#{@failsafe_mode},write},RW,RO}",
        ])
    };
    let mode = |t: &Tmux| t.run(&["show-options", "-p", "-t", &pane, "-qv", "@failsafe_mode"]);
    // Write mode belongs to this tmux server (the pane's incarnation); the test asks
    // from outside it, so it names the server as the key binding does.
    let incarnation = t.run(&["display-message", "-p", "tmux:#{socket_path},#{pid}"]);
    let stored = || {
        sb.failsafe()
            .args([
                "mode",
                "get",
                "--pane",
                &pane,
                "--incarnation",
                &incarnation,
            ])
            .run()
            .stdout()
            .trim()
            .to_string()
    };
    assert_eq!(stored(), "read");
    assert_eq!(badge(&t), "RO");
    // prefix (C-b) then F.
    t.type_keys(b"\x02F");
    Tmux::wait_for("the key sets the pane's badge option", "write", || mode(&t));
    assert_eq!(stored(), "write", "the key flipped the pane's mode");
    assert_eq!(badge(&t), "RW", "the status segment shows RW");
    // The program in the pane is judged by the same pane (TMUX_PANE).
    let seen = sb.root.join("seen");
    t.run(&[
        "send-keys",
        "-t",
        &pane,
        &format!("failsafe mode get > {}", seen.display()),
        "Enter",
    ]);
    Tmux::wait_for("the pane's own `failsafe mode get`", "write", || {
        std::fs::read_to_string(&seen)
            .unwrap_or_default()
            .trim()
            .to_string()
    });
    let screen = t.run(&["capture-pane", "-p", "-t", &pane]);
    assert!(screen.contains("failsafe mode get"), "{screen}");
    // Again: back to read.
    t.type_keys(b"\x02F");
    Tmux::wait_for("the second press flips back", "read", || mode(&t));
    assert_eq!(stored(), "read");
    assert_eq!(badge(&t), "RO");
    // The status job keeps the badge in sync with a change made elsewhere.
    sb.failsafe()
        .args([
            "mode",
            "set",
            "rw",
            "--pane",
            &pane,
            "--incarnation",
            &incarnation,
        ])
        .run()
        .assert_code(0);
    t.run(&["run-shell", &format!("sh {} sync {pane}", helper.display())]);
    assert_eq!(badge(&t), "RW");
}

#[test]
fn the_claude_code_status_line_shows_the_mode() {
    let sb = Sandbox::new();
    let script = repo_root().join("install/terminal/claude-code/failsafe-statusline.sh");
    let run = sb
        .sh_plain(&format!("{} </dev/null", script.display()))
        .env("FAILSAFE_BIN", exe())
        .run();
    run.assert_code(0).assert_stdout_contains("failsafe RO");
    sb.write_mode();
    sb.program("/bin/sh")
        .env("FAILSAFE_BIN", exe())
        .args(["-c", &format!("echo '{{}}' | {}", script.display())])
        .run()
        .assert_code(0)
        .assert_stdout_contains("failsafe RW");
}

/// Loads `install/terminal/wezterm/failsafe.lua` with a stand-in `wezterm` module whose
/// `run_child_process` really runs failsafe, presses the key and redraws the status.
const WEZTERM_HARNESS: &str = r#"
local events, status = {}, nil
package.preload['wezterm'] = function()
  return {
    home_dir = os.getenv('HOME'),
    run_child_process = function(args)
      local words = {}
      for _, a in ipairs(args) do words[#words + 1] = "'" .. (a:gsub("'", "'\\''")) .. "'" end
      local p = io.popen(table.concat(words, ' ') .. ' 2>/dev/null')
      local out = p:read('a')
      local ok = p:close()
      return ok == true, out, ''
    end,
    action_callback = function(f) return f end,
    on = function(name, f) events[name] = f end,
    format = function(items)
      local t = {}
      for _, i in ipairs(items) do if i.Text then t[#t + 1] = i.Text end end
      return table.concat(t)
    end,
  }
end
package.path = os.getenv('FAILSAFE_WEZTERM_DIR') .. '/?.lua;' .. package.path
local config = {}
require('failsafe').apply(config, { bin = os.getenv('FAILSAFE_BIN') })
local window = {
  set_right_status = function(_, s) status = s end,
  toast_notification = function(_, _, message) print('toast:' .. message) end,
}
local pane = { pane_id = function() return 7 end }
events['update-right-status'](window, pane)
print('status:' .. status)
assert(config.keys[1].key == 'F' and config.keys[1].mods == 'CTRL|SHIFT')
config.keys[1].action(window, pane)
print('status:' .. status)
"#;

#[test]
fn the_wezterm_key_flips_the_pane_and_its_badge() {
    let Some(lua) = ["lua5.4", "lua"].iter().find_map(|n| which(n)) else {
        eprintln!("skipped: no lua interpreter (apt-get install lua5.4)");
        return;
    };
    let sb = Sandbox::new();
    let harness = sb.write("wezterm-harness.lua", WEZTERM_HARNESS);
    // WezTerm runs with the human's environment: no shim dir on PATH.
    let run = sb
        .program(lua)
        .path_var(sb.plain_path())
        .env(
            "FAILSAFE_WEZTERM_DIR",
            repo_root().join("install/terminal/wezterm"),
        )
        .env("FAILSAFE_BIN", exe())
        .arg(&harness)
        .run();
    run.assert_code(0)
        .assert_stdout_eq("status: RO \ntoast:pane 7 is now in write mode\nstatus: RW \n");
    sb.failsafe()
        .args(["mode", "get", "--pane", "7"])
        .run()
        .assert_stdout_eq("write\n");
}
