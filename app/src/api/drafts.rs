//! Draft invoices: edit dates and lines, remove lines, finalise. Billing role; the backend
//! refuses any change to an invoice that is no longer a draft (409 with the reason).

use crate::domain::ids::InvoiceId;
use leptos::prelude::*;

use super::AppError;

#[cfg(feature = "ssr")]
fn actor(user: &crate::views::common::CurrentUser) -> String {
    format!("{} ({})", user.name, user.email)
}

/// Dates are `YYYY-MM-DD`; an empty due date follows the invoice's payment terms.
#[server(endpoint = "update_draft_dates")]
pub async fn update_draft_dates(id: InvoiceId, issue_date: String, due_date: String) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, invoicing::drafts, invoicing::invoices},
        domain::{draft::parse_dates, role::Role, terms::PaymentTerms},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let (inv, _, _) = invoices::get(&state.db, id).await?.ok_or(ServiceError::NotFound("invoice"))?;
    let terms = PaymentTerms::new(i64::from(inv.terms_days)).map_err(ServiceError::Internal)?;
    let dates = parse_dates(&issue_date, &due_date, terms).map_err(ServiceError::Invalid)?;
    drafts::update_dates(&state.db, state.clock.now(), id, dates, &actor(&user)).await?;
    Ok(())
}

#[server(endpoint = "update_draft_line")]
pub async fn update_draft_line(
    invoice_id: InvoiceId,
    line_id: i64,
    description: String,
    quantity: String,
    unit_price: String,
    discount: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, invoicing::drafts},
        domain::{draft::LineEdit, role::Role},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let edit = LineEdit::parse(&description, &quantity, &unit_price, &discount).map_err(ServiceError::Invalid)?;
    drafts::update_line(&state.db, state.clock.now(), invoice_id, line_id, &edit, &actor(&user)).await?;
    Ok(())
}

#[server(endpoint = "remove_draft_line")]
pub async fn remove_draft_line(invoice_id: InvoiceId, line_id: i64) -> Result<(), AppError> {
    use crate::{backend::invoicing::drafts, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    drafts::remove_line(&state.db, state.clock.now(), invoice_id, line_id, &actor(&user)).await?;
    Ok(())
}

/// Returns the number the invoice was given.
#[server(endpoint = "finalise_draft")]
pub async fn finalise_draft(id: InvoiceId, #[server(default)] then: Option<String>) -> Result<String, AppError> {
    use crate::{
        backend::invoicing::{automation, drafts},
        domain::{delivery::AfterGenerate, role::Role},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    // As on Invoice Selected: `ready` goes to Ready to send (and the next batch), `email` now.
    let then = match then.as_deref().map(str::trim) {
        Some("ready") => AfterGenerate::MarkReady,
        Some("email") => AfterGenerate::QueueEmail,
        _ => AfterGenerate::Nothing,
    };
    let template = automation::get(&state.db).await?.template_id;
    let number = drafts::finalise(&state.db, state.clock.now(), id, &actor(&user), then, template).await?;
    state.outbox_wake.notify_one();
    tracing::info!(invoice_id = %id, user_id = %user.id, %number, "draft finalised");
    Ok(number)
}
