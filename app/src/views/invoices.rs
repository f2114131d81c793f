//! What the Invoices screens ask for and get back.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::Page;
use crate::domain::{
    ids::{AccountId, InvoiceId},
    invoice::InvoiceStatus,
};

/// The tabs of the invoice list. Unpaid and Past Due are derived from balance and due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum InvoiceTab {
    #[default]
    All,
    Draft,
    Unpaid,
    Sent,
    PastDue,
    PartiallyPaid,
    Paid,
    Void,
}

impl InvoiceTab {
    pub const ALL: [InvoiceTab; 8] = [
        InvoiceTab::All,
        InvoiceTab::Draft,
        InvoiceTab::Unpaid,
        InvoiceTab::Sent,
        InvoiceTab::PastDue,
        InvoiceTab::PartiallyPaid,
        InvoiceTab::Paid,
        InvoiceTab::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceTab::All => "all",
            InvoiceTab::Draft => "draft",
            InvoiceTab::Unpaid => "unpaid",
            InvoiceTab::Sent => "sent",
            InvoiceTab::PastDue => "past_due",
            InvoiceTab::PartiallyPaid => "partially_paid",
            InvoiceTab::Paid => "paid",
            InvoiceTab::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            InvoiceTab::All => "All",
            InvoiceTab::Draft => "Draft",
            InvoiceTab::Unpaid => "Unpaid",
            InvoiceTab::Sent => "Sent",
            InvoiceTab::PastDue => "Past Due",
            InvoiceTab::PartiallyPaid => "Partially Paid",
            InvoiceTab::Paid => "Paid",
            InvoiceTab::Void => "Void",
        }
    }

    /// Tabs about money still owed show the balance; the others the invoice totals.
    pub fn shows_balance(self) -> bool {
        matches!(self, InvoiceTab::Unpaid | InvoiceTab::PastDue | InvoiceTab::PartiallyPaid)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum InvoiceSort {
    #[default]
    Number,
    IssueDate,
    DueDate,
    Account,
    Total,
}

impl InvoiceSort {
    pub const ALL: [InvoiceSort; 5] =
        [InvoiceSort::Number, InvoiceSort::IssueDate, InvoiceSort::DueDate, InvoiceSort::Account, InvoiceSort::Total];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceSort::Number => "number",
            InvoiceSort::IssueDate => "issue_date",
            InvoiceSort::DueDate => "due_date",
            InvoiceSort::Account => "account",
            InvoiceSort::Total => "total",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            InvoiceSort::Number => "Number",
            InvoiceSort::IssueDate => "Issue date",
            InvoiceSort::DueDate => "Due date",
            InvoiceSort::Account => "Account",
            InvoiceSort::Total => "Total",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    pub tab: InvoiceTab,
    pub search: String,
    pub sort: InvoiceSort,
    /// Newest first by default.
    pub descending: bool,
    pub page: i64,
}

impl Default for InvoiceFilter {
    fn default() -> Self {
        InvoiceFilter {
            tab: InvoiceTab::All,
            search: String::new(),
            sort: InvoiceSort::Number,
            descending: true,
            page: 1,
        }
    }
}

impl InvoiceFilter {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        InvoiceFilter {
            tab: get("tab").and_then(|s| InvoiceTab::parse(&s)).unwrap_or_default(),
            search: get("q").unwrap_or_default().trim().chars().take(100).collect(),
            sort: get("sort").and_then(|s| InvoiceSort::parse(&s)).unwrap_or_default(),
            descending: get("dir").as_deref() != Some("asc"),
            page: get("page").and_then(|p| p.parse().ok()).filter(|p: &i64| *p >= 1).unwrap_or(1),
        }
    }

    pub fn to_query(&self) -> String {
        let mut parts = vec![format!("tab={}", self.tab.as_str())];
        if !self.search.is_empty() {
            parts.push(format!("q={}", crate::domain::format::query_value(&self.search)));
        }
        if self.sort != InvoiceSort::default() {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if !self.descending {
            parts.push("dir=asc".into());
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TabSummary {
    pub count: i64,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceListRow {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub account: String,
    pub status: InvoiceStatus,
    pub past_due: bool,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Decimal,
    pub balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceListView {
    pub filter: InvoiceFilter,
    pub rows: Page<InvoiceListRow>,
    /// One per tab, in `InvoiceTab::ALL` order, under the current search.
    pub tabs: Vec<(InvoiceTab, TabSummary)>,
    pub currency: String,
    pub today: NaiveDate,
    /// Billing staff may email invoices from the list.
    #[serde(default)]
    pub can_send: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    pub id: i64,
    pub product: String,
    pub description: String,
    pub run_date: Option<NaiveDate>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceEventView {
    pub kind: String,
    pub detail: String,
    pub actor: String,
    /// Local to the organisation, formatted.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account: String,
    pub account_address: String,
    pub status: InvoiceStatus,
    pub past_due: bool,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub terms_days: i32,
    pub currency: String,
    pub subtotal: Decimal,
    pub discount_total: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
    pub amount_paid: Decimal,
    pub balance: Decimal,
    pub void_reason: String,
    /// The account has no "To" contact, so the invoice cannot be e-mailed.
    pub missing_invoice_recipient: bool,
    pub lines: Vec<InvoiceLineView>,
    pub events: Vec<InvoiceEventView>,
    pub can_void: bool,
    /// A draft, and the caller may change billing data.
    pub can_edit: bool,
    /// A void invoice's line items that are held out of billing until released.
    pub held_line_items: i64,
    pub can_release: bool,
}
