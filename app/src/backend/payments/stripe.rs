//! Stripe Checkout over Stripe's HTTP API: create a Checkout Session, and verify and read the
//! webhook events that report it paid. Only the fields we use are modelled. The API base is
//! configurable so tests run against a local stand-in that answers in Stripe's shapes.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// Stripe's default tolerance between the signature's timestamp and our clock.
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

#[derive(Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com` in production.
    pub api_base: String,
    /// `sk_live_…` / `sk_test_…`: never logged (Debug is written by hand).
    pub secret_key: String,
    /// `whsec_…`, from the webhook endpoint's settings in the Stripe dashboard.
    pub webhook_secret: String,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe could not be reached or answered 5xx/429: the client may try again.
    #[error("Stripe is not reachable right now: {0}")]
    Unavailable(String),
    /// Stripe refused the request (a 4xx): a configuration problem, not the client's.
    #[error("Stripe refused the request: {0}")]
    Refused(String),
}

/// What a Checkout Session needs.
#[derive(Debug, Clone)]
pub struct SessionRequest<'a> {
    /// Our checkout id: sent as `client_reference_id` and metadata, and as the idempotency key
    /// so a retried create never makes a second session.
    pub checkout_id: &'a str,
    pub amount_minor: i64,
    /// ISO code; Stripe wants it lower-case.
    pub currency: &'a str,
    pub description: &'a str,
    pub customer_email: Option<&'a str>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// Unix time after which the session cannot be paid (Stripe allows 30 minutes to 24 hours).
    pub expires_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreatedSession {
    pub id: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}

/// The form fields of `POST /v1/checkout/sessions`, in Stripe's bracket notation.
pub fn session_form(req: &SessionRequest<'_>) -> Vec<(String, String)> {
    let mut form = vec![
        ("mode".to_string(), "payment".to_string()),
        ("success_url".into(), req.success_url.into()),
        ("cancel_url".into(), req.cancel_url.into()),
        ("client_reference_id".into(), req.checkout_id.into()),
        ("metadata[checkout_id]".into(), req.checkout_id.into()),
        ("payment_intent_data[metadata][checkout_id]".into(), req.checkout_id.into()),
        ("line_items[0][quantity]".into(), "1".into()),
        ("line_items[0][price_data][currency]".into(), req.currency.to_ascii_lowercase()),
        ("line_items[0][price_data][unit_amount]".into(), req.amount_minor.to_string()),
        ("line_items[0][price_data][product_data][name]".into(), req.description.into()),
        ("expires_at".into(), req.expires_at.to_string()),
    ];
    if let Some(email) = req.customer_email {
        form.push(("customer_email".into(), email.into()));
    }
    form
}

pub async fn create_session(
    http: &reqwest::Client,
    config: &StripeConfig,
    req: &SessionRequest<'_>,
) -> Result<CreatedSession, StripeError> {
    let url = format!("{}/v1/checkout/sessions", config.api_base.trim_end_matches('/'));
    let res = http
        .post(&url)
        .bearer_auth(&config.secret_key)
        .header("Idempotency-Key", format!("pressrun-checkout-{}", req.checkout_id))
        .form(&session_form(req))
        .send()
        .await
        .map_err(|e| StripeError::Unavailable(e.without_url().to_string()))?;
    let status = res.status();
    let body = res.text().await.map_err(|e| StripeError::Unavailable(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_str(&body).map_err(|e| StripeError::Refused(format!("unexpected answer: {e}")));
    }
    let message = serde_json::from_str::<ErrorBody>(&body)
        .ok()
        .and_then(|b| b.error.message)
        .unwrap_or_else(|| format!("HTTP {status}"));
    if status.is_server_error() || status.as_u16() == 429 {
        Err(StripeError::Unavailable(message))
    } else {
        Err(StripeError::Refused(message))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Stripe's scheme: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, where each `v1` is
/// `hex(HMAC-SHA256(secret, "<t>.<raw body>"))`. Several `v1` appear while a secret is rolled.
pub fn verify_signature(header: &str, body: &[u8], secret: &str, now: DateTime<Utc>) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now.timestamp() - t).abs() > SIGNATURE_TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    for sig in signatures {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Malformed)?;
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // verify_slice compares in constant time.
        if mac.verify_slice(&sig).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header value Stripe would send for `body` at `t`: used by the tests' stand-in.
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// The part of a `checkout.session` object that records a payment.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSessionObject {
    pub id: String,
    pub client_reference_id: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub payment_status: String,
    pub payment_intent: Option<String>,
}

impl Event {
    /// The Checkout Session of an event that means "this session is paid", if it is one.
    /// `async_payment_succeeded` covers bank debits that settle after the session completes.
    pub fn paid_session(&self) -> Option<CheckoutSessionObject> {
        match self.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                serde_json::from_value::<CheckoutSessionObject>(self.data.object.clone())
                    .ok()
                    .filter(|s| s.payment_status == "paid")
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signed_body_verifies_and_any_change_breaks_it() {
        let now = Utc.timestamp_opt(1_780_000_000, 0).unwrap();
        let body = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = sign(body, SECRET, now.timestamp());
        assert_eq!(verify_signature(&header, body, SECRET, now), Ok(()));
        assert_eq!(verify_signature(&header, b"{\"id\":\"evt_2\"}", SECRET, now), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature(&header, body, "whsec_other", now), Err(SignatureError::Mismatch));
        let later = now + chrono::Duration::seconds(SIGNATURE_TOLERANCE_SECONDS + 1);
        assert_eq!(verify_signature(&header, body, SECRET, later), Err(SignatureError::Stale));
        assert_eq!(verify_signature("v1=abc", body, SECRET, now), Err(SignatureError::Malformed));
        assert_eq!(verify_signature("", body, SECRET, now), Err(SignatureError::Malformed));
    }

    #[test]
    fn a_rolled_secret_still_verifies_with_either_signature() {
        let now = Utc.timestamp_opt(1_780_000_000, 0).unwrap();
        let body = b"{}";
        let old = sign(body, "whsec_old", now.timestamp());
        let new = sign(body, SECRET, now.timestamp());
        let both = format!("{old},{}", new.split_once(',').unwrap().1);
        assert_eq!(verify_signature(&both, body, SECRET, now), Ok(()));
    }

    #[test]
    fn the_session_form_uses_minor_units_and_lower_case_currency() {
        let form = session_form(&SessionRequest {
            expires_at: 1_767_000_000,
            checkout_id: "abc",
            amount_minor: 125_050,
            currency: "USD",
            description: "Invoice INV-1",
            customer_email: None,
            success_url: "https://x/ok",
            cancel_url: "https://x/cancel",
        });
        let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("125050"));
        assert_eq!(get("line_items[0][price_data][currency]"), Some("usd"));
        assert_eq!(get("client_reference_id"), Some("abc"));
        assert_eq!(get("mode"), Some("payment"));
    }

    #[test]
    fn only_paid_sessions_count() {
        let event: Event = serde_json::from_str(
            r#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"c1","amount_total":500,"currency":"usd","payment_status":"unpaid","payment_intent":null}}}"#,
        )
        .unwrap();
        assert!(event.paid_session().is_none());
    }
}
