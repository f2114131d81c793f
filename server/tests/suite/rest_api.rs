//! The REST API over a real socket, on both engines: bearer keys, the JSON error shape,
//! paging, and that `/api/v1` is outside the cookie session and its cross-site check.

use crate::serve;
use app::{
    backend::{Db, auth::api_keys, demo::seed},
    domain::{
        api_key::ApiKeyScope,
        ids::{LineItemId, UserId},
    },
};
use testkit::on_both_engines;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Client, RequestBuilder, StatusCode, redirect::Policy};
use serde_json::{Value, json};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

struct Running {
    base: String,
    db: Db,
    key: String,
    http: Client,
}

async fn start(db: Db) -> Running {
    seed::seed_demo(&db, t0()).await.unwrap();
    let admin = app::backend::auth::users::find_by_email(&db, "admin@pressrun.example").await.unwrap().unwrap();
    let key = api_keys::create(&db, t0(), admin.id, "Ad order system", ApiKeyScope::Write).await.unwrap().key;
    let base = serve::serve(&db, t0()).await;
    let http = serve::browser();
    Running { base, db, key, http }
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.key)
    }

    fn post(&self, path: &str, body: &Value) -> RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.key).json(body)
    }

    async fn signed_in_browser(&self, email: &str, password: &str) -> Client {
        let c = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        let r = c
            .post(format!("{}/api/sign_in", self.base))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign in as {email}");
        c
    }
}

/// The status and the parsed JSON body; fails the test if the body is not JSON.
async fn answer(r: RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let status = r.status();
    let content_type = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let text = r.text().await.unwrap();
    assert_eq!(content_type.as_deref(), Some("application/json"), "{status} {text}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}")))
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()
}

on_both_engines!(requests_without_a_live_key_are_refused, |db| async move {
    let s = start(db).await;
    let (status, body) = answer(s.http.get(s.url("/accounts"))).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let r = s.http.get(s.url("/accounts")).send().await.unwrap();
    assert_eq!(r.headers()["www-authenticate"], "Bearer");

    for bad in ["Bearer prk_nope", "Basic YWRtaW46YWRtaW4=", "Bearer "] {
        let (status, body) = answer(s.http.get(s.url("/accounts")).header("authorization", bad)).await;
        assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "{bad}");
    }
    // Even unknown endpoints and writes say 401 before anything else.
    let (status, _) = answer(s.http.get(s.url("/nowhere"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = answer(s.http.post(s.url("/accounts")).json(&json!({"name": "X"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = answer(s.get("/accounts")).await;
    assert_eq!(status, StatusCode::OK);
    let id = app::backend::auth::api_key_store::list(&s.db).await.unwrap()[0].id;
    api_keys::revoke(&s.db, t0(), UserId(1), id).await.unwrap();
    let (status, body) = answer(s.get("/accounts")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "revoked");
});

on_both_engines!(a_read_only_key_reads_and_cannot_write, |db| async move {
    let s = start(db).await;
    let admin = app::backend::auth::users::find_by_email(&s.db, "admin@pressrun.example").await.unwrap().unwrap();
    let reader = api_keys::create(&s.db, t0(), admin.id, "Reporting", ApiKeyScope::Read).await.unwrap().key;
    let before = app::on_db!(&s.db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts").fetch_one(p).await.unwrap());
    let (status, _) = answer(s.http.get(s.url("/accounts")).bearer_auth(&reader)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = answer(s.http.get(s.url("/line-items")).bearer_auth(&reader)).await;
    assert_eq!(status, StatusCode::OK);
    let write =
        s.http.post(s.url("/accounts")).bearer_auth(&reader).json(&json!({"name": "Sneaky Co", "kind": "advertiser"}));
    let (status, body) = answer(write).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, _) = answer(s.http.put(s.url("/orders/1")).bearer_auth(&reader).json(&json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = app::on_db!(&s.db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts").fetch_one(p).await.unwrap());
    assert_eq!(before, after, "nothing was written");
});

on_both_engines!(sessions_and_keys_do_not_mix, |db| async move {
    let s = start(db).await;
    // A signed-in browser's cookie does not open the REST API …
    let browser = s.signed_in_browser("admin@pressrun.example", "pressrun-admin").await;
    let (status, _) = answer(browser.get(s.url("/accounts"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // … and a key does not open pages or server functions.
    let r = s.http.get(format!("{}/accounts", s.base)).bearer_auth(&s.key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = s.http.post(format!("{}/api/list_api_keys", s.base)).bearer_auth(&s.key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // No cookie is involved, so a request with a foreign Origin is judged by its key alone.
    let (status, _) =
        answer(s.http.get(s.url("/accounts")).bearer_auth(&s.key).header("origin", "https://orders.example")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = answer(
        s.http
            .patch(s.url("/accounts/999999"))
            .bearer_auth(&s.key)
            .header("origin", "https://orders.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({})),
    )
    .await;
    assert_ne!(status, StatusCode::FORBIDDEN, "{body}");
});

on_both_engines!(admins_create_list_and_revoke_keys_in_settings, |db| async move {
    let s = start(db).await;
    let admin = s.signed_in_browser("admin@pressrun.example", "pressrun-admin").await;
    let r = admin.post(format!("{}/api/create_api_key", s.base)).form(&[("name", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin.post(format!("{}/api/create_api_key", s.base)).form(&[("name", "CRM")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let created: Value = r.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("prk_") && key.len() >= 4 + 8 + 1 + 43, "{key}");

    let r = admin.post(format!("{}/api/list_api_keys", s.base)).send().await.unwrap();
    let listing = r.text().await.unwrap();
    assert!(listing.contains("\"CRM\""), "{listing}");
    assert!(!listing.contains(&key[13..]), "the list never shows a key again");

    let (status, _) = answer(s.http.get(s.url("/accounts")).bearer_auth(&key)).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Value = serde_json::from_str(&listing).unwrap();
    let id = keys.as_array().unwrap().iter().find(|k| k["name"] == "CRM").unwrap()["id"].as_i64().unwrap();
    let r =
        admin.post(format!("{}/api/revoke_api_key", s.base)).form(&[("key_id", id.to_string())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = answer(s.http.get(s.url("/accounts")).bearer_auth(&key)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let billing = s.signed_in_browser("billing@pressrun.example", "pressrun-billing").await;
    for (path, form) in [("/api/create_api_key", vec![("name", "Mine")]), ("/api/list_api_keys", vec![])] {
        let r = billing.post(format!("{}{path}", s.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
});

on_both_engines!(reads_page_and_find_by_reference, |db| async move {
    let s = start(db).await;
    let (status, body) = answer(s.get("/accounts?per_page=2")).await;
    assert_eq!(status, StatusCode::OK);
    let total = body["total"].as_i64().unwrap();
    assert!(total > 2, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    let first_id = body["items"][0]["id"].as_i64().unwrap();
    let (_, page2) = answer(s.get("/accounts?per_page=2&page=2")).await;
    assert_ne!(page2["items"][0]["id"].as_i64().unwrap(), first_id);

    // Contacts are nested in the account.
    let (_, all) = answer(s.get("/accounts?per_page=200")).await;
    let with_contacts = all["items"].as_array().unwrap().iter().find(|a| !a["contacts"].as_array().unwrap().is_empty());
    let account = with_contacts.expect("the demo has contacts");
    let contact = &account["contacts"][0];
    assert!(contact["email"].as_str().unwrap().contains('@'));
    assert!(["to", "cc", "none"].contains(&contact["invoice_role"].as_str().unwrap()));
    let id = account["id"].as_i64().unwrap();
    let (status, one) = answer(s.get(&format!("/accounts/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, *account);

    // By external reference.
    app::on_db!(&s.db, p => sqlx::query("UPDATE accounts SET external_ref = 'CRM-42' WHERE id = $1")
        .bind(id).execute(p).await.map(|_| ()).unwrap());
    let (_, found) = answer(s.get("/accounts?external_ref=CRM-42")).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"].as_i64(), Some(id));
    let (_, none) = answer(s.get("/accounts?external_ref=CRM-43")).await;
    assert_eq!((none["total"].as_i64(), none["items"].as_array().unwrap().len()), (Some(0), 0));

    // Orders with their line items, and line items on their own.
    let (status, orders) = answer(s.get("/orders?per_page=1")).await;
    assert_eq!(status, StatusCode::OK);
    let order = &orders["items"][0];
    let order_id = order["id"].as_i64().unwrap();
    let lines = order["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let (_, one_order) = answer(s.get(&format!("/orders/{order_id}"))).await;
    assert_eq!(one_order, *order);
    let (_, items) = answer(s.get(&format!("/line-items?order_id={order_id}&status=unbilled"))).await;
    assert_eq!(items["total"].as_i64().unwrap() as usize, lines.len());
    let (_, billed) = answer(s.get(&format!("/line-items?order_id={order_id}&status=billed"))).await;
    assert_eq!(billed["total"], 0);
});

on_both_engines!(bad_requests_get_json_errors, |db| async move {
    let s = start(db).await;
    for (path, status, code) in [
        ("/accounts/999999", StatusCode::NOT_FOUND, "not_found"),
        ("/accounts/abc", StatusCode::NOT_FOUND, "not_found"),
        ("/orders/999999", StatusCode::NOT_FOUND, "not_found"),
        ("/nowhere", StatusCode::NOT_FOUND, "not_found"),
        ("/accounts?page=abc", StatusCode::BAD_REQUEST, "bad_request"),
        ("/accounts?per_page=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ("/line-items?status=paid", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ] {
        let (got, body) = answer(s.get(path)).await;
        assert_eq!((got, error_code(&body)), (status, code), "{path}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (_, body) = answer(s.get("/accounts?per_page=1000")).await;
    assert_eq!(error_fields(&body), ["per_page"]);
    let (status, body) = answer(s.http.delete(s.url("/accounts")).bearer_auth(&s.key)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
});

async fn scalar(db: &Db, sql: &str) -> i64 {
    app::on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

on_both_engines!(accounts_are_created_once_and_patched, |db| async move {
    let s = start(db).await;
    let new_account = json!({
        "name": "Harbor Dental",
        "kind": "advertiser",
        "payment_terms_days": 30,
        "email": "office@harbor.example",
        "external_ref": "CRM-1042",
        "contacts": [
            {"name": "Pat Payables", "email": "ap@harbor.example", "invoice_role": "to"},
            {"name": "Dr. Lee", "email": "lee@harbor.example", "invoice_role": "cc"}
        ]
    });
    let r = s.post("/accounts", &new_account).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/accounts/{id}"));
    assert_eq!(created["external_ref"], "CRM-1042");
    assert_eq!(created["payment_terms_days"], 30);
    let roles: Vec<&str> =
        created["contacts"].as_array().unwrap().iter().map(|c| c["invoice_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["to", "cc"]);
    let (_, read_back) = answer(s.http.get(format!("{}{location}", s.base)).bearer_auth(&s.key)).await;
    assert_eq!(read_back, created);

    // A retry with the same reference creates nothing and points at the first account.
    let accounts_before = scalar(&s.db, "SELECT COUNT(*) FROM accounts").await;
    let (status, body) = answer(s.post("/accounts", &new_account)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(body["error"]["existing_id"].as_i64(), Some(id));
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM accounts").await, accounts_before);

    // Validation errors name every bad field, contacts by position; nothing is written.
    let (status, body) = answer(s.post(
        "/accounts",
        &json!({"name": " ", "kind": "reseller", "email": "nope",
                "contacts": [{"name": "Ok", "email": "ok@x.example"}, {"name": "", "email": "bad", "invoice_role": "to"}]}),
    ))
    .await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{body}");
    let fields = error_fields(&body);
    for f in ["name", "kind", "email", "contacts[1].name", "contacts[1].email"] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }
    assert!(!fields.iter().any(|f| f.starts_with("contacts[0]")), "{fields:?}");
    let (status, body) = answer(s.post("/accounts", &json!({"kind": "agency"}))).await;
    assert_eq!((status, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()]));
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM accounts").await, accounts_before);

    // PATCH changes only what is sent.
    let (status, patched) =
        answer(s.http.patch(s.url(&format!("/accounts/{id}"))).bearer_auth(&s.key).json(&json!({"phone": "555-0100"})))
            .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["phone"], "555-0100");
    assert_eq!((&patched["name"], &patched["external_ref"]), (&created["name"], &created["external_ref"]));
    let (status, body) = answer(
        s.http.patch(s.url(&format!("/accounts/{id}"))).bearer_auth(&s.key).json(&json!({"payment_terms_days": 400})),
    )
    .await;
    assert_eq!((status, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["payment_terms_days".into()]));
    let (status, body) =
        answer(s.http.patch(s.url(&format!("/accounts/{id}"))).bearer_auth(&s.key).json(&json!({"colour": "red"})))
            .await;
    assert_eq!((status, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour".into()]));
    let (status, body) =
        answer(s.http.patch(s.url(&format!("/accounts/{id}"))).bearer_auth(&s.key).json(&json!({"archived": true})))
            .await;
    assert_eq!((status, &body["archived"]), (StatusCode::OK, &json!(true)));
    let (status, _) =
        answer(s.http.patch(s.url("/accounts/999999")).bearer_auth(&s.key).json(&json!({"phone": "1"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_engines!(malformed_bodies_are_json_errors, |db| async move {
    let s = start(db).await;
    let raw = |body: &'static str| {
        s.http.post(s.url("/accounts")).bearer_auth(&s.key).header("content-type", "application/json").body(body)
    };
    let (status, body) = answer(raw("{\"name\": ")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, body) = answer(raw("{\"name\": \"A\"} trailing")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, body) = answer(raw("[1, 2]")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = answer(raw("{\"name\": \"A\", \"payment_terms_days\": \"thirty\"}")).await;
    assert_eq!((status, error_fields(&body)), (StatusCode::BAD_REQUEST, vec!["payment_terms_days".into()]));
    let (status, body) =
        answer(raw("{\"name\": \"A\", \"contacts\": [{\"name\": \"B\"}, {\"name\": \"C\", \"email\": 7}]}")).await;
    assert_eq!((status, error_fields(&body)), (StatusCode::BAD_REQUEST, vec!["contacts[1].email".into()]));

    let (status, body) =
        answer(s.http.post(s.url("/accounts")).bearer_auth(&s.key).header("content-type", "text/plain").body("{}"))
            .await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));

    let huge = format!("{{\"name\": \"A\", \"notes\": \"{}\"}}", "x".repeat(1024 * 1024 + 1));
    let (status, body) = answer(
        s.http.post(s.url("/accounts")).bearer_auth(&s.key).header("content-type", "application/json").body(huge),
    )
    .await;
    assert_eq!((status, error_code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));

    let (status, body) = answer(s.http.put(s.url("/orders/1")).bearer_auth(&s.key).json(&json!({"lines": 3}))).await;
    assert_eq!((status, error_fields(&body)), (StatusCode::BAD_REQUEST, vec!["lines".into()]));
});

on_both_engines!(orders_round_trip_with_exact_money, |db| async move {
    let s = start(db).await;
    let account_id = scalar(&s.db, "SELECT MIN(id) FROM accounts").await;
    let product_id =
        scalar(&s.db, "SELECT MIN(id) FROM products WHERE active = TRUE AND billing_rule = 'immediately'").await;
    let order = json!({
        "account_id": account_id,
        "status": "confirmed",
        "ordered_on": "2026-11-20",
        "notes": "From the ad-order system",
        "external_ref": "AOS-88123",
        "lines": [
            {"product_id": product_id, "run_date": "2026-12-03", "description": "Half page",
             "quantity": "1", "unit_price": "1250.00", "discount": "0"},
            {"product_id": product_id, "run_date": "2026-12-10", "description": "Web banner, 3 weeks",
             "quantity": "3", "unit_price": "0.1250", "discount": "0.05"},
            {"product_id": product_id, "run_date": "2026-12-17", "description": "Classified",
             "quantity": "2.5", "unit_price": "19.99", "discount": "1.00"}
        ]
    });
    let r = s.post("/orders", &order).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/orders/{id}"));
    let lines = created["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    let money: Vec<(&str, &str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["quantity"].as_str().unwrap(),
                l["unit_price"].as_str().unwrap(),
                l["discount"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
            )
        })
        .collect();
    // Strings, exactly as sent (a float would have turned 19.99 × 2.5 into 49.974999…).
    assert_eq!(
        money,
        [("1", "1250.00", "0.00", "1250.00"), ("3", "0.125", "0.05", "0.33"), ("2.5", "19.99", "1.00", "48.98")]
    );
    assert_eq!(created["total"], "1299.31");
    assert!(lines.iter().all(|l| l["status"] == "unbilled" && l["invoice_number"].is_null()));
    let (_, read_back) = answer(s.get(&format!("/orders/{id}"))).await;
    assert_eq!(read_back, created);
    let (_, by_ref) = answer(s.get("/orders?external_ref=AOS-88123")).await;
    assert_eq!(by_ref["items"][0], created);

    // A retry is refused with the first order's id; nothing is duplicated.
    let (status, body) = answer(s.post("/orders", &order)).await;
    assert_eq!((status, body["error"]["existing_id"].as_i64()), (StatusCode::CONFLICT, Some(id)));
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM orders WHERE external_ref = 'AOS-88123'").await, 1);

    // Field errors carry the line's path.
    let mut bad = order.clone();
    bad["external_ref"] = json!("AOS-88124");
    bad["lines"][2]["run_date"] = json!("2026-13-01");
    bad["lines"][0]["quantity"] = json!("-1");
    let (status, body) = answer(s.post("/orders", &bad)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{body}");
    let fields = error_fields(&body);
    assert!(fields.contains(&"lines[2].run_date".to_string()), "{fields:?}");
    assert!(fields.contains(&"lines[0].quantity".to_string()), "{fields:?}");

    // Invoice the first line: from then on it cannot change, and PUT says so with a 409.
    let first_line = lines[0]["id"].as_i64().unwrap();
    let outcome = app::backend::invoicing::create::invoice_line_items(
        &s.db,
        t0(),
        &app::backend::invoicing::create::InvoiceRequest {
            line_item_ids: vec![LineItemId(first_line)],
            issue_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            due_date: None,
            created_by: None,
            actor: "test".into(),
            source: app::backend::invoicing::create::Source::Manual,
            then: app::domain::delivery::AfterGenerate::Nothing,
            email_template_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome.created.len(), 1, "{outcome:?}");
    let (_, billed) = answer(s.get(&format!("/line-items?order_id={id}&status=billed"))).await;
    assert_eq!(billed["total"], 1);
    assert_eq!(billed["items"][0]["invoice_number"], json!(outcome.created[0].number));

    let mut update = order.clone();
    for (i, l) in lines.iter().enumerate() {
        update["lines"][i]["id"] = l["id"].clone();
    }
    update["lines"][0]["unit_price"] = json!("999.00");
    let (status, body) = answer(s.http.put(s.url(&format!("/orders/{id}"))).bearer_auth(&s.key).json(&update)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"), "{body}");

    // Changing an unbilled line and dropping another is fine.
    update["lines"][0]["unit_price"] = json!("1250.00");
    update["lines"][1]["unit_price"] = json!("0.2");
    update["lines"].as_array_mut().unwrap().remove(2);
    let (status, updated) = answer(s.http.put(s.url(&format!("/orders/{id}"))).bearer_auth(&s.key).json(&update)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let prices: Vec<&str> =
        updated["lines"].as_array().unwrap().iter().map(|l| l["unit_price"].as_str().unwrap()).collect();
    assert_eq!(prices, ["1250.00", "0.20"]);
    assert_eq!(updated["lines"][0]["status"], "billed");
    let (status, _) = answer(s.http.put(s.url("/orders/999999")).bearer_auth(&s.key).json(&update)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

/// JSON shaped like what the REST API takes, with every field name it knows and values of every
/// type and size, nested a little.
fn generated_body() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let name = prop_oneof![
        Just("name"),
        Just("kind"),
        Just("contacts"),
        Just("email"),
        Just("invoice_role"),
        Just("account_id"),
        Just("bill_to_account_id"),
        Just("payment_terms_days"),
        Just("lines"),
        Just("line_items"),
        Just("quantity"),
        Just("unit_price"),
        Just("discount"),
        Just("run_date"),
        Just("product_id"),
        Just("status"),
        Just("ordered_on"),
        Just("external_ref"),
        Just("archived"),
        Just("description"),
        Just("order_number"),
        Just("zzz"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        prop_oneof![
            Just("advertiser".to_string()),
            Just("agency".to_string()),
            Just("to".to_string()),
            Just("confirmed".to_string()),
            Just("2026-02-30".to_string()),
            Just("2026-12-01".to_string()),
            Just("99999999999999999999999999".to_string()),
            Just("-1".to_string()),
            Just("a@b.example".to_string()),
            "\\PC{0,20}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec((name.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

on_both_engines!(generated_json_bodies_never_get_a_server_error, |db| async move {
    use proptest::{
        strategy::{Strategy, ValueTree},
        test_runner::{Config, TestRunner},
    };
    let s = start(db).await;
    let mut runner = TestRunner::new(Config::default());
    let strategy = generated_body();
    let mut answered = 0;
    for _ in 0..runner.config().cases {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        for (method, path) in [
            ("POST", "/accounts"),
            ("PATCH", "/accounts/1"),
            ("POST", "/orders"),
            ("PUT", "/orders/1"),
            ("POST", "/payments"),
        ] {
            let r = s
                .http
                .request(method.parse().unwrap(), s.url(path))
                .bearer_auth(&s.key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(!status.is_server_error(), "{method} {path} answered {status} to {body}: {text}");
            assert!(serde_json::from_str::<Value>(&text).is_ok(), "{method} {path}: not JSON: {text}");
            answered += 1;
        }
    }
    assert!(answered >= 5 * 64);
});

/// The demo publisher with its billing history, for reading invoices and payments back.
async fn start_with_history(db: Db) -> Running {
    let s = start(db).await;
    let today = app::backend::platform::organisation::today(&s.db, t0()).await.unwrap();
    app::backend::demo::history::seed(&s.db, t0(), today).await.unwrap();
    s
}

on_both_engines!(invoices_are_read_back_with_lines_and_balances, |db| async move {
    let s = start_with_history(db).await;
    let (status, all) = answer(s.get("/invoices?per_page=200")).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let total = all["total"].as_i64().unwrap();
    let invoice_count = scalar(&s.db, "SELECT COUNT(*) FROM invoices").await;
    assert_eq!(total, invoice_count);
    assert!(total > 3);

    // Filters agree with the database.
    let (_, paid) = answer(s.get("/invoices?status=paid")).await;
    assert_eq!(
        paid["total"].as_i64().unwrap(),
        scalar(&s.db, "SELECT COUNT(*) FROM invoices WHERE status = 'paid'").await
    );
    assert!(paid["items"].as_array().unwrap().iter().all(|i| i["status"] == "paid" && i["balance"] == "0.00"));
    let account = all["items"][0]["account_id"].as_i64().unwrap();
    let (_, mine) = answer(s.get(&format!("/invoices?account_id={account}"))).await;
    assert!(mine["items"].as_array().unwrap().iter().all(|i| i["account_id"] == account));
    let (_, none) = answer(s.get(&format!(
        "/invoices?updated_since={}",
        (t0() + chrono::Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )))
    .await;
    assert_eq!(none["total"], 0, "nothing happened after now");
    let (_, since) =
        answer(s.get("/invoices?updated_since=2000-01-01T00:00:00Z&issued_from=2000-01-01&issued_to=2100-01-01")).await;
    assert_eq!(since["total"].as_i64().unwrap(), total);

    // One invoice with its lines; the money adds up to the cent.
    let id = all["items"][0]["id"].as_i64().unwrap();
    let (status, one) = answer(s.get(&format!("/invoices/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let lines = one["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let dec = |v: &Value| v.as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    let net: rust_decimal::Decimal = lines.iter().map(|l| dec(&l["net_amount"]) + dec(&l["tax_amount"])).sum();
    assert_eq!(net, dec(&one["total"]));
    assert_eq!(dec(&one["total"]) - dec(&one["amount_paid"]), dec(&one["balance"]));
    assert_eq!(one["pdf_url"], format!("/accounting/invoices/{id}/pdf"));

    // Bad filters name themselves.
    let (status, body) = answer(s.get("/invoices?status=overdue")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["status"]);
    let (status, body) = answer(s.get("/invoices?issued_from=2026-12-01&issued_to=2026-11-01")).await;
    assert_eq!((status, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["issued_to".to_string()]));
    let (status, _) = answer(s.get("/invoices?updated_since=yesterday")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = answer(s.get("/invoices/999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_engines!(a_payment_posted_twice_with_one_idempotency_key_is_recorded_once, |db| async move {
    let s = start_with_history(db).await;
    let (_, open) = answer(s.get("/invoices?status=sent&per_page=5")).await;
    let open =
        open["items"].as_array().unwrap().iter().find(|i| i["balance"] != "0.00").cloned().expect("an open invoice");
    let (invoice, account) = (open["id"].as_i64().unwrap(), open["account_id"].as_i64().unwrap());
    let before = scalar(&s.db, "SELECT COUNT(*) FROM payments").await;
    let body = json!({
        "account_id": account, "method": "check", "amount": "25.00", "received_on": "2026-11-20",
        "reference": "LOCKBOX-1", "allocations": [{"invoice_id": invoice, "amount": "20.00"}]
    });
    let post = |key: &str, body: &Value| s.post("/payments", body).header("Idempotency-Key", key.to_string());

    // Retries race: several at once with one key.
    let racing = all_at_once((0..4).map(|_| post("b7c1e6f0-0001", &body).send()).collect::<Vec<_>>()).await;
    let mut statuses: Vec<u16> = racing.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 201], "one created, the rest replayed");
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM payments").await, before + 1);

    let (status, replay) = answer(post("b7c1e6f0-0001", &body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay["amount"], "25.00");
    assert_eq!(replay["unallocated"], "5.00");
    assert_eq!(replay["allocations"][0]["invoice_id"], invoice);
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM payments").await, before + 1);

    // The same key for a different payment is a mistake, said so.
    let other = json!({"account_id": account, "method": "check", "amount": "99.00", "received_on": "2026-11-20"});
    let (status, err) = answer(post("b7c1e6f0-0001", &other)).await;
    assert_eq!((status, error_code(&err)), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));

    // A new key is a new payment; no key at all is too.
    let (status, second) = answer(post("b7c1e6f0-0002", &other)).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let (status, _) = answer(s.post("/payments", &other)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM payments").await, before + 3);

    // Reading back.
    let id = replay["id"].as_i64().unwrap();
    let (_, listed) =
        answer(s.get(&format!("/payments?account_id={account}&received_from=2026-11-20&received_to=2026-11-20"))).await;
    assert_eq!(listed["total"], 3);
    assert!(listed["items"].as_array().unwrap().iter().any(|p| p["id"] == id));
    let (status, one) = answer(s.get(&format!("/payments/{id}"))).await;
    assert_eq!((status, one["reference"].as_str()), (StatusCode::OK, Some("LOCKBOX-1")));

    // Bad input names its field; nothing is written.
    let too_much = json!({"account_id": account, "method": "check", "amount": "10.00", "received_on": "2026-11-20",
        "allocations": [{"invoice_id": invoice, "amount": "20.00"}]});
    let (status, err) = answer(s.post("/payments", &too_much)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, err) = answer(s.post(
        "/payments",
        &json!({"account_id": account, "method": "barter", "amount": "1", "received_on": "2026-11-20"}),
    ))
    .await;
    assert_eq!((status, error_fields(&err)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["method".to_string()]));
    let (status, err) = answer(post("   ", &other)).await;
    assert_eq!((status, error_fields(&err)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["Idempotency-Key".to_string()]));
    assert_eq!(scalar(&s.db, "SELECT COUNT(*) FROM payments").await, before + 3);
});

/// Sends every request at once and waits for all of them.
async fn all_at_once<F: std::future::Future + Send + 'static>(fs: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

on_both_engines!(the_openapi_description_is_public_and_names_every_route, |db| async move {
    let s = start(db).await;
    let r = s.http.get(s.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "no key needed");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            described.push((method.to_uppercase(), format!("/api/v1{path}").replace("{id}", "1")));
        }
    }
    described.sort();
    let mut routes: Vec<(String, String)> =
        crate::roles::REST_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    routes.sort();
    assert_eq!(described, routes, "the description and the routes the role matrix checks are the same");
    // Every reference resolves.
    let text = doc.to_string();
    for name in text.split("#/components/schemas/").skip(1).map(|t| t.split('"').next().unwrap()) {
        assert!(doc["components"]["schemas"].get(name).is_some(), "schema {name} is defined");
    }
});
