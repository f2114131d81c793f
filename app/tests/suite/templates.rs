//! The email template library on SQLite and PostgreSQL: create, duplicate, the default per
//! kind, deletion refused while a template is used (and saying where), and every seeded
//! template previewed against a real invoice.

use testkit::on_both_engines;

use app::{
    backend::{
        Db, ServiceError,
        delivery::outbox,
        messages::preview::{Draft, preview, recent_invoices},
        templates::{check::TemplateInput, library},
    },
    domain::{
        ids::{InvoiceId, TemplateId},
        merge_fields::TemplateKind,
    },
    on_db,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

struct Fixture {
    invoice: i64,
    number: String,
}

/// An organisation, an advertiser with a To contact, and one open invoice 30 days past due
/// with a card payment against it.
async fn fixture(db: &Db, account_name: &str) -> Fixture {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    let number = "INV-2026-00042".to_string();
    let invoice = on_db!(db, p => {
        let account: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (name, kind, payment_terms_days, created_at) VALUES ($1, 'advertiser', 30, $2) RETURNING id")
            .bind(account_name).bind(t0()).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Dana Whitfield', 'dana@bayside.example', 'to', $2)")
            .bind(account).bind(t0()).execute(p).await.unwrap();
        let invoice: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, total, amount_paid, created_at)
             VALUES ($1, $2, 'partially_paid', $3, $4, 30, 'USD', 12500000, 12500000, 2500000, $5) RETURNING id")
            .bind(&number).bind(account).bind(date(9, 25)).bind(date(10, 25)).bind(t0()).fetch_one(p).await.unwrap();
        let payment: i64 = sqlx::query_scalar(
            "INSERT INTO payments (account_id, method, amount, currency, received_on, reference, created_at)
             VALUES ($1, 'check', 2500000, 'USD', $2, 'Check 1042', $3) RETURNING id")
            .bind(account).bind(date(11, 20)).bind(t0()).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount, created_at) VALUES ($1, $2, 2500000, $3)")
            .bind(payment).bind(invoice).bind(t0()).execute(p).await.unwrap();
        invoice
    });
    Fixture { invoice, number }
}

async fn template_id(db: &Db, name: &str) -> TemplateId {
    on_db!(db, p => sqlx::query_scalar("SELECT id FROM email_templates WHERE name = $1").bind(name).fetch_one(p).await.unwrap())
}

fn input(kind: TemplateKind, name: &str) -> TemplateInput {
    TemplateInput {
        kind,
        name: name.into(),
        subject: "Invoice {{ invoice.number }}".into(),
        body_html: "<p>Hi {{ contact.name }}, {{ invoice.balance }} is due.</p>".into(),
    }
}

fn conflict(e: ServiceError) -> String {
    match e {
        ServiceError::Conflict(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn field(e: ServiceError, name: &str) -> String {
    match e {
        ServiceError::Invalid(fields) => {
            fields.into_iter().find(|f| f.field == name).map(|f| f.message).unwrap_or_else(|| panic!("no {name} error"))
        }
        other => panic!("expected field errors, got {other:?}"),
    }
}

on_both_engines!(library_rules, |db| async move {
    fixture(&db, "Bayside Motors").await;
    let seeded = library::list(&db).await.unwrap();
    for kind in TemplateKind::ALL {
        let defaults = seeded.iter().filter(|t| t.kind == kind && t.is_default).count();
        assert_eq!(defaults, 1, "one default {kind:?} template");
    }
    let firm = seeded.iter().find(|t| t.name == "Firm follow-up (30 days)").unwrap();
    assert_eq!(firm.uses, ["Past-due reminder at 30 days past due"]);

    // Create: names are unique ignoring case; unknown fields are field errors.
    let id = library::create(&db, t0(), input(TemplateKind::Invoice, "Short invoice")).await.unwrap();
    let e = library::create(&db, t0(), input(TemplateKind::Invoice, "short INVOICE")).await.unwrap_err();
    assert_eq!(field(e, "name"), "Another template already has this name.");
    let mut bad = input(TemplateKind::Invoice, "Bad");
    bad.subject = "Invoice {{ invoice.numbr }}".into();
    let e = library::create(&db, t0(), bad).await.unwrap_err();
    assert_eq!(field(e, "subject"), "Unknown merge field `invoice.numbr` — did you mean `invoice.number`?");
    let created = library::get(&db, id).await.unwrap();
    assert!(!created.is_default, "the kind already had a default");

    // Duplicate: "Copy of X", then numbered.
    let copy = library::duplicate(&db, t0(), id).await.unwrap();
    let copy2 = library::duplicate(&db, t0(), id).await.unwrap();
    assert_eq!(library::get(&db, copy).await.unwrap().name, "Copy of Short invoice");
    let second = library::get(&db, copy2).await.unwrap();
    assert_eq!(second.name, "Copy of Short invoice (2)");
    assert_eq!(second.body_html, created.body_html);

    // One default per kind.
    library::set_default(&db, t0(), copy).await.unwrap();
    let list = library::list(&db).await.unwrap();
    let defaults: Vec<_> =
        list.iter().filter(|t| t.kind == TemplateKind::Invoice && t.is_default).map(|t| t.id).collect();
    assert_eq!(defaults, [copy]);
    let msg = conflict(library::delete(&db, copy).await.unwrap_err());
    assert!(msg.contains("is the default invoice template"), "{msg}");

    // In use by the automation settings, a reminder rung, a waiting email: refused, saying where.
    on_db!(&db, p => sqlx::query(
        "INSERT INTO automation_settings (id, invoice_template_id, updated_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET invoice_template_id = excluded.invoice_template_id")
        .bind(id).bind(t0()).execute(p).await.map(|_| ()).unwrap());
    let msg = conflict(library::delete(&db, id).await.unwrap_err());
    assert!(msg.contains("Automation > Accounting: invoice emails"), "{msg}");
    let firm_id = template_id(&db, "Firm follow-up (30 days)").await;
    let msg = conflict(library::delete(&db, firm_id).await.unwrap_err());
    assert!(msg.contains("Past-due reminder at 30 days past due"), "{msg}");
    let payload =
        serde_json::to_string(&app::domain::email_kind::InvoiceEmailPayload { template_id: Some(copy2) }).unwrap();
    on_db!(&db, p => sqlx::query(outbox::ENQUEUE_SQL)
        .bind("invoice-email:test:1").bind(app::domain::email_kind::EmailKind::Invoice.as_str()).bind(&payload).bind(None::<i64>).bind(t0()).bind("m@test")
        .execute(p).await.map(|_| ()).unwrap());
    let msg = conflict(library::delete(&db, copy2).await.unwrap_err());
    assert!(msg.contains("1 invoice email waiting to be sent"), "{msg}");
    assert!(library::get(&db, copy2).await.is_ok(), "still there");
    // A used template keeps its kind.
    let mut changed = input(TemplateKind::Statement, "Short invoice");
    changed.subject = "{{ account.name }}".into();
    changed.body_html = "<p>{{ statement.total_due }}</p>".into();
    let e = library::update(&db, t0(), id, changed).await.unwrap_err();
    assert!(field(e, "kind").contains("Automation > Accounting"));

    // Once the email has gone, the copy can go.
    on_db!(&db, p => sqlx::query("UPDATE outbox SET status = 'done'").execute(p).await.map(|_| ()).unwrap());
    library::delete(&db, copy2).await.unwrap();
    assert!(matches!(library::get(&db, copy2).await, Err(ServiceError::NotFound(_))));

    // Update renames and edits.
    let mut edit = input(TemplateKind::Invoice, "Short invoice v2");
    edit.body_html = "<p>{{ invoice.total }}</p>".into();
    library::update(&db, t0(), id, edit).await.unwrap();
    let after = library::get(&db, id).await.unwrap();
    assert_eq!((after.name.as_str(), after.body_html.as_str()), ("Short invoice v2", "<p>{{ invoice.total }}</p>"));
});

on_both_engines!(every_seeded_template_previews_against_a_real_invoice, |db| async move {
    let f = fixture(&db, "Bayside <script>alert(1)</script> Motors").await;
    let picker = recent_invoices(&db).await.unwrap();
    assert_eq!(picker.len(), 1);
    assert_eq!(picker[0].number, f.number);
    let templates = library::list(&db).await.unwrap();
    assert!(templates.len() >= 6, "seeded templates: {}", templates.len());
    for t in templates {
        let d = library::get(&db, t.id).await.unwrap();
        let draft = Draft { kind: d.kind, subject: &d.subject, body_html: &d.body_html };
        let real = preview(&db, draft, Some(InvoiceId(f.invoice)), t0(), "https://billing.example")
            .await
            .unwrap_or_else(|e| panic!("{} against the invoice: {e:?}", d.name));
        assert_eq!(real.source, format!("{} · Bayside <script>alert(1)</script> Motors", f.number));
        assert!(!real.html.contains("<script>"), "{}: {}", d.name, real.html);
        assert!(!real.subject.is_empty() && !real.text.is_empty());
        if d.kind.has_invoice() {
            assert!(real.subject.contains(&f.number), "{}: {}", d.name, real.subject);
            // Autoescaping writes `/` as `&#x2f;` inside the href; mail clients decode it.
            let html = real.html.replace("&#x2f;", "/");
            assert!(html.contains("https://billing.example/portal/"), "{}: the Pay Online link", d.name);
            assert!(html.contains("preview-link-not-issued"), "previews issue no real links");
        }
        match d.kind {
            TemplateKind::Reminder => assert!(real.html.contains("$1,000.00"), "{}: the balance", d.name),
            TemplateKind::Receipt => {
                assert!(real.html.contains("$250.00"), "{}", real.html);
                assert!(real.html.contains("November 20, 2026"));
                assert!(real.html.contains("Check 1042"));
            }
            TemplateKind::Statement => assert!(real.html.contains(&f.number), "the unpaid list"),
            TemplateKind::Invoice => assert!(real.html.contains("$1,250.00")),
        }
        if d.subject.contains("account.name") || d.body_html.contains("account.name") {
            assert!(real.html.contains("&lt;script&gt;") || real.subject.contains("<script>"), "{}", d.name);
        }
        let sample = preview(&db, draft, None, t0(), "https://billing.example").await.unwrap();
        assert_eq!(sample.source, "Sample values");
    }
    let issued: i64 =
        on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM portal_links").fetch_one(p).await.unwrap());
    assert_eq!(issued, 0, "a preview never issues a portal link");

    // A misspelt field is a field error, not a failed render.
    let draft = Draft { kind: TemplateKind::Invoice, subject: "x", body_html: "{{ invoice.totl }}" };
    let e = preview(&db, draft, Some(InvoiceId(f.invoice)), t0(), "https://billing.example").await.unwrap_err();
    assert_eq!(field(e, "body_html"), "Unknown merge field `invoice.totl` — did you mean `invoice.total`?");
});
