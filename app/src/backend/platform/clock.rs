//! The clock is injected so tests (and `tick --today`) control what "now" is.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Today's local date in the organisation's time zone.
    fn today_in(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().expect("clock lock");
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// Parses an IANA zone name.
pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reminder_ladder::step_due;

    const LADDER: [i64; 3] = [7, 30, 90];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// `today_in` must give the local date right before and after midnight across DST changes.
    #[test]
    fn today_in_new_york_around_dst() {
        use chrono::TimeZone;

        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let local =
            |y, m, day, h, min| ny.with_ymd_and_hms(y, m, day, h, min, 0).earliest().unwrap().with_timezone(&Utc);
        let clock = ManualClock::new(Utc::now());
        // Spring forward 2027-03-14, fall back 2027-11-07.
        for (y, m, day) in [(2027, 3, 13), (2027, 3, 14), (2027, 3, 15), (2027, 11, 6), (2027, 11, 7), (2027, 11, 8)] {
            for (h, min) in [(0, 30), (23, 30)] {
                clock.set(local(y, m, day, h, min));
                assert_eq!(clock.today_in(ny), d(y, m, day), "{y}-{m}-{day} {h}:{min}");
            }
        }
        // A reminder due on day 7 after a due date of 2027-03-07 is due on local 2027-03-14,
        // the spring-forward day, from 00:30 local (05:30 UTC) — not an hour later or earlier.
        let due = d(2027, 3, 7);
        clock.set(local(2027, 3, 13, 23, 30));
        assert_eq!(step_due(&LADDER, due, clock.today_in(ny), &[]), None);
        clock.set(local(2027, 3, 14, 0, 30));
        assert_eq!(step_due(&LADDER, due, clock.today_in(ny), &[]), Some(7));
    }
}
