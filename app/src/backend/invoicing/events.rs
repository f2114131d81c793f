//! The invoice timeline. Every feature adds to it through `record`, inside the transaction of
//! the change it describes, so the timeline never claims what did not happen.

use chrono::{DateTime, Utc};

use crate::{
    backend::{StoreError, platform::db::Conn},
    domain::{ids::InvoiceId, invoice_event::InvoiceEventKind},
    on_conn,
};

/// Adds one event to an invoice's timeline. `actor` is a person's email or a system name
/// ("Email", "Reminder", "Client", "Scheduler").
pub async fn record(
    conn: Conn<'_>,
    invoice_id: InvoiceId,
    kind: InvoiceEventKind,
    detail: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("INSERT INTO invoice_events (invoice_id, kind, detail, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(invoice_id)
        .bind(kind.as_str())
        .bind(detail)
        .bind(actor)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}
