use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::Decimal;

use super::{
    charts::{BucketChart, MonthChart, TrendChart, WeekChart},
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{api::dashboard::get_dashboard, views::common::CollectionsSummary};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = OnceResource::new(get_dashboard());
    view! {
        <PageHeader title="Dashboard"/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => {
                        let currency = s.currency.clone();
                        view! {
                            <p class="lede">{format!("{} · today is {}", s.organisation, format::date(s.today))}</p>
                            <Collections c=s.collections.clone() currency=currency.clone()/>
                            <h2 class="section-title">"Bookings"</h2>
                            <div class="stats">
                                <Stat label="Accounts" value=format::count(s.accounts) href="/accounts"/>
                                <Stat label="Products" value=format::count(s.products) href="/products"/>
                                <Stat label="Orders" value=format::count(s.orders) href="/orders"/>
                                <Stat label="Line items" value=format::count(s.line_items) href="/orders"/>
                                <Stat label="Booked, next 13 weeks" value=format::money(s.booked_next_90_days, &currency) href="/orders"/>
                            </div>
                            {(s.accounts_without_recipient > 0).then(|| view! {
                                <div class="notice notice-warning" role="status">
                                    {format!("{} account{} {} no invoice recipient, so {} invoices could not be emailed. ",
                                        s.accounts_without_recipient,
                                        if s.accounts_without_recipient == 1 { "" } else { "s" },
                                        if s.accounts_without_recipient == 1 { "has" } else { "have" },
                                        if s.accounts_without_recipient == 1 { "its" } else { "their" })}
                                    <A href="/accounts">"Review accounts"</A>
                                </div>
                            })}
                            <section class="card">
                                <h2>"Booked ad revenue by run week"</h2>
                                <p class="muted">"Line items of confirmed and draft orders, by the week their ads run."</p>
                                <WeekChart weeks=s.weeks.clone() currency=currency.clone()/>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The billing team's first question each morning: who owes what, and is it getting better.
#[component]
fn Collections(c: CollectionsSummary, currency: String) -> impl IntoView {
    let money = {
        let currency = currency.clone();
        move |d: Decimal| format::money(d, &currency)
    };
    let dso = c.dso_days.map(|d| format!("{d} days")).unwrap_or_else(|| "—".into());
    let failures_class = if c.email_failures > 0 { "stat stat-alert" } else { "stat" };
    let (outstanding, past_due, credit) = (money(c.outstanding), money(c.past_due), money(c.unapplied_credit));
    let has_top = !c.top_overdue.is_empty();
    let top = c
        .top_overdue
        .into_iter()
        .map(|a| {
            let href = format!("/accounting/aging?sort=oldest&account={}", a.account_id);
            let over_90 = a.buckets.get(crate::domain::aging::AgingBucket::Over90);
            view! {
                <tr>
                    <th scope="row"><A href=href>{a.account}</A></th>
                    <td class="num strong">{money(a.past_due)}</td>
                    <td class="num" class:zero=over_90.is_zero()>{money(over_90)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2 class="section-title">"Collections"</h2>
        <div class="stats">
            <A href="/accounting/aging" attr:class="stat">
                <span class="stat-value">{outstanding}</span><span class="stat-label">"Outstanding"</span>
            </A>
            <A href="/accounting/invoices?tab=past_due" attr:class="stat">
                <span class="stat-value">{past_due}</span><span class="stat-label">"Past due"</span>
            </A>
            <A href="/accounting/aging" attr:class="stat" attr:title="Days sales outstanding: open balance ÷ the last 90 days' invoicing × 90">
                <span class="stat-value">{dso}</span><span class="stat-label">"DSO, 90 days"</span>
            </A>
            <A href="/accounting/aging" attr:class="stat">
                <span class="stat-value">{credit}</span><span class="stat-label">"Unapplied credit"</span>
            </A>
            <A href="/automation/accounting" attr:class="stat">
                <span class="stat-value">{format::count(c.reminders_last_7_days)}</span><span class="stat-label">"Reminders sent, 7 days"</span>
            </A>
            <A href="/automation/accounting#failures-heading" attr:class=failures_class>
                <span class="stat-value">{format::count(c.email_failures)}</span><span class="stat-label">"Email failures"</span>
            </A>
        </div>
        <div class="grid-2">
            <section class="card">
                <h2>"Invoiced and collected"</h2>
                <p class="muted">"Per month, the last 12 months."</p>
                <MonthChart months=c.months.clone() currency=currency.clone()/>
            </section>
            <section class="card">
                <h2>"Past due at month end"</h2>
                <p class="muted">"Lower is better."</p>
                <TrendChart months=c.months.clone() currency=currency.clone()/>
            </section>
        </div>
        <div class="grid-2">
            <section class="card">
                <h2>"Open balance by age"</h2>
                <BucketChart totals=c.buckets currency=currency.clone() width=520.0/>
                <p><A href="/accounting/aging">"Open the aging report"</A></p>
            </section>
            <section class="card">
                <h2>"Most overdue accounts"</h2>
                {if has_top {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th scope="col">"Account"</th><th scope="col" class="num">"Past due"</th><th scope="col" class="num">"Over 90 days"</th></tr></thead>
                                <tbody>{top}</tbody>
                            </table>
                        </div>
                    }.into_any()
                } else {
                    view! { <p class="muted">"No account is past due."</p> }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn Stat(label: &'static str, value: String, href: &'static str) -> impl IntoView {
    view! {
        <A href=href attr:class="stat">
            <span class="stat-value">{value}</span>
            <span class="stat-label">{label}</span>
        </A>
    }
}
