//! `failsafe report`: a summary of the decision log over a time window, as Markdown,
//! JSON or one self-contained HTML page.
//!
//! Owns the counting (by decision, target environment, tool, verb, rule), the ranking
//! of refusals by danger and the timeline. Pure: the caller reads the records and
//! prints the result; nothing here touches files. The HTML lives in `html`, the
//! scrubbing for `--share` in `share`.

use super::render::{command_line, target_label};
use super::share::Scrubber;
use super::time::{format_micros, micros_in, micros_of, parse_micros};
use super::{html, markdown, DecisionRecord, LogError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

/// Output format of `failsafe report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown tables (`md`), the default.
    Md,
    /// One pretty-printed JSON document (`json`).
    Json,
    /// One self-contained HTML page with inline CSS and SVG charts (`html`).
    Html,
}

impl FromStr for ReportFormat {
    type Err = String;

    /// `md` (or `markdown`), `json`, `html`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "md" | "markdown" => Ok(ReportFormat::Md),
            "json" => Ok(ReportFormat::Json),
            "html" => Ok(ReportFormat::Html),
            other => Err(format!(
                "unknown report format `{other}`: expected md, json or html"
            )),
        }
    }
}

/// Environments from most to least dangerous; the order refusals are listed in.
const ENVS: [&str; 4] = crate::facts::target::Env::NAMES;
/// Decisions in the order they are shown.
const DECISIONS: [&str; 4] = ["block", "ask", "override", "allow"];
/// Rows of the refusal table in Markdown and HTML (JSON has them all).
pub(crate) const REFUSALS_SHOWN: usize = 25;

const MICROS_PER_HOUR: i64 = 3_600_000_000;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;
/// Above this many timeline buckets the window starts at the first record instead.
const MAX_BUCKETS: i64 = 2_000;

/// Reads `--since`: a duration as `humantime` reads it (`30m`, `24h`, `7d`, `2w`,
/// `1h 30m`).
///
/// # Errors
/// [`LogError::BadSince`] for anything else.
pub fn parse_since(text: &str) -> Result<Duration, LogError> {
    humantime::parse_duration(text.trim()).map_err(|_| LogError::BadSince {
        value: text.to_string(),
    })
}

/// `since` in the largest unit that divides it evenly: `7d`, `36h`, `90s`.
fn format_since(since: Duration) -> String {
    let secs = since.as_secs();
    [(604_800, "w"), (86_400, "d"), (3_600, "h"), (60, "m")]
        .iter()
        .find(|(unit, _)| secs > 0 && secs.is_multiple_of(*unit))
        .map_or_else(
            || format!("{secs}s"),
            |(unit, name)| format!("{}{name}", secs / unit),
        )
}

/// The report over the records of the last `since`, as of now; with `share`, scrubbed
/// with a [`Scrubber`] built from this process's `$HOME`, `$USER` and `$LOGNAME`.
/// Records whose time cannot be read are left out.
pub fn report(
    records: &[DecisionRecord],
    since: Duration,
    format: ReportFormat,
    share: bool,
) -> String {
    let scrubber = share.then(Scrubber::from_env);
    report_at(records, SystemTime::now(), since, format, scrubber.as_ref())
}

/// [`report`] with the clock and the scrubber given: what tests and the screenshot
/// test use to get a reproducible page.
pub fn report_at(
    records: &[DecisionRecord],
    now: SystemTime,
    since: Duration,
    format: ReportFormat,
    scrubber: Option<&Scrubber>,
) -> String {
    let to = micros_of(now);
    let from = to.saturating_sub(micros_in(since));
    let window: Vec<DecisionRecord> = records
        .iter()
        .filter(|r| parse_micros(&r.time).is_some_and(|t| t >= from))
        .cloned()
        .collect();
    let window = match scrubber {
        Some(s) => s.scrub(&window),
        None => window,
    };
    let changes = super::changes::changes(&window);
    let human_actions = super::changes::actions(&window);
    let failures = super::changes::failures(&window);
    let decisions: Vec<DecisionRecord> =
        window.into_iter().filter(|r| r.action.is_none()).collect();
    let mut summary = Summary::build(&decisions, from, to, since, scrubber.is_some());
    summary.changes = changes;
    summary.human_actions = human_actions;
    summary.failures = failures;
    match format {
        ReportFormat::Md => markdown::render(&summary),
        ReportFormat::Json => serde_json::to_string_pretty(&summary)
            .map_or_else(|e| format!("{{\"error\":\"{e}\"}}\n"), |s| s + "\n"),
        ReportFormat::Html => html::render(&summary),
    }
}

/// Everything a report shows; serialised as-is for `--format json`.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub(crate) generated: String,
    pub(crate) since: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) shared: bool,
    pub(crate) total: usize,
    pub(crate) by_decision: Vec<Count>,
    pub(crate) by_env: Vec<Count>,
    pub(crate) by_tool: Vec<Count>,
    pub(crate) by_verb: Vec<Count>,
    pub(crate) by_rule: Vec<Count>,
    /// Blocks and asks grouped by command, most dangerous first.
    pub(crate) refusals: Vec<Refusal>,
    /// Blocked commands, most frequent first (at most 10).
    pub(crate) top_blocked: Vec<Count>,
    pub(crate) timeline: Timeline,
    /// Decisions made under a config dir or pane id an environment variable moved away
    /// from the installed set-up, newest first.
    pub(crate) escapes: Vec<EscapeRow>,
    /// Allowed commands that changed something, most dangerous target first.
    pub(crate) changes: Vec<super::changes::ChangeRow>,
    /// Mode changes, trust changes, approval steps, lockdowns, newest first.
    pub(crate) human_actions: Vec<super::changes::ActionRow>,
    /// Commands refused because failsafe itself could not check something.
    pub(crate) failures: Vec<super::changes::FailureRow>,
}

/// One decision made outside the installed set-up (a record with `escape`).
#[derive(Debug, Serialize)]
pub(crate) struct EscapeRow {
    pub(crate) time: String,
    pub(crate) decision: String,
    pub(crate) command: String,
    pub(crate) target: String,
    /// The config dir the decision was made under, when it was moved; `""` otherwise.
    pub(crate) config_dir: String,
    /// `FAILSAFE_PANE` when that variable moved the pane id; `""` otherwise.
    pub(crate) pane_from: String,
    /// The pane id the decision was made under.
    pub(crate) pane: String,
    /// The config dir the shims were installed for.
    pub(crate) installed_config_dir: String,
}

/// A key and how often it occurred.
#[derive(Debug, Serialize)]
pub(crate) struct Count {
    pub(crate) key: String,
    pub(crate) count: usize,
}

/// Identical refusals of one command on one target.
#[derive(Debug, Serialize)]
pub(crate) struct Refusal {
    pub(crate) env: String,
    pub(crate) decision: String,
    pub(crate) command: String,
    pub(crate) target: String,
    pub(crate) rule: String,
    pub(crate) count: usize,
    pub(crate) last: String,
}

/// Decisions per hour (windows up to two days) or per day.
#[derive(Debug, Serialize)]
pub(crate) struct Timeline {
    pub(crate) bucket: &'static str,
    pub(crate) buckets: Vec<Bucket>,
}

/// One period of the timeline.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Bucket {
    pub(crate) start: String,
    pub(crate) allow: usize,
    pub(crate) block: usize,
    pub(crate) ask: usize,
    #[serde(rename = "override")]
    pub(crate) overridden: usize,
}

impl Bucket {
    pub(crate) fn total(&self) -> usize {
        self.allow + self.block + self.ask + self.overridden
    }
}

/// Env rank, decision rank, command, target, first rule.
type RefusalKey = (usize, usize, String, String, String);

fn env_of(record: &DecisionRecord) -> &str {
    match record.target.env.as_str() {
        "" => "unknown",
        env => env,
    }
}

fn rank(list: &[&str], key: &str) -> usize {
    list.iter().position(|k| *k == key).unwrap_or(list.len())
}

/// Counts sorted by count (descending), then key.
fn ranked(counts: HashMap<String, usize>) -> Vec<Count> {
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    list
}

/// Counts in a fixed order of keys, zeros included, then any unexpected keys.
fn fixed(order: &[&str], mut counts: HashMap<String, usize>) -> Vec<Count> {
    let mut list: Vec<Count> = order
        .iter()
        .map(|key| Count {
            key: (*key).to_string(),
            count: counts.remove(*key).unwrap_or(0),
        })
        .collect();
    list.extend(ranked(counts));
    list
}

impl Summary {
    fn build(
        records: &[DecisionRecord],
        from: i64,
        to: i64,
        since: Duration,
        shared: bool,
    ) -> Summary {
        let mut by_decision = HashMap::new();
        let mut by_env = HashMap::new();
        let mut by_tool = HashMap::new();
        let mut by_verb = HashMap::new();
        let mut by_rule = HashMap::new();
        let mut blocked = HashMap::new();
        let mut refusals: BTreeMap<RefusalKey, (usize, String)> = BTreeMap::new();
        for r in records {
            *by_decision.entry(r.decision.clone()).or_insert(0) += 1;
            *by_env.entry(env_of(r).to_string()).or_insert(0) += 1;
            *by_tool.entry(r.tool.clone()).or_insert(0) += 1;
            let verb: Vec<&str> = [&r.tool, &r.verb, &r.subverb]
                .into_iter()
                .map(String::as_str)
                .filter(|w| !w.is_empty())
                .collect();
            *by_verb.entry(verb.join(" ")).or_insert(0) += 1;
            let rules: BTreeSet<&str> = r.reasons.iter().map(|x| x.id.as_str()).collect();
            for rule in rules.into_iter().filter(|id| !id.is_empty()) {
                *by_rule.entry(rule.to_string()).or_insert(0) += 1;
            }
            if r.decision == "block" || r.decision == "ask" {
                let command = command_line(r);
                if r.decision == "block" {
                    *blocked.entry(command.clone()).or_insert(0) += 1;
                }
                let rule = r.reasons.first().map_or_else(String::new, |x| x.id.clone());
                let key = (
                    rank(&ENVS, env_of(r)),
                    rank(&DECISIONS, &r.decision),
                    command,
                    target_label(r),
                    rule,
                );
                let entry = refusals.entry(key).or_insert((0, String::new()));
                entry.0 += 1;
                if r.time > entry.1 {
                    entry.1.clone_from(&r.time);
                }
            }
        }
        let mut refusals: Vec<Refusal> = refusals
            .into_iter()
            .map(
                |((env, decision, command, target, rule), (count, last))| Refusal {
                    env: ENVS.get(env).map_or("other", |e| *e).to_string(),
                    decision: DECISIONS.get(decision).map_or("other", |d| *d).to_string(),
                    command,
                    target,
                    rule,
                    count,
                    last,
                },
            )
            .collect();
        refusals.sort_by(|a, b| {
            (rank(&ENVS, &a.env), rank(&DECISIONS, &a.decision))
                .cmp(&(rank(&ENVS, &b.env), rank(&DECISIONS, &b.decision)))
                .then_with(|| b.count.cmp(&a.count))
                .then_with(|| b.last.cmp(&a.last))
        });
        let mut top_blocked = ranked(blocked);
        top_blocked.truncate(10);
        let mut escapes: Vec<EscapeRow> = records
            .iter()
            .filter_map(|r| {
                let e = r.escape.as_ref()?;
                Some(EscapeRow {
                    time: r.time.clone(),
                    decision: r.decision.clone(),
                    command: command_line(r),
                    target: target_label(r),
                    config_dir: e.config_dir.clone(),
                    pane_from: e.pane_from.clone(),
                    pane: r.pane.clone(),
                    installed_config_dir: e.installed_config_dir.clone(),
                })
            })
            .collect();
        escapes.sort_by(|a, b| b.time.cmp(&a.time));
        Summary {
            generated: format_micros(to),
            since: format_since(since),
            from: format_micros(from),
            to: format_micros(to),
            shared,
            total: records.len(),
            by_decision: fixed(&DECISIONS, by_decision),
            by_env: fixed(&ENVS, by_env),
            by_tool: ranked(by_tool),
            by_verb: ranked(by_verb),
            by_rule: ranked(by_rule),
            refusals,
            top_blocked,
            timeline: timeline(records, from, to, since),
            escapes,
            changes: Vec::new(),
            human_actions: Vec::new(),
            failures: Vec::new(),
        }
    }
}

fn timeline(records: &[DecisionRecord], from: i64, to: i64, since: Duration) -> Timeline {
    let (name, size) = if since <= Duration::from_hours(48) {
        ("hour", MICROS_PER_HOUR)
    } else {
        ("day", MICROS_PER_DAY)
    };
    let times: Vec<(i64, &str)> = records
        .iter()
        .filter_map(|r| Some((parse_micros(&r.time)?, r.decision.as_str())))
        .collect();
    let Some(first) = times.iter().map(|(t, _)| *t).min() else {
        return Timeline {
            bucket: name,
            buckets: Vec::new(),
        };
    };
    let last = times.iter().map(|(t, _)| *t).max().unwrap_or(to).max(to);
    let mut start = from.div_euclid(size) * size;
    if (last - start) / size > MAX_BUCKETS {
        start = first.div_euclid(size) * size;
    }
    let count = usize::try_from((last - start) / size + 1).unwrap_or(0);
    let mut buckets: Vec<Bucket> = (0..count)
        .map(|i| Bucket {
            start: format_micros(start + size * i64::try_from(i).unwrap_or(0)),
            ..Bucket::default()
        })
        .collect();
    for (t, decision) in times {
        let index = usize::try_from((t - start).div_euclid(size)).ok();
        if let Some(bucket) = index.and_then(|i| buckets.get_mut(i)) {
            match decision {
                "allow" => bucket.allow += 1,
                "block" => bucket.block += 1,
                "ask" => bucket.ask += 1,
                "override" => bucket.overridden += 1,
                _ => {}
            }
        }
    }
    Timeline {
        bucket: name,
        buckets,
    }
}

/// `2026-11-22T03:04:05.123456Z` → `2026-11-22 03:04`.
pub(crate) fn short_time(time: &str) -> String {
    time.get(..16).unwrap_or(time).replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{now, sample_records};
    use rstest::rstest;

    fn json_report(records: &[DecisionRecord]) -> Result<serde_json::Value, serde_json::Error> {
        let text = report_at(
            records,
            now(),
            Duration::from_hours(168),
            ReportFormat::Json,
            None,
        );
        serde_json::from_str(&text)
    }

    #[rstest]
    #[case("30m", 1_800)]
    #[case("24h", 86_400)]
    #[case("7d", 604_800)]
    #[case("2w", 1_209_600)]
    #[case("90s", 90)]
    #[case("1h 30m", 5_400)]
    fn since_values(#[case] text: &str, #[case] secs: u64) -> Result<(), LogError> {
        assert_eq!(parse_since(text)?, Duration::from_secs(secs));
        assert_eq!(
            parse_since(&format_since(Duration::from_secs(secs)))?,
            Duration::from_secs(secs)
        );
        Ok(())
    }

    #[rstest]
    #[case("")]
    #[case("7")]
    #[case("d")]
    #[case("7 parsecs")]
    #[case("-1d")]
    #[case("99999999999999999999w")]
    fn bad_since_values(#[case] text: &str) {
        assert!(
            matches!(parse_since(text), Err(LogError::BadSince { .. })),
            "{text}"
        );
    }

    #[test]
    fn counts_only_the_window() -> Result<(), serde_json::Error> {
        let v = json_report(&sample_records())?;
        assert_eq!(v["total"], 7);
        assert_eq!(v["since"], "1w");
        let pairs = |field: &str| -> Vec<(String, u64)> {
            v[field]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    (
                        c["key"].as_str().unwrap_or("").to_string(),
                        c["count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        };
        let owned = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
            list.iter().map(|(k, n)| ((*k).to_string(), *n)).collect()
        };
        assert_eq!(
            pairs("by_decision"),
            owned(&[("block", 4), ("ask", 1), ("override", 1), ("allow", 1)])
        );
        assert_eq!(
            pairs("by_env"),
            owned(&[("prod", 3), ("staging", 2), ("dev", 1), ("unknown", 1)])
        );
        assert_eq!(pairs("by_tool").first(), Some(&("kubectl".to_string(), 3)));
        assert_eq!(
            pairs("by_verb").first(),
            Some(&("kubectl delete".to_string(), 2))
        );
        assert_eq!(
            pairs("by_rule").first(),
            Some(&("kubectl.mutating-verb".to_string(), 2))
        );
        Ok(())
    }

    #[test]
    fn refusals_are_ranked_by_danger() -> Result<(), serde_json::Error> {
        let v = json_report(&sample_records())?;
        let rows: Vec<(String, String, u64)> = v["refusals"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
                (s("env"), s("decision"), r["count"].as_u64().unwrap_or(0))
            })
            .collect();
        let want = [
            ("prod", "block", 2),
            ("prod", "block", 1),
            ("staging", "ask", 1),
            ("unknown", "block", 1),
        ];
        let want: Vec<(String, String, u64)> = want
            .iter()
            .map(|(e, d, n)| ((*e).into(), (*d).into(), *n))
            .collect();
        assert_eq!(rows, want);
        assert_eq!(v["refusals"][0]["rule"], "kubectl.mutating-verb");
        assert_eq!(v["refusals"][0]["last"], "2026-11-21T11:00:00.000000Z");
        assert!(v["refusals"][1]["command"]
            .as_str()
            .unwrap_or("")
            .starts_with("aws iam delete-role"));
        assert_eq!(v["top_blocked"][0]["count"], 2);
        Ok(())
    }

    #[test]
    fn timeline_has_a_bucket_per_day_of_the_window() -> Result<(), serde_json::Error> {
        let v = json_report(&sample_records())?;
        assert_eq!(v["timeline"]["bucket"], "day");
        let buckets = v["timeline"]["buckets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(buckets.len(), 8, "{buckets:?}");
        let last = buckets.last().cloned().unwrap_or_default();
        assert_eq!(last["start"], "2026-11-22T00:00:00.000000Z");
        assert_eq!(
            (
                last["block"].as_u64(),
                last["ask"].as_u64(),
                last["override"].as_u64()
            ),
            (Some(2), Some(1), Some(1))
        );
        let hourly = report_at(
            &sample_records(),
            now(),
            Duration::from_hours(24),
            ReportFormat::Json,
            None,
        );
        let v: serde_json::Value = serde_json::from_str(&hourly)?;
        assert_eq!(v["timeline"]["bucket"], "hour");
        assert_eq!(v["timeline"]["buckets"].as_array().map(Vec::len), Some(25));
        Ok(())
    }

    #[test]
    fn an_empty_log_still_reports() {
        for format in [ReportFormat::Md, ReportFormat::Json, ReportFormat::Html] {
            let text = report_at(&[], now(), Duration::from_hours(168), format, None);
            assert!(!text.is_empty());
        }
        let md = report_at(
            &[],
            now(),
            Duration::from_hours(168),
            ReportFormat::Md,
            None,
        );
        assert!(md.contains("No command was blocked"));
    }

    #[rstest]
    #[case("md", ReportFormat::Md)]
    #[case("markdown", ReportFormat::Md)]
    #[case("json", ReportFormat::Json)]
    #[case("html", ReportFormat::Html)]
    fn formats_parse(#[case] text: &str, #[case] want: ReportFormat) {
        assert_eq!(text.parse::<ReportFormat>(), Ok(want));
        assert!("pdf".parse::<ReportFormat>().is_err());
    }
}
