//! Past-due reminder settings, the ladder rules, and the steps decided for each invoice.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::{
        ids::{AccountId, InvoiceId, OutboxId, TemplateId},
        reminder_ladder::{ReminderRuleInput, ReminderStyle},
    },
    on_db,
    views::reminders::{ReminderRecord, ReminderRuleDto},
};

/// An invoice reminders may be about: numbered, not paid or void, with a balance.
pub const OWED: &str =
    "i.number IS NOT NULL AND i.status IN ('open', 'sent', 'partially_paid') AND i.total > i.amount_paid";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub days_past_due: i64,
    pub template_id: Option<TemplateId>,
    pub cc_other_contacts: bool,
    pub attach_statement: bool,
}

impl RuleRow {
    pub fn dto(&self) -> ReminderRuleDto {
        ReminderRuleDto {
            id: self.id,
            days: self.days_past_due,
            template_id: self.template_id,
            cc_other_contacts: self.cc_other_contacts,
            attach_statement: self.attach_statement,
        }
    }
}

/// Whether reminders are on and how they are sent; off before anyone saved the settings.
pub async fn settings(db: &Db) -> Result<(bool, ReminderStyle), StoreError> {
    let row: Option<(bool, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT reminders_enabled, reminder_style FROM automation_settings WHERE id = 1").fetch_optional(p).await?
    });
    Ok(row
        .map(|(on, style)| (on, ReminderStyle::parse(&style).unwrap_or(ReminderStyle::PerInvoice)))
        .unwrap_or((false, ReminderStyle::PerInvoice)))
}

/// Saves the switch and the style. `updated_at` is left alone when the row exists: it dates the
/// invoice batch schedule, which this does not change.
pub async fn save_settings(db: &Db, enabled: bool, style: ReminderStyle, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => {
        sqlx::query(
            "INSERT INTO automation_settings (id, reminders_enabled, reminder_style, updated_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET reminders_enabled = excluded.reminders_enabled, reminder_style = excluded.reminder_style",
        )
        .bind(enabled)
        .bind(style.as_str())
        .bind(now)
        .execute(p)
        .await?;
    });
    Ok(())
}

pub async fn rules(db: &Db) -> Result<Vec<RuleRow>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, CAST(days_past_due AS BIGINT) AS days_past_due, template_id, cc_other_contacts, attach_statement
             FROM reminder_rules ORDER BY days_past_due",
        )
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

/// Inserts (`id` None) or updates a rule. A duplicate day count is `Conflict`.
pub async fn save_rule(
    db: &Db,
    id: Option<i64>,
    input: &ReminderRuleInput,
    cc: bool,
    attach: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let days = i32::try_from(input.days).map_err(|_| StoreError::Invalid("days out of range".into()))?;
    let id = on_db!(db, p => {
        match id {
            None => sqlx::query_scalar(
                "INSERT INTO reminder_rules (days_past_due, template_id, cc_other_contacts, attach_statement, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(days)
            .bind(input.template_id)
            .bind(cc)
            .bind(attach)
            .bind(now)
            .fetch_one(p)
            .await?,
            Some(id) => sqlx::query_scalar(
                "UPDATE reminder_rules SET days_past_due = $1, template_id = $2, cc_other_contacts = $3, attach_statement = $4
                 WHERE id = $5 RETURNING id",
            )
            .bind(days)
            .bind(input.template_id)
            .bind(cc)
            .bind(attach)
            .bind(id)
            .fetch_optional(p)
            .await?
            .ok_or(StoreError::NotFound)?,
        }
    });
    Ok(id)
}

pub async fn delete_rule(db: &Db, id: i64) -> Result<bool, StoreError> {
    let n = on_db!(db, p => {
        sqlx::query("DELETE FROM reminder_rules WHERE id = $1").bind(id).execute(p).await?.rows_affected()
    });
    Ok(n == 1)
}

/// Reminder-kind templates for the rule editor.
pub async fn templates(db: &Db) -> Result<Vec<(TemplateId, String)>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as("SELECT id, name FROM email_templates WHERE kind = 'reminder' ORDER BY name").fetch_all(p).await?
    });
    Ok(rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account: String,
    pub due_date: NaiveDate,
    pub total: i64,
    pub amount_paid: i64,
    pub currency: String,
}

/// Owed, unpaused invoices due before `due_before`, by account then id.
pub async fn candidates(db: &Db, due_before: NaiveDate) -> Result<Vec<Candidate>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as(&format!(
            "SELECT i.id, i.number, i.account_id, a.name AS account, i.due_date, i.total, i.amount_paid, i.currency
             FROM invoices i JOIN accounts a ON a.id = i.account_id
             WHERE {OWED} AND i.due_date < $1 AND NOT i.reminders_paused AND NOT a.reminders_paused
             ORDER BY i.account_id, i.id"
        ))
        .bind(due_before)
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

/// The steps decided so far for every owed invoice (or one invoice).
pub async fn decided(db: &Db, invoice_id: Option<InvoiceId>) -> Result<HashMap<InvoiceId, Vec<i64>>, StoreError> {
    let rows: Vec<(InvoiceId, i64)> = on_db!(db, p => {
        sqlx::query_as(&format!(
            "SELECT r.invoice_id, r.days_past_due FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id
             WHERE {OWED} AND ($1 IS NULL OR r.invoice_id = $1)"
        ))
        .bind(invoice_id)
        .fetch_all(p)
        .await?
    });
    let mut map: HashMap<InvoiceId, Vec<i64>> = HashMap::new();
    for (invoice, days) in rows {
        map.entry(invoice).or_default().push(days);
    }
    Ok(map)
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    invoice_id: InvoiceId,
    number: Option<String>,
    account: String,
    days_past_due: i64,
    status: String,
    manual: bool,
    actor: String,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    outbox_id: Option<OutboxId>,
    detail: String,
    last_error: Option<String>,
}

/// Decided steps, newest first: of one invoice, or with one status across invoices.
pub async fn records(
    db: &Db,
    invoice_id: Option<InvoiceId>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<ReminderRecord>, StoreError> {
    let rows: Vec<RecordRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT r.id, r.invoice_id, i.number, a.name AS account, r.days_past_due, r.status, r.manual, r.actor,
                    r.created_at, r.sent_at, r.outbox_id, r.detail, o.last_error
             FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id JOIN accounts a ON a.id = i.account_id
             LEFT JOIN outbox o ON o.id = r.outbox_id
             WHERE ($1 IS NULL OR r.invoice_id = $1) AND ($2 IS NULL OR r.status = $2)
             ORDER BY COALESCE(r.sent_at, r.created_at) DESC, r.id DESC LIMIT $3",
        )
        .bind(invoice_id)
        .bind(status)
        .bind(limit)
        .fetch_all(p)
        .await?
    });
    let zone = crate::backend::platform::organisation::zone(&crate::backend::platform::organisation::load(db).await?);
    Ok(rows
        .into_iter()
        .map(|r| ReminderRecord {
            when: crate::views::common::LocalTime::new(r.sent_at.unwrap_or(r.created_at), zone),
            id: r.id,
            invoice_id: r.invoice_id,
            number: r.number.unwrap_or_default(),
            account: r.account,
            days: r.days_past_due,
            reason: if r.detail.is_empty() { r.last_error.unwrap_or_default() } else { r.detail },
            status: r.status,
            manual: r.manual,
            actor: r.actor,
            created_at: r.created_at,
            sent_at: r.sent_at,
            outbox_id: r.outbox_id,
        })
        .collect())
}

pub async fn set_invoice_paused(db: &Db, invoice_id: InvoiceId, paused: bool) -> Result<bool, StoreError> {
    let n = on_db!(db, p => {
        sqlx::query("UPDATE invoices SET reminders_paused = $1 WHERE id = $2").bind(paused).bind(invoice_id).execute(p).await?.rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_account_paused(db: &Db, account_id: AccountId, paused: bool) -> Result<bool, StoreError> {
    let n = on_db!(db, p => {
        sqlx::query("UPDATE accounts SET reminders_paused = $1 WHERE id = $2").bind(paused).bind(account_id).execute(p).await?.rows_affected()
    });
    Ok(n == 1)
}
