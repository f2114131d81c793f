//! Organisation settings. Server functions mirror HTML forms, one argument per field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::settings::OrganisationSettings;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: OrganisationSettings,
    pub time_zones: Vec<String>,
    pub can_edit: bool,
    /// Today in the organisation's time zone, for the invoice-number preview.
    pub today: chrono::NaiveDate,
}

#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<SettingsView, AppError> {
    use crate::domain::role::Role;
    let (state, user) = super::guard::require(Role::Viewer)?;
    let settings = crate::backend::platform::organisation::load(&state.db).await?;
    let time_zones = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_string()).collect();
    let tz = crate::backend::platform::clock::parse_time_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let today = state.clock.today_in(tz);
    Ok(SettingsView { settings, time_zones, can_edit: user.can(Role::Admin), today })
}

/// Every argument is a string so that nothing a browser sends can fail before validation:
/// each problem comes back tied to its field.
#[server(endpoint = "save_settings")]
#[allow(clippy::too_many_arguments)]
pub async fn save_settings(
    name: String,
    address: String,
    logo_url: String,
    currency: String,
    time_zone: String,
    invoice_number_format: String,
    default_terms_days: String,
    email_from: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, platform::clock::parse_time_zone},
        domain::{role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let terms = default_terms_days.trim().parse::<i32>();
    let candidate = OrganisationSettings {
        name,
        address,
        logo_url,
        currency,
        time_zone,
        invoice_number_format,
        default_terms_days: *terms.as_ref().unwrap_or(&0),
        email_from,
    };
    let mut errors = match candidate.normalised() {
        Ok(s) if terms.is_ok() && parse_time_zone(&s.time_zone).is_some() => {
            crate::backend::platform::organisation::save(&state.db, &s, state.clock.now()).await?;
            tracing::info!(user_id = %user.id, "organisation settings saved");
            return Ok(());
        }
        Ok(s) => {
            let mut e = Vec::new();
            if parse_time_zone(&s.time_zone).is_none() {
                e.push(FieldError::new("time_zone", format!("\"{}\" is not a known time zone.", s.time_zone)));
            }
            e
        }
        Err(e) => e,
    };
    if terms.is_err() {
        errors.retain(|e| e.field != "default_terms_days");
        errors.push(FieldError::new("default_terms_days", "Enter payment terms as a whole number of days."));
    }
    Err(ServiceError::Invalid(errors).into())
}
