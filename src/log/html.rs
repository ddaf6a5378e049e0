//! `failsafe report --format html`: one self-contained page.
//!
//! Inline CSS and inline SVG drawn here; no scripts, no fonts, no images, no links to
//! anything outside the file, so it can be mailed, attached to a ticket or opened
//! offline. Every piece of log text is HTML-escaped before it is placed. Pure.

use super::report::{short_time, Count, Summary, REFUSALS_SHOWN};
use std::fmt::Write as _;

const ALLOW: &str = "#2e7d32";
const BLOCK: &str = "#c62828";
const ASK: &str = "#ef8f00";
const OVERRIDE: &str = "#1565c0";

const STYLE: &str = "
:root{color-scheme:light;--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#fff;--panel:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
p.meta{color:var(--muted);margin:0 0 16px}
p.note{background:#fff8e1;border:1px solid #f0d98c;padding:6px 10px;border-radius:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}
.card span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 32px}
svg{display:block;max-width:100%;height:auto}
svg text{font:11px -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;fill:var(--fg)}
svg .axis{stroke:var(--line)}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
td.rule code,td.t{white-space:nowrap}
.env{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}
.env-prod{background:#b71c1c}.env-staging{background:#e65100}.env-dev{background:#2e7d32}.env-unknown{background:#607d8b}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
";

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shortens `text` to `max` characters with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max.saturating_sub(1)).collect();
        kept + "…"
    }
}

/// The whole page.
pub(crate) fn render(s: &Summary) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>failsafe report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>failsafe report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} decisions from {} to {} UTC (last {}); generated {} UTC.</p>",
        s.total,
        esc(&short_time(&s.from)),
        esc(&short_time(&s.to)),
        esc(&s.since),
        esc(&short_time(&s.generated))
    );
    if s.shared {
        out.push_str("<p class=\"note\">Shared copy: home paths, user names, account ids, ARNs, cluster and host names are replaced by placeholders.</p>\n");
    }
    out.push_str("<div class=\"cards\">");
    let _ = write!(
        out,
        "<div class=\"card\"><b>{}</b><span>decisions</span></div>",
        s.total
    );
    for c in &s.by_decision {
        let _ = write!(
            out,
            "<div class=\"card\" style=\"border-left:4px solid {}\"><b>{}</b><span>{}</span></div>",
            decision_colour(&c.key),
            c.count,
            esc(&c.key)
        );
    }
    out.push_str("</div>\n");
    escape_table(&mut out, s);
    changed_sections(&mut out, s);
    out.push_str("<h2>Decisions over time</h2>\n");
    out.push_str(&timeline_chart(s));
    out.push_str("<div class=\"grid\">\n<section>\n<h2>Top rules</h2>\n");
    out.push_str(&bar_chart(&s.by_rule, BLOCK, "No rule fired."));
    out.push_str("</section>\n<section>\n<h2>Top blocked commands</h2>\n");
    out.push_str(&bar_chart(&s.top_blocked, BLOCK, "Nothing was blocked."));
    out.push_str("</section>\n</div>\n<h2>Refusals, most dangerous first</h2>\n");
    refusal_table(&mut out, s);
    out.push_str("<div class=\"grid\">\n");
    for (title, counts) in [
        ("By target environment", &s.by_env),
        ("By tool", &s.by_tool),
        ("By verb", &s.by_verb),
    ] {
        let _ = writeln!(out, "<section>\n<h2>{title}</h2>");
        count_table(&mut out, counts);
        out.push_str("</section>\n");
    }
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn decision_colour(decision: &str) -> &'static str {
    match decision {
        "allow" => ALLOW,
        "block" => BLOCK,
        "ask" => ASK,
        _ => OVERRIDE,
    }
}

/// Stacked columns per hour or day: blocks at the bottom, then asks, overrides, allows.
fn timeline_chart(s: &Summary) -> String {
    let buckets = &s.timeline.buckets;
    if buckets.is_empty() {
        return "<p>No decisions in this period.</p>\n".to_string();
    }
    let (width, height, left, bottom, top) = (760.0_f64, 220.0_f64, 44.0, 28.0, 10.0);
    let plot_w = width - left - 8.0;
    let plot_h = height - bottom - top;
    let max = buckets
        .iter()
        .map(super::report::Bucket::total)
        .max()
        .unwrap_or(0)
        .max(1);
    let n = buckets.len() as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.8).max(1.0);
    let scale = |v: usize| v as f64 / max as f64 * plot_h;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"decisions per {}\">\n",
        s.timeline.bucket
    );
    for tick in [0, max / 2, max] {
        let y = top + plot_h - scale(tick);
        let _ = writeln!(
            svg,
            "<line class=\"axis\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            width - 8.0,
            left - 6.0,
            y + 4.0
        );
    }
    let label_every = (buckets.len() / 8).max(1);
    for (i, b) in buckets.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        let label = if s.timeline.bucket == "day" {
            b.start.get(..10).unwrap_or(&b.start).to_string()
        } else {
            short_time(&b.start)
        };
        for (value, colour, name) in [
            (b.block, BLOCK, "block"),
            (b.ask, ASK, "ask"),
            (b.overridden, OVERRIDE, "override"),
            (b.allow, ALLOW, "allow"),
        ] {
            if value == 0 {
                continue;
            }
            let h = scale(value);
            y -= h;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} — {value} {name}</title></rect>",
                esc(&label)
            );
        }
        if i % label_every == 0 {
            // Drop the year: `11-22` or `11-22 03:00`.
            let short = label.get(5..).unwrap_or(&label);
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                height - 8.0,
                esc(short)
            );
        }
    }
    svg.push_str("</svg>\n<div class=\"legend\">");
    for (name, colour) in [
        ("block", BLOCK),
        ("ask", ASK),
        ("override", OVERRIDE),
        ("allow", ALLOW),
    ] {
        let _ = write!(
            svg,
            "<span><i style=\"background:{colour}\"></i>{name}</span>"
        );
    }
    svg.push_str("</div>\n");
    svg
}

/// Horizontal bars for the ten largest counts.
fn bar_chart(counts: &[Count], colour: &str, empty: &str) -> String {
    let shown: Vec<&Count> = counts.iter().take(10).collect();
    if shown.is_empty() {
        return format!("<p>{}</p>\n", esc(empty));
    }
    let (width, row, label_w) = (420.0_f64, 22.0_f64, 230.0_f64);
    let height = row * shown.len() as f64 + 4.0;
    let max = shown.iter().map(|c| c.count).max().unwrap_or(1).max(1) as f64;
    let bar_room = width - label_w - 40.0;
    let mut svg = format!("<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\n");
    for (i, c) in shown.iter().enumerate() {
        let y = 2.0 + row * i as f64;
        let w = (c.count as f64 / max * bar_room).max(1.0);
        let _ = writeln!(
            svg,
            "<g><title>{}: {}</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\" rx=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(&c.key),
            c.count,
            label_w - 6.0,
            y + 14.0,
            esc(&clip(&c.key, 36)),
            y + 3.0,
            row - 6.0,
            label_w + w + 4.0,
            y + 14.0,
            c.count
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Decisions made under a moved config dir or pane id; absent when there are none.
/// A collapsible section: `title`, a header row and rows of already escaped cells.
fn details(out: &mut String, title: &str, open: bool, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(
        out,
        "<details{}><summary><h2 style=\"display:inline\">{} ({})</h2></summary>\n<table>\n<tr>{}</tr>",
        if open { " open" } else { "" },
        esc(title),
        rows.len(),
        header.iter().map(|h| format!("<th>{}</th>", esc(h))).collect::<String>()
    );
    for row in rows.iter().take(REFUSALS_SHOWN) {
        let _ = writeln!(
            out,
            "<tr>{}</tr>",
            row.iter()
                .map(|c| format!("<td>{c}</td>"))
                .collect::<String>()
        );
    }
    out.push_str("</table>\n</details>\n");
}

/// What changed, failsafe's own failures and the human actions, each collapsible.
fn changed_sections(out: &mut String, s: &Summary) {
    let code = |t: &str| format!("<code>{}</code>", esc(t));
    let rows: Vec<Vec<String>> = s
        .changes
        .iter()
        .map(|c| {
            vec![
                esc(&short_time(&c.time)),
                esc(&c.env),
                code(&c.command),
                esc(&c.target),
                esc(&c.pane),
                code(&c.cwd),
                esc(&c.mode),
                esc(&c.enabled_by),
            ]
        })
        .collect();
    details(
        out,
        "What changed",
        true,
        &[
            "time",
            "env",
            "command",
            "target",
            "pane",
            "cwd",
            "mode",
            "enabled by",
        ],
        &rows,
    );
    if !s.failures.is_empty() {
        let rows: Vec<Vec<String>> = s
            .failures
            .iter()
            .map(|f| {
                vec![
                    esc(&short_time(&f.time)),
                    code(&f.command),
                    esc(&f.pane),
                    code(&f.rule),
                    esc(&f.reason),
                ]
            })
            .collect();
        details(
            out,
            "failsafe's own failures",
            true,
            &["time", "command", "pane", "rule", "reason"],
            &rows,
        );
    }
    let rows: Vec<Vec<String>> = s
        .human_actions
        .iter()
        .map(|a| {
            vec![
                esc(&short_time(&a.time)),
                esc(&a.kind),
                esc(&a.what),
                esc(&a.pane),
            ]
        })
        .collect();
    details(
        out,
        "Human actions",
        false,
        &["time", "kind", "what", "pane"],
        &rows,
    );
}

fn escape_table(out: &mut String, s: &Summary) {
    if s.escapes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Outside the installed set-up</h2>\n<p class=\"note\">{} decision(s) were made under a config dir or pane id that an environment variable (<code>FAILSAFE_CONFIG_DIR</code>, <code>FAILSAFE_PANE</code>) moved away from the set-up the shims were installed for. Check who set the variable.</p>",
        s.escapes.len()
    );
    out.push_str("<table>\n<tr><th>time</th><th>decision</th><th>command</th><th>target</th><th>config dir used</th><th>pane</th><th>installed config dir</th></tr>\n");
    for e in s.escapes.iter().take(REFUSALS_SHOWN) {
        let pane = if e.pane_from.is_empty() {
            esc(&e.pane)
        } else {
            format!("{} (from {})", esc(&e.pane), esc(&e.pane_from))
        };
        let used = if e.config_dir.is_empty() {
            "(installed)".to_string()
        } else {
            format!("<code>{}</code>", esc(&e.config_dir))
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"t\">{}</td><td style=\"color:{}\">{}</td><td><code>{}</code></td><td>{}</td><td>{used}</td><td>{pane}</td><td><code>{}</code></td></tr>",
            esc(&short_time(&e.time)),
            decision_colour(&e.decision),
            esc(&e.decision),
            esc(&e.command),
            esc(&e.target),
            esc(&e.installed_config_dir)
        );
    }
    out.push_str("</table>\n");
}

fn refusal_table(out: &mut String, s: &Summary) {
    if s.refusals.is_empty() {
        out.push_str("<p>No command was blocked or held for approval.</p>\n");
        return;
    }
    out.push_str("<table>\n<tr><th>env</th><th>decision</th><th>command</th><th>target</th><th>rule</th><th class=\"n\">count</th><th>last</th></tr>\n");
    for r in s.refusals.iter().take(REFUSALS_SHOWN) {
        let env_class = match r.env.as_str() {
            "prod" | "staging" | "dev" => r.env.as_str(),
            _ => "unknown",
        };
        let _ = writeln!(
            out,
            "<tr><td><span class=\"env env-{env_class}\">{}</span></td><td style=\"color:{}\">{}</td><td><code>{}</code></td><td>{}</td><td class=\"rule\"><code>{}</code></td><td class=\"n\">{}</td><td class=\"t\">{}</td></tr>",
            esc(&r.env),
            decision_colour(&r.decision),
            esc(&r.decision),
            esc(&r.command),
            esc(&r.target),
            esc(&r.rule),
            r.count,
            esc(&short_time(&r.last))
        );
    }
    out.push_str("</table>\n");
    if s.refusals.len() > REFUSALS_SHOWN {
        let _ = writeln!(
            out,
            "<p>… and {} more (see <code>--format json</code>).</p>",
            s.refusals.len() - REFUSALS_SHOWN
        );
    }
}

fn count_table(out: &mut String, counts: &[Count]) {
    out.push_str("<table>\n");
    for c in counts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.key),
            c.count
        );
    }
    out.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{now, sample_records};
    use crate::log::{report_at, DecisionRecord, ReportFormat};
    use std::time::Duration;

    fn page(records: &[DecisionRecord]) -> String {
        report_at(
            records,
            now(),
            Duration::from_hours(168),
            ReportFormat::Html,
            None,
        )
    }

    #[test]
    fn page_is_self_contained() {
        let html = page(&sample_records());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
        for banned in [
            "<script", "<link", "src=", "href=", "@import", "url(", "<img", "<iframe",
        ] {
            assert!(!html.contains(banned), "{banned} in the page");
        }
        assert_eq!(
            html.matches("<svg").count(),
            3,
            "timeline, rules, blocked commands"
        );
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    }

    #[test]
    fn page_shows_charts_and_tables() {
        let html = page(&sample_records());
        for part in [
            "<h2>Decisions over time</h2>",
            "<h2>Top rules</h2>",
            "<h2>Top blocked commands</h2>",
            "<h2>Refusals, most dangerous first</h2>",
            "kubectl.mutating-verb: 2",
            "<span class=\"env env-prod\">prod</span>",
            "2026-11-21 — 2 block",
        ] {
            assert!(html.contains(part), "missing {part:?}");
        }
    }

    #[test]
    fn log_text_is_escaped() {
        let record = DecisionRecord {
            time: "2026-11-22T10:00:00.000000Z".into(),
            tool: "kubectl".into(),
            decision: "block".into(),
            argv: vec!["kubectl".into(), "<script>alert(1)</script>".into()],
            ..DecisionRecord::default()
        };
        let html = page(&[record]);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn escaping_and_clipping() {
        assert_eq!(esc("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
