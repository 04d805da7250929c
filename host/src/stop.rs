//! Stop requests: signals, the time limit and a closed output all end up
//! here, and every module sleep waits on it, so a request wakes a sleeping
//! module at once and costs no CPU while nothing happens.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Why the host is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A signal arrived (its number).
    Signal(i32),
    /// `--exit-after-time` ran out.
    TimeLimit,
    /// Nobody reads the output any more.
    OutputClosed,
}

impl Reason {
    /// The exit status for this reason: 128 + signal, else 0.
    pub fn exit_code(self) -> u8 {
        match self {
            Reason::Signal(sig) => 128u8.saturating_add(sig as u8),
            Reason::TimeLimit | Reason::OutputClosed => 0,
        }
    }
}

/// Shared stop state.
#[derive(Debug)]
pub struct Stopper {
    reason: Mutex<Option<Reason>>,
    wake: Condvar,
    deadline: Option<Instant>,
}

impl Stopper {
    /// A stopper with an optional overall time limit from now.
    pub fn new(limit: Option<Duration>) -> Arc<Self> {
        Arc::new(Stopper {
            reason: Mutex::new(None),
            wake: Condvar::new(),
            deadline: limit.map(|l| Instant::now() + l),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Reason>> {
        // A poisoned lock only means a panic elsewhere; the data is a plain enum.
        self.reason.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks everything to stop; the first reason wins.
    pub fn request(&self, reason: Reason) {
        let mut r = self.lock();
        if r.is_none() {
            *r = Some(reason);
        }
        self.wake.notify_all();
    }

    /// Why we are stopping, if we are (the time limit is checked here too).
    pub fn reason(&self) -> Option<Reason> {
        let mut r = self.lock();
        if r.is_none() && self.deadline.is_some_and(|d| Instant::now() >= d) {
            *r = Some(Reason::TimeLimit);
        }
        *r
    }

    /// Sleeps for `duration` unless a stop request comes first (or the time
    /// limit falls inside it). Returns the stop reason if there is one.
    pub fn sleep(&self, duration: Duration) -> Option<Reason> {
        let now = Instant::now();
        let mut wake_at = now
            .checked_add(duration)
            .unwrap_or(now + Duration::from_secs(86_400));
        if let Some(deadline) = self.deadline {
            wake_at = wake_at.min(deadline);
        }
        let mut r = self.lock();
        while r.is_none() {
            let now = Instant::now();
            if now >= wake_at {
                break;
            }
            r = self
                .wake
                .wait_timeout(r, wake_at - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(r);
        self.reason()
    }

    /// Starts the signal thread: the first SIGINT/SIGTERM/SIGHUP asks the
    /// module to stop; a second one exits at once, after putting the terminal
    /// back in order (the module may be stuck and never return).
    pub fn watch_signals(self: &Arc<Self>, tty: bool) -> std::io::Result<()> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        let stopper = Arc::clone(self);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    if matches!(stopper.reason(), Some(Reason::Signal(_))) {
                        if tty {
                            // stderr is unbuffered and not locked by the main
                            // thread; on a terminal it is the same screen.
                            let _ = std::io::stderr().write_all(b"\x1b[0m\x1b[?25h\n");
                        }
                        std::process::exit(i32::from(Reason::Signal(sig).exit_code()));
                    }
                    stopper.request(Reason::Signal(sig));
                }
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_wakes_a_sleeper_at_once() {
        let s = Stopper::new(None);
        let s2 = Arc::clone(&s);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            s2.request(Reason::Signal(2));
        });
        let reason = s.sleep(Duration::from_secs(30));
        t.join().unwrap();
        assert_eq!(reason, Some(Reason::Signal(2)));
    }

    #[test]
    fn the_time_limit_cuts_a_sleep_short() {
        let s = Stopper::new(Some(Duration::from_millis(10)));
        assert_eq!(s.sleep(Duration::from_secs(30)), Some(Reason::TimeLimit));
    }

    #[test]
    fn the_first_reason_wins_and_maps_to_exit_codes() {
        let s = Stopper::new(None);
        assert_eq!(s.sleep(Duration::ZERO), None);
        s.request(Reason::Signal(15));
        s.request(Reason::OutputClosed);
        assert_eq!(s.reason(), Some(Reason::Signal(15)));
        assert_eq!(Reason::Signal(2).exit_code(), 130);
        assert_eq!(Reason::Signal(15).exit_code(), 143);
        assert_eq!(Reason::Signal(1).exit_code(), 129);
        assert_eq!(Reason::TimeLimit.exit_code(), 0);
    }
}
