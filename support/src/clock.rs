//! A clock that is either the system clock or a manual clock moved by hand, so that token
//! lifetimes, rate budgets and back-off can be tested without sleeping.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// "Now" for a server or a client, shared by every clone.
///
/// * [`Clock::system`]: wall time from the system clock, monotonic time from [`Instant`].
/// * [`Clock::manual`]: stands at its start until [`Clock::advance`] moves it.
///
/// On both, [`Clock::advance`] adds to the time every clone reads (a running server's clock
/// can be put forward to expire its tokens).
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    /// `None`: the system clock; `Some(t)`: a manual clock started at `t`.
    manual_start: Option<SystemTime>,
    /// When the clock was made (the origin of [`Clock::elapsed`] on the system clock).
    origin: Instant,
    /// What [`Clock::advance`] has added.
    offset: Duration,
}

impl Clock {
    fn with_start(manual_start: Option<SystemTime>) -> Clock {
        Clock {
            inner: Arc::new(Mutex::new(State {
                manual_start,
                origin: Instant::now(),
                offset: Duration::ZERO,
            })),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The system clock (plus whatever [`Clock::advance`] adds).
    pub fn system() -> Clock {
        Clock::with_start(None)
    }

    /// A manual clock standing at `start` until advanced.
    pub fn manual(start: SystemTime) -> Clock {
        Clock::with_start(Some(start))
    }

    /// A manual clock standing at `start_unix` seconds since 1970 until advanced.
    pub fn manual_unix(start_unix: u64) -> Clock {
        Clock::manual(UNIX_EPOCH + Duration::from_secs(start_unix))
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.state().manual_start.is_some()
    }

    /// Moves the clock forward (every clone sees it).
    pub fn advance(&self, by: Duration) {
        let mut s = self.state();
        s.offset = s.offset.saturating_add(by);
    }

    /// The current wall-clock time.
    pub fn now(&self) -> SystemTime {
        let s = self.state();
        let base = s.manual_start.unwrap_or_else(SystemTime::now);
        base.checked_add(s.offset).unwrap_or(base)
    }

    /// Monotonic time since the clock was made: never goes back, even when the system's
    /// wall clock is set back. On a manual clock, what [`Clock::advance`] has added.
    pub fn elapsed(&self) -> Duration {
        let s = self.state();
        match s.manual_start {
            Some(_) => s.offset,
            None => s.origin.elapsed().saturating_add(s.offset),
        }
    }

    /// Prepares a wait of `d`: a manual clock is advanced by `d` and `None` is returned (no
    /// real time needs to pass); the system clock returns `Some(d)`, the time the caller must
    /// really sleep (with its own runtime's sleep; this crate has none).
    #[must_use = "on the system clock the caller must sleep for the returned time"]
    pub fn wait(&self, d: Duration) -> Option<Duration> {
        if self.is_manual() {
            self.advance(d);
            None
        } else {
            Some(d)
        }
    }

    /// Wall-clock seconds since 1970 (0 before 1970).
    pub fn unix_seconds(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    /// The wall-clock time as RFC 3339 (UTC, whole seconds), e.g. `2026-11-23T00:00:00Z`.
    pub fn rfc3339(&self) -> String {
        crate::civil::utc_rfc3339_seconds(self.now())
    }

    /// Today's date in Korea (UTC+9) as `yyyyMMdd`.
    pub fn kst_date(&self) -> String {
        crate::civil::kst_date(self.now())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = Clock::manual(start);
        let c2 = c.clone();
        assert!(c.is_manual());
        assert_eq!(c.now(), start);
        assert_eq!(c.elapsed(), Duration::ZERO);
        c2.advance(Duration::from_secs(61));
        assert_eq!(c.now(), start + Duration::from_secs(61));
        assert_eq!(c.elapsed(), Duration::from_secs(61));
    }

    #[test]
    fn manual_unix_clock_formats_its_time() {
        let c = Clock::manual_unix(1_795_392_000);
        c.advance(Duration::from_secs(61));
        assert_eq!(c.unix_seconds(), 1_795_392_061);
        assert_eq!(c.rfc3339(), "2026-11-23T00:01:01Z");
        assert_eq!(c.kst_date(), "20261123");
    }

    #[test]
    fn waiting_advances_a_manual_clock_and_asks_the_system_clock_to_sleep() {
        let m = Clock::manual_unix(0);
        assert_eq!(m.wait(Duration::from_secs(3)), None);
        assert_eq!(m.elapsed(), Duration::from_secs(3));
        let s = Clock::system();
        assert!(!s.is_manual());
        assert_eq!(
            s.wait(Duration::from_millis(5)),
            Some(Duration::from_millis(5))
        );
    }

    #[test]
    fn advancing_the_system_clock_moves_wall_and_monotonic_time() {
        let s = Clock::system();
        let before = SystemTime::now();
        s.advance(Duration::from_secs(3600));
        assert!(s.now() >= before + Duration::from_secs(3600));
        assert!(s.elapsed() >= Duration::from_secs(3600));
    }
}
