//! The scheduler tick: invoices every auto-invoice line item whose billable date has come (in
//! the organisation's time zone), hands the invoices to delivery per the Automation settings,
//! and runs the invoice batch when its slot has come. A tick only acts on what the database
//! says is still to do, so ticks are idempotent, catch up after downtime, and may run on
//! several PostgreSQL instances at once.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        delivery::outbox::{self, NewMessage},
        invoicing::{
            automation,
            create::{self as invoicing, InvoiceRequest, Source},
        },
        platform::{
            clock::parse_time_zone,
            db::{BeginWrite, Conn},
        },
        reminders::engine as reminders,
    },
    domain::{
        email_kind::{EmailKind, InvoiceEmailPayload, invoice_email_key},
        ids::{InvoiceId, TemplateId},
    },
    on_db,
};

/// Invoicing in slices keeps each write transaction short (SQLite has one writer), while
/// cutting only between bill-to accounts keeps one invoice per account per tick.
const LINES_PER_TRANSACTION: usize = 5_000;

pub const INVOICE_BATCH: &str = "invoice-batch";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickReport {
    pub today: Option<NaiveDate>,
    pub invoices_created: usize,
    pub line_items_invoiced: usize,
    /// Due line items another instance (or an earlier slice) invoiced first.
    pub already_invoiced: usize,
    /// Emails queued by a batch slot this tick, if a slot ran.
    pub batch_queued: Option<usize>,
    /// Past-due reminder steps decided this tick.
    pub reminders: reminders::ReminderReport,
}

/// One tick at `now`. `instance` names the caller in batch-run records.
#[tracing::instrument(name = "tick", skip(db), fields(%now))]
pub async fn tick(db: &Db, now: DateTime<Utc>, instance: &str) -> Result<TickReport, ServiceError> {
    let Some(org) = crate::backend::platform::organisation::get(db).await? else {
        return Ok(TickReport::default());
    };
    let tz = parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    let local_now = now.with_timezone(&tz).naive_local();
    let today = local_now.date();
    let settings = automation::get(db).await?;
    let mut report = TickReport { today: Some(today), ..Default::default() };

    let due = crate::backend::invoicing::billable::auto_invoice_due(db, today).await?;
    for slice in slices(&due, LINES_PER_TRANSACTION) {
        let outcome = invoicing::invoice_line_items(
            db,
            now,
            &InvoiceRequest {
                line_item_ids: slice.iter().map(|(id, _)| *id).collect(),
                issue_date: today,
                due_date: None,
                created_by: None,
                actor: "Scheduler (auto-invoice)".into(),
                source: Source::Auto,
                then: settings.after_generate(),
                email_template_id: settings.template_id,
            },
        )
        .await?;
        report.invoices_created += outcome.created.len();
        report.line_items_invoiced += outcome.created.iter().map(|c| c.line_count).sum::<usize>();
        report.already_invoiced += outcome.already_invoiced;
    }

    if let Some(batch) = settings.batch()
        && let Some(slot) = batch.latest_slot(local_now)
        && slot_is_after_settings_saved(db, slot, &tz).await?
    {
        let slot_utc = local_to_utc(&tz, slot);
        report.batch_queued = queue_invoice_emails(
            db,
            now,
            Selection::ReadyBy(slot_utc),
            Some(BatchSlot { slot, instance }),
            settings.template_id,
        )
        .await?;
    }
    report.reminders = reminders::queue_due(db, now).await?;
    if report.invoices_created > 0 || report.batch_queued.is_some() {
        tracing::info!(?report, "scheduler tick");
    }
    Ok(report)
}

/// Cuts `(line item, bill-to)` pairs, sorted by bill-to, into slices of about `max` lines
/// without splitting an account.
fn slices<L, A: PartialEq>(due: &[(L, A)], max: usize) -> Vec<&[(L, A)]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < due.len() {
        let mut end = (start + max).min(due.len());
        while end < due.len() && due[end].1 == due[end - 1].1 {
            end += 1;
        }
        out.push(&due[start..end]);
        start = end;
    }
    out
}

/// A local wall-clock time as UTC; in a DST gap the next valid instant, in an overlap the
/// earlier one.
pub fn local_to_utc<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
        t += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

/// A slot from before the settings were last saved belongs to an old schedule: switching to
/// "weekly on Monday" on a Wednesday must not send Monday's batch at once.
async fn slot_is_after_settings_saved(db: &Db, slot: NaiveDateTime, tz: &chrono_tz::Tz) -> Result<bool, StoreError> {
    let saved: Option<DateTime<Utc>> = on_db!(db, p => {
        sqlx::query_scalar("SELECT updated_at FROM automation_settings WHERE id = 1").fetch_optional(p).await?
    });
    Ok(saved.is_none_or(|s| local_to_utc(tz, slot) >= s))
}

pub enum Selection {
    /// Staff picked these invoices (Ready to send, or Send on an invoice page).
    Ids(Vec<InvoiceId>),
    /// Everything that became ready at or before this instant (a batch).
    ReadyBy(DateTime<Utc>),
}

pub struct BatchSlot<'a> {
    pub slot: NaiveDateTime,
    pub instance: &'a str,
}

/// Queues one email per selected invoice and takes it off Ready to send, in one transaction.
/// With a batch slot, the slot is claimed in the same transaction: whichever instance claims it
/// queues the batch, and a crash before commit leaves the slot to the next tick. Returns `None`
/// when the slot had already run.
pub async fn queue_invoice_emails(
    db: &Db,
    now: DateTime<Utc>,
    selection: Selection,
    batch: Option<BatchSlot<'_>>,
    template_id: Option<TemplateId>,
) -> Result<Option<usize>, StoreError> {
    let payload =
        serde_json::to_string(&InvoiceEmailPayload { template_id }).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let queued = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        if let Some(b) = &batch {
            let claimed = sqlx::query(
                "INSERT INTO scheduler_runs (schedule, scheduled_for, claimed_by, started_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (schedule, scheduled_for) DO NOTHING",
            )
            .bind(INVOICE_BATCH)
            .bind(b.slot.format("%Y-%m-%dT%H:%M").to_string())
            .bind(b.instance)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                return Ok(None);
            }
        }
        let ids: Vec<InvoiceId> = match &selection {
            Selection::Ids(ids) if ids.is_empty() => Vec::new(),
            Selection::Ids(ids) => {
                let list = ids.iter().map(InvoiceId::to_string).collect::<Vec<_>>().join(",");
                sqlx::query_scalar(&format!(
                    "SELECT id FROM invoices WHERE id IN ({list}) AND status NOT IN ('void', 'draft') AND number IS NOT NULL ORDER BY id"
                ))
                .fetch_all(&mut *tx)
                .await?
            }
            Selection::ReadyBy(at) => sqlx::query_scalar(
                "SELECT id FROM invoices WHERE ready_to_send_at IS NOT NULL AND ready_to_send_at <= $1
                   AND status NOT IN ('void', 'draft') ORDER BY id",
            )
            .bind(*at)
            .fetch_all(&mut *tx)
            .await?,
        };
        for id in &ids {
            // The n-th email of this invoice: two people pressing Send at once compute the same
            // key, and the unique effect key turns the second into a no-op.
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE invoice_id = $1 AND kind = $2")
                .bind(id)
                .bind(EmailKind::Invoice.as_str())
                .fetch_one(&mut *tx)
                .await?;
            let message = NewMessage {
                effect_key: invoice_email_key(*id, n + 1),
                kind: EmailKind::Invoice.as_str(),
                payload: payload.clone(),
                invoice_id: Some(*id),
                due: now,
            };
            outbox::enqueue(Conn::from(&mut *tx), &message).await?;
            sqlx::query("UPDATE invoices SET ready_to_send_at = NULL WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        if let Some(b) = &batch {
            sqlx::query("UPDATE scheduler_runs SET finished_at = $1, summary = $2 WHERE schedule = $3 AND scheduled_for = $4")
                .bind(now)
                .bind(format!("{} invoice email(s) queued", ids.len()))
                .bind(INVOICE_BATCH)
                .bind(b.slot.format("%Y-%m-%dT%H:%M").to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        ids.len()
    });
    Ok(Some(queued))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_never_split_an_account() {
        let due: Vec<(i64, i64)> = vec![(1, 10), (2, 10), (3, 10), (4, 11), (5, 12), (6, 12)];
        let lens = |max| slices(&due, max).iter().map(|x| x.len()).collect::<Vec<_>>();
        assert_eq!(lens(2), [3, 3]);
        assert_eq!(lens(1), [3, 1, 2]);
        assert_eq!(lens(100), [6]);
    }

    #[test]
    fn dst_gap_moves_forward() {
        let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
        // 2027-03-14 02:30 does not exist in New York.
        let local = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap().and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(local_to_utc(&tz, local).to_rfc3339(), "2027-03-14T07:00:00+00:00");
    }
}
