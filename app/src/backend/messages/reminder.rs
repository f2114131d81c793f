//! Composes past-due reminders immediately before sending, from the invoice as it is then: a
//! payment, void or pause that landed after the reminder was queued cancels it here.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{
        Db, StoreError,
        delivery::{
            transport::{EmailAttachment, OutgoingEmail},
            worker::ComposeError,
        },
        invoicing::open_items::OpenInvoiceRow,
        messages::{
            context as email_context,
            invoice::{mailbox, recipients, sender},
        },
        platform::fixed,
        reminders::engine::{DigestPayload, ReminderPayload},
        templates::{
            context::{ContactCtx, ReminderCtx},
            render::{render_email, stored},
        },
    },
    domain::{
        ids::{AccountId, InvoiceId, TemplateId},
        merge_fields::TemplateKind,
    },
    on_db,
};

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    number: Option<String>,
    status: String,
    total: i64,
    amount_paid: i64,
    paused: bool,
    account_paused: bool,
    account_id: AccountId,
    account_name: String,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    template_id: Option<TemplateId>,
    cc_other_contacts: bool,
    attach_statement: bool,
}

async fn invoice(db: &Db, invoice_id: InvoiceId) -> Result<Option<InvoiceRow>, StoreError> {
    let row = on_db!(db, p => {
        sqlx::query_as(
            "SELECT i.number, i.status, i.total, i.amount_paid, i.reminders_paused AS paused,
                    a.reminders_paused AS account_paused, a.id AS account_id, a.name AS account_name
             FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.id = $1",
        )
        .bind(invoice_id)
        .fetch_optional(p)
        .await?
    });
    Ok(row)
}

/// Why an invoice should no longer be reminded about, if it should not.
fn stop_reason(inv: &InvoiceRow, manual: bool) -> Option<String> {
    let number = inv.number.clone().unwrap_or_else(|| "draft".into());
    if inv.status == "void" {
        Some(format!("Invoice {number} was voided before the reminder went out."))
    } else if inv.status == "paid" || inv.total <= inv.amount_paid {
        Some(format!("Invoice {number} was paid before the reminder went out."))
    } else if inv.status == "draft" || inv.number.is_none() {
        Some("A draft invoice is not reminded about.".into())
    } else if !manual && inv.paused {
        Some(format!("Reminders for invoice {number} were paused before it went out."))
    } else if !manual && inv.account_paused {
        Some(format!("Reminders for {} were paused before it went out.", inv.account_name))
    } else {
        None
    }
}

async fn rule(db: &Db, days: i64) -> Result<Option<RuleRow>, StoreError> {
    let row = on_db!(db, p => {
        sqlx::query_as("SELECT template_id, cc_other_contacts, attach_statement FROM reminder_rules WHERE days_past_due = $1")
            .bind(i32::try_from(days).unwrap_or(i32::MAX))
            .fetch_optional(p)
            .await?
    });
    Ok(row)
}

/// The template by id, else the default of `kind`.
/// The account's open invoices as a CSV statement, for rules that attach one.
fn statement_csv(rows: &[OpenInvoiceRow], today: NaiveDate) -> EmailAttachment {
    let mut csv = String::from("Invoice,Issue date,Due date,Days past due,Total,Paid,Balance,Currency\r\n");
    for r in rows {
        csv.push_str(&format!(
            "{},{},{},{},{:.2},{:.2},{:.2},{}\r\n",
            r.number.clone().unwrap_or_default().replace([',', '"', '\r', '\n'], " "),
            r.issue_date,
            r.due_date,
            crate::domain::calendar::days_past_due(r.due_date, today),
            fixed::from_db(r.total),
            fixed::from_db(r.amount_paid),
            r.balance(),
            r.currency,
        ));
    }
    EmailAttachment {
        filename: format!("statement-{today}.csv"),
        content_type: "text/csv".into(),
        bytes: csv.into_bytes(),
    }
}

/// One ladder step about one invoice, to the account's To contacts (and its Cc contacts when
/// the rule says so), with the rule's template.
#[allow(clippy::too_many_arguments)]
pub async fn compose_reminder(
    db: &Db,
    invoice_id: InvoiceId,
    payload: &ReminderPayload,
    message_id: &str,
    from: Option<&str>,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<OutgoingEmail, ComposeError> {
    let inv = invoice(db, invoice_id)
        .await?
        .ok_or_else(|| ComposeError::Permanent(format!("Invoice {invoice_id} no longer exists.")))?;
    if let Some(reason) = stop_reason(&inv, payload.manual) {
        return Err(ComposeError::Cancelled(reason));
    }
    let rule = rule(db, payload.days_past_due).await?;
    let who = recipients(db, inv.account_id).await?;
    if who.to.is_empty() {
        return Err(ComposeError::Permanent(format!(
            "{} has no invoice recipient: add a contact who receives invoices (To), then retry.",
            inv.account_name
        )));
    }
    let from = sender(db, from).await?;
    let template = stored(db, rule.as_ref().and_then(|r| r.template_id), TemplateKind::Reminder)
        .await?
        .ok_or_else(|| ComposeError::Permanent("The reminder template no longer exists; choose another.".into()))?;
    let contact = ContactCtx { name: who.to[0].0.clone(), email: who.to[0].1.clone() };
    let links = email_context::Links { public_url, issued_by: "reminder", preview: false };
    let (ctx, today) = email_context::account_context(db, inv.account_id, contact, now, links).await?;
    let row = crate::backend::invoicing::open_items::invoice_row(db, invoice_id)
        .await?
        .ok_or_else(|| ComposeError::Permanent(format!("Invoice {invoice_id} no longer exists.")))?;
    let mut ctx = email_context::with_invoice(db, ctx, &row, inv.account_id, today, now, links).await?;
    ctx.reminder = Some(ReminderCtx { days_past_due: payload.days_past_due });
    let rendered = render_email(&template.subject, &template.body_html, &ctx)
        .map_err(|e| ComposeError::Permanent(format!("Template error: {e}")))?;
    let cc = rule.as_ref().is_some_and(|r| r.cc_other_contacts);
    let attachments = if rule.as_ref().is_some_and(|r| r.attach_statement) {
        vec![statement_csv(&crate::backend::invoicing::open_items::unpaid_invoices(db, inv.account_id).await?, today)]
    } else {
        Vec::new()
    };
    Ok(OutgoingEmail {
        message_id: message_id.to_string(),
        from,
        to: who.to.iter().map(|(n, e)| mailbox(n, e)).collect(),
        cc: if cc { who.cc.iter().map(|(n, e)| mailbox(n, e)).collect() } else { Vec::new() },
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        attachments,
    })
}

/// The daily digest to one contact: the account's past-due invoices, statement style, with an
/// Unpaid Invoices link. Steps whose invoice was paid, voided or paused meanwhile are cancelled
/// here; when none is left the email is.
pub async fn compose_digest(
    db: &Db,
    payload: &DigestPayload,
    message_id: &str,
    from: Option<&str>,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<OutgoingEmail, ComposeError> {
    let mut live = Vec::new();
    for (invoice_id, step) in &payload.steps {
        let reason = match invoice(db, *invoice_id).await? {
            None => Some("The invoice no longer exists.".to_string()),
            Some(inv) => stop_reason(&inv, false),
        };
        match reason {
            None => live.push((*invoice_id, *step)),
            Some(reason) => {
                on_db!(db, p => {
                    sqlx::query(
                        "UPDATE invoice_reminders SET status = 'cancelled', detail = $1
                         WHERE invoice_id = $2 AND days_past_due = $3 AND status IN ('queued', 'failed')",
                    )
                    .bind(&reason)
                    .bind(invoice_id)
                    .bind(step)
                    .execute(p)
                    .await
                    .map_err(StoreError::from)?;
                });
            }
        }
    }
    if live.is_empty() {
        return Err(ComposeError::Cancelled("Every invoice in this reminder was paid, voided or paused first.".into()));
    }
    let contact: Option<(String, String, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT name, email, invoice_role FROM contacts WHERE id = $1 AND account_id = $2")
            .bind(payload.contact_id)
            .bind(payload.account_id)
            .fetch_optional(p)
            .await
            .map_err(StoreError::from)?
    });
    let Some((name, email, role)) = contact.filter(|c| c.2 == "to") else {
        return Err(ComposeError::Permanent(
            "The contact this reminder was for no longer receives invoices; send it from the invoice page instead."
                .into(),
        ));
    };
    let _ = role;
    let from = sender(db, from).await?;
    let mut cc = false;
    let mut attach = false;
    for (_, step) in &live {
        if let Some(r) = rule(db, *step).await? {
            cc |= r.cc_other_contacts;
            attach |= r.attach_statement;
        }
    }
    let template = stored(db, None, TemplateKind::Statement).await?.ok_or_else(|| {
        ComposeError::Permanent("There is no statement template to send the daily reminder with.".into())
    })?;
    let links = email_context::Links { public_url, issued_by: "reminder", preview: false };
    let contact = ContactCtx { name: name.clone(), email: email.clone() };
    let (mut ctx, today) = email_context::account_context(db, payload.account_id, contact, now, links).await?;
    // Statement style, past-due invoices only.
    ctx.statement.invoices.retain(|i| i.days_past_due > 0);
    ctx.statement.count = ctx.statement.invoices.len();
    ctx.statement.total_due = ctx.statement.past_due_total.clone();
    ctx.reminder = live.iter().map(|(_, s)| *s).max().map(|days_past_due| ReminderCtx { days_past_due });
    let rendered = render_email(&template.subject, &template.body_html, &ctx)
        .map_err(|e| ComposeError::Permanent(format!("Template error: {e}")))?;
    let ccs = if cc {
        recipients(db, payload.account_id).await?.cc.iter().map(|(n, e)| mailbox(n, e)).collect()
    } else {
        Vec::new()
    };
    let attachments = if attach {
        let rows: Vec<OpenInvoiceRow> = crate::backend::invoicing::open_items::unpaid_invoices(db, payload.account_id)
            .await?
            .into_iter()
            .filter(|r| r.due_date < today)
            .collect();
        vec![statement_csv(&rows, today)]
    } else {
        Vec::new()
    };
    Ok(OutgoingEmail {
        message_id: message_id.to_string(),
        from,
        to: vec![mailbox(&name, &email)],
        cc: ccs,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        attachments,
    })
}
