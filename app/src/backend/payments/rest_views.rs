//! Read models behind `/api/v1/payments`: payments with what they paid, paged in SQL.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::ids::{AccountId, InvoiceId, PaymentId},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRecord {
    pub id: PaymentId,
    pub account_id: AccountId,
    pub method: String,
    pub amount: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub provider: String,
    pub created_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AllocationRecord {
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    pub invoice_number: Option<String>,
    pub amount: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub account_id: Option<AccountId>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

const COLUMNS: &str =
    "id, account_id, method, amount, currency, received_on, reference, provider, created_at, voided_at, void_reason";

fn conditions(f: &PaymentFilter) -> (String, usize) {
    let mut parts = Vec::new();
    for (present, sql) in [
        (f.account_id.is_some(), "account_id = "),
        (f.received_from.is_some(), "received_on >= "),
        (f.received_to.is_some(), "received_on <= "),
    ] {
        if present {
            parts.push(format!("{sql}${}", parts.len() + 1));
        }
    }
    let used = parts.len();
    (if parts.is_empty() { "TRUE".into() } else { parts.join(" AND ") }, used)
}

macro_rules! bind_filter {
    ($q:expr, $f:expr) => {{
        let mut q = $q;
        if let Some(a) = $f.account_id {
            q = q.bind(a);
        }
        if let Some(d) = $f.received_from {
            q = q.bind(d);
        }
        if let Some(d) = $f.received_to {
            q = q.bind(d);
        }
        q
    }};
}

/// A page of payments, oldest first (by id), with how many match in all.
pub async fn payments_page(
    db: &Db,
    f: &PaymentFilter,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<PaymentRecord>), StoreError> {
    let (filter, used) = conditions(f);
    let count_sql = format!("SELECT COUNT(*) FROM payments WHERE {filter}");
    let rows_sql =
        format!("SELECT {COLUMNS} FROM payments WHERE {filter} ORDER BY id LIMIT ${} OFFSET ${}", used + 1, used + 2);
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    Ok(on_db!(db, p => {
        let total = bind_filter!(sqlx::query_scalar::<_, i64>(&count_sql), f).fetch_one(p).await?;
        let rows = bind_filter!(sqlx::query_as::<_, PaymentRecord>(&rows_sql), f)
            .bind(per_page).bind(offset).fetch_all(p).await?;
        (total, rows)
    }))
}

pub async fn payment(db: &Db, id: PaymentId) -> Result<Option<PaymentRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as::<_, PaymentRecord>(&sql).bind(id).fetch_optional(p).await?))
}

/// What each of `payments` paid, in allocation order.
pub async fn allocations_of(db: &Db, payments: &[PaymentId]) -> Result<Vec<AllocationRecord>, StoreError> {
    if payments.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=payments.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT pa.payment_id, pa.invoice_id, i.number AS invoice_number, pa.amount
         FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
         WHERE pa.payment_id IN ({list}) ORDER BY pa.id"
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as::<_, AllocationRecord>(&sql);
        for id in payments { q = q.bind(*id); }
        q.fetch_all(p).await?
    }))
}

/// The payment recorded with a caller's once-only key (its `provider_ref`).
pub async fn payment_by_once_key(db: &Db, key: &str) -> Result<Option<PaymentId>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, PaymentId>("SELECT id FROM payments WHERE provider_ref = $1")
        .bind(key).fetch_optional(p).await?))
}
