//! Timestamps of the decision log: RFC 3339 in UTC with microseconds
//! (`2026-11-22T03:04:05.123456Z`), written and read without a date library.
//!
//! Owns the conversion between `SystemTime` and the civil calendar (proleptic
//! Gregorian, the one RFC 3339 uses). Never reads the clock except in [`now`], and
//! never looks at time zones: the log is always UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MICROS_PER_SEC: i64 = 1_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// The current time as written into a record.
pub fn now() -> String {
    format_time(SystemTime::now())
}

/// Formats `t` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Times before 1970 are written as the
/// epoch (the log never holds them).
pub fn format_time(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let micros = i64::try_from(since.as_micros()).unwrap_or(i64::MAX);
    format_micros(micros)
}

/// Formats microseconds since the Unix epoch the same way as [`format_time`].
pub(crate) fn format_micros(micros: i64) -> String {
    let secs = micros.div_euclid(MICROS_PER_SEC);
    let frac = micros.rem_euclid(MICROS_PER_SEC);
    let days = secs.div_euclid(SECS_PER_DAY);
    let of_day = secs.rem_euclid(SECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Reads a timestamp written by [`format_time`] (the fraction may have 0 to 9 digits)
/// back into microseconds since the epoch; `None` when it is not of that shape.
pub(crate) fn parse_micros(text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z')?;
    let (date, clock) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: u32 = date_parts.next()?.parse().ok()?;
    let day: u32 = date_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut clock_parts = hms.splitn(3, ':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: i64 = clock_parts.next()?.parse().ok()?;
    if hour > 23 || minute > 59 || second > 60 || frac.len() > 9 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Keep the first six digits of the fraction, padded: "5" is 500000 µs.
    let micros_text: String = frac.chars().chain("000000".chars()).take(6).collect();
    let micros: i64 = micros_text.parse().ok()?;
    let days = days_from_civil(year, month, day);
    let secs = days * SECS_PER_DAY + hour * 3600 + minute * 60 + second;
    Some(secs * MICROS_PER_SEC + micros)
}

/// Microseconds since the epoch of `t` (0 before 1970).
pub(crate) fn micros_of(t: SystemTime) -> i64 {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

/// Microseconds in `d`, saturating.
pub(crate) fn micros_in(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Year, month (1–12) and day (1–31) of the day `days` after 1970-01-01.
///
/// The calendar repeats every 400 years (146 097 days), so the day is first placed in
/// such an era, counted from a 1 March so that the leap day falls at the end of the
/// year; months are then found with a linear formula over 153-day five-month blocks.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Days from 1970-01-01 to the given civil date; the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, "1970-01-01T00:00:00.000000Z")]
    #[case(951_782_400_000_000, "2000-02-29T00:00:00.000000Z")]
    #[case(1_700_000_000_123_456, "2023-11-14T22:13:20.123456Z")]
    #[case(1_795_316_645_123_456, "2026-11-22T03:04:05.123456Z")]
    #[case(4_107_542_399_999_999, "2100-02-28T23:59:59.999999Z")]
    #[case(4_107_542_400_000_000, "2100-03-01T00:00:00.000000Z")]
    fn formats_and_parses_back(#[case] micros: i64, #[case] text: &str) {
        assert_eq!(format_micros(micros), text);
        assert_eq!(parse_micros(text), Some(micros));
    }

    #[test]
    fn every_day_round_trips_for_four_centuries() {
        for days in -1_000..146_097 + 1_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn system_time_is_formatted_with_microseconds() {
        let t = UNIX_EPOCH + Duration::from_nanos(1_795_316_645_123_456_789);
        assert_eq!(format_time(t), "2026-11-22T03:04:05.123456Z");
        assert_eq!(now().len(), "2026-11-22T03:04:05.123456Z".len());
    }

    #[rstest]
    #[case("2026-11-22T03:04:05Z", Some(1_795_316_645_000_000))]
    #[case("2026-11-22T03:04:05.5Z", Some(1_795_316_645_500_000))]
    #[case("2026-11-22 03:04:05Z", None)]
    #[case("2026-13-22T03:04:05Z", None)]
    #[case("2026-11-22T03:04:05+01:00", None)]
    #[case("", None)]
    fn parses_only_utc_rfc3339(#[case] text: &str, #[case] want: Option<i64>) {
        assert_eq!(parse_micros(text), want);
    }
}
