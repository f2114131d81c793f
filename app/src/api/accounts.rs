//! The account editor: one account with its contacts, and the changes billing staff make.
//! Arguments are strings, as an HTML form sends them, so every problem comes back as a
//! field error rather than a failed request.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    api::AppError,
    domain::ids::{AccountId, ContactId},
    views::accounts::{AccountDetail, AccountRef},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEditorView {
    /// `None` on the new-account page.
    pub account: Option<AccountDetail>,
    /// Accounts this one may bill to.
    pub bill_to_options: Vec<AccountRef>,
    pub default_terms_days: i32,
    pub can_edit: bool,
}

#[server(endpoint = "get_account_editor")]
pub async fn get_account_editor(id: Option<AccountId>) -> Result<AccountEditorView, AppError> {
    use crate::{backend::directory::accounts, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let account = match id {
        Some(id) => Some(accounts::get_account(&state.db, id).await?),
        None => None,
    };
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    Ok(AccountEditorView {
        account,
        bill_to_options: crate::backend::directory::account_store::bill_to_options(&state.db, id).await?,
        default_terms_days: org.default_terms_days,
        can_edit: user.can(Role::Billing),
    })
}

/// `terms` is `default`, a number of days, or `custom` (then `custom_terms_days` holds the
/// days). Saving a new account (`id` empty) leads to its page.
#[server(endpoint = "save_account")]
pub async fn save_account(
    id: String,
    name: String,
    kind: String,
    bill_to_account_id: String,
    terms: String,
    custom_terms_days: String,
    email: String,
    phone: String,
    address: String,
    notes: String,
    external_ref: String,
) -> Result<AccountId, AppError> {
    use crate::{
        backend::{ServiceError, directory::accounts},
        domain::{account_input::AccountInput, role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let mut errors = Vec::new();
    let bill_to = match bill_to_account_id.trim() {
        "" => None,
        s => s.parse::<AccountId>().map(Some).unwrap_or_else(|_| {
            errors.push(FieldError::new("bill_to_account_id", "Choose an account from the list."));
            None
        }),
    };
    let days_text = if terms.trim() == "custom" { custom_terms_days.trim() } else { terms.trim() };
    let payment_terms_days = match days_text {
        "default" => None,
        s => s.parse::<i64>().map(Some).unwrap_or_else(|_| {
            errors.push(FieldError::new("payment_terms_days", "Enter the payment terms as a whole number of days."));
            None
        }),
    };
    let input = AccountInput {
        name,
        kind,
        bill_to_account_id: bill_to,
        payment_terms_days,
        email,
        phone,
        address,
        notes,
        external_ref: Some(external_ref),
    };
    if !errors.is_empty() {
        // Report the other fields' problems too, in one round.
        if let Err(more) = input.normalised() {
            let more: Vec<_> = more.into_iter().filter(|e| !errors.iter().any(|f| f.field == e.field)).collect();
            errors.extend(more);
        }
        return Err(ServiceError::Invalid(errors).into());
    }
    let now = state.clock.now();
    match id.trim() {
        "" => {
            let id = accounts::create_account(&state.db, now, &input).await?;
            tracing::info!(account_id = %id, user_id = %user.id, "account created in the editor");
            leptos_axum::redirect(&format!("/accounts/{id}"));
            Ok(id)
        }
        s => {
            let id = s.parse::<AccountId>().map_err(|_| AppError::from(ServiceError::NotFound("account")))?;
            accounts::update_account(&state.db, now, id, &input).await?;
            Ok(id)
        }
    }
}

/// `archived` is `true` to archive, anything else to restore.
#[server(endpoint = "set_account_archived")]
pub async fn set_account_archived(account_id: AccountId, archived: String) -> Result<(), AppError> {
    use crate::{backend::directory::accounts, domain::role::Role};
    let (state, _) = super::guard::require(Role::Billing)?;
    accounts::set_archived(&state.db, state.clock.now(), account_id, archived == "true").await?;
    Ok(())
}

#[server(endpoint = "add_contact")]
pub async fn add_contact(
    account_id: AccountId,
    name: String,
    email: String,
    phone: String,
    invoice_role: String,
) -> Result<ContactId, AppError> {
    use crate::{backend::directory::accounts, domain::account_input::ContactInput, domain::role::Role};
    let (state, _) = super::guard::require(Role::Billing)?;
    let input = ContactInput { name, email, phone, invoice_role };
    Ok(accounts::add_contact(&state.db, state.clock.now(), account_id, &input).await?)
}

#[server(endpoint = "update_contact")]
pub async fn update_contact(
    account_id: AccountId,
    contact_id: ContactId,
    name: String,
    email: String,
    phone: String,
    invoice_role: String,
) -> Result<(), AppError> {
    use crate::{backend::directory::accounts, domain::account_input::ContactInput, domain::role::Role};
    let (state, _) = super::guard::require(Role::Billing)?;
    let input = ContactInput { name, email, phone, invoice_role };
    Ok(accounts::update_contact(&state.db, state.clock.now(), account_id, contact_id, &input).await?)
}

#[server(endpoint = "remove_contact")]
pub async fn remove_contact(account_id: AccountId, contact_id: ContactId) -> Result<(), AppError> {
    use crate::{backend::directory::accounts, domain::role::Role};
    let (state, _) = super::guard::require(Role::Billing)?;
    Ok(accounts::remove_contact(&state.db, account_id, contact_id).await?)
}
