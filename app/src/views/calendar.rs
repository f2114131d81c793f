//! Accounting > Billing Calendar as the browser sees it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::ids::LineItemId;

/// One day of the month: what becomes billable on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub line_items: i64,
    pub amount: Decimal,
    /// Of those, invoiced by the scheduler (auto-invoice on).
    pub auto_line_items: i64,
    pub auto_amount: Decimal,
    /// Whose bill-to account has nobody to email the invoice to.
    pub cannot_email: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarItem {
    pub id: LineItemId,
    /// None when it will not bill as things stand (`reason` says why).
    pub billable_date: Option<NaiveDate>,
    pub run_date: NaiveDate,
    pub order_number: String,
    pub account: String,
    pub bill_to: Option<String>,
    pub product: String,
    pub amount: Decimal,
    pub auto_invoice: bool,
    pub can_email: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingCalendar {
    /// The first day of the month shown.
    pub month: NaiveDate,
    pub today: NaiveDate,
    pub currency: String,
    /// Every day of the month, in order.
    pub days: Vec<CalendarDay>,
    /// The day whose line items are listed, if one was chosen.
    pub day: Option<NaiveDate>,
    /// That day's line items (at most `LIST_LIMIT`); none when no day was chosen.
    pub items: Vec<CalendarItem>,
    /// Line items of the chosen day, or of the whole month when none was chosen.
    pub items_total: usize,
    /// Running this month and not billing as things stand, with the reason.
    pub not_billing: Vec<CalendarItem>,
    pub not_billing_total: usize,
}

pub const LIST_LIMIT: usize = 300;
