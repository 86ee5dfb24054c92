//! A clock the client reads for token lifetimes, the inquiry budget and backoff: the system
//! clock in production, a manual one in tests (advanced by hand, so no test sleeps).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The system clock or a manual clock. Cloning shares the same time.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    System {
        origin: Instant,
    },
    Manual {
        start_unix: u64,
        offset: Mutex<Duration>,
    },
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock {
            inner: Arc::new(Inner::System {
                origin: Instant::now(),
            }),
        }
    }

    /// A manual clock that starts at `start_unix` (seconds since 1970) and moves only when
    /// [`Clock::advance`] is called (or when the client "sleeps" on it).
    pub fn manual(start_unix: u64) -> Clock {
        Clock {
            inner: Arc::new(Inner::Manual {
                start_unix,
                offset: Mutex::new(Duration::ZERO),
            }),
        }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        matches!(*self.inner, Inner::Manual { .. })
    }

    /// Monotonic time since the clock was made.
    pub fn now(&self) -> Duration {
        match &*self.inner {
            Inner::System { origin } => origin.elapsed(),
            Inner::Manual { offset, .. } => *offset.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock forward; does nothing on the system clock.
    pub fn advance(&self, by: Duration) {
        if let Inner::Manual { offset, .. } = &*self.inner {
            let mut o = offset.lock().unwrap_or_else(|e| e.into_inner());
            *o = o.saturating_add(by);
        }
    }

    /// Waits `d`: a real sleep on the system clock, an advance on a manual clock.
    pub async fn sleep(&self, d: Duration) {
        match &*self.inner {
            Inner::System { .. } => tokio::time::sleep(d).await,
            Inner::Manual { .. } => self.advance(d),
        }
    }

    /// Wall-clock seconds since 1970.
    pub fn unix_seconds(&self) -> u64 {
        match &*self.inner {
            Inner::System { .. } => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            Inner::Manual { start_unix, .. } => start_unix.saturating_add(self.now().as_secs()),
        }
    }

    /// The wall-clock time as RFC 3339 (UTC, whole seconds), e.g. `2026-11-23T00:00:00Z`.
    pub fn rfc3339(&self) -> String {
        let (y, m, d, hh, mm, ss) = civil(self.unix_seconds());
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    }

    /// Today's date in Korea (UTC+9) as `YYYYMMDD`, the date format of Payple's requests.
    pub fn kst_date(&self) -> String {
        let (y, m, d, ..) = civil(self.unix_seconds().saturating_add(9 * 3600));
        format!("{y:04}{m:02}{d:02}")
    }
}

/// Seconds since 1970 to (year, month, day, hour, minute, second), UTC.
fn civil(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_by_hand() {
        let c = Clock::manual(1_795_392_000);
        assert_eq!(c.now(), Duration::ZERO);
        c.advance(Duration::from_secs(61));
        assert_eq!(c.now(), Duration::from_secs(61));
        assert_eq!(c.rfc3339(), "2026-11-23T00:01:01Z");
        assert_eq!(c.kst_date(), "20261123");
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400).0, 2000);
    }
}
