//! The outbox worker: claims due messages, has them composed from current data, hands them to
//! the mail route, and records each outcome. Runs in every server instance and in `pressrun
//! tick`. What a message says and what its outcome changes come from a `MessageKinds` given by
//! the layer that knows the kinds (`messages::Messages`); the worker knows none.

use std::sync::Arc;

use chrono::Duration;
use tokio::sync::Mutex;

use crate::backend::{
    Db, StoreError,
    delivery::{
        mail_settings::{self, MailEnvironment},
        outbox::{self, Backoff, Claimed, Outcome},
        transport::{MailError, MailRoute, Mailer, OutgoingEmail},
    },
    platform::clock::Clock,
};

/// Why a message could not be composed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// Needs a person: no recipient, a broken template, a missing invoice.
    #[error("{0}")]
    Permanent(String),
    /// The database was unreachable; try again later.
    #[error("{0}")]
    Transient(String),
    /// The email should no longer go out (the invoice was voided).
    #[error("{0}")]
    Cancelled(String),
}

impl From<StoreError> for ComposeError {
    fn from(e: StoreError) -> Self {
        ComposeError::Transient(format!("database: {e}"))
    }
}

/// What composing needs besides the message row.
#[derive(Debug, Clone, Copy)]
pub struct Compose<'a> {
    pub db: &'a Db,
    /// The From address when configured; the organisation's otherwise.
    pub from: Option<&'a str>,
    /// Fixed when the message was queued, so a re-send is recognisable.
    pub message_id: &'a str,
    pub now: chrono::DateTime<chrono::Utc>,
    /// Prefix of the portal links the message carries.
    pub public_url: &'a str,
}

/// The message kinds the worker delivers: how each is composed at send time, and (as a
/// `FollowUp`) what its outcome changes.
pub trait MessageKinds: outbox::FollowUp + Clone + 'static {
    fn compose(
        &self,
        message: &Claimed,
        with: Compose<'_>,
    ) -> impl std::future::Future<Output = Result<OutgoingEmail, ComposeError>> + Send;
}

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

pub struct Courier<K> {
    kinds: K,
    db: Db,
    env: Arc<MailEnvironment>,
    clock: Arc<dyn Clock>,
    worker: String,
    config: DeliveryConfig,
    /// Rebuilt only when the effective route changes, so the SMTP connection pool is reused.
    mailer: Mutex<Option<Mailer>>,
}

impl<K: MessageKinds> Courier<K> {
    pub fn new(
        kinds: K,
        db: Db,
        env: Arc<MailEnvironment>,
        clock: Arc<dyn Clock>,
        worker: String,
        config: DeliveryConfig,
    ) -> Self {
        Self { kinds, db, env, clock, worker, config, mailer: Mutex::new(None) }
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
    #[tracing::instrument(name = "deliver", skip(self), fields(worker = %self.worker))]
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
                let (worker, backoff, env, kinds) =
                    (self.worker.clone(), self.config.backoff, self.env.clone(), self.kinds.clone());
                let lease = self.config.lease;
                tasks.spawn(async move {
                    let sending = attempt(&kinds, &db, &mailer, from.as_deref(), &row, clock.now(), &env.public_url);
                    let outcome = tokio::select! {
                        outcome = sending => outcome,
                        never = keep_lease(&db, &row, &worker, &*clock, lease) => match never {},
                    };
                    let held = outbox::finish(&db, &row, &worker, clock.now(), &outcome, backoff, &kinds).await;
                    (row.id, outcome, held)
                });
            }
            // Each message is its own task: one that fails to record its outcome must not cut
            // the others off mid-conversation. Its lease runs out and it is tried again.
            while let Some(joined) = tasks.join_next().await {
                let (id, outcome, held) = match joined {
                    Ok(done) => done,
                    Err(e) => {
                        tracing::error!(error = %e, "delivery task ended abnormally; its message is retried after its lease");
                        continue;
                    }
                };
                let held = match held {
                    Ok(held) => held,
                    Err(e) => {
                        tracing::error!(outbox_id = %id, error = %e, "could not record a delivery outcome; the message is retried after its lease");
                        continue;
                    }
                };
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

/// Renews the row's lease every third of its length for as long as the attempt runs (the
/// caller drops this future when the attempt ends). A failed renewal is logged and tried again;
/// `finish` is fenced on the lease, so a lost lease never records a second outcome.
async fn keep_lease(
    db: &Db,
    row: &Claimed,
    worker: &str,
    clock: &dyn Clock,
    lease: Duration,
) -> std::convert::Infallible {
    let every =
        (lease / 3).to_std().unwrap_or(std::time::Duration::from_secs(40)).max(std::time::Duration::from_secs(1));
    loop {
        tokio::time::sleep(every).await;
        match outbox::renew_lease(db, row.id, worker, clock.now() + lease).await {
            Ok(true) => tracing::debug!(outbox_id = %row.id, "lease renewed"),
            Ok(false) => tracing::warn!(outbox_id = %row.id, "lease lost while sending"),
            Err(e) => tracing::warn!(outbox_id = %row.id, error = %e, "could not renew a lease"),
        }
    }
}

#[tracing::instrument(skip_all, fields(outbox_id = %row.id, kind = %row.kind, invoice_id = ?row.invoice_id, attempt = row.attempts))]
async fn attempt(
    kinds: &impl MessageKinds,
    db: &Db,
    mailer: &Mailer,
    from: Option<&str>,
    row: &Claimed,
    now: chrono::DateTime<chrono::Utc>,
    public_url: &str,
) -> Outcome {
    let message_id = row.message_id.clone().unwrap_or_else(|| format!("outbox-{}@pressrun.mail", row.id));
    let email = match kinds.compose(row, Compose { db, from, message_id: &message_id, now, public_url }).await {
        Ok(e) => e,
        Err(ComposeError::Permanent(reason)) => return Outcome::Permanent { reply: reason },
        Err(ComposeError::Cancelled(reason)) => return Outcome::Cancelled { reason },
        Err(ComposeError::Transient(reason)) => return Outcome::Transient { reply: reason },
    };
    let recipients = email.to.iter().chain(&email.cc).cloned().collect::<Vec<_>>().join(", ");
    match mailer.send(&email).await {
        // A file is not an email: nobody received it, so nothing downstream may act as if they
        // had (the invoice is not marked Sent, the reminder step not settled). It waits under
        // Email failures, where Retry sends it for real once mail is set up.
        Ok(reply) if matches!(mailer.route(), MailRoute::Folder(_)) => {
            tracing::warn!("no mail server is set up: email written to a file, not sent");
            Outcome::Permanent {
                reply: format!(
                    "Written to file, not emailed: no mail server is set up ({reply}). Set up mail in Settings, then Retry."
                ),
            }
        }
        Ok(reply) => {
            tracing::info!("email delivered");
            Outcome::Delivered { reply, recipients }
        }
        Err(MailError::Transient(reply)) => {
            tracing::warn!(reply = %reply, "email deferred");
            Outcome::Transient { reply }
        }
        Err(MailError::Permanent(reply)) => {
            tracing::warn!(reply = %reply, "email refused");
            Outcome::Permanent { reply }
        }
    }
}
