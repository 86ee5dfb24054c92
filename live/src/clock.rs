//! The run's clock for token lifetimes, the inquiry budget and backoff: the system clock in
//! production, a manual one in tests (advanced by hand, so no test sleeps). The clock itself
//! is [`payple_support::Clock`]; [`sleep`] waits on it with tokio.

use std::time::Duration;

pub use payple_support::Clock;

/// Waits `d` on `clock`: a real sleep on the system clock, an advance on a manual clock.
pub async fn sleep(clock: &Clock, d: Duration) {
    if let Some(d) = clock.wait(d) {
        tokio::time::sleep(d).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sleeping_on_a_manual_clock_advances_it_at_once() {
        let c = Clock::manual_unix(1_795_392_000);
        let before = std::time::Instant::now();
        sleep(&c, Duration::from_secs(3600)).await;
        assert_eq!(c.elapsed(), Duration::from_secs(3600));
        assert!(before.elapsed() < Duration::from_secs(60));
        let s = Clock::system();
        sleep(&s, Duration::from_millis(20)).await;
        assert!(s.elapsed() >= Duration::from_millis(20));
    }
}
