//! Time, as the domain reads it. Everything that depends on "now" (expiry
//! checks, `created_at`, `revoked_at`, history-limit bounds) goes through a
//! [`Clock`], so tests and scenarios can move time.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current wall-clock time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
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
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// A clock at the given unix time in seconds.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(secs))
    }

    pub fn set(&self, to: SystemTime) {
        *self.lock() = to;
    }

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
}

/// A clock that runs at real speed from an offset that can be moved, so a
/// running server can be sent into the future without stopping time.
#[derive(Debug, Default)]
pub struct OffsetClock {
    /// Signed offset from the system clock, in nanoseconds.
    offset_nanos: Mutex<i128>,
}

impl OffsetClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward (or back, with a negative value).
    pub fn advance_nanos(&self, nanos: i128) {
        let mut off = self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner());
        *off = off.saturating_add(nanos);
    }

    /// Sets the clock so that `now()` reads `to` at this instant.
    pub fn set(&self, to: SystemTime) {
        let target = unix_nanos(to);
        let real = unix_nanos(SystemTime::now());
        *self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner()) = target - real;
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> SystemTime {
        let off = *self.offset_nanos.lock().unwrap_or_else(|e| e.into_inner());
        from_unix_nanos(unix_nanos(SystemTime::now()).saturating_add(off))
    }
}

/// Nanoseconds since the unix epoch (negative before it).
pub fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// The instant `nanos` after (or before) the unix epoch.
pub fn from_unix_nanos(nanos: i128) -> SystemTime {
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
pub trait SystemTimeExt {
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
