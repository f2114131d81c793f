//! The collections dashboard: what is owed and how collection is going, month by month.
//! Balances and buckets come from the aging (`reports::aging`), so the dashboard and
//! Accounting > Aging can never disagree.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{
    backend::{Db, StoreError, platform::fixed, reports::aging},
    domain::{aging::Buckets, ids::AccountId},
    on_db,
    views::common::{CollectionsSummary, MonthFigures, OverdueAccount},
};

/// Days of sales in the days-sales-outstanding ratio.
pub const DSO_DAYS: u32 = 90;

/// The first day of the month `back` months before `day`'s month.
fn month_start(day: NaiveDate, back: u32) -> NaiveDate {
    let first = day.with_day(1).expect("every month has a first day");
    first.checked_sub_months(Months::new(back)).unwrap_or(first)
}

pub async fn summary(
    db: &Db,
    today: NaiveDate,
    now: DateTime<Utc>,
    months: u32,
) -> Result<CollectionsSummary, StoreError> {
    let months = months.max(1);
    let aging_today = aging::by_account(db, today).await?;
    let mut buckets = Buckets::default();
    let mut unapplied_credit = Decimal::ZERO;
    for a in aging_today.values() {
        buckets.merge(&a.buckets);
        unapplied_credit += a.unapplied_credit;
    }
    let names = account_names(db).await?;
    let mut overdue: Vec<OverdueAccount> = aging_today
        .iter()
        .filter(|(_, a)| a.buckets.past_due() > Decimal::ZERO)
        .map(|(id, a)| OverdueAccount {
            account_id: *id,
            account: names.get(id).cloned().unwrap_or_default(),
            past_due: a.buckets.past_due(),
            buckets: a.buckets,
        })
        .collect();
    overdue.sort_by(|a, b| b.past_due.cmp(&a.past_due).then_with(|| a.account.cmp(&b.account)));
    overdue.truncate(10);

    let first = month_start(today, months - 1);
    let mut by_month: Vec<MonthFigures> = (0..months)
        .map(|i| MonthFigures {
            month: first.checked_add_months(Months::new(i)).unwrap_or(first),
            invoiced: Decimal::ZERO,
            collected: Decimal::ZERO,
            past_due_at_end: Decimal::ZERO,
        })
        .collect();
    let count = by_month.len();
    let index = |d: NaiveDate| {
        let m = (d.year() - first.year()) * 12 + d.month() as i32 - first.month() as i32;
        usize::try_from(m).ok().filter(|m| *m < count)
    };
    let invoiced = on_db!(db, p => sqlx::query_as::<_, (NaiveDate, i64)>(
        "SELECT issue_date, CAST(SUM(total) AS BIGINT) FROM invoices
         WHERE status NOT IN ('draft', 'void') AND issue_date >= $1 AND issue_date <= $2 GROUP BY issue_date")
        .bind(first).bind(today).fetch_all(p).await?);
    let collected = on_db!(db, p => sqlx::query_as::<_, (NaiveDate, i64)>(
        "SELECT received_on, CAST(SUM(amount) AS BIGINT) FROM payments
         WHERE voided_at IS NULL AND received_on >= $1 AND received_on <= $2 GROUP BY received_on")
        .bind(first).bind(today).fetch_all(p).await?);
    let dso_from = today.checked_sub_days(Days::new(u64::from(DSO_DAYS) - 1)).unwrap_or(today);
    let mut sales_for_dso = Decimal::ZERO;
    for (day, total) in invoiced {
        if let Some(i) = index(day) {
            by_month[i].invoiced += fixed::from_db(total);
        }
        if day >= dso_from {
            sales_for_dso += fixed::from_db(total);
        }
    }
    for (day, amount) in collected {
        if let Some(i) = index(day) {
            by_month[i].collected += fixed::from_db(amount);
        }
    }
    // Past due at each month's end (today for the month in progress): the aging of that day.
    for m in &mut by_month {
        let end = m.month.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(m.month).min(today);
        m.past_due_at_end = if end == today {
            buckets.past_due()
        } else {
            aging::by_account(db, end).await?.values().map(|a| a.buckets.past_due()).sum()
        };
    }

    let outstanding = buckets.total();
    let dso =
        (sales_for_dso > Decimal::ZERO).then(|| (outstanding / sales_for_dso * Decimal::from(DSO_DAYS)).round_dp(0));
    let week_ago = now - chrono::Duration::days(7);
    let (reminders_last_7_days, email_failures) = on_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM invoice_reminders WHERE status = 'sent' AND sent_at >= $1),
                (SELECT COUNT(*) FROM outbox WHERE status = 'failed')")
        .bind(week_ago).fetch_one(p).await?);
    Ok(CollectionsSummary {
        outstanding,
        past_due: buckets.past_due(),
        unapplied_credit,
        dso_days: dso,
        buckets,
        months: by_month,
        top_overdue: overdue,
        reminders_last_7_days,
        email_failures,
    })
}

async fn account_names(db: &Db) -> Result<std::collections::BTreeMap<AccountId, String>, StoreError> {
    let rows: Vec<(AccountId, String)> =
        on_db!(db, p => sqlx::query_as("SELECT id, name FROM accounts").fetch_all(p).await?);
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_step_back_across_years() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(month_start(d("2026-12-31"), 0), d("2026-12-01"));
        assert_eq!(month_start(d("2026-03-31"), 1), d("2026-02-01"));
        assert_eq!(month_start(d("2026-01-15"), 11), d("2025-02-01"));
    }
}
