//! Composes an invoice email at send time from the invoice as it is now, the account's invoice
//! contacts and the chosen template. Composition errors say whether retrying can help.

use chrono::{DateTime, Utc};

use crate::{
    backend::{
        Db, StoreError,
        delivery::{
            transport::{EmailAttachment, OutgoingEmail},
            worker::ComposeError,
        },
        messages::context as email_context,
        templates::{context::ContactCtx, render::render_email},
    },
    domain::{
        email_kind::InvoiceEmailPayload,
        ids::{AccountId, InvoiceId},
        merge_fields::TemplateKind,
    },
    on_db,
};

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    number: Option<String>,
    status: String,
    account_id: AccountId,
    account_name: String,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    name: String,
    email: String,
    invoice_role: String,
}

/// Who an invoice email goes to: the bill-to account's To and Cc contacts.
pub struct Recipients {
    pub to: Vec<(String, String)>,
    pub cc: Vec<(String, String)>,
}

pub async fn recipients(db: &Db, account_id: AccountId) -> Result<Recipients, StoreError> {
    let contacts: Vec<ContactRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT name, email, invoice_role FROM contacts WHERE account_id = $1 AND invoice_role IN ('to', 'cc') ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?
    });
    let mut r = Recipients { to: Vec::new(), cc: Vec::new() };
    for c in contacts {
        let entry = (c.name, c.email);
        if c.invoice_role == "to" { r.to.push(entry) } else { r.cc.push(entry) }
    }
    Ok(r)
}

pub(crate) fn mailbox(name: &str, email: &str) -> String {
    // Quoting keeps commas and dots in display names from splitting the address list.
    let clean: String = name.chars().filter(|c| !matches!(c, '"' | '\\' | '<' | '>') && !c.is_control()).collect();
    if clean.trim().is_empty() { email.to_string() } else { format!("\"{}\" <{email}>", clean.trim()) }
}

/// The From of an email: the configured sender, else the organisation's own address.
pub(crate) async fn sender(db: &Db, from: Option<&str>) -> Result<String, ComposeError> {
    if let Some(f) = from.map(str::trim).filter(|f| !f.is_empty()) {
        return Ok(f.to_string());
    }
    let org: Option<(String, String)> = on_db!(db, p => {
        sqlx::query_as("SELECT name, email_from FROM organisation WHERE id = 1").fetch_optional(p).await.map_err(StoreError::from)?
    });
    match org {
        Some((name, email)) if !email.trim().is_empty() => Ok(mailbox(&name, email.trim())),
        _ => Err(ComposeError::Permanent(
            "No sender address: set the organisation's email in Settings, then retry.".into(),
        )),
    }
}

/// The email for one invoice.
#[allow(clippy::too_many_arguments)] // each is a distinct fact of this one send `from` is the configured sender; the organisation's own address
/// is the fallback.
pub async fn compose(
    db: &Db,
    invoice_id: InvoiceId,
    payload: &InvoiceEmailPayload,
    message_id: &str,
    from: Option<&str>,
    attach_pdf: bool,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<OutgoingEmail, ComposeError> {
    let row: Option<InvoiceRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT i.number, i.status,
                    a.id AS account_id, a.name AS account_name
             FROM invoices i JOIN accounts a ON a.id = i.account_id
             WHERE i.id = $1",
        )
        .bind(invoice_id)
        .fetch_optional(p)
        .await
        .map_err(StoreError::from)?
    });
    let Some(inv) = row else {
        return Err(ComposeError::Permanent(format!("Invoice {invoice_id} no longer exists.")));
    };
    if inv.status == "void" {
        return Err(ComposeError::Cancelled("The invoice was voided before the email went out.".into()));
    }
    let Some(number) = inv.number.clone() else {
        return Err(ComposeError::Permanent("A draft invoice cannot be emailed; finalise it first.".into()));
    };
    let who = recipients(db, inv.account_id).await?;
    if who.to.is_empty() {
        return Err(ComposeError::Permanent(format!(
            "{} has no invoice recipient: add a contact who receives invoices (To), then retry.",
            inv.account_name
        )));
    }
    let from = sender(db, from).await?;
    let template = crate::backend::templates::render::stored(db, payload.template_id, TemplateKind::Invoice).await?;
    let Some(template) = template else {
        return Err(ComposeError::Permanent("The invoice email template no longer exists; choose another.".into()));
    };
    let contact = ContactCtx { name: who.to[0].0.clone(), email: who.to[0].1.clone() };
    let links = email_context::Links { public_url, issued_by: "invoice email", preview: false };
    let (context, today) = email_context::account_context(db, inv.account_id, contact, now, links).await?;
    let row = crate::backend::invoicing::open_items::invoice_row(db, invoice_id)
        .await?
        .ok_or_else(|| ComposeError::Permanent(format!("Invoice {invoice_id} no longer exists.")))?;
    let context = email_context::with_invoice(db, context, &row, inv.account_id, today, now, links).await?;
    let rendered = render_email(&template.subject, &template.body_html, &context)
        .map_err(|e| ComposeError::Permanent(format!("Template error: {e}")))?;
    let attachment = if attach_pdf {
        // The PDF of the invoice as it is now: the same document the invoice page downloads.
        let bytes = crate::backend::invoicing::document::render_pdf(db, invoice_id).await.map_err(|e| match e {
            crate::backend::ServiceError::Store(s) => ComposeError::from(s),
            other => ComposeError::Permanent(format!("The invoice PDF could not be made: {other}")),
        })?;
        Some(EmailAttachment { filename: format!("{number}.pdf"), content_type: "application/pdf".into(), bytes })
    } else {
        None
    };
    Ok(OutgoingEmail {
        message_id: message_id.to_string(),
        from,
        to: who.to.iter().map(|(n, e)| mailbox(n, e)).collect(),
        cc: who.cc.iter().map(|(n, e)| mailbox(n, e)).collect(),
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        attachments: attachment.into_iter().collect(),
    })
}
