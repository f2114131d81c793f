//! The REST API over a real socket, on both engines: bearer keys, the JSON error shape,
//! paging, and that `/api/v1` is outside the cookie session and its cross-site check.

#[path = "../../app/tests/support/mod.rs"]
mod support;

use std::{net::SocketAddr, sync::Arc};

use app::backend::{AppState, Db, api_keys, clock::ManualClock, seed, state::AuthConfig, store};
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
    let admin = store::users::find_by_email(&db, "admin@pressrun.example").await.unwrap().unwrap();
    let key = api_keys::create(&db, t0(), admin.id, "Ad order system").await.unwrap().key;
    let state = AppState { db: db.clone(), clock: Arc::new(ManualClock::new(t0())), auth: AuthConfig::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::routes::router(state, server::routes::leptos_options("target/site", addr));
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let http = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    Running { base: format!("http://{addr}"), db, key, http }
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
    let id = store::api_keys::list(&s.db).await.unwrap()[0].id;
    api_keys::revoke(&s.db, t0(), 1, id).await.unwrap();
    let (status, body) = answer(s.get("/accounts")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "revoked");
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
    let (status, _) = answer(
        s.http.get(s.url("/accounts")).bearer_auth(&s.key).header("origin", "https://orders.example"),
    )
    .await;
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
    let r = admin
        .post(format!("{}/api/revoke_api_key", s.base))
        .form(&[("key_id", id.to_string())])
        .send()
        .await
        .unwrap();
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
