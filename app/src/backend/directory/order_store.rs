//! Order reads for the editor, the import and the REST API, and the batch insert both the
//! editor and the import write line items with.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{
        ids::{AccountId, InvoiceId, LineItemId, OrderId, ProductId},
        money::round_cents,
        order_input::OrderStatus,
    },
    on_db,
    views::orders::{AccountChoice, OrderDetail, OrderLine, ProductChoice},
};

/// Rows per multi-row INSERT: 9 bound values each stays far below both engines' parameter limits.
pub const INSERT_CHUNK: usize = 1_000;

/// Inserts `(order_id, &ValidLine)` pairs with multi-row INSERTs on the open transaction `$tx`.
/// A macro rather than a function so that it is compiled for each engine's transaction type.
macro_rules! insert_line_items {
    ($tx:expr, $rows:expr, $now:expr) => {{
        let now: chrono::DateTime<chrono::Utc> = $now;
        let mut result: Result<(), $crate::backend::StoreError> = Ok(());
        for chunk in $rows.chunks($crate::backend::directory::order_store::INSERT_CHUNK) {
            let mut values: Vec<(OrderId, ProductId, chrono::NaiveDate, &str, i64, i64, i64)> = Vec::with_capacity(chunk.len());
            for (order_id, l) in chunk.iter() {
                let l: &$crate::domain::order_input::ValidLine = l;
                let q = $crate::backend::platform::fixed::to_db(l.quantity);
                let p = $crate::backend::platform::fixed::to_db(l.unit_price);
                let d = $crate::backend::platform::fixed::to_db(l.discount);
                match (q, p, d) {
                    (Ok(q), Ok(p), Ok(d)) => values.push((*order_id, l.product_id, l.run_date, l.description.as_str(), q, p, d)),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => { result = Err(e); break; }
                }
            }
            if result.is_err() {
                break;
            }
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at) ",
            );
            qb.push_values(values, |mut b, (o, pr, r, desc, q, p, d)| {
                b.push_bind(o).push_bind(pr).push_bind(r).push_bind(desc).push_bind(q).push_bind(p).push_bind(d)
                    .push_bind(now).push_bind(now);
            });
            if let Err(e) = qb.build().execute(&mut *$tx).await {
                result = Err($crate::backend::StoreError::from(e));
                break;
            }
        }
        result
    }};
}
pub(crate) use insert_line_items;

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: OrderId,
    order_number: String,
    account_id: AccountId,
    account: String,
    status: String,
    ordered_on: NaiveDate,
    notes: String,
    external_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: LineItemId,
    product_id: ProductId,
    product: String,
    run_date: NaiveDate,
    description: String,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    invoice_id: Option<InvoiceId>,
    invoice_number: Option<String>,
}

pub async fn get(db: &Db, id: OrderId) -> Result<Option<OrderDetail>, StoreError> {
    let found = on_db!(db, p => {
        let order = sqlx::query_as::<_, OrderRow>(
            "SELECT o.id, o.order_number, o.account_id, a.name AS account, o.status, o.ordered_on, o.notes, o.external_ref,
                    o.created_at, o.updated_at
             FROM orders o JOIN accounts a ON a.id = o.account_id WHERE o.id = $1")
            .bind(id).fetch_optional(p).await?;
        match order {
            None => None,
            Some(o) => {
                let lines = sqlx::query_as::<_, LineRow>(
                    "SELECT li.id, li.product_id, pr.name AS product, li.run_date, li.description, li.quantity, li.unit_price,
                            li.discount, i.id AS invoice_id, i.number AS invoice_number
                     FROM line_items li
                     JOIN products pr ON pr.id = li.product_id
                     LEFT JOIN invoice_lines il ON il.line_item_id = li.id AND il.live = TRUE
                     LEFT JOIN invoices i ON i.id = il.invoice_id
                     WHERE li.order_id = $1 ORDER BY li.run_date, li.id")
                    .bind(id).fetch_all(p).await?;
                Some((o, lines))
            }
        }
    });
    let Some((o, lines)) = found else { return Ok(None) };
    let status =
        OrderStatus::parse(&o.status).ok_or_else(|| StoreError::Invalid(format!("order status {}", o.status)))?;
    let lines: Vec<OrderLine> = lines
        .into_iter()
        .map(|l| {
            let charge = fixed::line_charge(l.quantity, l.unit_price, l.discount, 0);
            OrderLine {
                id: l.id,
                product_id: l.product_id,
                product: l.product,
                run_date: l.run_date,
                description: l.description,
                quantity: charge.quantity.normalize(),
                unit_price: at_least_cents(charge.unit_price),
                discount: round_cents(charge.discount),
                amount: charge.amounts().net,
                invoice_id: l.invoice_id,
                invoice_number: l.invoice_number,
            }
        })
        .collect();
    Ok(Some(OrderDetail {
        id: o.id,
        order_number: o.order_number,
        account_id: o.account_id,
        account: o.account,
        status,
        ordered_on: o.ordered_on,
        notes: o.notes,
        external_ref: o.external_ref,
        total: lines.iter().map(|l| l.amount).sum(),
        lines,
        created_at: o.created_at,
        updated_at: o.updated_at,
    }))
}

/// `40.0000` → `40.00`, `12.3450` → `12.345`: prices read as people write them.
fn at_least_cents(d: rust_decimal::Decimal) -> rust_decimal::Decimal {
    let mut n = d.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    n
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: ProductId,
    name: String,
    code: String,
    unit_price: i64,
    active: bool,
}

/// Every product, active ones first by name.
pub async fn product_choices(db: &Db) -> Result<Vec<ProductChoice>, StoreError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, ProductRow>(
        "SELECT id, name, code, unit_price, active FROM products ORDER BY active DESC, name, id").fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|r| ProductChoice {
            id: r.id,
            name: r.name,
            code: r.code,
            unit_price: at_least_cents(fixed::from_db(r.unit_price)),
            active: r.active,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: AccountId,
    name: String,
    external_ref: Option<String>,
}

/// Accounts whose name or external reference contains `search`, for the account picker.
pub async fn account_choices(db: &Db, search: &str, limit: i64) -> Result<Vec<AccountChoice>, StoreError> {
    let pattern = crate::backend::platform::search::contains_pattern(search);
    let rows = on_db!(db, p => sqlx::query_as::<_, AccountRow>(
        "SELECT id, name, external_ref FROM accounts
         WHERE archived_at IS NULL AND (LOWER(name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(external_ref, '')) LIKE $1 ESCAPE '\\')
         ORDER BY name, id LIMIT $2")
        .bind(&pattern).bind(limit).fetch_all(p).await?);
    Ok(rows.into_iter().map(|r| AccountChoice { id: r.id, name: r.name, external_ref: r.external_ref }).collect())
}

/// Every account that can take orders, for matching import rows by reference or name.
pub async fn all_account_choices(db: &Db) -> Result<Vec<AccountChoice>, StoreError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, AccountRow>(
        "SELECT id, name, external_ref FROM accounts WHERE archived_at IS NULL ORDER BY id").fetch_all(p).await?);
    Ok(rows.into_iter().map(|r| AccountChoice { id: r.id, name: r.name, external_ref: r.external_ref }).collect())
}

/// Default unit prices of the products new line items may use.
pub fn active_prices(products: &[ProductChoice]) -> HashMap<ProductId, rust_decimal::Decimal> {
    products.iter().filter(|p| p.active).map(|p| (p.id, p.unit_price)).collect()
}
