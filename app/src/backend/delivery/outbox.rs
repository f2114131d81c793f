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

use crate::{
    backend::{
        Db, StoreError,
        platform::db::{BeginWrite, Conn},
    },
    domain::{
        delivery::{MAX_ATTEMPTS, retry_delay},
        ids::{InvoiceId, OutboxId},
    },
    on_conn, on_db,
};

/// Inserts a message; a second insert with the same effect key does nothing. Bind: effect key,
/// kind, payload, invoice id, now, message id. Run it inside the caller's transaction.
pub const ENQUEUE_SQL: &str =
    "INSERT INTO outbox (effect_key, kind, payload, invoice_id, status, next_attempt_at, message_id, created_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $5)
     ON CONFLICT (effect_key) DO NOTHING";

/// A message to write in the caller's transaction.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Unique per effect: the same decision taken twice writes one row.
    pub effect_key: String,
    /// An opaque tag; the layer that composes messages knows what it means.
    pub kind: &'a str,
    pub payload: String,
    /// The invoice the message is about, for the invoice page's email list.
    pub invoice_id: Option<InvoiceId>,
    pub due: DateTime<Utc>,
}

/// Writes a message in the caller's transaction with a fresh Message-ID. Returns its id, or
/// `None` when a message with the same effect key already exists.
pub async fn enqueue(conn: Conn<'_>, message: &NewMessage<'_>) -> Result<Option<i64>, StoreError> {
    let sql = format!("{ENQUEUE_SQL} RETURNING id");
    let id = on_conn!(conn, c => sqlx::query_scalar::<_, i64>(&sql)
        .bind(&message.effect_key)
        .bind(message.kind)
        .bind(&message.payload)
        .bind(message.invoice_id)
        .bind(message.due)
        .bind(new_message_id())
        .fetch_optional(&mut *c)
        .await?);
    Ok(id)
}

/// 128 random bits: unique without coordination between instances.
pub fn new_message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{}@pressrun.mail", hex::encode(bytes))
}

/// A row a worker holds the lease on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: OutboxId,
    pub kind: String,
    pub payload: String,
    pub invoice_id: Option<InvoiceId>,
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

/// How a message stands after an attempt, as the follow-ups see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended<'a> {
    Delivered {
        recipients: &'a str,
    },
    /// A temporary failure; another attempt is scheduled.
    Retrying,
    /// Refused for good, or given up after the last attempt; waits for a person.
    Failed {
        reason: &'a str,
    },
    /// The effect should no longer happen; closed without sending.
    Cancelled {
        reason: &'a str,
    },
}

/// What a message's outcome changes outside the outbox (an invoice marked Sent, a reminder
/// step settled), supplied by the layer that knows the kinds. It runs in the transaction that
/// records the outcome, so the two happen together or not at all.
pub trait FollowUp: Send + Sync {
    fn settled(
        &self,
        conn: Conn<'_>,
        message: &Claimed,
        ended: Ended<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A failed message was put back in the queue by a person.
    fn requeued(&self, conn: Conn<'_>, outbox_id: OutboxId) -> impl Future<Output = Result<(), StoreError>> + Send;
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
    follow_up: &impl FollowUp,
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
        if fenced {
            let gave_up;
            let ended = match outcome {
                Outcome::Delivered { recipients, .. } => Ended::Delivered { recipients },
                Outcome::Transient { .. } if !give_up => Ended::Retrying,
                Outcome::Transient { reply } => {
                    gave_up = format!("Gave up after {} attempts: {reply}", row.attempts);
                    Ended::Failed { reason: &gave_up }
                }
                Outcome::Permanent { reply } => Ended::Failed { reason: reply },
                Outcome::Cancelled { reason } => Ended::Cancelled { reason },
            };
            follow_up.settled(Conn::from(&mut *tx), row, ended, now).await?;
        }
        tx.commit().await?;
        fenced
    });
    Ok(held)
}

/// Extends a claim the worker still holds while its message is being composed or sent, so a
/// slow PDF or SMTP server does not let another instance take the row and send it again.
/// False when the lease was lost (taken over after it ran out, or finished).
pub async fn renew_lease(db: &Db, id: OutboxId, worker: &str, until: DateTime<Utc>) -> Result<bool, StoreError> {
    let renewed = on_db!(db, p => {
        sqlx::query("UPDATE outbox SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'in_flight'")
            .bind(until)
            .bind(id)
            .bind(worker)
            .execute(p)
            .await?
            .rows_affected()
    });
    Ok(renewed == 1)
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
pub async fn retry(db: &Db, id: OutboxId, now: DateTime<Utc>, follow_up: &impl FollowUp) -> Result<bool, StoreError> {
    let changed = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let changed = sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $1, attempts = 0, completed_at = NULL WHERE id = $2 AND status = 'failed'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            follow_up.requeued(Conn::from(&mut *tx), id).await?;
        }
        tx.commit().await?;
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
