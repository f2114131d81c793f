//! The client portal over HTTP on both engines: the Pay Online link in a real invoice email
//! opens the invoice; the test provider takes the payment; the invoice shows "Paid — thank
//! you" and a receipt; the statement pays several invoices in one checkout; a wrong, tampered,
//! out-of-scope or revoked link all get the same page; merge values are text; requests are
//! rate-limited.

use crate::serve;
use app::{
    backend::{
        Db,
        delivery::{mail_settings::MailEnvironment, worker::DeliveryConfig},
        messages,
        payments::checkout::Payments,
        platform::clock::ManualClock,
        portal::links::{self as portal_links, PortalScope},
        scheduler::{self, Selection},
    },
    domain::ids::InvoiceId,
};
use testkit::on_both_engines;

use std::sync::Arc;

use reqwest::{Client, StatusCode, header};
use testkit::ledger::*;
use testkit::smtp::SmtpSink;

async fn start(db: &Db) -> String {
    serve::serve_with(db, Arc::new(ManualClock::new(noon())), Payments::test).await
}

fn client() -> Client {
    serve::browser()
}

async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get(header::LOCATION).unwrap().to_str().unwrap().to_string()
}

/// Follows the test provider: starts the checkout with `form`, pays with a good test card,
/// and returns the "paid" page's URL.
async fn pay(c: &Client, base: &str, pay_url: &str, form: &[(&str, String)]) -> String {
    let r = c.post(pay_url).form(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let checkout = location(&r);
    assert!(checkout.starts_with(&format!("{base}/portal/test-checkout/")), "{checkout}");
    let (status, page) = get(c, &checkout).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Card number"));
    let declined = c
        .post(&checkout)
        .form(&[("card", "4000 0000 0000 0002"), ("expiry", "12/30"), ("cvc", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(declined.text().await.unwrap().contains("Your card was declined."));
    let paid = c
        .post(&checkout)
        .form(&[("card", "4242 4242 4242 4242"), ("expiry", "12/30"), ("cvc", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let done = location(&paid);
    assert!(done.starts_with("/portal/paid/"), "{done}");
    format!("{base}{done}")
}

on_both_engines!(the_pay_online_link_in_the_email_pays_the_invoice, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let inv = invoice(&db, acme, "INV-2026-00042", 1250, date(2026, 11, 1), date(2026, 12, 1)).await;
    let base = start(&db).await;
    let sink = SmtpSink::start();
    scheduler::queue_invoice_emails(&db, noon(), Selection::Ids(vec![inv]), None, None).await.unwrap();
    let env = MailEnvironment {
        smtp: Some(sink.smtp_settings()),
        from: Some("billing@valley.example".into()),
        folder: sink.dir.join("x"),
        public_url: base.clone(),
    };
    let courier = messages::courier(
        db.clone(),
        Arc::new(env.clone()),
        Arc::new(ManualClock::new(noon())),
        "t".into(),
        DeliveryConfig::default(),
    );
    assert_eq!(courier.deliver_due().await.unwrap().delivered, 1);
    let mail = sink.received();
    let links = mail[0].portal_links();
    let pay_link = links
        .iter()
        .find(|l| l.contains("/portal/invoice/"))
        .unwrap_or_else(|| panic!("no Pay Online link in {links:?}"));
    assert!(mail[0].html().contains("Pay Online"));

    let c = client();
    let (status, page) = get(&c, pay_link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("INV-2026-00042") && page.contains("$1,250.00") && page.contains("Pay Online"), "{page}");
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {inv} AND kind = 'portal_view'"))
            .await,
        1
    );
    get(&c, pay_link).await;
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {inv} AND kind = 'portal_view'"))
            .await,
        1,
        "one view per hour"
    );

    let pdf = c.get(format!("{pay_link}/pdf")).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");

    let done = pay(&c, &base, &format!("{pay_link}/pay"), &[]).await;
    let (_, thanks) = get(&c, &done).await;
    assert!(thanks.contains("Paid — thank you") && thanks.contains("INV-2026-00042"), "{thanks}");
    assert_eq!(status_of(&db, inv).await, "paid");

    let (status, again) = get(&c, pay_link).await;
    assert_eq!(status, StatusCode::OK, "the link keeps working after payment");
    assert!(
        again.contains("Paid — thank you") && again.contains("Receipt") && !again.contains(">Pay Online<"),
        "{again}"
    );

    let report = courier.deliver_due().await.unwrap();
    assert_eq!(report.delivered, 1, "the receipt: {report:?}");
    let receipt = &sink.received()[1];
    assert!(receipt.subject.starts_with("Receipt"), "{}", receipt.subject);
});

async fn status_of(db: &Db, id: InvoiceId) -> String {
    status(db, id).await
}

on_both_engines!(the_statement_pays_two_invoices_in_one_checkout, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 300, date(2026, 9, 1), date(2026, 10, 1)).await;
    let b = invoice(&db, acme, "INV-2", 450, date(2026, 10, 1), date(2026, 10, 31)).await;
    let c3 = invoice(&db, acme, "INV-3", 99, date(2026, 11, 1), date(2026, 12, 1)).await;
    let base = start(&db).await;
    let token = portal_links::issue(&db, PortalScope::Account { account_id: acme }, noon(), "test").await.unwrap();
    let url = format!("{base}{}", portal_links::path(PortalScope::Account { account_id: acme }, &token));
    let c = client();
    let (status, page) = get(&c, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("INV-1") && page.contains("INV-2") && page.contains("INV-3") && page.contains("$849.00"),
        "{page}"
    );
    assert!(page.contains("54 days past due"), "INV-1 was due October 1: {page}");

    let done = pay(&c, &base, &format!("{url}/pay"), &[("invoice", a.to_string()), ("invoice", b.to_string())]).await;
    let (_, thanks) = get(&c, &done).await;
    assert!(thanks.contains("$750.00") && thanks.contains("INV-1") && thanks.contains("INV-2"), "{thanks}");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM payments").await, 1, "one checkout, one payment");
    assert_eq!(
        (status_of(&db, a).await, status_of(&db, b).await, status_of(&db, c3).await),
        ("paid".into(), "paid".into(), "sent".into())
    );
    let (_, after) = get(&c, &url).await;
    assert!(!after.contains("INV-1<") && after.contains("INV-3"), "{after}");
});

on_both_engines!(every_bad_link_gets_the_same_page, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "<script>alert(1)</script> Motors", "ap@acme.example").await;
    let inv = invoice(&db, acme, "INV-9", 10, date(2026, 11, 1), date(2026, 12, 1)).await;
    let base = start(&db).await;
    let scope = PortalScope::Invoice { account_id: acme, invoice_id: inv };
    let token = portal_links::issue(&db, scope, noon(), "test").await.unwrap();
    let good = format!("{base}/portal/invoice/{token}");
    let c = client();
    let (status, page) = get(&c, &good).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62; Motors"), "escaped as text: {page}");
    assert!(!page.contains("<script>alert"), "the account name is text");

    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (s1, wrong) = get(&c, &format!("{base}/portal/invoice/{tampered}")).await;
    let (s2, garbage) = get(&c, &format!("{base}/portal/invoice/not-a-token")).await;
    let (s3, out_of_scope) = get(&c, &format!("{base}/portal/account/{token}")).await;
    let (s4, unknown_path) = get(&c, &format!("{base}/portal/whatever/{token}")).await;
    portal_links::revoke_invoice_links(&db, inv, noon()).await.unwrap();
    let (s5, revoked) = get(&c, &good).await;
    for (s, body) in [(s1, &wrong), (s2, &garbage), (s3, &out_of_scope), (s4, &unknown_path), (s5, &revoked)] {
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(body, &wrong, "identical bodies tell nothing apart");
    }
    assert!(wrong.contains("This link is not valid"));
    let pay = c.post(format!("{good}/pay")).send().await.unwrap();
    assert_eq!(pay.status(), StatusCode::NOT_FOUND, "a revoked link cannot start a checkout");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM checkout_sessions").await, 0);
    let stored = text(&db, "SELECT token_hash FROM portal_links").await;
    assert!(stored != token && stored.len() == 64, "only a hash of the token is kept");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_requests_are_rate_limited() {
    let t = testkit::TestDb::new(testkit::Engine::Sqlite).await;
    organisation(&t.db).await;
    let base = start(&t.db).await;
    let c = client();
    let mut statuses = Vec::new();
    for _ in 0..(server::routes::PORTAL_RATE_PER_MINUTE + 5) {
        statuses.push(c.get(format!("{base}/portal/invoice/guess")).send().await.unwrap().status());
    }
    assert!(statuses[..server::routes::PORTAL_RATE_PER_MINUTE as usize].iter().all(|s| *s == StatusCode::NOT_FOUND));
    let last = c.get(format!("{base}/portal/invoice/guess")).send().await.unwrap();
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = last.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after} is within the minute");
    assert_eq!(
        c.get(format!("{base}/health")).send().await.unwrap().status(),
        StatusCode::OK,
        "staff and health are not limited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_provider_the_portal_asks_clients_to_get_in_touch() {
    let t = testkit::TestDb::new(testkit::Engine::Sqlite).await;
    organisation(&t.db).await;
    let acme = account(&t.db, "Acme", "ap@acme.example").await;
    let inv = invoice(&t.db, acme, "INV-5", 10, date(2026, 11, 1), date(2026, 12, 1)).await;
    let base = serve::serve_with(&t.db, Arc::new(ManualClock::new(noon())), |_| Payments::default()).await;
    let token = portal_links::issue(&t.db, PortalScope::Invoice { account_id: acme, invoice_id: inv }, noon(), "t")
        .await
        .unwrap();
    let c = client();
    let (_, page) = get(&c, &format!("{base}/portal/invoice/{token}")).await;
    assert!(page.contains("To pay, please contact Valley Courier") && !page.contains(">Pay Online<"), "{page}");
    let r = c.post(format!("{base}/portal/invoice/{token}/pay")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Online payment is not available"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_checkout_cannot_be_paid_once_test_payments_are_off() {
    let t = testkit::TestDb::new(testkit::Engine::Sqlite).await;
    organisation(&t.db).await;
    let acme = account(&t.db, "Acme", "ap@acme.example").await;
    let inv = invoice(&t.db, acme, "INV-6", 10, date(2026, 11, 1), date(2026, 12, 1)).await;
    let token = portal_links::issue(&t.db, PortalScope::Invoice { account_id: acme, invoice_id: inv }, noon(), "t")
        .await
        .unwrap();
    let c = client();
    // Opened while the test provider was on …
    let with_test = start(&t.db).await;
    let r = c.post(format!("{with_test}/portal/invoice/{token}/pay")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let path = location(&r).trim_start_matches(&with_test).to_string();
    assert!(path.starts_with("/portal/test-checkout/"), "{path}");

    // … then the server restarts with it off: the page and its card form are gone.
    let without = serve::serve_with(&t.db, Arc::new(ManualClock::new(noon())), |_| Payments::default()).await;
    let (status, _) = get(&c, &format!("{without}{path}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = c
        .post(format!("{without}{path}"))
        .form(&[("card", "4242 4242 4242 4242"), ("expiry", "12/30"), ("cvc", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&t.db, inv).await, "sent", "the invoice is not marked paid");
    assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM payments").await, 0);
}
