//! Read models behind the JSON REST API (`/api/v1`): accounts with their contacts, orders with
//! their line items, and line items with whether an invoice bills them. Lists are paged in SQL.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::ids::{AccountId, ContactId, InvoiceId, LineItemId, OrderId, ProductId},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRecord {
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub bill_to_account_id: Option<AccountId>,
    pub payment_terms_days: Option<i32>,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRecord {
    pub id: ContactId,
    pub account_id: AccountId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub invoice_role: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRecord {
    pub id: OrderId,
    pub order_number: String,
    pub account_id: AccountId,
    pub status: String,
    pub ordered_on: NaiveDate,
    pub notes: String,
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A line item with the live invoice that bills it, if any. Amounts are stored fixed-point.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineItemRecord {
    pub id: LineItemId,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub product: String,
    pub run_date: NaiveDate,
    pub description: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount: i64,
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
}

/// Whether a line item is on a live (not void) invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    Billed,
    Unbilled,
}

const ACCOUNT_COLUMNS: &str = "id, name, kind, bill_to_account_id, payment_terms_days, email, phone, address, notes,
    external_ref, created_at, archived_at";
const ORDER_COLUMNS: &str =
    "id, order_number, account_id, status, ordered_on, notes, external_ref, created_at, updated_at";
const LINE_SELECT: &str = "SELECT li.id, li.order_id, li.product_id, p.name AS product, li.run_date, li.description,
       li.quantity, li.unit_price, li.discount, il.invoice_id, i.number AS invoice_number
     FROM line_items li
     JOIN products p ON p.id = li.product_id
     LEFT JOIN invoice_lines il ON il.line_item_id = li.id AND il.live = TRUE
     LEFT JOIN invoices i ON i.id = il.invoice_id";

/// `$first, $first+1, …` for binding a list of ids.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub async fn accounts_page(
    db: &Db,
    external_ref: Option<&str>,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<AccountRecord>), StoreError> {
    // `$1 IS NULL` keeps one statement for "all" and "by reference".
    let filter = "(CAST($1 AS TEXT) IS NULL OR external_ref = $1)";
    let count_sql = format!("SELECT COUNT(*) FROM accounts WHERE {filter}");
    let rows_sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {filter} ORDER BY id LIMIT $2 OFFSET $3");
    Ok(on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>(&count_sql).bind(external_ref).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, AccountRecord>(&rows_sql)
            .bind(external_ref).bind(per_page).bind((page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    }))
}

pub async fn account(db: &Db, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as::<_, AccountRecord>(&sql).bind(id).fetch_optional(p).await?))
}

pub async fn account_id_by_external_ref(db: &Db, external_ref: &str) -> Result<Option<AccountId>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, AccountId>("SELECT id FROM accounts WHERE external_ref = $1")
        .bind(external_ref).fetch_optional(p).await?))
}

/// Contacts of the given accounts, in the order they were added.
pub async fn contacts_of(db: &Db, account_ids: &[AccountId]) -> Result<Vec<ContactRecord>, StoreError> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, account_id, name, email, phone, invoice_role FROM contacts WHERE account_id IN ({}) ORDER BY id",
        placeholders(1, account_ids.len())
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as::<_, ContactRecord>(&sql);
        for id in account_ids { q = q.bind(*id); }
        q.fetch_all(p).await?
    }))
}

pub async fn orders_page(
    db: &Db,
    account_id: Option<AccountId>,
    external_ref: Option<&str>,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<OrderRecord>), StoreError> {
    let filter = "(CAST($1 AS BIGINT) IS NULL OR account_id = $1) AND (CAST($2 AS TEXT) IS NULL OR external_ref = $2)";
    let count_sql = format!("SELECT COUNT(*) FROM orders WHERE {filter}");
    let rows_sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE {filter} ORDER BY id LIMIT $3 OFFSET $4");
    Ok(on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>(&count_sql).bind(account_id).bind(external_ref).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, OrderRecord>(&rows_sql)
            .bind(account_id).bind(external_ref).bind(per_page).bind((page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    }))
}

pub async fn order(db: &Db, id: OrderId) -> Result<Option<OrderRecord>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as::<_, OrderRecord>(&sql).bind(id).fetch_optional(p).await?))
}

/// The order an external reference or an order number already names, for idempotent creation.
pub async fn order_id_by_natural_key(
    db: &Db,
    external_ref: Option<&str>,
    order_number: Option<&str>,
) -> Result<Option<OrderId>, StoreError> {
    if external_ref.is_none() && order_number.is_none() {
        return Ok(None);
    }
    Ok(on_db!(db, p => sqlx::query_scalar::<_, OrderId>(
        "SELECT id FROM orders WHERE external_ref = $1 OR order_number = $2 ORDER BY id LIMIT 1")
        .bind(external_ref).bind(order_number).fetch_optional(p).await?))
}

/// Line items of the given orders, by order and then run date.
pub async fn lines_of(db: &Db, order_ids: &[OrderId]) -> Result<Vec<LineItemRecord>, StoreError> {
    if order_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{LINE_SELECT} WHERE li.order_id IN ({}) ORDER BY li.order_id, li.run_date, li.id",
        placeholders(1, order_ids.len())
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as::<_, LineItemRecord>(&sql);
        for id in order_ids { q = q.bind(*id); }
        q.fetch_all(p).await?
    }))
}

pub async fn line_items_page(
    db: &Db,
    order_id: Option<OrderId>,
    billing: Option<Billing>,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<LineItemRecord>), StoreError> {
    let mut filter = String::from("(CAST($1 AS BIGINT) IS NULL OR li.order_id = $1)");
    match billing {
        Some(Billing::Billed) => filter.push_str(" AND il.id IS NOT NULL"),
        Some(Billing::Unbilled) => filter.push_str(" AND il.id IS NULL"),
        None => {}
    }
    let count_sql = format!(
        "SELECT COUNT(*) FROM line_items li
         LEFT JOIN invoice_lines il ON il.line_item_id = li.id AND il.live = TRUE WHERE {filter}"
    );
    let rows_sql = format!("{LINE_SELECT} WHERE {filter} ORDER BY li.id LIMIT $2 OFFSET $3");
    Ok(on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>(&count_sql).bind(order_id).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, LineItemRecord>(&rows_sql)
            .bind(order_id).bind(per_page).bind((page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    }))
}
