//! When does a line item become billable? The one function both the scheduler and the
//! browser preview call.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// A product's billing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum BillingRule {
    DoNotInvoice,
    Immediately,
    DaysBeforeRun(u16),
    DaysAfterRun(u16),
}

/// Why a line item will never become billable as things stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotBillableReason {
    RuleIsDoNotInvoice,
    BeforeIgnoreDate(NaiveDate),
    OrderNotConfirmed,
}

impl NotBillableReason {
    pub fn describe(&self) -> String {
        match self {
            NotBillableReason::RuleIsDoNotInvoice => "product rule is Do Not Invoice".into(),
            NotBillableReason::BeforeIgnoreDate(d) => format!("runs before the product's ignore date {d}"),
            NotBillableReason::OrderNotConfirmed => "order is not confirmed".into(),
        }
    }
}

/// A line item's billing status on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillableStatus {
    BillableNow { since: NaiveDate },
    BillableOn(NaiveDate),
    NotBillable(NotBillableReason),
}

pub const MAX_RULE_DAYS: u16 = 3650;

impl BillingRule {
    /// Builds a rule from its stored form (`kind`, `days`), validating the day count.
    pub fn from_parts(kind: &str, days: i64) -> Result<Self, String> {
        let days_checked = || -> Result<u16, String> {
            if (0..=i64::from(MAX_RULE_DAYS)).contains(&days) {
                Ok(days as u16)
            } else {
                Err(format!("Days must be a whole number from 0 to {MAX_RULE_DAYS}."))
            }
        };
        match kind {
            "do_not_invoice" => Ok(BillingRule::DoNotInvoice),
            "immediately" => Ok(BillingRule::Immediately),
            "days_before" => Ok(BillingRule::DaysBeforeRun(days_checked()?)),
            "days_after" => Ok(BillingRule::DaysAfterRun(days_checked()?)),
            other => Err(format!("Unknown billing rule \"{other}\".")),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            BillingRule::DoNotInvoice => "do_not_invoice",
            BillingRule::Immediately => "immediately",
            BillingRule::DaysBeforeRun(_) => "days_before",
            BillingRule::DaysAfterRun(_) => "days_after",
        }
    }

    pub fn days(&self) -> u16 {
        match self {
            BillingRule::DaysBeforeRun(d) | BillingRule::DaysAfterRun(d) => *d,
            _ => 0,
        }
    }

    pub fn label(&self) -> String {
        match self {
            BillingRule::DoNotInvoice => "Do Not Invoice".into(),
            BillingRule::Immediately => "Immediately".into(),
            BillingRule::DaysBeforeRun(d) => format!("{d} {} Before Run Date", plural_days(*d)),
            BillingRule::DaysAfterRun(d) => format!("{d} {} After Run Date", plural_days(*d)),
        }
    }

    /// The date a line item becomes billable, or `None` when the rule never bills.
    /// `booked_on` is the day the order was entered; "Immediately" bills from then.
    pub fn billable_date(&self, run_date: NaiveDate, booked_on: NaiveDate) -> Option<NaiveDate> {
        match *self {
            BillingRule::DoNotInvoice => None,
            BillingRule::Immediately => Some(booked_on),
            BillingRule::DaysBeforeRun(d) => {
                Some(run_date.checked_sub_days(Days::new(u64::from(d))).unwrap_or(NaiveDate::MIN))
            }
            BillingRule::DaysAfterRun(d) => {
                Some(run_date.checked_add_days(Days::new(u64::from(d))).unwrap_or(NaiveDate::MAX))
            }
        }
    }
}

fn plural_days(d: u16) -> &'static str {
    if d == 1 { "Day" } else { "Days" }
}

/// Everything about a line item that decides its billing status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineItemTiming {
    pub rule: BillingRule,
    pub run_date: NaiveDate,
    pub booked_on: NaiveDate,
    pub ignore_before: Option<NaiveDate>,
    pub order_confirmed: bool,
}

impl LineItemTiming {
    /// The status of the line item on `today` (a local date in the organisation's zone).
    pub fn status(&self, today: NaiveDate) -> BillableStatus {
        if !self.order_confirmed {
            return BillableStatus::NotBillable(NotBillableReason::OrderNotConfirmed);
        }
        if let Some(ignore) = self.ignore_before
            && self.run_date < ignore
        {
            return BillableStatus::NotBillable(NotBillableReason::BeforeIgnoreDate(ignore));
        }
        match self.rule.billable_date(self.run_date, self.booked_on) {
            None => BillableStatus::NotBillable(NotBillableReason::RuleIsDoNotInvoice),
            Some(d) if d <= today => BillableStatus::BillableNow { since: d },
            Some(d) => BillableStatus::BillableOn(d),
        }
    }
}

/// The sentence shown beside a rule on Manage Rules.
pub fn preview_sentence(rule: &BillingRule, run_date: NaiveDate, booked_on: NaiveDate) -> String {
    match rule.billable_date(run_date, booked_on) {
        None => format!("an ad running on {run_date} is never invoiced"),
        Some(d) if matches!(rule, BillingRule::Immediately) => {
            format!("an ad running on {run_date} becomes billable when it is booked ({d})")
        }
        Some(d) => format!("an ad running on {run_date} becomes billable on {d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rules_move_the_date() {
        let run = d(2026, 12, 10);
        let booked = d(2026, 11, 1);
        assert_eq!(BillingRule::DaysBeforeRun(5).billable_date(run, booked), Some(d(2026, 12, 5)));
        assert_eq!(BillingRule::DaysAfterRun(30).billable_date(run, booked), Some(d(2027, 1, 9)));
        assert_eq!(BillingRule::Immediately.billable_date(run, booked), Some(booked));
        assert_eq!(BillingRule::DoNotInvoice.billable_date(run, booked), None);
    }

    #[test]
    fn leap_days_and_month_ends() {
        assert_eq!(BillingRule::DaysAfterRun(1).billable_date(d(2028, 2, 28), d(2028, 1, 1)), Some(d(2028, 2, 29)));
        assert_eq!(BillingRule::DaysBeforeRun(1).billable_date(d(2028, 3, 1), d(2028, 1, 1)), Some(d(2028, 2, 29)));
        assert_eq!(BillingRule::DaysBeforeRun(1).billable_date(d(2027, 3, 1), d(2027, 1, 1)), Some(d(2027, 2, 28)));
        assert_eq!(BillingRule::DaysAfterRun(1).billable_date(d(2026, 12, 31), d(2026, 1, 1)), Some(d(2027, 1, 1)));
    }

    #[test]
    fn status_explains_itself() {
        let base = LineItemTiming {
            rule: BillingRule::DaysBeforeRun(5),
            run_date: d(2026, 12, 10),
            booked_on: d(2026, 11, 1),
            ignore_before: None,
            order_confirmed: true,
        };
        assert_eq!(base.status(d(2026, 12, 4)), BillableStatus::BillableOn(d(2026, 12, 5)));
        assert_eq!(base.status(d(2026, 12, 5)), BillableStatus::BillableNow { since: d(2026, 12, 5) });
        let ignored = LineItemTiming { ignore_before: Some(d(2027, 1, 1)), ..base };
        assert_eq!(
            ignored.status(d(2026, 12, 5)),
            BillableStatus::NotBillable(NotBillableReason::BeforeIgnoreDate(d(2027, 1, 1)))
        );
        let draft = LineItemTiming { order_confirmed: false, ..base };
        assert_eq!(draft.status(d(2026, 12, 5)), BillableStatus::NotBillable(NotBillableReason::OrderNotConfirmed));
    }

    #[test]
    fn parts_round_trip_and_validate() {
        for rule in [
            BillingRule::DoNotInvoice,
            BillingRule::Immediately,
            BillingRule::DaysBeforeRun(7),
            BillingRule::DaysAfterRun(0),
        ] {
            assert_eq!(BillingRule::from_parts(rule.kind(), i64::from(rule.days())), Ok(rule));
        }
        assert!(BillingRule::from_parts("days_before", -1).is_err());
        assert!(BillingRule::from_parts("days_after", 3651).is_err());
        assert!(BillingRule::from_parts("weekly", 1).is_err());
    }

    proptest! {
        #[test]
        fn before_and_after_are_inverse(days in 0u16..=MAX_RULE_DAYS, offset in 0i64..200_000) {
            let run = d(1900, 1, 1) + chrono::Duration::days(offset);
            let booked = d(2000, 1, 1);
            let before = BillingRule::DaysBeforeRun(days).billable_date(run, booked).unwrap();
            let after = BillingRule::DaysAfterRun(days).billable_date(run, booked).unwrap();
            prop_assert_eq!((run - before).num_days(), i64::from(days));
            prop_assert_eq!((after - run).num_days(), i64::from(days));
        }
    }
}
