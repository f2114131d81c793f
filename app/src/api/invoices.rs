//! Invoices: the list with its tabs, one invoice, voiding.

use leptos::prelude::*;

use crate::{
    api::AppError,
    domain::ids::InvoiceId,
    views::invoices::{InvoiceDetail, InvoiceListView},
};

pub const PER_PAGE: i64 = 25;

#[cfg(feature = "ssr")]
pub(crate) async fn today_and_currency(
    state: &crate::backend::AppState,
) -> Result<(chrono::NaiveDate, String, chrono_tz::Tz), AppError> {
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let tz = crate::backend::platform::clock::parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    Ok((state.clock.today_in(tz), org.currency, tz))
}

#[server(endpoint = "get_invoices")]
pub async fn get_invoices(query: String) -> Result<InvoiceListView, AppError> {
    use crate::views::invoices::InvoiceFilter;
    use crate::{backend::invoicing::invoices, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let (today, currency, _) = today_and_currency(&state).await?;
    let pairs = super::billable::query_pairs(&query);
    let filter = InvoiceFilter::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
    let rows = invoices::list(&state.db, &filter, today, PER_PAGE).await?;
    let tabs = invoices::tabs(&state.db, &filter.search, today).await?;
    Ok(InvoiceListView { filter, rows, tabs, currency, today, can_send: user.can(Role::Billing) })
}

#[server(endpoint = "get_invoice")]
pub async fn get_invoice(id: InvoiceId) -> Result<InvoiceDetail, AppError> {
    use crate::views::invoices::InvoiceEventView;
    use crate::{
        backend::{ServiceError, invoicing::invoices},
        domain::{invoice::is_past_due, role::Role},
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let (today, _, tz) = today_and_currency(&state).await?;
    let (inv, lines, events) = invoices::get(&state.db, id).await?.ok_or(ServiceError::NotFound("invoice"))?;
    let status = inv.status()?;
    let f = crate::backend::platform::fixed::from_db;
    let balance = f(inv.total) - f(inv.amount_paid);
    let held_line_items = if status == crate::domain::invoice::InvoiceStatus::Void {
        invoices::held_line_items(&state.db, id).await?
    } else {
        0
    };
    Ok(InvoiceDetail {
        id: inv.id,
        number: inv.number,
        account_id: inv.account_id,
        account: inv.account,
        account_address: inv.account_address,
        status,
        past_due: is_past_due(status, inv.due_date, balance, today),
        issue_date: inv.issue_date,
        due_date: inv.due_date,
        terms_days: inv.terms_days,
        currency: inv.currency,
        subtotal: f(inv.subtotal),
        discount_total: f(inv.discount_total),
        tax_total: f(inv.tax_total),
        total: f(inv.total),
        amount_paid: f(inv.amount_paid),
        balance,
        void_reason: inv.void_reason,
        missing_invoice_recipient: inv.invoice_recipients == 0,
        lines,
        events: events
            .into_iter()
            .map(|e| InvoiceEventView {
                kind: e.kind,
                detail: e.detail,
                actor: e.actor,
                at: e.at.with_timezone(&tz).format("%b %-d, %Y %H:%M").to_string(),
            })
            .collect(),
        can_void: user.can(Role::Billing)
            && inv.amount_paid == 0
            && matches!(inv.status.as_str(), "draft" | "open" | "sent"),
        can_edit: user.can(Role::Billing) && status == crate::domain::invoice::InvoiceStatus::Draft,
        held_line_items,
        can_release: user.can(Role::Billing) && held_line_items > 0,
    })
}

/// `line_items` is `hold` (the default) or `bill_again`: see [`AfterVoid`](crate::domain::invoice::AfterVoid).
#[server(endpoint = "void_invoice")]
pub async fn void_invoice(id: InvoiceId, reason: String, line_items: Option<String>) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, invoicing::invoices},
        domain::{invoice::AfterVoid, role::Role},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(
            ServiceError::field("reason", "Say why the invoice is being voided; it is kept in the activity.").into()
        );
    }
    if reason.chars().count() > 500 {
        return Err(ServiceError::field("reason", "Use at most 500 characters.").into());
    }
    let after = match line_items.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => AfterVoid::Hold,
        Some(s) => AfterVoid::parse(s).ok_or_else(|| {
            ServiceError::field("line_items", "Choose whether to hold the line items or bill them again.")
        })?,
    };
    let actor = format!("{} ({})", user.name, user.email);
    if !invoices::void(&state.db, id, reason, after, &actor, state.clock.now()).await? {
        return Err(ServiceError::Conflict(
            "This invoice cannot be voided: it has payments, is already void or paid, or no longer exists.".into(),
        )
        .into());
    }
    tracing::info!(invoice_id = %id, user_id = %user.id, ?after, "invoice voided");
    Ok(())
}

/// Returns the line items a voided invoice holds to Billable Line Items.
#[server(endpoint = "release_held_line_items")]
pub async fn release_held_line_items(id: InvoiceId) -> Result<u64, AppError> {
    use crate::{backend::invoicing::invoices, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    let actor = format!("{} ({})", user.name, user.email);
    let released = invoices::release_held(&state.db, id, &actor, state.clock.now()).await?;
    tracing::info!(invoice_id = %id, user_id = %user.id, released, "held line items released");
    Ok(released)
}
