//! Accounting > Aging over HTTP: the page, its field error for an impossible day, the drill-down
//! and the CSV download, on both engines.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use testkit::on_both_engines;

use crate::serve;

async fn start(db: &app::backend::Db) -> String {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
    app::backend::demo::seed::seed_demo(db, now).await.unwrap();
    let today = app::backend::platform::organisation::today(db, now).await.unwrap();
    app::backend::demo::history::seed(db, now, today).await.unwrap();
    serve::serve(db, now).await
}

on_both_engines!(aging_page_and_csv, |db| async move {
    let base = start(&db).await;

    // Signed out: the CSV is staff data like the page.
    let r = serve::browser().get(format!("{base}/accounting/aging.csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let viewer = serve::signed_in(&base, "viewer@pressrun.example", "pressrun-viewer").await;
    let page = viewer.get(format!("{base}/accounting/aging?as_of=2027-01-15")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Aging</h1>"), "{html}");
    assert!(html.contains("Open balance by age") && html.contains("Over 90 days"));
    assert!(html.contains("aria-label=\"Open balance by days past due: Current"), "the chart says what it shows");

    let bad = viewer.get(format!("{base}/accounting/aging?as_of=2027-02-30")).send().await.unwrap();
    let html = bad.text().await.unwrap();
    assert!(html.contains("Enter a date as YYYY-MM-DD."), "a field error, not a failure page");
    let far = viewer.get(format!("{base}/accounting/aging?as_of=9999-01-01")).send().await.unwrap();
    assert!(far.text().await.unwrap().contains("Choose a day between 1970 and 2199."));

    let csv = viewer.get(format!("{base}/accounting/aging.csv?as_of=2027-01-15&sort=name")).send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers()["content-disposition"], "attachment; filename=\"aging-2027-01-15.csv\"");
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines.len() >= 3, "{body}");
    assert!(lines[0].starts_with("Account,Kind,Current"));
    let names: Vec<String> =
        lines[1..lines.len() - 1].iter().map(|l| l.split(',').next().unwrap().to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name as asked");

    let bad_csv = viewer.get(format!("{base}/accounting/aging.csv?as_of=yesterday")).send().await.unwrap();
    assert_eq!(bad_csv.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_csv.text().await.unwrap(), "Enter a date as YYYY-MM-DD.");

    // The drill-down of the first account lists its invoices with links.
    let account: i64 = app::on_db!(&db, p => sqlx::query_scalar(
        "SELECT account_id FROM invoices WHERE status IN ('open', 'sent', 'partially_paid') ORDER BY id LIMIT 1")
        .fetch_one(p).await.unwrap());
    let html = viewer
        .get(format!("{base}/accounting/aging?as_of=2027-01-15&account={account}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Days past due") && html.contains("/accounting/invoices/"), "drill-down shown");
});
