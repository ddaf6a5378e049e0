//! Timestamps of the decision log: RFC 3339 in UTC with microseconds
//! (`2026-11-22T03:04:05.123456Z`), written and read with `humantime`.
//!
//! Never reads the clock except in [`now`], and never looks at time zones: the log is
//! always UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last microsecond RFC 3339 can write (9999-12-31T23:59:59.999999Z).
const MAX_MICROS: i64 = 253_402_300_800_000_000 - 1;

/// The current time as written into a record.
pub fn now() -> String {
    format_time(SystemTime::now())
}

/// Formats `t` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Times before 1970 are written as the
/// epoch and times after 9999 as its last microsecond (the log never holds either).
pub fn format_time(t: SystemTime) -> String {
    format_micros(micros_of(t))
}

/// Formats microseconds since the Unix epoch the same way as [`format_time`].
pub(crate) fn format_micros(micros: i64) -> String {
    let clamped = u64::try_from(micros.clamp(0, MAX_MICROS)).unwrap_or(0);
    humantime::format_rfc3339_micros(UNIX_EPOCH + Duration::from_micros(clamped)).to_string()
}

/// Reads a timestamp written by [`format_time`] (the fraction may have 0 to 9 digits)
/// back into microseconds since the epoch; `None` when it is not of that shape.
pub(crate) fn parse_micros(text: &str) -> Option<i64> {
    // Only the UTC form the log writes, `Z` and a `T` between date and time.
    if !text.ends_with('Z') || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    humantime::parse_rfc3339(text).ok().map(micros_of)
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

    /// The format written before humantime took over, byte for byte: every day of four
    /// centuries, at a time with microseconds.
    #[test]
    fn the_format_is_byte_identical_to_the_hand_written_one() {
        fn civil_from_days(days: i64) -> (i64, i64, i64) {
            let shifted = days + 719_468;
            let era = shifted.div_euclid(146_097);
            let doe = shifted.rem_euclid(146_097);
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let d = doy - (153 * mp + 2) / 5 + 1;
            let m = if mp < 10 { mp + 3 } else { mp - 9 };
            (yoe + era * 400 + i64::from(m <= 2), m, d)
        }
        for days in (0..146_097 + 1_000).step_by(7) {
            let micros = days * 86_400_000_000 + 45_296_123_456; // 12:34:56.123456
            let (y, m, d) = civil_from_days(days);
            let want = format!("{y:04}-{m:02}-{d:02}T12:34:56.123456Z");
            assert_eq!(format_micros(micros), want);
            assert_eq!(parse_micros(&want), Some(micros));
        }
        assert_eq!(format_micros(-5), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(i64::MAX), "9999-12-31T23:59:59.999999Z");
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
