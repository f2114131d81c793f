use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::{Decimal, prelude::ToPrimitive};

use super::{
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{api::dashboard::get_dashboard, views::common::WeekBucket};

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

#[component]
fn Stat(label: &'static str, value: String, href: &'static str) -> impl IntoView {
    view! {
        <A href=href attr:class="stat">
            <span class="stat-value">{value}</span>
            <span class="stat-label">{label}</span>
        </A>
    }
}

/// A bar chart in plain SVG: readable without JavaScript and by screen readers (each bar
/// has a title, and the chart a summary label).
#[component]
pub fn WeekChart(
    weeks: Vec<WeekBucket>,
    currency: String,
    /// What the bars measure, for the chart's summary ("booked revenue").
    #[prop(default = "booked revenue")]
    measure: &'static str,
    /// What each bar counts, for its title ("line items").
    #[prop(default = "line items")]
    unit: &'static str,
) -> impl IntoView {
    let max = weeks.iter().map(|w| w.amount).max().unwrap_or(Decimal::ZERO).max(Decimal::ONE);
    let (width, height, pad_left, pad_bottom) = (760.0_f64, 240.0_f64, 64.0_f64, 36.0_f64);
    let plot_h = height - pad_bottom - 12.0;
    let slot = (width - pad_left) / weeks.len().max(1) as f64;
    let total: Decimal = weeks.iter().map(|w| w.amount).sum();
    let label = format!(
        "Bar chart of {measure} for {} weeks, {} in total, highest week {}.",
        weeks.len(),
        format::money(total, &currency),
        format::money(max, &currency)
    );
    // Display-only geometry: the amounts themselves stay decimal.
    let ratio = |a: Decimal| (a / max).to_f64().unwrap_or(0.0);
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let h = (ratio(w.amount) * plot_h).max(if w.amount > Decimal::ZERO { 2.0 } else { 0.0 });
            let x = pad_left + i as f64 * slot + slot * 0.15;
            let y = height - pad_bottom - h;
            let title = format!(
                "Week of {}: {} across {} {unit}",
                format::date(w.week_start),
                format::money(w.amount, &currency),
                w.line_items
            );
            let tick = w.week_start.format("%b %-d").to_string();
            view! {
                <g>
                    <rect x=x y=y width=slot * 0.7 height=h rx="3" class="bar"><title>{title}</title></rect>
                    <text x=x + slot * 0.35 y=height - pad_bottom + 18.0 text-anchor="middle" class="tick">{tick}</text>
                </g>
            }
        })
        .collect_view();
    let grid = (0..=4)
        .map(|g| {
            let frac = f64::from(g) / 4.0;
            let y = height - pad_bottom - frac * plot_h;
            let value = crate::domain::money::round_cents(max * Decimal::from(g) / Decimal::from(4));
            view! {
                <g>
                    <line x1=pad_left x2=width y1=y y2=y class="grid"/>
                    <text x=pad_left - 8.0 y=y + 4.0 text-anchor="end" class="tick">{compact_money(value, &currency)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
            {grid}
            {bars}
        </svg>
    }
}

fn compact_money(v: Decimal, currency: &str) -> String {
    let full = format::money(v, currency);
    if v >= Decimal::from(1000) {
        let k = (v / Decimal::from(1000)).round_dp(1);
        let sym: String = full.chars().take_while(|c| !c.is_ascii_digit()).collect();
        format!("{sym}{k}k")
    } else {
        full
    }
}
