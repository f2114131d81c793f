//! What server functions send to the browser. Plain data, shared by both builds.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    billing_rule::BillingRule,
    ids::{AccountId, OrderId, ProductId, UserId},
    role::Role,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn can(&self, needed: Role) -> bool {
        self.role.allows(needed)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffUserSummary {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Local to the organisation, already formatted.
    pub last_sign_in: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekBucket {
    pub week_start: NaiveDate,
    pub line_items: i64,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub organisation: String,
    pub currency: String,
    pub today: NaiveDate,
    pub accounts: i64,
    pub products: i64,
    pub orders: i64,
    pub line_items: i64,
    pub accounts_without_recipient: i64,
    pub booked_next_90_days: Decimal,
    /// Booked amount by week of run date, from this week on.
    pub weeks: Vec<WeekBucket>,
    pub collections: CollectionsSummary,
}

/// What is owed today and how collection went, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionsSummary {
    pub outstanding: Decimal,
    pub past_due: Decimal,
    pub unapplied_credit: Decimal,
    /// Days sales outstanding over the last 90 days; none when nothing was invoiced.
    pub dso_days: Option<Decimal>,
    pub buckets: crate::domain::aging::Buckets,
    /// Oldest month first, ending with this month.
    pub months: Vec<MonthFigures>,
    /// The accounts with the most past due, at most ten.
    pub top_overdue: Vec<OverdueAccount>,
    pub reminders_last_7_days: i64,
    pub email_failures: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    /// The month's first day.
    pub month: NaiveDate,
    pub invoiced: Decimal,
    pub collected: Decimal,
    /// Past due on the month's last day (today for this month).
    pub past_due_at_end: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueAccount {
    pub account_id: AccountId,
    pub account: String,
    pub past_due: Decimal,
    pub buckets: crate::domain::aging::Buckets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub bill_to: Option<String>,
    pub terms_days: Option<i32>,
    pub contacts: i64,
    pub invoice_recipients: i64,
    pub orders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: ProductId,
    pub name: String,
    pub code: String,
    pub category: String,
    pub rule: BillingRule,
    pub auto_invoice: bool,
    pub ignore_before: Option<NaiveDate>,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub line_items: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: OrderId,
    pub order_number: String,
    pub account: String,
    pub status: String,
    pub ordered_on: NaiveDate,
    pub line_items: i64,
    pub amount: Decimal,
    pub first_run: Option<NaiveDate>,
    pub last_run: Option<NaiveDate>,
}

/// A listing of money amounts together with the currency they are in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priced<T> {
    pub currency: String,
    pub items: T,
}

/// An instant as staff read it: on the organisation's clock, written out by the server (the
/// browser carries no time-zone database), with the instant kept for ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    pub utc: DateTime<Utc>,
    /// `Dec 1, 2026 12:00 EST`.
    pub shown: String,
}

impl LocalTime {
    #[cfg(feature = "ssr")]
    pub fn new(utc: DateTime<Utc>, zone: chrono_tz::Tz) -> Self {
        LocalTime { utc, shown: utc.with_timezone(&zone).format("%b %-d, %Y %H:%M %Z").to_string() }
    }
}
