//! SMTP settings in Settings (admins). The password is write-only: it is never sent back.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{api::AppError, views::delivery::MailStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsPage {
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: String,
    pub password_set: bool,
    pub from_address: String,
    /// SMTP comes from the server's environment: the form is shown read-only.
    pub from_environment: bool,
    pub status: MailStatus,
    pub can_edit: bool,
}

#[server(endpoint = "get_mail_settings")]
pub async fn get_mail_settings() -> Result<MailSettingsPage, AppError> {
    use crate::{backend::delivery::mail_settings, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let stored = mail_settings::view(&state.db).await?;
    let env = state.mail.smtp.clone();
    let status = super::automation::get_automation_mail_status(&state).await?;
    let page = match env {
        Some(s) => MailSettingsPage {
            host: s.host,
            port: s.port,
            tls: s.tls.as_str().into(),
            username: s.username,
            password_set: !s.password.is_empty(),
            from_address: state.mail.from.clone().unwrap_or_default(),
            from_environment: true,
            status,
            can_edit: false,
        },
        None => {
            let v = stored.unwrap_or(mail_settings::MailSettingsView {
                host: String::new(),
                port: 587,
                tls: "starttls".into(),
                username: String::new(),
                password_set: false,
                from_address: String::new(),
            });
            MailSettingsPage {
                host: v.host,
                port: v.port,
                tls: v.tls,
                username: v.username,
                password_set: v.password_set,
                from_address: v.from_address,
                from_environment: false,
                status,
                can_edit: user.can(Role::Admin),
            }
        }
    };
    // Where mail goes and as whom is for admins: the rest see only whether it is being sent.
    Ok(if user.can(Role::Admin) {
        page
    } else {
        MailSettingsPage { host: String::new(), username: String::new(), ..page }
    })
}

#[server(endpoint = "save_mail_settings")]
pub async fn save_mail_settings(
    host: String,
    port: String,
    tls: String,
    username: String,
    password: String,
    from_address: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, delivery::mail_settings},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    if state.mail.smtp.is_some() {
        return Err(ServiceError::Conflict(
            "SMTP is configured by the server's environment variables; change it there.".into(),
        )
        .into());
    }
    let form = mail_settings::MailSettingsForm { host, port, tls, username, password, from_address };
    mail_settings::save(&state.db, &form, state.clock.now()).await?;
    tracing::info!(user_id = %user.id, host = %form.host, "mail settings saved");
    Ok(())
}
