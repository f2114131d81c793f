//! What a receipt email's delivery adds to the invoice it paid.

use chrono::{DateTime, Utc};

use crate::{
    backend::{StoreError, delivery::outbox::Ended, invoicing::events, platform::db::Conn},
    domain::{ids::InvoiceId, invoice_event::InvoiceEventKind},
};

/// Runs in the transaction that records the email's outcome.
pub async fn receipt_settled(
    conn: Conn<'_>,
    invoice_id: InvoiceId,
    ended: Ended<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Ended::Delivered { recipients } = ended {
        let detail = format!("Receipt emailed to {recipients}");
        events::record(conn, invoice_id, InvoiceEventKind::ReceiptSent, &detail, "Email", now).await?;
    }
    Ok(())
}
