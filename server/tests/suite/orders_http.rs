//! The order server functions over a real socket, on both engines: roles, field errors as 422,
//! locked (billed) line items as 409, and the CSV import refusing a file twice.

use crate::serve;
use app::{
    backend::{
        Db,
        directory::orders::get_order,
        invoicing::create::{InvoiceRequest, Source, invoice_line_items},
    },
    domain::ids::OrderId,
    on_db,
};
use testkit::on_both_engines;

use chrono::{NaiveDate, TimeZone, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn start(db: Db) -> String {
    serve::serve_demo(&db, Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()).await
}

use serve::signed_in;

/// An "Immediately" product (Classified Line Ad) and an account from the demo data.
async fn ids(db: &Db) -> (i64, i64) {
    on_db!(db, p => {
        let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE code = 'CL-LN'").fetch_one(p).await.unwrap();
        let account: i64 = sqlx::query_scalar("SELECT MIN(id) FROM accounts WHERE kind = 'advertiser'").fetch_one(p).await.unwrap();
        (product, account)
    })
}

fn order(account: i64, product: i64, quantity: &str) -> Value {
    json!({
        "account_id": account,
        "status": "confirmed",
        "ordered_on": "2026-11-24",
        "lines": [
            {"product_id": product, "run_date": "2026-12-01", "description": "Week 1", "quantity": 2, "unit_price": "40"},
            {"product_id": product, "run_date": "2026-12-08", "description": "Week 2", "quantity": quantity, "unit_price": "40"}
        ]
    })
}

on_both_engines!(saving_orders_over_http, |db| async move {
    let base = start(db.clone()).await;
    let (product, account) = ids(&db).await;
    let viewer = signed_in(&base, "viewer@pressrun.example", "pressrun-viewer").await;
    let billing = signed_in(&base, "billing@pressrun.example", "pressrun-billing").await;
    let save = |c: &Client, body: Value| c.post(format!("{base}/api/save_order")).json(&body).send();

    let r = save(&viewer, json!({"id": null, "input": order(account, product, "1")})).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "viewers read orders but do not save them");

    let r = save(&billing, json!({"id": null, "input": order(account, product, "two")})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["Invalid"][0]["field"], "lines[1].quantity");

    let r = save(&billing, json!({"id": null, "input": order(account, product, "1")})).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id: OrderId = r.json().await.unwrap();
    let o = get_order(&db, id).await.unwrap();
    assert_eq!(o.total.to_string(), "120.00");

    // Bill the first line; changing it is then refused with 409 and a reason.
    let out = invoice_line_items(
        &db,
        Utc::now(),
        &InvoiceRequest {
            line_item_ids: vec![o.lines[0].id],
            issue_date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            due_date: None,
            created_by: None,
            actor: "Test".into(),
            source: Source::Manual,
            then: app::domain::delivery::AfterGenerate::Nothing,
            email_template_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.created.len(), 1);
    let mut input = serde_json::to_value(get_order(&db, id).await.unwrap().to_input()).unwrap();
    input["lines"][0]["quantity"] = json!("5");
    let r = save(&billing, json!({"id": id, "input": input})).await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert!(body["Rejected"].as_str().unwrap().contains(&out.created[0].number), "{body}");
    assert_eq!(get_order(&db, id).await.unwrap().lines[0].quantity.to_string(), "2");

    let r = viewer.post(format!("{base}/api/get_order_editor")).form(&[("id", id.to_string())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["order"]["lines"][0]["invoice_number"], json!(out.created[0].number));
    assert_eq!(view["can_edit"], json!(false));
});

on_both_engines!(importing_over_http_refuses_the_same_file_twice, |db| async move {
    let base = start(db.clone()).await;
    let billing = signed_in(&base, "billing@pressrun.example", "pressrun-billing").await;
    let csv = "order_number,account,ordered_on,status,product,run_date,description,quantity,unit_price,discount\n\
               HTTP-1,Riverside Dental,2026-11-24,confirmed,CL-LN,2026-12-01,Classified,2,,\n";
    let post = |fun: &str| billing.post(format!("{base}/api/{fun}")).json(&json!({"csv": csv})).send();
    let dry: Value = post("check_order_import").await.unwrap().json().await.unwrap();
    assert_eq!((dry["problem_count"].as_u64(), dry["imported"].as_bool()), (Some(0), Some(false)));
    let done: Value = post("import_orders").await.unwrap().json().await.unwrap();
    assert_eq!((done["orders"].as_u64(), done["imported"].as_bool()), (Some(1), Some(true)));
    let again: Value = post("import_orders").await.unwrap().json().await.unwrap();
    assert_eq!(again["imported"], json!(false));
    assert_eq!(again["problems"][0]["message"], json!("order 'HTTP-1' already exists"));
});

/// Between axum's default 2 MB and the importer's 5 MB a file must reach the importer, and one
/// past 5 MB gets the importer's own message, not a transport error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_imports_reach_the_importer() {
    let t = testkit::TestDb::new(testkit::Engine::Sqlite).await;
    let base = start(t.db.clone()).await;
    let billing = signed_in(&base, "billing@pressrun.example", "pressrun-billing").await;
    let header = "order_number,account,ordered_on,status,product,run_date,description,quantity,unit_price,discount\n";
    let row = |i: usize| {
        format!("BIG-{i},Riverside Dental,2026-11-24,confirmed,CL-LN,2026-12-01,\"Classified, \"\"boxed\"\"\",2,,\n")
    };
    let file = |bytes: usize| {
        let mut csv = header.to_string();
        let mut i = 0;
        while csv.len() < bytes {
            csv.push_str(&row(i));
            i += 1;
        }
        csv
    };
    let three_mb = file(3 * 1024 * 1024);
    let r =
        billing.post(format!("{base}/api/check_order_import")).json(&json!({"csv": three_mb})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let dry: Value = r.json().await.unwrap();
    assert_eq!(
        (dry["imported"].as_bool(), dry["problem_count"].as_u64()),
        (Some(false), Some(0)),
        "{}",
        dry["problems"]
    );
    assert!(dry["orders"].as_u64().unwrap() > 10_000, "{}", dry["orders"]);

    let six_mb = file(6 * 1024 * 1024);
    let r = billing.post(format!("{base}/api/check_order_import")).json(&json!({"csv": six_mb})).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(body.contains("5 MB"), "{status}: {}", &body[..body.len().min(300)]);
}
