//! The one organisation a deployment bills for: its settings, its time zone and "today" there.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::{
    backend::{Db, StoreError},
    domain::settings::OrganisationSettings,
    on_db,
};

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    name: String,
    address: String,
    logo_url: String,
    currency: String,
    time_zone: String,
    invoice_number_format: String,
    default_terms_days: i32,
    email_from: String,
}

impl From<OrganisationRow> for OrganisationSettings {
    fn from(r: OrganisationRow) -> Self {
        OrganisationSettings {
            name: r.name,
            address: r.address,
            logo_url: r.logo_url,
            currency: r.currency,
            time_zone: r.time_zone,
            invoice_number_format: r.invoice_number_format,
            default_terms_days: r.default_terms_days,
            email_from: r.email_from,
        }
    }
}

/// The organisation row; `None` before first set-up.
pub async fn get(db: &Db) -> Result<Option<OrganisationSettings>, StoreError> {
    let row = on_db!(db, p => sqlx::query_as::<_, OrganisationRow>(
        "SELECT name, address, logo_url, currency, time_zone, invoice_number_format, default_terms_days, email_from
         FROM organisation WHERE id = 1").fetch_optional(p).await?);
    Ok(row.map(Into::into))
}

/// Inserts or replaces the single organisation row.
pub async fn save(db: &Db, s: &OrganisationSettings, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO organisation (id, name, address, logo_url, currency, time_zone, invoice_number_format, default_terms_days, email_from, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, logo_url = excluded.logo_url,
           currency = excluded.currency, time_zone = excluded.time_zone, invoice_number_format = excluded.invoice_number_format,
           default_terms_days = excluded.default_terms_days, email_from = excluded.email_from, updated_at = excluded.updated_at")
        .bind(&s.name).bind(&s.address).bind(&s.logo_url).bind(&s.currency).bind(&s.time_zone)
        .bind(&s.invoice_number_format).bind(s.default_terms_days).bind(&s.email_from).bind(now)
        .execute(p).await.map(|_| ())?);
    Ok(())
}

/// The settings a new organisation starts with.
pub fn default_settings() -> OrganisationSettings {
    OrganisationSettings {
        name: "My Publication".into(),
        address: String::new(),
        logo_url: String::new(),
        currency: "USD".into(),
        time_zone: "America/New_York".into(),
        invoice_number_format: "INV-{YYYY}-{SEQ:5}".into(),
        default_terms_days: 30,
        email_from: String::new(),
    }
}

/// Creates the organisation row with defaults if there is none. Only start-up paths call this
/// (`serve`, `migrate`, `tick`, `create-admin`, `seed-demo`); requests only read.
pub async fn ensure(db: &Db, now: DateTime<Utc>) -> Result<OrganisationSettings, StoreError> {
    if let Some(s) = get(db).await? {
        return Ok(s);
    }
    let s = default_settings();
    save(db, &s, now).await?;
    Ok(s)
}

/// The organisation's settings for a request: what is saved, or the defaults a fresh database
/// would get (a read never writes).
pub async fn load(db: &Db) -> Result<OrganisationSettings, StoreError> {
    Ok(get(db).await?.unwrap_or_else(default_settings))
}

/// The organisation's time zone (UTC if the saved name is not a zone, which validation prevents).
pub fn zone(s: &OrganisationSettings) -> Tz {
    s.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// Today's local date in the organisation's time zone.
pub async fn today(db: &Db, now: DateTime<Utc>) -> Result<NaiveDate, StoreError> {
    Ok(now.with_timezone(&zone(&load(db).await?)).date_naive())
}
