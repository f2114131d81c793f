//! What saving a new billing rule would do to a product's unbilled line items, shown on Manage
//! Rules before Save: which become billable now, which move earlier or later, which stop or start
//! billing, and the amount billable in the coming days before and after.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::billing_rule::{BillableStatus, BillingRule, LineItemTiming};

/// Days ahead the "billable soon" amounts look.
pub const HORIZON_DAYS: u64 = 30;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleChangeEffect {
    /// Unbilled line items looked at.
    pub line_items: i64,
    /// Not billable yet under the saved rule, billable today under the new one.
    pub become_billable_now: i64,
    pub earlier: i64,
    pub later: i64,
    /// Billable (now or later) under the saved rule, never under the new one.
    pub stop_billing: i64,
    pub start_billing: i64,
    /// Amount billable by today + `HORIZON_DAYS`, under each rule.
    pub billable_soon_before: Decimal,
    pub billable_soon_after: Decimal,
}

impl RuleChangeEffect {
    pub fn changes_anything(&self) -> bool {
        self.earlier + self.later + self.stop_billing + self.start_billing > 0
    }
}

fn billable_date(t: &LineItemTiming, today: NaiveDate) -> Option<NaiveDate> {
    match t.status(today) {
        BillableStatus::BillableNow { since } => Some(since),
        BillableStatus::BillableOn(d) => Some(d),
        BillableStatus::NotBillable(_) => None,
    }
}

/// `items` are the product's unbilled line items with their amounts, timed by the saved rule.
pub fn effect(items: &[(LineItemTiming, Decimal)], new_rule: BillingRule, today: NaiveDate) -> RuleChangeEffect {
    let horizon = today.checked_add_days(Days::new(HORIZON_DAYS)).unwrap_or(NaiveDate::MAX);
    let mut e = RuleChangeEffect { line_items: items.len() as i64, ..Default::default() };
    for (old, amount) in items {
        let new = LineItemTiming { rule: new_rule, ..*old };
        let (before, after) = (billable_date(old, today), billable_date(&new, today));
        if before.is_some_and(|d| d <= horizon) {
            e.billable_soon_before += amount;
        }
        if after.is_some_and(|d| d <= horizon) {
            e.billable_soon_after += amount;
        }
        match (before, after) {
            (Some(_), None) => e.stop_billing += 1,
            (None, Some(_)) => e.start_billing += 1,
            (Some(b), Some(a)) if a < b => {
                e.earlier += 1;
                if b > today && a <= today {
                    e.become_billable_now += 1;
                }
            }
            (Some(b), Some(a)) if a > b => e.later += 1,
            _ => {}
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn item(run: &str, confirmed: bool) -> (LineItemTiming, Decimal) {
        let t = LineItemTiming {
            rule: BillingRule::DaysBeforeRun(5),
            run_date: d(run),
            booked_on: d("2026-11-01"),
            ignore_before: None,
            order_confirmed: confirmed,
        };
        (t, Decimal::from(100))
    }

    #[test]
    fn moving_from_five_days_before_to_fifteen_before_bills_sooner() {
        let today = d("2026-12-01");
        let items =
            [item("2026-12-10", true), item("2026-12-30", true), item("2027-03-01", true), item("2026-12-10", false)];
        let e = effect(&items, BillingRule::DaysBeforeRun(15), today);
        assert_eq!(e.line_items, 4);
        assert_eq!((e.earlier, e.later, e.become_billable_now), (3, 0, 1), "Dec 10 − 15 days is already past");
        assert_eq!((e.stop_billing, e.start_billing), (0, 0), "an unconfirmed order bills under neither");
        assert_eq!(e.billable_soon_before, Decimal::from(200));
        assert_eq!(e.billable_soon_after, Decimal::from(200));
        assert!(e.changes_anything());
    }

    #[test]
    fn do_not_invoice_stops_everything_and_back_starts_it() {
        let today = d("2026-12-01");
        let items = [item("2026-12-10", true), item("2026-12-20", true)];
        let e = effect(&items, BillingRule::DoNotInvoice, today);
        assert_eq!((e.stop_billing, e.billable_soon_after), (2, Decimal::ZERO));
        let same = effect(&items, BillingRule::DaysBeforeRun(5), today);
        assert!(!same.changes_anything());
        assert_eq!(same.billable_soon_before, same.billable_soon_after);
    }
}
