//! Accounts, contacts and products as the editors (and the REST API) see them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    billing_rule::BillingRule,
    ids::{AccountId, ContactId, ProductId},
};

/// Another account, by id and name (for links and pickers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub id: AccountId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: ContactId,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// `to`, `cc` or `none`.
    pub invoice_role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub bill_to: Option<AccountRef>,
    /// `None`: the organisation's default terms.
    pub payment_terms_days: Option<i32>,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
    pub external_ref: Option<String>,
    pub archived: bool,
    pub contacts: Vec<ContactView>,
    /// Accounts whose invoices this one pays.
    pub pays_for: Vec<AccountRef>,
    /// The account whose "To" contacts receive this account's invoices (itself or its bill-to).
    pub invoice_recipient_account: AccountRef,
    /// How many "To" contacts that account has.
    pub invoice_recipients: i64,
    /// True when this account's invoices could not be e-mailed: nobody to send them to.
    pub missing_invoice_recipient: bool,
    pub orders: i64,
    /// Invoices addressed to this account (as the payer).
    pub invoices: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: ProductId,
    pub name: String,
    pub code: String,
    pub category: String,
    pub unit_price: Decimal,
    /// Percent: 8.25 means 8.25 %.
    pub tax_rate: Decimal,
    pub active: bool,
    pub rule: BillingRule,
    pub auto_invoice: bool,
    pub ignore_before: Option<NaiveDate>,
    pub line_items: i64,
}
