//! Accounting > Aging: who owes what, and for how long.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};
use rust_decimal::Decimal;

use super::{
    charts::BucketChart,
    common::{EmptyState, ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{
    api::{
        AppError,
        aging::{ROWS_ON_PAGE, get_aging, get_aging_account},
        billable::query_pairs,
    },
    domain::aging::{AgingBucket, Buckets},
    views::aging::{AccountKindFilter, AgingAccount, AgingQuery, AgingReport, AgingRow, AgingSort},
};

fn href(q: &AgingQuery) -> String {
    let query = q.to_query();
    if query.is_empty() { "/accounting/aging".into() } else { format!("/accounting/aging?{query}") }
}

#[component]
pub fn AgingPage() -> impl IntoView {
    let location = use_location();
    let query = Memo::new(move |_| {
        let pairs = query_pairs(&location.search.get());
        AgingQuery::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()))
    });
    let report = Resource::new(move || location.search.get(), get_aging);
    let csv_href = move || {
        let q = AgingQuery { account: None, ..query.get() }.to_query();
        format!("/accounting/aging.csv?{q}")
    };
    view! {
        <PageHeader title="Aging" subtitle="Open balances by how long they are past due.">
            <a class="button button-secondary" href=csv_href download rel="external">"Download CSV"</a>
        </PageHeader>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let result = report.await;
                let q = query.get_untracked();
                let as_of_error = result.as_ref().err().and_then(|e| e.field("as_of"));
                view! {
                    <AgingFilter query=q.clone() as_of=result.as_ref().ok().map(|r| r.as_of.to_string()) error=as_of_error.clone()/>
                    // The chosen account's invoices come first, where the click happened.
                    {q.account.map(|_| view! { <AccountDrillDown query=q.clone()/> })}
                    {match result {
                        Err(_) if as_of_error.is_some() => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(r) => view! { <AgingView report=r/> }.into_any(),
                    }}
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn AgingFilter(query: AgingQuery, as_of: Option<String>, error: Option<String>) -> impl IntoView {
    let as_of = as_of.unwrap_or_else(|| query.as_of.clone());
    let invalid = error.is_some();
    view! {
        <leptos_router::components::Form method="GET" action="/accounting/aging" attr:class="search filters" attr:role="search">
            <div class="field">
                <label for="as_of">"As of"</label>
                <input id="as_of" type="date" name="as_of" value=as_of min="1970-01-01" max="2199-12-31"
                    aria-invalid=invalid.then_some("true") aria-describedby=invalid.then_some("as_of-error")/>
                {error.map(|e| view! { <p class="field-error" id="as_of-error" role="alert">{e}</p> })}
            </div>
            <div class="field">
                <label for="q">"Account"</label>
                <input id="q" type="search" name="q" placeholder="Name contains" value=query.search.clone()/>
            </div>
            <div class="field">
                <label for="kind">"Accounts"</label>
                <select id="kind" name="kind">
                    {[(AccountKindFilter::All, "All accounts"), (AccountKindFilter::Advertisers, "Advertisers"), (AccountKindFilter::Agencies, "Agencies")]
                        .into_iter()
                        .map(|(k, label)| view! { <option value=k.as_str() selected=k == query.kind>{label}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="sort">"Sort by"</label>
                <select id="sort" name="sort">
                    {[(AgingSort::Total, "Largest balance"), (AgingSort::Oldest, "Oldest debt"), (AgingSort::Name, "Account name")]
                        .into_iter()
                        .map(|(s, label)| view! { <option value=s.as_str() selected=s == query.sort>{label}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Show"</button>
        </leptos_router::components::Form>
    }
}

#[component]
fn AgingView(report: AgingReport) -> impl IntoView {
    let AgingReport { query, as_of, today, currency, rows, accounts, open_invoices, totals, unapplied_credit } = report;
    let money = {
        let currency = currency.clone();
        move |d: Decimal| format::money(d, &currency)
    };
    let when = if as_of == today { format!("today, {}", format::date(as_of)) } else { format::date(as_of) };
    if accounts == 0 {
        let filtered = !query.search.is_empty() || query.kind != AccountKindFilter::All;
        return view! {
            <EmptyState title="Nothing is owed">
                <p>{if filtered {
                    format!("No account matching this filter had an open balance or credit on {when}.")
                } else {
                    format!("No invoice had an open balance and no payment was waiting as credit on {when}.")
                }}</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <p class="lede">{format!("{} open on {when}: {} across {} invoice{} of {} account{}.",
            money(totals.total()), if totals.past_due() > Decimal::ZERO { format!("{} past due", money(totals.past_due())) } else { "nothing past due".into() },
            format::count(open_invoices), if open_invoices == 1 { "" } else { "s" },
            format::count(accounts as i64), if accounts == 1 { "" } else { "s" })}</p>
        <div class="stats">
            <div class="stat"><span class="stat-value">{money(totals.total())}</span><span class="stat-label">"Open balance"</span></div>
            <div class="stat"><span class="stat-value">{money(totals.past_due())}</span><span class="stat-label">"Past due"</span></div>
            <div class="stat"><span class="stat-value">{money(totals.get(AgingBucket::Over90))}</span><span class="stat-label">"Over 90 days"</span></div>
            <div class="stat"><span class="stat-value">{money(unapplied_credit)}</span><span class="stat-label">"Unapplied credit"</span></div>
        </div>
        <section class="card">
            <h2>"Open balance by age"</h2>
            <BucketChart totals=totals currency=currency.clone()/>
        </section>
        <AgingTable query=query.clone() rows=rows.clone() totals=totals unapplied_credit currency=currency.clone()/>
        {(accounts > rows.len()).then(|| view! {
            <p class="muted">{format!("Showing the first {} of {} accounts in this order; the totals and the CSV include all of them. Search to narrow the list.",
                format::count(ROWS_ON_PAGE as i64), format::count(accounts as i64))}</p>
        })}
    }
    .into_any()
}

#[component]
fn AgingTable(
    query: AgingQuery,
    rows: Vec<AgingRow>,
    totals: Buckets,
    unapplied_credit: Decimal,
    currency: String,
) -> impl IntoView {
    let money = move |d: Decimal| format::money(d, &currency);
    let body = rows
        .into_iter()
        .map(|r| {
            let open = query.account == Some(r.account_id);
            let drill = href(&AgingQuery { account: if open { None } else { Some(r.account_id) }, ..query.clone() });
            let cells = AgingBucket::ALL
                .into_iter()
                .map(|b| {
                    let v = r.buckets.get(b);
                    view! { <td class="num" class:zero=v.is_zero()>{money(v)}</td> }
                })
                .collect_view();
            let kind = if r.kind == "agency" { "Agency" } else { "Advertiser" };
            view! {
                <tr class:selected=open>
                    <th scope="row">
                        <A href=drill attr:aria-expanded=if open { "true" } else { "false" }
                            attr:title=format!("{} open invoice{} — show them", r.open_invoices, if r.open_invoices == 1 { "" } else { "s" })>
                            {r.account.clone()}
                        </A>
                        " " <span class="muted small">{kind}</span>
                    </th>
                    {cells}
                    <td class="num strong">{money(r.buckets.total())}</td>
                    <td class="num" class:zero=r.unapplied_credit.is_zero()>{money(r.unapplied_credit)}</td>
                </tr>
            }
        })
        .collect_view();
    let total_cells =
        AgingBucket::ALL.into_iter().map(|b| view! { <td class="num">{money(totals.get(b))}</td> }).collect_view();
    view! {
        <div class="table-wrap">
            <table class="table aging">
                <caption class="visually-hidden">"Open balance per account by days past due"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Account"</th>
                        {AgingBucket::ALL.into_iter().map(|b| view! { <th scope="col" class="num">{b.label()}</th> }).collect_view()}
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col" class="num">"Unapplied credit"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Total"</th>
                        {total_cells}
                        <td class="num strong">{money(totals.total())}</td>
                        <td class="num">{money(unapplied_credit)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[component]
fn AccountDrillDown(query: AgingQuery) -> impl IntoView {
    let account = query.account.expect("shown only with an account");
    let data = Resource::new(move || (), {
        let as_of = query.as_of.clone();
        move |_| get_aging_account(account, as_of.clone())
    });
    let close = href(&AgingQuery { account: None, ..query.clone() });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || {
                let close = close.clone();
                Suspend::new(async move {
                    match data.await {
                        Err(AppError::Invalid(_)) => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(a) => view! { <AccountInvoices account=a close/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AccountInvoices(account: AgingAccount, close: String) -> impl IntoView {
    let AgingAccount { account_id, account, as_of, currency, invoices, unapplied_credit } = account;
    let money = move |d: Decimal| format::money(d, &currency);
    let balance: Decimal = invoices.iter().map(|i| i.balance).sum();
    let rows = invoices
        .into_iter()
        .map(|i| {
            view! {
                <tr>
                    <th scope="row"><A href=format!("/accounting/invoices/{}", i.id)>{i.number.clone()}</A></th>
                    <td>{format::date(i.issue_date)}</td>
                    <td>{format::date(i.due_date)}</td>
                    <td class="num">{if i.days_past_due == 0 { "—".to_string() } else { i.days_past_due.to_string() }}</td>
                    <td>{i.bucket.label()}</td>
                    <td class="num">{money(i.total)}</td>
                    <td class="num strong">{money(i.balance)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" id="drill-down" aria-labelledby="drill-down-title">
            <header class="card-header">
                <h2 id="drill-down-title">{format!("{account}: open on {}", format::date(as_of))}</h2>
                <A href=close attr:class="button button-secondary">"Close"</A>
            </header>
            <p class="muted">
                {format!("Balance {} · unapplied credit {} · ", money(balance), money(unapplied_credit))}
                <A href=format!("/accounts/{account_id}")>"Account"</A>
            </p>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Invoice"</th>
                            <th scope="col">"Issued"</th>
                            <th scope="col">"Due"</th>
                            <th scope="col" class="num">"Days past due"</th>
                            <th scope="col">"Age"</th>
                            <th scope="col" class="num">"Total"</th>
                            <th scope="col" class="num">"Balance"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
