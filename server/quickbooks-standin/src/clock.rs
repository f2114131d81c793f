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
        match self.mode {
            ClockMode::Source => (self.source)(),
            ClockMode::Offset(d) => (self.source)() + d,
            ClockMode::Fixed(t) => t,
        }
    }

    /// Freezes the clock at `t`.
    pub(crate) fn set(&mut self, t: DateTime<Utc>) {
        self.mode = ClockMode::Fixed(t);
    }

    /// Moves the clock forward (or back, with a negative duration) without changing whether it
    /// is frozen or flowing.
    pub(crate) fn advance(&mut self, d: Duration) {
        self.mode = match self.mode {
            ClockMode::Source => ClockMode::Offset(d),
            ClockMode::Offset(o) => ClockMode::Offset(o + d),
            ClockMode::Fixed(t) => ClockMode::Fixed(t + d),
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

/// The default source.
pub(crate) fn system_clock() -> ClockFn {
    Arc::new(Utc::now)
}
