//! The outbox worker: claims due messages, composes them from current data, hands them to the
//! mail route, and records each outcome. Runs in every server instance and in `pressrun tick`.

use std::sync::Arc;

use chrono::Duration;
use tokio::sync::Mutex;

use crate::backend::{
    Db, StoreError, delivery::mail_settings, delivery::mail_settings::MailEnvironment, delivery::outbox,
    delivery::outbox::Backoff, delivery::outbox::Claimed, delivery::outbox::Outcome, delivery::transport::MailError,
    delivery::transport::MailRoute, delivery::transport::Mailer, delivery::transport::OutgoingEmail,
    messages::invoice as invoice_email, messages::invoice::ComposeError, platform::clock::Clock,
};

#[derive(Debug, Clone, Copy)]
pub struct DeliveryConfig {
    /// How long a claim is exclusive; a crashed holder's rows are taken over after this.
    pub lease: Duration,
    pub backoff: Backoff,
    /// Rows claimed (and sent concurrently) at a time.
    pub batch: i64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self { lease: Duration::seconds(120), backoff: Backoff::default(), batch: 8 }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Outcomes recorded after the lease had passed to another worker.
    pub lease_lost: usize,
}

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.delivered += other.delivered;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.cancelled += other.cancelled;
        self.lease_lost += other.lease_lost;
    }

    pub fn attempted(&self) -> usize {
        self.delivered + self.retrying + self.failed + self.cancelled
    }
}

pub struct Courier {
    db: Db,
    env: Arc<MailEnvironment>,
    clock: Arc<dyn Clock>,
    worker: String,
    config: DeliveryConfig,
    /// Rebuilt only when the effective route changes, so the SMTP connection pool is reused.
    mailer: Mutex<Option<Mailer>>,
}

impl Courier {
    pub fn new(
        db: Db,
        env: Arc<MailEnvironment>,
        clock: Arc<dyn Clock>,
        worker: String,
        config: DeliveryConfig,
    ) -> Self {
        Self { db, env, clock, worker, config, mailer: Mutex::new(None) }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    async fn mailer(&self) -> Result<(Mailer, Option<String>), StoreError> {
        let effective = mail_settings::effective(&self.db, &self.env).await?;
        let mut cached = self.mailer.lock().await;
        let reuse = cached.as_ref().is_some_and(|m| m.route() == &effective.route);
        if !reuse {
            match Mailer::new(effective.route.clone()) {
                Ok(m) => *cached = Some(m),
                Err(e) => {
                    tracing::error!(error = %e, "mail route could not be set up; writing to the folder instead");
                    *cached = Mailer::new(MailRoute::Folder(self.env.folder.clone())).ok();
                }
            }
        }
        let mailer = cached.clone().ok_or_else(|| StoreError::Invalid("no mail route".into()))?;
        Ok((mailer, effective.from))
    }

    /// Delivers everything due now, batch after batch, until nothing is due.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        loop {
            let claimed =
                outbox::claim(&self.db, &self.worker, self.clock.now(), self.config.lease, self.config.batch).await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            let (mailer, from) = self.mailer().await?;
            let mut tasks = tokio::task::JoinSet::new();
            for row in claimed {
                let (db, mailer, from, clock) = (self.db.clone(), mailer.clone(), from.clone(), self.clock.clone());
                let (worker, backoff, env) = (self.worker.clone(), self.config.backoff, self.env.clone());
                tasks.spawn(async move {
                    let outcome = attempt(&db, &mailer, from.as_deref(), &row, clock.now(), &env.public_url).await;
                    let held = outbox::finish(&db, &row, &worker, clock.now(), &outcome, backoff).await?;
                    Ok::<_, StoreError>((outcome, held))
                });
            }
            while let Some(joined) = tasks.join_next().await {
                let (outcome, held) = joined.map_err(|e| StoreError::Invalid(format!("delivery task: {e}")))??;
                let mut one = DeliveryReport::default();
                match outcome {
                    Outcome::Delivered { .. } => one.delivered = 1,
                    Outcome::Transient { .. } => one.retrying = 1,
                    Outcome::Cancelled { .. } => one.cancelled = 1,
                    Outcome::Permanent { .. } => one.failed = 1,
                }
                if !held {
                    one.lease_lost = 1;
                }
                report.add(one);
            }
        }
    }
}

/// Builds the message a claimed row stands for, from the data as it is now.
async fn compose(
    db: &Db,
    from: Option<&str>,
    row: &Claimed,
    message_id: &str,
    now: chrono::DateTime<chrono::Utc>,
    public_url: &str,
) -> Result<OutgoingEmail, ComposeError> {
    match row.kind.as_str() {
        outbox::INVOICE_EMAIL => {
            let invoice_id =
                row.invoice_id.ok_or_else(|| ComposeError::Permanent("invoice email without an invoice".into()))?;
            let payload = serde_json::from_str(&row.payload).unwrap_or_default();
            invoice_email::compose(db, invoice_id, &payload, message_id, from, true, now, public_url).await
        }
        crate::backend::payments::record::RECEIPT_EMAIL => {
            crate::backend::messages::receipt::compose(db, &row.payload, message_id, from, now, public_url).await
        }
        outbox::REMINDER_EMAIL => {
            let invoice_id =
                row.invoice_id.ok_or_else(|| ComposeError::Permanent("reminder without an invoice".into()))?;
            let payload = serde_json::from_str(&row.payload)
                .map_err(|e| ComposeError::Permanent(format!("unreadable reminder: {e}")))?;
            crate::backend::messages::reminder::compose_reminder(
                db, invoice_id, &payload, message_id, from, now, public_url,
            )
            .await
        }
        outbox::REMINDER_DIGEST => {
            let payload = serde_json::from_str(&row.payload)
                .map_err(|e| ComposeError::Permanent(format!("unreadable reminder: {e}")))?;
            crate::backend::messages::reminder::compose_digest(db, &payload, message_id, from, now, public_url).await
        }
        other => Err(ComposeError::Permanent(format!("unknown outbox kind {other:?}"))),
    }
}

async fn attempt(
    db: &Db,
    mailer: &Mailer,
    from: Option<&str>,
    row: &Claimed,
    now: chrono::DateTime<chrono::Utc>,
    public_url: &str,
) -> Outcome {
    let message_id = row.message_id.clone().unwrap_or_else(|| format!("outbox-{}@pressrun.mail", row.id));
    let email = match compose(db, from, row, &message_id, now, public_url).await {
        Ok(e) => e,
        Err(ComposeError::Permanent(reason)) => return Outcome::Permanent { reply: reason },
        Err(ComposeError::Cancelled(reason)) => return Outcome::Cancelled { reason },
        Err(ComposeError::Transient(reason)) => return Outcome::Transient { reply: reason },
    };
    let recipients = email.to.iter().chain(&email.cc).cloned().collect::<Vec<_>>().join(", ");
    match mailer.send(&email).await {
        Ok(reply) => {
            tracing::info!(outbox_id = row.id, kind = %row.kind, invoice_id = ?row.invoice_id, attempt = row.attempts, "email delivered");
            Outcome::Delivered { reply, recipients }
        }
        Err(MailError::Transient(reply)) => {
            tracing::warn!(outbox_id = row.id, kind = %row.kind, attempt = row.attempts, reply = %reply, "email deferred");
            Outcome::Transient { reply }
        }
        Err(MailError::Permanent(reply)) => {
            tracing::warn!(outbox_id = row.id, kind = %row.kind, reply = %reply, "email refused");
            Outcome::Permanent { reply }
        }
    }
}
