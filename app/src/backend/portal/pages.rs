//! The client portal's pages, rendered by askama from view models loaded here. The server's
//! portal routes resolve the link first and call these only with a valid scope.

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        invoicing::{
            document::{self as invoice_document, InvoiceDocument},
            events,
        },
        payments::checkout,
        platform::{db::Conn, fixed},
        portal::links as portal_links,
    },
    domain::{
        calendar::long_date,
        ids::{AccountId, InvoiceId},
        invoice_event::InvoiceEventKind,
        money::format_money,
        payment::PaymentMethod,
    },
    on_db,
};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

pub struct Brand {
    pub name: String,
    pub email: String,
    pub logo_url: Option<String>,
}

async fn brand(db: &Db) -> Result<Brand, StoreError> {
    let org = crate::backend::platform::organisation::get(db).await?;
    Ok(match org {
        Some(o) => Brand {
            name: o.name,
            email: o.email_from.trim().to_string(),
            logo_url: Some(o.logo_url.trim().to_string())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        },
        None => Brand { name: "Billing".into(), email: String::new(), logo_url: None },
    })
}

fn render(t: &impl Template) -> Result<String, ServiceError> {
    t.render().map_err(|e| ServiceError::Internal(format!("portal template: {e}")))
}

#[derive(Template)]
#[template(path = "portal/not_valid.html")]
struct NotValid<'a> {
    message: &'a str,
}

/// The single page for every link that does not open anything.
pub fn not_valid_page() -> String {
    NotValid {
        message: "The link you followed does not work. It may have been mistyped or replaced by a newer one. \
                  Please use the most recent email you received, or contact the sender.",
    }
    .render()
    .unwrap_or_else(|_| "This link is not valid.".into())
}

pub struct ReceiptLine {
    pub date: String,
    pub method: String,
    pub reference: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct InvoicePageT {
    brand: Brand,
    doc: InvoiceDocument,
    paid: bool,
    void: bool,
    past_due: bool,
    status_label: String,
    online: bool,
    pay_action: String,
    pdf_href: String,
    receipts: Vec<ReceiptLine>,
    notice: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AppliedRow {
    received_on: NaiveDate,
    method: String,
    reference: String,
    amount: i64,
}

async fn applied_payments(db: &Db, invoice_id: InvoiceId) -> Result<Vec<AppliedRow>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as(
            "SELECT pm.received_on, pm.method, pm.reference, pa.amount FROM payment_allocations pa
             JOIN payments pm ON pm.id = pa.payment_id WHERE pa.invoice_id = $1 AND pm.voided_at IS NULL
             ORDER BY pm.received_on, pm.id",
        )
        .bind(invoice_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

/// The Invoice Payment page: the invoice as it is now, its balance, Pay Online or "Paid".
pub async fn invoice_page(
    db: &Db,
    invoice_id: InvoiceId,
    token: &str,
    online: bool,
    now: DateTime<Utc>,
    notice: Option<String>,
) -> Result<String, ServiceError> {
    let doc = invoice_document::load(db, invoice_id).await?;
    let row = crate::backend::invoicing::open_items::invoice_row(db, invoice_id)
        .await?
        .ok_or(ServiceError::NotFound("invoice"))?;
    let today = crate::backend::platform::organisation::today(db, now).await?;
    let balance = row.balance();
    let void = doc.is_void;
    let paid = !void && balance <= Decimal::ZERO;
    let past_due = !paid && !void && row.due_date < today;
    let status_label = if void {
        "Void".to_string()
    } else if paid {
        "Paid".to_string()
    } else if past_due {
        format!("{} days past due", crate::domain::calendar::days_past_due(row.due_date, today))
    } else if row.amount_paid > 0 {
        "Partially paid".to_string()
    } else {
        "Open".to_string()
    };
    let receipts = applied_payments(db, invoice_id)
        .await?
        .into_iter()
        .map(|r| ReceiptLine {
            date: long_date(r.received_on),
            method: PaymentMethod::parse(&r.method).map(|m| m.label()).unwrap_or("Payment").into(),
            reference: r.reference,
            amount: format_money(fixed::from_db(r.amount), &row.currency),
        })
        .collect();
    render(&InvoicePageT {
        brand: brand(db).await?,
        doc,
        paid,
        void,
        past_due,
        status_label,
        online,
        pay_action: format!("/portal/invoice/{token}/pay"),
        pdf_href: format!("/portal/invoice/{token}/pdf"),
        receipts,
        notice,
    })
}

pub struct StatementRow {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub days_past_due: i64,
    pub age: String,
    pub balance: String,
    pub cents: i64,
    pub pdf_href: String,
}

#[derive(Template)]
#[template(path = "portal/statement.html")]
struct StatementPageT {
    brand: Brand,
    account_name: String,
    today: String,
    rows: Vec<StatementRow>,
    total_due: String,
    currency: String,
    online: bool,
    pay_action: String,
    notice: Option<String>,
}

/// The Unpaid Invoices page of an account.
pub async fn statement_page(
    db: &Db,
    account_id: AccountId,
    token: &str,
    online: bool,
    now: DateTime<Utc>,
    notice: Option<String>,
) -> Result<String, ServiceError> {
    let today = crate::backend::platform::organisation::today(db, now).await?;
    let account_name: Option<String> = on_db!(db, p => {
        sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1").bind(account_id).fetch_optional(p).await.map_err(StoreError::from)?
    });
    let unpaid = crate::backend::invoicing::open_items::unpaid_invoices(db, account_id).await?;
    let currency = unpaid.first().map(|i| i.currency.clone()).unwrap_or_else(|| "USD".into());
    let total: Decimal = unpaid.iter().map(|i| i.balance()).sum();
    let rows = unpaid
        .iter()
        .map(|i| {
            let age = (today - i.issue_date).num_days().max(0);
            StatementRow {
                id: i.id,
                number: i.number.clone().unwrap_or_default(),
                issue_date: long_date(i.issue_date),
                due_date: long_date(i.due_date),
                days_past_due: crate::domain::calendar::days_past_due(i.due_date, today),
                age: if age == 1 { "1 day".into() } else { format!("{age} days") },
                balance: format_money(i.balance(), &i.currency),
                cents: crate::domain::payment::to_minor_units(crate::domain::money::round_cents(i.balance()))
                    .unwrap_or_default(),
                pdf_href: format!("/portal/account/{token}/invoices/{}/pdf", i.id),
            }
        })
        .collect();
    render(&StatementPageT {
        brand: brand(db).await?,
        account_name: account_name.unwrap_or_default(),
        today: long_date(today),
        rows,
        total_due: format_money(total, &currency),
        currency,
        online,
        pay_action: format!("/portal/account/{token}/pay"),
        notice,
    })
}

#[derive(Template)]
#[template(path = "portal/test_checkout.html")]
struct TestCheckoutT {
    brand: Brand,
    amount: String,
    description: String,
    action: String,
    error: Option<String>,
    card: String,
    expiry: String,
}

/// The test provider's card form for an open checkout; `None` when there is no such checkout.
pub async fn test_checkout_page(
    db: &Db,
    checkout_id: &str,
    error: Option<String>,
    card: &str,
    expiry: &str,
) -> Result<Option<String>, ServiceError> {
    let Some(row) = checkout::get(db, checkout_id).await?.filter(|r| r.provider == "test") else {
        return Ok(None);
    };
    let numbers: Vec<String> = checkout::invoices(db, checkout_id).await?.into_iter().map(|(_, n, _)| n).collect();
    Ok(Some(render(&TestCheckoutT {
        brand: brand(db).await?,
        amount: format_money(fixed::from_db(row.amount), &row.currency),
        description: format!("Invoices: {}", numbers.join(", ")),
        action: format!("/portal/test-checkout/{checkout_id}"),
        error,
        card: card.to_string(),
        expiry: expiry.to_string(),
    })?))
}

#[derive(Template)]
#[template(path = "portal/paid.html")]
struct PaidT {
    brand: Brand,
    paid: bool,
    amount: String,
    date: String,
    reference: String,
    lines: Vec<(String, String)>,
}

/// Where the provider sends the client back: "Paid — thank you" with the receipt, or a page
/// that waits for the provider's confirmation.
pub async fn paid_page(db: &Db, checkout_id: &str) -> Result<Option<String>, ServiceError> {
    let Some(row) = checkout::get(db, checkout_id).await? else {
        return Ok(None);
    };
    let mut page = PaidT {
        brand: brand(db).await?,
        paid: false,
        amount: format_money(fixed::from_db(row.amount), &row.currency),
        date: String::new(),
        reference: String::new(),
        lines: Vec::new(),
    };
    if let Some(payment_id) = row.payment_id
        && let Some(payment) = crate::backend::payments::record::get(db, payment_id).await?
    {
        page.paid = true;
        page.date = long_date(payment.received_on);
        page.reference = payment.reference;
        page.lines = crate::backend::payments::record::allocations(db, payment_id)
            .await?
            .into_iter()
            .map(|(n, a)| (n, format_money(fixed::from_db(a), &row.currency)))
            .collect();
    }
    Ok(Some(render(&page)?))
}

/// Marks a link as opened and puts a view on the invoice's timeline — at most one per hour
/// per invoice, so a client refreshing the page does not flood it.
pub async fn record_view(
    db: &Db,
    token: &str,
    invoice_id: Option<InvoiceId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let hash = portal_links::hash_token(token);
    on_db!(db, p => {
        sqlx::query("UPDATE portal_links SET last_viewed_at = $1 WHERE token_hash = $2").bind(now).bind(&hash).execute(p).await?;
        if let Some(invoice_id) = invoice_id {
            let recent: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM invoice_events WHERE invoice_id = $1 AND kind = 'portal_view' AND at > $2 LIMIT 1",
            )
            .bind(invoice_id)
            .bind(now - chrono::Duration::hours(1))
            .fetch_optional(p)
            .await?;
            if recent.is_none() {
                let mut c = p.acquire().await?;
                events::record(Conn::from(&mut *c), invoice_id, InvoiceEventKind::PortalView, "Opened the payment page", "Client", now)
                    .await?;
            }
        }
    });
    Ok(())
}

/// Whether an invoice may be downloaded through an account's statement link.
pub async fn belongs_to(db: &Db, invoice_id: InvoiceId, account_id: AccountId) -> Result<bool, StoreError> {
    let found: Option<i64> = on_db!(db, p => {
        sqlx::query_scalar("SELECT id FROM invoices WHERE id = $1 AND account_id = $2 AND number IS NOT NULL")
            .bind(invoice_id)
            .bind(account_id)
            .fetch_optional(p)
            .await?
    });
    Ok(found.is_some())
}

/// The test provider's rule for a card: Luhn-valid, a future expiry, a 3–4 digit CVC; the
/// documented decline number is declined. Returns the message to show.
pub fn test_card_problem(card: &str, expiry: &str, cvc: &str, today: NaiveDate) -> Option<&'static str> {
    let digits: Vec<u32> =
        card.chars().filter(|c| !c.is_whitespace() && *c != '-').filter_map(|c| c.to_digit(10)).collect();
    let clean_len = card.chars().filter(|c| !c.is_whitespace() && *c != '-').count();
    if digits.len() != clean_len || !(12..=19).contains(&digits.len()) || !luhn(&digits) {
        return Some("That card number is not valid.");
    }
    let Some((m, y)) = expiry.trim().split_once('/') else {
        return Some("Enter the expiry as MM/YY.");
    };
    let (Ok(m), Ok(y)) = (m.trim().parse::<u32>(), y.trim().parse::<i32>()) else {
        return Some("Enter the expiry as MM/YY.");
    };
    use chrono::Datelike;
    let year = if y < 100 { 2000 + y } else { y };
    if !(1..=12).contains(&m) || (year, m) < (today.year(), today.month()) {
        return Some("The card has expired.");
    }
    if !(3..=4).contains(&cvc.trim().len()) || !cvc.trim().chars().all(|c| c.is_ascii_digit()) {
        return Some("Enter the 3 or 4 digit security code.");
    }
    if digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect::<String>() == "4000000000000002" {
        return Some("Your card was declined.");
    }
    None
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { *d })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_provider_accepts_test_cards_and_declines_the_decline_card() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(test_card_problem("4242 4242 4242 4242", "12/30", "123", today), None);
        assert_eq!(test_card_problem("4000 0000 0000 0002", "12/30", "123", today), Some("Your card was declined."));
        assert_eq!(
            test_card_problem("4242 4242 4242 4241", "12/30", "123", today),
            Some("That card number is not valid.")
        );
        assert_eq!(test_card_problem("4242 4242 4242 4242", "10/26", "123", today), Some("The card has expired."));
        assert_eq!(test_card_problem("4242 4242 4242 4242", "1230", "123", today), Some("Enter the expiry as MM/YY."));
        assert_eq!(
            test_card_problem("4242 4242 4242 4242", "12/30", "12", today),
            Some("Enter the 3 or 4 digit security code.")
        );
    }

    #[test]
    fn the_not_valid_page_says_nothing_specific() {
        let page = not_valid_page();
        assert!(page.contains("This link is not valid"));
        assert!(!page.to_lowercase().contains("revoked"));
    }
}
