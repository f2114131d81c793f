//! What each kind of email says, composed at send time from the data as it is then, and the
//! one dispatcher that tells the outbox worker about the kinds: `Messages` composes by kind and
//! hands each outcome to the feature it belongs to (invoicing marks an invoice Sent, payments
//! note a receipt, reminders settle ladder steps).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::{
    backend::{
        Db, StoreError,
        delivery::{
            mail_settings::MailEnvironment,
            outbox::{Claimed, Ended, FollowUp},
            transport::OutgoingEmail,
            worker::{Compose, ComposeError, Courier, DeliveryConfig, MessageKinds},
        },
        invoicing::sending,
        payments::receipts,
        platform::{clock::Clock, db::Conn},
        reminders::engine as reminders,
    },
    domain::{email_kind::EmailKind, ids::OutboxId},
};

pub mod context;
pub mod invoice;
pub mod preview;
pub mod receipt;
pub mod reminder;

/// Every email kind Pressrun sends.
#[derive(Debug, Clone, Copy, Default)]
pub struct Messages;

/// The outbox worker for Pressrun's emails.
pub fn courier(
    db: Db,
    env: Arc<MailEnvironment>,
    clock: Arc<dyn Clock>,
    worker: String,
    config: DeliveryConfig,
) -> Courier<Messages> {
    Courier::new(Messages, db, env, clock, worker, config)
}

fn kind_of(message: &Claimed) -> Result<EmailKind, ComposeError> {
    EmailKind::parse(&message.kind)
        .ok_or_else(|| ComposeError::Permanent(format!("unknown outbox kind {:?}", message.kind)))
}

impl MessageKinds for Messages {
    async fn compose(&self, message: &Claimed, with: Compose<'_>) -> Result<OutgoingEmail, ComposeError> {
        let Compose { db, from, message_id, now, public_url } = with;
        match kind_of(message)? {
            EmailKind::Invoice => {
                let invoice_id = message
                    .invoice_id
                    .ok_or_else(|| ComposeError::Permanent("invoice email without an invoice".into()))?;
                let payload = serde_json::from_str(&message.payload).unwrap_or_default();
                invoice::compose(db, invoice_id, &payload, message_id, from, true, now, public_url).await
            }
            EmailKind::Receipt => receipt::compose(db, &message.payload, message_id, from, now, public_url).await,
            EmailKind::Reminder => {
                let invoice_id =
                    message.invoice_id.ok_or_else(|| ComposeError::Permanent("reminder without an invoice".into()))?;
                let payload = serde_json::from_str(&message.payload)
                    .map_err(|e| ComposeError::Permanent(format!("unreadable reminder: {e}")))?;
                reminder::compose_reminder(db, invoice_id, &payload, message_id, from, now, public_url).await
            }
            EmailKind::ReminderDigest => {
                let payload = serde_json::from_str(&message.payload)
                    .map_err(|e| ComposeError::Permanent(format!("unreadable reminder: {e}")))?;
                reminder::compose_digest(db, &payload, message_id, from, now, public_url).await
            }
        }
    }
}

impl FollowUp for Messages {
    async fn settled(
        &self,
        conn: Conn<'_>,
        message: &Claimed,
        ended: Ended<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match (EmailKind::parse(&message.kind), message.invoice_id) {
            (Some(EmailKind::Invoice), Some(invoice_id)) => sending::email_settled(conn, invoice_id, ended, now).await,
            (Some(EmailKind::Receipt), Some(invoice_id)) => {
                receipts::receipt_settled(conn, invoice_id, ended, now).await
            }
            (Some(kind @ (EmailKind::Reminder | EmailKind::ReminderDigest)), invoice_id) => {
                reminders::settled(conn, kind, invoice_id, &message.payload, ended, now).await
            }
            _ => Ok(()),
        }
    }

    async fn requeued(&self, conn: Conn<'_>, outbox_id: OutboxId) -> Result<(), StoreError> {
        // Only reminder steps remember their outbox row's state; the others read the outbox.
        reminders::requeued(conn, outbox_id).await
    }
}
