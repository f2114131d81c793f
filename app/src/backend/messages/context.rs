//! The values a template is rendered with, loaded from the database as they are at send time.
//! Groups that do not apply to an email are left out entirely, so a receipt template that asks
//! for `invoice.number` fails loudly instead of printing a blank.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::backend::{Db, StoreError, platform::fixed, portal::links as portal_links, portal::links::PortalScope};
use crate::{
    domain::{
        merge_fields::{FieldGroup, MERGE_FIELDS, TemplateKind},
        money::format_money,
    },
    on_db,
};

#[derive(Debug, Clone, Default, Serialize)]
pub struct EmailContext {
    pub organisation: OrgCtx,
    pub account: AccountCtx,
    pub contact: ContactCtx,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceCtx>,
    pub statement: StatementCtx,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder: Option<ReminderCtx>,
    pub links: LinksCtx,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OrgCtx {
    pub name: String,
    pub email: String,
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountCtx {
    pub name: String,
    pub total_due: String,
    pub credit: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactCtx {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InvoiceCtx {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub amount_paid: String,
    pub balance: String,
    pub days_past_due: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatementCtx {
    pub count: usize,
    pub total_due: String,
    pub past_due_total: String,
    pub invoices: Vec<InvoiceCtx>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentCtx {
    pub amount: String,
    pub date: String,
    pub method: String,
    pub reference: String,
    pub invoices: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReminderCtx {
    pub days_past_due: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LinksCtx {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_payment: Option<String>,
    pub unpaid_invoices: String,
}

pub fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

/// Days an invoice is past due on `today` (0 until the day after its due date).
pub fn days_past_due(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    name: String,
    email_from: String,
    address: String,
    time_zone: String,
}

/// The organisation's name, email, address and today's local date.
pub async fn organisation(db: &Db, now: DateTime<Utc>) -> Result<(OrgCtx, NaiveDate), StoreError> {
    let row: Option<OrgRow> = on_db!(db, p => {
        sqlx::query_as("SELECT name, email_from, address, time_zone FROM organisation WHERE id = 1").fetch_optional(p).await?
    });
    let row = row.ok_or_else(|| StoreError::Invalid("the organisation is not set up".into()))?;
    let tz: Tz = row.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    Ok((OrgCtx { name: row.name, email: row.email_from, address: row.address }, today))
}

#[derive(sqlx::FromRow)]
pub struct OpenInvoiceRow {
    pub id: i64,
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
pub async fn unpaid_invoices(db: &Db, account_id: i64) -> Result<Vec<OpenInvoiceRow>, StoreError> {
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

pub async fn invoice_row(db: &Db, invoice_id: i64) -> Result<Option<OpenInvoiceRow>, StoreError> {
    let row = on_db!(db, p => {
        sqlx::query_as("SELECT id, number, issue_date, due_date, currency, total, amount_paid FROM invoices WHERE id = $1")
            .bind(invoice_id)
            .fetch_optional(p)
            .await?
    });
    Ok(row)
}

/// Unallocated payments of an account: what it may apply to future invoices.
pub async fn account_credit(db: &Db, account_id: i64) -> Result<Decimal, StoreError> {
    let raw: i64 = on_db!(db, p => {
        sqlx::query_scalar(
            // SUM of BIGINT is NUMERIC on PostgreSQL: cast back so both engines decode an i64.
            "SELECT CAST(COALESCE((SELECT SUM(amount) FROM payments WHERE account_id = $1 AND voided_at IS NULL), 0)
                  - COALESCE((SELECT SUM(pa.amount) FROM payment_allocations pa JOIN payments pm ON pm.id = pa.payment_id
                              WHERE pm.account_id = $1 AND pm.voided_at IS NULL), 0) AS BIGINT)",
        )
        .bind(account_id)
        .fetch_one(p)
        .await?
    });
    Ok(fixed::from_db(raw))
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    name: String,
}

/// How the Special Links of an email are made.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    /// Prefix of every link: the address clients reach this deployment at.
    pub public_url: &'a str,
    /// Recorded on each issued link ("invoice email", "reminder", a staff member's email).
    pub issued_by: &'a str,
    /// Previews show where a link would go without issuing a working one.
    pub preview: bool,
}

impl Links<'_> {
    async fn make(&self, db: &Db, scope: PortalScope, now: DateTime<Utc>) -> Result<String, StoreError> {
        if self.preview {
            return Ok(portal_links::url(self.public_url, scope, "preview-link-not-issued"));
        }
        let token = portal_links::issue(db, scope, now, self.issued_by).await?;
        Ok(portal_links::url(self.public_url, scope, &token))
    }
}

/// Everything but the invoice, payment and reminder groups, for an account and one contact,
/// with an Unpaid Invoices link.
pub async fn account_context(
    db: &Db,
    account_id: i64,
    contact: ContactCtx,
    now: DateTime<Utc>,
    links: Links<'_>,
) -> Result<(EmailContext, NaiveDate), StoreError> {
    let (organisation, today) = organisation(db, now).await?;
    let account: Option<AccountRow> = on_db!(db, p => {
        sqlx::query_as("SELECT name FROM accounts WHERE id = $1").bind(account_id).fetch_optional(p).await?
    });
    let account = account.ok_or_else(|| StoreError::Invalid(format!("account {account_id} no longer exists")))?;
    let unpaid = unpaid_invoices(db, account_id).await?;
    let currency = unpaid.first().map(|i| i.currency.clone()).unwrap_or_else(|| "USD".into());
    let total_due: Decimal = unpaid.iter().map(OpenInvoiceRow::balance).sum();
    let past_due: Decimal = unpaid.iter().filter(|i| i.due_date < today).map(OpenInvoiceRow::balance).sum();
    let credit = account_credit(db, account_id).await?;
    let unpaid_invoices = links.make(db, PortalScope::Account { account_id }, now).await?;
    let ctx = EmailContext {
        organisation,
        account: AccountCtx {
            name: account.name,
            total_due: format_money(total_due, &currency),
            credit: format_money(credit, &currency),
        },
        contact,
        invoice: None,
        statement: StatementCtx {
            count: unpaid.len(),
            total_due: format_money(total_due, &currency),
            past_due_total: format_money(past_due, &currency),
            invoices: unpaid.iter().map(|i| i.ctx(today)).collect(),
        },
        payment: None,
        reminder: None,
        links: LinksCtx { invoice_payment: None, unpaid_invoices },
    };
    Ok((ctx, today))
}

/// Adds an invoice (and an Invoice Payment link) to an account context.
pub async fn with_invoice(
    db: &Db,
    mut ctx: EmailContext,
    invoice: &OpenInvoiceRow,
    account_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
    links: Links<'_>,
) -> Result<EmailContext, StoreError> {
    let scope = PortalScope::Invoice { account_id, invoice_id: invoice.id };
    ctx.invoice = Some(invoice.ctx(today));
    ctx.links.invoice_payment = Some(links.make(db, scope, now).await?);
    Ok(ctx)
}

/// A context made of the sample values, for previews before any invoice exists and for
/// checking a template on save.
pub fn sample(kind: TemplateKind) -> EmailContext {
    let s = |path: &str| MERGE_FIELDS.iter().find(|f| f.path == path).map(|f| f.sample.to_string()).unwrap_or_default();
    let invoice = InvoiceCtx {
        number: s("invoice.number"),
        issue_date: s("invoice.issue_date"),
        due_date: s("invoice.due_date"),
        total: s("invoice.total"),
        amount_paid: s("invoice.amount_paid"),
        balance: s("invoice.balance"),
        days_past_due: if kind == TemplateKind::Reminder { 30 } else { 0 },
        currency: s("invoice.currency"),
    };
    let has = |g: FieldGroup| crate::domain::merge_fields::fields_for(kind).any(|f| f.group == g);
    EmailContext {
        organisation: OrgCtx {
            name: s("organisation.name"),
            email: s("organisation.email"),
            address: s("organisation.address"),
        },
        account: AccountCtx { name: s("account.name"), total_due: s("account.total_due"), credit: s("account.credit") },
        contact: ContactCtx { name: s("contact.name"), email: s("contact.email") },
        invoice: has(FieldGroup::Invoice).then(|| invoice.clone()),
        statement: StatementCtx {
            count: 1,
            total_due: s("statement.total_due"),
            past_due_total: s("statement.past_due_total"),
            invoices: vec![invoice],
        },
        payment: has(FieldGroup::Payment).then(|| PaymentCtx {
            amount: s("payment.amount"),
            date: s("payment.date"),
            method: s("payment.method"),
            reference: s("payment.reference"),
            invoices: s("payment.invoices"),
        }),
        reminder: has(FieldGroup::Reminder).then_some(ReminderCtx { days_past_due: 30 }),
        links: LinksCtx {
            invoice_payment: kind.has_invoice().then(|| "https://billing.example/portal/invoice/sample".to_string()),
            unpaid_invoices: "https://billing.example/portal/account/sample".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::templates::render::render_email;

    #[test]
    fn samples_follow_the_kind() {
        let receipt = serde_json::to_value(sample(TemplateKind::Receipt)).unwrap();
        assert!(receipt.get("invoice").is_none());
        assert!(receipt.get("payment").is_some());
        assert!(receipt["links"].get("invoice_payment").is_none());
        let reminder = serde_json::to_value(sample(TemplateKind::Reminder)).unwrap();
        assert_eq!(reminder["reminder"]["days_past_due"], 30);
        assert!(render_email("{{ invoice.number }}", "x", &sample(TemplateKind::Receipt)).is_err());
        assert!(render_email("{{ invoice.number }}", "x", &sample(TemplateKind::Invoice)).is_ok());
    }

    #[test]
    fn days_past_due_counts_from_the_day_after_due() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 27).unwrap();
        assert_eq!(days_past_due(due, due), 0);
        assert_eq!(days_past_due(due, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 2);
        assert_eq!(days_past_due(due, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), 0);
    }
}
