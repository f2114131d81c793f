use chrono::{DateTime, Utc};

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
