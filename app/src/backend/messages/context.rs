//! The values a template is rendered with, loaded from the database as they are at send time
//! (their shape is `templates::context`). Special Links are issued here, one per email.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::{
    backend::{
        Db, StoreError,
        invoicing::open_items::{OpenInvoiceRow, unpaid_invoices},
        payments::record::account_credit,
        portal::links::{self as portal_links, PortalScope},
        templates::context::{AccountCtx, ContactCtx, EmailContext, LinksCtx, OrgCtx, StatementCtx},
    },
    domain::{ids::AccountId, money::format_money},
    on_db,
};

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
    account_id: AccountId,
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
    account_id: AccountId,
    today: NaiveDate,
    now: DateTime<Utc>,
    links: Links<'_>,
) -> Result<EmailContext, StoreError> {
    let scope = PortalScope::Invoice { account_id, invoice_id: invoice.id };
    ctx.invoice = Some(invoice.ctx(today));
    ctx.links.invoice_payment = Some(links.make(db, scope, now).await?);
    Ok(ctx)
}
