//! A download or upload measured against the simulated clock.

use std::collections::VecDeque;

/// A transfer of `total` bytes in flight: how much has arrived by which
/// simulated time, and the rates and times a client shows for it.
///
/// Progress meters (wget, curl, git, docker pull) print sizes, rates and
/// times that a reader can check against each other. Here every figure comes
/// from two numbers, the bytes received and the simulated milliseconds
/// spent, which [`Transfer::advance`] moves together; the caller sleeps the
/// milliseconds it returns, so rate × time = bytes on every frame and the
/// elapsed time agrees with [`Host::clock`](crate::Host::clock).
///
/// The speed is the caller's: it passes the rate for each tick (a wobble
/// drawn from its seeded generator, a slow start, a stall), so the kit needs
/// no random generator and each tool keeps its own kind of link.
///
/// ```
/// use plugin_api::kit::Transfer;
/// let mut t = Transfer::new(1_000_000, 3000);
/// let mut slept = 0;
/// while !t.done() {
///     slept += t.advance(250_000.0, 1000); // in a module: host.sleep_ms(ms)?
/// }
/// assert_eq!((slept, t.elapsed_ms()), (4000, 4000));
/// assert_eq!(t.received(), 1_000_000);
/// assert_eq!(t.average_rate(), 250_000.0);
/// ```
#[derive(Debug, Clone)]
pub struct Transfer {
    total: u64,
    received: u64,
    /// Simulated milliseconds since the request went out.
    elapsed_ms: u64,
    /// How far back [`Transfer::current_rate`] looks.
    window_ms: u64,
    /// Recent `(elapsed_ms, received)` samples, oldest first; never empty.
    window: VecDeque<(u64, u64)>,
}

impl Transfer {
    /// A transfer of `total` bytes that has not started; its current rate
    /// is taken over the last `window_ms` milliseconds or so (clients smooth
    /// over a few seconds: wget about 3, git about 2).
    pub fn new(total: u64, window_ms: u64) -> Self {
        Transfer {
            total,
            received: 0,
            elapsed_ms: 0,
            window_ms,
            window: VecDeque::from([(0, 0)]),
        }
    }

    /// The same transfer with its first byte `ms` after the request went
    /// out (connecting, waiting for the server): that wait counts in the
    /// elapsed time and the average rate, as clients count it. Meant right
    /// after [`Transfer::new`].
    ///
    /// ```
    /// use plugin_api::kit::Transfer;
    /// let mut t = Transfer::new(1000, 3000).after_ms(500);
    /// t.advance(2000.0, 1000);
    /// assert_eq!(t.elapsed_ms(), 1000);
    /// assert_eq!(t.average_rate(), 1000.0);
    /// ```
    pub fn after_ms(mut self, ms: u64) -> Self {
        self.elapsed_ms = ms;
        self.window = VecDeque::from([(ms, self.received)]);
        self
    }

    /// Receive at `rate` bytes per second for up to `tick_ms` milliseconds
    /// (a tick of 0 counts as 1). Returns the milliseconds that took, which
    /// the caller must sleep: the whole tick, or less when the last byte
    /// comes sooner (at least 1). A rate that is not positive receives
    /// nothing, a stall.
    pub fn advance(&mut self, rate: f64, tick_ms: u64) -> u64 {
        let tick_ms = tick_ms.max(1);
        let remaining = self.total - self.received;
        // A float-to-integer `as` saturates: NaN and negative rates give 0.
        let want = (rate * tick_ms as f64 / 1000.0) as u64;
        let ms = if want >= remaining {
            self.received = self.total;
            ((remaining as f64 / rate * 1000.0).ceil() as u64).clamp(1, tick_ms)
        } else {
            self.received += want;
            tick_ms
        };
        self.elapsed_ms += ms;
        self.window.push_back((self.elapsed_ms, self.received));
        while self.window.len() > 2 && self.elapsed_ms - self.window[1].0 >= self.window_ms {
            self.window.pop_front();
        }
        ms
    }

    /// The size of the whole transfer, in bytes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Simulated milliseconds since the request went out.
    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    /// Whether every byte has arrived.
    pub fn done(&self) -> bool {
        self.received >= self.total
    }

    /// How much has arrived, from 0 to 1 (1 for an empty transfer).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.received as f64 / self.total as f64
        }
    }

    /// Bytes per second over the recent window: the speed a client shows
    /// while the transfer runs (0 before anything was measured).
    pub fn current_rate(&self) -> f64 {
        let (t0, b0) = self.window.front().copied().unwrap_or((0, 0));
        let (t1, b1) = self.window.back().copied().unwrap_or((0, 0));
        if t1 > t0 {
            (b1 - b0) as f64 * 1000.0 / (t1 - t0) as f64
        } else {
            0.0
        }
    }

    /// Bytes per second since the request went out: the speed a client
    /// reports at the end.
    pub fn average_rate(&self) -> f64 {
        if self.elapsed_ms == 0 {
            0.0
        } else {
            self.received as f64 * 1000.0 / self.elapsed_ms as f64
        }
    }

    /// Whole seconds left at `rate` bytes per second, rounded up; `None`
    /// when it is not moving at all.
    pub fn eta_secs(&self, rate: f64) -> Option<u64> {
        (rate > 0.0).then(|| ((self.total - self.received) as f64 / rate).ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A speed that wanders like a real link's, without a random generator.
    fn wobbly(base: f64, step: u64) -> f64 {
        base * (1.0 + 0.3 * ((step as f64) * 0.7).sin())
    }

    fn run_to_end(total: u64, base: f64, tick: u64) -> (Transfer, u64) {
        let mut t = Transfer::new(total, 3000);
        let mut slept = 0;
        let mut step = 0;
        while !t.done() {
            slept += t.advance(wobbly(base, step), tick);
            step += 1;
        }
        (t, slept)
    }

    #[test]
    fn rate_times_time_is_bytes() {
        for (total, rate, tick) in [
            (149_423_600, 12e6, 200),
            (2_348_200, 3e5, 1000),
            (3_213_064_192, 95e6, 200),
            (1, 1e6, 200),
            (0, 1e6, 200),
        ] {
            let (t, slept) = run_to_end(total, rate, tick);
            assert_eq!(t.received(), total);
            assert_eq!(t.elapsed_ms(), slept, "elapsed must equal the time slept");
            let bytes = t.average_rate() * t.elapsed_ms() as f64 / 1000.0;
            assert!((bytes - total as f64).abs() < 1.0, "{bytes} vs {total}");
            assert_eq!(t.fraction(), 1.0);
            assert_eq!(t.eta_secs(rate), Some(0));
        }
    }

    #[test]
    fn current_rate_is_over_the_window() {
        let mut t = Transfer::new(1 << 32, 2000);
        for step in 0..50 {
            t.advance(wobbly(20e6, step), 200);
            let (t0, b0) = t.window[0];
            let (t1, b1) = *t.window.back().unwrap();
            let expect = (b1 - b0) as f64 / ((t1 - t0) as f64 / 1000.0);
            assert!((t.current_rate() - expect).abs() < 1e-6);
            assert!(t1 - t0 <= 2000 + 200);
            let eta = t.eta_secs(t.current_rate()).unwrap();
            let remaining = (t.total() - t.received()) as f64;
            assert!((eta as f64 * t.current_rate() - remaining) <= t.current_rate());
        }
    }

    #[test]
    fn the_last_tick_is_cut_short() {
        let mut t = Transfer::new(1500, 3000);
        assert_eq!(t.advance(1000.0, 1000), 1000);
        assert_eq!(t.advance(1000.0, 1000), 500);
        assert!(t.done());
        assert_eq!(t.elapsed_ms(), 1500);
    }

    #[test]
    fn odd_rates_and_ticks_neither_panic_nor_hang() {
        for rate in [0.0, -5.0, f64::NAN, f64::INFINITY, 1e-9] {
            let mut t = Transfer::new(10, 1000);
            let ms = t.advance(rate, 0);
            assert!(ms >= 1, "{rate}");
            assert_eq!(t.elapsed_ms(), ms);
            assert!(t.current_rate().is_finite() && t.average_rate().is_finite());
        }
        let mut stalled = Transfer::new(10, 1000);
        assert_eq!(stalled.advance(0.0, 200), 200);
        assert_eq!(stalled.received(), 0);
        assert_eq!(stalled.eta_secs(stalled.current_rate()), None);
        let mut empty = Transfer::new(0, 1000);
        assert!(empty.done());
        assert_eq!(empty.advance(0.0, 200), 1);
        assert_eq!(empty.fraction(), 1.0);
    }
}
