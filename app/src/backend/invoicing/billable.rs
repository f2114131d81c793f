//! The Billable Line Items read model: every line item not on a live invoice and not held by a
//! voided one, with its billable date computed in SQL so that filtering, sorting and paging
//! happen in the database (the screen must stay fast at 100 k line items). The status shown is
//! then computed by the domain's `LineItemTiming::status`, and a test checks that both agree on
//! every row.

use chrono::NaiveDate;

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{
        billing_rule::{BillingRule, LineItemTiming},
        ids::{AccountId, LineItemId, ProductId},
    },
    on_db,
    views::{
        billable::{BillableFilter, BillableRow, Choice, SortKey, StatusCounts, StatusFilter},
        common::Page,
    },
};

/// Unbilled line items with their billable date (NULL when never billable). The date
/// arithmetic is the one engine-specific part.
fn unbilled_sql(postgres: bool) -> String {
    let (before, after) = if postgres {
        ("li.run_date - p.rule_days", "li.run_date + p.rule_days")
    } else {
        ("date(li.run_date, '-' || p.rule_days || ' days')", "date(li.run_date, '+' || p.rule_days || ' days')")
    };
    format!(
        "SELECT li.id, li.run_date, li.description, li.quantity, li.unit_price, li.discount,
                o.order_number, o.status AS order_status, o.ordered_on, o.account_id,
                a.name AS account, COALESCE(a.bill_to_account_id, a.id) AS bill_to_id, b.name AS bill_to,
                p.id AS product_id, p.name AS product, p.billing_rule, p.rule_days, p.ignore_before,
                CASE WHEN o.status <> 'confirmed' OR p.billing_rule = 'do_not_invoice'
                          OR (p.ignore_before IS NOT NULL AND li.run_date < p.ignore_before) THEN NULL
                     WHEN p.billing_rule = 'immediately' THEN o.ordered_on
                     WHEN p.billing_rule = 'days_before' THEN {before}
                     ELSE {after} END AS billable_date
         FROM line_items li
         JOIN orders o ON o.id = li.order_id
         JOIN products p ON p.id = li.product_id
         JOIN accounts a ON a.id = o.account_id
         LEFT JOIN accounts b ON b.id = a.bill_to_account_id
         WHERE NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.line_item_id = li.id AND il.live = TRUE)
           AND li.hold_reason IS NULL
           AND o.status <> 'cancelled'"
    )
}

/// `WHERE` conditions for everything but the status tab, with their bound values in order.
struct Conditions {
    sql: Vec<String>,
    ids: Vec<i64>,
    dates: Vec<NaiveDate>,
}

fn conditions(f: &BillableFilter) -> Conditions {
    // Bound parameters are numbered: ids first ($1, $2), then dates, then today.
    let mut c = Conditions { sql: Vec::new(), ids: Vec::new(), dates: Vec::new() };
    if let Some(a) = f.account_id {
        c.ids.push(a.get());
        c.sql.push(format!("(x.account_id = ${n} OR x.bill_to_id = ${n})", n = c.ids.len()));
    }
    if let Some(p) = f.product_id {
        c.ids.push(p.get());
        c.sql.push(format!("x.product_id = ${}", c.ids.len()));
    }
    if let Some(d) = f.from {
        c.dates.push(d);
        c.sql.push(format!("x.billable_date >= $D{}", c.dates.len()));
    }
    if let Some(d) = f.to {
        c.dates.push(d);
        c.sql.push(format!("x.billable_date <= $D{}", c.dates.len()));
    }
    let offset = c.ids.len();
    c.sql = c
        .sql
        .into_iter()
        .map(|s| s.replace("$D1", &format!("${}", offset + 1)).replace("$D2", &format!("${}", offset + 2)))
        .collect();
    c
}

fn status_sql(status: StatusFilter, today_param: usize) -> String {
    match status {
        StatusFilter::Now => format!("x.billable_date <= ${today_param}"),
        StatusFilter::Upcoming => format!("x.billable_date > ${today_param}"),
        StatusFilter::NotBillable => "x.billable_date IS NULL".into(),
        // Keeps the parameter count the same for every tab.
        StatusFilter::All => {
            format!("(x.billable_date IS NULL OR x.billable_date IS NOT NULL OR ${today_param} IS NULL)")
        }
    }
}

fn order_sql(sort: SortKey, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        // Never-billable rows (NULL) sort last either way.
        SortKey::BillableDate => {
            format!("CASE WHEN x.billable_date IS NULL THEN 1 ELSE 0 END, x.billable_date {dir}, x.id {dir}")
        }
        SortKey::RunDate => format!("x.run_date {dir}, x.id {dir}"),
        SortKey::Account => format!("x.account {dir}, x.run_date, x.id"),
        SortKey::Amount => format!("(x.quantity * x.unit_price - x.discount * 10000) {dir}, x.id {dir}"),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: LineItemId,
    run_date: NaiveDate,
    description: String,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    order_number: String,
    order_status: String,
    ordered_on: NaiveDate,
    account: String,
    bill_to: Option<String>,
    product: String,
    billing_rule: String,
    rule_days: i32,
    ignore_before: Option<NaiveDate>,
}

impl Row {
    /// Everything that decides the line item's billing status, under its product's saved rule.
    fn timing(&self) -> Result<LineItemTiming, StoreError> {
        let rule =
            BillingRule::from_parts(&self.billing_rule, i64::from(self.rule_days)).map_err(StoreError::Invalid)?;
        Ok(LineItemTiming {
            rule,
            run_date: self.run_date,
            booked_on: self.ordered_on,
            ignore_before: self.ignore_before,
            order_confirmed: self.order_status == "confirmed",
        })
    }

    fn amount(&self) -> rust_decimal::Decimal {
        fixed::line_charge(self.quantity, self.unit_price, self.discount, 0).amounts().net
    }

    fn into_row(self, today: NaiveDate) -> Result<BillableRow, StoreError> {
        let timing = self.timing()?;
        let amount = self.amount();
        Ok(BillableRow {
            id: self.id,
            order_number: self.order_number,
            account: self.account,
            bill_to: self.bill_to,
            product: self.product,
            description: self.description,
            run_date: self.run_date,
            amount,
            status: timing.status(today),
        })
    }
}

pub async fn page(
    db: &Db,
    f: &BillableFilter,
    today: NaiveDate,
    per_page: i64,
) -> Result<Page<BillableRow>, StoreError> {
    let c = conditions(f);
    let today_param = c.ids.len() + c.dates.len() + 1;
    let mut wheres = c.sql.clone();
    wheres.push(status_sql(f.status, today_param));
    let base = format!("FROM ({}) x WHERE {}", unbilled_sql(db.is_postgres()), wheres.join(" AND "));
    let count_sql = format!("SELECT COUNT(*) {base}");
    let rows_sql = format!(
        "SELECT x.* {base} ORDER BY {} LIMIT ${} OFFSET ${}",
        order_sql(f.sort, f.descending),
        today_param + 1,
        today_param + 2
    );
    let (total, rows) = on_db!(db, p => {
        let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
        for id in &c.ids { q = q.bind(*id); }
        for d in &c.dates { q = q.bind(*d); }
        let total = q.bind(today).fetch_one(p).await?;
        let mut q = sqlx::query_as::<_, Row>(&rows_sql);
        for id in &c.ids { q = q.bind(*id); }
        for d in &c.dates { q = q.bind(*d); }
        let rows = q.bind(today).bind(per_page).bind((f.page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    });
    Ok(Page {
        items: rows.into_iter().map(|r| r.into_row(today)).collect::<Result<_, _>>()?,
        total,
        page: f.page,
        per_page,
    })
}

/// Every line item id the filter matches (all pages), for "invoice all matching".
pub async fn matching_ids(db: &Db, f: &BillableFilter, today: NaiveDate) -> Result<Vec<LineItemId>, StoreError> {
    let c = conditions(f);
    let today_param = c.ids.len() + c.dates.len() + 1;
    let mut wheres = c.sql.clone();
    wheres.push(status_sql(f.status, today_param));
    let sql =
        format!("SELECT x.id FROM ({}) x WHERE {} ORDER BY x.id", unbilled_sql(db.is_postgres()), wheres.join(" AND "));
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_scalar::<_, LineItemId>(&sql);
        for id in &c.ids { q = q.bind(*id); }
        for d in &c.dates { q = q.bind(*d); }
        q.bind(today).fetch_all(p).await?
    }))
}

/// Counts per status tab under the filter's account/product/date conditions, and the amount
/// billable now (summed line by line with the domain's rounding, so it matches the rows).
pub async fn counts(db: &Db, f: &BillableFilter, today: NaiveDate) -> Result<StatusCounts, StoreError> {
    let c = conditions(f);
    let t = c.ids.len() + c.dates.len() + 1;
    let wheres = if c.sql.is_empty() { "1 = 1".to_string() } else { c.sql.join(" AND ") };
    let from = format!("FROM ({}) x WHERE {wheres}", unbilled_sql(db.is_postgres()));
    let count_sql = format!(
        "SELECT
           COALESCE(SUM(CASE WHEN x.billable_date <= ${t} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN x.billable_date > ${t} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN x.billable_date IS NULL THEN 1 ELSE 0 END), 0)
         {from}"
    );
    let amount_sql = format!("SELECT x.quantity, x.unit_price, x.discount {from} AND x.billable_date <= ${t}");
    let ((now, upcoming, not_billable), charges) = on_db!(db, p => {
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&count_sql);
        for id in &c.ids { q = q.bind(*id); }
        for d in &c.dates { q = q.bind(*d); }
        let counts = q.bind(today).fetch_one(p).await?;
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&amount_sql);
        for id in &c.ids { q = q.bind(*id); }
        for d in &c.dates { q = q.bind(*d); }
        (counts, q.bind(today).fetch_all(p).await?)
    });
    let now_amount =
        charges.into_iter().map(|(q, price, discount)| fixed::line_charge(q, price, discount, 0).amounts().net).sum();
    Ok(StatusCounts { now, upcoming, not_billable, now_amount })
}

pub async fn account_choices(db: &Db) -> Result<Vec<Choice<AccountId>>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (AccountId, String)>("SELECT id, name FROM accounts WHERE archived_at IS NULL ORDER BY name, id")
        .fetch_all(p).await?)
    .into_iter()
    .map(|(id, name)| Choice { id, name })
    .collect())
}

pub async fn product_choices(db: &Db) -> Result<Vec<Choice<ProductId>>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (ProductId, String)>("SELECT id, name FROM products ORDER BY name, id").fetch_all(p).await?)
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect())
}

/// Line items of auto-invoice products that are billable on `today` and not yet invoiced, as
/// (line item, bill-to account) sorted by account, for the scheduler.
pub async fn auto_invoice_due(db: &Db, today: NaiveDate) -> Result<Vec<(LineItemId, AccountId)>, StoreError> {
    Ok(auto_invoice_due_with_dates(db, today).await?.into_iter().map(|(id, bill_to, _)| (id, bill_to)).collect())
}

/// The same, with each line item's billable date.
pub async fn auto_invoice_due_with_dates(
    db: &Db,
    until: NaiveDate,
) -> Result<Vec<(LineItemId, AccountId, NaiveDate)>, StoreError> {
    let sql = format!(
        "SELECT x.id, x.bill_to_id, x.billable_date FROM ({}) x
         WHERE x.billable_date <= $1 AND x.product_id IN (SELECT id FROM products WHERE auto_invoice = TRUE)
         ORDER BY x.bill_to_id, x.id",
        unbilled_sql(db.is_postgres())
    );
    Ok(on_db!(db, p => sqlx::query_as::<_, (LineItemId, AccountId, NaiveDate)>(&sql).bind(until).fetch_all(p).await?))
}

/// A line item as the billing calendar shows it: when it becomes billable (or why it will not),
/// whether the scheduler invoices it and whether its invoice can be emailed.
#[derive(Debug, Clone)]
pub struct CalendarLine {
    pub row: BillableRow,
    pub billable_date: Option<NaiveDate>,
    pub auto_invoice: bool,
    pub can_email: bool,
}

#[derive(sqlx::FromRow)]
struct CalendarRow {
    #[sqlx(flatten)]
    row: Row,
    auto_invoice: bool,
    can_email: bool,
}

/// Unbilled line items that become billable from `from` to `to` (by billable date), and those
/// running in that span that never will as things stand (by run date).
pub async fn calendar_lines(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<CalendarLine>, StoreError> {
    let sql = format!(
        "SELECT x.*, pr.auto_invoice,
                EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = x.bill_to_id AND c.invoice_role = 'to') AS can_email
         FROM ({}) x JOIN products pr ON pr.id = x.product_id
         WHERE (x.billable_date >= $1 AND x.billable_date <= $2)
            OR (x.billable_date IS NULL AND x.run_date >= $1 AND x.run_date <= $2)
         ORDER BY x.billable_date, x.account, x.id",
        unbilled_sql(db.is_postgres())
    );
    let rows = on_db!(db, p => sqlx::query_as::<_, CalendarRow>(&sql).bind(from).bind(to).fetch_all(p).await?);
    rows.into_iter()
        .map(|r| {
            let row = r.row.into_row(today)?;
            let billable_date = match row.status {
                crate::domain::billing_rule::BillableStatus::BillableNow { since } => Some(since),
                crate::domain::billing_rule::BillableStatus::BillableOn(d) => Some(d),
                crate::domain::billing_rule::BillableStatus::NotBillable(_) => None,
            };
            Ok(CalendarLine { row, billable_date, auto_invoice: r.auto_invoice, can_email: r.can_email })
        })
        .collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldLine {
    pub id: LineItemId,
    pub run_date: NaiveDate,
    pub order_number: String,
    pub account: String,
    pub product: String,
    pub hold_reason: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount: i64,
}

/// Line items held by a voided invoice that run from `from` to `to`: they bill again only when
/// someone releases them.
pub async fn held_lines(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<HeldLine>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT li.id, li.run_date, o.order_number, a.name AS account, p.name AS product, li.hold_reason,
                li.quantity, li.unit_price, li.discount
         FROM line_items li JOIN orders o ON o.id = li.order_id JOIN accounts a ON a.id = o.account_id
         JOIN products p ON p.id = li.product_id
         WHERE li.hold_reason IS NOT NULL AND li.run_date >= $1 AND li.run_date <= $2
           AND NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.line_item_id = li.id AND il.live = TRUE)
         ORDER BY li.run_date, li.id")
        .bind(from).bind(to).fetch_all(p).await?))
}

/// A product's unbilled line items, each timed by the product's saved rule, with its amount:
/// what a rule change on Manage Rules would move.
pub async fn product_timings(
    db: &Db,
    product_id: ProductId,
) -> Result<Vec<(LineItemTiming, rust_decimal::Decimal)>, StoreError> {
    let sql = format!("SELECT x.* FROM ({}) x WHERE x.product_id = $1", unbilled_sql(db.is_postgres()));
    let rows = on_db!(db, p => sqlx::query_as::<_, Row>(&sql).bind(product_id).fetch_all(p).await?);
    rows.iter().map(|r| Ok((r.timing()?, r.amount()))).collect()
}
