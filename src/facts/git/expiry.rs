//! git expiry dates (`--prune=…`, `--expire=…`, `gc.pruneExpire`, `gc.reflogExpire`, …):
//! does a value make git drop unreachable objects, reflog entries or worktree records
//! *now*?
//!
//! git reads these with `parse_expiry_date` (date.c): exactly `never` or `false` keep
//! everything, exactly `all` or `now` drop everything, and anything else goes through
//! `approxidate_careful`, which accepts a zoo of forms — `2.weeks.ago`, `1 second ago`,
//! `yesterday`, `last.week`, `noon`, `5` (the 5th of this month, maybe tomorrow),
//! `2099-01-01` (the future: everything is older) — and silently ignores words it does
//! not know. Rather than port all of approxidate (several hundred lines that depend on
//! the local time zone), this reads only what is needed to answer one question safely:
//! - relative ages: a number (`2`, or `one`…`ten`, or `last`) followed by a unit
//!   (`second`…`year`, singular or plural, any case), repeated, with `ago` and
//!   separators (`.`, `_`, blanks) ignored — git always counts these backwards, with or
//!   without `ago`;
//! - `now` and `yesterday` in any case;
//! - absolute dates `YYYY-MM-DD` (optionally followed by a time; without one git keeps
//!   the current time of day), read as UTC;
//! - `@<seconds since the epoch>`.
//!
//! Everything else is [`Expiry::Unreadable`] and counts as immediate: failing closed
//! costs a read-mode refusal of an odd spelling, while guessing could let a prune of
//! today's work through. An expiry is **immediate** when it lies less than
//! [`MARGIN_SECS`] (one day) before now, or after now: objects made unreachable within
//! the last day are the work of the session the agent is in, and someone may still
//! want them back. Absolute dates get a second day of slack because git reads them in
//! the local time zone, which this does not know.
//!
//! Pure: `now` comes in as an argument; no I/O.

/// How far back an expiry must lie, at least, not to count as a prune of today's work.
pub const MARGIN_SECS: i64 = 24 * 60 * 60;

/// What one expiry value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// `never`/`false`: nothing expires.
    Never,
    /// `all`/`now`: everything expires.
    All,
    /// Everything older than this many seconds before now expires.
    Ago(i64),
    /// Everything older than this time (seconds since the epoch) expires.
    At(i64),
    /// A form this module does not read (git may still accept it).
    Unreadable,
}

const UNITS: &[(&str, i64)] = &[
    ("second", 1),
    ("minute", 60),
    ("hour", 60 * 60),
    ("day", 24 * 60 * 60),
    ("week", 7 * 24 * 60 * 60),
    // Calendar months and years are at least this long; only "at least a day" matters.
    ("month", 28 * 24 * 60 * 60),
    ("year", 365 * 24 * 60 * 60),
];

const NUMBER_NAMES: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// Reads one expiry value as git's `parse_expiry_date` would, at `now` (seconds since
/// the epoch: a date without a time keeps the current time of day, as in git).
pub fn parse(value: &str, now: i64) -> Expiry {
    // git compares these four exactly (case-sensitive, no blanks).
    match value {
        "never" | "false" => return Expiry::Never,
        "all" | "now" => return Expiry::All,
        _ => {}
    }
    let v = value.trim();
    if let Some(secs) = v.strip_prefix('@') {
        return secs.parse::<i64>().map_or(Expiry::Unreadable, Expiry::At);
    }
    if v.starts_with(|c: char| c.is_ascii_digit()) && v.get(4..5) == Some("-") {
        return absolute(v, now).map_or(Expiry::Unreadable, Expiry::At);
    }
    relative(v).map_or(Expiry::Unreadable, Expiry::Ago)
}

/// True when `value` makes git drop what became unreachable within the last day (or
/// everything), judged at `now` (seconds since the epoch).
pub fn is_immediate(value: &str, now: i64) -> bool {
    match parse(value, now) {
        Expiry::Never => false,
        Expiry::All | Expiry::Unreadable => true,
        Expiry::Ago(age) => age < MARGIN_SECS,
        Expiry::At(t) => t > now - 2 * MARGIN_SECS,
    }
}

/// `2.weeks.ago`, `1 hour`, `last.week`, `yesterday`, `now`, `3.days.5.hours.ago`.
fn relative(v: &str) -> Option<i64> {
    let lower = v.to_ascii_lowercase();
    let mut total: i64 = 0;
    let mut pending: Option<i64> = None;
    let mut words = 0;
    for word in lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        if word.chars().all(|c| c.is_ascii_digit()) {
            if pending.is_some() {
                return None;
            }
            pending = Some(word.parse::<i64>().ok()?);
            continue;
        }
        if !word.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        if let Some(n) = NUMBER_NAMES.iter().position(|n| *n == word) {
            if pending.is_some() {
                return None;
            }
            pending = Some(i64::try_from(n).ok()? + 1);
            continue;
        }
        match word {
            "ago" => continue,
            "last" if pending.is_none() => {
                pending = Some(1);
                continue;
            }
            "now" if pending.is_none() => continue,
            "yesterday" if pending.is_none() => {
                total = total.checked_add(MARGIN_SECS)?;
                continue;
            }
            _ => {}
        }
        let unit = UNITS
            .iter()
            .find(|(name, _)| word == *name || word.strip_suffix('s') == Some(name))?;
        // `weeks` with no number before it is ignored by git (it needs a count).
        let Some(n) = pending.take() else {
            continue;
        };
        total = total.checked_add(n.checked_mul(unit.1)?)?;
    }
    // A number left over is a day of the month or a year to git: not read here.
    (words > 0 && pending.is_none()).then_some(total)
}

/// `YYYY-MM-DD`, optionally followed by ` HH:MM[:SS]` or `THH:MM[:SS]`, as UTC; without
/// a time, git keeps the time of day of `now`.
fn absolute(v: &str, now: i64) -> Option<i64> {
    let (date, time) = match v.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (v, None),
    };
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * MARGIN_SECS;
    if let Some(t) = time {
        let mut hms = t.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let min: i64 = hms.next()?.parse().ok()?;
        let s: i64 = match hms.next() {
            Some(s) => s.parse().ok()?,
            None => 0,
        };
        if hms.next().is_some() || h > 23 || min > 59 || s > 60 {
            return None;
        }
        secs += h * 3600 + min * 60 + s;
    } else {
        secs += now.rem_euclid(MARGIN_SECS);
    }
    Some(secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const NOW: i64 = 1_796_400_000;

    #[rstest]
    #[case("never", Expiry::Never)]
    #[case("false", Expiry::Never)]
    #[case("all", Expiry::All)]
    #[case("now", Expiry::All)]
    #[case("NOW", Expiry::Ago(0))]
    #[case("2.weeks.ago", Expiry::Ago(14 * 86400))]
    #[case("2.weeks", Expiry::Ago(14 * 86400))]
    #[case("2 Weeks Ago", Expiry::Ago(14 * 86400))]
    #[case("1.second.ago", Expiry::Ago(1))]
    #[case("0.seconds.ago", Expiry::Ago(0))]
    #[case("ten.minutes.ago", Expiry::Ago(600))]
    #[case("last.week", Expiry::Ago(7 * 86400))]
    #[case("yesterday", Expiry::Ago(86400))]
    #[case("3.days.5.hours.ago", Expiry::Ago(3 * 86400 + 5 * 3600))]
    #[case("@1700000000", Expiry::At(1_700_000_000))]
    #[case("1970-01-02", Expiry::At(86400 + NOW % 86400))]
    #[case("2024-01-01 10:00", Expiry::At(1_704_103_200))]
    #[case("5", Expiry::Unreadable)]
    #[case("1.5.days", Expiry::Unreadable)]
    #[case("noon", Expiry::Unreadable)]
    #[case("banana", Expiry::Unreadable)]
    #[case("last.friday", Expiry::Unreadable)]
    #[case("", Expiry::Unreadable)]
    fn parses(#[case] value: &str, #[case] want: Expiry) {
        assert_eq!(parse(value, NOW), want, "{value}");
    }

    #[rstest]
    #[case("now", true)]
    #[case("all", true)]
    #[case("never", false)]
    #[case("1.second.ago", true)]
    #[case("23.hours.ago", true)]
    #[case("yesterday", false)]
    #[case("2.weeks.ago", false)]
    #[case("2099-01-01", true)]
    #[case("2024-01-01", false)]
    #[case("noon", true)]
    fn immediacy(#[case] value: &str, #[case] want: bool) {
        assert_eq!(is_immediate(value, NOW), want, "{value}");
    }
}
