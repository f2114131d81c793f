//! Stripe Checkout, offline: a local stand-in answers `POST /v1/checkout/sessions` in Stripe's
//! documented shape (form-encoded request, bearer secret key, idempotency key, JSON session
//! with `id` and `url`), and webhooks are signed exactly as Stripe signs them
//! (`Stripe-Signature: t=…,v1=hex(HMAC-SHA256(secret, "t.body"))`). A paid session marks the
//! invoice paid once; a bad signature, a stale one, a replayed event and an amount mismatch are
//! each refused, logged and change nothing.

use crate::serve;
use app::{
    backend::{
        Db,
        payments::{
            checkout::Payments,
            stripe::{self, StripeConfig},
        },
        platform::clock::ManualClock,
        portal::links::{self as portal_links, PortalScope},
    },
    domain::ids::InvoiceId,
};
use testkit::on_both_engines;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use reqwest::header;
use serde_json::{Value, json};
use testkit::ledger::*;

const SECRET_KEY: &str = "sk_test_pressrun_standin";
const WEBHOOK_SECRET: &str = "whsec_pressrun_standin";

#[derive(Default)]
struct StandIn {
    sessions: Mutex<Vec<Value>>,
    by_idempotency_key: Mutex<HashMap<String, Value>>,
}

/// `POST /v1/checkout/sessions` as Stripe answers it, checking what Stripe would refuse.
async fn create_session(
    State(s): State<Arc<StandIn>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> (StatusCode, Json<Value>) {
    let error = |code: StatusCode, message: &str| {
        (code, Json(json!({ "error": { "type": "invalid_request_error", "message": message } })))
    };
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {SECRET_KEY}")) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API Key provided.");
    }
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    for required in [
        "mode",
        "success_url",
        "line_items[0][price_data][currency]",
        "line_items[0][price_data][unit_amount]",
        "line_items[0][quantity]",
    ] {
        if get(required).is_none() {
            return error(StatusCode::BAD_REQUEST, &format!("Missing required param: {required}."));
        }
    }
    let currency = get("line_items[0][price_data][currency]").unwrap();
    if currency != currency.to_lowercase() {
        return error(StatusCode::BAD_REQUEST, "Invalid currency.");
    }
    let Ok(amount) = get("line_items[0][price_data][unit_amount]").unwrap().parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "Invalid integer: unit_amount.");
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(k) = &key
        && let Some(existing) = s.by_idempotency_key.lock().unwrap().get(k)
    {
        return (StatusCode::OK, Json(existing.clone()));
    }
    let mut sessions = s.sessions.lock().unwrap();
    let id = format!("cs_test_{:04}", sessions.len() + 1);
    let session = json!({
        "id": id,
        "object": "checkout.session",
        "amount_total": amount,
        "currency": currency,
        "client_reference_id": get("client_reference_id"),
        "metadata": { "checkout_id": get("metadata[checkout_id]") },
        "mode": "payment",
        "payment_status": "unpaid",
        "status": "open",
        "success_url": get("success_url"),
        "url": format!("https://checkout.stripe.test/c/pay/{id}"),
    });
    sessions.push(session.clone());
    if let Some(k) = key {
        s.by_idempotency_key.lock().unwrap().insert(k, session.clone());
    }
    (StatusCode::OK, Json(session))
}

async fn start_stand_in() -> (String, Arc<StandIn>) {
    let state = Arc::new(StandIn::default());
    let app = Router::new().route("/v1/checkout/sessions", post(create_session)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), state)
}

fn completed_event(event_id: &str, session: &Value, amount: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": noon().timestamp(),
        "type": "checkout.session.completed",
        "livemode": false,
        "data": { "object": {
            "id": session["id"],
            "object": "checkout.session",
            "amount_total": amount,
            "currency": session["currency"],
            "client_reference_id": session["client_reference_id"],
            "metadata": session["metadata"],
            "payment_intent": "pi_3standin",
            "payment_status": "paid",
            "status": "complete",
        }},
    }))
    .unwrap()
}

async fn deliver(base: &str, body: &[u8], signature: &str) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(format!("{base}/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

struct World {
    base: String,
    stand_in: Arc<StandIn>,
    invoice: InvoiceId,
    token: String,
}

async fn world(db: &Db, stand_in_base: Option<String>) -> World {
    organisation(db).await;
    let acme = account(db, "Acme Motors", "ap@acme.example").await;
    let invoice = invoice(db, acme, "INV-2026-00077", 1250, date(2026, 11, 1), date(2026, 12, 1)).await;
    let (api_base, stand_in) = start_stand_in().await;
    let config = StripeConfig {
        api_base: stand_in_base.unwrap_or(api_base),
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
    };
    let base = serve::serve_with(db, Arc::new(ManualClock::new(noon())), move |_| Payments::stripe(config)).await;
    let token = portal_links::issue(db, PortalScope::Invoice { account_id: acme, invoice_id: invoice }, noon(), "t")
        .await
        .unwrap();
    World { base, stand_in, invoice, token }
}

/// Pay Online → a Checkout Session at the stand-in; returns the session Stripe made.
async fn checkout(w: &World) -> Value {
    let r = serve::browser().post(format!("{}/portal/invoice/{}/pay", w.base, w.token)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let session = w.stand_in.sessions.lock().unwrap().last().cloned().expect("a session was created");
    assert_eq!(to, session["url"].as_str().unwrap(), "the client is sent to Stripe's page");
    assert_eq!(session["amount_total"], 125_000, "minor units");
    assert_eq!(session["currency"], "usd");
    assert!(session["success_url"].as_str().unwrap().starts_with(&format!("{}/portal/paid/", w.base)));
    session
}

fn signed(body: &[u8]) -> String {
    stripe::sign(body, WEBHOOK_SECRET, noon().timestamp())
}

on_both_engines!(a_signed_completed_event_pays_the_invoice_once, |db| async move {
    let w = world(&db, None).await;
    let session = checkout(&w).await;
    let body = completed_event("evt_1", &session, 125_000);
    let (status, answer) = deliver(&w.base, &body, &signed(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(status_of(&db, w.invoice).await, "paid");
    assert_eq!(text(&db, "SELECT provider_ref FROM payments").await, session["id"].as_str().unwrap());
    assert_eq!(text(&db, "SELECT reference FROM payments").await, "pi_3standin");

    let (status, answer) = deliver(&w.base, &body, &signed(&body)).await;
    assert_eq!(status, StatusCode::OK, "a replay is acknowledged: {answer}");
    assert!(answer.contains("Already processed"), "{answer}");
    let second = completed_event("evt_2", &session, 125_000);
    assert_eq!(deliver(&w.base, &second, &signed(&second)).await.0, StatusCode::OK);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM payments").await, 1, "neither a replay nor a second event pays twice");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM provider_events WHERE outcome = 'processed'").await, 2);

    let paid_page = reqwest::get(session["success_url"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    assert!(paid_page.contains("Paid — thank you") && paid_page.contains("INV-2026-00077"), "{paid_page}");
});

on_both_engines!(bad_signatures_stale_events_and_wrong_amounts_are_refused, |db| async move {
    let w = world(&db, None).await;
    let session = checkout(&w).await;
    let body = completed_event("evt_bad", &session, 125_000);

    let forged = stripe::sign(&body, "whsec_someone_else", noon().timestamp());
    assert_eq!(deliver(&w.base, &body, &forged).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(deliver(&w.base, &body, "").await.0, StatusCode::BAD_REQUEST);
    let mut tampered = body.clone();
    let at = tampered.len() - 3;
    tampered[at] = b' ';
    assert_eq!(deliver(&w.base, &tampered, &signed(&body)).await.0, StatusCode::BAD_REQUEST);
    let stale = stripe::sign(&body, WEBHOOK_SECRET, noon().timestamp() - 301);
    assert_eq!(
        deliver(&w.base, &body, &stale).await.0,
        StatusCode::BAD_REQUEST,
        "a captured event replayed later is refused"
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM provider_events").await, 0, "nothing unsigned is remembered");

    let cheap = completed_event("evt_cheap", &session, 100);
    let (status, answer) = deliver(&w.base, &cheap, &signed(&cheap)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        text(&db, "SELECT outcome FROM provider_events WHERE event_id = 'evt_cheap'")
            .await
            .starts_with("rejected: amount")
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(status_of(&db, w.invoice).await, "sent");

    let good = completed_event("evt_good", &session, 125_000);
    assert_eq!(deliver(&w.base, &good, &signed(&good)).await.0, StatusCode::OK, "the real event still goes through");
    assert_eq!(status_of(&db, w.invoice).await, "paid");
});

on_both_engines!(stripe_being_unreachable_is_a_clear_message_not_an_error_page, |db| async move {
    let w = world(&db, Some("http://127.0.0.1:9".into())).await;
    let r = serve::browser().post(format!("{}/portal/invoice/{}/pay", w.base, w.token)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Online payment is not available right now"));
    assert_eq!(status_of(&db, w.invoice).await, "sent");
});

async fn status_of(db: &Db, id: InvoiceId) -> String {
    status(db, id).await
}
