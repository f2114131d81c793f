//! The JSON REST API under `/api/v1`, for systems that feed Pressrun (an ad-order system, a
//! CRM). Callers authenticate with `Authorization: Bearer <API key>` (keys are created by admins
//! in Settings); cookies play no part, so the session guard and its cross-site check leave
//! these paths alone (see `guard::guard`). One file per resource.

mod accounts;
mod error;
mod invoices;
pub mod json;
mod line_items;
pub mod openapi;
mod orders;
mod paging;
mod payments;

use app::backend::{AppState, auth::api_keys};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use http::{HeaderMap, StatusCode, header};

pub use error::ApiError;

pub const PREFIX: &str = "/api/v1";

/// Whether a path belongs to the REST API rather than to the pages and server functions.
pub fn owns(path: &str) -> bool {
    path.strip_prefix(PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub fn router<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    let keyed = Router::new()
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/{id}", get(accounts::show).patch(accounts::update))
        .route("/orders", get(orders::list).post(orders::create))
        .route("/orders/{id}", get(orders::show).put(orders::update))
        .route("/line-items", get(line_items::list))
        .route("/invoices", get(invoices::list))
        .route("/invoices/{id}", get(invoices::show))
        .route("/payments", get(payments::list).post(payments::create))
        .route("/payments/{id}", get(payments::show))
        .fallback(error::no_such_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(json::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), require_key))
        .with_state(state);
    // The description is public: it holds no data, and client generators fetch it without a key.
    Router::new().route("/openapi.json", get(openapi::serve)).merge(keyed)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Every REST request needs a live API key. The key itself is never logged; the caller is
/// known by its key id and prefix from here on.
async fn require_key(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(key) = bearer(req.headers()) else {
        return ApiError::unauthorized(
            "Send an API key as `Authorization: Bearer <key>`; admins create keys in Settings.",
        )
        .into_response();
    };
    match api_keys::authenticate(&state.db, state.clock.now(), key).await {
        Ok(Some(caller)) => {
            let reads = matches!(*req.method(), http::Method::GET | http::Method::HEAD);
            if !reads && caller.scope == app::domain::api_key::ApiKeyScope::Read {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "This API key may only read; an admin can create a read-and-write key in Settings.",
                )
                .into_response();
            }
            let span = tracing::info_span!("rest", key_id = %caller.key_id, key_prefix = %caller.prefix);
            req.extensions_mut().insert(caller);
            tracing::Instrument::instrument(next.run(req), span).await
        }
        Ok(None) => ApiError::unauthorized("This API key is not valid or has been revoked.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "API key lookup failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Pressrun cannot reach its database. Please retry shortly.",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owns_only_the_versioned_prefix() {
        assert!(owns("/api/v1"));
        assert!(owns("/api/v1/accounts"));
        assert!(!owns("/api/v1accounts"));
        assert!(!owns("/api/v10/x"));
        assert!(!owns("/api/save_settings"));
    }

    #[test]
    fn reads_bearer_tokens() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer prk_x".parse().unwrap());
        assert_eq!(bearer(&h), Some("prk_x"));
        h.insert(header::AUTHORIZATION, "bearer  prk_y ".parse().unwrap());
        assert_eq!(bearer(&h), Some("prk_y"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
