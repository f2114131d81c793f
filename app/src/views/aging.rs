//! Accounting > Aging as the browser sees it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    aging::{AgingBucket, Buckets},
    ids::{AccountId, InvoiceId},
};

/// Which accounts the aging lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountKindFilter {
    #[default]
    All,
    Advertisers,
    Agencies,
}

impl AccountKindFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "advertiser" => AccountKindFilter::Advertisers,
            "agency" => AccountKindFilter::Agencies,
            _ => AccountKindFilter::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKindFilter::All => "",
            AccountKindFilter::Advertisers => "advertiser",
            AccountKindFilter::Agencies => "agency",
        }
    }

    pub fn admits(self, kind: &str) -> bool {
        match self {
            AccountKindFilter::All => true,
            AccountKindFilter::Advertisers => kind == "advertiser",
            AccountKindFilter::Agencies => kind == "agency",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgingSort {
    /// Largest open balance first.
    #[default]
    Total,
    /// Most over 90 days first, then 61–90 and so on: who to call first.
    Oldest,
    Name,
}

impl AgingSort {
    pub fn parse(s: &str) -> Self {
        match s {
            "oldest" => AgingSort::Oldest,
            "name" => AgingSort::Name,
            _ => AgingSort::Total,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgingSort::Total => "total",
            AgingSort::Oldest => "oldest",
            AgingSort::Name => "name",
        }
    }
}

/// The view's settings, as they appear in its URL (and the CSV link).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingQuery {
    /// `YYYY-MM-DD` as typed or linked; today in the organisation's zone when empty. Checked
    /// by the server, which answers a field error for anything else.
    pub as_of: String,
    pub search: String,
    pub kind: AccountKindFilter,
    pub sort: AgingSort,
    /// The account whose invoices are open below the table (the drill-down).
    pub account: Option<AccountId>,
}

impl AgingQuery {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        AgingQuery {
            as_of: get("as_of").unwrap_or_default().trim().chars().take(40).collect(),
            search: get("q").unwrap_or_default().trim().chars().take(100).collect(),
            kind: get("kind").map(|k| AccountKindFilter::parse(&k)).unwrap_or_default(),
            sort: get("sort").map(|s| AgingSort::parse(&s)).unwrap_or_default(),
            account: get("account").and_then(|a| a.parse().ok()),
        }
    }

    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.as_of.is_empty() {
            parts.push(format!("as_of={}", crate::domain::format::query_value(&self.as_of)));
        }
        if !self.search.is_empty() {
            parts.push(format!("q={}", crate::domain::format::query_value(&self.search)));
        }
        if self.kind != AccountKindFilter::All {
            parts.push(format!("kind={}", self.kind.as_str()));
        }
        if self.sort != AgingSort::Total {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if let Some(a) = self.account {
            parts.push(format!("account={a}"));
        }
        parts.join("&")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingRow {
    pub account_id: AccountId,
    pub account: String,
    /// `advertiser` or `agency`.
    pub kind: String,
    pub buckets: Buckets,
    pub open_invoices: i64,
    pub unapplied_credit: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingReport {
    /// What was asked, as understood.
    pub query: AgingQuery,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub currency: String,
    /// The first rows in the chosen order; `accounts` says how many the filter admits.
    pub rows: Vec<AgingRow>,
    pub accounts: usize,
    pub open_invoices: i64,
    /// Totals of every account the filter admits.
    pub totals: Buckets,
    pub unapplied_credit: Decimal,
}

/// One open invoice of an account, for the drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub days_past_due: i64,
    pub bucket: AgingBucket,
    pub total: Decimal,
    pub balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingAccount {
    pub account_id: AccountId,
    pub account: String,
    pub as_of: NaiveDate,
    pub currency: String,
    pub invoices: Vec<AgingInvoice>,
    pub unapplied_credit: Decimal,
}
