//! Correcting a payment that should not stand: a bounced check, an entry on the wrong account,
//! a typo in the amount. The payment is voided, never deleted: its allocations stay as the
//! record of what it had paid, but stop counting (every sum joins `payments.voided_at IS NULL`),
//! and the invoices it paid get their balance back in the same transaction, with a timeline
//! event each. Reminders need nothing: an invoice owed again is a reminder candidate again, and
//! the steps it already had (`invoice_reminders`) are not repeated.

use chrono::{DateTime, Utc};

use crate::{
    backend::{
        Db,
        invoicing::events,
        payments::record::PaymentError,
        platform::{
            db::{BeginWrite, Conn},
            fixed,
        },
    },
    domain::{
        ids::{InvoiceId, PaymentId},
        invoice_event::InvoiceEventKind,
        money::format_money,
        payment::{FieldError, PaymentMethod},
    },
    on_db,
};

/// The longest reason kept; it is shown on every invoice the payment had paid.
pub const MAX_REASON: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voided {
    /// The invoices whose balance came back, by number.
    pub reopened: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct PaymentToVoid {
    method: String,
    amount: i64,
    currency: String,
    reference: String,
    provider: String,
    voided_at: Option<DateTime<Utc>>,
}

fn invalid(message: impl Into<String>) -> PaymentError {
    PaymentError::Invalid(vec![FieldError::new("reason", message)])
}

/// Voids a payment entered by hand. Online payments go back to the client as refunds through
/// their provider, so they are refused here, as is a second void of the same payment.
#[tracing::instrument(name = "void_payment", skip(db, reason, actor, now))]
pub async fn void(
    db: &Db,
    payment_id: PaymentId,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Option<Voided>, PaymentError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("Say why the payment is voided (for example: check returned unpaid)."));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(invalid(format!("Keep the reason under {MAX_REASON} characters.")));
    }
    let select_payment = "SELECT method, amount, currency, reference, provider, voided_at FROM payments WHERE id = $1";
    let select_allocations = format!(
        "SELECT pa.invoice_id, pa.amount, COALESCE(i.number, '') FROM payment_allocations pa
         JOIN invoices i ON i.id = pa.invoice_id WHERE pa.payment_id = $1 ORDER BY pa.invoice_id{}",
        if db.is_postgres() { " FOR UPDATE OF i" } else { "" }
    );
    let voided = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // The account first, then the invoices in id order, as `apply_credit` does: a void and a
        // credit application of the same account take turns, so credit spent from this payment
        // a moment ago is undone too and credit cannot be spent from a payment being voided.
        // NO KEY UPDATE leaves new payments (whose foreign key only needs KEY SHARE) unblocked.
        if db.is_postgres() {
            sqlx::query("SELECT a.id FROM accounts a JOIN payments p ON p.account_id = a.id WHERE p.id = $1 FOR NO KEY UPDATE OF a")
                .bind(payment_id)
                .execute(&mut *tx)
                .await?;
        }
        let payment: Option<PaymentToVoid> = sqlx::query_as(select_payment).bind(payment_id).fetch_optional(&mut *tx).await?;
        let Some(payment) = payment else { return Ok(None) };
        if let Some(at) = payment.voided_at {
            return Err(invalid(format!("This payment was already voided on {}.", at.format("%Y-%m-%d"))));
        }
        if !payment.provider.is_empty() {
            return Err(invalid("This payment was made online: return it to the client with a refund, not a void."));
        }
        let allocations: Vec<(InvoiceId, i64, String)> =
            sqlx::query_as(&select_allocations).bind(payment_id).fetch_all(&mut *tx).await?;
        sqlx::query("UPDATE payments SET voided_at = $1, void_reason = $2 WHERE id = $3")
            .bind(now)
            .bind(reason)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
        let method = PaymentMethod::parse(&payment.method).map(|m| m.label()).unwrap_or("Payment");
        let how = if payment.reference.is_empty() { method.to_string() } else { format!("{method} {}", payment.reference) };
        let mut reopened = Vec::new();
        for (invoice_id, raw, number) in allocations {
            // An invoice owed again goes back to Sent if it had been emailed, else Unpaid.
            sqlx::query(
                "UPDATE invoices SET amount_paid = amount_paid - $1,
                        status = CASE WHEN amount_paid - $1 >= total THEN 'paid'
                                      WHEN amount_paid - $1 > 0 THEN 'partially_paid'
                                      WHEN sent_at IS NOT NULL THEN 'sent'
                                      ELSE 'open' END
                 WHERE id = $2",
            )
            .bind(raw)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await?;
            let detail = format!(
                "Payment of {} ({how}) voided: {reason}. Its amount is owed again.",
                format_money(fixed::from_db(raw), &payment.currency)
            );
            events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::PaymentVoided, &detail, actor, now).await?;
            reopened.push(number);
        }
        tx.commit().await?;
        tracing::info!(%payment_id, amount = payment.amount, invoices = reopened.len(), "payment voided");
        Some(Voided { reopened })
    });
    Ok(voided)
}
