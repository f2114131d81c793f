//! What the browser sees of auto-invoicing and email delivery.

use crate::{
    domain::ids::{AccountId, InvoiceId, OutboxId, TemplateId},
    views::common::LocalTime,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Automation > Accounting, everything on one screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationView {
    pub mode: String,
    pub delivery: String,
    pub batch_frequency: String,
    pub batch_weekday: u8,
    pub batch_month_day: u8,
    pub batch_time: String,
    pub template_id: Option<TemplateId>,
    pub templates: Vec<(TemplateId, String)>,
    /// "every Monday at 09:00 — next on Dec 7, 2026 09:00", when batches are on.
    pub batch_summary: Option<String>,
    pub auto_products: i64,
    pub products: i64,
    pub ready: Vec<ReadyInvoice>,
    pub ready_total: i64,
    pub cannot_send: Vec<AccountWithoutRecipient>,
    pub failures: Vec<EmailFailure>,
    pub outbox: OutboxSummary,
    pub mail: MailStatus,
    pub currency: String,
    pub can_edit: bool,
    pub can_send: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadyInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub account_id: AccountId,
    pub account: String,
    pub total: Decimal,
    pub issue_date: NaiveDate,
    pub ready_since: DateTime<Utc>,
    /// Without a To contact the email cannot go out: shown before anyone presses Send.
    pub has_recipient: bool,
}

/// A bill-to account with auto-invoice work coming (or waiting) and nobody to send it to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountWithoutRecipient {
    pub account_id: AccountId,
    pub account: String,
    pub line_items: i64,
    pub first_billable: Option<NaiveDate>,
    pub unsent_invoices: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailFailure {
    pub outbox_id: OutboxId,
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
    pub account: Option<String>,
    pub reason: String,
    pub attempts: i32,
    pub failed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxSummary {
    pub pending: i64,
    pub in_flight: i64,
    pub done: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailStatus {
    /// False when messages are only written to files.
    pub sending: bool,
    pub description: String,
}

/// One email of an invoice with every attempt, for the invoice page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDelivery {
    pub outbox_id: OutboxId,
    /// Which email this is: Invoice, Reminder, Receipt …
    pub what: String,
    pub status: String,
    pub recipients: String,
    pub message_id: Option<String>,
    pub queued_at: LocalTime,
    pub next_attempt_at: Option<LocalTime>,
    pub last_error: String,
    pub attempts: Vec<DeliveryAttempt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub started_at: LocalTime,
    pub finished_at: Option<LocalTime>,
    pub outcome: String,
    pub reply: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDeliveries {
    pub deliveries: Vec<InvoiceDelivery>,
    pub recipients_to: Vec<String>,
    pub recipients_cc: Vec<String>,
    pub can_send: bool,
    pub sendable: bool,
    pub mail: MailStatus,
}
