use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

use crate::{
    backend::{Db, StoreError, platform::fixed},
    on_db,
    views::common::WeekBucket,
};

pub struct Counts {
    pub accounts: i64,
    pub products: i64,
    pub orders: i64,
    pub line_items: i64,
    pub accounts_without_recipient: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, StoreError> {
    let (accounts, products, orders, line_items, accounts_without_recipient) = on_db!(db, p => sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(
        "SELECT
           (SELECT COUNT(*) FROM accounts WHERE archived_at IS NULL),
           (SELECT COUNT(*) FROM products WHERE active = TRUE),
           (SELECT COUNT(*) FROM orders),
           (SELECT COUNT(*) FROM line_items),
           (SELECT COUNT(*) FROM accounts a WHERE a.archived_at IS NULL AND a.bill_to_account_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id AND c.invoice_role = 'to'))")
        .fetch_one(p).await?);
    Ok(Counts { accounts, products, orders, line_items, accounts_without_recipient })
}

/// Booked amount per week (weeks start on Monday) for `weeks` weeks from the week of `today`.
pub async fn booked_by_week(db: &Db, today: NaiveDate, weeks: u32) -> Result<Vec<WeekBucket>, StoreError> {
    let start = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let end = start + Days::new(u64::from(weeks) * 7);
    let rows = on_db!(db, p => sqlx::query_as::<_, (NaiveDate, i64, i64, i64)>(
        "SELECT li.run_date, COUNT(*), CAST(SUM(li.quantity * li.unit_price) AS BIGINT), CAST(SUM(li.discount) AS BIGINT)
         FROM line_items li JOIN orders o ON o.id = li.order_id
         WHERE o.status <> 'cancelled' AND li.run_date >= $1 AND li.run_date < $2
         GROUP BY li.run_date")
        .bind(start).bind(end).fetch_all(p).await?);
    let mut buckets: Vec<WeekBucket> = (0..weeks)
        .map(|w| WeekBucket { week_start: start + Days::new(u64::from(w) * 7), line_items: 0, amount: Decimal::ZERO })
        .collect();
    for (run_date, n, gross_e8, discount) in rows {
        let idx = ((run_date - start).num_days() / 7) as usize;
        if let Some(b) = buckets.get_mut(idx) {
            b.line_items += n;
            b.amount += Decimal::new(gross_e8, 2 * fixed::SCALE) - fixed::from_db(discount);
        }
    }
    for b in &mut buckets {
        b.amount = crate::domain::money::round_cents(b.amount);
    }
    Ok(buckets)
}

/// Money received per week (Monday to Sunday) over the `weeks` weeks that end with this one.
pub async fn received_by_week(db: &Db, today: NaiveDate, weeks: u32) -> Result<Vec<WeekBucket>, StoreError> {
    let this_week = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let start = this_week - Days::new(u64::from(weeks.saturating_sub(1)) * 7);
    let rows = on_db!(db, p => sqlx::query_as::<_, (NaiveDate, i64, i64)>(
        "SELECT received_on, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM payments
         WHERE voided_at IS NULL AND received_on >= $1 AND received_on <= $2 GROUP BY received_on")
        .bind(start).bind(today).fetch_all(p).await?);
    let mut buckets: Vec<WeekBucket> = (0..weeks)
        .map(|w| WeekBucket { week_start: start + Days::new(u64::from(w) * 7), line_items: 0, amount: Decimal::ZERO })
        .collect();
    for (day, n, amount) in rows {
        if let Some(b) = buckets.get_mut(((day - start).num_days() / 7) as usize) {
            b.line_items += n;
            b.amount += fixed::from_db(amount);
        }
    }
    Ok(buckets)
}
