//! Staff downloads of reports: `GET /accounting/aging.csv` with the Aging page's query.

use app::{
    api::{aging::aging_report, guard::SessionUser},
    backend::{AppState, ServiceError, reports::aging},
    domain::role::Role,
    views::aging::AgingQuery,
};
use axum::{
    Extension,
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};

pub async fn aging_csv(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    RawQuery(query): RawQuery,
) -> Response {
    match user {
        Some(Extension(SessionUser(u))) if u.can(Role::Viewer) => {}
        Some(_) => return (StatusCode::FORBIDDEN, "Your role does not allow this.").into_response(),
        None => return (StatusCode::UNAUTHORIZED, "Sign in to download reports.").into_response(),
    }
    let pairs = app::api::billable::query_pairs(query.as_deref().unwrap_or(""));
    let query = AgingQuery::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
    match aging_report(&state, &query, None).await {
        Ok(report) => {
            let file_name = format!("attachment; filename=\"aging-{}.csv\"", report.as_of);
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&file_name).unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
                ],
                aging::csv(&report),
            )
                .into_response()
        }
        Err(ServiceError::Invalid(fields)) => {
            let message = fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ");
            (StatusCode::UNPROCESSABLE_ENTITY, message).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "aging CSV failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The report could not be built. It has been logged; please try again.")
                .into_response()
        }
    }
}
