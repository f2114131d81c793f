//! Past-due reminders in the UI: the settings and ladder on Automation > Accounting, the
//! Reminders view (upcoming, sent, failed), the invoice page's Reminders section and the
//! account page's pause switch.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

use super::{
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{
    api::{
        AppError,
        automation::RetryEmail,
        error::field_error,
        reminders::{
            DeleteReminderRule, SaveReminderRule, SaveReminderSettings, SendReminder, SetAccountRemindersPaused,
            SetInvoiceRemindersPaused, get_account_reminders_paused, get_invoice_reminders, get_reminder_settings,
            get_reminders,
        },
    },
    domain::ids::{AccountId, InvoiceId, TemplateId},
    views::reminders::{InvoiceReminders, ReminderRecord, ReminderRuleDto, ReminderSettingsView, RemindersView},
};

fn step_label(days: i64) -> String {
    format!("Day {days}")
}

/// Automation > Accounting > Past Due Reminders.
#[component]
pub fn PastDueRemindersSection() -> impl IntoView {
    let save = ServerAction::<SaveReminderSettings>::new();
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || (save.version().get(), changed.get()), |_| get_reminder_settings());
    view! {
        <section class="card" aria-labelledby="reminders-heading">
            <h2 id="reminders-heading">"Past Due Reminders"</h2>
            <p>
                "Reminders go out at the days past due you choose, each with its own template, only while an invoice is still owed. "
                <A href="/automation/reminders">"See upcoming, sent and failed reminders"</A>"."
            </p>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(v) => view! { <ReminderSettingsForm view=v save=save changed=changed/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReminderSettingsForm(
    view: ReminderSettingsView,
    save: ServerAction<SaveReminderSettings>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let disabled = !view.can_edit;
    let style = view.style.clone();
    let templates = view.templates.clone();
    view! {
        {disabled.then(|| view! { <p class="notice notice-info" role="note">"Only admins can change reminder settings."</p> })}
        {move || match result.get() {
            Some(Ok(())) => Some(view! { <div class="notice notice-success" role="status">"Reminder settings saved."</div> }.into_any()),
            Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
            None => None,
        }}
        <ActionForm action=save attr:class="form" attr:novalidate=true>
            <fieldset disabled=disabled>
                <legend>"Reminders"</legend>
                <label class="inline-check">
                    <input type="checkbox" id="reminders_enabled" name="enabled" value="on" checked=view.enabled/>
                    " Send past-due reminders"
                </label>
                <div class="field">
                    <label for="reminder_style">"How"</label>
                    <select id="reminder_style" name="style">
                        <option value="per_invoice" selected=style == "per_invoice">"One reminder per invoice"</option>
                        <option value="per_contact_daily" selected=style == "per_contact_daily">
                            "One email per contact per day, listing all their past-due invoices"
                        </option>
                    </select>
                    <p class="field-error">{move || field_error(&result.get(), "style")}</p>
                </div>
                {(!disabled).then(|| view! {
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save reminder settings"</button>
                })}
            </fieldset>
        </ActionForm>
        <h3>"Ladder"</h3>
        <p class="hint">"An invoice gets only the highest step it has reached, once: after a long outage it gets one reminder, not several."</p>
        {if view.rules.is_empty() {
            view! { <p>"No steps yet: add one below."</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list reminder-rules">
                    {view.rules.iter().map(|r| view! {
                        <li><RuleEditor rule=Some(r.clone()) templates=templates.clone() can_edit=view.can_edit changed=changed/></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {view.can_edit.then(|| view! {
            <h3>"Add a step"</h3>
            <RuleEditor rule=None templates=templates.clone() can_edit=true changed=changed/>
        })}
    }
}

/// One ladder step (or a new one): its own action, so field errors stay on its row.
#[component]
fn RuleEditor(
    rule: Option<ReminderRuleDto>,
    templates: Vec<(TemplateId, String)>,
    can_edit: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let save = ServerAction::<SaveReminderRule>::new();
    let delete = ServerAction::<DeleteReminderRule>::new();
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) || matches!(delete.value().get(), Some(Ok(()))) {
            changed.update(|n| *n += 1);
        }
    });
    let key = rule.as_ref().map(|r| r.id.to_string()).unwrap_or_else(|| "new".into());
    let id = rule.as_ref().map(|r| r.id.to_string()).unwrap_or_default();
    let days = rule.as_ref().map(|r| r.days.to_string()).unwrap_or_default();
    let template_id = rule.as_ref().and_then(|r| r.template_id);
    let cc = rule.as_ref().is_some_and(|r| r.cc_other_contacts);
    let attach = rule.as_ref().is_some_and(|r| r.attach_statement);
    let rule_id = rule.as_ref().map(|r| r.id);
    let data_rule = id.clone();
    let field = move |name: &str| format!("rule-{key}-{name}");
    let err = move |f: &'static str| move || field_error(&result.get(), f);
    view! {
        <ActionForm action=save attr:class="form ladder-step" attr:novalidate=true attr:data-rule=data_rule>
            <input type="hidden" name="id" value=id/>
            <fieldset disabled=!can_edit>
                <div class="rule-fields">
                <div class="field">
                    <label for=field("days")>"Days past due"</label>
                    <input id=field("days") name="days" type="number" min="1" step="1" inputmode="numeric" value=days/>
                    <p class="field-error">{err("days")}</p>
                </div>
                <div class="field">
                    <label for=field("template")>"Template"</label>
                    <select id=field("template") name="template_id">
                        <option value="" selected=template_id.is_none()>"The default reminder template"</option>
                        {templates.iter().map(|(tid, name)| view! {
                            <option value=tid.to_string() selected=template_id == Some(*tid)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{err("template_id")}</p>
                </div>
                <label class="inline-check"><input type="checkbox" name="cc_other_contacts" value="on" checked=cc/>" Cc the account's other billing contacts"</label>
                <label class="inline-check"><input type="checkbox" name="attach_statement" value="on" checked=attach/>" Attach a statement (CSV)"</label>
                {move || match result.get() {
                    Some(Err(AppError::Invalid(_))) | None => None,
                    Some(Ok(())) => Some(view! { <p class="notice notice-success" role="status">"Saved."</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> }.into_any()),
                }}
                {can_edit.then(|| view! {
                    <div class="actions">
                        <button type="submit" class="button button-secondary" disabled=move || save.pending().get()>
                            {if rule_id.is_some() { "Save step" } else { "Add step" }}
                        </button>
                        {rule_id.map(|rid| view! {
                            <button type="button" class="button button-small button-danger"
                                on:click=move |_| { delete.dispatch(DeleteReminderRule { id: rid }); }>"Delete"</button>
                        })}
                    </div>
                })}
                </div>
            </fieldset>
        </ActionForm>
    }
}

/// `/automation/reminders`: what is coming in the next 7 days, what went, what failed.
#[component]
pub fn RemindersPage() -> impl IntoView {
    let retry = ServerAction::<RetryEmail>::new();
    let data = Resource::new(move || retry.version().get(), |_| get_reminders());
    view! {
        <PageHeader title="Reminders" subtitle="Past-due reminders: upcoming, sent and failed.">
            <A href="/automation/accounting" attr:class="button button-secondary">"Reminder settings"</A>
        </PageHeader>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <RemindersScreen view=v retry=retry/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn invoice_link(id: InvoiceId, number: String) -> impl IntoView {
    view! { <a href=format!("/accounting/invoices/{id}")>{number}</a> }
}

#[component]
fn RemindersScreen(view: RemindersView, retry: ServerAction<RetryEmail>) -> impl IntoView {
    let can_send = view.can_send;
    view! {
        {(!view.enabled).then(|| view! {
            <p class="notice notice-warning" role="status">
                "Reminders are switched off: nothing below will be sent until an admin switches them on in "
                <A href="/automation/accounting">"Automation > Accounting"</A>"."
            </p>
        })}
        <section class="card" aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">{format!("Upcoming (next 7 days from {})", format::date(view.today))}</h2>
            {if view.upcoming.is_empty() {
                view! { <p>"No reminders are due in the next 7 days."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Step"</th><th scope="col">"Invoice"</th>
                            <th scope="col">"Account"</th><th scope="col" class="num">"Balance"</th></tr></thead>
                        <tbody>
                            {view.upcoming.into_iter().map(|u| view! {
                                <tr>
                                    <td>{format::date(u.date)}</td>
                                    <td>{step_label(u.days)}</td>
                                    <td>{invoice_link(u.invoice_id, u.number)}</td>
                                    <td><a href=format!("/accounts/{}", u.account_id)>{u.account}</a></td>
                                    <td class="num">{format::money(u.balance, &u.currency)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="sent-heading">
            <h2 id="sent-heading">{format!("Sent ({})", view.sent.len())}</h2>
            <RecordTable records=view.sent empty="No reminders have been sent yet." retry=None/>
        </section>
        <section class="card" aria-labelledby="failed-heading">
            <h2 id="failed-heading">{format!("Failed ({})", view.failed.len())}</h2>
            {move || retry.value().get().and_then(|r| r.err()).map(|e| view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> })}
            <RecordTable records=view.failed empty="No failed reminders." retry=can_send.then_some(retry)/>
        </section>
    }
}

#[component]
fn RecordTable(
    records: Vec<ReminderRecord>,
    empty: &'static str,
    retry: Option<ServerAction<RetryEmail>>,
) -> impl IntoView {
    if records.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th scope="col">"When"</th><th scope="col">"Step"</th><th scope="col">"Invoice"</th>
                <th scope="col">"Account"</th><th scope="col">"By"</th><th scope="col">"Detail"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                {records.into_iter().map(|r| {
                    let outbox_id = r.outbox_id;
                    view! {
                        <tr>
                            <td>{r.when.shown.clone()}</td>
                            <td>{step_label(r.days)}{r.manual.then_some(" (sent by hand)")}</td>
                            <td>{invoice_link(r.invoice_id, r.number)}</td>
                            <td>{r.account}</td>
                            <td>{r.actor}</td>
                            <td class="reason">{r.reason}</td>
                            <td>{retry.zip(outbox_id).map(|(retry, outbox_id)| view! {
                                <button type="button" class="button button-small"
                                    on:click=move |_| { retry.dispatch(RetryEmail { outbox_id }); }>"Retry"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The invoice page's Reminders section: what was sent, what comes next, Send reminder and
/// Pause / Resume.
#[component]
pub fn InvoiceRemindersPanel(invoice_id: InvoiceId) -> impl IntoView {
    let send = ServerAction::<SendReminder>::new();
    let pause = ServerAction::<SetInvoiceRemindersPaused>::new();
    let data = Resource::new(
        move || (send.version().get(), pause.version().get()),
        move |_| get_invoice_reminders(invoice_id),
    );
    view! {
        <section class="card" aria-labelledby="reminders-heading">
            <h2 id="reminders-heading">"Reminders"</h2>
            {move || send.value().get().map(|r| match r {
                Ok(step) => view! { <div class="notice notice-success" role="status">{format!("Day {step} reminder queued.")}</div> }.into_any(),
                Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
            {move || pause.value().get().and_then(|r| r.err()).map(|e| view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(r) => view! { <InvoiceReminderState data=r invoice_id=invoice_id send=send pause=pause/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn InvoiceReminderState(
    data: InvoiceReminders,
    invoice_id: InvoiceId,
    send: ServerAction<SendReminder>,
    pause: ServerAction<SetInvoiceRemindersPaused>,
) -> impl IntoView {
    let status = if !data.owed {
        "Nothing is owed: no reminders will be sent.".to_string()
    } else if data.paused {
        "Reminders are paused for this invoice.".to_string()
    } else if data.account_paused {
        "Reminders are paused for this account.".to_string()
    } else if !data.enabled {
        "Past-due reminders are switched off in Automation > Accounting.".to_string()
    } else {
        match data.next {
            Some((days, date)) => format!("Next: day {days} reminder on {}.", format::date(date)),
            None => "Every reminder step has been sent.".to_string(),
        }
    };
    let paused = data.paused;
    view! {
        <p class="reminder-next">{status}</p>
        {data.can_send.then(|| view! {
            <div class="actions">
                {data.manual_step.map(|step| view! {
                    <button type="button" class="button button-secondary" disabled=move || send.pending().get()
                        on:click=move |_| { send.dispatch(SendReminder { invoice_id }); }>
                        {format!("Send day {step} reminder now")}
                    </button>
                })}
                {data.owed.then(|| view! {
                    <button type="button" class="button button-secondary"
                        on:click=move |_| { pause.dispatch(SetInvoiceRemindersPaused { invoice_id, paused: !paused }); }>
                        {if paused { "Resume reminders" } else { "Pause reminders" }}
                    </button>
                })}
            </div>
        })}
        {if data.history.is_empty() {
            view! { <p class="hint">"No reminder has been sent for this invoice."</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list reminder-history">
                    {data.history.into_iter().map(|r| view! {
                        <li>
                            <span class=format!("badge badge-{}", r.status)>{r.status.clone()}</span>
                            {format!(" {} reminder{} · {}", step_label(r.days), if r.manual { " (by hand)" } else { "" }, r.when.shown.clone())}
                            {(!r.reason.is_empty()).then(|| view! { <p class="reason">{r.reason.clone()}</p> })}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// The account page's switch: pause every reminder for this account's invoices.
#[component]
pub fn AccountRemindersToggle(account_id: AccountId) -> impl IntoView {
    let set = ServerAction::<SetAccountRemindersPaused>::new();
    let data = Resource::new(move || set.version().get(), move |_| get_account_reminders_paused(account_id));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|paused| view! {
                    <button type="button" class="button button-secondary" disabled=move || set.pending().get()
                        on:click=move |_| { set.dispatch(SetAccountRemindersPaused { account_id, paused: !paused }); }>
                        {if paused { "Resume reminders" } else { "Pause reminders" }}
                    </button>
                })
            })}
        </Suspense>
    }
}
