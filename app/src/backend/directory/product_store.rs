//! Products: the editor's read model and writes.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{billing_rule::BillingRule, ids::ProductId, product_input::ProductInput},
    on_db,
    views::accounts::ProductDetail,
};

pub async fn save_rule(
    db: &Db,
    id: ProductId,
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

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: ProductId,
    name: String,
    code: String,
    category: String,
    unit_price: i64,
    tax_rate: i64,
    active: bool,
    billing_rule: String,
    rule_days: i32,
    auto_invoice: bool,
    ignore_before: Option<NaiveDate>,
    line_items: i64,
}

pub async fn detail(db: &Db, id: ProductId) -> Result<Option<ProductDetail>, StoreError> {
    let row = on_db!(db, p => sqlx::query_as::<_, DetailRow>(
        "SELECT pr.id, pr.name, pr.code, pr.category, pr.unit_price, pr.tax_rate, pr.active, pr.billing_rule, pr.rule_days,
                pr.auto_invoice, pr.ignore_before, (SELECT COUNT(*) FROM line_items li WHERE li.product_id = pr.id) AS line_items
         FROM products pr WHERE pr.id = $1").bind(id).fetch_optional(p).await?);
    row.map(|r| -> Result<ProductDetail, StoreError> {
        Ok(ProductDetail {
            id: r.id,
            rule: BillingRule::from_parts(&r.billing_rule, i64::from(r.rule_days)).map_err(StoreError::Invalid)?,
            name: r.name,
            code: r.code,
            category: r.category,
            unit_price: fixed::from_db(r.unit_price),
            tax_rate: fixed::from_db(r.tax_rate),
            active: r.active,
            auto_invoice: r.auto_invoice,
            ignore_before: r.ignore_before,
            line_items: r.line_items,
        })
    })
    .transpose()
}

/// Another product with this name, ignoring case (people read "Full page" and "Full Page" as one).
pub async fn name_taken(db: &Db, name: &str, except: Option<ProductId>) -> Result<bool, StoreError> {
    let found = on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM products WHERE LOWER(name) = LOWER($1) AND id <> $2")
        .bind(name).bind(except.unwrap_or_default()).fetch_optional(p).await?);
    Ok(found.is_some())
}

/// Inserts (`id` none) or updates a validated product; `NotFound` when updating a missing one.
pub async fn save(
    db: &Db,
    id: Option<ProductId>,
    p_in: &ProductInput,
    now: DateTime<Utc>,
) -> Result<ProductId, StoreError> {
    let rule = p_in.rule().map_err(StoreError::Invalid)?;
    let price = fixed::to_db(p_in.unit_price)?;
    let tax = fixed::to_db(p_in.tax_rate)?;
    let saved = on_db!(db, p => match id {
        None => Some(sqlx::query_scalar::<_, ProductId>(
            "INSERT INTO products (name, code, category, billing_rule, rule_days, auto_invoice, ignore_before,
                                   unit_price, tax_rate, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id")
            .bind(&p_in.name).bind(&p_in.code).bind(&p_in.category).bind(rule.kind()).bind(i32::from(rule.days()))
            .bind(p_in.auto_invoice).bind(p_in.ignore_before).bind(price).bind(tax).bind(p_in.active).bind(now)
            .fetch_one(p).await?),
        Some(id) => sqlx::query_scalar::<_, ProductId>(
            "UPDATE products SET name = $1, code = $2, category = $3, billing_rule = $4, rule_days = $5, auto_invoice = $6,
                    ignore_before = $7, unit_price = $8, tax_rate = $9, active = $10, updated_at = $11
             WHERE id = $12 RETURNING id")
            .bind(&p_in.name).bind(&p_in.code).bind(&p_in.category).bind(rule.kind()).bind(i32::from(rule.days()))
            .bind(p_in.auto_invoice).bind(p_in.ignore_before).bind(price).bind(tax).bind(p_in.active).bind(now).bind(id)
            .fetch_optional(p).await?,
    });
    saved.ok_or(StoreError::NotFound)
}
