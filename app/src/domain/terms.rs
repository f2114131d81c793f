//! Payment terms → due date.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Payment terms as a number of days after the issue date; 0 is "Due on receipt".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    days: u16,
}

impl PaymentTerms {
    pub const MAX_DAYS: u16 = 365;
    /// The choices offered in pickers; any other whole number up to 365 is "custom".
    pub const PRESETS: [u16; 5] = [0, 15, 30, 45, 60];

    pub fn new(days: i64) -> Result<Self, String> {
        if !(0..=i64::from(Self::MAX_DAYS)).contains(&days) {
            return Err(format!("Payment terms must be between 0 and {} days.", Self::MAX_DAYS));
        }
        Ok(Self { days: days as u16 })
    }

    pub fn days(self) -> u16 {
        self.days
    }

    pub fn due_date(self, issue_date: NaiveDate) -> NaiveDate {
        issue_date + Days::new(u64::from(self.days))
    }

    pub fn label(self) -> String {
        match self.days {
            0 => "Due on receipt".to_string(),
            d => format!("Net {d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_date_adds_days_across_year_end() {
        let t = PaymentTerms::new(30).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(t.due_date(d), NaiveDate::from_ymd_opt(2027, 1, 14).unwrap());
        assert_eq!(PaymentTerms::new(0).unwrap().label(), "Due on receipt");
        assert!(PaymentTerms::new(-1).is_err());
        assert!(PaymentTerms::new(366).is_err());
    }
}
