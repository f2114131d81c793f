//! Email templates over HTTP against a real SMTP server (scripts/smtp_sink.py), on both engines:
//! Send test mails every seeded template, rendered against a real invoice, to the signed-in
//! user only; viewers may preview but not send; the library refuses to delete what is used.

use crate::serve;
use app::{
    backend::{Db, delivery::mail_settings::MailEnvironment},
    domain::ids::TemplateId,
    on_db,
    views::templates::{PreviewResult, TemplateListView, TestSendResult},
};
use testkit::on_both_engines;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reqwest::{Client, StatusCode};
use testkit::smtp::SmtpSink;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

/// A numbered invoice for the first demo account that has an invoice (To) contact, with an
/// account name that tries to inject a script.
async fn invoice(db: &Db) -> (i64, String) {
    on_db!(db, p => {
        let account: i64 = sqlx::query_scalar(
            "SELECT MIN(account_id) FROM contacts WHERE invoice_role = 'to'").fetch_one(p).await.unwrap();
        sqlx::query("UPDATE accounts SET name = 'Bayside <script>alert(1)</script>' WHERE id = $1")
            .bind(account).execute(p).await.unwrap();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, total, created_at)
             VALUES ('INV-2026-00077', $1, 'sent', $2, $3, 30, 'USD', 5000000, 5000000, $4) RETURNING id")
            .bind(account)
            .bind(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap())
            .bind(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())
            .bind(t0())
            .fetch_one(p).await.unwrap();
        (id, "INV-2026-00077".to_string())
    })
}

async fn start(db: &Db, sink: &SmtpSink) -> String {
    let mail = MailEnvironment {
        smtp: Some(sink.smtp_settings()),
        from: Some("Valley Courier Media <billing@valley.example>".into()),
        folder: std::env::temp_dir().join("pressrun-templates-unused"),
        public_url: "https://billing.valley.example".into(),
    };
    app::backend::demo::seed::seed_demo(db, t0()).await.unwrap();
    serve::serve_with_mail(db, t0(), mail).await
}

async fn templates(c: &Client, base: &str) -> TemplateListView {
    let r = c.post(format!("{base}/api/get_template_list")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn detail(db: &Db, id: TemplateId) -> (String, String, String) {
    on_db!(db, p => sqlx::query_as("SELECT kind, subject, body_html FROM email_templates WHERE id = $1")
        .bind(id).fetch_one(p).await.unwrap())
}

fn form(kind: &str, subject: &str, body: &str, invoice: i64) -> Vec<(&'static str, String)> {
    vec![
        ("kind", kind.into()),
        ("subject", subject.into()),
        ("body_html", body.into()),
        ("invoice_id", invoice.to_string()),
    ]
}

/// The subject without whitespace: how lettre splits a long subject into encoded-words varies.
fn decoded_subject(subject: &str) -> String {
    subject.split_whitespace().collect()
}

on_both_engines!(send_test_delivers_every_seeded_template, |db| async move {
    let sink = SmtpSink::start();
    let base = start(&db, &sink).await;
    let (invoice_id, number) = invoice(&db).await;
    let admin = serve::signed_in(&base, "admin@pressrun.example", "pressrun-admin").await;
    let list = templates(&admin, &base).await;
    assert!(list.can_edit);
    assert!(list.templates.len() >= 6);
    for t in &list.templates {
        let (kind, subject, body) = detail(&db, t.id).await;
        let r = admin
            .post(format!("{base}/api/send_test_template"))
            .form(&form(&kind, &subject, &body, invoice_id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", t.name);
        let result: TestSendResult = r.json().await.unwrap();
        assert_eq!(
            result,
            TestSendResult { sent: true, message: "Sent to admin@pressrun.example.".into() },
            "{}",
            t.name
        );
    }
    let received = sink.received();
    assert_eq!(received.len(), list.templates.len(), "one message per template");
    for m in &received {
        assert!(m.envelope_to.contains("admin@pressrun.example"), "{}", m.envelope_to);
        assert!(!m.envelope_to.contains("example.example") && m.cc.is_empty(), "only the signed-in user");
        let subject = decoded_subject(&m.subject);
        assert!(subject.starts_with("[Test]"), "{subject}");
    }
    let with_number = received.iter().filter(|m| decoded_subject(&m.subject).contains(&number)).count();
    let invoice_kinds = list.templates.iter().filter(|t| t.kind.has_invoice()).count();
    assert_eq!(with_number, invoice_kinds, "invoice and reminder subjects carry the real invoice number");
    // The account name is text in the HTML part.
    let statement =
        received.iter().find(|m| decoded_subject(&m.subject).contains("unpaidinvoices")).expect("statement");
    let unwrapped = statement.raw.replace("=\r\n", "").replace("=3D", "=");
    assert!(unwrapped.contains("Bayside &lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "{}", statement.raw);

    // A broken template is a field error, and nothing is sent.
    let r = admin
        .post(format!("{base}/api/send_test_template"))
        .form(&form("invoice", "Invoice {{ invoice.numbr }}", "<p>x</p>", invoice_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("did you mean `invoice.number`?"));
    assert_eq!(sink.received().len(), list.templates.len());
});

on_both_engines!(viewers_preview_but_do_not_send_or_change, |db| async move {
    let sink = SmtpSink::start();
    let base = start(&db, &sink).await;
    let (invoice_id, number) = invoice(&db).await;
    let viewer = serve::signed_in(&base, "viewer@pressrun.example", "pressrun-viewer").await;
    let list = templates(&viewer, &base).await;
    assert!(!list.can_edit);
    let t = list.templates.iter().find(|t| t.kind.has_invoice()).unwrap();
    let (kind, subject, body) = detail(&db, t.id).await;
    let r = viewer
        .post(format!("{base}/api/preview_template"))
        .form(&form(&kind, &subject, &body, invoice_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: PreviewResult = r.json().await.unwrap();
    assert!(p.subject.contains(&number));
    assert!(!p.html.contains("<script>"), "{}", p.html);
    let r = viewer
        .post(format!("{base}/api/send_test_template"))
        .form(&form(&kind, &subject, &body, invoice_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = viewer.post(format!("{base}/api/delete_template")).form(&[("id", t.id.to_string())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(sink.received().is_empty());

    // Billing may delete, but not a template a reminder rung uses.
    let billing = serve::signed_in(&base, "billing@pressrun.example", "pressrun-billing").await;
    let firm = list.templates.iter().find(|t| t.name == "Firm follow-up (30 days)").unwrap();
    let r =
        billing.post(format!("{base}/api/delete_template")).form(&[("id", firm.id.to_string())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Past-due reminder at 30 days past due"));
});

on_both_engines!(only_admins_see_where_mail_goes, |db| async move {
    let sink = SmtpSink::start();
    let base = start(&db, &sink).await;
    let read = |who: &'static str, password: &'static str| {
        let base = base.clone();
        async move {
            let c = serve::signed_in(&base, who, password).await;
            let r = c.post(format!("{base}/api/get_mail_settings")).send().await.unwrap();
            assert!(r.status().is_success(), "{who}: {}", r.status());
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let admin = read("admin@pressrun.example", "pressrun-admin").await;
    assert_eq!(admin["host"], serde_json::json!("127.0.0.1"), "{admin}");
    for (who, password) in
        [("viewer@pressrun.example", "pressrun-viewer"), ("billing@pressrun.example", "pressrun-billing")]
    {
        let page = read(who, password).await;
        assert_eq!((page["host"].as_str(), page["username"].as_str()), (Some(""), Some("")), "{who}: {page}");
        assert!(page["status"]["sending"].as_bool().unwrap(), "{who} still sees that mail is being sent");
    }
});
