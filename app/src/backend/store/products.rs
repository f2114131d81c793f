//! Product writes.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::billing_rule::BillingRule,
    on_db,
};

pub async fn save_rule(
    db: &Db,
    id: i64,
    rule: BillingRule,
    ignore_before: Option<NaiveDate>,
    auto_invoice: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = on_db!(db, p => sqlx::query(
        "UPDATE products SET billing_rule = $1, rule_days = $2, ignore_before = $3, auto_invoice = $4, updated_at = $5 WHERE id = $6")
        .bind(rule.kind()).bind(i32::from(rule.days())).bind(ignore_before).bind(auto_invoice).bind(now).bind(id)
        .execute(p).await?.rows_affected());
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
