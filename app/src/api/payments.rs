//! Payments: the list, recording one by hand, applying account credit, and the portal links
//! staff hand out or revoke.

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::{
    ids::{AccountId, InvoiceId, PaymentId},
    payment::ManualPaymentForm,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentListRow {
    pub id: PaymentId,
    pub account_id: AccountId,
    pub account_name: String,
    pub method: String,
    pub amount: Decimal,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub online: bool,
    pub invoices: String,
    /// What this payment left unallocated (account credit).
    pub unallocated: Decimal,
    /// Set when the payment was voided: why. A voided payment counts for nothing.
    pub voided: Option<String>,
    /// Entered by hand and not voided: staff may void it.
    pub can_void: bool,
}

/// Money taken online that could not be applied as the client meant; staff settle it by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentExceptionView {
    pub id: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub kind: String,
    pub amount: Decimal,
    pub currency: String,
    pub detail: String,
    pub created_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsView {
    /// Unresolved payment exceptions (only on the whole list, not an account's or invoice's).
    #[serde(default)]
    pub exceptions: Vec<PaymentExceptionView>,
    pub rows: Vec<PaymentListRow>,
    /// Received per week, the last 12 weeks (empty for one account's or invoice's payments).
    pub weekly: Vec<crate::views::common::WeekBucket>,
    pub currency: String,
    pub can_record: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInvoiceOption {
    pub id: InvoiceId,
    pub number: String,
    pub due_date: NaiveDate,
    pub balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFormView {
    pub account_id: AccountId,
    pub account_name: String,
    pub currency: String,
    pub today: NaiveDate,
    pub open: Vec<OpenInvoiceOption>,
    pub credit: Decimal,
}

#[cfg(feature = "ssr")]
fn list_row(r: crate::backend::payments::record::PaymentRow) -> PaymentListRow {
    use crate::{backend::platform::fixed::from_db, domain::payment::PaymentMethod};
    PaymentListRow {
        id: r.id,
        account_id: r.account_id,
        account_name: r.account_name,
        method: PaymentMethod::parse(&r.method).map(|m| m.label()).unwrap_or("Other").to_string(),
        amount: from_db(r.amount),
        currency: r.currency,
        received_on: r.received_on,
        reference: r.reference,
        online: !r.provider.is_empty(),
        invoices: r.invoice_numbers.unwrap_or_default(),
        unallocated: if r.voided_at.is_some() { rust_decimal::Decimal::ZERO } else { from_db(r.amount - r.allocated) },
        can_void: r.voided_at.is_none() && r.provider.is_empty(),
        voided: r.voided_at.map(|_| r.void_reason),
    }
}

/// Payments, newest first; of one account or one invoice when given (0 = all).
#[server(endpoint = "get_payments")]
pub async fn get_payments(account_id: AccountId, invoice_id: InvoiceId) -> Result<PaymentsView, AppError> {
    use crate::{backend::payments::record as payments, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let rows = payments::list(
        &state.db,
        (account_id.0 > 0).then_some(account_id),
        (invoice_id.0 > 0).then_some(invoice_id),
        200,
    )
    .await?;
    let everything = account_id.0 == 0 && invoice_id.0 == 0;
    let weekly = if everything {
        let today = crate::backend::platform::organisation::today(&state.db, state.clock.now()).await?;
        crate::backend::reports::dashboard::received_by_week(&state.db, today, 12).await?
    } else {
        Vec::new()
    };
    let exceptions = if everything {
        use crate::backend::payments::exceptions::{self, ExceptionKind};
        exceptions::open(&state.db, 100)
            .await?
            .into_iter()
            .map(|e| PaymentExceptionView {
                id: e.id,
                account_id: e.account_id,
                account_name: e.account_name,
                kind: ExceptionKind::parse(&e.kind).map(|k| k.label().to_string()).unwrap_or(e.kind),
                amount: crate::backend::platform::fixed::from_db(e.amount),
                currency: e.currency,
                detail: e.detail,
                created_on: e.created_at.date_naive(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PaymentsView {
        exceptions,
        rows: rows.into_iter().map(list_row).collect(),
        weekly,
        currency: org.currency,
        can_record: user.can(Role::Billing),
    })
}

/// What the Record payment form needs for an account: its open invoices and its credit.
#[server(endpoint = "get_payment_form")]
pub async fn get_payment_form(account_id: AccountId) -> Result<PaymentFormView, AppError> {
    use crate::{
        backend::{ServiceError, messages::context as email_context},
        domain::role::Role,
    };
    let (state, _) = super::guard::require(Role::Billing)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let (_, today) = email_context::organisation(&state.db, state.clock.now()).await?;
    let account = crate::backend::directory::account_store::detail(&state.db, account_id)
        .await?
        .ok_or(ServiceError::NotFound("account"))?;
    let open = crate::backend::invoicing::open_items::unpaid_invoices(&state.db, account_id)
        .await?
        .into_iter()
        .map(|i| OpenInvoiceOption {
            id: i.id,
            number: i.number.clone().unwrap_or_default(),
            due_date: i.due_date,
            balance: i.balance(),
        })
        .collect();
    Ok(PaymentFormView {
        account_id,
        account_name: account.name,
        currency: org.currency,
        today,
        open,
        credit: crate::backend::payments::record::account_credit(&state.db, account_id).await?,
    })
}

#[cfg(feature = "ssr")]
fn payment_error(e: crate::backend::payments::record::PaymentError) -> AppError {
    use crate::backend::{ServiceError, payments::record::PaymentError};
    match e {
        PaymentError::Invalid(fields) => ServiceError::Invalid(fields).into(),
        PaymentError::Store(s) => ServiceError::Store(s).into(),
    }
}

/// Records a check, ACH, wire, cash or other payment; what is not allocated becomes credit.
/// Returns the new payment's id.
#[server(endpoint = "record_payment")]
pub async fn record_payment(form: ManualPaymentForm) -> Result<PaymentId, AppError> {
    use crate::domain::role::Role;
    let (state, user) = super::guard::require(Role::Billing)?;
    let by = PaymentRecorder { created_by: Some(user.id), actor: format!("{} ({})", user.name, user.email) };
    let recorded = record_manual(&state, &form, &by, None).await?;
    tracing::info!(payment_id = %recorded.payment_id, user_id = %user.id, "manual payment recorded");
    Ok(recorded.payment_id)
}

/// Who entered a payment: a staff member, or a system through the REST API.
#[cfg(feature = "ssr")]
pub struct PaymentRecorder {
    pub created_by: Option<crate::domain::ids::UserId>,
    /// Shown on the invoice timeline.
    pub actor: String,
}

/// Validates and records a payment entered by hand (the Record payment form, `POST
/// /api/v1/payments`). With `once_key`, a second call with the same key records nothing and
/// answers the first payment (`Recorded::duplicate`), decided inside the payment's transaction.
#[cfg(feature = "ssr")]
pub async fn record_manual(
    state: &crate::backend::AppState,
    form: &ManualPaymentForm,
    by: &PaymentRecorder,
    once_key: Option<String>,
) -> Result<crate::backend::payments::record::Recorded, crate::backend::ServiceError> {
    use crate::{
        backend::{ServiceError, payments::record as payments, payments::record::NewPayment},
        domain::payment::{OpenBalance, validate_manual},
    };
    let now = state.clock.now();
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let today = crate::backend::platform::organisation::today(&state.db, now).await?;
    let account_id = form.account_id.trim().parse::<AccountId>().unwrap_or_default();
    let open: Vec<OpenBalance> = crate::backend::invoicing::open_items::unpaid_invoices(&state.db, account_id)
        .await?
        .into_iter()
        .map(|i| OpenBalance { invoice_id: i.id, balance: i.balance() })
        .collect();
    let valid = validate_manual(form, &open, today).map_err(ServiceError::Invalid)?;
    let recorded = payments::record(
        &state.db,
        &NewPayment {
            account_id: valid.account_id,
            method: valid.method,
            amount: valid.amount,
            currency: org.currency,
            received_on: valid.received_on,
            reference: valid.reference.clone(),
            notes: valid.notes.clone(),
            provider: String::new(),
            provider_ref: once_key,
            allocations: valid.allocations.clone(),
            created_by: by.created_by,
            actor: by.actor.clone(),
            send_receipt: true,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        payments::PaymentError::Invalid(fields) => ServiceError::Invalid(fields),
        payments::PaymentError::Store(s) => ServiceError::Store(s),
    })?;
    state.outbox_wake.notify_one();
    Ok(recorded)
}

/// Voids a payment entered by hand (a returned check, a mistaken entry): the invoices it paid
/// are owed again. Returns the numbers of those invoices.
#[server(endpoint = "void_payment")]
pub async fn void_payment(payment_id: PaymentId, reason: String) -> Result<Vec<String>, AppError> {
    use crate::{
        backend::{ServiceError, payments::corrections},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let actor = format!("{} ({})", user.name, user.email);
    let voided = corrections::void(&state.db, payment_id, &reason, &actor, state.clock.now())
        .await
        .map_err(payment_error)?
        .ok_or(ServiceError::NotFound("payment"))?;
    tracing::info!(%payment_id, user_id = %user.id, "payment voided");
    Ok(voided.reopened)
}

/// Marks a payment exception as settled (refunded, applied or recorded by hand).
#[server(endpoint = "resolve_payment_exception")]
pub async fn resolve_payment_exception(id: i64) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, payments::exceptions},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let actor = format!("{} ({})", user.name, user.email);
    if !exceptions::resolve(&state.db, id, &actor, state.clock.now()).await? {
        return Err(ServiceError::NotFound("payment exception").into());
    }
    tracing::info!(exception = id, user_id = %user.id, "payment exception resolved");
    Ok(())
}

/// Applies the account's credit to an invoice; returns the amount applied.
#[server(endpoint = "apply_account_credit")]
pub async fn apply_account_credit(invoice_id: InvoiceId, amount: String) -> Result<Decimal, AppError> {
    use crate::{
        backend::{ServiceError, payments::record as payments},
        domain::{money::parse_amount, role::Role},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let amount = parse_amount(&amount).map_err(|m| ServiceError::field("credit", m))?;
    let inv = crate::backend::invoicing::open_items::invoice_row(&state.db, invoice_id)
        .await?
        .ok_or(ServiceError::NotFound("invoice"))?;
    let account_id: AccountId = crate::on_db!(&state.db, p => sqlx::query_scalar("SELECT account_id FROM invoices WHERE id = $1")
        .bind(inv.id).fetch_one(p).await.map_err(crate::backend::StoreError::from)?);
    let actor = format!("{} ({})", user.name, user.email);
    let applied = payments::apply_credit(&state.db, account_id, invoice_id, amount, state.clock.now(), &actor)
        .await
        .map_err(payment_error)?;
    Ok(applied)
}

/// A new Invoice Payment (or, with `statement`, Unpaid Invoices) link, shown once to staff.
#[server(endpoint = "new_portal_link")]
pub async fn new_portal_link(invoice_id: InvoiceId, statement: bool) -> Result<String, AppError> {
    use crate::{
        backend::{ServiceError, portal::links as portal_links, portal::links::PortalScope},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let account_id: Option<AccountId> = crate::on_db!(&state.db, p => sqlx::query_scalar("SELECT account_id FROM invoices WHERE id = $1 AND number IS NOT NULL")
        .bind(invoice_id).fetch_optional(p).await.map_err(crate::backend::StoreError::from)?);
    let account_id = account_id.ok_or(ServiceError::NotFound("invoice"))?;
    let scope =
        if statement { PortalScope::Account { account_id } } else { PortalScope::Invoice { account_id, invoice_id } };
    let token = portal_links::issue(&state.db, scope, state.clock.now(), &user.email).await?;
    tracing::info!(%invoice_id, statement, user_id = %user.id, "portal link issued");
    Ok(portal_links::url(&state.mail.public_url, scope, &token))
}

/// Revokes every link to this invoice's payment page (or, with `statement`, every link of its
/// account). Returns how many stopped working.
#[server(endpoint = "revoke_portal_links")]
pub async fn revoke_portal_links(invoice_id: InvoiceId, statement: bool) -> Result<u64, AppError> {
    use crate::{
        backend::{ServiceError, portal::links as portal_links},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let account_id: Option<AccountId> = crate::on_db!(&state.db, p => sqlx::query_scalar("SELECT account_id FROM invoices WHERE id = $1")
        .bind(invoice_id).fetch_optional(p).await.map_err(crate::backend::StoreError::from)?);
    let account_id = account_id.ok_or(ServiceError::NotFound("invoice"))?;
    let now = state.clock.now();
    let n = if statement {
        portal_links::revoke_account_links(&state.db, account_id, now).await?
    } else {
        portal_links::revoke_invoice_links(&state.db, invoice_id, now).await?
    };
    tracing::info!(%invoice_id, statement, revoked = n, user_id = %user.id, "portal links revoked");
    Ok(n)
}
