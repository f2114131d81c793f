//! The invoice page's Email section: who receives it, every email with every attempt and the
//! server's reply, and Send / Send again.

use leptos::prelude::*;

use super::{
    automation::MailStatusNotice,
    common::{ErrorNotice, Loading},
};
use crate::{
    api::automation::{SendInvoices, get_invoice_deliveries},
    domain::ids::InvoiceId,
    views::delivery::InvoiceDeliveries,
};

fn when(t: &crate::views::common::LocalTime) -> String {
    t.shown.clone()
}

#[component]
pub fn InvoiceDeliveriesPanel(invoice_id: InvoiceId) -> impl IntoView {
    let send = ServerAction::<SendInvoices>::new();
    let data = Resource::new(move || send.version().get(), move |_| get_invoice_deliveries(invoice_id));
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email"</h2>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(d) => view! { <Deliveries data=d invoice_id=invoice_id send=send/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Deliveries(data: InvoiceDeliveries, invoice_id: InvoiceId, send: ServerAction<SendInvoices>) -> impl IntoView {
    let sent_before = !data.deliveries.is_empty();
    let to = if data.recipients_to.is_empty() { "nobody".to_string() } else { data.recipients_to.join(", ") };
    view! {
        {(!data.mail.sending).then(|| view! { <MailStatusNotice status=data.mail.clone()/> })}
        <p>{format!("To: {to}")}{(!data.recipients_cc.is_empty()).then(|| format!(" · Cc: {}", data.recipients_cc.join(", ")))}</p>
        {data.recipients_to.is_empty().then(|| view! {
            <p class="notice notice-warning" role="note">"No invoice recipient: this invoice cannot be emailed until the account has a contact who receives invoices (To)."</p>
        })}
        {move || send.value().get().map(|r| match r {
            Ok(_) => view! { <div class="notice notice-success" role="status">"Email queued."</div> }.into_any(),
            Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
        })}
        {(data.can_send && data.sendable).then(|| view! {
            <button type="button" class="button button-secondary" disabled=move || send.pending().get()
                on:click=move |_| { send.dispatch(SendInvoices { ids: invoice_id.to_string(), all: false }); }>
                {if sent_before { "Send again" } else { "Send invoice email" }}
            </button>
        })}
        {if data.deliveries.is_empty() {
            view! { <p class="hint">"No email has been sent for this invoice."</p> }.into_any()
        } else {
            view! {
                <ol class="deliveries">
                    {data.deliveries.into_iter().map(|d| view! {
                        <li>
                            <p>
                                <strong>{d.what.clone()}</strong>" "
                                <span class=format!("badge badge-{}", d.status)>{d.status.replace('_', " ")}</span>
                                {format!(" queued {}", when(&d.queued_at))}
                                {(!d.recipients.is_empty()).then(|| format!(" · to {}", d.recipients))}
                                {d.next_attempt_at.as_ref().map(|t| format!(" · next attempt {}", when(t)))}
                            </p>
                            {(!d.last_error.is_empty()).then(|| view! { <p class="reason">{d.last_error.clone()}</p> })}
                            {d.message_id.clone().map(|m| view! { <p class="hint">{format!("Message-ID <{m}>")}</p> })}
                            <ul class="attempts">
                                {d.attempts.into_iter().map(|a| view! {
                                    <li>{format!("{} — {}{}", when(&a.started_at), a.outcome,
                                        if a.reply.is_empty() { String::new() } else { format!(": {}", a.reply) })}</li>
                                }).collect_view()}
                            </ul>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}
