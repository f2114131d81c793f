//! Read models for the Accounts, Products and Orders lists.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{
        billing_rule::BillingRule,
        ids::{AccountId, OrderId, ProductId},
    },
    on_db,
    views::common::{AccountSummary, OrderSummary, Page, ProductSummary},
};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: AccountId,
    name: String,
    kind: String,
    bill_to: Option<String>,
    payment_terms_days: Option<i32>,
    contacts: i64,
    invoice_recipients: i64,
    orders: i64,
}

pub async fn accounts(db: &Db, search: &str, page: i64, per_page: i64) -> Result<Page<AccountSummary>, StoreError> {
    let pattern = crate::backend::platform::search::contains_pattern(search);
    let (total, rows) = on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts WHERE archived_at IS NULL AND LOWER(name) LIKE $1 ESCAPE '\\'")
            .bind(&pattern).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, AccountRow>(
            "SELECT a.id, a.name, a.kind, b.name AS bill_to, a.payment_terms_days,
               (SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.id) AS contacts,
               (SELECT COUNT(*) FROM contacts c WHERE c.account_id = COALESCE(a.bill_to_account_id, a.id) AND c.invoice_role = 'to') AS invoice_recipients,
               (SELECT COUNT(*) FROM orders o WHERE o.account_id = a.id) AS orders
             FROM accounts a LEFT JOIN accounts b ON b.id = a.bill_to_account_id
             WHERE a.archived_at IS NULL AND LOWER(a.name) LIKE $1 ESCAPE '\\'
             ORDER BY a.name, a.id LIMIT $2 OFFSET $3")
            .bind(&pattern).bind(per_page).bind((page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    });
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| AccountSummary {
                id: r.id,
                name: r.name,
                kind: r.kind,
                bill_to: r.bill_to,
                terms_days: r.payment_terms_days,
                contacts: r.contacts,
                invoice_recipients: r.invoice_recipients,
                orders: r.orders,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: ProductId,
    name: String,
    code: String,
    category: String,
    billing_rule: String,
    rule_days: i32,
    auto_invoice: bool,
    ignore_before: Option<NaiveDate>,
    unit_price: i64,
    tax_rate: i64,
    line_items: i64,
}

pub async fn products(db: &Db) -> Result<Vec<ProductSummary>, StoreError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, ProductRow>(
        "SELECT pr.id, pr.name, pr.code, pr.category, pr.billing_rule, pr.rule_days, pr.auto_invoice, pr.ignore_before,
           pr.unit_price, pr.tax_rate, (SELECT COUNT(*) FROM line_items li WHERE li.product_id = pr.id) AS line_items
         FROM products pr WHERE pr.active = TRUE ORDER BY pr.category, pr.name").fetch_all(p).await?);
    rows.into_iter()
        .map(|r| {
            Ok(ProductSummary {
                id: r.id,
                rule: BillingRule::from_parts(&r.billing_rule, i64::from(r.rule_days)).map_err(StoreError::Invalid)?,
                name: r.name,
                code: r.code,
                category: r.category,
                auto_invoice: r.auto_invoice,
                ignore_before: r.ignore_before,
                unit_price: fixed::from_db(r.unit_price),
                tax_rate: fixed::from_db(r.tax_rate),
                line_items: r.line_items,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: OrderId,
    order_number: String,
    account: String,
    status: String,
    ordered_on: NaiveDate,
    line_items: i64,
    gross_e8: i64,
    discount: i64,
    first_run: Option<NaiveDate>,
    last_run: Option<NaiveDate>,
}

pub async fn orders(db: &Db, search: &str, page: i64, per_page: i64) -> Result<Page<OrderSummary>, StoreError> {
    let pattern = crate::backend::platform::search::contains_pattern(search);
    let (total, rows) = on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM orders o JOIN accounts a ON a.id = o.account_id
             WHERE LOWER(o.order_number) LIKE $1 ESCAPE '\\' OR LOWER(a.name) LIKE $1 ESCAPE '\\'")
            .bind(&pattern).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, OrderRow>(
            "SELECT o.id, o.order_number, a.name AS account, o.status, o.ordered_on,
               COUNT(li.id) AS line_items,
               CAST(COALESCE(SUM(li.quantity * li.unit_price), 0) AS BIGINT) AS gross_e8,
               CAST(COALESCE(SUM(li.discount), 0) AS BIGINT) AS discount,
               MIN(li.run_date) AS first_run, MAX(li.run_date) AS last_run
             FROM orders o JOIN accounts a ON a.id = o.account_id LEFT JOIN line_items li ON li.order_id = o.id
             WHERE LOWER(o.order_number) LIKE $1 ESCAPE '\\' OR LOWER(a.name) LIKE $1 ESCAPE '\\'
             GROUP BY o.id, o.order_number, a.name, o.status, o.ordered_on
             ORDER BY o.ordered_on DESC, o.id DESC LIMIT $2 OFFSET $3")
            .bind(&pattern).bind(per_page).bind((page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    });
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| OrderSummary {
                id: r.id,
                order_number: r.order_number,
                account: r.account,
                status: r.status,
                ordered_on: r.ordered_on,
                line_items: r.line_items,
                amount: Decimal::new(r.gross_e8, 2 * fixed::SCALE) - fixed::from_db(r.discount),
                first_run: r.first_run,
                last_run: r.last_run,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}
