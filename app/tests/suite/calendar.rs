//! Accounting > Billing Calendar promises only what the scheduler does: run forward day by day,
//! each tick invoices exactly the auto-invoice line items the calendar listed for that day, on
//! both engines.

use std::collections::BTreeSet;

use testkit::on_both_engines;

use app::{
    backend::{Db, demo::seed, invoicing::automation, platform::organisation, reports::calendar, scheduler},
    domain::{
        delivery::{AutoInvoiceMode, AutomationSettings, Delivery},
        ids::LineItemId,
    },
    on_db,
};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

fn now() -> DateTime<Utc> {
    // Noon in New York, the demo organisation's zone.
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

async fn invoiced(db: &Db) -> BTreeSet<LineItemId> {
    on_db!(db, p => sqlx::query_scalar::<_, LineItemId>(
        "SELECT line_item_id FROM invoice_lines WHERE live = TRUE AND line_item_id IS NOT NULL")
        .fetch_all(p).await.unwrap())
    .into_iter()
    .collect()
}

on_both_engines!(each_day_the_scheduler_invoices_what_the_calendar_listed, |db| async move {
    seed::seed_demo(&db, now()).await.unwrap();
    let settings =
        AutomationSettings { mode: AutoInvoiceMode::GenerateOnly, delivery: Delivery::Automatic, template_id: None };
    automation::save(&db, &settings, now() - Duration::days(1)).await.unwrap();
    let today = organisation::today(&db, now()).await.unwrap();
    scheduler::tick(&db, now(), "calendar-test").await.unwrap();
    let mut before = invoiced(&db).await;

    let (mut promised_days, mut staff_seen) = (0, 0);
    for k in 1..=40 {
        let day = today + Duration::days(k);
        let c = calendar::month(&db, day, Some(day), today, "USD".into()).await.unwrap();
        let listed: BTreeSet<LineItemId> = c.items.iter().filter(|i| i.auto_invoice).map(|i| i.id).collect();
        let staff: BTreeSet<LineItemId> = c.items.iter().filter(|i| !i.auto_invoice).map(|i| i.id).collect();
        let cell = &c.days[usize::try_from(day.day0()).unwrap()];
        assert_eq!(cell.auto_line_items as usize, listed.len(), "{day}: the cell counts what the list shows");
        assert_eq!(cell.auto_amount, c.items.iter().filter(|i| i.auto_invoice).map(|i| i.amount).sum::<Decimal>());

        scheduler::tick(&db, now() + Duration::days(k), "calendar-test").await.unwrap();
        let after = invoiced(&db).await;
        let new: BTreeSet<LineItemId> = after.difference(&before).copied().collect();
        assert_eq!(new, listed, "{day}: the tick invoiced exactly what the calendar promised");
        assert!(staff.is_disjoint(&after), "{day}: the scheduler leaves staff-invoiced items alone");
        promised_days += usize::from(!listed.is_empty());
        staff_seen += staff.len();
        before = after;
    }
    assert!(promised_days >= 5, "the demo data exercises the calendar ({promised_days} days with auto items)");
    assert!(staff_seen > 0, "and items that wait for staff");
});

on_both_engines!(the_calendar_says_why_an_ad_will_not_bill, |db| async move {
    seed::seed_demo(&db, now()).await.unwrap();
    let today = organisation::today(&db, now()).await.unwrap();
    let mut reasons = BTreeSet::new();
    for k in 0..4 {
        let month = today.checked_add_months(chrono::Months::new(k)).unwrap();
        let c = calendar::month(&db, month, None, today, "USD".into()).await.unwrap();
        assert_eq!(c.days.len(), usize::try_from(calendar::month_span(month).1.day()).unwrap());
        for i in &c.not_billing {
            assert!(i.billable_date.is_none());
            reasons.insert(i.reason.clone().expect("a reason").split(' ').next().unwrap().to_string());
        }
        let total: i64 = c.days.iter().map(|d| d.line_items).sum();
        assert_eq!(usize::try_from(total).unwrap(), c.items_total, "the month's cells add up to its list");
    }
    assert!(!reasons.is_empty(), "the demo has ads that will not bill: {reasons:?}");
});
