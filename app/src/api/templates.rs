//! Automation > Campaigns > Email Templates: the library, the editor, its live preview and
//! Send test. Admin and billing staff change templates; viewers read and preview them.

use leptos::prelude::*;

use crate::{
    api::AppError,
    domain::ids::{InvoiceId, TemplateId},
    views::templates::{PreviewResult, TemplateEditorView, TemplateListView, TestSendResult},
};

#[cfg(feature = "ssr")]
fn parse_kind(kind: &str) -> Result<crate::domain::merge_fields::TemplateKind, AppError> {
    crate::domain::merge_fields::TemplateKind::parse(kind.trim()).ok_or_else(|| {
        crate::backend::ServiceError::field("kind", "Choose invoice, reminder, statement or receipt.").into()
    })
}

#[server(endpoint = "get_template_list")]
pub async fn get_template_list() -> Result<TemplateListView, AppError> {
    use crate::{backend::templates::library as template_library, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let templates = template_library::list(&state.db).await?;
    Ok(TemplateListView { templates, can_edit: user.can(Role::Billing) })
}

/// `id` for an existing template; `kind` picks the kind of a new one (invoice if absent).
#[server(endpoint = "get_template_editor")]
pub async fn get_template_editor(id: Option<TemplateId>, kind: Option<String>) -> Result<TemplateEditorView, AppError> {
    use crate::{
        backend::{messages::preview as template_preview, templates::library as template_library},
        domain::{merge_fields::TemplateKind, role::Role},
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let template = match id {
        Some(id) => Some(template_library::get(&state.db, id).await?),
        None => None,
    };
    let kind = match (&template, kind.as_deref().map(str::trim).filter(|k| !k.is_empty())) {
        (Some(t), _) => t.kind,
        (None, Some(k)) => parse_kind(k)?,
        (None, None) => TemplateKind::Invoice,
    };
    let invoices = template_preview::recent_invoices(&state.db).await?;
    Ok(TemplateEditorView { template, kind, invoices, can_edit: user.can(Role::Billing), user_email: user.email })
}

/// Creates (`id` empty) or updates a template; returns its id.
#[server(endpoint = "save_template")]
pub async fn save_template(
    id: String,
    kind: String,
    name: String,
    subject: String,
    body_html: String,
) -> Result<TemplateId, AppError> {
    use crate::{
        backend::{ServiceError, templates::check::TemplateInput, templates::library as template_library},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let input = TemplateInput { kind: parse_kind(&kind)?, name, subject, body_html };
    let now = state.clock.now();
    match id.trim() {
        "" => {
            let id = template_library::create(&state.db, now, input).await?;
            tracing::info!(template_id = %id, user_id = %user.id, "template created in the editor");
            Ok(id)
        }
        s => {
            let id = s.parse::<TemplateId>().map_err(|_| AppError::from(ServiceError::NotFound("template")))?;
            template_library::update(&state.db, now, id, input).await?;
            tracing::info!(template_id = %id, user_id = %user.id, "template saved in the editor");
            Ok(id)
        }
    }
}

#[server(endpoint = "duplicate_template")]
pub async fn duplicate_template(id: TemplateId) -> Result<TemplateId, AppError> {
    use crate::{backend::templates::library as template_library, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    let new_id = template_library::duplicate(&state.db, state.clock.now(), id).await?;
    tracing::info!(template_id = %new_id, copy_of = %id, user_id = %user.id, "template duplicated");
    Ok(new_id)
}

#[server(endpoint = "delete_template")]
pub async fn delete_template(id: TemplateId) -> Result<(), AppError> {
    use crate::{backend::templates::library as template_library, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    template_library::delete(&state.db, id).await?;
    tracing::info!(template_id = %id, user_id = %user.id, "template deleted");
    Ok(())
}

#[server(endpoint = "set_default_template")]
pub async fn set_default_template(id: TemplateId) -> Result<(), AppError> {
    use crate::{backend::templates::library as template_library, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    template_library::set_default(&state.db, state.clock.now(), id).await?;
    tracing::info!(template_id = %id, user_id = %user.id, "default template set");
    Ok(())
}

/// The template as typed, rendered against `invoice_id` or sample values.
#[server(endpoint = "preview_template")]
pub async fn preview_template(
    kind: String,
    subject: String,
    body_html: String,
    invoice_id: Option<InvoiceId>,
) -> Result<PreviewResult, AppError> {
    use crate::{
        backend::messages::preview::{Draft, preview},
        domain::role::Role,
    };
    let (state, _) = super::guard::require(Role::Viewer)?;
    let draft = Draft { kind: parse_kind(&kind)?, subject: &subject, body_html: &body_html };
    Ok(preview(&state.db, draft, invoice_id, state.clock.now(), &state.mail.public_url).await?)
}

/// Renders the preview and mails it to the signed-in user. `Ok` carries what happened, also
/// when the mail server refused: that is an answer for the person, not a failed request.
#[server(endpoint = "send_test_template")]
pub async fn send_test_template(
    kind: String,
    subject: String,
    body_html: String,
    invoice_id: Option<InvoiceId>,
) -> Result<TestSendResult, AppError> {
    use crate::{
        backend::messages::preview::{Draft, TestSendOutcome, preview, send_test},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let draft = Draft { kind: parse_kind(&kind)?, subject: &subject, body_html: &body_html };
    let rendered = preview(&state.db, draft, invoice_id, state.clock.now(), &state.mail.public_url).await?;
    let outcome = send_test(&state.db, &state.mail, &rendered, &user.email).await?;
    tracing::info!(user_id = %user.id, outcome = ?outcome, "test email");
    Ok(match outcome {
        TestSendOutcome::Sent(message) => TestSendResult { sent: true, message },
        TestSendOutcome::Written(message) | TestSendOutcome::Failed(message) => TestSendResult { sent: false, message },
    })
}
