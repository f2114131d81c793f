//! Draft invoices: edited freely until finalised, then never again. Every change runs in one
//! write transaction that first locks the invoice row and checks it is still a draft, so an
//! edit racing a Finalise either lands before the number is assigned or is refused.

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        invoicing::{
            create::{NEXT_SEQUENCE_SQL, hand_to_delivery},
            events,
        },
        platform::{
            db::{BeginWrite, Conn},
            fixed,
        },
    },
    domain::{
        delivery::AfterGenerate,
        draft::{DraftDates, LineEdit},
        email_kind::InvoiceEmailPayload,
        ids::{InvoiceId, TemplateId},
        invoice::{InvoiceStatus, InvoiceTotals},
        invoice_event::InvoiceEventKind,
        invoice_number::InvoiceNumberFormat,
        money::format_money,
    },
    on_db,
};
use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;

/// The state of the invoice a change is aimed at, read under the row lock.
#[derive(sqlx::FromRow)]
struct Head {
    status: String,
    number: Option<String>,
    currency: String,
}

/// Only drafts may change; anything else is a conflict with a reason the person can act on.
fn ensure_draft(head: Option<Head>) -> Result<Head, ServiceError> {
    let head = head.ok_or(ServiceError::NotFound("invoice"))?;
    if head.status == InvoiceStatus::Draft.as_str() {
        return Ok(head);
    }
    let what = head.number.clone().unwrap_or_else(|| "This invoice".into());
    let state = InvoiceStatus::parse(&head.status).map(|s| s.label().to_lowercase()).unwrap_or(head.status.clone());
    Err(ServiceError::Conflict(format!(
        "{what} is {state}: only draft invoices can be edited. Void it and invoice the line items again to change it."
    )))
}

fn lock_suffix(db: &Db) -> &'static str {
    // SQLite's BEGIN IMMEDIATE already holds the write lock.
    if db.is_postgres() { " FOR UPDATE" } else { "" }
}

/// Reads the draft under its row lock (`$1` is the invoice id) and refuses anything else.
macro_rules! lock_draft {
    ($tx:expr, $db:expr, $id:expr) => {{
        let sql = format!("SELECT status, number, currency FROM invoices WHERE id = $1{}", lock_suffix($db));
        let head: Option<Head> =
            sqlx::query_as(&sql).bind($id).fetch_optional(&mut *$tx).await.map_err(StoreError::from)?;
        ensure_draft(head)?
    }};
}

/// Recomputes the stored totals from the stored lines with the same arithmetic that made them.
macro_rules! recompute_totals {
    ($tx:expr, $id:expr) => {{
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT quantity, unit_price, discount, tax_rate FROM invoice_lines WHERE invoice_id = $1 AND live = TRUE",
        )
        .bind($id)
        .fetch_all(&mut *$tx)
        .await
        .map_err(StoreError::from)?;
        let amounts: Vec<_> = rows.iter().map(|&(q, p, d, t)| fixed::line_charge(q, p, d, t).amounts()).collect();
        let totals = InvoiceTotals::of(&amounts);
        sqlx::query("UPDATE invoices SET subtotal = $1, discount_total = $2, tax_total = $3, total = $4 WHERE id = $5")
            .bind(fixed::to_db(totals.subtotal)?)
            .bind(fixed::to_db(totals.discount_total)?)
            .bind(fixed::to_db(totals.tax_total)?)
            .bind(fixed::to_db(totals.total)?)
            .bind($id)
            .execute(&mut *$tx)
            .await
            .map_err(StoreError::from)?;
        (totals, rows.len())
    }};
}

/// Changes a draft's issue and due dates.
pub async fn update_dates(
    db: &Db,
    now: DateTime<Utc>,
    invoice_id: InvoiceId,
    dates: DraftDates,
    actor: &str,
) -> Result<(), ServiceError> {
    if dates.due_date < dates.issue_date {
        return Err(ServiceError::field("due_date", "The due date cannot be before the issue date."));
    }
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_draft!(tx, db, invoice_id);
        sqlx::query("UPDATE invoices SET issue_date = $1, due_date = $2 WHERE id = $3")
            .bind(dates.issue_date)
            .bind(dates.due_date)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let detail = format!("Issue date {}, due {}", dates.issue_date, dates.due_date);
        events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::Edited, &detail, actor, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredLine {
    position: i32,
    tax_rate: i64,
}

/// Changes one line of a draft (description, quantity, unit price, discount) and its totals.
/// Returns the invoice's new total.
pub async fn update_line(
    db: &Db,
    now: DateTime<Utc>,
    invoice_id: InvoiceId,
    line_id: i64,
    edit: &LineEdit,
    actor: &str,
) -> Result<Decimal, ServiceError> {
    let total = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let head = lock_draft!(tx, db, invoice_id);
        let line: StoredLine = sqlx::query_as("SELECT position, tax_rate FROM invoice_lines WHERE id = $1 AND invoice_id = $2")
            .bind(line_id)
            .bind(invoice_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(ServiceError::NotFound("invoice line"))?;
        let charge = edit.charge(fixed::from_db(line.tax_rate)).map_err(|e| ServiceError::Invalid(vec![e]))?;
        let amounts = charge.amounts();
        sqlx::query(
            "UPDATE invoice_lines SET description = $1, quantity = $2, unit_price = $3, discount = $4,
                    net_amount = $5, tax_amount = $6
             WHERE id = $7",
        )
        .bind(&edit.description)
        .bind(fixed::to_db(charge.quantity)?)
        .bind(fixed::to_db(charge.unit_price)?)
        .bind(fixed::to_db(amounts.discount)?)
        .bind(fixed::to_db(amounts.net)?)
        .bind(fixed::to_db(amounts.tax)?)
        .bind(line_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let (totals, _) = recompute_totals!(tx, invoice_id);
        let detail = format!("Line {}: {} × {} less {} = {}", line.position, charge.quantity.normalize(),
            format_money(charge.unit_price, &head.currency), format_money(amounts.discount, &head.currency),
            format_money(amounts.net, &head.currency));
        events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::Edited, &detail, actor, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        totals.total
    });
    Ok(total)
}

/// Takes a line off a draft; its line item is billable again.
pub async fn remove_line(
    db: &Db,
    now: DateTime<Utc>,
    invoice_id: InvoiceId,
    line_id: i64,
    actor: &str,
) -> Result<(), ServiceError> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_draft!(tx, db, invoice_id);
        // A draft line has no history worth keeping: deleting it frees the line item at once.
        let removed: Option<(i32, String)> =
            sqlx::query_as("DELETE FROM invoice_lines WHERE id = $1 AND invoice_id = $2 RETURNING position, description")
                .bind(line_id)
                .bind(invoice_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        let (position, description) = removed.ok_or(ServiceError::NotFound("invoice line"))?;
        recompute_totals!(tx, invoice_id);
        let detail = format!("Removed line {position}: {description}");
        events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::LineRemoved, &detail, actor, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
    });
    Ok(())
}

/// Numbers a draft with the next gapless number of its issue date's period and opens it.
/// Gives a draft the next invoice number; then, in the same transaction, puts it in Ready to
/// send or queues its email when `then` says so, like the scheduler does for its invoices.
pub async fn finalise(
    db: &Db,
    now: DateTime<Utc>,
    invoice_id: InvoiceId,
    actor: &str,
    then: AfterGenerate,
    template_id: Option<TemplateId>,
) -> Result<String, ServiceError> {
    let payload = serde_json::to_string(&InvoiceEmailPayload { template_id })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let number = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_draft!(tx, db, invoice_id);
        let (_, line_count) = recompute_totals!(tx, invoice_id);
        if line_count == 0 {
            return Err(ServiceError::Conflict(
                "This draft has no lines left. Void it instead, or invoice line items again.".into(),
            ));
        }
        let format: String = sqlx::query_scalar("SELECT invoice_number_format FROM organisation WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or_else(|| ServiceError::Conflict("Set up the organisation in Settings before invoicing.".into()))?;
        let format = InvoiceNumberFormat::parse(&format)
            .map_err(|e| ServiceError::Conflict(format!("The invoice number format in Settings is not valid: {e}")))?;
        let issue_date: chrono::NaiveDate = sqlx::query_scalar("SELECT issue_date FROM invoices WHERE id = $1")
            .bind(invoice_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let period = format.period(issue_date.year(), issue_date.month());
        let seq: i64 = sqlx::query_scalar(NEXT_SEQUENCE_SQL)
            .bind(&period)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let number = format.render(issue_date.year(), issue_date.month(), seq as u64);
        sqlx::query("UPDATE invoices SET number = $1, status = 'open' WHERE id = $2 AND status = 'draft'")
            .bind(&number)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::Finalised, &format!("Numbered {number}"), actor, now).await?;
        hand_to_delivery(Conn::from(&mut *tx), invoice_id, then, &payload, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        number
    });
    Ok(number)
}
