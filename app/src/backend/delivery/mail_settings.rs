//! Where mail goes: SMTP from environment variables (they win, for deployments configured from
//! outside), else SMTP saved by an admin in Settings, else `.eml` files in the data directory.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    backend::{
        Db, StoreError,
        delivery::transport::{MailRoute, SmtpSettings, TlsMode},
    },
    domain::settings::{FieldError, looks_like_email},
    on_db,
};

/// Mail configuration read from the environment at start-up.
#[derive(Debug, Clone, Default)]
pub struct MailEnvironment {
    pub smtp: Option<SmtpSettings>,
    pub from: Option<String>,
    /// Where messages are written when no SMTP server is configured.
    pub folder: PathBuf,
    /// The address clients reach this deployment at; prefixes portal links in emails.
    pub public_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailSource {
    Environment,
    Settings,
    /// Not sending: writing `.eml` files.
    Folder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveMail {
    pub route: MailRoute,
    pub from: Option<String>,
    pub source: MailSource,
}

/// The Settings form, as the browser sees it: the password is never sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsView {
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: String,
    pub password_set: bool,
    pub from_address: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    host: String,
    port: i32,
    tls: String,
    username: String,
    password: String,
    from_address: String,
}

async fn row(db: &Db) -> Result<Option<Row>, StoreError> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT host, port, tls, username, password, from_address FROM mail_settings WHERE id = 1")
            .fetch_optional(p)
            .await?
    }))
}

pub async fn view(db: &Db) -> Result<Option<MailSettingsView>, StoreError> {
    Ok(row(db).await?.map(|r| MailSettingsView {
        host: r.host,
        port: u16::try_from(r.port).unwrap_or(587),
        tls: r.tls,
        username: r.username,
        password_set: !r.password.is_empty(),
        from_address: r.from_address,
    }))
}

pub async fn effective(db: &Db, env: &MailEnvironment) -> Result<EffectiveMail, StoreError> {
    if let Some(smtp) = &env.smtp {
        return Ok(EffectiveMail {
            route: MailRoute::Smtp(smtp.clone()),
            from: env.from.clone(),
            source: MailSource::Environment,
        });
    }
    if let Some(r) = row(db).await?.filter(|r| !r.host.trim().is_empty()) {
        return Ok(EffectiveMail {
            route: MailRoute::Smtp(SmtpSettings {
                host: r.host,
                port: u16::try_from(r.port).unwrap_or(587),
                tls: TlsMode::parse(&r.tls).unwrap_or(TlsMode::StartTls),
                username: r.username,
                password: r.password,
            }),
            from: Some(r.from_address).filter(|f| !f.trim().is_empty()).or_else(|| env.from.clone()),
            source: MailSource::Settings,
        });
    }
    Ok(EffectiveMail {
        route: MailRoute::Folder(env.folder.clone()),
        from: env.from.clone(),
        source: MailSource::Folder,
    })
}

/// The SMTP form as typed. An empty password keeps the stored one (the form never shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsForm {
    pub host: String,
    pub port: String,
    pub tls: String,
    pub username: String,
    pub password: String,
    pub from_address: String,
}

impl MailSettingsForm {
    pub fn validate(&self) -> Result<(u16, TlsMode), Vec<FieldError>> {
        let mut errors = Vec::new();
        let host = self.host.trim();
        if !host.is_empty() && (host.contains(char::is_whitespace) || host.contains('/')) {
            errors.push(FieldError::new("host", "Enter a host name like smtp.example.com, without a scheme."));
        }
        let port = match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                errors.push(FieldError::new("port", "Enter a port from 1 to 65535 (587 for STARTTLS, 465 for TLS)."));
                None
            }
        };
        let tls = TlsMode::parse(&self.tls);
        if tls.is_none() {
            errors.push(FieldError::new("tls", "Choose STARTTLS, TLS or none."));
        }
        let from = self.from_address.trim();
        let address = from.rsplit_once('<').map(|(_, a)| a.trim_end_matches('>')).unwrap_or(from);
        if !from.is_empty() && !looks_like_email(address.trim()) {
            errors.push(FieldError::new(
                "from_address",
                "Enter an address like billing@example.com or Name <billing@example.com>.",
            ));
        }
        match (port, tls) {
            (Some(p), Some(t)) if errors.is_empty() => Ok((p, t)),
            _ => Err(errors),
        }
    }
}

pub async fn save(db: &Db, form: &MailSettingsForm, now: DateTime<Utc>) -> Result<(), crate::backend::ServiceError> {
    let (port, tls) = form.validate().map_err(crate::backend::ServiceError::Invalid)?;
    // A blank password keeps the stored one, but only for the same server and user: the old
    // password must never be sent to a host someone has just typed in.
    let keep_password = form.password.is_empty();
    on_db!(db, p => {
        sqlx::query(
            "INSERT INTO mail_settings (id, host, port, tls, username, password, from_address, updated_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls,
                 username = excluded.username,
                 password = CASE WHEN $8 AND mail_settings.host = excluded.host AND mail_settings.username = excluded.username
                                 THEN mail_settings.password ELSE excluded.password END,
                 from_address = excluded.from_address, updated_at = excluded.updated_at",
        )
        .bind(form.host.trim())
        .bind(i32::from(port))
        .bind(tls.as_str())
        .bind(form.username.trim())
        .bind(&form.password)
        .bind(form.from_address.trim())
        .bind(now)
        .bind(keep_password)
        .execute(p)
        .await
        .map_err(StoreError::from)?;
    });
    Ok(())
}
