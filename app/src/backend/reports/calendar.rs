//! Accounting > Billing Calendar: what becomes billable on each day of a month, by the same rule
//! the scheduler applies (`domain::billing_rule`, through the Billable Line Items read model),
//! which of it the scheduler invoices by itself, and what runs that month but will not bill.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::{
    backend::{
        Db, StoreError,
        invoicing::billable::{self, CalendarLine},
        platform::fixed,
    },
    domain::billing_rule::BillableStatus,
    views::calendar::{BillingCalendar, CalendarDay, CalendarItem, LIST_LIMIT},
};

/// The first and last day of `month`'s month.
pub fn month_span(month: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month.with_day(1).expect("every month has a first day");
    let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    (first, last)
}

fn item(l: &CalendarLine) -> CalendarItem {
    CalendarItem {
        id: l.row.id,
        billable_date: l.billable_date,
        run_date: l.row.run_date,
        order_number: l.row.order_number.clone(),
        account: l.row.account.clone(),
        bill_to: l.row.bill_to.clone(),
        product: l.row.product.clone(),
        amount: l.row.amount,
        auto_invoice: l.auto_invoice,
        can_email: l.can_email,
        reason: match l.row.status {
            BillableStatus::NotBillable(r) => Some(r.describe()),
            _ => None,
        },
    }
}

pub async fn month(
    db: &Db,
    month: NaiveDate,
    day: Option<NaiveDate>,
    today: NaiveDate,
    currency: String,
) -> Result<BillingCalendar, StoreError> {
    let (first, last) = month_span(month);
    let lines = billable::calendar_lines(db, first, last, today).await?;
    let mut days: Vec<CalendarDay> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| CalendarDay {
            date,
            line_items: 0,
            amount: Decimal::ZERO,
            auto_line_items: 0,
            auto_amount: Decimal::ZERO,
            cannot_email: 0,
        })
        .collect();
    let (billing, never): (Vec<&CalendarLine>, Vec<&CalendarLine>) =
        lines.iter().partition(|l| l.billable_date.is_some());
    for l in &billing {
        let Some(d) = l.billable_date else { continue };
        let Some(slot) = days.get_mut(d.day0() as usize) else { continue };
        slot.line_items += 1;
        slot.amount += l.row.amount;
        if l.auto_invoice {
            slot.auto_line_items += 1;
            slot.auto_amount += l.row.amount;
        }
        if !l.can_email {
            slot.cannot_email += 1;
        }
    }
    // A month can hold thousands of line items: the list is of one chosen day.
    let listed: Vec<CalendarItem> = match day {
        Some(d) => billing.iter().filter(|l| l.billable_date == Some(d)).map(|l| item(l)).collect(),
        None => Vec::new(),
    };
    let mut not_billing: Vec<CalendarItem> = never.iter().map(|l| item(l)).collect();
    for h in billable::held_lines(db, first, last).await? {
        not_billing.push(CalendarItem {
            id: h.id,
            billable_date: None,
            run_date: h.run_date,
            order_number: h.order_number,
            account: h.account,
            bill_to: None,
            product: h.product,
            amount: fixed::line_charge(h.quantity, h.unit_price, h.discount, 0).amounts().net,
            auto_invoice: false,
            can_email: true,
            reason: Some(format!("{} — held until released", h.hold_reason)),
        });
    }
    not_billing.sort_by_key(|i| (i.run_date, i.id));
    let items_total = if day.is_some() { listed.len() } else { billing.len() };
    let not_billing_total = not_billing.len();
    Ok(BillingCalendar {
        month: first,
        today,
        currency,
        days,
        day,
        items: listed.into_iter().take(LIST_LIMIT).collect(),
        items_total,
        not_billing: not_billing.into_iter().take(LIST_LIMIT).collect(),
        not_billing_total,
    })
}
