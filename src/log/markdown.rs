//! `failsafe report --format md`: the summary as Markdown tables.
//!
//! Pure. Every piece of log text goes into a table cell through [`cell`], so a `|` or a
//! line break in a command cannot break the table.

use super::report::{short_time, Count, Summary, REFUSALS_SHOWN};
use std::fmt::Write as _;

/// A Markdown table cell: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn code(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("`{}`", cell(text).replace('`', "'"))
    }
}

fn count_table(out: &mut String, title: &str, column: &str, counts: &[Count]) {
    let _ = writeln!(out, "\n## {title}\n\n| {column} | count |\n|---|---:|");
    for c in counts {
        let _ = writeln!(out, "| {} | {} |", cell(&c.key), c.count);
    }
}

/// Decisions made under a moved config dir or pane id, first because someone should
/// look at them; absent when there are none.
fn escapes(out: &mut String, s: &Summary) {
    if s.escapes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## Outside the installed set-up\n\n{} decision(s) were made under a config dir or pane id that an environment variable (`FAILSAFE_CONFIG_DIR`, `FAILSAFE_PANE`) moved away from the set-up the shims were installed for: the policies and mode of that config dir decided them. Check who set the variable.\n\n| time | decision | command | target | config dir used | pane | installed config dir |\n|---|---|---|---|---|---|---|",
        s.escapes.len()
    );
    for e in s.escapes.iter().take(REFUSALS_SHOWN) {
        let pane = if e.pane_from.is_empty() {
            cell(&e.pane)
        } else {
            format!("{} (from {})", cell(&e.pane), e.pane_from)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {pane} | {} |",
            short_time(&e.time),
            cell(&e.decision),
            code(&e.command),
            cell(&e.target),
            if e.config_dir.is_empty() {
                "(installed)".to_string()
            } else {
                code(&e.config_dir)
            },
            code(&e.installed_config_dir),
        );
    }
    if s.escapes.len() > REFUSALS_SHOWN {
        let _ = writeln!(
            out,
            "\n… and {} more (see `--format json`).",
            s.escapes.len() - REFUSALS_SHOWN
        );
    }
}

/// "What changed?" and the human actions.
fn changed(out: &mut String, s: &Summary) {
    out.push_str("\n## What changed\n\n");
    if s.changes.is_empty() {
        out.push_str("No allowed command changed anything (no write-mode change, nothing allowed on prod).\n");
    } else {
        out.push_str("| time | env | command | target | pane | cwd | mode | enabled by |\n|---|---|---|---|---|---|---|---|\n");
        for c in s.changes.iter().take(REFUSALS_SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                short_time(&c.time),
                cell(&c.env),
                code(&c.command),
                cell(&c.target),
                cell(&c.pane),
                cell(&c.cwd),
                c.mode,
                cell(&c.enabled_by)
            );
        }
    }
    if !s.failures.is_empty() {
        out.push_str("\n## failsafe's own failures\n\nThese were refused because failsafe could not check something; a human must fix the cause.\n\n| time | command | pane | rule | reason |\n|---|---|---|---|---|\n");
        for f in s.failures.iter().take(REFUSALS_SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                short_time(&f.time),
                code(&f.command),
                cell(&f.pane),
                code(&f.rule),
                cell(&f.reason)
            );
        }
    }
    if !s.human_actions.is_empty() {
        out.push_str("\n## Human actions\n\n| time | kind | what | pane |\n|---|---|---|---|\n");
        for a in s.human_actions.iter().take(REFUSALS_SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                short_time(&a.time),
                a.kind,
                cell(&a.what),
                cell(&a.pane)
            );
        }
    }
}

/// The whole report.
pub(crate) fn render(s: &Summary) -> String {
    let mut out = String::from("# failsafe report\n\n");
    let _ = writeln!(
        out,
        "{} decisions from {} to {} UTC (last {}).",
        s.total,
        short_time(&s.from),
        short_time(&s.to),
        s.since
    );
    if s.shared {
        out.push_str("\nShared copy: home paths, user names, account ids, ARNs, cluster and host names are replaced by placeholders.\n");
    }
    escapes(&mut out, s);
    changed(&mut out, s);
    count_table(&mut out, "Decisions", "decision", &s.by_decision);
    out.push_str("\n## Refusals, most dangerous first\n\n");
    if s.refusals.is_empty() {
        out.push_str("No command was blocked or held for approval.\n");
    } else {
        out.push_str("| env | decision | command | target | rule | count | last |\n|---|---|---|---|---|---:|---|\n");
        for r in s.refusals.iter().take(REFUSALS_SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.env,
                r.decision,
                code(&r.command),
                cell(&r.target),
                code(&r.rule),
                r.count,
                short_time(&r.last)
            );
        }
        if s.refusals.len() > REFUSALS_SHOWN {
            let _ = writeln!(
                out,
                "\n… and {} more (see `--format json`).",
                s.refusals.len() - REFUSALS_SHOWN
            );
        }
    }
    count_table(&mut out, "By target environment", "env", &s.by_env);
    count_table(&mut out, "By tool", "tool", &s.by_tool);
    count_table(&mut out, "By verb", "verb", &s.by_verb);
    count_table(&mut out, "By rule", "rule", &s.by_rule);
    let _ = writeln!(
        out,
        "\n## Timeline (per {})\n\n| {} | allow | block | ask | override |\n|---|---:|---:|---:|---:|",
        s.timeline.bucket, s.timeline.bucket
    );
    for b in s.timeline.buckets.iter().filter(|b| b.total() > 0) {
        let period = if s.timeline.bucket == "day" {
            b.start.get(..10).unwrap_or(&b.start).to_string()
        } else {
            short_time(&b.start)
        };
        let _ = writeln!(
            out,
            "| {period} | {} | {} | {} | {} |",
            b.allow, b.block, b.ask, b.overridden
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::log::fixtures::{now, rec, sample_records};
    use crate::log::{report_at, ReportFormat};
    use std::time::Duration;

    #[test]
    fn markdown_has_every_section() {
        let md = report_at(
            &sample_records(),
            now(),
            Duration::from_hours(168),
            ReportFormat::Md,
            None,
        );
        for part in [
            "# failsafe report",
            "7 decisions from 2026-11-15 12:00 to 2026-11-22 12:00 UTC (last 1w).",
            "| block | 4 |",
            "## Refusals, most dangerous first",
            "| prod | block | `kubectl --context prod-eks-payments",
            "| `kubectl.mutating-verb` | 2 | 2026-11-21 11:00 |",
            "## By target environment",
            "## By tool",
            "## By verb",
            "## By rule",
            "## Timeline (per day)",
            "| 2026-11-21 | 0 | 2 | 0 | 0 |",
        ] {
            assert!(md.contains(part), "missing {part:?} in\n{md}");
        }
        assert!(!md.contains("delete ns old"), "outside the window");
        let refusals = md.find("## Refusals").unwrap_or(0);
        let staging = md.find("| staging | ask |").unwrap_or(0);
        let unknown = md.find("| unknown | block |").unwrap_or(0);
        assert!(refusals < staging && staging < unknown);
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        let mut r = rec(
            "22T10:00",
            "block",
            "kubectl x",
            ("prod", "a|b", "cluster"),
            "r",
            "/",
        );
        r.argv = vec!["kubectl".into(), "get".into(), "a|b`c".into()];
        let md = report_at(&[r], now(), Duration::from_hours(5), ReportFormat::Md, None);
        assert!(
            md.contains("| `kubectl get 'a\\|b'c'` | prod:a\\|b |"),
            "{md}"
        );
        assert!(!md.contains("a|b"));
    }
}
