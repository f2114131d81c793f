//! Billable Line Items: what can be invoiced, and Invoice Selected.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use super::{
    common::{ErrorNotice, Loading, PageHeader, PagerLinks},
    format,
};
use crate::{
    api::{
        AppError,
        billable::{InvoiceSelected, get_billable},
        error::field_error,
    },
    domain::{
        billing_rule::BillableStatus,
        ids::{AccountId, LineItemId, ProductId},
    },
    views::{
        billable::{BillableFilter, BillableRow, BillableView, InvoiceSelectedResult, SortKey, StatusFilter},
        common::Page,
    },
};

#[component]
pub fn BillableLineItemsPage() -> impl IntoView {
    let location = use_location();
    let query = Memo::new(move |_| location.search.get());
    let invoice = ServerAction::<InvoiceSelected>::new();
    let data = Resource::new(move || (query.get(), invoice.version().get()), |(q, _)| get_billable(q));
    let selected = RwSignal::new(BTreeSet::<LineItemId>::new());
    // A new filter, page or finished invoicing run starts a new selection.
    Effect::new(move |_| {
        query.track();
        invoice.version().track();
        selected.set(BTreeSet::new());
    });
    view! {
        <PageHeader title="Billable Line Items" subtitle="Ads not yet invoiced, and when each becomes billable.">
            <A href="/rules" attr:class="button button-secondary">"Manage Rules"</A>
        </PageHeader>
        <InvoiceResult action=invoice/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <BillableScreen view=v selected=selected invoice=invoice/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn href(f: &BillableFilter) -> String {
    format!("/accounting/billable-line-items?{}", f.to_query())
}

#[component]
fn BillableScreen(
    view: BillableView,
    selected: RwSignal<BTreeSet<LineItemId>>,
    invoice: ServerAction<InvoiceSelected>,
) -> impl IntoView {
    let BillableView { filter, rows, counts, currency, today, accounts, products, can_invoice } = view;
    let tabs = StatusFilter::ALL
        .into_iter()
        .map(|s| {
            let target = BillableFilter { status: s, page: 1, ..filter.clone() };
            let current = s == filter.status;
            view! {
                <A href=href(&target) attr:class=if current { "tab tab-current" } else { "tab" } attr:aria-current=current.then_some("page")>
                    {s.label()} <span class="tab-count">{format::count(counts.get(s))}</span>
                </A>
            }
        })
        .collect_view();
    let page_ids: Vec<LineItemId> = rows.items.iter().map(|r| r.id).collect();
    let total_matching = rows.total;
    view! {
        <nav class="tabs" aria-label="Billing status">{tabs}</nav>
        <FilterForm filter=filter.clone() accounts=accounts products=products/>
        {(filter.status == StatusFilter::Now).then(|| view! {
            <p class="muted">{format!("{} billable now, {} in total, as of {}.",
                format::count(counts.now), format::money(counts.now_amount, &currency), format::date(today))}</p>
        })}
        {can_invoice.then(|| view! {
            <InvoicePanel selected=selected invoice=invoice filter=filter.clone() total_matching=total_matching today=today/>
        })}
        <BillableTable rows=rows.clone() currency=currency.clone() selected=selected page_ids=page_ids can_invoice=can_invoice/>
        <Pager filter=filter rows=rows/>
    }
}

#[component]
fn FilterForm(
    filter: BillableFilter,
    accounts: Vec<crate::views::billable::Choice<AccountId>>,
    products: Vec<crate::views::billable::Choice<ProductId>>,
) -> impl IntoView {
    let account = filter.account_id;
    let product = filter.product_id;
    view! {
        <leptos_router::components::Form method="GET" action="/accounting/billable-line-items" attr:class="filters card">
            <input type="hidden" name="status" value=filter.status.as_str()/>
            <div class="field">
                <label for="f-account">"Account"</label>
                <select id="f-account" name="account">
                    <option value="">"All accounts"</option>
                    {accounts.into_iter().map(|c| view! { <option value=c.id.to_string() selected=Some(c.id) == account>{c.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-product">"Product"</label>
                <select id="f-product" name="product">
                    <option value="">"All products"</option>
                    {products.into_iter().map(|c| view! { <option value=c.id.to_string() selected=Some(c.id) == product>{c.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-from">"Billable from"</label>
                <input id="f-from" name="from" type="date" value=filter.from.map(|d| d.to_string()).unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="f-to">"Billable to"</label>
                <input id="f-to" name="to" type="date" value=filter.to.map(|d| d.to_string()).unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="f-sort">"Sort by"</label>
                <select id="f-sort" name="sort">
                    {SortKey::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=k == filter.sort>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-dir">"Order"</label>
                <select id="f-dir" name="dir">
                    <option value="asc" selected=!filter.descending>"Ascending"</option>
                    <option value="desc" selected=filter.descending>"Descending"</option>
                </select>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button button-secondary">"Apply filters"</button>
                <A href="/accounting/billable-line-items" attr:class="button button-ghost">"Clear"</A>
            </div>
        </leptos_router::components::Form>
    }
}

#[component]
fn InvoicePanel(
    selected: RwSignal<BTreeSet<LineItemId>>,
    invoice: ServerAction<InvoiceSelected>,
    filter: BillableFilter,
    total_matching: i64,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let all_matching = RwSignal::new(false);
    let count = move || if all_matching.get() { total_matching } else { selected.with(|s| s.len() as i64) };
    let ids = move || selected.with(|s| s.iter().map(LineItemId::to_string).collect::<Vec<_>>().join(","));
    let result: Signal<Option<Result<InvoiceSelectedResult, AppError>>> = invoice.value().into();
    let query = filter.to_query();
    view! {
        <section class="card invoice-panel" aria-label="Invoice selected line items">
            <leptos::form::ActionForm action=invoice attr:class="invoice-form">
                <input type="hidden" name="ids" prop:value=ids/>
                <input type="hidden" name="all_matching" prop:value=move || all_matching.get().to_string()/>
                <input type="hidden" name="query" value=query/>
                <p class="selection" aria-live="polite">
                    <strong>{move || format!("{} selected", format::count(count()))}</strong>
                    {(total_matching > 0).then(|| view! {
                        <label class="inline-check">
                            <input type="checkbox" prop:checked=move || all_matching.get()
                                on:change=move |ev| all_matching.set(event_target_checked(&ev))/>
                            {format!(" Select all {} matching this filter", format::count(total_matching))}
                        </label>
                    })}
                </p>
                <div class="field">
                    <label for="issue_date">"Issue date"</label>
                    <input id="issue_date" name="issue_date" type="date" value=today.to_string()/>
                    <p class="field-error">{move || field_error(&result.get(), "issue_date")}</p>
                </div>
                <div class="field">
                    <label for="due_date">"Due date (optional)"</label>
                    <input id="due_date" name="due_date" type="date" aria-describedby="due-hint"/>
                    <p class="hint" id="due-hint">"Leave empty to use each account's payment terms."</p>
                    <p class="field-error">{move || field_error(&result.get(), "due_date")}</p>
                </div>
                <div class="field">
                    <label class="inline-check">
                        <input type="checkbox" name="as_drafts" value="true" aria-describedby="drafts-hint"/>
                        " Create as drafts"
                    </label>
                    <p class="hint" id="drafts-hint">"Drafts hold their line items, can be edited, and get a number when finalised."</p>
                </div>
                <div class="field">
                    <label for="then">"Then"</label>
                    <select id="then" name="then" aria-describedby="then-hint">
                        <option value="">"Keep for review"</option>
                        <option value="ready">"Put in Ready to send"</option>
                        <option value="email">"Email now"</option>
                    </select>
                    <p class="hint" id="then-hint">"Ready to send is emailed from Automation > Accounting, or by the next scheduled batch. Drafts are not sent."</p>
                </div>
                <button type="submit" class="button button-primary" disabled=move || count() == 0 || invoice.pending().get()>
                    {move || if invoice.pending().get() { "Invoicing…".to_string() } else { "Invoice Selected".to_string() }}
                </button>
            </leptos::form::ActionForm>
        </section>
    }
}

#[component]
fn InvoiceResult(action: ServerAction<InvoiceSelected>) -> impl IntoView {
    move || {
        action.value().get().map(|r| match r {
            Err(AppError::Invalid(errors)) => {
                let msg = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
                view! { <div class="notice notice-error" role="alert">{msg}</div> }.into_any()
            }
            Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
            Ok(r) => {
                let skipped = match (r.already_invoiced, r.not_billable) {
                    (0, 0) => String::new(),
                    (a, n) => format!(" Skipped {a} already invoiced and {n} not billable."),
                };
                let currency = r.currency.clone();
                let created_count = r.created.len();
                let items = r
                    .created
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li>
                                <A href=format!("/accounting/invoices/{}", c.id)>{c.number.unwrap_or_else(|| "Draft".into())}</A>
                                {format!(" — {} · {} line item{} · {} · due {}", c.account, c.line_count,
                                    if c.line_count == 1 { "" } else { "s" }, format::money(c.total, &currency), format::date(c.due_date))}
                                {c.missing_invoice_recipient.then(|| view! {
                                    " " <span class="badge badge-warning">"No invoice recipient"</span>
                                    " cannot be emailed until " <A href=format!("/accounts/{}#contacts", c.account_id)>{c.account.clone()}</A>
                                    " has a To contact."
                                })}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="notice notice-success" role="status">
                        <strong>{format!("Created {created_count} invoice{}.", if created_count == 1 { "" } else { "s" })}</strong>
                        {skipped}
                        <ul class="created-list">{items}</ul>
                    </div>
                }
                .into_any()
            }
        })
    }
}

#[component]
fn BillableTable(
    rows: Page<BillableRow>,
    currency: String,
    selected: RwSignal<BTreeSet<LineItemId>>,
    page_ids: Vec<LineItemId>,
    can_invoice: bool,
) -> impl IntoView {
    if rows.items.is_empty() {
        return view! { <p class="card muted">"No line items match. Try another tab or clear the filters."</p> }
            .into_any();
    }
    let all_ids = page_ids.clone();
    let all_checked = move || !all_ids.is_empty() && selected.with(|s| all_ids.iter().all(|id| s.contains(id)));
    let toggle_all = move |on: bool| {
        selected.update(|s| {
            for id in &page_ids {
                if on {
                    s.insert(*id);
                } else {
                    s.remove(id);
                }
            }
        })
    };
    let body = rows
        .items
        .into_iter()
        .map(|r| {
            let id = r.id;
            let (status_class, status_text) = status_cell(&r.status);
            view! {
                <tr>
                    {can_invoice.then(|| view! {
                        <td class="check">
                            <input type="checkbox" aria-label=format!("Select {} {}", r.order_number, r.description)
                                prop:checked=move || selected.with(|s| s.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                }/>
                        </td>
                    })}
                    <td>{r.order_number}</td>
                    <th scope="row">{r.account}{r.bill_to.map(|b| view! { <span class="muted small">{format!(" → bills to {b}")}</span> })}</th>
                    <td>
                        {r.product.clone()}
                        {(!r.description.starts_with(&r.product)).then(|| view! { <span class="muted small">{format!(" {}", r.description)}</span> })}
                    </td>
                    <td>{format::date(r.run_date)}</td>
                    <td><span class=format!("badge {status_class}")>{status_text}</span></td>
                    <td class="num">{format::money(r.amount, &currency)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap card">
            <table class="table">
                <caption class="visually-hidden">"Line items not yet invoiced"</caption>
                <thead><tr>
                    {can_invoice.then(|| view! {
                        <th scope="col" class="check">
                            <input type="checkbox" aria-label="Select every line item on this page"
                                prop:checked=all_checked on:change=move |ev| toggle_all(event_target_checked(&ev))/>
                        </th>
                    })}
                    <th scope="col">"Order"</th><th scope="col">"Account"</th><th scope="col">"Product"</th>
                    <th scope="col">"Run date"</th><th scope="col">"Status"</th><th scope="col" class="num">"Amount"</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn status_cell(s: &BillableStatus) -> (&'static str, String) {
    match s {
        BillableStatus::BillableNow { since } => {
            ("badge-confirmed", format!("Billable now (since {})", format::date(*since)))
        }
        BillableStatus::BillableOn(d) => ("badge-draft", format!("Billable on {}", format::date(*d))),
        BillableStatus::NotBillable(reason) => ("badge-warning", format!("Not billable: {}", reason.describe())),
    }
}

#[component]
fn Pager(filter: BillableFilter, rows: Page<BillableRow>) -> impl IntoView {
    let page_count = rows.page_count();
    let prev = (filter.page > 1).then(|| href(&BillableFilter { page: filter.page - 1, ..filter.clone() }));
    let next = (filter.page < page_count).then(|| href(&BillableFilter { page: filter.page + 1, ..filter.clone() }));
    let info = format!("Page {} of {page_count} · {} line items", filter.page, format::count(rows.total));
    view! { <PagerLinks info=info prev=prev next=next/> }
}
