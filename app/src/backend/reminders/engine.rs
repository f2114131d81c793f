//! The past-due reminder engine. Each scheduler tick decides, per owed invoice, the one ladder
//! step it should get today (`domain::reminder_ladder`) and records it in `invoice_reminders`
//! together with its outbox row, in one transaction. `UNIQUE(invoice_id, days_past_due)` plus
//! `ON CONFLICT DO NOTHING` make a step happen once however many ticks or instances decide it;
//! whether the email still goes is decided again when it is composed (`reminder_email`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        delivery::outbox::{self, Ended, NewMessage},
        invoicing::events,
        platform::{
            clock::parse_time_zone,
            db::{BeginWrite, Conn},
        },
        reminders::store::Candidate,
    },
    domain::{
        email_kind::EmailKind,
        ids::{AccountId, ContactId, InvoiceId, OutboxId},
        invoice_event::InvoiceEventKind,
        reminder_ladder::{ReminderStyle, manual_step, next_step, step_due},
    },
    on_conn, on_db,
    views::reminders::{InvoiceReminders, UpcomingReminder},
};

/// How far ahead the Reminders view looks.
pub const UPCOMING_DAYS: i64 = 7;

/// The outbox payload of a per-invoice reminder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPayload {
    pub days_past_due: i64,
    /// Sent by staff from the invoice page: goes even while reminders are paused.
    #[serde(default)]
    pub manual: bool,
}

/// The outbox payload of a daily digest to one contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestPayload {
    pub account_id: AccountId,
    pub contact_id: ContactId,
    pub local_date: Option<NaiveDate>,
    /// The steps this digest stands for, `(invoice id, days past due)`.
    pub steps: Vec<(InvoiceId, i64)>,
}

pub fn reminder_key(invoice_id: InvoiceId, step: i64) -> String {
    format!("reminder:{invoice_id}:{step}")
}

pub fn digest_key(contact_id: ContactId, local_date: NaiveDate) -> String {
    format!("reminder-digest:{contact_id}:{local_date}")
}

/// The `(invoice, step)` pairs an outbox row of a reminder kind stands for.
pub fn steps_of(kind: EmailKind, invoice_id: Option<InvoiceId>, payload: &str) -> Vec<(InvoiceId, i64)> {
    match kind {
        EmailKind::Reminder => match (invoice_id, serde_json::from_str::<ReminderPayload>(payload)) {
            (Some(id), Ok(p)) => vec![(id, p.days_past_due)],
            _ => Vec::new(),
        },
        EmailKind::ReminderDigest => {
            serde_json::from_str::<DigestPayload>(payload).map(|p| p.steps).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// What a reminder email's outcome does to the ladder steps it stood for, in the transaction
/// that records the outcome: each step follows it, and the invoice's timeline says so. A step
/// that another digest already settled is left alone.
pub async fn settled(
    conn: Conn<'_>,
    kind: EmailKind,
    invoice_id: Option<InvoiceId>,
    payload: &str,
    ended: Ended<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (status, detail) = match ended {
        Ended::Delivered { .. } => ("sent", String::new()),
        Ended::Cancelled { reason } => ("cancelled", reason.to_string()),
        Ended::Failed { reason } => ("failed", reason.to_string()),
        Ended::Retrying => return Ok(()),
    };
    on_conn!(conn, c => {
        for (invoice_id, step) in steps_of(kind, invoice_id, payload) {
            let changed = sqlx::query(
                "UPDATE invoice_reminders SET status = $1, detail = $2,
                        sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE sent_at END
                 WHERE invoice_id = $4 AND days_past_due = $5 AND status IN ('queued', 'failed')",
            )
            .bind(status)
            .bind(&detail)
            .bind(now)
            .bind(invoice_id)
            .bind(step)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if changed == 1 && status != "cancelled" {
                let (event, text) = match ended {
                    Ended::Delivered { recipients } => {
                        let how = if kind == EmailKind::ReminderDigest { " (daily past-due summary)" } else { "" };
                        (InvoiceEventKind::ReminderSent, format!("Day {step} reminder emailed to {recipients}{how}"))
                    }
                    _ => (InvoiceEventKind::ReminderFailed, format!("Day {step} reminder failed: {detail}")),
                };
                events::record(Conn::from(&mut *c), invoice_id, event, &text, "Reminder", now).await?;
            }
        }
    });
    Ok(())
}

/// A failed reminder email put back in the queue: its steps are queued again, not failed.
pub async fn requeued(conn: Conn<'_>, outbox_id: OutboxId) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("UPDATE invoice_reminders SET status = 'queued', detail = '' WHERE outbox_id = $1 AND status = 'failed'")
        .bind(outbox_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderReport {
    /// Ladder steps decided this tick.
    pub steps: usize,
    /// Emails queued for them (fewer than steps with daily digests).
    pub emails: usize,
}

/// Today's local date in the organisation's zone.
pub async fn today(db: &Db, now: DateTime<Utc>) -> Result<NaiveDate, StoreError> {
    let org = crate::backend::platform::organisation::get(db).await?;
    let tz = org.and_then(|o| parse_time_zone(&o.time_zone)).unwrap_or(chrono_tz::UTC);
    Ok(now.with_timezone(&tz).date_naive())
}

async fn ladder(db: &Db) -> Result<Vec<i64>, StoreError> {
    Ok(crate::backend::reminders::store::rules(db).await?.iter().map(|r| r.days_past_due).collect())
}

/// The scheduler's step: queues every reminder due at `now`. Does nothing while reminders are
/// switched off.
#[tracing::instrument(name = "reminders", skip(db))]
pub async fn queue_due(db: &Db, now: DateTime<Utc>) -> Result<ReminderReport, StoreError> {
    let mut report = ReminderReport::default();
    let (enabled, style) = crate::backend::reminders::store::settings(db).await?;
    if !enabled {
        return Ok(report);
    }
    let rules = ladder(db).await?;
    if rules.is_empty() {
        return Ok(report);
    }
    let today = today(db, now).await?;
    let decided = crate::backend::reminders::store::decided(db, None).await?;
    let due: Vec<(Candidate, i64)> = crate::backend::reminders::store::candidates(db, today)
        .await?
        .into_iter()
        .filter_map(|c| {
            let done = decided.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
            step_due(&rules, c.due_date, today, done).map(|s| (c, s))
        })
        .collect();
    match style {
        ReminderStyle::PerInvoice => {
            for (c, step) in &due {
                if queue_step(db, c.id, *step, now, false, "Scheduler").await? {
                    report.steps += 1;
                    report.emails += 1;
                }
            }
        }
        ReminderStyle::PerContactDaily => {
            let mut by_account: BTreeMap<AccountId, Vec<(InvoiceId, i64)>> = BTreeMap::new();
            for (c, step) in &due {
                by_account.entry(c.account_id).or_default().push((c.id, *step));
            }
            for (account_id, steps) in by_account {
                let (s, e) = queue_digest(db, account_id, &steps, today, now).await?;
                report.steps += s;
                report.emails += e;
            }
        }
    }
    if report.steps > 0 {
        tracing::info!(?report, %today, "past-due reminders queued");
    }
    Ok(report)
}

/// Records one step for an invoice and queues its email, in one transaction. False when the
/// step had already been decided (by another tick, instance or person).
pub async fn queue_step(
    db: &Db,
    invoice_id: InvoiceId,
    step: i64,
    now: DateTime<Utc>,
    manual: bool,
    actor: &str,
) -> Result<bool, StoreError> {
    let payload = serde_json::to_string(&ReminderPayload { days_past_due: step, manual })
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let queued = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let decided = sqlx::query(
            "INSERT INTO invoice_reminders (invoice_id, days_past_due, status, manual, actor, created_at)
             VALUES ($1, $2, 'queued', $3, $4, $5) ON CONFLICT (invoice_id, days_past_due) DO NOTHING",
        )
        .bind(invoice_id)
        .bind(step)
        .bind(manual)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if decided == 0 {
            tx.rollback().await?;
            false
        } else {
            let message = NewMessage {
                effect_key: reminder_key(invoice_id, step),
                kind: EmailKind::Reminder.as_str(),
                payload: payload.clone(),
                invoice_id: Some(invoice_id),
                due: now,
            };
            let outbox_id = outbox::enqueue(Conn::from(&mut *tx), &message).await?;
            sqlx::query("UPDATE invoice_reminders SET outbox_id = $1 WHERE invoice_id = $2 AND days_past_due = $3")
                .bind(outbox_id)
                .bind(invoice_id)
                .bind(step)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            true
        }
    });
    Ok(queued)
}

/// Records the steps due for one account and queues one digest per To contact for today.
/// When every contact already had today's digest, nothing is recorded: the steps wait for
/// tomorrow's digest rather than being marked done without an email.
async fn queue_digest(
    db: &Db,
    account_id: AccountId,
    steps: &[(InvoiceId, i64)],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(usize, usize), StoreError> {
    let result = on_db!(db, p => {
        let contacts: Vec<ContactId> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE account_id = $1 AND invoice_role = 'to' ORDER BY id")
                .bind(account_id)
                .fetch_all(p)
                .await?;
        if contacts.is_empty() {
            tracing::warn!(%account_id, "past-due reminders due but the account has no invoice contact (To)");
            (0, 0)
        } else {
            let mut tx = p.begin_write().await?;
            let mut recorded = Vec::new();
            for (invoice_id, step) in steps {
                let n = sqlx::query(
                    "INSERT INTO invoice_reminders (invoice_id, days_past_due, status, manual, actor, created_at)
                     VALUES ($1, $2, 'queued', FALSE, 'Scheduler (daily digest)', $3) ON CONFLICT (invoice_id, days_past_due) DO NOTHING",
                )
                .bind(invoice_id)
                .bind(step)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    recorded.push((*invoice_id, *step));
                }
            }
            let mut first_outbox = None;
            let mut emails = 0;
            if !recorded.is_empty() {
                for contact_id in &contacts {
                    let payload = serde_json::to_string(&DigestPayload {
                        account_id,
                        contact_id: *contact_id,
                        local_date: Some(today),
                        steps: recorded.clone(),
                    })
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    let message = NewMessage {
                        effect_key: digest_key(*contact_id, today),
                        kind: EmailKind::ReminderDigest.as_str(),
                        payload,
                        invoice_id: None,
                        due: now,
                    };
                    let id = outbox::enqueue(Conn::from(&mut *tx), &message).await?;
                    if id.is_some() {
                        emails += 1;
                        first_outbox = first_outbox.or(id);
                    }
                }
            }
            if first_outbox.is_none() {
                tx.rollback().await?;
                (0, 0)
            } else {
                for (invoice_id, step) in &recorded {
                    sqlx::query("UPDATE invoice_reminders SET outbox_id = $1 WHERE invoice_id = $2 AND days_past_due = $3")
                        .bind(first_outbox)
                        .bind(invoice_id)
                        .bind(step)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                (recorded.len(), emails)
            }
        }
    });
    Ok(result)
}

#[derive(sqlx::FromRow)]
struct InvoiceState {
    due_date: NaiveDate,
    owed: bool,
    paused: bool,
    account_paused: bool,
}

async fn invoice_state(db: &Db, invoice_id: InvoiceId) -> Result<Option<InvoiceState>, StoreError> {
    let row = on_db!(db, p => {
        sqlx::query_as(&format!(
            "SELECT i.due_date, CASE WHEN {} THEN TRUE ELSE FALSE END AS owed, i.reminders_paused AS paused,
                    a.reminders_paused AS account_paused
             FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.id = $1",
            crate::backend::reminders::store::OWED
        ))
        .bind(invoice_id)
        .fetch_optional(p)
        .await?
    });
    Ok(row)
}

/// "Send reminder" on an invoice page: queues the step due now (or the next one not yet sent)
/// as a manual reminder, which counts as that step. Returns the step.
pub async fn send_manual(db: &Db, invoice_id: InvoiceId, now: DateTime<Utc>, actor: &str) -> Result<i64, ServiceError> {
    let state = invoice_state(db, invoice_id).await?.ok_or(ServiceError::NotFound("invoice"))?;
    if !state.owed {
        return Err(ServiceError::Conflict(
            "Nothing is owed on this invoice, so there is nothing to remind about.".into(),
        ));
    }
    let rules = ladder(db).await?;
    if rules.is_empty() {
        return Err(ServiceError::Conflict(
            "There are no reminder rules: add one in Automation > Accounting > Past Due Reminders.".into(),
        ));
    }
    let today = today(db, now).await?;
    let decided =
        crate::backend::reminders::store::decided(db, Some(invoice_id)).await?.remove(&invoice_id).unwrap_or_default();
    let step = manual_step(&rules, state.due_date, today, &decided)
        .ok_or_else(|| ServiceError::Conflict("Every reminder step has already been sent for this invoice.".into()))?;
    if !queue_step(db, invoice_id, step, now, true, actor).await? {
        return Err(ServiceError::Conflict("That reminder was just queued by someone else; refresh the page.".into()));
    }
    tracing::info!(%invoice_id, step, actor, "manual reminder queued");
    Ok(step)
}

/// What the scheduler will send in the next `UPCOMING_DAYS` days (including today's steps not
/// yet queued), soonest first.
pub async fn upcoming(db: &Db, now: DateTime<Utc>) -> Result<(NaiveDate, Vec<UpcomingReminder>), StoreError> {
    let today = today(db, now).await?;
    let rules = ladder(db).await?;
    let horizon = today + Duration::days(UPCOMING_DAYS);
    let decided = crate::backend::reminders::store::decided(db, None).await?;
    let mut out: Vec<UpcomingReminder> = crate::backend::reminders::store::candidates(db, horizon)
        .await?
        .into_iter()
        .filter_map(|c| {
            let done = decided.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
            let (days, date) = next_step(&rules, c.due_date, today, done)?;
            (date <= horizon).then(|| UpcomingReminder {
                invoice_id: c.id,
                number: c.number.clone().unwrap_or_default(),
                account_id: c.account_id,
                account: c.account.clone(),
                days,
                date,
                balance: crate::backend::platform::fixed::from_db(c.total - c.amount_paid),
                currency: c.currency.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    Ok((today, out))
}

/// The invoice page's Reminders section.
pub async fn for_invoice(
    db: &Db,
    invoice_id: InvoiceId,
    now: DateTime<Utc>,
    can_send: bool,
) -> Result<InvoiceReminders, ServiceError> {
    let state = invoice_state(db, invoice_id).await?.ok_or(ServiceError::NotFound("invoice"))?;
    let (enabled, _) = crate::backend::reminders::store::settings(db).await?;
    let rules = ladder(db).await?;
    let today = today(db, now).await?;
    let decided =
        crate::backend::reminders::store::decided(db, Some(invoice_id)).await?.remove(&invoice_id).unwrap_or_default();
    let active = enabled && state.owed && !state.paused && !state.account_paused;
    Ok(InvoiceReminders {
        enabled,
        paused: state.paused,
        account_paused: state.account_paused,
        owed: state.owed,
        history: crate::backend::reminders::store::records(db, Some(invoice_id), None, 50).await?,
        next: if active { next_step(&rules, state.due_date, today, &decided) } else { None },
        manual_step: if state.owed { manual_step(&rules, state.due_date, today, &decided) } else { None },
        can_send,
    })
}
