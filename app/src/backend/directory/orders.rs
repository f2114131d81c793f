//! Creating and changing orders with their line items, for the order editor, the CSV import
//! and the REST API. Validation is the domain's (`domain::order_input`); this adds what needs
//! the database: the account and products exist, numbers and references are unique, and line
//! items on a live invoice stay exactly as they were billed. Each save is one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        directory::order_store::insert_line_items,
        platform::{db::BeginWrite, fixed},
    },
    domain::{
        ids::{AccountId, LineItemId, OrderId, ProductId},
        order_input::{OrderInput, OrderStatus, ValidLine, ValidOrder, line_field},
        settings::FieldError,
    },
    on_db,
    views::orders::OrderDetail,
};

fn sql(e: sqlx::Error) -> ServiceError {
    ServiceError::Store(StoreError::from(e))
}

/// The next generated order number, skipping any a person already typed by hand.
macro_rules! next_order_number {
    ($tx:expr) => {{
        loop {
            let n: i64 = sqlx::query_scalar(
                "INSERT INTO order_number_counter (id, last_value) VALUES (1, 1)
                 ON CONFLICT (id) DO UPDATE SET last_value = order_number_counter.last_value + 1
                 RETURNING last_value",
            )
            .fetch_one(&mut *$tx)
            .await
            .map_err(sql)?;
            let candidate = format!("ORD-{n:06}");
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE order_number = $1")
                .bind(&candidate)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(sql)?;
            if taken.is_none() {
                break candidate;
            }
        }
    }};
}

/// Field errors for an account that cannot take the order and numbers or references another
/// order already has. `$order_id` is the order being changed (0 when creating), `$kept_account`
/// an account the order already has (which may stay even if archived since).
macro_rules! database_field_errors {
    ($tx:expr, $order:expr, $order_id:expr, $kept_account:expr) => {{
        let order: &ValidOrder = $order;
        let order_id: OrderId = $order_id;
        let mut errors = Vec::new();
        let account: Option<i64> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1 AND (archived_at IS NULL OR id = $2)")
                .bind(order.account_id)
                .bind($kept_account)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(sql)?;
        if account.is_none() {
            errors.push(FieldError::new("account_id", "That account does not exist or is archived."));
        }
        if let Some(n) = &order.order_number {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE order_number = $1 AND id <> $2")
                .bind(n)
                .bind(order_id)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(sql)?;
            if taken.is_some() {
                errors.push(FieldError::new(
                    "order_number",
                    format!("Order number '{n}' is already used by another order."),
                ));
            }
        }
        if let Some(r) = &order.external_ref {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE external_ref = $1 AND id <> $2")
                .bind(r)
                .bind(order_id)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(sql)?;
            if taken.is_some() {
                errors.push(FieldError::new(
                    "external_ref",
                    format!("External reference '{r}' is already used by another order."),
                ));
            }
        }
        errors
    }};
}

/// Creates an order with its line items; returns its id.
pub async fn create_order(db: &Db, now: DateTime<Utc>, input: &OrderInput) -> Result<OrderId, ServiceError> {
    let products = crate::backend::directory::order_store::product_choices(db).await?;
    let prices = crate::backend::directory::order_store::active_prices(&products);
    let order = input.validate(|id| prices.get(&id).copied()).map_err(ServiceError::Invalid)?;
    let id = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let errors = database_field_errors!(tx, &order, OrderId(0), AccountId(0));
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let number = match &order.order_number {
            Some(n) => n.clone(),
            None => next_order_number!(tx),
        };
        let id: OrderId = sqlx::query_scalar(
            "INSERT INTO orders (order_number, account_id, status, ordered_on, notes, external_ref, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&number)
        .bind(order.account_id)
        .bind(order.status.as_str())
        .bind(order.ordered_on)
        .bind(&order.notes)
        .bind(&order.external_ref)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(sql)?;
        let rows: Vec<(OrderId, &ValidLine)> = order.lines.iter().map(|l| (id, l)).collect();
        insert_line_items!(tx, rows, now)?;
        tx.commit().await.map_err(sql)?;
        id
    });
    tracing::info!(order_id = %id, lines = order.lines.len(), "order created");
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct StoredLine {
    id: LineItemId,
    product_id: ProductId,
    run_date: NaiveDate,
    description: String,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    invoice_number: Option<String>,
}

impl StoredLine {
    fn same_as(&self, l: &ValidLine) -> bool {
        self.product_id == l.product_id
            && self.run_date == l.run_date
            && self.description == l.description
            && fixed::to_db(l.quantity).ok() == Some(self.quantity)
            && fixed::to_db(l.unit_price).ok() == Some(self.unit_price)
            && fixed::to_db(l.discount).ok() == Some(self.discount)
    }

    fn describe(&self) -> String {
        format!(
            "The line item running {} is on invoice {}",
            self.run_date,
            self.invoice_number.as_deref().unwrap_or("?")
        )
    }
}

/// Replaces the order's fields and line items with `input`: lines with an id are changed, lines
/// without one added, and lines left out removed. Line items on a live invoice must come back
/// unchanged (409 otherwise), and then the order's account cannot change nor the order be cancelled.
pub async fn update_order(db: &Db, now: DateTime<Utc>, id: OrderId, input: &OrderInput) -> Result<(), ServiceError> {
    let products = crate::backend::directory::order_store::product_choices(db).await?;
    let mut prices = crate::backend::directory::order_store::active_prices(&products);
    // A line item may keep a product that is no longer sold.
    let used: HashSet<ProductId> = on_db!(db, p => sqlx::query_scalar::<_, ProductId>(
        "SELECT DISTINCT product_id FROM line_items WHERE order_id = $1").bind(id).fetch_all(p).await.map_err(sql)?)
    .into_iter()
    .collect();
    for p in products.iter().filter(|p| used.contains(&p.id)) {
        prices.insert(p.id, p.unit_price);
    }
    let order = input.validate(|id| prices.get(&id).copied()).map_err(ServiceError::Invalid)?;
    let lock = db.is_postgres();
    let (added, changed, removed) = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let current: Option<(AccountId, String)> = sqlx::query_as(if lock {
            "SELECT account_id, order_number FROM orders WHERE id = $1 FOR UPDATE"
        } else {
            "SELECT account_id, order_number FROM orders WHERE id = $1"
        })
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql)?;
        let Some((current_account, current_number)) = current else { return Err(ServiceError::NotFound("order")) };
        if lock {
            // The same row locks, in the same order, that invoicing takes: whichever runs second
            // sees what the first committed.
            sqlx::query("SELECT id FROM line_items WHERE order_id = $1 ORDER BY id FOR UPDATE")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(sql)?;
        }
        let stored: Vec<StoredLine> = sqlx::query_as(
            "SELECT li.id, li.product_id, li.run_date, li.description, li.quantity, li.unit_price, li.discount,
                    i.number AS invoice_number
             FROM line_items li
             LEFT JOIN invoice_lines il ON il.line_item_id = li.id AND il.live = TRUE
             LEFT JOIN invoices i ON i.id = il.invoice_id
             WHERE li.order_id = $1 ORDER BY li.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .map_err(sql)?;
        let mut errors = database_field_errors!(tx, &order, id, current_account);
        let by_id: HashMap<LineItemId, &StoredLine> = stored.iter().map(|s| (s.id, s)).collect();
        for (i, l) in order.lines.iter().enumerate() {
            if let Some(line_id) = l.id
                && !by_id.contains_key(&line_id)
            {
                errors.push(FieldError::new(&line_field(i, "id"), "This line item is not on this order (it may have been removed)."));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let wanted: HashMap<LineItemId, &ValidLine> = order.lines.iter().filter_map(|l| l.id.map(|id| (id, l))).collect();
        let billed: Vec<&StoredLine> = stored.iter().filter(|s| s.invoice_number.is_some()).collect();
        for s in &billed {
            match wanted.get(&s.id) {
                None => return Err(ServiceError::Conflict(format!("{} and cannot be removed; void the invoice first.", s.describe()))),
                Some(l) if !s.same_as(l) => {
                    return Err(ServiceError::Conflict(format!("{} and cannot be changed; void the invoice first.", s.describe())));
                }
                Some(_) => {}
            }
        }
        if let Some(s) = billed.first() {
            if order.account_id != current_account {
                return Err(ServiceError::Conflict(format!("{}, so the order's account cannot change.", s.describe())));
            }
            if order.status == OrderStatus::Cancelled {
                return Err(ServiceError::Conflict(format!("{}, so the order cannot be cancelled; void the invoice first.", s.describe())));
            }
        }

        let removed: Vec<LineItemId> = stored.iter().filter(|s| !wanted.contains_key(&s.id)).map(|s| s.id).collect();
        if !removed.is_empty() {
            // Ids are integers, so inlining them is safe. A voided invoice keeps its copied line
            // but lets go of the line item it once billed.
            let list = removed.iter().map(LineItemId::to_string).collect::<Vec<_>>().join(",");
            sqlx::query(&format!("UPDATE invoice_lines SET line_item_id = NULL WHERE live = FALSE AND line_item_id IN ({list})"))
                .execute(&mut *tx)
                .await
                .map_err(sql)?;
            sqlx::query(&format!("DELETE FROM line_items WHERE order_id = $1 AND id IN ({list})"))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(sql)?;
        }
        let mut changed = 0;
        for l in &order.lines {
            let Some(line_id) = l.id else { continue };
            if by_id[&line_id].same_as(l) {
                continue;
            }
            changed += 1;
            sqlx::query(
                "UPDATE line_items SET product_id = $1, run_date = $2, description = $3, quantity = $4, unit_price = $5,
                        discount = $6, updated_at = $7
                 WHERE id = $8 AND order_id = $9",
            )
            .bind(l.product_id)
            .bind(l.run_date)
            .bind(&l.description)
            .bind(fixed::to_db(l.quantity)?)
            .bind(fixed::to_db(l.unit_price)?)
            .bind(fixed::to_db(l.discount)?)
            .bind(now)
            .bind(line_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
        }
        let new_lines: Vec<(OrderId, &ValidLine)> = order.lines.iter().filter(|l| l.id.is_none()).map(|l| (id, l)).collect();
        insert_line_items!(tx, new_lines, now)?;
        // A blank number keeps the order's number.
        let number = order.order_number.clone().unwrap_or(current_number);
        sqlx::query(
            "UPDATE orders SET order_number = $1, account_id = $2, status = $3, ordered_on = $4, notes = $5,
                    external_ref = $6, updated_at = $7
             WHERE id = $8",
        )
        .bind(&number)
        .bind(order.account_id)
        .bind(order.status.as_str())
        .bind(order.ordered_on)
        .bind(&order.notes)
        .bind(&order.external_ref)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
        tx.commit().await.map_err(sql)?;
        (new_lines.len(), changed, removed.len())
    });
    tracing::info!(order_id = %id, added, changed, removed, "order updated");
    Ok(())
}

pub async fn get_order(db: &Db, id: OrderId) -> Result<OrderDetail, ServiceError> {
    crate::backend::directory::order_store::get(db, id).await?.ok_or(ServiceError::NotFound("order"))
}
