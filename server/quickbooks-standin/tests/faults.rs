//! requestid replay, throttling, injected faults, commit-then-drop, and the admin endpoints.

mod common;

use std::time::Instant;

use chrono::{TimeZone, Utc};
use common::{Harness, fault_code};
use quickbooks_standin::{
    Config, EntityKind, FaultAction, FaultRule, Operation, StandIn, ThrottleFormat, ThrottleLimits, router, spawn,
};
use serde_json::{Value, json};

fn customer_body(name: &str) -> Value {
    json!({"DisplayName": name})
}

#[tokio::test]
async fn repeated_requestid_replays_the_first_answer() {
    let h = Harness::connected().await;
    let (s1, b1) = h.post("/customer?requestid=req-1", &customer_body("Replay Co")).await;
    assert_eq!(s1, 200);
    // Same requestid, even with another body: the original answer, nothing new created.
    let (s2, b2) = h.post("/customer?requestid=req-1", &customer_body("Something Else")).await;
    assert_eq!(s2, 200);
    assert_eq!(b1, b2);
    assert_eq!(h.standin().customers().len(), 1);
    assert_eq!(h.standin().counters().replayed, 1);

    // Switched off: the repeat is a new request (and here a duplicate name).
    h.standin().configure(|c| c.requestid_replay = false);
    let (s3, b3) = h.post("/customer?requestid=req-1", &customer_body("Replay Co")).await;
    assert_eq!((s3.as_u16(), fault_code(&b3)), (400, "6240"));

    // Failed writes are not remembered: a retry with the same requestid runs again.
    h.standin().configure(|c| c.requestid_replay = true);
    let (s4, _) = h.post("/customer?requestid=req-2", &customer_body("Replay Co")).await;
    assert_eq!(s4, 400);
    let (s5, _) = h.post("/customer?requestid=req-2", &customer_body("Replay Two")).await;
    assert_eq!(s5, 200);
    h.standin().forget_request_ids();
    let (s6, _) = h.post("/customer?requestid=req-2", &customer_body("Replay Two")).await;
    assert_eq!(s6, 400, "forgotten: the retry collides with what the first created");
}

#[tokio::test]
async fn throttle_429_json_and_xml() {
    let config = Config {
        throttle: Some(ThrottleLimits { per_minute: 500, per_second: 10 }),
        retry_after_secs: Some(60),
        ..Config::default()
    };
    let h = Harness::with_config(config).await;
    // A frozen clock puts every request in the same second.
    h.standin().set_now(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    for _ in 0..10 {
        assert_eq!(h.get("/item/1").await.0, 200);
    }
    let resp = h.http.get(h.api("/item/1")).bearer_auth(&h.access).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "60");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(fault_code(&body), "3001");
    assert_eq!(body["Fault"]["type"], "SERVICE");

    h.standin().configure(|c| c.throttle_format = ThrottleFormat::Xml);
    let resp =
        h.http.get(h.api("/item/1")).bearer_auth(&h.access).header("Accept", "application/json").send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
    let text = resp.text().await.unwrap();
    assert!(text.contains("<IntuitResponse"), "{text}");
    assert!(text.contains(r#"<Fault type="SERVICE">"#));
    assert!(text.contains(r#"<Error code="3001">"#));
    assert!(text.contains("<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>"));

    // A second later the per-second window has room again; the minute limit still counts.
    h.standin().advance(chrono::Duration::seconds(1));
    assert_eq!(h.get("/item/1").await.0, 200);
    assert_eq!(h.standin().counters().throttled, 2);

    // Per minute: 11 were let through in this minute.
    h.standin().configure(|c| c.throttle = Some(ThrottleLimits { per_minute: 11, per_second: 100 }));
    assert_eq!(h.get("/item/1").await.0, 429);
    h.standin().advance(chrono::Duration::seconds(60));
    assert_eq!(h.get("/item/1").await.0, 200);
}

#[tokio::test]
async fn injected_faults_respond_throttle_and_delay() {
    let h = Harness::connected().await;
    h.standin().push_fault(
        FaultRule::new(FaultAction::Respond {
            status: 503,
            code: None,
            message: None,
            detail: None,
            fault_type: None,
            xml: false,
        })
        .on_entity(EntityKind::Invoice)
        .times(2),
    );
    h.standin().push_fault(FaultRule::new(FaultAction::Throttle).on_operation(Operation::Query));
    h.standin().push_fault(
        FaultRule::new(FaultAction::Delay { ms: 300 }).on_operation(Operation::Read).on_entity(EntityKind::Item),
    );

    // Other entities are not affected.
    let cust = h.customer("Faulty").await;
    for _ in 0..2 {
        let (status, body) = h.post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": []})).await;
        assert_eq!(status, 503);
        assert_eq!(body["Fault"]["type"], "ServiceFault");
    }
    let (status, _) = h.post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": []})).await;
    assert_eq!(status, 400, "the rule fired twice and is gone");

    let (status, body) = h.query("select * from Item").await;
    assert_eq!((status.as_u16(), fault_code(&body)), (429, "3001"));

    let started = Instant::now();
    assert_eq!(h.get("/item/1").await.0, 200);
    assert!(started.elapsed().as_millis() >= 300);
    assert!(h.standin().pending_faults().is_empty());
    assert_eq!(h.standin().counters().injected, 4);

    // XML 500 and a custom code.
    h.standin().push_fault(FaultRule::new(FaultAction::Respond {
        status: 500,
        code: Some("10000".into()),
        message: Some("An application error has occurred while processing your request".into()),
        detail: None,
        fault_type: Some("SystemFault".into()),
        xml: true,
    }));
    let resp = h.http.get(h.api("/item/1")).bearer_auth(&h.access).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    let text = resp.text().await.unwrap();
    assert!(text.contains(r#"<Fault type="SystemFault">"#) && text.contains(r#"<Error code="10000">"#), "{text}");
}

#[tokio::test]
async fn commit_then_drop_gives_a_connection_error_but_the_invoice_exists() {
    let h = Harness::connected().await;
    let cust = h.customer("Dropped").await;
    h.standin().push_fault(
        FaultRule::new(FaultAction::CommitThenDrop).on_entity(EntityKind::Invoice).on_operation(Operation::Create),
    );
    let body = json!({"CustomerRef": {"value": cust}, "DocNumber": "D-1",
                      "Line": [{"Amount": 12.5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]});
    let err = h
        .http
        .post(h.api("/invoice?requestid=drop-1"))
        .bearer_auth(&h.access)
        .json(&body)
        .send()
        .await
        .expect_err("no answer");
    assert!(common::is_connection_error(&err), "{err:?}");

    // The write happened.
    let invoices = h.standin().invoices();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["DocNumber"], "D-1");
    assert_eq!(h.standin().counters().dropped_connections, 1);
    assert_eq!(h.standin().requests().iter().filter(|r| r.status == 0).count(), 1);

    // A blind retry collides (6140); a retry with the same requestid gets the original answer.
    let (status, b) = h.post("/invoice", &body).await;
    assert_eq!((status.as_u16(), fault_code(&b)), (400, "6140"));
    let (status, b) = h.post("/invoice?requestid=drop-1", &body).await;
    assert_eq!(status, 200);
    assert_eq!(b["Invoice"]["Id"], invoices[0]["Id"]);

    // Plain drop: nothing happens at all.
    h.standin().push_fault(FaultRule::new(FaultAction::Drop).on_entity(EntityKind::Customer));
    let err = h.http.post(h.api("/customer")).bearer_auth(&h.access).json(&customer_body("Never")).send().await;
    assert!(common::is_connection_error(&err.expect_err("no answer")));
    assert_eq!(h.standin().customers().len(), 1);
}

#[tokio::test]
async fn commit_then_drop_also_works_when_the_router_is_mounted_elsewhere() {
    let standin = StandIn::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(standin.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let access = standin.connect().access_token;
    standin.push_fault(FaultRule::new(FaultAction::CommitThenDrop));
    let result = common::client()
        .post(format!("http://{addr}/v3/company/{}/customer", standin.realm_id()))
        .bearer_auth(&access)
        .json(&customer_body("Mounted"))
        .send()
        .await;
    let err = result.expect_err("no answer");
    assert!(common::is_connection_error(&err), "{err:?}");
    assert_eq!(standin.customers().len(), 1);
    // The server goes on serving.
    let ok = common::client()
        .get(format!("http://{addr}/v3/company/{}/item/1", standin.realm_id()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    server.abort();
}

#[tokio::test]
async fn taken_doc_number_collides_with_6140() {
    let h = Harness::connected().await;
    let cust = h.customer("Numbered").await;
    let txn = h.standin().take_doc_number("1005").unwrap();
    let (status, body) = h
        .post("/invoice", &json!({"CustomerRef": {"value": cust}, "DocNumber": "1005", "Line": [{"Amount": 1, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6140"));
    assert!(body["Fault"]["Error"][0]["Detail"].as_str().unwrap().ends_with(&format!("TxnId={txn}")));
    // QuickBooks' numbering continues after it.
    assert_eq!(h.invoice(&cust, None, 1.0).await["DocNumber"], "1006");
}

#[tokio::test]
async fn admin_endpoints_over_http() {
    let running = spawn(StandIn::default()).await.unwrap();
    let http = common::client();
    let admin = |p: &str| format!("{}/__standin{p}", running.base_url());

    let cfg: Value = http
        .post(admin("/config"))
        .json(&json!({"company_name": "Demo Co", "old_refresh_token": "grace24h", "throttle_format": "xml", "throttle": {"per_minute": 5, "per_second": 2}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["company_name"], "Demo Co");
    assert_eq!(cfg["old_refresh_token"], "grace24h");
    let cfg: Value =
        http.post(admin("/config")).json(&json!({"throttle": null})).send().await.unwrap().json().await.unwrap();
    assert_eq!(cfg["throttle"], Value::Null);
    assert_eq!(http.post(admin("/config")).json(&json!({"bogus": 1})).send().await.unwrap().status(), 400);

    let clock: Value = http
        .post(admin("/clock"))
        .json(&json!({"now": "2025-05-01T00:00:00Z"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["now"], "2025-05-01T00:00:00Z");
    assert_eq!(clock["frozen"], true);
    let clock: Value =
        http.post(admin("/clock")).json(&json!({"advance_seconds": 86400})).send().await.unwrap().json().await.unwrap();
    assert_eq!(clock["now"], "2025-05-02T00:00:00Z");

    let tokens: Value = http.post(admin("/oauth/connect")).send().await.unwrap().json().await.unwrap();
    assert_eq!(tokens["realmId"], running.standin.realm_id());
    let access = tokens["access_token"].as_str().unwrap().to_string();

    let created: Value = http
        .post(admin("/entities/customer"))
        .json(&json!({"DisplayName": "Via Admin"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["Id"].as_str().unwrap().to_string();
    let dup = http.post(admin("/entities/customer")).json(&json!({"DisplayName": "via admin"})).send().await.unwrap();
    assert_eq!(dup.status(), 400);
    let edited: Value = http
        .post(admin(&format!("/entities/Customer/{id}")))
        .json(&json!({"Notes": "n"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edited["SyncToken"], "1");
    let counts: Value = http.get(admin("/entities")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts["Customer"], 1);
    assert_eq!(counts["Item"], 2);

    let rules: Value = http
        .post(admin("/faults"))
        .json(&json!([{"entity": "Customer", "operation": "read", "times": 2, "action": {"type": "respond", "status": 500}},
                      {"action": {"type": "commit_then_drop"}, "method": "POST"}]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 2);
    let resp = http.get(format!("{}/customer/{id}", running.company_url())).bearer_auth(&access).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(http.delete(admin("/faults")).send().await.unwrap().status(), 200);
    let resp = http.get(format!("{}/customer/{id}", running.company_url())).bearer_auth(&access).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    let forced: Value = http
        .post(admin("/oauth/force-invalid-grant"))
        .json(&json!({"times": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(forced["forced_invalid_grants"], 2);
    assert_eq!(http.post(admin("/oauth/expire-access-tokens")).send().await.unwrap().status(), 200);
    let resp = http.get(format!("{}/customer/{id}", running.company_url())).bearer_auth(&access).send().await.unwrap();
    assert_eq!(resp.status(), 401);

    let taken: Value = http
        .post(admin("/doc-numbers"))
        .json(&json!({"doc_number": "9000"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(taken["TxnId"].is_string());

    let counters: Value = http.get(admin("/counters")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counters["unauthorized"], 1);
    assert_eq!(counters["requests"]["GET /v3/company/{realm}/{entity}/{id}"], 3);
    let snapshot: Value = http.get(admin("/snapshot")).send().await.unwrap().json().await.unwrap();
    assert_eq!(snapshot["counts"]["Invoice"], 1);
    assert_eq!(snapshot["config"]["company_name"], "Demo Co");
    let log: Value = http.get(admin("/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), 3, "admin calls are not logged");

    assert_eq!(http.post(admin("/reset")).send().await.unwrap().status(), 200);
    let counts: Value = http.get(admin("/entities")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts["Customer"], 0);
    assert_eq!(running.standin.counters(), Default::default());
    assert!(!running.standin.snapshot().clock_frozen);
    let index: Value = http.get(admin("")).send().await.unwrap().json().await.unwrap();
    assert!(index["endpoints"].is_object());
}

#[tokio::test]
async fn injected_clock_source_drives_token_expiry() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let secs = Arc::new(AtomicI64::new(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap().timestamp()));
    let source = secs.clone();
    let standin = StandIn::default().with_clock(Arc::new(move || {
        chrono::DateTime::from_timestamp(source.load(Ordering::SeqCst), 0).unwrap_or_default()
    }));
    let running = spawn(standin.clone()).await.unwrap();
    let access = standin.connect().access_token;
    let url = format!("{}/item/1", running.company_url());
    assert_eq!(common::client().get(&url).bearer_auth(&access).send().await.unwrap().status(), 200);
    secs.fetch_add(3600, Ordering::SeqCst);
    assert_eq!(common::client().get(&url).bearer_auth(&access).send().await.unwrap().status(), 401);
}
