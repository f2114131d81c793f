//! Recording payments: one transaction writes the payment, its allocations, the invoices' new
//! paid amounts and statuses, their timeline events and the receipt email's outbox row — so a
//! payment is never half recorded and its receipt never lost. A provider reference (Stripe's
//! Checkout Session id) is unique, which makes a repeated webhook or a retried completion a
//! no-op that returns the payment already recorded.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    backend::{
        Db, StoreError,
        delivery::outbox::{self, NewMessage},
        invoicing::events,
        platform::{
            db::{BeginWrite, Conn},
            fixed,
        },
    },
    domain::{
        email_kind::EmailKind,
        ids::{AccountId, InvoiceId, PaymentId, UserId},
        invoice_event::InvoiceEventKind,
        money::format_money,
        payment::{FieldError, PaymentMethod},
    },
    on_db,
};

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The invoices changed since the form was filled in (another payment, a void).
    #[error("the payment does not fit the invoices as they are now")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Store(e.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub account_id: AccountId,
    pub method: PaymentMethod,
    pub amount: Decimal,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub notes: String,
    /// `""` for payments entered by hand; `stripe` or `test` for online ones.
    pub provider: String,
    pub provider_ref: Option<String>,
    pub allocations: Vec<(InvoiceId, Decimal)>,
    pub created_by: Option<UserId>,
    /// Shown on the invoice timeline: a staff member's name, or "Online payment".
    pub actor: String,
    pub send_receipt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub payment_id: PaymentId,
    /// The provider reference was already recorded: nothing new was written.
    pub duplicate: bool,
}

#[derive(sqlx::FromRow)]
struct LockedInvoice {
    account_id: AccountId,
    number: Option<String>,
    status: String,
    total: i64,
    amount_paid: i64,
}

fn receipt_payload(payment_id: PaymentId) -> String {
    serde_json::json!({ "payment_id": payment_id }).to_string()
}

/// Adds `raw` (fixed-point) to an invoice's paid amount and moves its status with it.
macro_rules! apply_to_invoice {
    ($tx:ident, $invoice_id:expr, $raw:expr) => {
        sqlx::query(
            "UPDATE invoices SET amount_paid = amount_paid + $1,
                    status = CASE WHEN amount_paid + $1 >= total THEN 'paid' ELSE 'partially_paid' END,
                    ready_to_send_at = CASE WHEN amount_paid + $1 >= total THEN NULL ELSE ready_to_send_at END
             WHERE id = $2",
        )
        .bind($raw)
        .bind($invoice_id)
        .execute(&mut *$tx)
        .await?;
    };
}

#[tracing::instrument(name = "payment", skip_all, fields(account_id = %p.account_id, method = p.method.as_str(), provider_ref = ?p.provider_ref))]
pub async fn record(db: &Db, p: &NewPayment, now: DateTime<Utc>) -> Result<Recorded, PaymentError> {
    if p.amount <= Decimal::ZERO {
        return Err(PaymentError::Invalid(vec![FieldError::new("amount", "A payment must be more than zero.")]));
    }
    let lock = if db.is_postgres() { " FOR UPDATE" } else { "" };
    let select_invoice =
        format!("SELECT account_id, number, status, total, amount_paid FROM invoices WHERE id = $1{lock}");
    let recorded = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        if let Some(r) = &p.provider_ref {
            let existing: Option<PaymentId> = sqlx::query_scalar("SELECT id FROM payments WHERE provider_ref = $1")
                .bind(r)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(payment_id) = existing {
                return Ok(Recorded { payment_id, duplicate: true });
            }
        }
        let mut problems = Vec::new();
        let mut numbers = Vec::new();
        // Rows are locked in id order so two payments touching the same invoices cannot deadlock.
        let mut in_lock_order: Vec<&(InvoiceId, Decimal)> = p.allocations.iter().collect();
        in_lock_order.sort_by_key(|(id, _)| *id);
        for (invoice_id, amount) in in_lock_order {
            let field = format!("allocation-{invoice_id}");
            let inv: Option<LockedInvoice> = sqlx::query_as(&select_invoice).bind(invoice_id).fetch_optional(&mut *tx).await?;
            match inv {
                None => problems.push(FieldError::new(&field, "This invoice no longer exists.")),
                Some(inv) if inv.account_id != p.account_id => {
                    problems.push(FieldError::new(&field, "This invoice belongs to another account."))
                }
                Some(inv) if matches!(inv.status.as_str(), "void" | "draft") => {
                    problems.push(FieldError::new(&field, format!("A {} invoice cannot be paid.", inv.status)))
                }
                Some(inv) => {
                    let balance = fixed::from_db(inv.total) - fixed::from_db(inv.amount_paid);
                    if *amount > balance {
                        problems.push(FieldError::new(
                            &field,
                            format!("Only {} is still due on this invoice.", format_money(balance, &p.currency)),
                        ));
                    } else {
                        numbers.push(inv.number.unwrap_or_default());
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(PaymentError::Invalid(problems));
        }
        let payment_id: PaymentId = sqlx::query_scalar(
            "INSERT INTO payments (account_id, method, amount, currency, received_on, reference, provider, provider_ref, notes, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(p.account_id)
        .bind(p.method.as_str())
        .bind(fixed::to_db(p.amount)?)
        .bind(&p.currency)
        .bind(p.received_on)
        .bind(&p.reference)
        .bind(&p.provider)
        .bind(&p.provider_ref)
        .bind(&p.notes)
        .bind(p.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let how = if p.reference.is_empty() { p.method.label().to_string() } else { format!("{} {}", p.method.label(), p.reference) };
        for (invoice_id, amount) in &p.allocations {
            let raw = fixed::to_db(*amount)?;
            sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount, created_at) VALUES ($1, $2, $3, $4)")
                .bind(payment_id)
                .bind(invoice_id)
                .bind(raw)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            apply_to_invoice!(tx, *invoice_id, raw);
            let detail = format!("Payment of {} received ({how})", format_money(*amount, &p.currency));
            events::record(Conn::from(&mut *tx), *invoice_id, InvoiceEventKind::Payment, &detail, &p.actor, now).await?;
        }
        if p.send_receipt {
            let receipt = NewMessage {
                effect_key: format!("receipt:{payment_id}"),
                kind: EmailKind::Receipt.as_str(),
                payload: receipt_payload(payment_id),
                invoice_id: p.allocations.first().map(|(id, _)| *id),
                due: now,
            };
            outbox::enqueue(Conn::from(&mut *tx), &receipt).await?;
        }
        tx.commit().await?;
        tracing::info!(%payment_id, account_id = %p.account_id, method = p.method.as_str(), invoices = numbers.len(), "payment recorded");
        Recorded { payment_id, duplicate: false }
    });
    Ok(recorded)
}

/// Applies an account's unallocated payments (its credit) to an invoice, oldest payment first.
#[tracing::instrument(name = "apply_credit", skip(db, now))]
pub async fn apply_credit(
    db: &Db,
    account_id: AccountId,
    invoice_id: InvoiceId,
    amount: Decimal,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Decimal, PaymentError> {
    let field = |m: String| PaymentError::Invalid(vec![FieldError::new("credit", m)]);
    if amount <= Decimal::ZERO {
        return Err(field("Apply a positive amount.".into()));
    }
    let lock = if db.is_postgres() { " FOR UPDATE" } else { "" };
    let select_invoice =
        format!("SELECT account_id, number, status, total, amount_paid FROM invoices WHERE id = $1{lock}");
    let applied = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // The account's credit is read and then spent: on PostgreSQL two clerks applying it to two
        // invoices at once would both see it unspent, so the account row is locked first (account
        // before invoice, the one order every writer uses). The read below is a separate statement,
        // so it sees what a transaction that held the lock before us committed. NO KEY UPDATE: a
        // payment being recorded for the account needs only KEY SHARE for its foreign key, and
        // must not wait here while it holds its invoices.
        if db.is_postgres() {
            sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE").bind(account_id).execute(&mut *tx).await?;
        }
        let inv: Option<LockedInvoice> = sqlx::query_as(&select_invoice).bind(invoice_id).fetch_optional(&mut *tx).await?;
        let Some(inv) = inv.filter(|i| i.account_id == account_id && !matches!(i.status.as_str(), "void" | "draft")) else {
            return Err(field("This invoice cannot take credit.".into()));
        };
        let balance = fixed::from_db(inv.total) - fixed::from_db(inv.amount_paid);
        let sources: Vec<(PaymentId, i64, String)> = sqlx::query_as(
            "SELECT p.id, CAST(p.amount - COALESCE((SELECT SUM(a.amount) FROM payment_allocations a WHERE a.payment_id = p.id), 0) AS BIGINT), p.currency
             FROM payments p WHERE p.account_id = $1 AND p.voided_at IS NULL ORDER BY p.received_on, p.id",
        )
        .bind(account_id)
        .fetch_all(&mut *tx)
        .await?;
        let available: Decimal = sources.iter().map(|(_, left, _)| fixed::from_db(*left)).filter(|d| *d > Decimal::ZERO).sum();
        let mut want = amount.min(balance);
        if amount > available {
            return Err(field(format!("The account has only {} of credit.", available.round_dp(2))));
        }
        let applied = want;
        for (payment_id, left, _) in sources {
            let left = fixed::from_db(left);
            if want <= Decimal::ZERO || left <= Decimal::ZERO {
                continue;
            }
            let take = left.min(want);
            want -= take;
            sqlx::query(
                "INSERT INTO payment_allocations (payment_id, invoice_id, amount, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (payment_id, invoice_id) DO UPDATE SET amount = payment_allocations.amount + excluded.amount",
            )
            .bind(payment_id)
            .bind(invoice_id)
            .bind(fixed::to_db(take)?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let raw = fixed::to_db(applied)?;
        apply_to_invoice!(tx, invoice_id, raw);
        let detail = format!("Account credit of {} applied", applied.round_dp(2));
        events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::CreditApplied, &detail, actor, now).await?;
        tx.commit().await?;
        applied
    });
    Ok(applied)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub account_id: AccountId,
    pub account_name: String,
    pub method: String,
    pub amount: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub provider: String,
    pub allocated: i64,
    pub invoice_numbers: Option<String>,
    pub created_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: String,
}

const LIST_SQL: &str = "SELECT p.id, p.account_id, a.name AS account_name, p.method, p.amount, p.currency, p.received_on,
        p.reference, p.provider,
        CAST(COALESCE((SELECT SUM(pa.amount) FROM payment_allocations pa WHERE pa.payment_id = p.id), 0) AS BIGINT) AS allocated,
        (SELECT STRING_AGG(i.number, ', ') FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id WHERE pa.payment_id = p.id) AS invoice_numbers,
        p.created_at, p.voided_at, p.void_reason
     FROM payments p JOIN accounts a ON a.id = p.account_id
     WHERE TRUE";

/// Payments, newest first, voided ones included (they are the record of a correction);
/// optionally of one account or one invoice.
pub async fn list(
    db: &Db,
    account_id: Option<AccountId>,
    invoice_id: Option<InvoiceId>,
    limit: i64,
) -> Result<Vec<PaymentRow>, StoreError> {
    // SQLite calls STRING_AGG GROUP_CONCAT.
    let base = if db.is_postgres() {
        LIST_SQL.to_string()
    } else {
        LIST_SQL.replace("STRING_AGG(i.number, ', ')", "GROUP_CONCAT(i.number, ', ')")
    };
    let sql = format!(
        "{base} AND ($1 IS NULL OR p.account_id = $1)
           AND ($2 IS NULL OR EXISTS (SELECT 1 FROM payment_allocations x WHERE x.payment_id = p.id AND x.invoice_id = $2))
         ORDER BY p.received_on DESC, p.id DESC LIMIT $3"
    );
    let rows = on_db!(db, pool => {
        sqlx::query_as(&sql).bind(account_id).bind(invoice_id).bind(limit).fetch_all(pool).await?
    });
    Ok(rows)
}

#[derive(sqlx::FromRow)]
pub struct PaymentDetail {
    pub id: PaymentId,
    pub account_id: AccountId,
    pub method: String,
    pub amount: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub voided_at: Option<DateTime<Utc>>,
}

pub async fn get(db: &Db, payment_id: PaymentId) -> Result<Option<PaymentDetail>, StoreError> {
    let row = on_db!(db, pool => {
        sqlx::query_as("SELECT id, account_id, method, amount, currency, received_on, reference, voided_at FROM payments WHERE id = $1")
            .bind(payment_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(row)
}

/// The invoices a payment went to: (number, amount allocated).
pub async fn allocations(db: &Db, payment_id: PaymentId) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COALESCE(i.number, ''), pa.amount FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
             WHERE pa.payment_id = $1 ORDER BY i.number",
        )
        .bind(payment_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// How much of a payment went to invoices.
pub async fn allocated(db: &Db, payment_id: PaymentId) -> Result<Decimal, StoreError> {
    let raw: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payment_allocations WHERE payment_id = $1")
        .bind(payment_id).fetch_one(p).await?);
    Ok(fixed::from_db(raw))
}

/// Unallocated payments of an account: what it may apply to future invoices.
pub async fn account_credit(db: &Db, account_id: AccountId) -> Result<Decimal, StoreError> {
    let raw: i64 = on_db!(db, p => {
        sqlx::query_scalar(
            // SUM of BIGINT is NUMERIC on PostgreSQL: cast back so both engines decode an i64.
            "SELECT CAST(COALESCE((SELECT SUM(amount) FROM payments WHERE account_id = $1 AND voided_at IS NULL), 0)
                  - COALESCE((SELECT SUM(pa.amount) FROM payment_allocations pa JOIN payments pm ON pm.id = pa.payment_id
                              WHERE pm.account_id = $1 AND pm.voided_at IS NULL), 0) AS BIGINT)",
        )
        .bind(account_id)
        .fetch_one(p)
        .await?
    });
    Ok(fixed::from_db(raw))
}
