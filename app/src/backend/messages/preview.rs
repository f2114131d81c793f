//! The editor's live preview and Send test: a template as typed, rendered against a real invoice
//! (its account, its first invoice contact, its latest payment for receipts) or the kind's
//! sample values. Special Links in a preview point where they would go but are never issued.
//! Send test mails the preview to the signed-in staff member directly: it is not a business
//! effect, so it does not go through the outbox.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        delivery::{
            mail_settings::{self, MailEnvironment},
            outbox,
            transport::{MailError, MailRoute, Mailer, OutgoingEmail},
        },
        messages::{
            context::{self as email_context, Links},
            invoice as invoice_email,
        },
        platform::fixed,
        templates::{
            check::{problems, render_error},
            context::{ContactCtx, EmailContext, PaymentCtx, ReminderCtx},
            render::{RenderedEmail, render_email},
        },
    },
    domain::{
        calendar::long_date,
        ids::{AccountId, InvoiceId, PaymentId},
        merge_fields::TemplateKind,
        money::format_money,
        settings::FieldError,
    },
    on_db,
    views::templates::{PreviewInvoice, PreviewResult},
};

/// How many invoices the preview picker offers.
pub const PICKER_SIZE: i64 = 50;

/// The most recent numbered invoices, newest first, for the preview picker.
pub async fn recent_invoices(db: &Db) -> Result<Vec<PreviewInvoice>, StoreError> {
    let rows: Vec<(InvoiceId, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT i.id, i.number, a.name FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE i.number IS NOT NULL ORDER BY i.issue_date DESC, i.id DESC LIMIT $1")
        .bind(PICKER_SIZE).fetch_all(p).await?);
    Ok(rows.into_iter().map(|(id, number, account_name)| PreviewInvoice { id, number, account_name }).collect())
}

/// The template as typed in the editor.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub kind: TemplateKind,
    pub subject: &'a str,
    pub body_html: &'a str,
}

/// Renders `draft` against `invoice_id` (or sample values). Problems come back as field errors
/// on `subject` / `body_html`, the same as on save.
pub async fn preview(
    db: &Db,
    draft: Draft<'_>,
    invoice_id: Option<InvoiceId>,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<PreviewResult, ServiceError> {
    let mut errors = Vec::new();
    for (field, source) in [("subject", draft.subject), ("body_html", draft.body_html)] {
        let found = problems(draft.kind, source);
        if !found.is_empty() {
            errors.push(FieldError::new(field, found.join(" ")));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let (context, source) = match invoice_id {
        Some(id) => invoice_context(db, draft.kind, id, now, public_url).await?,
        None => (crate::backend::templates::context::sample(draft.kind), "Sample values".to_string()),
    };
    let RenderedEmail { subject, html, text } = render_email(draft.subject, draft.body_html, &context)
        .map_err(|e| ServiceError::Invalid(vec![render_error(e)]))?;
    Ok(PreviewResult { subject, html, text, source })
}

#[derive(sqlx::FromRow)]
struct InvoiceHead {
    number: Option<String>,
    account_id: AccountId,
    account_name: String,
}

/// The context an email of `kind` about this invoice would be rendered with.
pub async fn invoice_context(
    db: &Db,
    kind: TemplateKind,
    invoice_id: InvoiceId,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<(EmailContext, String), ServiceError> {
    let head: Option<InvoiceHead> = on_db!(db, p => sqlx::query_as(
        "SELECT i.number, i.account_id, a.name AS account_name FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE i.id = $1").bind(invoice_id).fetch_optional(p).await.map_err(StoreError::from)?);
    let Some(InvoiceHead { number: Some(number), account_id, account_name }) = head else {
        return Err(ServiceError::NotFound("invoice"));
    };
    let who = invoice_email::recipients(db, account_id).await?;
    // An account without an invoice contact still previews, with the sample contact.
    let contact = who
        .to
        .first()
        .or(who.cc.first())
        .map(|(name, email)| ContactCtx { name: name.clone(), email: email.clone() })
        .unwrap_or_else(|| crate::backend::templates::context::sample(kind).contact);
    let links = Links { public_url, issued_by: "template preview", preview: true };
    let (mut ctx, today) = email_context::account_context(db, account_id, contact, now, links).await?;
    if kind.has_invoice() {
        let row = crate::backend::invoicing::open_items::invoice_row(db, invoice_id)
            .await?
            .ok_or(ServiceError::NotFound("invoice"))?;
        ctx = email_context::with_invoice(db, ctx, &row, account_id, today, now, links).await?;
        if kind == TemplateKind::Reminder {
            let days = ctx.invoice.as_ref().map_or(0, |i| i.days_past_due);
            ctx.reminder = Some(ReminderCtx { days_past_due: reminder_step(db, days).await? });
        }
    }
    if kind == TemplateKind::Receipt {
        ctx.payment = Some(match latest_payment(db, invoice_id).await? {
            Some(p) => p,
            None => crate::backend::templates::context::sample(kind).payment.unwrap_or_default(),
        });
    }
    Ok((ctx, format!("{number} · {account_name}")))
}

/// The reminder rung an invoice this many days past due is on (the first rung before that).
async fn reminder_step(db: &Db, days_past_due: i64) -> Result<i64, StoreError> {
    let rungs: Vec<i32> = on_db!(db, p => sqlx::query_scalar("SELECT days_past_due FROM reminder_rules ORDER BY days_past_due").fetch_all(p).await?);
    let rungs: Vec<i64> = rungs.into_iter().map(i64::from).collect();
    Ok(rungs.iter().rev().find(|d| **d <= days_past_due).or(rungs.first()).copied().unwrap_or(days_past_due))
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: PaymentId,
    amount: i64,
    currency: String,
    received_on: NaiveDate,
    method: String,
    reference: String,
}

/// The newest payment applied to the invoice, with every invoice it paid.
async fn latest_payment(db: &Db, invoice_id: InvoiceId) -> Result<Option<PaymentCtx>, StoreError> {
    let row: Option<PaymentRow> = on_db!(db, p => sqlx::query_as(
        "SELECT pm.id, pm.amount, pm.currency, pm.received_on, pm.method, pm.reference
         FROM payments pm JOIN payment_allocations pa ON pa.payment_id = pm.id
         WHERE pa.invoice_id = $1 AND pm.voided_at IS NULL
         ORDER BY pm.received_on DESC, pm.id DESC LIMIT 1").bind(invoice_id).fetch_optional(p).await?);
    let Some(row) = row else { return Ok(None) };
    let numbers: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT i.number FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
         WHERE pa.payment_id = $1 AND i.number IS NOT NULL ORDER BY i.number").bind(row.id).fetch_all(p).await?);
    Ok(Some(PaymentCtx {
        amount: format_money(fixed::from_db(row.amount), &row.currency),
        date: long_date(row.received_on),
        method: method_label(&row.method).to_string(),
        reference: row.reference,
        invoices: numbers.join(", "),
    }))
}

fn method_label(method: &str) -> &str {
    match method {
        "card" => "Card",
        "check" => "Check",
        "ach" => "ACH",
        "wire" => "Wire transfer",
        "cash" => "Cash",
        "credit" => "Account credit",
        other => other,
    }
}

/// What happened to a test message, in words for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestSendOutcome {
    Sent(String),
    /// No SMTP server is configured: the message was written to a file.
    Written(String),
    Failed(String),
}

/// Mails a rendered preview to `to` through the configured route, subject prefixed "[Test] ".
pub async fn send_test(
    db: &Db,
    env: &MailEnvironment,
    rendered: &PreviewResult,
    to: &str,
) -> Result<TestSendOutcome, StoreError> {
    let effective = mail_settings::effective(db, env).await?;
    let from = match effective.from.filter(|f| !f.trim().is_empty()) {
        Some(f) => f,
        None => {
            let org: Option<(String, String)> = on_db!(db, p => sqlx::query_as("SELECT name, email_from FROM organisation WHERE id = 1").fetch_optional(p).await?);
            match org.filter(|(_, e)| !e.trim().is_empty()) {
                Some((name, email)) => format!("\"{}\" <{}>", name.replace(['"', '\\'], ""), email.trim()),
                None => {
                    return Ok(TestSendOutcome::Failed(
                        "No sender address: set the organisation's email in Settings first.".into(),
                    ));
                }
            }
        }
    };
    let email = OutgoingEmail {
        message_id: format!("test-{}", outbox::new_message_id()),
        from,
        to: vec![to.to_string()],
        cc: Vec::new(),
        subject: format!("[Test] {}", rendered.subject),
        html: rendered.html.clone(),
        text: rendered.text.clone(),
        attachments: Vec::new(),
    };
    let folder = matches!(effective.route, MailRoute::Folder(_));
    let mailer = match Mailer::new(effective.route) {
        Ok(m) => m,
        Err(e) => return Ok(TestSendOutcome::Failed(mail_error_text(e))),
    };
    Ok(match mailer.send(&email).await {
        Ok(reply) if folder => TestSendOutcome::Written(format!(
            "No SMTP server is configured, so nothing was sent: the test message to {to} was {reply}."
        )),
        Ok(_) => TestSendOutcome::Sent(format!("Sent to {to}.")),
        Err(e) => TestSendOutcome::Failed(mail_error_text(e)),
    })
}

fn mail_error_text(e: MailError) -> String {
    match e {
        MailError::Transient(m) => format!("The mail server did not take the message (temporary): {m}"),
        MailError::Permanent(m) => format!("The mail server refused the message: {m}"),
    }
}
