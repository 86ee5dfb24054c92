//! Civil (proleptic Gregorian) dates from Unix time, and the time formats the crates print:
//! RFC 3339 in UTC, and digit strings in UTC or Korean time (UTC+9, no daylight saving).
//!
//! Times before 1970 are read as 1970-01-01T00:00:00Z (the crates only format current
//! times and never fail on a clock set back).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Korea's offset from UTC in seconds (KST, UTC+9, no daylight saving).
pub const KST_OFFSET_SECS: u64 = 9 * 3600;

/// Whether `year` is a leap year.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`; 0 for a month outside 1-12.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The date `days` days after 1970-01-01 (negative: before) as (year, month 1-12, day 1-31).
///
/// Howard Hinnant's `civil_from_days`, exact over the whole `i64` range the arithmetic
/// allows (years far beyond any date the crates meet).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Both are small and positive by construction (day 1-31, month 1-12).
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A moment broken into calendar and clock parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
    /// Hour, 0-23.
    pub hour: u64,
    /// Minute, 0-59.
    pub minute: u64,
    /// Second, 0-59.
    pub second: u64,
    /// Millisecond, 0-999.
    pub milli: u32,
}

impl Parts {
    /// `t` in UTC shifted by `offset_secs` (0 for UTC, [`KST_OFFSET_SECS`] for Korea).
    pub fn at(t: SystemTime, offset_secs: u64) -> Parts {
        let d = t
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .saturating_add(Duration::from_secs(offset_secs));
        let secs = d.as_secs();
        let (year, month, day) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
        let rem = secs % 86_400;
        Parts {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            milli: d.subsec_millis(),
        }
    }

    /// `yyyyMMdd`.
    pub fn date_digits(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `yyyyMMddHHmmssSSS`.
    pub fn digits(&self) -> String {
        format!(
            "{}{:02}{:02}{:02}{:03}",
            self.date_digits(),
            self.hour,
            self.minute,
            self.second,
            self.milli
        )
    }
}

/// `t` as RFC 3339 UTC with milliseconds, e.g. `2025-06-15T14:30:00.123Z`.
pub fn utc_rfc3339_millis(t: SystemTime) -> String {
    let p = Parts::at(t, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
    )
}

/// `t` as RFC 3339 UTC in whole seconds, e.g. `2026-11-23T00:00:00Z`.
pub fn utc_rfc3339_seconds(t: SystemTime) -> String {
    let p = Parts::at(t, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// UTC as `yyyyMMddHHmmssSSS` digits.
pub fn utc_digits(t: SystemTime) -> String {
    Parts::at(t, 0).digits()
}

/// Korean local time (UTC+9) as `yyyyMMddHHmmssSSS` digits.
pub fn kst_digits(t: SystemTime) -> String {
    Parts::at(t, KST_OFFSET_SECS).digits()
}

/// The date in Korea (UTC+9) as `yyyyMMdd`.
pub fn kst_date(t: SystemTime) -> String {
    Parts::at(t, KST_OFFSET_SECS).date_digits()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_millis(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn days_to_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // 2000-03-01 follows 29 February of a year divisible by 400.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut prev = civil_from_days(-1);
        for days in 0..146_097 {
            let (y, m, d) = civil_from_days(days);
            let expected = if prev.2 < days_in_month(prev.0, prev.1) {
                (prev.0, prev.1, prev.2 + 1)
            } else if prev.1 < 12 {
                (prev.0, prev.1 + 1, 1)
            } else {
                (prev.0 + 1, 1, 1)
            };
            assert_eq!((y, m, d), expected, "day {days}");
            prev = (y, m, d);
        }
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(is_leap(2000) && is_leap(2024) && !is_leap(1900) && !is_leap(2026));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 13), 0);
    }

    #[test]
    fn utc_time() {
        let t = at_millis(1_700_000_000_123);
        assert_eq!(utc_rfc3339_millis(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(utc_rfc3339_seconds(t), "2023-11-14T22:13:20Z");
        assert_eq!(utc_digits(t), "20231114221320123");
    }

    #[test]
    fn korean_time_is_nine_hours_ahead() {
        // 2023-11-14T22:13:20Z = 2023-11-15 07:13:20 KST
        let t = at_millis(1_700_000_000_000);
        assert_eq!(kst_digits(t), "20231115071320000");
        assert_eq!(kst_date(t), "20231115");
        // 14:59:59Z is still the same day in Korea, 15:00:00Z is the next.
        assert_eq!(kst_date(at_millis(1_795_445_999_000)), "20261123");
        assert_eq!(kst_date(at_millis(1_795_446_000_000)), "20261124");
    }

    #[test]
    fn times_before_1970_read_as_the_epoch() {
        let t = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(utc_rfc3339_seconds(t), "1970-01-01T00:00:00Z");
    }
}
