//! Automation > Accounting: auto-invoice settings, the Ready to send queue, email failures, and
//! sending from an invoice page.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::ids::{AccountId, TemplateId};
use crate::{
    api::AppError,
    domain::ids::{InvoiceId, OutboxId},
    views::delivery::{AutomationView, InvoiceDeliveries},
};

#[cfg(feature = "ssr")]
pub(crate) async fn get_automation_mail_status(
    state: &crate::backend::AppState,
) -> Result<crate::views::delivery::MailStatus, AppError> {
    use crate::backend::{
        delivery::mail_settings, delivery::mail_settings::MailSource, delivery::transport::MailRoute,
    };
    let m = mail_settings::effective(&state.db, &state.mail).await?;
    Ok(match (&m.route, m.source) {
        (MailRoute::Smtp(s), MailSource::Environment) => crate::views::delivery::MailStatus {
            sending: true,
            description: format!("Sending through {}:{} (configured by the server's environment).", s.host, s.port),
        },
        (MailRoute::Smtp(s), _) => crate::views::delivery::MailStatus {
            sending: true,
            description: format!("Sending through {}:{} (configured in Settings).", s.host, s.port),
        },
        (MailRoute::Folder(dir), _) => crate::views::delivery::MailStatus {
            sending: false,
            description: format!(
                "Mail is not being sent: no SMTP server is configured, so each email is written as a file to {}. \
                 An admin can set up SMTP in Settings.",
                dir.display()
            ),
        },
    })
}

#[server(endpoint = "get_automation")]
pub async fn get_automation() -> Result<AutomationView, AppError> {
    use crate::{
        backend::{delivery::outbox, platform::clock::parse_time_zone},
        domain::{delivery::Delivery, role::Role},
        on_db,
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let tz = parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    let today = state.clock.today_in(tz);
    let settings = crate::backend::invoicing::automation::get(&state.db).await?;
    let (mode, delivery, frequency, weekday, month_day, time) = settings.columns();
    let batch_summary = match settings.delivery {
        Delivery::Batch(b) => {
            let next = b.next_slot(state.clock.now().with_timezone(&tz).naive_local());
            Some(match next {
                Some(n) => format!("{} — next batch {}", b.describe(), n.format("%b %-d, %Y %H:%M")),
                None => b.describe(),
            })
        }
        _ => None,
    };
    let templates: Vec<(TemplateId, String)> = on_db!(&state.db, p => sqlx::query_as(
        "SELECT id, name FROM email_templates WHERE kind = 'invoice' ORDER BY name").fetch_all(p).await.map_err(crate::backend::StoreError::from)?);
    let (auto_products, products): (i64, i64) = on_db!(&state.db, p => sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN auto_invoice THEN 1 ELSE 0 END), 0), COUNT(*) FROM products WHERE active = TRUE")
        .fetch_one(p).await.map_err(crate::backend::StoreError::from)?);
    let (ready, ready_total) = crate::backend::invoicing::delivery_views::ready_to_send(&state.db, 200).await?;
    let counts = outbox::counts(&state.db).await?;
    Ok(AutomationView {
        mode: mode.into(),
        delivery: delivery.into(),
        batch_frequency: frequency.into(),
        batch_weekday: u8::try_from(weekday).unwrap_or(1),
        batch_month_day: u8::try_from(month_day).unwrap_or(1),
        batch_time: time,
        template_id: settings.template_id,
        templates,
        batch_summary,
        auto_products,
        products,
        ready,
        ready_total,
        cannot_send: crate::backend::invoicing::delivery_views::accounts_without_recipient(
            &state.db,
            today + chrono::Duration::days(14),
        )
        .await?,
        failures: crate::backend::invoicing::delivery_views::failures(&state.db, 100).await?,
        outbox: crate::views::delivery::OutboxSummary {
            pending: counts.pending,
            in_flight: counts.in_flight,
            done: counts.done,
            failed: counts.failed,
        },
        mail: get_automation_mail_status(&state).await?,
        currency: org.currency,
        can_edit: user.can(Role::Admin),
        can_send: user.can(Role::Billing),
    })
}

#[server(endpoint = "save_automation")]
pub async fn save_automation(
    mode: String,
    delivery: String,
    batch_frequency: String,
    batch_weekday: String,
    batch_month_day: String,
    batch_time: String,
    template_id: String,
) -> Result<(), AppError> {
    use crate::{
        backend::ServiceError,
        domain::{delivery::AutomationForm, role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let template_id = match template_id.trim() {
        "" => None,
        t => Some(t.parse::<TemplateId>().map_err(|_| {
            ServiceError::Invalid(vec![FieldError::new("template_id", "Choose a template from the list.")])
        })?),
    };
    let form =
        AutomationForm { mode, delivery, batch_frequency, batch_weekday, batch_month_day, batch_time, template_id };
    let settings = form.validate().map_err(ServiceError::Invalid)?;
    crate::backend::invoicing::automation::save(&state.db, &settings, state.clock.now()).await.map_err(
        |e| match e {
            crate::backend::StoreError::Conflict(_) => {
                ServiceError::Invalid(vec![FieldError::new("template_id", "That template no longer exists.")])
            }
            other => ServiceError::Store(other),
        },
    )?;
    tracing::info!(user_id = %user.id, ?settings, "automation settings saved");
    Ok(())
}

/// The most invoices one "Email selected" may name: a page of the Invoices list is 50.
pub const MAX_SEND_SELECTED: usize = 1000;

/// Sends the chosen invoices (`ids` comma-separated), or every invoice in Ready to send when
/// `all` is set.
#[server(endpoint = "send_invoices")]
pub async fn send_invoices(ids: String, all: bool) -> Result<usize, AppError> {
    use crate::{
        backend::{ServiceError, scheduler, scheduler::Selection},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let ids = if all {
        crate::backend::invoicing::delivery_views::ready_ids(&state.db).await?
    } else {
        ids.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse::<InvoiceId>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ServiceError::field("ids", "The selection could not be read; reload the page."))?
    };
    if ids.is_empty() {
        return Err(ServiceError::Conflict("Select at least one invoice to send.".into()).into());
    }
    if !all && ids.len() > MAX_SEND_SELECTED {
        return Err(ServiceError::field(
            "ids",
            format!("Send at most {MAX_SEND_SELECTED} invoices at a time, or use Send all in Ready to send."),
        )
        .into());
    }
    let template = crate::backend::invoicing::automation::get(&state.db).await?.template_id;
    let queued = scheduler::queue_invoice_emails(&state.db, state.clock.now(), Selection::Ids(ids), None, template)
        .await?
        .unwrap_or_default();
    state.outbox_wake.notify_one();
    tracing::info!(user_id = %user.id, queued, "invoice emails queued by staff");
    Ok(queued)
}

#[server(endpoint = "retry_email")]
pub async fn retry_email(outbox_id: OutboxId) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, delivery::outbox, messages::Messages},
        domain::role::Role,
    };
    let (state, _) = super::guard::require(Role::Billing)?;
    if !outbox::retry(&state.db, outbox_id, state.clock.now(), &Messages).await? {
        return Err(ServiceError::Conflict("That email is no longer failed; refresh to see where it is.".into()).into());
    }
    state.outbox_wake.notify_one();
    Ok(())
}

/// Runs a scheduler tick now (admins), instead of waiting for the next interval.
#[server(endpoint = "run_tick_now")]
pub async fn run_tick_now() -> Result<String, AppError> {
    use crate::{backend::scheduler, domain::role::Role};
    let (state, user) = super::guard::require(Role::Admin)?;
    let r = scheduler::tick(&state.db, state.clock.now(), &format!("staff:{}", user.id)).await?;
    state.outbox_wake.notify_one();
    Ok(format!(
        "Created {} invoice{} for {} line item{}{}.",
        r.invoices_created,
        if r.invoices_created == 1 { "" } else { "s" },
        r.line_items_invoiced,
        if r.line_items_invoiced == 1 { "" } else { "s" },
        match r.batch_queued {
            Some(n) => format!("; the batch queued {n} email{}", if n == 1 { "" } else { "s" }),
            None => String::new(),
        }
    ))
}

#[server(endpoint = "get_invoice_deliveries")]
pub async fn get_invoice_deliveries(invoice_id: InvoiceId) -> Result<InvoiceDeliveries, AppError> {
    use crate::{
        backend::{ServiceError, StoreError, messages::invoice as invoice_email},
        domain::role::Role,
        on_db,
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let row: Option<(AccountId, String, Option<String>)> = on_db!(&state.db, p => sqlx::query_as(
        "SELECT account_id, status, number FROM invoices WHERE id = $1").bind(invoice_id).fetch_optional(p).await.map_err(StoreError::from)?);
    let Some((account_id, status, number)) = row else {
        return Err(ServiceError::NotFound("invoice").into());
    };
    let who = invoice_email::recipients(&state.db, account_id).await?;
    Ok(InvoiceDeliveries {
        deliveries: crate::backend::invoicing::delivery_views::for_invoice(&state.db, invoice_id).await?,
        sendable: number.is_some() && status != "void" && status != "draft" && !who.to.is_empty(),
        recipients_to: who.to.into_iter().map(|(n, e)| format!("{n} <{e}>")).collect(),
        recipients_cc: who.cc.into_iter().map(|(n, e)| format!("{n} <{e}>")).collect(),
        can_send: user.can(Role::Billing),
        mail: get_automation_mail_status(&state).await?,
    })
}
