//! Charts drawn on the server as SVG: no chart library to download, readable without
//! JavaScript, each with a label that says in words what it shows. Geometry is `f64` for
//! display only; the amounts stay decimal.

use leptos::prelude::*;
use rust_decimal::{Decimal, prelude::ToPrimitive};

use super::format;
use crate::{
    domain::aging::{AgingBucket, Buckets},
    views::common::{MonthFigures, WeekBucket},
};

fn ratio(v: Decimal, max: Decimal) -> f64 {
    (v / max).to_f64().unwrap_or(0.0)
}

/// `$12.3k` for axis labels.
pub fn compact_money(v: Decimal, currency: &str) -> String {
    let full = format::money(v, currency);
    if v.abs() >= Decimal::from(1000) {
        let k = (v / Decimal::from(1000)).round_dp(1);
        let sym: String = full.chars().take_while(|c| !c.is_ascii_digit() && *c != '-').collect();
        format!("{sym}{k}k")
    } else {
        full
    }
}

/// The five buckets as horizontal bars, drawn on the server as SVG; the table above says the
/// same in numbers, and the chart's label says it in words.
#[component]
pub fn BucketChart(
    totals: Buckets,
    currency: String,
    /// The drawing's width in SVG units: smaller for a half-width card, so its text stays legible.
    #[prop(default = 760.0)]
    width: f64,
) -> impl IntoView {
    let max = totals.0.iter().copied().max().unwrap_or(Decimal::ZERO).max(Decimal::ONE);
    let total = totals.total();
    // Room for the labels and amounts at the larger type phones get (see main.css).
    let (row_h, label_w, value_w) = (34.0_f64, 130.0_f64, 200.0_f64);
    let bar_w = width - label_w - value_w;
    let summary = AgingBucket::ALL
        .into_iter()
        .map(|b| format!("{} {}", b.label(), format::money(totals.get(b), &currency)))
        .collect::<Vec<_>>()
        .join(", ");
    let bars = AgingBucket::ALL
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let v = totals.get(b);
            let share = if total.is_zero() { Decimal::ZERO } else { v / total * Decimal::from(100) };
            // Display-only geometry: the amounts stay decimal.
            let w = (ratio(v, max) * bar_w).max(if v > Decimal::ZERO { 2.0 } else { 0.0 });
            let y = i as f64 * row_h;
            let class = format!("bar bucket-{}", b.index());
            view! {
                <g>
                    <text x=label_w - 10.0 y=y + row_h * 0.62 text-anchor="end" class="tick">{b.label()}</text>
                    <rect x=label_w y=y + 6.0 width=w height=row_h - 12.0 rx="3" class=class>
                        <title>{format!("{}: {}", b.label(), format::money(v, &currency))}</title>
                    </rect>
                    <text x=label_w + w + 8.0 y=y + row_h * 0.62 class="tick">
                        {format!("{} ({}%)", format::money(v, &currency), share.round_dp(0))}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart chart-aging" viewBox=format!("0 0 {width} {}", row_h * 5.0) role="img"
            aria-label=format!("Open balance by days past due: {summary}.") preserveAspectRatio="xMinYMid meet">
            {bars}
        </svg>
    }
}

/// Invoiced and collected per month, side by side.
#[component]
pub fn MonthChart(months: Vec<MonthFigures>, currency: String) -> impl IntoView {
    let max = months.iter().flat_map(|m| [m.invoiced, m.collected]).max().unwrap_or(Decimal::ZERO).max(Decimal::ONE);
    // Drawn for a half-width card: text at this scale reads like the page's small print.
    let (width, height, pad_left, pad_bottom) = (480.0_f64, 250.0_f64, 60.0_f64, 36.0_f64);
    let plot_h = height - pad_bottom - 16.0;
    let slot = (width - pad_left) / months.len().max(1) as f64;
    let invoiced: Decimal = months.iter().map(|m| m.invoiced).sum();
    let collected: Decimal = months.iter().map(|m| m.collected).sum();
    let label = format!(
        "Invoiced and collected per month for {} months: {} invoiced and {} collected in all.",
        months.len(),
        format::money(invoiced, &currency),
        format::money(collected, &currency)
    );
    let bar = |v: Decimal| (ratio(v, max) * plot_h).max(if v > Decimal::ZERO { 2.0 } else { 0.0 });
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = pad_left + i as f64 * slot + slot * 0.12;
            let w = slot * 0.36;
            let (hi, hc) = (bar(m.invoiced), bar(m.collected));
            let month = m.month.format("%B %Y").to_string();
            let tick = m.month.format("%b").to_string();
            view! {
                <g>
                    <rect x=x y=height - pad_bottom - hi width=w height=hi rx="2" class="bar">
                        <title>{format!("{month}: invoiced {}", format::money(m.invoiced, &currency))}</title>
                    </rect>
                    <rect x=x + w y=height - pad_bottom - hc width=w height=hc rx="2" class="bar bar-collected">
                        <title>{format!("{month}: collected {}", format::money(m.collected, &currency))}</title>
                    </rect>
                    <text x=x + w y=height - pad_bottom + 18.0 text-anchor="middle" class="tick">{tick}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
            <Grid max=max currency=currency.clone() width=width height=height pad_left=pad_left pad_bottom=pad_bottom plot_h=plot_h/>
            {bars}
        </svg>
        <p class="legend" aria-hidden="true">
            <span class="swatch swatch-invoiced"></span>"Invoiced" <span class="swatch swatch-collected"></span>"Collected"
        </p>
    }
}

/// Past due at the end of each month, as a line.
#[component]
pub fn TrendChart(months: Vec<MonthFigures>, currency: String) -> impl IntoView {
    let max = months.iter().map(|m| m.past_due_at_end).max().unwrap_or(Decimal::ZERO).max(Decimal::ONE);
    // Drawn for a half-width card: text at this scale reads like the page's small print.
    let (width, height, pad_left, pad_bottom) = (480.0_f64, 250.0_f64, 60.0_f64, 36.0_f64);
    let plot_h = height - pad_bottom - 16.0;
    let slot = (width - pad_left) / months.len().max(1) as f64;
    let point =
        |i: usize, v: Decimal| (pad_left + (i as f64 + 0.5) * slot, height - pad_bottom - ratio(v, max) * plot_h);
    let path = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (x, y) = point(i, m.past_due_at_end);
            format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" })
        })
        .collect::<String>();
    let (first, last) = (months.first().map(|m| m.past_due_at_end), months.last().map(|m| m.past_due_at_end));
    let label = format!(
        "Past due at each month's end for {} months: {} at the start, {} now.",
        months.len(),
        format::money(first.unwrap_or_default(), &currency),
        format::money(last.unwrap_or_default(), &currency)
    );
    let dots = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (x, y) = point(i, m.past_due_at_end);
            let title = format!("End of {}: {} past due", m.month.format("%B %Y"), format::money(m.past_due_at_end, &currency));
            view! {
                <g>
                    <circle cx=x cy=y r="4" class="dot"><title>{title}</title></circle>
                    <text x=x y=height - pad_bottom + 18.0 text-anchor="middle" class="tick">{m.month.format("%b").to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
            <Grid max=max currency=currency.clone() width=width height=height pad_left=pad_left pad_bottom=pad_bottom plot_h=plot_h/>
            <path d=path class="line"/>
            {dots}
        </svg>
    }
}

/// Horizontal grid lines with their amounts, for a chart of bars or points over `max`.
#[component]
pub fn Grid(
    max: Decimal,
    currency: String,
    width: f64,
    height: f64,
    pad_left: f64,
    pad_bottom: f64,
    plot_h: f64,
) -> impl IntoView {
    (0..=4)
        .map(|g| {
            let y = height - pad_bottom - f64::from(g) / 4.0 * plot_h;
            let value = crate::domain::money::round_cents(max * Decimal::from(g) / Decimal::from(4));
            view! {
                <g>
                    <line x1=pad_left x2=width y1=y y2=y class="grid"/>
                    <text x=pad_left - 8.0 y=y + 4.0 text-anchor="end" class="tick">{compact_money(value, &currency)}</text>
                </g>
            }
        })
        .collect_view()
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
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
            <Grid max=max currency=currency.clone() width=width height=height pad_left=pad_left pad_bottom=pad_bottom plot_h=plot_h/>
            {bars}
        </svg>
    }
}
