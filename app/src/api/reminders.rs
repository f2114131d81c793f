//! Past-due reminders: the settings and ladder (Automation > Accounting), the Reminders view,
//! and the invoice page's Send reminder and pause switches.

use leptos::prelude::*;

use crate::{
    api::AppError,
    domain::ids::{AccountId, InvoiceId},
    views::reminders::{InvoiceReminders, ReminderSettingsView, RemindersView},
};

#[server(endpoint = "get_reminder_settings")]
pub async fn get_reminder_settings() -> Result<ReminderSettingsView, AppError> {
    use crate::{backend::reminders::store as reminders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let (enabled, style) = reminders::settings(&state.db).await?;
    Ok(ReminderSettingsView {
        enabled,
        style: style.as_str().into(),
        rules: reminders::rules(&state.db).await?.iter().map(|r| r.dto()).collect(),
        templates: reminders::templates(&state.db).await?,
        can_edit: user.can(Role::Admin),
    })
}

/// `enabled` is present when the switch is on; `style` is `per_invoice` or `per_contact_daily`.
#[server(endpoint = "save_reminder_settings")]
pub async fn save_reminder_settings(#[server(default)] enabled: Option<String>, style: String) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, reminders::store as reminders},
        domain::{reminder_ladder::ReminderStyle, role::Role},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let style = ReminderStyle::parse(style.trim()).ok_or_else(|| {
        ServiceError::field("style", "Choose one reminder per invoice or one email per contact per day.")
    })?;
    let enabled = enabled.is_some_and(|v| !v.is_empty() && v != "false");
    crate::backend::platform::organisation::load(&state.db).await?;
    reminders::save_settings(&state.db, enabled, style, state.clock.now()).await?;
    tracing::info!(user_id = %user.id, enabled, style = style.as_str(), "reminder settings saved");
    Ok(())
}

/// Adds (`id` empty) or changes a ladder rule. `days` must be a whole number above 0 that no
/// other rule uses.
#[server(endpoint = "save_reminder_rule")]
pub async fn save_reminder_rule(
    id: String,
    days: String,
    template_id: String,
    #[server(default)] cc_other_contacts: Option<String>,
    #[server(default)] attach_statement: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, StoreError, reminders::store as reminders},
        domain::{reminder_ladder::ReminderRuleForm, role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let id = match id.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| ServiceError::field("days", "This rule could not be read; reload the page."))?,
        ),
    };
    let existing = reminders::rules(&state.db).await?;
    if let Some(id) = id
        && !existing.iter().any(|r| r.id == id)
    {
        return Err(ServiceError::NotFound("reminder rule").into());
    }
    let others: Vec<i64> = existing.iter().filter(|r| Some(r.id) != id).map(|r| r.days_past_due).collect();
    let input = ReminderRuleForm { days, template_id }.validate(&others).map_err(ServiceError::Invalid)?;
    if let Some(t) = input.template_id
        && !reminders::templates(&state.db).await?.iter().any(|(tid, _)| *tid == t)
    {
        return Err(ServiceError::field("template_id", "Choose a reminder template from the list.").into());
    }
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && v != "false");
    let saved =
        reminders::save_rule(&state.db, id, &input, on(&cc_other_contacts), on(&attach_statement), state.clock.now())
            .await;
    match saved {
        Ok(rule_id) => {
            tracing::info!(user_id = %user.id, rule_id, days = input.days, "reminder rule saved");
            Ok(())
        }
        // Two people adding the same day at once: the unique index decides.
        Err(StoreError::Conflict(_)) => Err(ServiceError::Invalid(vec![FieldError::new(
            "days",
            format!("There is already a reminder at {} days past due.", input.days),
        )])
        .into()),
        Err(e) => Err(e.into()),
    }
}

#[server(endpoint = "delete_reminder_rule")]
pub async fn delete_reminder_rule(id: i64) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, reminders::store as reminders},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    if !reminders::delete_rule(&state.db, id).await? {
        return Err(ServiceError::NotFound("reminder rule").into());
    }
    tracing::info!(user_id = %user.id, rule_id = %id, "reminder rule deleted");
    Ok(())
}

#[server(endpoint = "get_reminders")]
pub async fn get_reminders() -> Result<RemindersView, AppError> {
    use crate::{backend::reminders::engine as reminders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let (enabled, style) = crate::backend::reminders::store::settings(&state.db).await?;
    let (today, upcoming) = reminders::upcoming(&state.db, state.clock.now()).await?;
    Ok(RemindersView {
        enabled,
        style: style.as_str().into(),
        today,
        upcoming,
        sent: crate::backend::reminders::store::records(&state.db, None, Some("sent"), 100).await?,
        failed: crate::backend::reminders::store::records(&state.db, None, Some("failed"), 100).await?,
        can_send: user.can(Role::Billing),
    })
}

#[server(endpoint = "get_invoice_reminders")]
pub async fn get_invoice_reminders(invoice_id: InvoiceId) -> Result<InvoiceReminders, AppError> {
    use crate::{backend::reminders::engine as reminders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    Ok(reminders::for_invoice(&state.db, invoice_id, state.clock.now(), user.can(Role::Billing)).await?)
}

/// Queues the invoice's current reminder step now; it counts as that step. Returns the step.
#[server(endpoint = "send_reminder")]
pub async fn send_reminder(invoice_id: InvoiceId) -> Result<i64, AppError> {
    use crate::{backend::reminders::engine as reminders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    let step = reminders::send_manual(&state.db, invoice_id, state.clock.now(), &user.email).await?;
    state.outbox_wake.notify_one();
    Ok(step)
}

#[server(endpoint = "set_invoice_reminders_paused")]
pub async fn set_invoice_reminders_paused(invoice_id: InvoiceId, paused: bool) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, reminders::store as reminders},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    if !reminders::set_invoice_paused(&state.db, invoice_id, paused).await? {
        return Err(ServiceError::NotFound("invoice").into());
    }
    tracing::info!(user_id = %user.id, %invoice_id, paused, "invoice reminders paused/resumed");
    Ok(())
}

#[server(endpoint = "set_account_reminders_paused")]
pub async fn set_account_reminders_paused(account_id: AccountId, paused: bool) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, reminders::store as reminders},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    if !reminders::set_account_paused(&state.db, account_id, paused).await? {
        return Err(ServiceError::NotFound("account").into());
    }
    tracing::info!(user_id = %user.id, %account_id, paused, "account reminders paused/resumed");
    Ok(())
}

#[server(endpoint = "get_account_reminders_paused")]
pub async fn get_account_reminders_paused(account_id: AccountId) -> Result<bool, AppError> {
    use crate::{
        backend::{ServiceError, StoreError},
        domain::role::Role,
        on_db,
    };
    let (state, _) = super::guard::require(Role::Viewer)?;
    let paused: Option<bool> = on_db!(&state.db, p => sqlx::query_scalar("SELECT reminders_paused FROM accounts WHERE id = $1")
        .bind(account_id).fetch_optional(p).await.map_err(StoreError::from)?);
    Ok(paused.ok_or(ServiceError::NotFound("account"))?)
}
