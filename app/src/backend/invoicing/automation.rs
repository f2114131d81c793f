//! Automation > Accounting settings (one row) and the Ready to send queue.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::{
        delivery::{AutoInvoiceMode, AutomationSettings, Delivery},
        ids::TemplateId,
    },
    on_db,
};

#[derive(sqlx::FromRow)]
struct Row {
    auto_invoice_mode: String,
    delivery: String,
    batch_frequency: String,
    batch_weekday: i32,
    batch_month_day: i32,
    batch_local_time: String,
    invoice_template_id: Option<TemplateId>,
}

/// The settings, or the defaults (generate only, manual delivery) before anyone saved them.
pub async fn get(db: &Db) -> Result<AutomationSettings, StoreError> {
    let row: Option<Row> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT auto_invoice_mode, delivery, batch_frequency, batch_weekday, batch_month_day, batch_local_time, invoice_template_id
             FROM automation_settings WHERE id = 1",
        )
        .fetch_optional(p)
        .await?
    });
    let default =
        AutomationSettings { mode: AutoInvoiceMode::GenerateOnly, delivery: Delivery::Manual, template_id: None };
    Ok(row
        .and_then(|r| {
            AutomationSettings::from_columns(
                &r.auto_invoice_mode,
                &r.delivery,
                &r.batch_frequency,
                r.batch_weekday,
                r.batch_month_day,
                &r.batch_local_time,
                r.invoice_template_id,
            )
        })
        .unwrap_or(default))
}

pub async fn save(db: &Db, s: &AutomationSettings, now: DateTime<Utc>) -> Result<(), StoreError> {
    let (mode, delivery, frequency, weekday, month_day, time) = s.columns();
    on_db!(db, p => {
        sqlx::query(
            "INSERT INTO automation_settings (id, auto_invoice_mode, delivery, batch_frequency, batch_weekday, batch_month_day,
                                              batch_local_time, invoice_template_id, updated_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET auto_invoice_mode = excluded.auto_invoice_mode, delivery = excluded.delivery,
                 batch_frequency = excluded.batch_frequency, batch_weekday = excluded.batch_weekday,
                 batch_month_day = excluded.batch_month_day, batch_local_time = excluded.batch_local_time,
                 invoice_template_id = excluded.invoice_template_id, updated_at = excluded.updated_at",
        )
        .bind(mode)
        .bind(delivery)
        .bind(frequency)
        .bind(weekday)
        .bind(month_day)
        .bind(time)
        .bind(s.template_id)
        .bind(now)
        .execute(p)
        .await?;
    });
    Ok(())
}
