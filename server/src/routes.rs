//! The HTTP surface: Leptos pages and server functions, static assets, `/health`, and the
//! REST API under `/api/v1`.

use app::{App, backend::AppState, shell};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    response::IntoResponse,
    routing::get,
};
use http::{HeaderValue, StatusCode, header};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::set_header::SetResponseHeaderLayer;

use std::sync::Arc;

use crate::client_address::{self, TrustedProxies};

pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    // cargo-leptos sets LEPTOS_ENV=DEV for `watch`, which turns on live reload.
    let env = std::env::var("LEPTOS_ENV").ok().and_then(|e| e.parse().ok()).unwrap_or(leptos::config::Env::PROD);
    // Leptos panics on a page render if told the names are hashed and the hash file is
    // missing, so the file's presence decides (test binaries and old builds have none).
    let hash_files = crate::serving::hash_file_beside_binary().is_some();
    LeptosOptions::builder()
        .output_name("pressrun")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(env)
        .hash_files(hash_files)
        .build()
}

/// Portal requests allowed per client address per minute, unless configured.
pub const PORTAL_RATE_PER_MINUTE: u32 = 120;

/// Server functions carry at most a CSV import (5 MB of text, JSON-escaped); axum's default
/// 2 MB would refuse a file the importer accepts with a transport error instead of its own
/// message. Routers with smaller needs (REST, portal, webhooks) set their own, tighter limits.
pub const SERVER_FN_BODY_BYTES: usize = 3 * app::backend::directory::order_import::MAX_FILE_BYTES;

pub fn router(state: AppState, options: LeptosOptions) -> Router {
    router_with(state, options, PORTAL_RATE_PER_MINUTE, TrustedProxies::default())
}

pub fn router_with(
    state: AppState,
    options: LeptosOptions,
    portal_rate_per_minute: u32,
    trusted_proxies: TrustedProxies,
) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let health_state = state.clone();
    let site_root = std::path::Path::new(options.site_root.as_ref());
    let package = crate::serving::site_package(&site_root.join(options.site_pkg_dir.as_ref()), options.hash_files);
    let favicon = crate::serving::favicon(site_root);
    let documents = Router::new()
        .route("/accounting/invoices/{id}/pdf", get(crate::documents::pdf))
        .route("/accounting/invoices/{id}/html", get(crate::documents::html))
        .route("/accounting/aging.csv", get(crate::reports::aging_csv))
        .with_state(state.clone());
    Router::new()
        .route("/health", get(move || health(State(health_state.clone()))))
        .merge(documents)
        .nest("/pkg", package)
        .merge(favicon)
        .merge(crate::portal::router(state.clone(), portal_rate_per_minute))
        .merge(crate::webhooks::router(state.clone()))
        .nest(crate::rest::PREFIX, crate::rest::router(state.clone()))
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        .with_state(options)
        .layer(DefaultBodyLimit::max(SERVER_FN_BODY_BYTES))
        .layer(axum::middleware::from_fn(crate::guard::argument_errors_are_bad_requests))
        .layer(axum::middleware::from_fn_with_state(state, crate::guard::guard))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        // No framing, no plugins, no <base> rewriting. Scripts are left alone: the hydration
        // script is inline, and templates' HTML is escaped, never trusted.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(crate::serving::compression())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        // Outermost: every layer and handler above sees the client's address, not a proxy's.
        .layer(axum::middleware::from_fn_with_state(Arc::new(trusted_proxies), client_address::resolve))
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok", "database": state.db.engine_name() }))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": state.db.engine_name() })),
            )
        }
    }
}
