//! Invoice PDF and HTML downloads and draft editing over a real socket, on both engines.

use crate::serve;
use testkit::on_both_engines;

use app::backend::Db;
use chrono::{TimeZone, Utc};
use reqwest::{Client, StatusCode};

struct Running {
    base: String,
    db: Db,
}

async fn start(db: Db) -> Running {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
    Running { base: serve::serve_demo(&db, now).await, db }
}

use serve::browser;

impl Running {
    async fn signed_in(&self, email: &str, password: &str) -> Client {
        let c = browser();
        let r = c
            .post(format!("{}/api/sign_in", self.base))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign in as {email}");
        c
    }

    /// Invoices everything billable now through the server function; returns the first
    /// invoice's id and number (`None` for drafts).
    async fn invoice_all(&self, billing: &Client, as_drafts: bool) -> (i64, Option<String>) {
        let mut form =
            vec![("ids", ""), ("all_matching", "true"), ("query", "status=now"), ("issue_date", ""), ("due_date", "")];
        if as_drafts {
            form.push(("as_drafts", "true"));
        }
        let r = billing.post(format!("{}/api/invoice_selected", self.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: serde_json::Value = r.json().await.unwrap();
        let first = &body["created"][0];
        (first["id"].as_i64().unwrap(), first["number"].as_str().map(String::from))
    }
}

on_both_engines!(invoice_documents_need_a_session_and_answer_pdf_and_html, |db| async move {
    let s = start(db).await;
    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    let (id, number) = s.invoice_all(&billing, false).await;
    let number = number.expect("an open invoice has a number");

    // Signed out: both documents send the browser to sign in, and back here afterwards.
    let anonymous = browser();
    for kind in ["pdf", "html"] {
        let r = anonymous.get(format!("{}/accounting/invoices/{id}/{kind}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind}");
        assert_eq!(r.headers()["location"], format!("/sign-in?next=%2Faccounting%2Finvoices%2F{id}%2F{kind}"));
    }

    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let r = viewer
        .get(format!("{}/accounting/invoices/{id}/pdf", s.base))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    // A PDF's streams are compressed already; compressing it again only costs time.
    assert!(!r.headers().contains_key("content-encoding"));
    assert_eq!(r.headers()["content-disposition"], format!("attachment; filename=\"{number}.pdf\""));
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    let r = viewer.get(format!("{}/accounting/invoices/{id}/html", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains(&number) && html.contains("Balance due"));

    // The invoice page offers both.
    let page = viewer.get(format!("{}/accounting/invoices/{id}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/accounting/invoices/{id}/pdf")) && page.contains("Download PDF"));
    assert!(page.contains(&format!("/accounting/invoices/{id}/html")) && page.contains("View as HTML"));

    // Unknown or malformed ids are a 404 page, not an error.
    for path in ["999999/pdf", "999999/html", "abc/pdf", "-1/html"] {
        let r = viewer.get(format!("{}/accounting/invoices/{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().await.unwrap().contains("Invoice not found"), "{path}");
    }
});

on_both_engines!(drafts_are_edited_over_http_and_other_invoices_are_refused, |db| async move {
    let s = start(db).await;
    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let (draft, number) = s.invoice_all(&billing, true).await;
    assert_eq!(number, None, "drafts have no number");

    let page =
        billing.get(format!("{}/accounting/invoices/{draft}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Draft invoice") && page.contains("Finalise"));
    let r = billing.get(format!("{}/accounting/invoices/{draft}/pdf", s.base)).send().await.unwrap();
    assert_eq!(r.headers()["content-disposition"], format!("attachment; filename=\"draft-invoice-{draft}.pdf\""));

    let detail = |c: &Client| {
        let url = format!("{}/api/get_invoice", s.base);
        let c = c.clone();
        async move {
            let r = c.post(url).form(&[("id", draft.to_string())]).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let before = detail(&billing).await;
    assert_eq!(before["can_edit"], true);
    assert_eq!(detail(&viewer).await["can_edit"], false);
    let line = before["lines"][0]["id"].as_i64().unwrap().to_string();
    let id = draft.to_string();
    let edit = [
        ("invoice_id", id.as_str()),
        ("line_id", line.as_str()),
        ("description", "Edited over HTTP"),
        ("quantity", "2"),
        ("unit_price", "100"),
        ("discount", "0"),
    ];
    let r = viewer.post(format!("{}/api/update_draft_line", s.base)).form(&edit).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "viewers cannot edit");
    let mut bad = edit;
    bad[3] = ("quantity", "lots");
    let r = billing.post(format!("{}/api/update_draft_line", s.base)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["Invalid"][0]["field"], "quantity");
    let r = billing.post(format!("{}/api/update_draft_line", s.base)).form(&edit).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(detail(&billing).await["lines"][0]["description"], "Edited over HTTP");

    let r = billing
        .post(format!("{}/api/finalise_draft", s.base))
        .form(&[("id", id.as_str()), ("then", "ready")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let number: String = r.json().await.unwrap();
    assert!(number.starts_with("INV-2026-"), "{number}");
    let ready = app::backend::invoicing::delivery_views::ready_ids(&s.db).await.unwrap();
    assert!(ready.contains(&app::domain::ids::InvoiceId(id.parse().unwrap())), "Finalise put it in Ready to send");

    // Now it is an open invoice: every edit is refused with 409 and a reason.
    let r = billing.post(format!("{}/api/update_draft_line", s.base)).form(&edit).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["Rejected"].as_str().unwrap().contains("only draft invoices can be edited"), "{body}");
    let r = billing
        .post(format!("{}/api/update_draft_dates", s.base))
        .form(&[("id", id.as_str()), ("issue_date", "2026-11-24"), ("due_date", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = billing.post(format!("{}/api/finalise_draft", s.base)).form(&[("id", id.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = billing
        .post(format!("{}/api/remove_draft_line", s.base))
        .form(&[("invoice_id", id.as_str()), ("line_id", line.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
});
