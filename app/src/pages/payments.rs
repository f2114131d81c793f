//! Accounting > Payments: money received, online and by hand; recording a payment with its
//! allocation across invoices; and the invoice page's Payments and Client links sections.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use rust_decimal::Decimal;

use super::{
    common::{EmptyState, ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{
    api::{
        AppError,
        directory::list_accounts,
        error::field_error,
        payments::{
            ApplyAccountCredit, NewPortalLink, PaymentExceptionView, PaymentFormView, PaymentListRow, RecordPayment,
            ResolvePaymentException, RevokePortalLinks, VoidPayment, get_payment_form, get_payments,
        },
    },
    domain::{
        ids::{AccountId, InvoiceId, PaymentId},
        money::parse_amount,
        payment::{ManualPaymentForm, OpenBalance, PaymentMethod, allocate_in_order},
    },
};

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || changed.get(), |_| get_payments(AccountId(0), InvoiceId(0)));
    let query = use_query_map();
    let recorded = move || query.read().get("recorded").is_some();
    view! {
        <PageHeader title="Payments" subtitle="Money received, online and by hand.">
            <A href="/accounting/payments/new" attr:class="button button-primary">"Record payment"</A>
        </PageHeader>
        {move || recorded().then(|| view! { <div class="notice notice-success" role="status">"Payment recorded. A receipt is on its way to the account's invoice contacts."</div> })}
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) if v.rows.is_empty() => view! {
                        <EmptyState title="No payments yet">
                            <p>"Payments clients make on the Pay Online page, and checks, ACH, wires or cash you record here, "
                               "are listed with the invoices they paid and any credit left over."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(v) => view! {
                        <PaymentExceptions exceptions=v.exceptions.clone() can_resolve=v.can_record changed/>
                        <section class="card" aria-labelledby="received-heading">
                            <h2 id="received-heading">"Received per week"</h2>
                            <super::charts::WeekChart weeks=v.weekly currency=v.currency.clone() measure="money received" unit="payments"/>
                        </section>
                        <PaymentTable rows=v.rows show_account=true can_void=v.can_record changed/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Online payments that need a person: shown above everything else until resolved.
#[component]
fn PaymentExceptions(
    exceptions: Vec<PaymentExceptionView>,
    can_resolve: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    if exceptions.is_empty() {
        return ().into_any();
    }
    let resolve = ServerAction::<ResolvePaymentException>::new();
    Effect::new(move |_| {
        if matches!(resolve.value().get(), Some(Ok(()))) {
            changed.update(|n| *n += 1);
        }
    });
    let count = exceptions.len();
    view! {
        <section class="card card-warning" aria-labelledby="exceptions-heading">
            <h2 id="exceptions-heading">{format!("Payment exceptions ({count})")}</h2>
            <p class="muted">"Money taken online that could not be applied as the client meant. Refund it with the provider, or apply or record it here, then mark it resolved."</p>
            <ul class="exceptions">
                {exceptions.into_iter().map(|e| view! {
                    <li>
                        <strong>{e.kind.clone()}</strong>" · "
                        <A href=format!("/accounts/{}", e.account_id)>{e.account_name.clone()}</A>" · "
                        {format::money(e.amount, &e.currency)}" · "{format::date(e.created_on)}
                        <p>{e.detail.clone()}</p>
                        {can_resolve.then(|| view! {
                            <ActionForm action=resolve>
                                <input type="hidden" name="id" value=e.id.to_string()/>
                                <button type="submit" class="button button-secondary">"Mark resolved"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn PaymentTable(
    rows: Vec<PaymentListRow>,
    show_account: bool,
    can_void: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr>
                    <th scope="col">"Received"</th>
                    {show_account.then(|| view! { <th scope="col">"Account"</th> })}
                    <th scope="col">"Method"</th><th scope="col">"Reference"</th><th scope="col">"Invoices"</th>
                    <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Credit left"</th>
                    <th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| { let status = r.clone(); view! {
                        <tr class:voided=r.voided.is_some()>
                            <td>{format::date(r.received_on)}</td>
                            {show_account.then(|| view! { <td><A href=format!("/accounts/{}", r.account_id)>{r.account_name.clone()}</A></td> })}
                            <td>{r.method.clone()}{r.online.then(|| view! { " " <span class="badge">"online"</span> })}</td>
                            <td>{r.reference.clone()}</td>
                            <td>{if r.invoices.is_empty() { "—".to_string() } else { r.invoices.clone() }}</td>
                            <td class="num">{format::money(r.amount, &r.currency)}</td>
                            <td class="num">{if r.unallocated.is_zero() { "—".to_string() } else { format::money(r.unallocated, &r.currency) }}</td>
                            <td><PaymentStatus row=status can_void changed/></td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// "Voided: reason" for a voided payment; for one entered by hand, the Void form (a reason is
/// required, because every invoice it paid shows it).
#[component]
fn PaymentStatus(row: PaymentListRow, can_void: bool, changed: RwSignal<u32>) -> impl IntoView {
    if let Some(reason) = row.voided {
        return view! { <span class="badge badge-voided">"Voided"</span> " " <span class="hint">{reason}</span> }
            .into_any();
    }
    if !(can_void && row.can_void) {
        return view! { <span class="hint">{if row.online { "Online" } else { "Recorded" }}</span> }.into_any();
    }
    let void = ServerAction::<VoidPayment>::new();
    let result: Signal<Option<Result<Vec<String>, AppError>>> = void.value().into();
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    let id = format!("void-reason-{}", row.id);
    view! {
        <details class="void-payment">
            <summary>"Void…"</summary>
            <ActionForm action=void attr:class="form form-inline">
                <input type="hidden" name="payment_id" value=row.id.to_string()/>
                <div class="field">
                    <label for=id.clone()>"Why is this payment voided?"</label>
                    <input id=id name="reason" required maxlength="500" placeholder="Check returned unpaid"/>
                    <p class="field-error" role="alert">{move || field_error(&result.get(), "reason")}</p>
                </div>
                <p class="hint">"The invoices it paid will be owed again."</p>
                <button type="submit" class="button button-danger" disabled=move || void.pending().get()>"Void payment"</button>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// `/accounting/payments/new[?account=…&invoice=…]`.
#[component]
pub fn RecordPaymentPage() -> impl IntoView {
    let query = use_query_map();
    let from_query = |k: &str| query.read_untracked().get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let account = RwSignal::new(AccountId(from_query("account")));
    let invoice = InvoiceId(from_query("invoice"));
    let search = RwSignal::new(String::new());
    let accounts = Resource::new(move || search.get(), |s| list_accounts(s, 1));
    let form = Resource::new(
        move || account.get(),
        |id| async move { if id.0 > 0 { get_payment_form(id).await.map(Some) } else { Ok(None) } },
    );
    view! {
        <PageHeader title="Record payment" subtitle="A check, ACH, wire, cash or other payment received.">
            <A href="/accounting/payments" attr:class="button button-secondary">"Back to Payments"</A>
        </PageHeader>
        <section class="card">
            <h2>"Who paid"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="account-search">"Find account"</label>
                    <input id="account-search" type="search" placeholder="Name" on:input=move |ev| search.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="account_id">"Account"</label>
                    <Suspense fallback=|| view! { <select id="account_id" disabled><option>"Loading…"</option></select> }>
                        {move || Suspend::new(async move {
                            let list = accounts.await.map(|p| p.items).unwrap_or_default();
                            let current = account.get_untracked();
                            view! {
                                <select id="account_id" on:change=move |ev| account.set(event_target_value(&ev).parse().unwrap_or_default())>
                                    <option value="0">"Choose an account"</option>
                                    {list.into_iter().map(|a| { let sel = a.id == current; view! { <option value=a.id.to_string() selected=sel>{a.name}</option> } }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
            </div>
        </section>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(None) => view! { <p class="hint">"Choose the account the payment came from to see its open invoices."</p> }.into_any(),
                    Ok(Some(v)) => view! { <PaymentForm view=v invoice=invoice/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn amount_or_zero(s: &str) -> Decimal {
    parse_amount(s).unwrap_or_default()
}

#[component]
fn PaymentForm(view: PaymentFormView, invoice: InvoiceId) -> impl IntoView {
    let PaymentFormView { account_id, account_name, currency, today, open, credit } = view;
    let preset = open.iter().find(|o| o.id == invoice).map(|o| o.balance);
    let amount = RwSignal::new(preset.map(|b| b.round_dp(2).to_string()).unwrap_or_default());
    let allocations: Vec<(InvoiceId, RwSignal<String>)> = open
        .iter()
        .map(|o| {
            (
                o.id,
                RwSignal::new(if Some(o.id) == preset.map(|_| invoice) {
                    o.balance.round_dp(2).to_string()
                } else {
                    String::new()
                }),
            )
        })
        .collect();
    let method = RwSignal::new("check".to_string());
    let received_on = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let reference = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let record = ServerAction::<RecordPayment>::new();
    let result: Signal<Option<Result<PaymentId, AppError>>> = record.value().into();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            navigate(
                if invoice.0 > 0 {
                    format!("/accounting/invoices/{invoice}")
                } else {
                    "/accounting/payments?recorded=1".into()
                }
                .as_str(),
                Default::default(),
            );
        }
    });
    let allocs = StoredValue::new(allocations.clone());
    let balances =
        StoredValue::new(open.iter().map(|o| OpenBalance { invoice_id: o.id, balance: o.balance }).collect::<Vec<_>>());
    let allocated = move || allocs.with_value(|a| a.iter().map(|(_, s)| amount_or_zero(&s.get())).sum::<Decimal>());
    let cur = currency.clone();
    let summary = move || {
        let paid = amount_or_zero(&amount.get());
        let used = allocated();
        let left = paid - used;
        if left < Decimal::ZERO {
            format!("Allocated {} — more than the payment by {}", format::money(used, &cur), format::money(-left, &cur))
        } else {
            format!(
                "Allocated {} · left on the account as credit {}",
                format::money(used, &cur),
                format::money(left, &cur)
            )
        }
    };
    let spread = move |_| {
        let (spread, _) = balances.with_value(|b| allocate_in_order(amount_or_zero(&amount.get_untracked()), b));
        allocs.with_value(|a| {
            for (id, s) in a {
                s.set(spread.iter().find(|(i, _)| i == id).map(|(_, v)| v.round_dp(2).to_string()).unwrap_or_default());
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ManualPaymentForm {
            account_id: account_id.to_string(),
            method: method.get_untracked(),
            amount: amount.get_untracked(),
            received_on: received_on.get_untracked(),
            reference: reference.get_untracked(),
            notes: notes.get_untracked(),
            allocations: allocs.with_value(|a| a.iter().map(|(id, s)| (*id, s.get_untracked())).collect()),
        };
        record.dispatch(RecordPayment { form });
    };
    let err = move |f: &'static str| move || field_error(&result.get(), f);
    let general = move || match result.get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
    };
    let cur2 = currency.clone();
    view! {
        <form class="card form" on:submit=submit aria-labelledby="payment-heading" novalidate>
            <h2 id="payment-heading">{format!("Payment from {account_name}")}</h2>
            {(!credit.is_zero()).then(|| view! { <p class="hint">{format!("This account already has {} of unused credit.", format::money(credit, &currency))}</p> })}
            {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="amount">"Amount received (required)"</label>
                    <input id="amount" inputmode="decimal" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))
                        aria-describedby="amount-error"/>
                    <p class="field-error" id="amount-error">{err("amount")}</p>
                </div>
                <div class="field">
                    <label for="method">"Method"</label>
                    <select id="method" on:change=move |ev| method.set(event_target_value(&ev)) aria-describedby="method-error">
                        {PaymentMethod::MANUAL.into_iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" id="method-error">{err("method")}</p>
                </div>
                <div class="field">
                    <label for="received_on">"Date received"</label>
                    <input id="received_on" type="date" prop:value=move || received_on.get() on:input=move |ev| received_on.set(event_target_value(&ev))
                        aria-describedby="received_on-error"/>
                    <p class="field-error" id="received_on-error">{err("received_on")}</p>
                </div>
                <div class="field">
                    <label for="reference">"Reference"</label>
                    <input id="reference" placeholder="Check number, transfer id" prop:value=move || reference.get()
                        on:input=move |ev| reference.set(event_target_value(&ev)) aria-describedby="reference-error"/>
                    <p class="field-error" id="reference-error">{err("reference")}</p>
                </div>
            </div>
            <h3>"Apply to invoices"</h3>
            {if open.is_empty() {
                view! { <p class="hint">"This account has no open invoices: the whole payment becomes account credit."</p> }.into_any()
            } else {
                view! {
                    <p><button type="button" class="button button-secondary" on:click=spread>"Apply oldest first"</button></p>
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr><th scope="col">"Invoice"</th><th scope="col">"Due"</th><th scope="col" class="num">"Balance"</th><th scope="col" class="num">"Apply"</th></tr></thead>
                            <tbody>
                                {open.clone().into_iter().zip(allocations.clone()).map(|(o, (id, s))| {
                                    let field = format!("allocation-{id}");
                                    let label = format!("Amount applied to {}", o.number);
                                    let f2 = field.clone();
                                    view! {
                                        <tr>
                                            <th scope="row"><A href=format!("/accounting/invoices/{}", o.id)>{o.number.clone()}</A></th>
                                            <td>{format::date(o.due_date)}</td>
                                            <td class="num">{format::money(o.balance, &cur2)}</td>
                                            <td class="num">
                                                <input class="input-amount" inputmode="decimal" aria-label=label prop:value=move || s.get()
                                                    on:input=move |ev| s.set(event_target_value(&ev))/>
                                                <p class="field-error">{move || field_error(&result.get(), &f2)}</p>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="summary" aria-live="polite">{summary}</p>
            <div class="field">
                <label for="notes">"Notes"</label>
                <textarea id="notes" rows="2" prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            </div>
            <button type="submit" class="button button-primary" disabled=move || record.pending().get()>
                {move || if record.pending().get() { "Recording…" } else { "Record payment" }}
            </button>
        </form>
    }
}

/// The invoice page's Payments section: what was applied, Record payment, Apply credit.
#[component]
pub fn InvoicePaymentsPanel(
    invoice_id: InvoiceId,
    account_id: AccountId,
    balance: Decimal,
    currency: String,
    open: bool,
    /// Bumped when a payment is voided here, so the whole invoice page shows its new balance.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let credit = ServerAction::<ApplyAccountCredit>::new();
    let data =
        Resource::new(move || (credit.version().get(), changed.get()), move |_| get_payments(AccountId(0), invoice_id));
    let credit_result: Signal<Option<Result<Decimal, AppError>>> = credit.value().into();
    let cur = currency.clone();
    view! {
        <section class="card" aria-labelledby="payments-heading">
            <h2 id="payments-heading">"Payments"</h2>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || { let cur = cur.clone(); Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(v) => {
                            let can = v.can_record;
                            view! {
                                {if v.rows.is_empty() { view! { <p class="hint">"No payments yet."</p> }.into_any() } else {
                                    view! { <ul class="payments">{v.rows.into_iter().map(|r| view! {
                                        <li class:voided=r.voided.is_some()>
                                            <span class="payment-summary">{format!("{} · {} {} · {}", format::date(r.received_on), r.method, r.reference, format::money(r.amount, &r.currency))}</span>
                                            " " <PaymentStatus row=r.clone() can_void=can changed/>
                                        </li>
                                    }).collect_view()}</ul> }.into_any()
                                }}
                                {(can && open && balance > Decimal::ZERO).then(|| view! {
                                    <p><A href=format!("/accounting/payments/new?account={account_id}&invoice={invoice_id}") attr:class="button button-secondary">"Record payment"</A></p>
                                    <details>
                                        <summary>"Apply account credit"</summary>
                                        <ActionForm action=credit attr:class="form">
                                            <input type="hidden" name="invoice_id" value=invoice_id.to_string()/>
                                            <div class="field">
                                                <label for="credit">"Amount"</label>
                                                <input id="credit" name="amount" inputmode="decimal" value=balance.round_dp(2).to_string()/>
                                                <p class="field-error">{move || field_error(&credit_result.get(), "credit")}</p>
                                            </div>
                                            <button type="submit" class="button button-secondary">"Apply credit"</button>
                                        </ActionForm>
                                        {move || credit_result.get().and_then(|r| r.ok()).map(|a| view! {
                                            <p class="notice notice-success" role="status">{format!("Applied {}. Reload to see the new balance.", format::money(a, &cur))}</p>
                                        })}
                                    </details>
                                })}
                            }.into_any()
                        }
                    }
                })}}
            </Suspense>
        </section>
    }
}

/// Links staff can hand a client (shown once; only a hash is kept) and revoke.
#[component]
pub fn ClientLinksPanel(invoice_id: InvoiceId) -> impl IntoView {
    let issue = ServerAction::<NewPortalLink>::new();
    let revoke = ServerAction::<RevokePortalLinks>::new();
    view! {
        <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">"Client links"</h2>
            <p class="hint">"Every invoice email carries its own Pay Online link. Issue one to share by hand, or revoke them all if one reached the wrong person."</p>
            <div class="button-row">
                <button type="button" class="button button-secondary" on:click=move |_| { issue.dispatch(NewPortalLink { invoice_id, statement: false }); }>"New Pay Online link"</button>
                <button type="button" class="button button-secondary" on:click=move |_| { issue.dispatch(NewPortalLink { invoice_id, statement: true }); }>"New Unpaid Invoices link"</button>
            </div>
            {move || issue.value().get().map(|r| match r {
                Ok(url) => view! {
                    <div class="notice notice-success" role="status">
                        <p>"Copy this link now; it is not shown again."</p>
                        <input class="link-once" readonly value=url.clone() aria-label="New client link" onfocus="this.select()"/>
                    </div>
                }.into_any(),
                Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
            <div class="button-row">
                <button type="button" class="button button-danger" on:click=move |_| { revoke.dispatch(RevokePortalLinks { invoice_id, statement: false }); }>"Revoke Pay Online links"</button>
                <button type="button" class="button button-danger" on:click=move |_| { revoke.dispatch(RevokePortalLinks { invoice_id, statement: true }); }>"Revoke all links of the account"</button>
            </div>
            {move || revoke.value().get().map(|r| match r {
                Ok(n) => view! { <p class="notice notice-success" role="status">{format!("{n} link(s) revoked. They now show \"link not valid\".")}</p> }.into_any(),
                Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
        </section>
    }
}
