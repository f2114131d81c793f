//! Invoices: the list with status tabs, and one invoice.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_location, use_params_map},
};

use super::{
    common::{ErrorNotice, Loading, PageHeader, PagerLinks},
    format,
};
use crate::{
    api::{
        AppError,
        automation::SendInvoices,
        error::field_error,
        invoices::{ReleaseHeldLineItems, VoidInvoice, get_invoice, get_invoices},
    },
    domain::{ids::InvoiceId, invoice::InvoiceStatus},
    views::{
        common::Page,
        invoices::{InvoiceDetail, InvoiceFilter, InvoiceListRow, InvoiceListView, InvoiceSort},
    },
};

fn list_href(f: &InvoiceFilter) -> String {
    format!("/accounting/invoices?{}", f.to_query())
}

fn status_badge(status: InvoiceStatus, past_due: bool) -> impl IntoView {
    let (class, label) = if past_due {
        ("badge badge-cancelled", "Past due".to_string())
    } else {
        let class = match status {
            InvoiceStatus::Paid => "badge badge-confirmed",
            InvoiceStatus::Void => "badge badge-void",
            InvoiceStatus::PartiallyPaid | InvoiceStatus::Sent => "badge badge-advertiser",
            InvoiceStatus::Open => "badge badge-warning",
            InvoiceStatus::Draft => "badge badge-draft",
        };
        (class, status.label().to_string())
    };
    view! { <span class=class>{label}</span> }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(move || location.search.get(), get_invoices);
    view! {
        <PageHeader title="Invoices" subtitle="Every invoice, by status.">
            <A href="/accounting/billable-line-items" attr:class="button button-primary">"Invoice line items"</A>
        </PageHeader>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <InvoiceList view=v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InvoiceList(view: InvoiceListView) -> impl IntoView {
    let InvoiceListView { filter, rows, tabs, currency, can_send, .. } = view;
    let tab_links = tabs
        .into_iter()
        .map(|(tab, summary)| {
            let target = list_href(&InvoiceFilter { tab, page: 1, ..filter.clone() });
            let current = tab == filter.tab;
            let label = tab.label();
            let count = format::count(summary.count);
            let amount = format::money(summary.amount, &currency);
            view! {
                <A href=target attr:class=if current { "tab tab-current" } else { "tab" } attr:aria-current=current.then_some("page")>
                    <span>{label} " " <span class="tab-count">{count}</span></span>
                    <span class="tab-amount">{amount}</span>
                </A>
            }
        })
        .collect_view();
    let (tab_value, search, sort, descending) =
        (filter.tab.as_str(), filter.search.clone(), filter.sort, filter.descending);
    view! {
        <nav class="tabs" aria-label="Invoice status">{tab_links}</nav>
        <leptos_router::components::Form method="GET" action="/accounting/invoices" attr:class="search" attr:role="search">
            <input type="hidden" name="tab" value=tab_value/>
            <label for="search" class="visually-hidden">"Search by invoice number or account"</label>
            <input id="search" type="search" name="q" placeholder="Search by invoice number or account" value=search/>
            <label for="sort" class="visually-hidden">"Sort by"</label>
            <select id="sort" name="sort">
                {InvoiceSort::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=k == sort>{k.label()}</option> }).collect_view()}
            </select>
            <label for="dir" class="visually-hidden">"Order"</label>
            <select id="dir" name="dir">
                <option value="desc" selected=descending>"Newest / highest first"</option>
                <option value="asc" selected=!descending>"Oldest / lowest first"</option>
            </select>
            <button type="submit" class="button button-secondary">"Search"</button>
        </leptos_router::components::Form>
        <InvoiceTable rows=rows.clone() currency=currency can_send/>
        <InvoicePager filter=filter rows=rows/>
    }
}

/// Whether an invoice in the list can be emailed: numbered and not void.
fn sendable(r: &InvoiceListRow) -> bool {
    r.number.is_some() && !matches!(r.status, InvoiceStatus::Void | InvoiceStatus::Draft)
}

/// "Email selected": the chosen invoices go through the outbox like the scheduler's, each once
/// per press (a second press is a new email, as it is from Ready to send).
#[component]
fn SendSelected(selected: RwSignal<std::collections::BTreeSet<InvoiceId>>) -> impl IntoView {
    let send = ServerAction::<SendInvoices>::new();
    let result = send.value();
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(_))) {
            selected.set(Default::default());
        }
    });
    let count = move || selected.with(|s| s.len());
    let dispatch = move |_| {
        let ids = selected.with_untracked(|s| s.iter().map(InvoiceId::to_string).collect::<Vec<_>>().join(","));
        send.dispatch(SendInvoices { ids, all: false });
    };
    view! {
        <div class="bulk-actions" role="group" aria-label="Selected invoices">
            <span aria-live="polite">{move || format!("{} selected", count())}</span>
            <button type="button" class="button button-primary" on:click=dispatch
                disabled=move || count() == 0 || send.pending().get()>
                {move || if send.pending().get() { "Queueing…" } else { "Email selected" }}
            </button>
            {move || result.get().map(|r| match r {
                Ok(n) => view! { <span class="notice notice-success" role="status">{format!(
                    "{n} invoice email{} queued; each invoice's page shows its delivery.", if n == 1 { "" } else { "s" })}</span> }.into_any(),
                Err(e) => view! { <span class="notice notice-error" role="alert">{e.field("ids").unwrap_or_else(|| e.to_string())}</span> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn InvoiceTable(rows: Page<InvoiceListRow>, currency: String, can_send: bool) -> impl IntoView {
    if rows.items.is_empty() {
        return view! {
            <p class="card muted">"No invoices here yet. Invoices created from "
                <A href="/accounting/billable-line-items">"Billable Line Items"</A>" appear in this list."</p>
        }
        .into_any();
    }
    let selected = RwSignal::new(std::collections::BTreeSet::<InvoiceId>::new());
    let body = rows
        .items
        .into_iter()
        .map(|r| {
            let number = r.number.clone().unwrap_or_else(|| "Draft".into());
            let id = r.id;
            let check = (can_send && sendable(&r)).then(|| {
                view! {
                    <input type="checkbox" aria-label=format!("Select {number}")
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        }/>
                }
            });
            view! {
                <tr>
                    <th scope="row"><A href=format!("/accounting/invoices/{}", r.id)>{number}</A></th>
                    <td>{r.account}</td>
                    <td>{status_badge(r.status, r.past_due)}</td>
                    <td>{format::date(r.issue_date)}</td>
                    <td>{format::date(r.due_date)}</td>
                    <td class="num">{format::money(r.total, &currency)}</td>
                    <td class="num">{format::money(r.balance, &currency)}</td>
                    {can_send.then(|| view! { <td class="check">{check}</td> })}
                </tr>
            }
        })
        .collect_view();
    view! {
        {can_send.then(|| view! { <SendSelected selected/> })}
        <div class="table-wrap card">
            <table class="table">
                <caption class="visually-hidden">"Invoices"</caption>
                <thead><tr>
                    <th scope="col">"Invoice"</th><th scope="col">"Account"</th><th scope="col">"Status"</th>
                    <th scope="col">"Issued"</th><th scope="col">"Due"</th>
                    <th scope="col" class="num">"Total"</th><th scope="col" class="num">"Balance"</th>
                    {can_send.then(|| view! { <th scope="col"><span class="visually-hidden">"Select to email"</span></th> })}
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn InvoicePager(filter: InvoiceFilter, rows: Page<InvoiceListRow>) -> impl IntoView {
    let page_count = rows.page_count();
    let prev = (filter.page > 1).then(|| list_href(&InvoiceFilter { page: filter.page - 1, ..filter.clone() }));
    let next =
        (filter.page < page_count).then(|| list_href(&InvoiceFilter { page: filter.page + 1, ..filter.clone() }));
    let info = format!("Page {} of {page_count} · {} invoices", filter.page, format::count(rows.total));
    view! { <PagerLinks info=info prev=prev next=next/> }
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<InvoiceId>().ok()).unwrap_or_default();
    let void = ServerAction::<VoidInvoice>::new();
    let release = ServerAction::<ReleaseHeldLineItems>::new();
    let draft_changed = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), void.version().get(), release.version().get(), draft_changed.get()),
        |(id, _, _, _)| get_invoice(id),
    );
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <super::common::NotFound/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(inv) => view! { <InvoiceView inv=inv void=void release=release draft_changed=draft_changed/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InvoiceView(
    inv: InvoiceDetail,
    void: ServerAction<VoidInvoice>,
    release: ServerAction<ReleaseHeldLineItems>,
    draft_changed: RwSignal<u32>,
) -> impl IntoView {
    let title = inv.number.clone().map(|n| format!("Invoice {n}")).unwrap_or_else(|| "Draft invoice".into());
    let c = inv.currency.clone();
    let money = move |d| format::money(d, &c);
    let lines = inv
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row">
                        {l.product.clone()}
                        {(!l.description.starts_with(&l.product)).then(|| view! { <span class="muted small">{format!(" {}", l.description)}</span> })}
                    </th>
                    <td>{format::opt_date(l.run_date)}</td>
                    <td class="num">{l.quantity.normalize().to_string()}</td>
                    <td class="num">{money(l.unit_price)}</td>
                    <td class="num">{money(l.discount)}</td>
                    <td class="num">{format!("{}%", l.tax_rate.normalize())}</td>
                    <td class="num">{money(l.net)}</td>
                </tr>
            }
        })
        .collect_view();
    let events = inv
        .events
        .iter()
        .map(|e| {
            view! {
                <li>
                    <span class="event-kind">{crate::domain::invoice_event::label(&e.kind)}</span>
                    {(!e.detail.is_empty()).then(|| format!(" — {}", e.detail))}
                    <span class="muted small">{format!(" · {} · {}", e.at, e.actor)}</span>
                </li>
            }
        })
        .collect_view();
    let void_result: Signal<Option<Result<(), AppError>>> = void.value().into();
    let void_error = move || match void_result.get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(())) => None,
        Some(Err(e)) => Some(e.to_string()),
    };
    // Two type-erased halves: one view tree this deep overflows the compiler's query depth.
    let body = view! {
        <div class="invoice-layout">
            <div class="invoice-main">
            <section class="card">
                <h2>"Lines"</h2>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Item"</th><th scope="col">"Run date"</th><th scope="col" class="num">"Qty"</th>
                            <th scope="col" class="num">"Unit price"</th><th scope="col" class="num">"Discount"</th>
                            <th scope="col" class="num">"Tax"</th><th scope="col" class="num">"Amount"</th>
                        </tr></thead>
                        <tbody>{lines}</tbody>
                    </table>
                </div>
                <dl class="totals">
                    <dt>"Subtotal"</dt><dd>{money(inv.subtotal)}</dd>
                    <dt>"Discount"</dt><dd>{format!("−{}", money(inv.discount_total))}</dd>
                    <dt>"Tax"</dt><dd>{money(inv.tax_total)}</dd>
                    <dt class="grand">"Total"</dt><dd class="grand">{money(inv.total)}</dd>
                    <dt>"Paid"</dt><dd>{money(inv.amount_paid)}</dd>
                    <dt class="grand">"Balance due"</dt><dd class="grand">{money(inv.balance)}</dd>
                </dl>
            </section>
            {inv.can_edit.then(|| view! { <super::invoice_draft::DraftEditor inv=inv.clone() changed=draft_changed/> }.into_any())}
            </div>
            <aside>
                <section class="card">
                    <h2>"Bill to"</h2>
                    <p><strong>{inv.account.clone()}</strong></p>
                    <p class="pre">{inv.account_address.clone()}</p>
                </section>
                <section class="card">
                    <h2>"Activity"</h2>
                    <ol class="timeline">{events}</ol>
                </section>
                <super::deliveries::InvoiceDeliveriesPanel invoice_id=inv.id/>
                {inv.number.is_some().then(|| view! {
                    <super::payments::InvoicePaymentsPanel invoice_id=inv.id account_id=inv.account_id balance=inv.balance
                        currency=inv.currency.clone() open=!matches!(inv.status, InvoiceStatus::Void | InvoiceStatus::Draft)
                        changed=draft_changed/>
                    <super::payments::ClientLinksPanel invoice_id=inv.id/>
                })}
                <super::reminders::InvoiceRemindersPanel invoice_id=inv.id/>
                {inv.can_void.then(|| view! {
                    <section class="card">
                        <h2>"Void this invoice"</h2>
                        <p class="muted">"The invoice and its number are kept."</p>
                        {move || void_error().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
                        <ActionForm action=void attr:class="form">
                            <input type="hidden" name="id" value=inv.id.to_string()/>
                            <div class="field">
                                <label for="reason">"Reason"</label>
                                <input id="reason" name="reason" required/>
                                <p class="field-error">{move || field_error(&void_result.get(), "reason")}</p>
                            </div>
                            <fieldset>
                                <legend>"Its line items"</legend>
                                <label class="inline-check">
                                    <input type="radio" name="line_items" value="hold" checked/>
                                    " Hold them: nothing bills them until someone releases them here"
                                </label>
                                <label class="inline-check">
                                    <input type="radio" name="line_items" value="bill_again"/>
                                    " Bill them again: back to Billable Line Items, and the scheduler invoices them when due"
                                </label>
                                <p class="field-error">{move || field_error(&void_result.get(), "line_items")}</p>
                            </fieldset>
                            <button type="submit" class="button button-secondary">"Void invoice"</button>
                        </ActionForm>
                    </section>
                })}
            </aside>
        </div>
    }
    .into_any();
    view! {
        <leptos_meta::Title text=title.clone()/>
        <header class="page-header">
            <div>
                <p class="breadcrumb"><A href="/accounting/invoices">"Invoices"</A></p>
                <h1>{title.clone()} " " {status_badge(inv.status, inv.past_due)}</h1>
                <p class="subtitle">{format!("{} · issued {} · due {} ({})", inv.account, format::date(inv.issue_date), format::date(inv.due_date),
                    crate::domain::terms::PaymentTerms::new(i64::from(inv.terms_days)).map(|t| t.label()).unwrap_or_default())}</p>
            </div>
            <div class="page-actions">
                // Plain downloads, not client-side routes: `download` and rel="external" keep the router out.
                <a class="button button-primary" href=format!("/accounting/invoices/{}/pdf", inv.id) download>"Download PDF"</a>
                <a class="button button-secondary" href=format!("/accounting/invoices/{}/html", inv.id) rel="external">"View as HTML"</a>
            </div>
        </header>
        {(inv.missing_invoice_recipient && inv.status != InvoiceStatus::Void).then(|| { let payer_name = inv.account.clone(); view! {
            <div class="notice notice-warning" role="alert" id="recipient-flag">
                <strong>"No invoice recipient. "</strong>
                "This invoice cannot be emailed until " <A href=format!("/accounts/{}#contacts", inv.account_id)>{payer_name}</A>
                " has a To contact."
            </div>
        }})}
        {(inv.status == InvoiceStatus::Void).then(|| view! {
            <div class="notice notice-warning" role="status">{format!("Void: {}", inv.void_reason)}</div>
        })}
        {(inv.held_line_items > 0).then(|| { let held = inv.held_line_items; let can_release = inv.can_release; view! {
            <div class="notice notice-info" role="status" id="held-line-items">
                {format!("{held} line item(s) of this invoice are held: they are not in Billable Line Items and the scheduler will not invoice them. ")}
                {can_release.then(|| view! {
                    <ActionForm action=release attr:class="notice-action">
                        <input type="hidden" name="id" value=inv.id.to_string()/>
                        <button type="submit" class="button button-secondary">"Release for billing"</button>
                    </ActionForm>
                })}
            </div>
        }})}
        {body}
    }
    .into_any()
}
