//! A sliding-window rate budget: at most `limit` calls in any `window`.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// At most `limit` takes in any window of `window`, measured on a monotonic time the caller
/// passes in (for example [`crate::Clock::elapsed`], or a wall time since 1970).
#[derive(Debug)]
pub struct RateBudget {
    limit: usize,
    window: Duration,
    count_first_refusal: bool,
    taken: Mutex<VecDeque<Duration>>,
}

impl RateBudget {
    /// At most `limit` takes per `window`; refused takes are not counted.
    pub fn new(limit: usize, window: Duration) -> RateBudget {
        RateBudget {
            limit,
            window,
            count_first_refusal: false,
            taken: Mutex::new(VecDeque::new()),
        }
    }

    /// Also counts a refused take when it is the first beyond the limit in the window (the
    /// window then holds `limit + 1` takes); takes refused while the window holds more are
    /// not counted. So an overrun keeps the budget spent a little longer, the way a server
    /// that logs the refused call in its window behaves.
    pub fn counting_first_refusal(mut self) -> RateBudget {
        self.count_first_refusal = true;
        self
    }

    /// The most takes per window.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The length of the window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Takes one unit at time `now`; false when the window's budget is spent. A `now`
    /// earlier than a recorded take counts as no time passed.
    pub fn try_take(&self, now: Duration) -> bool {
        let mut q = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        while q
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() < self.limit {
            q.push_back(now);
            return true;
        }
        if self.count_first_refusal && q.len() == self.limit {
            q.push_back(now);
        }
        false
    }

    /// Units taken in the current window (as of the last take).
    pub fn used(&self) -> usize {
        self.taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn sliding_window() {
        let b = RateBudget::new(3, S(600));
        assert!(b.try_take(S(0)));
        assert!(b.try_take(S(1)));
        assert!(b.try_take(S(2)));
        assert!(!b.try_take(S(3)));
        assert_eq!(b.used(), 3);
        // The first take leaves the window at 600 s.
        assert!(!b.try_take(S(599)));
        assert!(b.try_take(S(600)));
        assert!(!b.try_take(S(600)));
        // A clock that went back does not free the budget.
        assert!(!b.try_take(S(0)));
    }

    #[test]
    fn a_counted_refusal_delays_the_next_success() {
        let plain = RateBudget::new(2, S(10));
        let counting = RateBudget::new(2, S(10)).counting_first_refusal();
        for b in [&plain, &counting] {
            assert!(b.try_take(S(0)));
            assert!(b.try_take(S(1)));
            assert!(!b.try_take(S(2)));
            assert!(!b.try_take(S(3)));
        }
        assert_eq!(plain.used(), 2);
        assert_eq!(counting.used(), 3); // the refusal at 2 s, not the one at 3 s
        // At 10 s the take of 0 s leaves: room again, unless the refusal of 2 s counts.
        assert!(plain.try_take(S(10)));
        assert!(!counting.try_take(S(10)));
        // At 12 s the takes of 1 s and 2 s have left too.
        assert!(counting.try_take(S(12)));
    }

    #[test]
    fn zero_limit_refuses_everything() {
        let b = RateBudget::new(0, S(1));
        assert!(!b.try_take(S(0)));
        assert!(!b.try_take(S(100)));
    }
}
