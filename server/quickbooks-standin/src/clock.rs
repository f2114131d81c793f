//! The stand-in's notion of "now".
//!
//! Every expiry the real service enforces (access tokens after 1 h, authorization codes after
//! 5 min, refresh tokens ~100 days after they were issued, the 24 h grace of a rotated refresh token,
//! the 30-day window of the change feed, the throttle windows) is computed from this clock, so a
//! test can move it forward by 120 days instead of sleeping.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// Where the wall-clock time comes from: `Utc::now` unless a test injects its own.
pub type ClockFn = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How the current time is derived from the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClockMode {
    /// Follow the source.
    Source,
    /// Follow the source shifted by a fixed amount (time keeps flowing).
    Offset(Duration),
    /// Stand still at this instant until told otherwise.
    Fixed(DateTime<Utc>),
}

pub(crate) struct Clock {
    source: ClockFn,
    mode: ClockMode,
}

impl Clock {
    pub(crate) fn new(source: ClockFn) -> Self {
        Self { source, mode: ClockMode::Source }
    }

    pub(crate) fn set_source(&mut self, source: ClockFn) {
        self.source = source;
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        clamp(match self.mode {
            ClockMode::Source => (self.source)(),
            ClockMode::Offset(d) => (self.source)().checked_add_signed(d).unwrap_or_else(|| bound(d)),
            ClockMode::Fixed(t) => t,
        })
    }

    /// Freezes the clock at `t` (kept within years 1900–9999).
    pub(crate) fn set(&mut self, t: DateTime<Utc>) {
        self.mode = ClockMode::Fixed(clamp(t));
    }

    /// Moves the clock forward (or back, with a negative duration) without changing whether it
    /// is frozen or flowing. The result stays within years 1900–9999.
    pub(crate) fn advance(&mut self, d: Duration) {
        self.mode = match self.mode {
            ClockMode::Source => ClockMode::Offset(d),
            ClockMode::Offset(o) => ClockMode::Offset(o.checked_add(&d).unwrap_or(o)),
            ClockMode::Fixed(t) => ClockMode::Fixed(clamp(t.checked_add_signed(d).unwrap_or_else(|| bound(d)))),
        };
    }

    /// Back to the source's time.
    pub(crate) fn resume(&mut self) {
        self.mode = ClockMode::Source;
    }

    pub(crate) fn is_frozen(&self) -> bool {
        matches!(self.mode, ClockMode::Fixed(_))
    }
}

/// Every expiry adds at most a few years to "now"; keeping now within 1900–9999 means none of
/// that date arithmetic can leave chrono's range (which would panic).
fn clamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(earliest(), latest())
}

fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(-2_208_988_800, 0).unwrap_or_default() // 1900-01-01
}

fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default() // 9999-12-31T23:59:59
}

/// Where an overflowing move ends up.
fn bound(d: Duration) -> DateTime<Utc> {
    if d < Duration::zero() { earliest() } else { latest() }
}

/// The default source.
pub(crate) fn system_clock() -> ClockFn {
    Arc::new(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_moves_stay_in_range() {
        let mut c = Clock::new(system_clock());
        c.advance(Duration::MAX);
        assert_eq!(c.now(), latest());
        c.set(DateTime::<Utc>::MAX_UTC);
        assert_eq!(c.now(), latest());
        c.advance(Duration::MIN);
        assert_eq!(c.now(), earliest());
        c.resume();
        c.advance(Duration::days(1));
        assert!(c.now() > Utc::now());
    }
}
