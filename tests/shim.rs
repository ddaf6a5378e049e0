//! Shim mode end to end: the shim decides, then either becomes the real tool (same argv,
//! stdin, stdout, stderr, exit status) or refuses with exit 77 and a message on stderr.

use crate::sandbox::{line_of, Behaviour, Sandbox, BLOCKED, NOT_FOUND, TOOLS};
use rstest::rstest;
use std::os::unix::fs::symlink;

/// A user policy that blocks `kubectl … forbidden-thing` in every mode.
const USER_BLOCK: &str = r#"package failsafe.user

import rego.v1

block contains {"id": "user.no-forbidden", "reason": "the forbidden thing is forbidden"} if {
	"forbidden-thing" in input.args
}
"#;

#[rstest]
#[case::plain(&["get", "pods"])]
#[case::flag_values(&["get", "pods", "-n", "kube-system", "--output=wide"])]
#[case::spaces(&["get", "configmap", "name with spaces", "-o", "jsonpath={.data.a b}"])]
#[case::empty_string(&["get", "pods", ""])]
#[case::double_dash(&["get", "pods", "--", "--not-a-flag", "", "-n"])]
#[case::quotes_and_globs(&["get", "pods", "-l", "app in (a,b)", "it's", "*", "$HOME", "`x`"])]
#[case::newline(&["get", "pods", "two\nlines"])]
fn allowed_command_reaches_the_real_tool_with_the_same_argv(#[case] args: &[&str]) {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(args)
        .run()
        .assert_code(0)
        .assert_ran("kubectl", args);
}

#[test]
fn real_tools_stdout_stderr_and_exit_status_are_its_own() {
    let sb = Sandbox::new();
    sb.stand_in(
        "kubectl",
        &Behaviour::new()
            .stdout("NAME   READY\nweb    1/1\n")
            .stderr("warning: from the real tool\n")
            .exit(3),
    );
    let run = sb.tool("kubectl").args(["get", "pods"]).run();
    run.assert_code(3)
        .assert_stdout_eq("NAME   READY\nweb    1/1\n")
        .check(
            run.stderr() == "warning: from the real tool\n",
            "stderr should be exactly the real tool's (failsafe adds nothing when it allows)",
        )
        .assert_ran("kubectl", &["get", "pods"]);
}

#[test]
fn stdin_passes_through_to_the_real_tool() {
    let sb = Sandbox::new();
    let input = b"apiVersion: v1\nkind: ConfigMap\n\0binary\xff?\n".to_vec();
    let run = sb
        .tool("kubectl")
        .args(["get", "-f", "-"])
        .stdin(input.clone())
        .run();
    run.assert_code(0)
        .assert_ran("kubectl", &["get", "-f", "-"]);
    let calls = run.new_calls("kubectl");
    run.check(
        calls[0].stdin == input,
        format!("stdin reached the tool as {:?}", calls[0].stdin),
    );
}

#[test]
fn shim_called_by_absolute_path_is_still_the_tool() {
    let sb = Sandbox::new();
    sb.program(sb.shims.join("kubectl"))
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
    sb.program(sb.shims.join("kubectl"))
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl");
}

/// The `rule:` lines of a refusal.
fn rule_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("rule:"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// True when `line` ends in ` at FILE:LINE`.
fn has_file_line(line: &str) -> bool {
    line.rsplit_once(" at ").is_some_and(|(_, loc)| {
        loc.rsplit_once(':').is_some_and(|(file, n)| {
            !file.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
        })
    })
}

#[rstest]
#[case::delete(&["delete", "ns", "payments"])]
#[case::apply(&["apply", "-f", "deploy.yaml"])]
#[case::scale(&["scale", "deploy/web", "--replicas=0"])]
#[case::exec(&["exec", "-it", "web-0", "--", "sh"])]
#[case::rollout_restart(&["rollout", "restart", "deploy/web"])]
#[case::unknown_verb(&["frobnicate", "everything"])]
fn refused_command_exits_77_and_explains_itself(#[case] args: &[&str]) {
    let sb = Sandbox::new();
    let run = sb.tool("kubectl").args(args).run();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains(&format!("`kubectl {}", args[0]))
        .assert_stderr_contains("read mode")
        .assert_stderr_contains("reason:")
        .assert_stderr_contains("allow:");
    let rules = rule_lines(&run.stderr());
    run.check(
        !rules.is_empty() && rules.iter().all(|l| has_file_line(l)),
        format!("every `rule:` line should name a rule and its file:line, got {rules:?}"),
    )
    .assert_stderr_contains("bundled/kubectl.rego:");
}

#[test]
fn refusal_names_the_user_rule_at_its_file_and_line() {
    let sb = Sandbox::new();
    let policy = sb.user_policy("team.rego", USER_BLOCK);
    let line = line_of(USER_BLOCK, "user.no-forbidden");
    let run = sb.tool("kubectl").args(["get", "forbidden-thing"]).run();
    run.assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("reason: the forbidden thing is forbidden")
        .assert_stderr_contains(&format!(
            "rule:   user.no-forbidden at {}:{line}",
            policy.display()
        ))
        .assert_stderr_contains("allow:");
}

#[rstest]
#[case::helm_nowhere("helm", None)]
#[case::aws_nowhere("aws", None)]
#[case::kubectl_only_shims("kubectl", Some("shims-only"))]
#[case::git_only_shims("git", Some("shims-only"))]
fn missing_real_tool_exits_127_with_a_clear_message(
    #[case] tool: &str,
    #[case] path: Option<&str>,
) {
    let sb = Sandbox::new();
    std::fs::remove_file(sb.bin.join(tool)).unwrap();
    let mut cmd = sb.tool(tool).arg("version");
    if path.is_some() {
        cmd = cmd.path_var(&sb.shims);
    }
    let run = cmd.run();
    run.assert_code(NOT_FOUND)
        .check(run.output.stdout.is_empty(), "stdout must stay empty")
        .assert_stderr_contains(&format!("failsafe: no real `{tool}` found on PATH"));
}

/// PATH from a template: `{shims}`, `{bin}`, `{link}` (a symlink to the shim dir) and
/// `{root}` (the sandbox root).
fn path_from(sb: &Sandbox, template: &str) -> String {
    let link = sb.root.join("shims-link");
    if !link.exists() {
        symlink(&sb.shims, &link).unwrap();
    }
    template
        .replace("{shims}", &sb.shims.display().to_string())
        .replace("{bin}", &sb.bin.display().to_string())
        .replace("{link}", &link.display().to_string())
        .replace("{root}", &sb.root.display().to_string())
}

// These PATHs leave out /usr/bin, which holds a real kubectl on some machines.
#[rstest]
#[case::shim_dir_twice("{shims}:{shims}:{bin}")]
#[case::trailing_slash("{shims}/:{bin}")]
#[case::double_slash("{root}//shims:{shims}//:{bin}")]
#[case::dot_segments("{root}/shims/../shims:{bin}")]
#[case::symlinked_dir("{link}:{bin}")]
#[case::all_spellings_before_the_real_tool("{shims}:{link}:{shims}/:{root}//shims/:{link}/:{bin}")]
#[case::missing_dirs_between("{shims}:{root}/nowhere:{link}:/nonexistent:{bin}")]
fn any_spelling_of_the_shim_dir_is_skipped(#[case] template: &str) {
    let sb = Sandbox::new();
    let path = path_from(&sb, template);
    sb.tool("kubectl")
        .path_var(&path)
        .args(["get", "pods"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["get", "pods"]);
}

#[rstest]
#[case::only_shim_dirs("{shims}:{link}:{shims}/:{root}//shims")]
#[case::only_shims_and_missing_dirs("{shims}:{root}/nowhere:{link}")]
fn a_path_of_only_shims_never_loops(#[case] template: &str) {
    let sb = Sandbox::new();
    let path = path_from(&sb, template);
    sb.tool("kubectl")
        .path_var(&path)
        .args(["get", "pods"])
        .run()
        .assert_code(NOT_FOUND)
        .assert_not_ran("kubectl");
}

#[rstest]
#[case::kubectl("kubectl", &["version", "--client"])]
#[case::git("git", &["--version"])]
#[case::helm("helm", &["version"])]
#[case::terraform("terraform", &["version"])]
#[case::tofu("tofu", &["version"])]
#[case::aws("aws", &["--version"])]
fn every_guarded_tool_runs_a_harmless_command_in_read_mode(
    #[case] tool: &str,
    #[case] args: &[&str],
) {
    let sb = Sandbox::new();
    sb.tool(tool)
        .args(args)
        .run()
        .assert_code(0)
        .assert_ran(tool, args);
}

#[test]
fn a_real_tool_writing_into_a_closed_pipe_dies_quietly() {
    let sb = Sandbox::new();
    // `yes` never stops by itself: it ends only by SIGPIPE when head exits. With SIGPIPE
    // left ignored by the shim it would print "Broken pipe" and exit 1 instead.
    sb.script(&sb.bin.join("kubectl"), "#!/bin/sh\nexec /usr/bin/yes\n");
    let script = "kubectl get pods | head -1; echo \"kubectl died with ${PIPESTATUS[0]}\"";
    let run = sb.program("/bin/bash").args(["-c", script]).run();
    run.assert_code(0)
        .assert_stdout_eq("y\nkubectl died with 141\n")
        .assert_stderr_lacks("Broken pipe")
        .check(run.stderr().is_empty(), "nothing on stderr");
}

/// Whether SIGPIPE (13) is ignored, from a `SigIgn:` line of /proc/PID/status.
fn sigpipe_ignored(status: &str) -> Option<bool> {
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))?
        .trim();
    let mask = u64::from_str_radix(hex, 16).ok()?;
    Some(mask & (1 << (13 - 1)) != 0)
}

#[test]
fn sigpipe_reaches_the_real_tool_as_it_was() {
    let sb = Sandbox::new();
    // The stand-in prints its ignored-signal mask. Rust ignores SIGPIPE in its own
    // process; the real tool must get it back as its caller had it (default here).
    let script = "#!/bin/sh\nexec /usr/bin/grep '^SigIgn' /proc/self/status\n";
    sb.script(&sb.bin.join("kubectl"), script);
    let through = sb.tool("kubectl").args(["get", "pods"]).run();
    let direct = sb
        .program(sb.bin.join("kubectl"))
        .args(["get", "pods"])
        .run();
    through.assert_code(0);
    let (t, d) = (
        sigpipe_ignored(&through.stdout()),
        sigpipe_ignored(&direct.stdout()),
    );
    through.check(
        t.is_some() && t == d,
        format!("SIGPIPE ignored through the shim: {t:?}, started directly: {d:?}"),
    );
}

#[test]
fn a_real_tool_that_calls_the_shim_again_is_caught_as_a_loop() {
    let sb = Sandbox::new();
    // A "real" kubectl that runs the shim again: shim → tool → shim → … The depth
    // counter must stop this, with a refusal, not hang or recurse forever.
    sb.script(
        &sb.bin.join("kubectl"),
        &format!("#!/bin/sh\nexec {}/kubectl \"$@\"\n", sb.shims.display()),
    );
    let run = sb.tool("kubectl").args(["get", "pods"]).run();
    run.assert_code(BLOCKED)
        .check(run.output.stdout.is_empty(), "stdout must stay empty")
        .assert_stderr_contains("loop");
}

#[rstest]
#[case::empty_entry("{shims}::{bin}", true)]
#[case::dot_entry("{shims}:.:{bin}", true)]
#[case::relative_entry("{shims}:work:{bin}", true)]
#[case::empty_entry_no_real_tool("{shims}::", false)]
#[case::dot_entry_no_real_tool("{shims}:.", false)]
fn empty_and_relative_path_entries_are_never_used(#[case] template: &str, #[case] real: bool) {
    let sb = Sandbox::new();
    // A fake kubectl in the working directory: reachable only through an empty or
    // relative PATH entry, which an attacker could plant in a repository.
    let marker = sb.root.join("fake-kubectl-ran");
    sb.script(
        &sb.work.join("kubectl"),
        &format!("#!/bin/sh\n: > {}\nexit 0\n", marker.display()),
    );
    let path = path_from(&sb, template);
    // For the relative entry `work`, HOME is the cwd so that it names the fake's dir.
    let cwd = if template.contains(":work:") {
        sb.home.clone()
    } else {
        sb.work.clone()
    };
    let run = sb
        .tool("kubectl")
        .path_var(&path)
        .cwd(&cwd)
        .args(["get", "pods"])
        .run();
    run.check(
        !marker.exists(),
        "the fake kubectl from an empty or relative PATH entry ran",
    );
    if real {
        run.assert_code(0).assert_ran("kubectl", &["get", "pods"]);
    } else {
        run.assert_code(NOT_FOUND).assert_not_ran("kubectl");
    }
}

#[rstest]
#[case::with_a_real_frobnicate(true)]
#[case::without_one(false)]
fn unknown_name_is_refused_with_the_list_of_guarded_tools(#[case] real_exists: bool) {
    let sb = Sandbox::new();
    sb.shim("frobnicate");
    if real_exists {
        sb.stand_in("frobnicate", &Behaviour::new());
    }
    let run = sb.tool("frobnicate").arg("--all").run();
    run.assert_code(BLOCKED)
        .check(run.output.stdout.is_empty(), "stdout must stay empty")
        .assert_not_ran("frobnicate")
        .assert_stderr_contains("frobnicate");
    for tool in TOOLS {
        run.assert_stderr_contains(tool);
    }
}

#[test]
fn write_mode_lets_a_mutation_through() {
    let sb = Sandbox::new();
    sb.tool("kubectl")
        .args(["delete", "deploy", "x"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl");
    sb.failsafe()
        .args(["mode", "set", "rw"])
        .run()
        .assert_code(0);
    sb.tool("kubectl")
        .args(["delete", "deploy", "x"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "deploy", "x"]);
}

#[test]
fn a_user_policy_blocks_in_write_mode_too() {
    let sb = Sandbox::new();
    sb.write_mode();
    let policy = sb.user_policy("team.rego", USER_BLOCK);
    sb.tool("kubectl")
        .args(["delete", "forbidden-thing"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl")
        .assert_stderr_contains("write mode")
        .assert_stderr_contains("user.no-forbidden")
        .assert_stderr_contains(&policy.display().to_string());
    sb.tool("kubectl")
        .args(["delete", "deploy", "allowed-in-write-mode"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "deploy", "allowed-in-write-mode"]);
}

#[test]
fn tofu_is_parsed_as_terraform() {
    let sb = Sandbox::new();
    let v = sb.explain_json(&["tofu", "plan"]);
    assert_eq!(v["fact"]["tool"], "terraform", "fact: {v:#}");
    assert_eq!(v["fact"]["binary"], "tofu", "fact: {v:#}");
    assert_eq!(v["fact"]["verb"], "plan", "fact: {v:#}");
    assert_eq!(v["decision"], "allow", "tofu plan is a read: {v:#}");
}

#[rstest]
#[case::sh_c("sh -c 'kubectl delete ns payments'")]
#[case::eval("eval 'kube''ctl delete ns payments'")]
#[case::xargs("echo payments | xargs kubectl delete ns")]
#[case::variable("k=kubectl; $k delete ns payments")]
#[case::script_file("./deploy.sh")]
fn hidden_forms_still_reach_the_shim(#[case] script: &str) {
    let sb = Sandbox::new();
    sb.script(
        &sb.work.join("deploy.sh"),
        "#!/bin/sh\nkubectl delete ns payments\n",
    );
    let run = sb.sh(script).run();
    run.assert_not_ran("kubectl")
        .assert_stderr_contains("failsafe: blocked `kubectl delete ns payments`");
    // xargs reports a command that exited 1–125 as 123 and stops at 255; the others
    // pass 77 through.
    let expected = if script.contains("xargs") {
        123
    } else {
        BLOCKED
    };
    run.assert_code(expected);
}

#[test]
fn refusal_message_golden_text() {
    let sb = Sandbox::new();
    sb.write_mode();
    sb.user_policy("team.rego", USER_BLOCK);
    let run = sb.tool("kubectl").args(["delete", "forbidden-thing"]).run();
    run.assert_blocked();
    let text = run
        .stderr()
        .replace(&sb.root.display().to_string(), "[SANDBOX]");
    let golden = "\
failsafe: blocked `kubectl delete forbidden-thing`, write mode
  reason: the forbidden thing is forbidden
  rule:   user.no-forbidden at [SANDBOX]/config/policies/team.rego:5
  allow:  user policies apply in every mode; a human can change [SANDBOX]/config/policies/team.rego or add an allow_override in a later layer
  help:   see the whole decision with `failsafe explain -- kubectl delete forbidden-thing`
";
    run.check(
        text == golden,
        format!("the refusal wording changed; if on purpose, update the golden text\n---- expected:\n{golden}---- got:\n{text}"),
    );
}

/// The commands quoted in backticks on the refusal's `allow:` and `help:` lines.
fn suggested_commands(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("allow:") || l.starts_with("help:"))
        .flat_map(|l| {
            l.split('`')
                .skip(1)
                .step_by(2)
                .filter(|c| c.starts_with("failsafe "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_commands_a_refusal_suggests_work_when_pasted_in_another_terminal() {
    let sb = Sandbox::new();
    let run = sb
        .tool("kubectl")
        .args(["delete", "deploy", "payments"])
        .run();
    run.assert_blocked();
    let commands = suggested_commands(&run.stderr());
    let explain = commands.iter().find(|c| c.starts_with("failsafe explain"));
    let toggle = commands
        .iter()
        .find(|c| c.starts_with("failsafe mode set rw"));
    let (Some(explain), Some(toggle)) = (explain, toggle) else {
        run.fail(format!("the refusal should suggest `failsafe explain` and `failsafe mode set rw`, found {commands:?}"));
    };
    // The human's own terminal: no shims on PATH, and a pane of its own.
    let human = |command: &str| {
        sb.sh_plain(command)
            .env("FAILSAFE_PANE", "humans-terminal")
            .path_var(format!(
                "{}:{}",
                sb.root.join("human-bin").display(),
                sb.plain_path()
            ))
            .run()
    };
    std::fs::create_dir_all(sb.root.join("human-bin")).unwrap();
    symlink(crate::sandbox::exe(), sb.root.join("human-bin/failsafe")).unwrap();
    human(explain)
        .assert_code(1)
        .assert_stdout_contains("decision: block");
    human(toggle)
        .assert_code(0)
        .assert_stdout_contains("read → write");
    sb.tool("kubectl")
        .args(["delete", "deploy", "payments"])
        .run()
        .assert_code(0)
        .assert_ran("kubectl", &["delete", "deploy", "payments"]);
    // The human's own pane was not touched.
    human("failsafe mode get").assert_stdout_eq("read\n");
}

const GH_SPEC: &str = r#"tool = "gh"
description = "GitHub CLI"
style = "gnu"

[global]
value = ["repo"]
short = { R = "repo" }

[subverbs]
any = ["repo", "pr", "release"]
"#;

const GH_POLICY: &str = r#"package failsafe.user

import rego.v1

block contains {"id": "user.gh-no-repo-delete", "reason": "deleting a GitHub repository cannot be undone"} if {
	input.tool == "gh"
	input.verb == "repo"
	input.subverb == "delete"
}
"#;

#[test]
fn a_user_tool_spec_guards_one_more_tool() {
    let sb = Sandbox::new();
    sb.write(sb.config.join("tools/gh.toml"), GH_SPEC);
    sb.user_policy("gh.rego", GH_POLICY);
    sb.shim("gh");
    sb.stand_in("gh", &Behaviour::new());
    sb.tool("gh")
        .args(["pr", "list", "-R", "o/r"])
        .run()
        .assert_code(0)
        .assert_ran("gh", &["pr", "list", "-R", "o/r"]);
    sb.tool("gh")
        .args(["repo", "delete", "o/r", "--yes"])
        .run()
        .assert_blocked()
        .assert_not_ran("gh")
        .assert_stderr_contains("user.gh-no-repo-delete");
    let v = sb.explain_json(&["gh", "-R", "o/r", "repo", "delete"]);
    assert_eq!(v["fact"]["tool"], "gh", "{v:#}");
    assert_eq!(v["fact"]["subverb"], "delete", "{v:#}");
    assert_eq!(v["fact"]["flags"]["repo"], "o/r", "{v:#}");
    // It is listed and gets a shim from install-shims.
    sb.failsafe()
        .args(["tools", "list"])
        .run()
        .assert_code(0)
        .assert_stdout_contains("gh");
    let dir = sb.root.join("more-shims");
    sb.failsafe()
        .args(["install-shims", "--dir"])
        .arg(&dir)
        .run()
        .assert_code(0);
    assert!(
        dir.join("gh").exists(),
        "install-shims should shim user tools"
    );
}

#[test]
fn a_user_tool_spec_cannot_replace_a_builtin() {
    let sb = Sandbox::new();
    // A spec that claims kubectl and knows no verbs must not change how kubectl is read.
    let spec = "tool = \"kubectl\"\nstyle = \"gnu\"\n";
    let path = sb.write(sb.config.join("tools/kubectl.toml"), spec);
    sb.tool("kubectl")
        .args(["delete", "ns", "payments"])
        .run()
        .assert_blocked()
        .assert_not_ran("kubectl");
    let v = sb.explain_json(&["kubectl", "delete", "ns", "payments"]);
    assert_eq!(v["fact"]["verb"], "delete", "{v:#}");
    assert!(
        v["fact"]["kubectl"].is_object(),
        "the built-in enricher still runs: {v:#}"
    );
    sb.failsafe()
        .arg("validate")
        .arg(&path)
        .run()
        .assert_code(1);
}

#[test]
fn a_broken_user_tool_spec_refuses_its_tool() {
    let sb = Sandbox::new();
    let spec = sb.write(
        sb.config.join("tools/gh.toml"),
        "tool = \"gh\"\nstyle = \"sideways\"\n",
    );
    sb.shim("gh");
    sb.stand_in("gh", &Behaviour::new());
    sb.tool("gh")
        .args(["pr", "list"])
        .run()
        .assert_blocked()
        .assert_not_ran("gh")
        .assert_stderr_contains(&spec.display().to_string());
    // Built-in tools are not affected by it.
    sb.tool("kubectl")
        .args(["get", "pods"])
        .run()
        .assert_code(0);
}

#[test]
fn the_shim_becomes_the_real_tool_with_the_same_pid() {
    let sb = Sandbox::new();
    sb.script(&sb.bin.join("kubectl"), "#!/bin/sh\necho $$\n");
    // `$!` is the pid of the process the shell started (the shim); the tool prints its
    // own pid. With exec they are the same process.
    let run = sb.sh("kubectl get pods > tool.pid & echo $!; wait").run();
    run.assert_code(0);
    let tool_pid = std::fs::read_to_string(sb.work.join("tool.pid")).unwrap();
    run.check(
        run.stdout().trim() == tool_pid.trim(),
        format!(
            "the shim's pid differs from the tool's ({})",
            tool_pid.trim()
        ),
    );
}

#[rstest]
#[case::typed_by_name(false, "kubectl")]
#[case::typed_as_a_path(true, "{real}")]
fn the_real_tool_sees_the_typed_name_as_argv0(#[case] by_path: bool, #[case] want: &str) {
    let sb = Sandbox::new();
    sb.write_mode();
    // bash run with only `-c CMD` sets $0 to its own argv[0].
    let real = sb.bin.join("kubectl");
    std::fs::remove_file(&real).unwrap();
    symlink("/bin/bash", &real).unwrap();
    let program = if by_path {
        sb.shims.join("kubectl").display().to_string()
    } else {
        "kubectl".to_string()
    };
    let run = sb.program(program).args(["-c", "echo \"$0\""]).run();
    let want = want.replace("{real}", &real.display().to_string());
    run.assert_code(0).assert_stdout_eq(&format!("{want}\n"));
}
