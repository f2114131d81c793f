//! `POST /webhooks/stripe`: Stripe reports paid Checkout Sessions here. The raw body's signature
//! is checked before anything is parsed; each event id is handled once; the amount Stripe took
//! must equal the amount the checkout asked for. Every refusal is logged with the event id.

use app::backend::{
    AppState,
    payments::{
        checkout::{self, CheckoutError},
        stripe,
    },
};
use axum::{Json, Router, body::Bytes, extract::State, response::IntoResponse, routing::post};
use http::{HeaderMap, StatusCode};
use serde_json::json;

pub fn router<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    // Stripe's events are well under a megabyte.
    Router::new()
        .route("/webhooks/stripe", post(stripe_webhook))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .with_state(state)
}

fn answer(status: StatusCode, message: &str) -> axum::response::Response {
    (status, Json(json!({ "received": status.is_success(), "message": message }))).into_response()
}

async fn stripe_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    let Some(config) = state.payments.stripe.as_ref() else {
        return answer(StatusCode::NOT_FOUND, "Stripe is not configured.");
    };
    let now = state.clock.now();
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Err(e) = stripe::verify_signature(signature, &body, &config.webhook_secret, now) {
        tracing::warn!(reason = %e, bytes = body.len(), "Stripe webhook refused: bad signature");
        return answer(StatusCode::BAD_REQUEST, "Invalid signature.");
    }
    let event: stripe::Event = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "Stripe webhook refused: not an event");
            return answer(StatusCode::BAD_REQUEST, "Not a Stripe event.");
        }
    };
    match checkout::event_seen(&state.db, &event.id).await {
        Ok(true) => {
            tracing::info!(event = %event.id, kind = %event.kind, "Stripe webhook: replayed event ignored");
            return answer(StatusCode::OK, "Already processed.");
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %e, "Stripe webhook: database unavailable");
            return answer(StatusCode::SERVICE_UNAVAILABLE, "Try again later.");
        }
    }
    let Some(session) = event.paid_session() else {
        let _ = checkout::record_event(&state.db, "stripe", &event.id, &event.kind, "ignored", now).await;
        return answer(StatusCode::OK, "Ignored.");
    };
    let checkout_id = session.client_reference_id.clone().unwrap_or_default();
    let reference = session.payment_intent.clone().unwrap_or_else(|| session.id.clone());
    let result = checkout::complete(
        &state.db,
        &checkout_id,
        &session.id,
        session.amount_total.unwrap_or(-1),
        session.currency.as_deref().unwrap_or(""),
        now,
        &reference,
    )
    .await;
    let (status, outcome, message) = match &result {
        Ok(payment_id) => {
            tracing::info!(event = %event.id, checkout = %checkout_id, %payment_id, "Stripe payment recorded");
            state.outbox_wake.notify_one();
            (StatusCode::OK, "processed".to_string(), "Recorded.")
        }
        Err(CheckoutError::AmountMismatch { expected, paid }) => {
            tracing::warn!(event = %event.id, checkout = %checkout_id, %expected, %paid, "Stripe webhook refused: amount mismatch");
            (
                StatusCode::BAD_REQUEST,
                format!("rejected: amount {paid}, expected {expected}"),
                "Amount does not match the checkout.",
            )
        }
        Err(CheckoutError::Unknown) => {
            tracing::warn!(event = %event.id, checkout = %checkout_id, "Stripe webhook refused: unknown checkout");
            (StatusCode::BAD_REQUEST, "rejected: unknown checkout".to_string(), "Unknown checkout.")
        }
        Err(e) => {
            // Not recorded: Stripe retries, and completion is idempotent.
            tracing::error!(event = %event.id, error = %e, "Stripe webhook could not be processed");
            return answer(StatusCode::SERVICE_UNAVAILABLE, "Try again later.");
        }
    };
    if let Err(e) = checkout::record_event(&state.db, "stripe", &event.id, &event.kind, &outcome, now).await {
        tracing::error!(event = %event.id, error = %e, "Stripe event not remembered; a replay will be checked again");
    }
    answer(status, message)
}
