//! Accounts receivable aging: how long each open balance has been past due on a given day.
//!
//! An invoice counts on day D when it was issued on or before D and is neither a draft nor
//! void; its balance on D is its total less the payments received on or before D that were
//! allocated to it (voided payments never count). The balance falls in one bucket by the days
//! between its due date and D. Unapplied credit on D is what payments received by then did
//! not allocate. The report's SQL computes the same; a test holds the two together.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgingBucket {
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::Current,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of a balance due on `due` when looked at on `as_of`.
    pub fn of(due: NaiveDate, as_of: NaiveDate) -> AgingBucket {
        match (as_of - due).num_days() {
            ..=0 => AgingBucket::Current,
            1..=30 => AgingBucket::Days1To30,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgingBucket::Current => "Current",
            AgingBucket::Days1To30 => "1–30 days",
            AgingBucket::Days31To60 => "31–60 days",
            AgingBucket::Days61To90 => "61–90 days",
            AgingBucket::Over90 => "Over 90 days",
        }
    }

    /// Due dates that fall in this bucket on `as_of`, as `[from, until)` (either end open).
    /// The SQL query compares due dates with these bounds instead of doing date arithmetic,
    /// which SQLite and PostgreSQL spell differently.
    pub fn due_between(self, as_of: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let days_before = |n: u64| as_of.checked_sub_days(chrono::Days::new(n));
        match self {
            AgingBucket::Current => (Some(as_of), None),
            AgingBucket::Days1To30 => (days_before(30), Some(as_of)),
            AgingBucket::Days31To60 => (days_before(60), days_before(30)),
            AgingBucket::Days61To90 => (days_before(90), days_before(60)),
            AgingBucket::Over90 => (None, days_before(90)),
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Open balances by bucket, in [`AgingBucket::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buckets(pub [Decimal; 5]);

impl Buckets {
    pub fn add(&mut self, bucket: AgingBucket, amount: Decimal) {
        self.0[bucket.index()] += amount;
    }

    pub fn get(&self, bucket: AgingBucket) -> Decimal {
        self.0[bucket.index()]
    }

    pub fn total(&self) -> Decimal {
        self.0.iter().sum()
    }

    /// Everything past its due date.
    pub fn past_due(&self) -> Decimal {
        self.total() - self.get(AgingBucket::Current)
    }

    pub fn merge(&mut self, other: &Buckets) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

/// One invoice as the aging sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgedInvoice<K> {
    pub account: K,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Decimal,
    /// Neither draft nor void.
    pub counts: bool,
}

/// A payment that was not voided.
#[derive(Debug, Clone, PartialEq)]
pub struct AgedPayment<K> {
    pub account: K,
    pub received_on: NaiveDate,
    pub amount: Decimal,
}

/// What a payment paid of an invoice (indexes into the payments and invoices given with it).
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub payment: usize,
    pub invoice: usize,
    pub amount: Decimal,
}

/// One account's line of the aging on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountAging {
    pub buckets: Buckets,
    pub open_invoices: i64,
    /// Received by the day and not applied to an invoice that counts on it.
    pub unapplied_credit: Decimal,
}

/// The straightforward computation, invoice by invoice and payment by payment: the reference
/// the report's SQL is tested against. Accounts with neither an open balance nor credit on
/// `as_of` are left out.
pub fn age<K: Ord + Clone>(
    invoices: &[AgedInvoice<K>],
    payments: &[AgedPayment<K>],
    allocations: &[Allocation],
    as_of: NaiveDate,
) -> BTreeMap<K, AccountAging> {
    let counts_on_day = |inv: &AgedInvoice<K>| inv.counts && inv.issue_date <= as_of;
    let mut paid = vec![Decimal::ZERO; invoices.len()];
    let mut unapplied: Vec<Decimal> = payments.iter().map(|p| p.amount).collect();
    for a in allocations {
        let (Some(payment), Some(invoice)) = (payments.get(a.payment), invoices.get(a.invoice)) else { continue };
        if payment.received_on <= as_of && counts_on_day(invoice) {
            paid[a.invoice] += a.amount;
            unapplied[a.payment] -= a.amount;
        }
    }
    let mut by_account: BTreeMap<K, AccountAging> = BTreeMap::new();
    for (inv, paid) in invoices.iter().zip(paid) {
        let balance = inv.total - paid;
        if counts_on_day(inv) && balance > Decimal::ZERO {
            let line = by_account.entry(inv.account.clone()).or_default();
            line.buckets.add(AgingBucket::of(inv.due_date, as_of), balance);
            line.open_invoices += 1;
        }
    }
    for (p, left) in payments.iter().zip(unapplied) {
        if p.received_on <= as_of && left > Decimal::ZERO {
            by_account.entry(p.account.clone()).or_default().unapplied_credit += left;
        }
    }
    by_account
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn buckets_follow_days_past_due() {
        let as_of = d("2026-12-01");
        for (due, bucket) in [
            ("2026-12-31", AgingBucket::Current),
            ("2026-12-01", AgingBucket::Current),
            ("2026-11-30", AgingBucket::Days1To30),
            ("2026-11-01", AgingBucket::Days1To30),
            ("2026-10-31", AgingBucket::Days31To60),
            ("2026-10-02", AgingBucket::Days31To60),
            ("2026-10-01", AgingBucket::Days61To90),
            ("2026-09-02", AgingBucket::Days61To90),
            ("2026-09-01", AgingBucket::Over90),
            ("2016-01-01", AgingBucket::Over90),
        ] {
            assert_eq!(AgingBucket::of(d(due), as_of), bucket, "due {due}");
        }
    }

    #[test]
    fn due_bounds_agree_with_the_bucket_of_every_nearby_day() {
        let as_of = d("2026-03-01"); // across February's short month
        for offset in -120..=40_i64 {
            let due = as_of + chrono::Duration::days(offset);
            let bucket = AgingBucket::of(due, as_of);
            for b in AgingBucket::ALL {
                let (from, until) = b.due_between(as_of);
                let inside = from.is_none_or(|f| due >= f) && until.is_none_or(|u| due < u);
                assert_eq!(inside, b == bucket, "due {due}: {b:?} vs {bucket:?}");
            }
        }
    }

    #[test]
    fn balances_on_a_day_count_only_what_was_issued_and_paid_by_then() {
        let invoices = vec![
            AgedInvoice {
                account: 1,
                issue_date: d("2026-09-01"),
                due_date: d("2026-10-01"),
                total: Decimal::from(100),
                counts: true,
            },
            AgedInvoice {
                account: 1,
                issue_date: d("2026-11-20"),
                due_date: d("2026-12-20"),
                total: Decimal::from(50),
                counts: true,
            },
            AgedInvoice {
                account: 2,
                issue_date: d("2026-12-05"),
                due_date: d("2027-01-04"),
                total: Decimal::from(70),
                counts: true,
            },
            AgedInvoice {
                account: 2,
                issue_date: d("2026-08-01"),
                due_date: d("2026-08-31"),
                total: Decimal::from(80),
                counts: false,
            },
        ];
        let payments = vec![
            AgedPayment { account: 1, received_on: d("2026-11-15"), amount: Decimal::from(40) },
            // 60 for invoice 0 and 30 that waits as credit until invoice 2 is issued.
            AgedPayment { account: 2, received_on: d("2026-11-28"), amount: Decimal::from(30) },
            AgedPayment { account: 1, received_on: d("2026-12-10"), amount: Decimal::from(60) },
        ];
        let allocations = vec![
            Allocation { payment: 0, invoice: 0, amount: Decimal::from(40) },
            Allocation { payment: 1, invoice: 2, amount: Decimal::from(30) },
            Allocation { payment: 2, invoice: 0, amount: Decimal::from(60) },
        ];
        let on = |day| age(&invoices, &payments, &allocations, d(day));

        let dec1 = on("2026-12-01");
        let one = &dec1[&1].buckets;
        assert_eq!(one.get(AgingBucket::Days61To90), Decimal::from(60));
        assert_eq!(one.get(AgingBucket::Current), Decimal::from(50));
        assert_eq!(one.total(), Decimal::from(110));
        assert_eq!(one.past_due(), Decimal::from(60));
        assert_eq!(dec1[&1].open_invoices, 2);
        // Account 2's only invoices are issued later or void: what it paid is credit.
        assert_eq!(dec1[&2].buckets.total(), Decimal::ZERO);
        assert_eq!(dec1[&2].unapplied_credit, Decimal::from(30));

        let dec10 = on("2026-12-10");
        assert_eq!(dec10[&1].buckets.total(), Decimal::from(50), "paid in full on the 10th");
        assert_eq!(dec10[&2].buckets.get(AgingBucket::Current), Decimal::from(40));
        assert_eq!(dec10[&2].unapplied_credit, Decimal::ZERO);
    }
}
