//! A clock the tests can move by hand.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// The mock's notion of "now", shared by every clone: either the system clock or a manual
/// clock that only moves when [`Clock::advance`] is called. Token lifetimes and the
/// result-inquiry budget are measured on it, so tests never sleep.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    /// `None`: the system clock; `Some(t)`: a manual clock started at `t`.
    base: Option<SystemTime>,
    /// Added to the base by [`Clock::advance`].
    offset: Duration,
}

impl Clock {
    /// The system clock (plus whatever [`Clock::advance`] adds).
    pub fn system() -> Clock {
        Clock {
            inner: Arc::new(Mutex::new(State {
                base: None,
                offset: Duration::ZERO,
            })),
        }
    }

    /// A manual clock standing at `start` until advanced.
    pub fn manual(start: SystemTime) -> Clock {
        Clock {
            inner: Arc::new(Mutex::new(State {
                base: Some(start),
                offset: Duration::ZERO,
            })),
        }
    }

    /// Moves the clock forward (every clone sees it).
    pub fn advance(&self, by: Duration) {
        let mut s = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        s.offset = s.offset.saturating_add(by);
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        let s = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let base = s.base.unwrap_or_else(SystemTime::now);
        base.checked_add(s.offset).unwrap_or(base)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

/// Korean local time (UTC+9) as `yyyyMMddHHmmssSSS` digits.
pub(crate) fn kst_digits(t: SystemTime) -> String {
    let d = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let ms = d.as_millis() as u64 + 9 * 3600 * 1000;
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, dd) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{dd:02}{:02}{:02}{:02}{:03}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        ms % 1000
    )
}

/// `t` as RFC 3339 UTC with milliseconds, e.g. `2025-06-15T14:30:00.123Z`.
pub(crate) fn utc_rfc3339(t: SystemTime) -> String {
    let d = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let secs = d.as_secs();
    let (y, m, dd) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// UTC as `yyyyMMddHHmmssSSS` digits.
pub(crate) fn utc_digits(t: SystemTime) -> String {
    let s = utc_rfc3339(t);
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = Clock::manual(start);
        let c2 = c.clone();
        assert_eq!(c.now(), start);
        c2.advance(Duration::from_secs(61));
        assert_eq!(c.now(), start + Duration::from_secs(61));
    }

    #[test]
    fn utc_time() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(utc_rfc3339(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(utc_digits(t), "20231114221320123");
    }

    #[test]
    fn kst_digits_formats_korean_time() {
        // 2023-11-14T22:13:20Z = 2023-11-15 07:13:20 KST
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(kst_digits(t), "20231115071320000");
    }
}
