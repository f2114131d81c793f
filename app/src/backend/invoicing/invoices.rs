//! The invoice list (tabs with counts and totals, search, sort, paging), one invoice with its
//! lines and activity, and voiding.

use crate::{
    backend::{
        Db, StoreError,
        invoicing::events,
        platform::{
            db::{BeginWrite, Conn},
            fixed,
        },
    },
    domain::{
        ids::{AccountId, InvoiceId},
        invoice::{AfterVoid, InvoiceStatus, is_past_due},
        invoice_event::InvoiceEventKind,
    },
    on_db,
    views::{
        common::Page,
        invoices::{InvoiceFilter, InvoiceLineView, InvoiceListRow, InvoiceSort, InvoiceTab, TabSummary},
    },
};
use chrono::{DateTime, NaiveDate, Utc};

const RECEIVABLE: &str = "i.status IN ('open', 'sent', 'partially_paid') AND i.total > i.amount_paid";

/// The condition for a tab; `$1` is today.
fn tab_sql(tab: InvoiceTab) -> String {
    match tab {
        InvoiceTab::All => "1 = 1".into(),
        InvoiceTab::Draft => "i.status = 'draft'".into(),
        InvoiceTab::Unpaid => RECEIVABLE.into(),
        InvoiceTab::Sent => "i.status = 'sent'".into(),
        InvoiceTab::PastDue => format!("{RECEIVABLE} AND i.due_date < $1"),
        InvoiceTab::PartiallyPaid => "i.status = 'partially_paid'".into(),
        InvoiceTab::Paid => "i.status = 'paid'".into(),
        InvoiceTab::Void => "i.status = 'void'".into(),
    }
}

fn order_sql(sort: InvoiceSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        // Drafts have no number yet; ids follow creation order, as numbers do.
        InvoiceSort::Number => format!("i.id {dir}"),
        InvoiceSort::IssueDate => format!("i.issue_date {dir}, i.id {dir}"),
        InvoiceSort::DueDate => format!("i.due_date {dir}, i.id {dir}"),
        InvoiceSort::Account => format!("a.name {dir}, i.id DESC"),
        InvoiceSort::Total => format!("i.total {dir}, i.id {dir}"),
    }
}

const FROM: &str = "FROM invoices i JOIN accounts a ON a.id = i.account_id
                    WHERE (LOWER(COALESCE(i.number, '')) LIKE $2 ESCAPE '\\' OR LOWER(a.name) LIKE $2 ESCAPE '\\')";

#[derive(sqlx::FromRow)]
struct ListRow {
    id: InvoiceId,
    number: Option<String>,
    account: String,
    status: String,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    total: i64,
    amount_paid: i64,
}

fn status(s: &str) -> Result<InvoiceStatus, StoreError> {
    InvoiceStatus::parse(s).ok_or_else(|| StoreError::Invalid(format!("unknown invoice status {s}")))
}

pub async fn list(
    db: &Db,
    f: &InvoiceFilter,
    today: NaiveDate,
    per_page: i64,
) -> Result<Page<InvoiceListRow>, StoreError> {
    let pattern = crate::backend::platform::search::contains_pattern(&f.search);
    let cond = tab_sql(f.tab);
    // `$1 IS NOT NULL` keeps every query using the same parameters whatever the tab.
    let count_sql = format!("SELECT COUNT(*) {FROM} AND {cond} AND $1 IS NOT NULL");
    let rows_sql = format!(
        "SELECT i.id, i.number, a.name AS account, i.status, i.issue_date, i.due_date, i.total, i.amount_paid
         {FROM} AND {cond} AND $1 IS NOT NULL ORDER BY {} LIMIT $3 OFFSET $4",
        order_sql(f.sort, f.descending)
    );
    let (total, rows) = on_db!(db, p => {
        let total = sqlx::query_scalar::<_, i64>(&count_sql).bind(today).bind(&pattern).fetch_one(p).await?;
        let rows = sqlx::query_as::<_, ListRow>(&rows_sql)
            .bind(today).bind(&pattern).bind(per_page).bind((f.page.max(1) - 1).saturating_mul(per_page)).fetch_all(p).await?;
        (total, rows)
    });
    let items = rows
        .into_iter()
        .map(|r| {
            let st = status(&r.status)?;
            let total = fixed::from_db(r.total);
            let balance = total - fixed::from_db(r.amount_paid);
            Ok(InvoiceListRow {
                id: r.id,
                number: r.number,
                account: r.account,
                past_due: is_past_due(st, r.due_date, balance, today),
                status: st,
                issue_date: r.issue_date,
                due_date: r.due_date,
                total,
                balance,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page { items, total, page: f.page, per_page })
}

/// Count and amount for every tab under the search, in one pass.
pub async fn tabs(db: &Db, search: &str, today: NaiveDate) -> Result<Vec<(InvoiceTab, TabSummary)>, StoreError> {
    let pattern = crate::backend::platform::search::contains_pattern(search);
    let cols: Vec<String> = InvoiceTab::ALL
        .iter()
        .map(|t| {
            let amount = if t.shows_balance() { "i.total - i.amount_paid" } else { "i.total" };
            let c = tab_sql(*t);
            format!(
                "COALESCE(SUM(CASE WHEN {c} THEN 1 ELSE 0 END), 0), CAST(COALESCE(SUM(CASE WHEN {c} THEN {amount} ELSE 0 END), 0) AS BIGINT)"
            )
        })
        .collect();
    let sql = format!("SELECT {} {FROM} AND $1 IS NOT NULL", cols.join(", "));
    let values: Vec<i64> = on_db!(db, p => {
        use sqlx::Row;
        let row = sqlx::query(&sql).bind(today).bind(&pattern).fetch_one(p).await?;
        (0..InvoiceTab::ALL.len() * 2).map(|i| row.try_get::<i64, _>(i)).collect::<Result<Vec<_>, _>>()?
    });
    Ok(InvoiceTab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, TabSummary { count: values[2 * i], amount: fixed::from_db(values[2 * i + 1]) }))
        .collect())
}

#[derive(sqlx::FromRow)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account: String,
    pub account_address: String,
    pub status: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub terms_days: i32,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub tax_total: i64,
    pub total: i64,
    pub amount_paid: i64,
    pub void_reason: String,
    /// "To" contacts of the account the invoice is addressed to.
    pub invoice_recipients: i64,
}

impl InvoiceRecord {
    pub fn status(&self) -> Result<InvoiceStatus, StoreError> {
        status(&self.status)
    }
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    product_name: String,
    description: String,
    run_date: Option<NaiveDate>,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    tax_rate: i64,
    net_amount: i64,
    tax_amount: i64,
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub detail: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub async fn get(
    db: &Db,
    id: InvoiceId,
) -> Result<Option<(InvoiceRecord, Vec<InvoiceLineView>, Vec<EventRow>)>, StoreError> {
    let found = on_db!(db, p => {
        let inv = sqlx::query_as::<_, InvoiceRecord>(
            "SELECT i.id, i.number, i.account_id, a.name AS account, a.address AS account_address, i.status, i.issue_date,
                    i.due_date, i.terms_days, i.currency, i.subtotal, i.discount_total, i.tax_total, i.total, i.amount_paid,
                    i.void_reason,
                    (SELECT COUNT(*) FROM contacts c WHERE c.account_id = i.account_id AND c.invoice_role = 'to') AS invoice_recipients
             FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.id = $1")
            .bind(id).fetch_optional(p).await?;
        match inv {
            None => None,
            Some(inv) => {
                let lines = sqlx::query_as::<_, LineRow>(
                    "SELECT id, product_name, description, run_date, quantity, unit_price, discount, tax_rate, net_amount, tax_amount
                     FROM invoice_lines WHERE invoice_id = $1 ORDER BY position, id")
                    .bind(id).fetch_all(p).await?;
                let events = sqlx::query_as::<_, EventRow>(
                    "SELECT kind, detail, actor, at FROM invoice_events WHERE invoice_id = $1 ORDER BY at, id")
                    .bind(id).fetch_all(p).await?;
                Some((inv, lines, events))
            }
        }
    });
    Ok(found.map(|(inv, lines, events)| {
        let lines = lines
            .into_iter()
            .map(|l| InvoiceLineView {
                id: l.id,
                product: l.product_name,
                description: l.description,
                run_date: l.run_date,
                quantity: fixed::from_db(l.quantity),
                unit_price: fixed::from_db(l.unit_price),
                discount: fixed::from_db(l.discount),
                tax_rate: fixed::from_db(l.tax_rate),
                net: fixed::from_db(l.net_amount),
                tax: fixed::from_db(l.tax_amount),
            })
            .collect();
        (inv, lines, events)
    }))
}

/// Voids an unpaid invoice; its line items are held or returned to Billable Line Items as
/// `after` says. Returns false when the invoice is not in a state that can be voided (it changed
/// meanwhile, or has payments).
pub async fn void(
    db: &Db,
    id: InvoiceId,
    reason: &str,
    after: AfterVoid,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let number: Option<Option<String>> = sqlx::query_scalar(
            "UPDATE invoices SET status = 'void', voided_at = $1, void_reason = $2
             WHERE id = $3 AND status IN ('draft', 'open', 'sent') AND amount_paid = 0 RETURNING number")
            .bind(now).bind(reason).bind(id).fetch_optional(&mut *tx).await?;
        let Some(number) = number else { return Ok(false) };
        sqlx::query("UPDATE invoice_lines SET live = FALSE WHERE invoice_id = $1").bind(id).execute(&mut *tx).await?;
        let detail = match after {
            AfterVoid::Hold => {
                let hold = match &number {
                    Some(n) => format!("Voided on invoice {n}"),
                    None => "Voided on a draft invoice".to_string(),
                };
                sqlx::query(
                    "UPDATE line_items SET hold_reason = $1
                     WHERE id IN (SELECT line_item_id FROM invoice_lines WHERE invoice_id = $2 AND line_item_id IS NOT NULL)")
                    .bind(&hold).bind(id).execute(&mut *tx).await?;
                format!("{reason} (line items held until released)")
            }
            AfterVoid::BillAgain => format!("{reason} (line items returned to Billable Line Items)"),
        };
        events::record(Conn::from(&mut *tx), id, InvoiceEventKind::Voided, &detail, actor, now).await?;
        tx.commit().await?;
        true
    }))
}

/// How many of a voided invoice's line items are still held by it.
pub async fn held_line_items(db: &Db, id: InvoiceId) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM line_items li
         WHERE li.hold_reason IS NOT NULL
           AND li.id IN (SELECT line_item_id FROM invoice_lines WHERE invoice_id = $1)
           AND NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.line_item_id = li.id AND il.live = TRUE)")
        .bind(id).fetch_one(p).await?))
}

/// Releases the line items a voided invoice holds, so they can be billed again. Returns how
/// many were released (0 when there were none, e.g. released twice).
pub async fn release_held(db: &Db, id: InvoiceId, actor: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let released = sqlx::query(
            "UPDATE line_items SET hold_reason = NULL
             WHERE hold_reason IS NOT NULL
               AND id IN (SELECT line_item_id FROM invoice_lines WHERE invoice_id = $1)
               AND EXISTS (SELECT 1 FROM invoices WHERE id = $1 AND status = 'void')")
            .bind(id).execute(&mut *tx).await?.rows_affected();
        if released > 0 {
            let detail = format!("{released} line item(s) returned to Billable Line Items");
            events::record(Conn::from(&mut *tx), id, InvoiceEventKind::LineItemsReleased, &detail, actor, now).await?;
        }
        tx.commit().await?;
        released
    }))
}
