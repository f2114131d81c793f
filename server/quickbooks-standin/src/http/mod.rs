//! The HTTP face: routes, and the small helpers every handler shares.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod conn;
pub(crate) mod oauth;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde_json::Value;

use crate::StandIn;
use conn::ConnControl;

pub(crate) fn router(standin: StandIn) -> Router {
    Router::new()
        .route("/connect/oauth2", get(oauth::consent_page).post(oauth::consent_decision))
        .route("/oauth2/v1/tokens/bearer", post(oauth::token))
        .route("/v2/oauth2/tokens/revoke", post(oauth::revoke))
        .route("/v3/company/{realm}/query", get(api::query).post(api::query))
        .route("/v3/company/{realm}/cdc", get(api::cdc))
        .route("/v3/company/{realm}/{entity}", post(api::write))
        .route("/v3/company/{realm}/{entity}/{id}", get(api::read))
        .merge(admin::routes())
        .layer(middleware::from_fn_with_state(standin.clone(), record))
        .with_state(standin)
}

/// Counts every request by route and logs it with the status it got (0 when the connection was
/// cut). The admin endpoints are left out so inspecting does not change what is inspected.
async fn record(axum::extract::State(standin): axum::extract::State<StandIn>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__standin") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "(unmatched)".to_string(), |m| m.as_str().to_string());
    let query = req.uri().query().map(str::to_string);
    {
        let mut s = standin.lock();
        *s.counters.requests.entry(format!("{method} {route}")).or_default() += 1;
    }
    let resp = next.run(req).await;
    let status = if resp.extensions().get::<Cut>().is_some() { 0 } else { resp.status().as_u16() };
    standin.lock().log(&method, &path, query.as_deref(), status);
    resp
}

/// Marks a response whose connection was cut, for the request log.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cut;

/// Cuts the request's connection and returns the (never delivered) response.
pub(crate) fn cut_connection(standin: &StandIn, conn: Option<&ConnControl>) -> Response {
    standin.lock().counters.dropped_connections += 1;
    conn::cut(conn);
    let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    resp.extensions_mut().insert(Cut);
    resp
}

/// A JSON answer with the headers QuickBooks adds (`intuit_tid` identifies a request in logs).
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, axum::Json(body)).into_response();
    add_tid(resp.headers_mut());
    resp
}

pub(crate) fn add_tid(headers: &mut HeaderMap) {
    let tid: u128 = rand::thread_rng().r#gen();
    if let Ok(v) = HeaderValue::from_str(&format!("{tid:032x}")) {
        headers.insert("intuit_tid", v);
    }
}
