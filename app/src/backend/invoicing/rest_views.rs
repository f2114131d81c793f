//! Read models behind `/api/v1/invoices`: invoices with their lines, filtered and paged in SQL.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::ids::{AccountId, InvoiceId},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account_name: String,
    pub status: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub tax_total: i64,
    pub total: i64,
    pub amount_paid: i64,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: String,
    /// The last thing that happened to it (its timeline's newest event), or its creation.
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceLineRecord {
    pub line_item_id: Option<i64>,
    pub position: i64,
    pub product_name: String,
    pub description: String,
    pub run_date: Option<NaiveDate>,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount: i64,
    pub tax_rate: i64,
    pub net_amount: i64,
    pub tax_amount: i64,
}

/// What a list asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub status: Option<String>,
    pub account_id: Option<AccountId>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    pub updated_since: Option<DateTime<Utc>>,
}

const UPDATED_AT: &str = "COALESCE((SELECT MAX(e.at) FROM invoice_events e WHERE e.invoice_id = i.id), i.created_at)";

fn select() -> String {
    format!(
        "SELECT i.id, i.number, i.account_id, a.name AS account_name, i.status, i.issue_date, i.due_date, i.currency,
                i.subtotal, i.discount_total, i.tax_total, i.total, i.amount_paid, i.source, i.created_at, i.sent_at,
                i.voided_at, i.void_reason, {UPDATED_AT} AS updated_at
         FROM invoices i JOIN accounts a ON a.id = i.account_id"
    )
}

/// Binds only the conditions asked for, so no engine has to guess a NULL parameter's type.
macro_rules! bind_filter {
    ($q:expr, $f:expr) => {{
        let mut q = $q;
        if let Some(s) = &$f.status {
            q = q.bind(s.clone());
        }
        if let Some(a) = $f.account_id {
            q = q.bind(a);
        }
        if let Some(d) = $f.issued_from {
            q = q.bind(d);
        }
        if let Some(d) = $f.issued_to {
            q = q.bind(d);
        }
        if let Some(t) = $f.updated_since {
            q = q.bind(t);
        }
        q
    }};
}

fn conditions(f: &InvoiceFilter) -> (String, usize) {
    let mut parts = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if f.status.is_some() {
        parts.push(format!("i.status = ${}", next()));
    }
    if f.account_id.is_some() {
        parts.push(format!("i.account_id = ${}", next()));
    }
    if f.issued_from.is_some() {
        parts.push(format!("i.issue_date >= ${}", next()));
    }
    if f.issued_to.is_some() {
        parts.push(format!("i.issue_date <= ${}", next()));
    }
    if f.updated_since.is_some() {
        parts.push(format!("{UPDATED_AT} >= ${}", next()));
    }
    let used = n;
    (if parts.is_empty() { "TRUE".into() } else { parts.join(" AND ") }, used)
}

/// A page of invoices, oldest first (by id), and how many match in all.
pub async fn invoices_page(
    db: &Db,
    f: &InvoiceFilter,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<InvoiceRecord>), StoreError> {
    let (filter, used) = conditions(f);
    let count_sql = format!("SELECT COUNT(*) FROM invoices i WHERE {filter}");
    let rows_sql = format!("{} WHERE {filter} ORDER BY i.id LIMIT ${} OFFSET ${}", select(), used + 1, used + 2);
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    Ok(on_db!(db, p => {
        let total = bind_filter!(sqlx::query_scalar::<_, i64>(&count_sql), f).fetch_one(p).await?;
        let rows = bind_filter!(sqlx::query_as::<_, InvoiceRecord>(&rows_sql), f)
            .bind(per_page).bind(offset).fetch_all(p).await?;
        (total, rows)
    }))
}

pub async fn invoice(db: &Db, id: InvoiceId) -> Result<Option<(InvoiceRecord, Vec<InvoiceLineRecord>)>, StoreError> {
    let sql = format!("{} WHERE i.id = $1", select());
    Ok(on_db!(db, p => {
        match sqlx::query_as::<_, InvoiceRecord>(&sql).bind(id).fetch_optional(p).await? {
            None => None,
            Some(inv) => {
                let lines = sqlx::query_as::<_, InvoiceLineRecord>(
                    "SELECT line_item_id, CAST(position AS BIGINT) AS position, product_name, description, run_date,
                            quantity, unit_price, discount, tax_rate, net_amount, tax_amount
                     FROM invoice_lines WHERE invoice_id = $1 ORDER BY position, id")
                    .bind(id).fetch_all(p).await?;
                Some((inv, lines))
            }
        }
    }))
}
