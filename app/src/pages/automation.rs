//! Automation > Accounting: the auto-invoice settings, the Ready to send queue, accounts that
//! cannot receive invoices, and email failures with Retry.

use std::collections::BTreeSet;

use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

use super::{
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{
    api::{
        AppError,
        automation::{RetryEmail, RunTickNow, SaveAutomation, SendInvoices, get_automation},
        error::field_error,
    },
    domain::ids::InvoiceId,
    views::delivery::{AutomationView, MailStatus},
};

#[component]
pub fn AutomationAccountingPage() -> impl IntoView {
    let save = ServerAction::<SaveAutomation>::new();
    let send = ServerAction::<SendInvoices>::new();
    let retry = ServerAction::<RetryEmail>::new();
    let tick = ServerAction::<RunTickNow>::new();
    let data = Resource::new(
        move || (save.version().get(), send.version().get(), retry.version().get(), tick.version().get()),
        |_| get_automation(),
    );
    view! {
        <PageHeader title="Automation: Accounting" subtitle="Auto-invoicing, delivery, and what is waiting to be sent.">
            <A href="/rules" attr:class="button button-secondary">"Manage Rules"</A>
        </PageHeader>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <AutomationScreen view=v save=save send=send retry=retry tick=tick/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MailStatusNotice(status: MailStatus) -> impl IntoView {
    let class = if status.sending { "notice notice-info" } else { "notice notice-warning" };
    view! { <p class=class role="status">{status.description}</p> }
}

#[component]
fn AutomationScreen(
    view: AutomationView,
    save: ServerAction<SaveAutomation>,
    send: ServerAction<SendInvoices>,
    retry: ServerAction<RetryEmail>,
    tick: ServerAction<RunTickNow>,
) -> impl IntoView {
    let stats = [
        ("Waiting to send", view.ready_total),
        ("Queued", view.outbox.pending + view.outbox.in_flight),
        ("Delivered", view.outbox.done),
        ("Failed", view.outbox.failed),
    ];
    let total: i64 = stats.iter().map(|(_, n)| n).sum::<i64>().max(1);
    let summary = stats.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join(", ");
    view! {
        <MailStatusNotice status=view.mail.clone()/>
        <section class="card" aria-label="Email delivery at a glance">
            <div class="delivery-bar" role="img" aria-label=summary>
                {stats.iter().enumerate().map(|(i, (_, n))| view! {
                    <span class=format!("segment segment-{i}") style=format!("flex-grow:{}", (n * 1000 / total).max(if *n > 0 { 8 } else { 0 }))></span>
                }).collect_view()}
            </div>
            <ul class="delivery-legend">
                {stats.iter().enumerate().map(|(i, (l, n))| view! {
                    <li><span class=format!("swatch segment-{i}") aria-hidden="true"></span>{format!("{l}: {}", format::count(*n))}</li>
                }).collect_view()}
            </ul>
        </section>
        <div class="grid-2">
            <SettingsForm view=view.clone() save=save tick=tick/>
            <CannotSend view=view.clone()/>
        </div>
        <ReadyToSend view=view.clone() send=send/>
        <Failures view=view retry=retry/>
        <super::reminders::PastDueRemindersSection/>
    }
}

#[component]
fn SettingsForm(
    view: AutomationView,
    save: ServerAction<SaveAutomation>,
    tick: ServerAction<RunTickNow>,
) -> impl IntoView {
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let disabled = !view.can_edit;
    let (delivery, set_delivery) = signal(view.delivery.clone());
    let (frequency, set_frequency) = signal(view.batch_frequency.clone());
    let mode = view.mode.clone();
    let err = move |f: &'static str| move || field_error(&result.get(), f);
    let weekday = view.batch_weekday;
    let month_day = view.batch_month_day;
    let template_id = view.template_id;
    view! {
        <section class="card" aria-labelledby="auto-heading">
            <h2 id="auto-heading">"Auto-Invoice"</h2>
            <p>
                {format!("{} of {} active products invoice themselves when their billable date comes. ", view.auto_products, view.products)}
                <A href="/rules">"Change which"</A>"."
            </p>
            {view.batch_summary.clone().map(|s| view! { <p class="hint">{format!("Batches go out {s}.")}</p> })}
            {disabled.then(|| view! { <p class="notice notice-info" role="note">"Only admins can change these settings."</p> })}
            {move || match result.get() {
                Some(Ok(())) => Some(view! { <div class="notice notice-success" role="status">"Automation settings saved."</div> }.into_any()),
                Some(Err(AppError::Invalid(_))) => Some(view! { <div class="notice notice-error" role="alert">"Please correct the highlighted fields; nothing was saved."</div> }.into_any()),
                Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
                None => None,
            }}
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <fieldset disabled=disabled>
                    <legend>"When an invoice is generated"</legend>
                    <label class="inline-check"><input type="radio" name="mode" value="generate_only" checked=mode == "generate_only"/>" Generate only (staff send it)"</label>
                    <label class="inline-check"><input type="radio" name="mode" value="generate_and_email" checked=mode == "generate_and_email"/>" Generate and email it"</label>
                    <p class="field-error">{err("mode")}</p>
                </fieldset>
                <fieldset disabled=disabled>
                    <legend>"Emails go out"</legend>
                    {[("automatic", "Automatically, as soon as generated"), ("manual", "Manually, after review in Ready to send"), ("batch", "In scheduled batches")]
                        .into_iter().map(|(value, label)| view! {
                            <label class="inline-check">
                                <input type="radio" name="delivery" value=value checked=move || delivery.get() == value
                                    on:change=move |_| set_delivery.set(value.to_string())/>
                                {format!(" {label}")}
                            </label>
                        }).collect_view()}
                    <p class="field-error">{err("delivery")}</p>
                </fieldset>
                <div class="grid-2" hidden=move || delivery.get() != "batch">
                    <div class="field">
                        <label for="batch_frequency">"Batch"</label>
                        <select id="batch_frequency" name="batch_frequency" disabled=disabled
                            on:change=move |ev| set_frequency.set(event_target_value(&ev))>
                            {[("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly")].into_iter().map(|(v, l)| view! {
                                <option value=v selected=move || frequency.get() == v>{l}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error">{err("batch_frequency")}</p>
                    </div>
                    <div class="field">
                        <label for="batch_time">"At (local time)"</label>
                        <input id="batch_time" name="batch_time" type="time" value=view.batch_time.clone() disabled=disabled/>
                        <p class="field-error">{err("batch_time")}</p>
                    </div>
                    <div class="field" hidden=move || frequency.get() != "weekly">
                        <label for="batch_weekday">"On"</label>
                        <select id="batch_weekday" name="batch_weekday" disabled=disabled>
                            {(1u8..=7).map(|d| view! { <option value=d.to_string() selected=d == weekday>{crate::domain::delivery::weekday_name(d)}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{err("batch_weekday")}</p>
                    </div>
                    <div class="field" hidden=move || frequency.get() != "monthly">
                        <label for="batch_month_day">"Day of the month"</label>
                        <input id="batch_month_day" name="batch_month_day" type="number" min="1" max="28" value=month_day.to_string() disabled=disabled/>
                        <p class="field-error">{err("batch_month_day")}</p>
                    </div>
                </div>
                <div class="field">
                    <label for="template_id">"Email template"</label>
                    <select id="template_id" name="template_id" disabled=disabled>
                        <option value="" selected=template_id.is_none()>"The default invoice template"</option>
                        {view.templates.iter().map(|(id, name)| view! {
                            <option value=id.to_string() selected=template_id == Some(*id)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{err("template_id")}</p>
                </div>
                {(!disabled).then(|| view! {
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                })}
            </ActionForm>
            {view.can_edit.then(|| view! {
                <div class="run-now">
                    <button type="button" class="button button-secondary" disabled=move || tick.pending().get()
                        on:click=move |_| { tick.dispatch(RunTickNow {}); }>
                        {move || if tick.pending().get() { "Running…" } else { "Run auto-invoicing now" }}
                    </button>
                    <p role="status" aria-live="polite">{move || match tick.value().get() {
                        Some(Ok(msg)) => msg,
                        Some(Err(e)) => e.to_string(),
                        None => "The scheduler also runs on its own every minute.".into(),
                    }}</p>
                </div>
            })}
        </section>
    }
}

#[component]
fn CannotSend(view: AutomationView) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="cannot-heading">
            <h2 id="cannot-heading">"Cannot send"</h2>
            {if view.cannot_send.is_empty() {
                view! { <p>"Every account with invoices coming in the next 14 days has someone to send them to."</p> }.into_any()
            } else {
                view! {
                    <p>"These accounts have auto-invoice work coming (or invoices waiting) and no contact who receives invoices (To). Add one before the run:"</p>
                    <ul class="plain-list">
                        {view.cannot_send.iter().map(|a| {
                            let what = match (a.line_items, a.unsent_invoices) {
                                (0, n) => format!("{n} invoice(s) waiting"),
                                (l, 0) => format!("{l} line item(s) billable by {}", format::opt_date(a.first_billable)),
                                (l, n) => format!("{n} invoice(s) waiting, {l} line item(s) coming"),
                            };
                            view! { <li><a href=format!("/accounts/{}", a.account_id)>{a.account.clone()}</a>{format!(" — {what}")}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ReadyToSend(view: AutomationView, send: ServerAction<SendInvoices>) -> impl IntoView {
    let selected = RwSignal::new(BTreeSet::<InvoiceId>::new());
    let ids = move || selected.with(|s| s.iter().map(InvoiceId::to_string).collect::<Vec<_>>().join(","));
    let currency = view.currency.clone();
    let total = view.ready_total;
    let can_send = view.can_send;
    view! {
        <section class="card" aria-labelledby="ready-heading">
            <h2 id="ready-heading">{format!("Ready to send ({})", format::count(total))}</h2>
            {move || send.value().get().map(|r| match r {
                Ok(n) => view! { <div class="notice notice-success" role="status">{format!("{n} email(s) queued for delivery.")}</div> }.into_any(),
                Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
            {if view.ready.is_empty() {
                view! { <p>"Nothing is waiting. Generated invoices wait here when emails go out manually or in batches."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col"><span class="visually-hidden">"Select"</span></th><th scope="col">"Invoice"</th><th scope="col">"Account"</th>
                            <th scope="col">"Issued"</th><th scope="col" class="num">"Total"</th><th scope="col">"Recipient"</th></tr></thead>
                        <tbody>
                            {view.ready.iter().map(|r| {
                                let id = r.id;
                                view! {
                                    <tr>
                                        <td><input type="checkbox" aria-label=format!("Select {}", r.number)
                                            prop:checked=move || selected.with(|s| s.contains(&id))
                                            on:change=move |ev| selected.update(|s| { if event_target_checked(&ev) { s.insert(id); } else { s.remove(&id); } })/></td>
                                        <td><a href=format!("/accounting/invoices/{id}")>{r.number.clone()}</a></td>
                                        <td>{r.account.clone()}</td>
                                        <td>{format::date(r.issue_date)}</td>
                                        <td class="num">{format::money(r.total, &currency)}</td>
                                        <td>{if r.has_recipient {
                                            view! { <span class="badge badge-ok">"OK"</span> }.into_any()
                                        } else {
                                            view! { <a class="badge badge-warn" href=format!("/accounts/{}", r.account_id)>"No recipient"</a> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {can_send.then(|| view! {
                        <div class="actions">
                            <ActionForm action=send>
                                <input type="hidden" name="ids" prop:value=ids/>
                                <input type="hidden" name="all" value="false"/>
                                <button type="submit" class="button button-primary"
                                    disabled=move || selected.with(|s| s.is_empty()) || send.pending().get()>
                                    {move || format!("Send selected ({})", selected.with(|s| s.len()))}
                                </button>
                            </ActionForm>
                            <ActionForm action=send>
                                <input type="hidden" name="ids" value=""/>
                                <input type="hidden" name="all" value="true"/>
                                <button type="submit" class="button button-secondary" disabled=move || send.pending().get()>
                                    {format!("Send all {}", format::count(total))}
                                </button>
                            </ActionForm>
                        </div>
                    })}
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Failures(view: AutomationView, retry: ServerAction<RetryEmail>) -> impl IntoView {
    let can_send = view.can_send;
    view! {
        <section class="card" aria-labelledby="failures-heading">
            <h2 id="failures-heading">{format!("Email failures ({})", view.failures.len())}</h2>
            {move || retry.value().get().and_then(|r| r.err()).map(|e| view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> })}
            {if view.failures.is_empty() {
                view! { <p>"No failed emails."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Invoice"</th><th scope="col">"Account"</th><th scope="col">"Reason"</th>
                            <th scope="col" class="num">"Attempts"</th><th scope="col"><span class="visually-hidden">"Retry"</span></th></tr></thead>
                        <tbody>
                            {view.failures.iter().map(|f| {
                                let outbox_id = f.outbox_id;
                                view! {
                                    <tr>
                                        <td>{match (f.invoice_id, f.invoice_number.clone()) {
                                            (Some(id), Some(n)) => view! { <a href=format!("/accounting/invoices/{id}")>{n}</a> }.into_any(),
                                            _ => view! { <span>"—"</span> }.into_any(),
                                        }}</td>
                                        <td>{f.account.clone().unwrap_or_default()}</td>
                                        <td class="reason">{f.reason.clone()}</td>
                                        <td class="num">{f.attempts}</td>
                                        <td>{can_send.then(|| view! {
                                            <button type="button" class="button button-small"
                                                on:click=move |_| { retry.dispatch(RetryEmail { outbox_id }); }>"Retry"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
