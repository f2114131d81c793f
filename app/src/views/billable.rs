//! What the Billable Line Items screen asks for and gets back.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::Page;
use crate::domain::{
    billing_rule::BillableStatus,
    ids::{AccountId, InvoiceId, LineItemId, ProductId},
};

/// Which line items a status tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StatusFilter {
    #[default]
    Now,
    Upcoming,
    NotBillable,
    All,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 4] =
        [StatusFilter::Now, StatusFilter::Upcoming, StatusFilter::NotBillable, StatusFilter::All];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Now => "now",
            StatusFilter::Upcoming => "upcoming",
            StatusFilter::NotBillable => "not_billable",
            StatusFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Now => "Billable now",
            StatusFilter::Upcoming => "Upcoming",
            StatusFilter::NotBillable => "Not billable",
            StatusFilter::All => "All",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortKey {
    #[default]
    BillableDate,
    RunDate,
    Account,
    Amount,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::BillableDate, SortKey::RunDate, SortKey::Account, SortKey::Amount];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::BillableDate => "billable_date",
            SortKey::RunDate => "run_date",
            SortKey::Account => "account",
            SortKey::Amount => "amount",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::BillableDate => "Billable date",
            SortKey::RunDate => "Run date",
            SortKey::Account => "Account",
            SortKey::Amount => "Amount",
        }
    }
}

/// A parsed, valid filter. Built from the URL's strings by `BillableFilter::from_query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillableFilter {
    pub status: StatusFilter,
    pub account_id: Option<AccountId>,
    pub product_id: Option<ProductId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub sort: SortKey,
    pub descending: bool,
    pub page: i64,
}

impl Default for BillableFilter {
    fn default() -> Self {
        BillableFilter {
            status: StatusFilter::default(),
            account_id: None,
            product_id: None,
            from: None,
            to: None,
            sort: SortKey::default(),
            descending: false,
            page: 1,
        }
    }
}

impl BillableFilter {
    /// Lenient on purpose: a hand-edited URL falls back to defaults rather than failing.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let id = |k: &str| get(k).and_then(|v| v.parse::<i64>().ok()).filter(|v| *v > 0);
        let date = |k: &str| get(k).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
        BillableFilter {
            status: get("status").and_then(|s| StatusFilter::parse(&s)).unwrap_or_default(),
            account_id: id("account").map(AccountId),
            product_id: id("product").map(ProductId),
            from: date("from"),
            to: date("to"),
            sort: get("sort").and_then(|s| SortKey::parse(&s)).unwrap_or_default(),
            descending: get("dir").as_deref() == Some("desc"),
            page: get("page").and_then(|p| p.parse().ok()).filter(|p: &i64| *p >= 1).unwrap_or(1),
        }
    }

    /// The query string for this filter (without the leading `?`).
    pub fn to_query(&self) -> String {
        let mut parts = vec![format!("status={}", self.status.as_str())];
        if let Some(a) = self.account_id {
            parts.push(format!("account={a}"));
        }
        if let Some(p) = self.product_id {
            parts.push(format!("product={p}"));
        }
        if let Some(d) = self.from {
            parts.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            parts.push(format!("to={d}"));
        }
        if self.sort != SortKey::default() {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".into());
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillableRow {
    pub id: LineItemId,
    pub order_number: String,
    pub account: String,
    /// The account the invoice goes to, when it is not the advertiser itself.
    pub bill_to: Option<String>,
    pub product: String,
    pub description: String,
    pub run_date: NaiveDate,
    pub amount: Decimal,
    pub status: BillableStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StatusCounts {
    pub now: i64,
    pub upcoming: i64,
    pub not_billable: i64,
    pub now_amount: Decimal,
}

impl StatusCounts {
    pub fn get(&self, f: StatusFilter) -> i64 {
        match f {
            StatusFilter::Now => self.now,
            StatusFilter::Upcoming => self.upcoming,
            StatusFilter::NotBillable => self.not_billable,
            StatusFilter::All => self.now + self.upcoming + self.not_billable,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice<Id> {
    pub id: Id,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillableView {
    pub filter: BillableFilter,
    pub rows: Page<BillableRow>,
    /// Counts under the current account/product/date filters, per status tab.
    pub counts: StatusCounts,
    pub currency: String,
    pub today: NaiveDate,
    pub accounts: Vec<Choice<AccountId>>,
    pub products: Vec<Choice<ProductId>>,
    pub can_invoice: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedInvoiceSummary {
    pub id: InvoiceId,
    /// `None` for a draft, which is numbered when finalised.
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account: String,
    /// The account has no "To" contact, so this invoice cannot be e-mailed yet.
    pub missing_invoice_recipient: bool,
    pub line_count: usize,
    pub total: Decimal,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSelectedResult {
    pub created: Vec<CreatedInvoiceSummary>,
    pub already_invoiced: usize,
    pub not_billable: usize,
    pub currency: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let f = BillableFilter {
            status: StatusFilter::Upcoming,
            account_id: Some(AccountId(4)),
            product_id: None,
            from: NaiveDate::from_ymd_opt(2026, 12, 1),
            to: None,
            sort: SortKey::Amount,
            descending: true,
            page: 3,
        };
        let q = f.to_query();
        let pairs: Vec<(String, String)> =
            q.split('&').map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())).unwrap()).collect();
        let back = BillableFilter::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
        assert_eq!(back, f);
        let junk = BillableFilter::from_query(|k| (k != "x").then(|| "junk".to_string()));
        assert_eq!(junk, BillableFilter::default());
    }
}
