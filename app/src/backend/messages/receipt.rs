//! The receipt a client gets after paying: composed at send time from the default receipt
//! template, the payment and the account's invoice contacts.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::{
    backend::{
        Db,
        delivery::{transport::OutgoingEmail, worker::ComposeError},
        messages::{
            context::{self as email_context, Links},
            invoice::{mailbox, recipients, sender},
        },
        payments::record as payments,
        platform::fixed,
        templates::{
            context::{ContactCtx, PaymentCtx},
            render::render_email,
        },
    },
    domain::{
        calendar::long_date, ids::PaymentId, merge_fields::TemplateKind, money::format_money, payment::PaymentMethod,
    },
};

#[derive(Debug, Deserialize)]
struct Payload {
    payment_id: PaymentId,
}

pub async fn compose(
    db: &Db,
    payload: &str,
    message_id: &str,
    from: Option<&str>,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<OutgoingEmail, ComposeError> {
    let payload: Payload = serde_json::from_str(payload)
        .map_err(|e| ComposeError::Permanent(format!("receipt email without a payment: {e}")))?;
    let Some(payment) = payments::get(db, payload.payment_id).await? else {
        return Err(ComposeError::Cancelled("The payment was deleted before its receipt went out.".into()));
    };
    if payment.voided_at.is_some() {
        return Err(ComposeError::Cancelled("The payment was voided before its receipt went out.".into()));
    }
    let who = recipients(db, payment.account_id).await?;
    let Some((name, email)) = who.to.first().cloned() else {
        return Err(ComposeError::Permanent(
            "The account has no invoice recipient (To) for its receipt: add one, then retry.".into(),
        ));
    };
    let from = sender(db, from).await?;
    let template =
        crate::backend::templates::render::stored(db, None, TemplateKind::Receipt).await?.ok_or_else(|| {
            ComposeError::Permanent("There is no receipt template; create one under Email Templates.".into())
        })?;
    let links = Links { public_url, issued_by: "receipt email", preview: false };
    let (mut context, _) =
        email_context::account_context(db, payment.account_id, ContactCtx { name, email }, now, links).await?;
    let allocated = payments::allocations(db, payment.id).await?;
    let amount = fixed::from_db(payment.amount);
    context.payment = Some(PaymentCtx {
        amount: format_money(amount, &payment.currency),
        date: long_date(payment.received_on),
        method: PaymentMethod::parse(&payment.method).map(|m| m.label()).unwrap_or("Payment").to_string(),
        reference: payment.reference.clone(),
        invoices: if allocated.is_empty() {
            "account credit".to_string()
        } else {
            allocated
                .iter()
                .map(|(n, a)| format!("{n} ({})", format_money(fixed::from_db(*a), &payment.currency)))
                .collect::<Vec<_>>()
                .join(", ")
        },
    });
    let rendered = render_email(&template.subject, &template.body_html, &context)
        .map_err(|e| ComposeError::Permanent(format!("Template error: {e}")))?;
    Ok(OutgoingEmail {
        message_id: message_id.to_string(),
        from,
        to: who.to.iter().map(|(n, e)| mailbox(n, e)).collect(),
        cc: who.cc.iter().map(|(n, e)| mailbox(n, e)).collect(),
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        attachments: Vec::new(),
    })
}
