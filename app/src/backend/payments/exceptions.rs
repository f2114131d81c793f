//! Payment exceptions: money a provider took that could not be applied as the client meant.
//! Each is written once per checkout and kind (`UNIQUE (checkout_id, kind)`), so a webhook
//! delivered again adds nothing, and stays on Accounting > Payments until a person resolves it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::ids::{AccountId, PaymentId},
    on_db,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExceptionKind {
    /// The invoices were paid or voided before the online payment arrived: it is account credit.
    BecameCredit,
    /// The provider reported another amount or currency than the checkout asked: nothing recorded.
    AmountMismatch,
}

impl ExceptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::BecameCredit => "became_credit",
            ExceptionKind::AmountMismatch => "amount_mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ExceptionKind::BecameCredit, ExceptionKind::AmountMismatch].into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ExceptionKind::BecameCredit => "Paid after the invoice was settled",
            ExceptionKind::AmountMismatch => "Amount does not match",
        }
    }
}

pub struct NewException<'a> {
    pub account_id: AccountId,
    pub checkout_id: &'a str,
    pub payment_id: Option<PaymentId>,
    pub kind: ExceptionKind,
    pub amount: Decimal,
    pub currency: &'a str,
    pub detail: String,
}

/// Records an exception unless this checkout already has one of this kind.
pub async fn record(db: &Db, e: &NewException<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO payment_exceptions (account_id, checkout_id, payment_id, kind, amount, currency, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (checkout_id, kind) DO NOTHING")
        .bind(e.account_id).bind(e.checkout_id).bind(e.payment_id).bind(e.kind.as_str())
        .bind(fixed::to_db(e.amount)?).bind(e.currency).bind(&e.detail).bind(now)
        .execute(p).await.map(|_| ())?);
    tracing::warn!(checkout = e.checkout_id, kind = e.kind.as_str(), "payment exception recorded");
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExceptionRow {
    pub id: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub payment_id: Option<PaymentId>,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// The exceptions nobody has resolved yet, oldest first.
pub async fn open(db: &Db, limit: i64) -> Result<Vec<ExceptionRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT e.id, e.account_id, a.name AS account_name, e.payment_id, e.kind, e.amount, e.currency, e.detail, e.created_at
         FROM payment_exceptions e JOIN accounts a ON a.id = e.account_id
         WHERE e.resolved_at IS NULL ORDER BY e.created_at, e.id LIMIT $1")
        .bind(limit).fetch_all(p).await?))
}

/// Marks an exception settled. False when there is no such open exception.
pub async fn resolve(db: &Db, id: i64, actor: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(on_db!(db, p => sqlx::query(
        "UPDATE payment_exceptions SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL")
        .bind(now).bind(actor).bind(id).execute(p).await?.rows_affected() == 1))
}
