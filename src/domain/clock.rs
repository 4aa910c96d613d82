//! Time, as the domain reads it. Everything that depends on "now" (expiry
//! checks, `created_at`, `revoked_at`, history-limit bounds) goes through a
//! [`Clock`], so tests and scenarios can move time.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current wall-clock time. Clocks that tests and scenarios
/// can move say so by returning `true` from `advance_nanos` and `set`.
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// Moves the clock forward (negative: back) by `nanos`. `false` if this
    /// clock cannot be moved.
    fn advance_nanos(&self, _nanos: i128) -> bool {
        false
    }

    /// Sets the clock to `to`. `false` if this clock cannot be moved.
    fn set(&self, _to: SystemTime) -> bool {
        false
    }
}

/// The real system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until moved. Starts at a given instant.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    pub(crate) fn new(start: SystemTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// A clock at the given unix time in seconds.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        *now += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SystemTime> {
        // A poisoned clock still holds a valid time.
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.lock()
    }

    fn advance_nanos(&self, nanos: i128) -> bool {
        let mut now = self.lock();
        *now = from_unix_nanos(unix_nanos(*now).saturating_add(nanos));
        true
    }

    fn set(&self, to: SystemTime) -> bool {
        *self.lock() = to;
        true
    }
}

/// A clock that runs at real speed from an offset that can be moved, so a
/// running server can be sent into the future without stopping time.
#[derive(Debug, Default)]
pub struct OffsetClock {
    /// Signed offset from the system clock, in nanoseconds.
    offset_nanos: Mutex<i128>,
}

impl OffsetClock {
    /// A clock that reads the system time until it is moved.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> SystemTime {
        let off = *self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner());
        from_unix_nanos(unix_nanos(SystemTime::now()).saturating_add(off))
    }

    fn advance_nanos(&self, nanos: i128) -> bool {
        let mut off = self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner());
        *off = off.saturating_add(nanos);
        true
    }

    /// Sets the clock so that `now()` reads `to` at this instant.
    fn set(&self, to: SystemTime) -> bool {
        let target = unix_nanos(to);
        let real = unix_nanos(SystemTime::now());
        *self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner()) = target - real;
        true
    }
}

/// Nanoseconds since the unix epoch (negative before it).
pub(crate) use crate::gocompat::time::unix_nanos;

/// The instant `nanos` after (or before) the unix epoch.
pub(crate) fn from_unix_nanos(nanos: i128) -> SystemTime {
    let mag = Duration::from_nanos(nanos.unsigned_abs().min(u64::MAX as u128) as u64);
    if nanos >= 0 {
        UNIX_EPOCH + mag
    } else {
        UNIX_EPOCH - mag
    }
}

/// Whole unix seconds, truncated toward negative infinity like Go's `Unix()`.
pub fn unix_secs(t: SystemTime) -> i64 {
    unix_nanos(t).div_euclid(1_000_000_000) as i64
}

/// Unix-time helpers on `SystemTime`.
pub(crate) trait SystemTimeExt {
    fn unix_nanos(&self) -> i128;
}

impl SystemTimeExt for SystemTime {
    fn unix_nanos(&self) -> i128 {
        unix_nanos(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at_unix(1_000);
        assert_eq!(unix_secs(c.now()), 1_000);
        c.advance(Duration::from_secs(61));
        assert_eq!(unix_secs(c.now()), 1_061);
    }

    #[test]
    fn system_clock_cannot_be_moved() {
        assert!(!SystemClock.advance_nanos(1));
        assert!(!SystemClock.set(UNIX_EPOCH));
    }

    #[test]
    fn offset_clock_jumps_ahead() {
        let c = OffsetClock::new();
        c.advance_nanos(3_600 * 1_000_000_000);
        let diff = unix_secs(c.now()) - unix_secs(SystemTime::now());
        assert!((3_599..=3_601).contains(&diff), "diff {diff}");
    }

    #[test]
    fn unix_secs_floors_before_epoch() {
        assert_eq!(unix_secs(from_unix_nanos(-1)), -1);
        assert_eq!(unix_secs(from_unix_nanos(1_500_000_000)), 1);
    }
}
