//! What an invoice email's outcome does to its invoice: delivered, an open invoice becomes
//! Sent and the timeline says to whom; refused or given up, the timeline says why.

use chrono::{DateTime, Utc};

use crate::{
    backend::{StoreError, delivery::outbox::Ended, invoicing::events, platform::db::Conn},
    domain::{ids::InvoiceId, invoice_event::InvoiceEventKind},
    on_conn,
};

/// Runs in the transaction that records the email's outcome.
pub async fn email_settled(
    conn: Conn<'_>,
    invoice_id: InvoiceId,
    ended: Ended<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match ended {
        Ended::Delivered { recipients } => on_conn!(conn, c => {
            sqlx::query(
                "UPDATE invoices SET status = CASE WHEN status = 'open' THEN 'sent' ELSE status END,
                        sent_at = COALESCE(sent_at, $1)
                 WHERE id = $2",
            )
            .bind(now)
            .bind(invoice_id)
            .execute(&mut *c)
            .await?;
            let detail = format!("Emailed to {recipients}");
            events::record(Conn::from(&mut *c), invoice_id, InvoiceEventKind::Sent, &detail, "Email", now).await?;
        }),
        Ended::Failed { reason } => {
            events::record(conn, invoice_id, InvoiceEventKind::EmailFailed, reason, "Email", now).await?;
        }
        Ended::Retrying | Ended::Cancelled { .. } => {}
    }
    Ok(())
}
