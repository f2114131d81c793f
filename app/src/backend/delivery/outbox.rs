//! The outbox: every email leaves through here. A row is written in the transaction that
//! decides the email should exist (so it is never lost), its unique effect key makes a second
//! decision a no-op (so it is never doubled), and workers claim rows with a lease, record
//! each attempt before making it, and complete the row only while they still hold the lease.
//!
//! The one repeat a crash can cause: the process dies after the mail server accepted a
//! message and before the worker recorded it. The row's lease then runs out, another claim
//! sends it again — with the same Message-ID — and the earlier attempt stays `unknown`.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::backend::{Db, StoreError, platform::db::BeginWrite};
use crate::{
    domain::delivery::{MAX_ATTEMPTS, retry_delay},
    on_db,
};

pub const INVOICE_EMAIL: &str = "invoice_email";
/// A past-due reminder about one invoice (one ladder step).
pub const REMINDER_EMAIL: &str = "reminder_email";
/// The per-contact daily reminder listing an account's past-due invoices.
pub const REMINDER_DIGEST: &str = "reminder_digest";

/// Inserts an effect; a second insert with the same key does nothing. Bind: effect key, kind,
/// payload, invoice id, now, message id. Run it inside the caller's transaction.
pub const ENQUEUE_SQL: &str =
    "INSERT INTO outbox (effect_key, kind, payload, invoice_id, status, next_attempt_at, message_id, created_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $5)
     ON CONFLICT (effect_key) DO NOTHING";

/// The effect key of the `n`-th email of an invoice: the automatic first send is always 1,
/// so however many ticks or instances decide to send it, it is sent once.
pub fn invoice_email_key(invoice_id: i64, n: i64) -> String {
    format!("invoice-email:{invoice_id}:{n}")
}

/// 128 random bits: unique without coordination between instances.
pub fn new_message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{}@pressrun.mail", hex::encode(bytes))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceEmailPayload {
    /// The template chosen when the email was queued; the organisation default when absent.
    pub template_id: Option<i64>,
}

/// A row a worker holds the lease on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub invoice_id: Option<i64>,
    pub message_id: Option<String>,
    pub attempts: i32,
    #[sqlx(default)]
    pub attempt_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered {
        reply: String,
        recipients: String,
    },
    Transient {
        reply: String,
    },
    Permanent {
        reply: String,
    },
    /// The effect should no longer happen (its invoice was voided): closed without sending.
    Cancelled {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::seconds(30) }
    }
}

/// Claims up to `limit` rows that are due, or whose previous holder's lease ran out, and
/// records a started attempt for each — all in one transaction, so a claim is never half made.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    // SKIP LOCKED lets several PostgreSQL instances claim side by side; SQLite deployments
    // are single-instance and BEGIN IMMEDIATE already serialises the claim.
    let lock = if db.is_postgres() { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE outbox SET status = 'in_flight', lease_owner = $1, lease_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE (status = 'pending' AND next_attempt_at <= $3)
                         OR (status = 'in_flight' AND lease_until < $3)
                      ORDER BY next_attempt_at, id LIMIT $4 {lock})
         RETURNING id, kind, payload, invoice_id, message_id, attempts"
    );
    let claimed = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut rows: Vec<Claimed> = sqlx::query_as(&sql)
            .bind(worker)
            .bind(now + lease)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        for row in &mut rows {
            row.attempt_id = sqlx::query_scalar(
                "INSERT INTO outbox_attempts (outbox_id, worker, started_at, outcome) VALUES ($1, $2, $3, 'unknown') RETURNING id",
            )
            .bind(row.id)
            .bind(worker)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        rows
    });
    Ok(claimed)
}

/// Records how an attempt ended. Returns false when the lease was lost (another worker took
/// the row over after it expired): the attempt is still recorded, the row left to its holder.
pub async fn finish(
    db: &Db,
    row: &Claimed,
    worker: &str,
    now: DateTime<Utc>,
    outcome: &Outcome,
    backoff: Backoff,
) -> Result<bool, StoreError> {
    let (attempt_outcome, reply) = match outcome {
        Outcome::Delivered { reply, .. } => ("delivered", reply),
        Outcome::Transient { reply } => ("transient", reply),
        Outcome::Permanent { reply } => ("permanent", reply),
        Outcome::Cancelled { reason } => ("permanent", reason),
    };
    let give_up = matches!(outcome, Outcome::Transient { .. }) && row.attempts >= MAX_ATTEMPTS;
    let held = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE outbox_attempts SET finished_at = $1, outcome = $2, reply = $3 WHERE id = $4")
            .bind(now)
            .bind(attempt_outcome)
            .bind(reply)
            .bind(row.attempt_id)
            .execute(&mut *tx)
            .await?;
        let fenced = match outcome {
            Outcome::Delivered { recipients, .. } => sqlx::query(
                "UPDATE outbox SET status = 'done', completed_at = $1, lease_owner = NULL, lease_until = NULL,
                        last_error = '', recipients = $2
                 WHERE id = $3 AND lease_owner = $4 AND status = 'in_flight'",
            )
            .bind(now)
            .bind(recipients)
            .bind(row.id)
            .bind(worker)
            .execute(&mut *tx)
            .await?,
            Outcome::Transient { reply } if !give_up => sqlx::query(
                "UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL, last_error = $2
                 WHERE id = $3 AND lease_owner = $4 AND status = 'in_flight'",
            )
            .bind(now + retry_delay(row.attempts.max(1) as u32, backoff.base))
            .bind(reply)
            .bind(row.id)
            .bind(worker)
            .execute(&mut *tx)
            .await?,
            Outcome::Cancelled { reason } => sqlx::query(
                "UPDATE outbox SET status = 'cancelled', completed_at = $1, lease_owner = NULL, lease_until = NULL, last_error = $2
                 WHERE id = $3 AND lease_owner = $4 AND status = 'in_flight'",
            )
            .bind(now)
            .bind(reason)
            .bind(row.id)
            .bind(worker)
            .execute(&mut *tx)
            .await?,
            Outcome::Transient { reply } | Outcome::Permanent { reply } => {
                let reason = if give_up { format!("Gave up after {} attempts. Last reply: {reply}", row.attempts) } else { reply.clone() };
                sqlx::query(
                    "UPDATE outbox SET status = 'failed', completed_at = $1, lease_owner = NULL, lease_until = NULL, last_error = $2
                     WHERE id = $3 AND lease_owner = $4 AND status = 'in_flight'",
                )
                .bind(now)
                .bind(reason)
                .bind(row.id)
                .bind(worker)
                .execute(&mut *tx)
                .await?
            }
        }
        .rows_affected() == 1;
        if fenced && let Some(invoice_id) = row.invoice_id && row.kind == INVOICE_EMAIL {
            match outcome {
                Outcome::Delivered { recipients, .. } => {
                    sqlx::query(
                        "UPDATE invoices SET status = CASE WHEN status = 'open' THEN 'sent' ELSE status END,
                                sent_at = COALESCE(sent_at, $1)
                         WHERE id = $2",
                    )
                    .bind(now)
                    .bind(invoice_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, 'sent', $2, 'Email', $3)")
                        .bind(invoice_id)
                        .bind(format!("Emailed to {recipients}"))
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                Outcome::Permanent { reply } => {
                    sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, 'email_failed', $2, 'Email', $3)")
                        .bind(invoice_id)
                        .bind(reply)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                Outcome::Transient { reply } if give_up => {
                    sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, 'email_failed', $2, 'Email', $3)")
                        .bind(invoice_id)
                        .bind(format!("Gave up after {} attempts: {reply}", row.attempts))
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                Outcome::Transient { .. } | Outcome::Cancelled { .. } => {}
            }
        }
        if fenced
            && let Some(invoice_id) = row.invoice_id
            && row.kind == crate::backend::payments::record::RECEIPT_EMAIL
            && let Outcome::Delivered { recipients, .. } = outcome
        {
            sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, 'receipt_sent', $2, 'Email', $3)")
                .bind(invoice_id)
                .bind(format!("Receipt emailed to {recipients}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if fenced && matches!(row.kind.as_str(), REMINDER_EMAIL | REMINDER_DIGEST) {
            // The reminder steps this email stood for follow its outcome; a step another
            // digest already settled is left alone.
            let (status, detail) = match outcome {
                Outcome::Delivered { .. } => ("sent", String::new()),
                Outcome::Cancelled { reason } => ("cancelled", reason.clone()),
                Outcome::Permanent { reply } => ("failed", reply.clone()),
                Outcome::Transient { reply } if give_up => ("failed", format!("Gave up after {} attempts: {reply}", row.attempts)),
                Outcome::Transient { .. } => ("", String::new()),
            };
            for (invoice_id, step) in crate::backend::reminders::engine::steps_of(&row.kind, row.invoice_id, &row.payload) {
                if status.is_empty() {
                    break;
                }
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
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 1 && status != "cancelled" {
                    let (kind, text) = match outcome {
                        Outcome::Delivered { recipients, .. } => {
                            let how = if row.kind == REMINDER_DIGEST { " (daily past-due summary)" } else { "" };
                            ("reminder_sent", format!("Day {step} reminder emailed to {recipients}{how}"))
                        }
                        _ => ("reminder_failed", format!("Day {step} reminder failed: {detail}")),
                    };
                    sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, $2, $3, 'Reminder', $4)")
                        .bind(invoice_id)
                        .bind(kind)
                        .bind(text)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        fenced
    });
    Ok(held)
}

/// On a single-instance (SQLite) deployment nothing else can hold a lease when the server
/// starts, so rows left in flight by a crash are due again at once instead of after the lease.
pub async fn release_orphaned_leases(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let released = on_db!(db, p => {
        sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL WHERE status = 'in_flight'")
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
    });
    Ok(released)
}

/// Puts a failed message back in the queue, due now (the Email failures view's Retry).
pub async fn retry(db: &Db, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = on_db!(db, p => {
        let changed = sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $1, attempts = 0, completed_at = NULL WHERE id = $2 AND status = 'failed'")
            .bind(now)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected();
        // A retried reminder is queued again, not failed.
        sqlx::query("UPDATE invoice_reminders SET status = 'queued', detail = '' WHERE outbox_id = $1 AND status = 'failed'")
            .bind(id)
            .execute(p)
            .await?;
        changed
    });
    Ok(changed == 1)
}

/// The soonest time a pending row becomes due, so an idle worker knows how long it may sleep.
pub async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>, StoreError> {
    let next = on_db!(db, p => {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) FROM outbox WHERE status IN ('pending', 'in_flight')",
        )
        .fetch_one(p)
        .await?
    });
    Ok(next)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub in_flight: i64,
    pub done: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> Result<OutboxCounts, StoreError> {
    let rows: Vec<(String, i64)> = on_db!(db, p => {
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(p).await?
    });
    let mut c = OutboxCounts::default();
    for (status, n) in rows {
        match status.as_str() {
            "pending" => c.pending = n,
            "in_flight" => c.in_flight = n,
            "done" => c.done = n,
            "failed" => c.failed = n,
            _ => {}
        }
    }
    Ok(c)
}
