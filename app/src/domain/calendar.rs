//! Dates as billing people read and count them.

use chrono::NaiveDate;

/// "March 1, 2026": how dates read in emails, documents and the portal.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

/// Days an invoice is past due on `today` (0 until the day after its due date).
pub fn days_past_due(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_past_due_counts_from_the_day_after_due() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 27).unwrap();
        assert_eq!(days_past_due(due, due), 0);
        assert_eq!(days_past_due(due, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 2);
        assert_eq!(days_past_due(due, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), 0);
    }
}
