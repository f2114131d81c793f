//! Accounting > Billing Calendar: what will become billable on each day, and what will not.

use chrono::{Datelike, Months, NaiveDate};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};
use rust_decimal::Decimal;

use super::{
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::{
    api::{AppError, billable::query_pairs, calendar::get_billing_calendar},
    views::calendar::{BillingCalendar, CalendarDay, CalendarItem},
};

fn href(month: NaiveDate, day: Option<NaiveDate>) -> String {
    let m = month.format("%Y-%m");
    match day {
        Some(d) => format!("/accounting/billing-calendar?month={m}&day={d}#day-list"),
        None => format!("/accounting/billing-calendar?month={m}"),
    }
}

#[component]
pub fn BillingCalendarPage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(
        move || location.search.get(),
        |search| {
            let pairs = query_pairs(&search);
            let get = |k: &str| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()).unwrap_or_default();
            get_billing_calendar(get("month"), get("day"))
        },
    );
    view! {
        <PageHeader title="Billing Calendar" subtitle="What becomes billable on each day, by the products' rules and the ads' run dates."/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::Invalid(fields)) => view! {
                        <div class="notice notice-error" role="alert">
                            {fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ")}" "
                            <A href="/accounting/billing-calendar">"Show this month"</A>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(c) => view! { <Calendar c=c/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Calendar(c: BillingCalendar) -> impl IntoView {
    let BillingCalendar { month, today, currency, days, day, items, items_total, not_billing, not_billing_total } = c;
    let prev = month.checked_sub_months(Months::new(1)).unwrap_or(month);
    let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let total: Decimal = days.iter().map(|d| d.amount).sum();
    let auto: Decimal = days.iter().map(|d| d.auto_amount).sum();
    let count: i64 = days.iter().map(|d| d.line_items).sum();
    let title = month.format("%B %Y").to_string();
    let money = {
        let currency = currency.clone();
        move |d: Decimal| format::money(d, &currency)
    };
    let list_title = match day {
        Some(d) => format!("Billable on {}", format::date(d)),
        None => "Line items of a day".to_string(),
    };
    view! {
        <nav class="month-nav" aria-label="Months">
            <A href=href(prev, None) attr:class="button button-secondary">"← " {prev.format("%B").to_string()}</A>
            <h2 class="month-title">{title.clone()}</h2>
            <A href=href(next, None) attr:class="button button-secondary">{next.format("%B").to_string()} " →"</A>
        </nav>
        <p class="lede">{format!("{} line item{} become{} billable in {title}: {}, of which {} the scheduler invoices by itself and {} waits for staff.",
            format::count(count), if count == 1 { "" } else { "s" }, if count == 1 { "s" } else { "" },
            money(total), money(auto), money(total - auto))}</p>
        <MonthGrid days=days month=month today=today day=day currency=currency.clone()/>
        <section class="card" id="day-list" aria-labelledby="day-list-title">
            <header class="card-header">
                <h2 id="day-list-title">{list_title}</h2>
                {day.map(|_| view! { <A href=href(month, None) attr:class="button button-secondary">"Close"</A> })}
            </header>
            {if day.is_some() {
                view! { <CalendarItems items=items currency=currency.clone() empty="Nothing becomes billable that day." show_reason=false/> }.into_any()
            } else {
                view! { <p class="muted">"Choose a day in the calendar to list what becomes billable on it."</p> }.into_any()
            }}
            {day.is_some().then(|| view! { <ListedOf shown=LIMIT_SHOWN.min(items_total) total=items_total/> })}
        </section>
        <section class="card" aria-labelledby="not-billing-title">
            <h2 id="not-billing-title">{format!("Running in {} and not billing ({})", month.format("%B"), not_billing_total)}</h2>
            <p class="muted">"As things stand these ads will not be invoiced. Change the product's rule, confirm the order or release the held line items to bill them."</p>
            <CalendarItems items=not_billing currency=currency empty="Every ad running this month will bill." show_reason=true/>
            <ListedOf shown=LIMIT_SHOWN.min(not_billing_total) total=not_billing_total/>
        </section>
    }
}

const LIMIT_SHOWN: usize = crate::views::calendar::LIST_LIMIT;

#[component]
fn ListedOf(shown: usize, total: usize) -> impl IntoView {
    (total > shown).then(|| view! { <p class="muted">{format!("Showing the first {shown} of {total}.")}</p> })
}

#[component]
fn MonthGrid(
    days: Vec<CalendarDay>,
    month: NaiveDate,
    today: NaiveDate,
    day: Option<NaiveDate>,
    currency: String,
) -> impl IntoView {
    let lead = month.weekday().num_days_from_monday() as usize;
    let blanks = (0..lead).map(|_| view! { <div class="cal-cell cal-blank" aria-hidden="true"></div> }).collect_view();
    let cells = days
        .into_iter()
        .map(|d| {
            let busy = d.line_items > 0;
            let staff = d.line_items - d.auto_line_items;
            let amount = format::money(d.amount, &currency);
            let label = if busy {
                format!(
                    "{}: {} line item{} billable, {} ({} by the scheduler, {} by staff){}",
                    format::date(d.date),
                    d.line_items,
                    if d.line_items == 1 { "" } else { "s" },
                    format::money(d.amount, &currency),
                    d.auto_line_items,
                    staff,
                    if d.cannot_email > 0 { format!(", {} cannot be emailed", d.cannot_email) } else { String::new() }
                )
            } else {
                format!("{}: nothing becomes billable", format::date(d.date))
            };
            let class = format!(
                "cal-cell{}{}{}",
                if d.date == today { " cal-today" } else { "" },
                if Some(d.date) == day { " cal-selected" } else { "" },
                if d.date < today { " cal-past" } else { "" }
            );
            view! {
                <A href=href(month, Some(d.date)) attr:class=class attr:aria-label=label
                    attr:aria-current=(Some(d.date) == day).then_some("date")>
                    <span class="cal-date">{d.date.day()}</span>
                    {busy.then(|| view! {
                        <span class="cal-amount">{amount}</span>
                        <span class="cal-count">{format!("{} item{}", d.line_items, if d.line_items == 1 { "" } else { "s" })}</span>
                        <span class="cal-split">
                            {(d.auto_line_items > 0).then(|| view! { <span class="badge badge-confirmed">{format!("auto {}", d.auto_line_items)}</span> })}
                            {(staff > 0).then(|| view! { <span class="badge badge-draft">{format!("staff {staff}")}</span> })}
                            {(d.cannot_email > 0).then(|| view! { <span class="badge badge-warning" title="No one to email the invoice to">{format!("✉ {}", d.cannot_email)}</span> })}
                        </span>
                    })}
                </A>
            }
        })
        .collect_view();
    view! {
        <div class="cal" role="group" aria-label="Days of the month">
            {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map(|w| view! { <div class="cal-head" aria-hidden="true">{w}</div> }).collect_view()}
            {blanks}
            {cells}
        </div>
    }
}

#[component]
fn CalendarItems(items: Vec<CalendarItem>, currency: String, empty: &'static str, show_reason: bool) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|i| {
            let who = match &i.bill_to {
                Some(b) => format!("{} (billed to {b})", i.account),
                None => i.account.clone(),
            };
            let by = if i.auto_invoice { "Scheduler" } else { "Staff" };
            view! {
                <tr>
                    <td>{format::date(i.run_date)}</td>
                    <th scope="row">{who}</th>
                    <td>{i.product.clone()}</td>
                    <td>{i.order_number.clone()}</td>
                    <td class="num">{format::money(i.amount, &currency)}</td>
                    {if show_reason {
                        view! { <td class="reason">{i.reason.clone().unwrap_or_default()}</td> }.into_any()
                    } else {
                        view! {
                            <td>{by}{(!i.can_email).then(|| view! { " " <span class="badge badge-warning">"cannot be emailed"</span> })}</td>
                        }.into_any()
                    }}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Runs"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Order"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">{if show_reason { "Why not" } else { "Invoiced by" }}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
