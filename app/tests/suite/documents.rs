//! Invoice documents (HTML and PDF) and draft invoices, each test on SQLite and PostgreSQL.
//! PDFs are read back with poppler's `pdftotext`/`pdfinfo`, as a person's viewer would.

use testkit::on_both_engines;

use std::{io::Write, process::Command, time::Instant};

use app::{
    backend::{
        Db, ServiceError, StoreError,
        invoicing::{
            create::{InvoiceRequest, Source, draft_line_items, invoice_line_items},
            document::{self as invoice_document, render_html, render_pdf},
            drafts::{self, finalise},
        },
    },
    domain::{
        delivery::AfterGenerate,
        draft::{DraftDates, LineEdit},
        ids::{AccountId, InvoiceId, LineItemId},
        invoice::{InvoiceStatus, InvoiceTotals, LineCharge},
        money::format_money,
    },
    on_db,
    views::invoices::{InvoiceFilter, InvoiceTab},
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

fn issue() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

async fn exec(db: &Db, sql: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from))
}

async fn last_id(db: &Db, table: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}")).fetch_one(p).await.unwrap())
}

const NOW: &str = "2026-11-24T17:00:00Z";

/// An organisation with an address, two advertisers and a taxed "Immediately" product.
async fn publisher(db: &Db) {
    let mut org = app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    org.name = "Valley Gazette".into();
    org.address = "1 Press Row\nSpringfield, IL 62701".into();
    org.email_from = "billing@valley.example".into();
    app::backend::platform::organisation::save(db, &org, t0()).await.unwrap();
    for (name, address) in [("Harbor & Sons Marine", "12 Dock Street\nPortland, ME 04101"), ("Bluebird Bakery", "")] {
        exec(db, &format!(
            "INSERT INTO accounts (name, kind, payment_terms_days, address, created_at) VALUES ('{name}', 'advertiser', 15, '{address}', '{NOW}')"
        ))
        .await
        .unwrap();
    }
    exec(
        db,
        &format!(
            "INSERT INTO products (name, billing_rule, rule_days, unit_price, tax_rate, created_at, updated_at)
         VALUES ('Banner', 'immediately', 0, 1250000, 82500, '{NOW}', '{NOW}')"
        ),
    )
    .await
    .unwrap();
}

/// A confirmed order for `account` with one line item per description; returns their ids.
async fn book(db: &Db, account: i64, descriptions: &[String]) -> Vec<i64> {
    let order_number = format!("IO-{account}-{}", last_id(db, "orders").await.max(0) + 1);
    exec(
        db,
        &format!(
            "INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at)
         VALUES ('{order_number}', {account}, 'confirmed', '2026-11-01', '{NOW}', '{NOW}')"
        ),
    )
    .await
    .unwrap();
    let order = last_id(db, "orders").await;
    let mut ids = Vec::new();
    for (i, description) in descriptions.iter().enumerate() {
        let sql = "INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at)
                   VALUES ($1, 1, $2, $3, $4, 1250000, $5, $6, $6)";
        let run_date = NaiveDate::from_ymd_opt(2026, 12, 1 + (i % 28) as u32).unwrap();
        let (qty, discount) = (10_000 * (1 + i as i64 % 3), (i as i64 % 4) * 10_000);
        on_db!(db, p => sqlx::query(sql).bind(order).bind(run_date).bind(description.as_str()).bind(qty).bind(discount).bind(t0())
            .execute(p).await.map(|_| ()).unwrap());
        ids.push(last_id(db, "line_items").await);
    }
    ids
}

fn request(ids: Vec<i64>) -> InvoiceRequest {
    InvoiceRequest {
        line_item_ids: ids.into_iter().map(LineItemId).collect(),
        issue_date: issue(),
        due_date: None,
        created_by: None,
        actor: "Test".into(),
        source: Source::Manual,
        then: app::domain::delivery::AfterGenerate::Nothing,
        email_template_id: None,
    }
}

async fn invoice(db: &Db, ids: Vec<i64>) -> (InvoiceId, String) {
    let out = invoice_line_items(db, t0(), &request(ids)).await.unwrap();
    assert_eq!(out.created.len(), 1);
    (out.created[0].id, out.created[0].number.clone())
}

fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile_path("pdf");
    std::fs::File::create(&file).unwrap().write_all(pdf).unwrap();
    let mut all: Vec<&str> = args.to_vec();
    let path = file.display().to_string();
    all.push(&path);
    if tool == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(tool)
        .args(&all)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (Debian poppler-utils) is needed for these tests: {e}"));
    let _ = std::fs::remove_file(&mut file);
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn tempfile_path(ext: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("pressrun-doc-{}-{}.{ext}", std::process::id(), rand::random::<u64>()))
}

fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
}

fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap()).expect("page count")
}

fn html_escape(s: &str) -> String {
    // askama writes numeric character references.
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

async fn total_of(db: &Db, invoice_id: InvoiceId) -> Decimal {
    let raw: i64 = on_db!(db, p => sqlx::query_scalar("SELECT total FROM invoices WHERE id = $1").bind(invoice_id).fetch_one(p).await.unwrap());
    app::backend::platform::fixed::from_db(raw)
}

on_both_engines!(pdf_and_html_show_the_same_invoice, |db| async move {
    publisher(&db).await;
    let descriptions: Vec<String> =
        ["Spring home show, leaderboard", "Boat week takeover", "Newsletter sponsor slot"].map(String::from).to_vec();
    let ids = book(&db, 1, &descriptions).await;
    let (id, number) = invoice(&db, ids).await;
    assert_eq!(number, "INV-2026-00001");

    let pdf = render_pdf(&db, id).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF file");
    let text = pdf_text(&pdf);
    let html = render_html(&db, id).await.unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && !html.contains("<link") && !html.contains("<script"),
        "self-contained"
    );

    let total = format_money(total_of(&db, id).await, "USD");
    let doc = invoice_document::load(&db, id).await.unwrap();
    assert_eq!(doc.total, total);
    // Everything the view model holds appears in both documents, the same way.
    let mut values = vec![
        number.clone(),
        "Harbor & Sons Marine".into(),
        "12 Dock Street".into(),
        "Valley Gazette".into(),
        "Springfield, IL 62701".into(),
        "Nov 24, 2026".into(),
        "Dec 9, 2026".into(),
        "Net 15".into(),
        doc.subtotal.clone(),
        doc.tax_total.clone(),
        total.clone(),
        doc.balance.clone(),
        "billing@valley.example".into(),
    ];
    for l in &doc.lines {
        values.extend([
            l.description.clone(),
            l.unit_price.clone(),
            l.amount.clone(),
            l.tax.clone(),
            l.run_date.clone(),
        ]);
    }
    values.extend(descriptions.iter().cloned());
    for v in &values {
        assert!(text.contains(v.as_str()), "PDF text lacks {v:?}:\n{text}");
        assert!(html.contains(&html_escape(v)), "HTML lacks {v:?}");
    }
    assert_eq!(page_count(&pdf), 1);
    assert_eq!(doc.file_name("pdf"), "INV-2026-00001.pdf");
});

on_both_engines!(two_hundred_lines_paginate_with_the_header_on_every_page, |db| async move {
    publisher(&db).await;
    let one = book(&db, 2, &["Single insertion".to_string()]).await;
    let (single, _) = invoice(&db, one).await;
    let descriptions: Vec<String> = (1..=200).map(|i| format!("Insertion number {i:03}")).collect();
    let ids = book(&db, 1, &descriptions).await;
    let (id, number) = invoice(&db, ids).await;

    let started = Instant::now();
    let small = render_pdf(&db, single).await.unwrap();
    let small_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let pdf = render_pdf(&db, id).await.unwrap();
    let large_ms = started.elapsed().as_millis();
    let started = Instant::now();
    render_pdf(&db, single).await.unwrap();
    let small_again_ms = started.elapsed().as_millis();
    eprintln!(
        "render_pdf: 1 line {small_ms} ms first in this process, {small_again_ms} ms again; 200 lines {large_ms} ms, {} pages, {} KB (1 line: {} KB)",
        page_count(&pdf),
        pdf.len() / 1024,
        small.len() / 1024
    );

    let pages = page_count(&pdf);
    assert!(pages >= 3, "200 lines take several pages, got {pages}");
    let text = pdf_text(&pdf);
    for d in &descriptions {
        assert!(text.contains(d.as_str()), "{d} missing");
    }
    // The table header and the invoice number repeat at the top of every page.
    let mut pages_with_lines = 0;
    for page in 1..=pages {
        let p = page.to_string();
        let page_text = poppler("pdftotext", &["-layout", "-f", &p, "-l", &p], &pdf);
        if page_text.contains("Insertion number") {
            pages_with_lines += 1;
            assert!(page_text.contains("Unit price"), "no table header on page {page}");
        }
        assert!(page_text.contains(&number), "no invoice number on page {page}");
        assert!(page_text.contains(&format!("Page {page} of {pages}")), "no page number on page {page}");
    }
    assert!(pages_with_lines >= pages - 1, "only the totals may start a page of their own");
    let last = poppler("pdftotext", &["-layout", "-f", &pages.to_string(), "-l", &pages.to_string()], &pdf);
    assert!(last.contains("Balance due") && last.contains(&format_money(total_of(&db, id).await, "USD")));
});

on_both_engines!(values_cannot_become_markup_in_either_document, |db| async move {
    publisher(&db).await;
    let hostile = vec![
        "<script>alert('x')</script> & more".to_string(),
        r#"Typst escape: "), #set page(width: 1cm) #panic("boom") \ *bold* $x$ // c"#.to_string(),
    ];
    let ids = book(&db, 1, &hostile).await;
    let (id, _) = invoice(&db, ids).await;
    let html = render_html(&db, id).await.unwrap();
    assert!(!html.contains("<script>"), "a description never becomes a script");
    assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; more"), "escaped, shown as text");

    let pdf = render_pdf(&db, id).await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("<script>alert('x')</script> & more"), "{text}");
    // Shown literally (the line wraps before `$x$`), not run as Typst code or markup.
    assert!(text.contains(r#"Typst escape: "), #set page(width: 1cm) #panic("boom") \ *bold*"#), "{text}");
    assert!(text.contains("$x$ // c"), "{text}");
    assert_eq!(page_count(&pdf), 1, "the page size was not changed by a description");
});

on_both_engines!(drafts_are_edited_then_finalised_with_the_next_number, |db| async move {
    publisher(&db).await;
    let first = book(&db, 1, &["Open one".to_string()]).await;
    let (_, n1) = invoice(&db, first).await;
    assert_eq!(n1, "INV-2026-00001");

    let a = book(&db, 1, &["Draft line A1".to_string(), "Draft line A2".to_string()]).await;
    let b = book(&db, 2, &["Draft line B1".to_string()]).await;
    let drafts_made = draft_line_items(&db, t0(), &request([a.clone(), b.clone()].concat())).await.unwrap();
    assert_eq!(drafts_made.created.len(), 2);
    let draft_a = drafts_made.created.iter().find(|c| c.bill_to_account_id == AccountId(1)).unwrap().id;
    let draft_b = drafts_made.created.iter().find(|c| c.bill_to_account_id == AccountId(2)).unwrap().id;

    // Drafts hold their line items: invoicing them again finds nothing to bill.
    let again = invoice_line_items(&db, t0(), &request(a.clone())).await.unwrap();
    assert_eq!((again.created.len(), again.already_invoiced), (0, 2));
    // They have no number, and say "Draft" wherever a number would be.
    let (record, lines, _) = app::backend::invoicing::invoices::get(&db, draft_a).await.unwrap().unwrap();
    assert_eq!((record.number.as_deref(), record.status().unwrap()), (None, InvoiceStatus::Draft));
    let doc = invoice_document::load(&db, draft_a).await.unwrap();
    assert_eq!((doc.number.as_str(), doc.title.as_str()), ("Draft", "Draft invoice"));
    assert_eq!(doc.file_name("pdf"), format!("draft-invoice-{draft_a}.pdf"));
    assert!(pdf_text(&render_pdf(&db, draft_a).await.unwrap()).contains("Draft invoice"));
    let drafts_tab = app::backend::invoicing::invoices::list(
        &db,
        &InvoiceFilter { tab: InvoiceTab::Draft, ..Default::default() },
        issue(),
        50,
    )
    .await
    .unwrap();
    assert_eq!(drafts_tab.total, 2);
    assert!(drafts_tab.items.iter().all(|r| r.number.is_none()));

    // Edit a line: the stored amounts and the totals follow domain/invoice.rs.
    let edit = LineEdit::parse("Draft line A1, revised", "3", "99.99", "10").unwrap();
    let total = drafts::update_line(&db, t0(), draft_a, lines[0].id, &edit, "Test").await.unwrap();
    let edited = edit.charge(Decimal::new(825, 2)).unwrap();
    let other = LineCharge {
        quantity: lines[1].quantity,
        unit_price: lines[1].unit_price,
        discount: lines[1].discount,
        tax_rate: lines[1].tax_rate,
    };
    let expected = InvoiceTotals::of(&[edited.amounts(), other.amounts()]);
    assert_eq!(total, expected.total);
    assert_eq!(total_of(&db, draft_a).await, expected.total);
    let (record, lines, _) = app::backend::invoicing::invoices::get(&db, draft_a).await.unwrap().unwrap();
    assert_eq!(lines[0].description, "Draft line A1, revised");
    assert_eq!(app::backend::platform::fixed::from_db(record.tax_total), expected.tax_total);

    // A discount larger than the line is refused at the field, and nothing changes.
    let too_much = LineEdit::parse("x", "1", "5", "6").unwrap();
    match drafts::update_line(&db, t0(), draft_a, lines[0].id, &too_much, "Test").await {
        Err(ServiceError::Invalid(f)) => assert_eq!(f[0].field, "discount"),
        other => panic!("expected a discount error, got {other:?}"),
    }
    assert_eq!(total_of(&db, draft_a).await, expected.total);
    // A line of another invoice is not found through this one.
    let (_, b_lines, _) = app::backend::invoicing::invoices::get(&db, draft_b).await.unwrap().unwrap();
    assert!(matches!(
        drafts::update_line(&db, t0(), draft_a, b_lines[0].id, &edit, "Test").await,
        Err(ServiceError::NotFound(_))
    ));

    // Dates.
    let dates = DraftDates { issue_date: issue(), due_date: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap() };
    drafts::update_dates(&db, t0(), draft_a, dates, "Test").await.unwrap();
    let (record, _, _) = app::backend::invoicing::invoices::get(&db, draft_a).await.unwrap().unwrap();
    assert_eq!(record.due_date, dates.due_date);

    // Removing a line returns its line item to Billable Line Items and lowers the total.
    drafts::remove_line(&db, t0(), draft_a, lines[1].id, "Test").await.unwrap();
    assert_eq!(total_of(&db, draft_a).await, edited.amounts().total);
    let rebilled = invoice_line_items(&db, t0(), &request(vec![a[1]])).await.unwrap();
    assert_eq!(rebilled.created.len(), 1, "the removed line item can be invoiced again");
    assert_eq!(rebilled.created[0].number, "INV-2026-00002");

    // Finalising numbers with the next number, in order, with no gaps.
    assert_eq!(finalise(&db, t0(), draft_b, "Test", AfterGenerate::Nothing, None).await.unwrap(), "INV-2026-00003");
    let next = book(&db, 2, &["After the draft".to_string()]).await;
    assert_eq!(invoice(&db, next).await.1, "INV-2026-00004");
    assert_eq!(finalise(&db, t0(), draft_a, "Test", AfterGenerate::Nothing, None).await.unwrap(), "INV-2026-00005");
    let (record, _, events) = app::backend::invoicing::invoices::get(&db, draft_a).await.unwrap().unwrap();
    assert_eq!((record.number.as_deref(), record.status().unwrap()), (Some("INV-2026-00005"), InvoiceStatus::Open));
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "edited", "edited", "line_removed", "finalised"]);
    let numbers: Vec<String> = on_db!(&db, p => sqlx::query_scalar("SELECT number FROM invoices WHERE number IS NOT NULL ORDER BY number")
        .fetch_all(p).await.unwrap());
    assert_eq!(numbers, (1..=5).map(|n| format!("INV-2026-{n:05}")).collect::<Vec<_>>());
});

on_both_engines!(only_drafts_can_be_edited, |db| async move {
    publisher(&db).await;
    let ids = book(&db, 1, &["Open line".to_string()]).await;
    let (open, number) = invoice(&db, ids).await;
    let (_, lines, _) = app::backend::invoicing::invoices::get(&db, open).await.unwrap().unwrap();
    let edit = LineEdit::parse("Changed", "1", "1", "0").unwrap();
    let dates = DraftDates { issue_date: issue(), due_date: issue() };
    let refused = |r: Result<(), ServiceError>| match r {
        Err(ServiceError::Conflict(msg)) => {
            assert!(msg.contains(&number) && msg.contains("only draft invoices can be edited"), "{msg}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    refused(drafts::update_line(&db, t0(), open, lines[0].id, &edit, "Test").await.map(|_| ()));
    refused(drafts::update_dates(&db, t0(), open, dates, "Test").await);
    refused(drafts::remove_line(&db, t0(), open, lines[0].id, "Test").await);
    refused(finalise(&db, t0(), open, "Test", AfterGenerate::Nothing, None).await.map(|_| ()));
    let (record, after, _) = app::backend::invoicing::invoices::get(&db, open).await.unwrap().unwrap();
    assert_eq!((after[0].description.as_str(), record.number.as_deref()), ("Open line", Some(number.as_str())));

    // A finalised draft is refused the same way; an empty draft cannot be finalised.
    let more = book(&db, 1, &["Draft line".to_string()]).await;
    let draft = draft_line_items(&db, t0(), &request(more)).await.unwrap().created[0].id;
    let (_, dl, _) = app::backend::invoicing::invoices::get(&db, draft).await.unwrap().unwrap();
    drafts::remove_line(&db, t0(), draft, dl[0].id, "Test").await.unwrap();
    assert!(matches!(
        finalise(&db, t0(), draft, "Test", AfterGenerate::Nothing, None).await,
        Err(ServiceError::Conflict(_))
    ));
    let counter: Option<i64> = on_db!(&db, p => sqlx::query_scalar("SELECT MAX(last_value) FROM invoice_counters").fetch_one(p).await.unwrap());
    assert_eq!(counter, Some(1), "a refused finalise uses no number");
    assert!(matches!(
        drafts::update_dates(&db, t0(), InvoiceId(9_999), dates, "Test").await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(render_pdf(&db, InvoiceId(9_999)).await, Err(ServiceError::NotFound(_))));
});
