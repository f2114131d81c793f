//! What the browser sees of past-due reminders.

use crate::domain::ids::{AccountId, InvoiceId, OutboxId, TemplateId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRuleDto {
    pub id: i64,
    pub days: i64,
    pub template_id: Option<TemplateId>,
    pub cc_other_contacts: bool,
    pub attach_statement: bool,
}

/// Automation > Accounting > Past Due Reminders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettingsView {
    pub enabled: bool,
    /// `per_invoice` or `per_contact_daily`.
    pub style: String,
    pub rules: Vec<ReminderRuleDto>,
    /// Reminder-kind templates, `(id, name)`.
    pub templates: Vec<(TemplateId, String)>,
    pub can_edit: bool,
}

/// A step the scheduler will send on `date` unless the invoice is paid first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpcomingReminder {
    pub invoice_id: InvoiceId,
    pub number: String,
    pub account_id: AccountId,
    pub account: String,
    pub days: i64,
    pub date: NaiveDate,
    pub balance: Decimal,
    pub currency: String,
}

/// One step decided for an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRecord {
    pub id: i64,
    pub invoice_id: InvoiceId,
    pub number: String,
    pub account: String,
    pub days: i64,
    /// queued, sent, cancelled or failed.
    pub status: String,
    pub manual: bool,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was sent, or decided if not sent: on the organisation's clock.
    pub when: crate::views::common::LocalTime,
    pub outbox_id: Option<OutboxId>,
    /// Why it failed or was cancelled.
    pub reason: String,
}

/// The Reminders view: what is coming, what went, what failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemindersView {
    pub enabled: bool,
    pub style: String,
    pub today: NaiveDate,
    pub upcoming: Vec<UpcomingReminder>,
    pub sent: Vec<ReminderRecord>,
    pub failed: Vec<ReminderRecord>,
    pub can_send: bool,
}

/// The invoice page's Reminders section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceReminders {
    pub enabled: bool,
    pub paused: bool,
    pub account_paused: bool,
    /// Still owed (open, sent or partially paid with a balance).
    pub owed: bool,
    pub history: Vec<ReminderRecord>,
    /// The next step and its local date, when reminders would send one.
    pub next: Option<(i64, NaiveDate)>,
    /// What "Send reminder" would send now.
    pub manual_step: Option<i64>,
    pub can_send: bool,
}
