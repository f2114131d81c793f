//! Request guards that run before any page or server function: who is calling (session
//! cookie → `SessionUser`), from where (`ClientIp`), whether a state-changing request came
//! from our own pages (Origin check), and sending signed-out browsers to the sign-in page.
//! Roles are checked inside every server function, where the action is known.

use std::net::SocketAddr;

use app::{
    api::guard::{ClientIp, SessionUser},
    backend::{AppState, auth},
};
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::{HeaderMap, Method, StatusCode, header};

/// Server functions a signed-out visitor may call. Every other one is refused here, before
/// its arguments are even read, and checks the session and the role again itself.
const PUBLIC_SERVER_FNS: [&str; 3] = ["/api/sign_in", "/api/get_current_user", "/api/sign_out"];

/// Paths a signed-out visitor may reach.
pub fn is_public(path: &str) -> bool {
    path == "/sign-in"
        || path == "/health"
        || path == "/favicon.svg"
        || path == "/favicon.ico"
        || path.starts_with("/pkg/")
        || path.starts_with("/portal/")
        || path.starts_with("/webhooks/")
        || PUBLIC_SERVER_FNS.contains(&path)
}

pub fn session_token<'a>(headers: &'a HeaderMap, cookie_name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == cookie_name)
        .map(|(_, v)| v)
}

/// A browser always sends `Origin` on cross-site POSTs; if it names another host, the
/// request was forged by another site. Clients that send no `Origin` (curl, tests) are not
/// browsers riding on a victim's cookie, and `SameSite=Lax` keeps cookies off cross-site POSTs anyway.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && (site == "cross-site" || site == "same-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return true };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    // The REST API authenticates every request with a bearer key and ignores cookies, so a
    // forged cross-site request carries no credential: neither check below applies to it.
    if crate::rest::owns(&path) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());

    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && is_cross_site(req.headers()) {
        tracing::warn!(%path, %ip, "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
    }

    let user = match session_token(req.headers(), state.auth.cookie_name()) {
        None => None,
        Some(token) => match auth::resolve_session(&state.db, &state.auth, state.clock.now(), token).await {
            Ok(user) => user,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Pressrun cannot reach its database. Please try again shortly.",
                )
                    .into_response();
            }
        },
    };

    if user.is_none() && !is_public(&path) {
        if (req.method() == Method::GET || req.method() == Method::HEAD) && !path.starts_with("/api/") {
            let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = if wanted == "/" {
                "/sign-in".to_string()
            } else {
                format!("/sign-in?next={}", app::pages::format::query_value(wanted))
            };
            return Redirect::to(&target).into_response();
        }
        // The body is the serialised `AppError::Unauthenticated`, so the page can say why.
        return (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/json")], "\"Unauthenticated\"")
            .into_response();
    }
    if user.is_some() && path == "/sign-in" && req.method() == Method::GET {
        return Redirect::to("/").into_response();
    }

    req.extensions_mut().insert(ClientIp(ip));
    if let Some(u) = user {
        req.extensions_mut().insert(SessionUser(u));
    }
    next.run(req).await
}

/// Leptos answers 500 when a server function's arguments cannot be decoded (a missing or
/// malformed field), although the fault is the caller's. Those answers carry the serialised
/// `AppError::Request`; give them the 400 they deserve so bad input never reads as our failure.
pub async fn argument_errors_are_bad_requests(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/") && !crate::rest::owns(req.uri().path());
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
    };
    if bytes.starts_with(br#"{"Request":"#) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origin_must_match_host() {
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("host", "127.0.0.1:3000"), ("origin", "https://evil.example")])));
        assert!(is_cross_site(&headers(&[("host", "a.example"), ("origin", "null")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_cross_site(&headers(&[("host", "a.example")])));
    }

    #[test]
    fn finds_the_session_cookie() {
        let h = headers(&[("cookie", "a=1; pressrun_session=abc; b=2")]);
        assert_eq!(session_token(&h, "pressrun_session"), Some("abc"));
        assert_eq!(session_token(&h, "other"), None);
    }

    #[test]
    fn only_sign_in_assets_and_portal_are_public() {
        assert!(is_public("/sign-in"));
        assert!(is_public("/pkg/pressrun.wasm"));
        assert!(is_public("/api/sign_in"));
        assert!(!is_public("/api/save_settings"));
        assert!(!is_public("/settings"));
        assert!(!is_public("/"));
    }
}
