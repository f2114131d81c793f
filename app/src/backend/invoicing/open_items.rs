//! An account's open items: numbered invoices that still have a balance, as emails, the portal
//! and checkout read them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{
    backend::{Db, StoreError, platform::fixed, templates::context::InvoiceCtx},
    domain::{
        calendar::{days_past_due, long_date},
        ids::{AccountId, InvoiceId},
        money::format_money,
    },
    on_db,
};

#[derive(sqlx::FromRow)]
pub struct OpenInvoiceRow {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: String,
    pub total: i64,
    pub amount_paid: i64,
}

impl OpenInvoiceRow {
    pub fn balance(&self) -> Decimal {
        fixed::from_db(self.total) - fixed::from_db(self.amount_paid)
    }

    pub fn ctx(&self, today: NaiveDate) -> InvoiceCtx {
        InvoiceCtx {
            number: self.number.clone().unwrap_or_else(|| "Draft".into()),
            issue_date: long_date(self.issue_date),
            due_date: long_date(self.due_date),
            total: format_money(fixed::from_db(self.total), &self.currency),
            amount_paid: format_money(fixed::from_db(self.amount_paid), &self.currency),
            balance: format_money(self.balance(), &self.currency),
            days_past_due: days_past_due(self.due_date, today),
            currency: self.currency.clone(),
        }
    }
}

/// Numbered invoices of an account that still have a balance, oldest due first.
pub async fn unpaid_invoices(db: &Db, account_id: AccountId) -> Result<Vec<OpenInvoiceRow>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, number, issue_date, due_date, currency, total, amount_paid FROM invoices
             WHERE account_id = $1 AND number IS NOT NULL AND status IN ('open', 'sent', 'partially_paid')
               AND total > amount_paid
             ORDER BY due_date, id",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

pub async fn invoice_row(db: &Db, invoice_id: InvoiceId) -> Result<Option<OpenInvoiceRow>, StoreError> {
    let row = on_db!(db, p => {
        sqlx::query_as("SELECT id, number, issue_date, due_date, currency, total, amount_paid FROM invoices WHERE id = $1")
            .bind(invoice_id)
            .fetch_optional(p)
            .await?
    });
    Ok(row)
}
