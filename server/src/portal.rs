//! The client portal: pages reached only through links in emails, with no staff session.
//! Every handler resolves the link first; a wrong, tampered or revoked token gets the same
//! "link not valid" page with the same status, so nothing can be learnt by guessing. Requests
//! are rate-limited per client address.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
};

use app::{
    backend::{
        AppState, ServiceError,
        invoicing::document as invoice_document,
        payments::checkout::{self, CheckoutError},
        portal::{
            links::{self as portal_links, PortalScope},
            pages as portal,
        },
    },
    domain::ids::InvoiceId,
};
use axum::{
    Form, Router,
    extract::{ConnectInfo, Path, Request, State},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

/// Generic over the outer router's state, which it does not use.
pub fn router<S: Clone + Send + Sync + 'static>(state: AppState, per_minute: u32) -> Router<S> {
    let limiter = Arc::new(PortalLimiter::keyed(portal_quota(per_minute)));
    Router::new()
        .route("/portal/invoice/{token}", get(invoice_page))
        .route("/portal/invoice/{token}/pay", axum::routing::post(pay_invoice))
        .route("/portal/invoice/{token}/pdf", get(invoice_pdf))
        .route("/portal/account/{token}", get(statement_page))
        .route("/portal/account/{token}/pay", axum::routing::post(pay_selected))
        .route("/portal/account/{token}/invoices/{id}/pdf", get(statement_invoice_pdf))
        .route("/portal/test-checkout/{id}", get(test_checkout).post(test_checkout_pay))
        .route("/portal/paid/{id}", get(paid))
        .route("/portal/{*rest}", get(|| async { not_valid() }).post(|| async { not_valid() }))
        .layer(axum::middleware::from_fn_with_state(limiter, rate_limit))
        // Portal forms are a few short fields.
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(axum::middleware::map_response(no_store))
        .with_state(state)
}

/// Per client address: a burst of `per_minute` requests, then one more every `60 / per_minute`
/// seconds (governor's GCRA). Enough to make guessing tokens pointless (2^256 of them) and
/// scraping slow, without the double burst a fixed window allows at its edges.
type PortalLimiter = DefaultKeyedRateLimiter<IpAddr>;

fn portal_quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
}

/// Addresses seen are kept until they are idle again; past this many, idle ones are dropped so a
/// flood of distinct addresses cannot grow the map without bound.
const TRACKED_ADDRESSES: usize = 10_000;

async fn rate_limit(State(limiter): State<Arc<PortalLimiter>>, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if limiter.len() > TRACKED_ADDRESSES {
        limiter.retain_recent();
    }
    if let Err(not_until) = limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(limiter.clock().now());
        tracing::warn!(%ip, "portal rate limit reached");
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            Html("<!DOCTYPE html><title>Too many requests</title><p>Too many requests. Please wait a minute and try again.</p>"),
        )
            .into_response();
        let seconds = wait.as_secs() + 1;
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return res;
    }
    next.run(req).await
}

/// Portal pages show balances that change: never cache them, and never index them.
async fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

fn not_valid() -> Response {
    (StatusCode::NOT_FOUND, Html(portal::not_valid_page())).into_response()
}

/// A test checkout past its payment window, like an expired Stripe session: no card is taken.
fn expired() -> Response {
    (
        StatusCode::GONE,
        Html("<!DOCTYPE html><title>This payment page has expired</title><p>This payment page has expired. Open your payment link again to start over.</p>"),
    )
        .into_response()
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "portal page failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html("<!DOCTYPE html><title>Please try again</title><p>This page could not be shown just now. Please try again in a moment.</p>"),
    )
        .into_response()
}

async fn scope(state: &AppState, token: &str) -> Result<Option<PortalScope>, Response> {
    portal_links::resolve(&state.db, token).await.map_err(failed)
}

fn checkout_notice(e: &CheckoutError) -> String {
    match e {
        CheckoutError::Store(_) | CheckoutError::Provider(_) => {
            "Online payment is not available right now. Please try again in a few minutes.".into()
        }
        other => other.to_string(),
    }
}

async fn invoice_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (account_id, invoice_id) = match scope(&state, &token).await {
        Ok(Some(PortalScope::Invoice { account_id, invoice_id })) => (account_id, invoice_id),
        Ok(_) => return not_valid(),
        Err(r) => return r,
    };
    let now = state.clock.now();
    if let Err(e) = portal::record_view(&state.db, &token, Some(invoice_id), now).await {
        tracing::warn!(error = %e, %invoice_id, %account_id, "portal view not recorded");
    }
    match portal::invoice_page(&state.db, invoice_id, &token, state.payments.online(), now, None).await {
        Ok(html) => Html(html).into_response(),
        Err(ServiceError::NotFound(_)) => not_valid(),
        Err(e) => failed(e),
    }
}

async fn pay_invoice(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (account_id, invoice_id) = match scope(&state, &token).await {
        Ok(Some(PortalScope::Invoice { account_id, invoice_id })) => (account_id, invoice_id),
        Ok(_) => return not_valid(),
        Err(r) => return r,
    };
    let now = state.clock.now();
    match checkout::start(&state.db, &state.payments, account_id, &[invoice_id], now, &state.mail.public_url).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, %invoice_id, "checkout not started");
            let notice = Some(checkout_notice(&e));
            match portal::invoice_page(&state.db, invoice_id, &token, state.payments.online(), now, notice).await {
                Ok(html) => (StatusCode::CONFLICT, Html(html)).into_response(),
                Err(e) => failed(e),
            }
        }
    }
}

async fn pdf_response(state: &AppState, invoice_id: InvoiceId) -> Response {
    match invoice_document::load(&state.db, invoice_id).await {
        Ok(doc) => {
            let name = doc.file_name("pdf");
            match doc.to_pdf_off_runtime().await {
                Ok(bytes) => (
                    [
                        (header::CONTENT_TYPE, "application/pdf".to_string()),
                        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                    ],
                    bytes,
                )
                    .into_response(),
                Err(e) => failed(e),
            }
        }
        Err(ServiceError::NotFound(_)) => not_valid(),
        Err(e) => failed(e),
    }
}

async fn invoice_pdf(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match scope(&state, &token).await {
        Ok(Some(PortalScope::Invoice { invoice_id, .. })) => pdf_response(&state, invoice_id).await,
        Ok(_) => not_valid(),
        Err(r) => r,
    }
}

async fn statement_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let account_id = match scope(&state, &token).await {
        Ok(Some(PortalScope::Account { account_id })) => account_id,
        Ok(_) => return not_valid(),
        Err(r) => return r,
    };
    let now = state.clock.now();
    if let Err(e) = portal::record_view(&state.db, &token, None, now).await {
        tracing::warn!(error = %e, %account_id, "portal view not recorded");
    }
    match portal::statement_page(&state.db, account_id, &token, state.payments.online(), now, None).await {
        Ok(html) => Html(html).into_response(),
        Err(e) => failed(e),
    }
}

async fn statement_invoice_pdf(State(state): State<AppState>, Path((token, id)): Path<(String, String)>) -> Response {
    let account_id = match scope(&state, &token).await {
        Ok(Some(PortalScope::Account { account_id })) => account_id,
        Ok(_) => return not_valid(),
        Err(r) => return r,
    };
    let Ok(invoice_id) = id.parse::<InvoiceId>() else { return not_valid() };
    match portal::belongs_to(&state.db, invoice_id, account_id).await {
        Ok(true) => pdf_response(&state, invoice_id).await,
        Ok(false) => not_valid(),
        Err(e) => failed(e),
    }
}

/// The statement's checkboxes arrive as repeated `invoice=<id>` fields.
async fn pay_selected(State(state): State<AppState>, Path(token): Path<String>, body: String) -> Response {
    let account_id = match scope(&state, &token).await {
        Ok(Some(PortalScope::Account { account_id })) => account_id,
        Ok(_) => return not_valid(),
        Err(r) => return r,
    };
    let ids: Vec<InvoiceId> = app::api::billable::query_pairs(&body)
        .into_iter()
        .filter(|(k, _)| k == "invoice")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let now = state.clock.now();
    match checkout::start(&state.db, &state.payments, account_id, &ids, now, &state.mail.public_url).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, %account_id, "checkout not started");
            let notice = Some(checkout_notice(&e));
            match portal::statement_page(&state.db, account_id, &token, state.payments.online(), now, notice).await {
                Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response(),
                Err(e) => failed(e),
            }
        }
    }
}

async fn test_checkout(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if !state.payments.test {
        return not_valid();
    }
    match checkout::get(&state.db, &id).await {
        Ok(Some(row)) if row.expired(state.clock.now()) => return expired(),
        Ok(_) => {}
        Err(e) => return failed(e),
    }
    match portal::test_checkout_page(&state.db, &id, None, "", "").await {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => not_valid(),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
struct CardForm {
    #[serde(default)]
    card: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

/// The test provider "charges" the card: on a good test card it completes the checkout through
/// the same path a Stripe webhook takes. Card numbers are never logged or stored.
async fn test_checkout_pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(card): Form<CardForm>,
) -> Response {
    if !state.payments.test {
        return not_valid();
    }
    let row = match checkout::get(&state.db, &id).await {
        Ok(Some(row)) if row.provider == "test" => row,
        Ok(_) => return not_valid(),
        Err(e) => return failed(e),
    };
    let now = state.clock.now();
    if row.expired(now) {
        return expired();
    }
    if row.payment_id.is_none() {
        let today = now.date_naive();
        if let Some(problem) = portal::test_card_problem(&card.card, &card.expiry, &card.cvc, today) {
            return match portal::test_checkout_page(&state.db, &id, Some(problem.into()), &card.card, &card.expiry)
                .await
            {
                Ok(Some(html)) => (StatusCode::PAYMENT_REQUIRED, Html(html)).into_response(),
                Ok(None) => not_valid(),
                Err(e) => failed(e),
            };
        }
        let amount_minor = app::domain::payment::to_minor_units(app::backend::platform::fixed::from_db(row.amount))
            .unwrap_or_default();
        let last4: String = card
            .card
            .chars()
            .filter(|c| c.is_ascii_digit())
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let provider_ref = row.provider_session_id.clone().unwrap_or_else(|| format!("test_{id}"));
        if let Err(e) = checkout::complete(
            &state.db,
            &id,
            &provider_ref,
            amount_minor,
            &row.currency,
            now,
            &format!("Test card ending {last4}"),
        )
        .await
        {
            return failed(e);
        }
        state.outbox_wake.notify_one();
    }
    Redirect::to(&format!("/portal/paid/{id}")).into_response()
}

async fn paid(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match portal::paid_page(&state.db, &id).await {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => not_valid(),
        Err(e) => failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_a_burst_per_address_then_one_per_interval() {
        use governor::clock::FakeRelativeClock;
        use std::time::Duration;
        let clock = FakeRelativeClock::default();
        let l = governor::RateLimiter::dashmap_with_clock(portal_quota(2), clock.clone());
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(l.check_key(&a).is_ok());
        assert!(l.check_key(&a).is_ok());
        assert!(l.check_key(&a).is_err(), "the burst is spent");
        assert!(l.check_key(&b).is_ok(), "another address has its own allowance");
        clock.advance(Duration::from_secs(29));
        assert!(l.check_key(&a).is_err());
        clock.advance(Duration::from_secs(1));
        assert!(l.check_key(&a).is_ok(), "one request comes back every 30 s at 2 a minute");
        assert!(l.check_key(&a).is_err());
    }

    #[test]
    fn repeated_checkbox_fields_decode() {
        assert_eq!(
            app::api::billable::query_pairs("invoice=3&invoice=14&x=a%20b+c"),
            vec![("invoice".into(), "3".into()), ("invoice".into(), "14".into()), ("x".into(), "a b c".into())]
        );
    }
}
