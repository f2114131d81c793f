//! The one error shape of the REST API:
//! `{"error": {"code": "invalid", "message": "…", "fields": [{"field": "lines[2].run_date", "message": "…"}]}}`.
//! Every refusal, including the ones axum's extractors produce, is turned into it, so a client
//! never has to parse a plain-text body, and bad input is never a 500.

use app::{
    backend::{ServiceError, StoreError},
    domain::settings::FieldError,
};
use axum::{
    Json,
    extract::rejection::{PathRejection, QueryRejection},
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// For a refused duplicate: the record that already exists.
    pub existing_id: Option<i64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    fields: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    existing_id: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new(), existing_id: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("No {what} has that id."))
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        Self { fields, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Some fields are not valid.") }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn duplicate(what: &str, existing_id: impl Into<i64>) -> Self {
        let existing_id: i64 = existing_id.into();
        Self {
            existing_id: Some(existing_id),
            ..Self::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{what} {existing_id} already has this reference; nothing was created."),
            )
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; it has been logged.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                fields: &self.fields,
                existing_id: self.existing_id,
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(fields) => ApiError::invalid(fields),
            ServiceError::NotFound(what) => ApiError::not_found(what),
            ServiceError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::Unauthenticated | ServiceError::BadCredentials => {
                ApiError::unauthorized("Send a valid API key as `Authorization: Bearer <key>`.")
            }
            ServiceError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden", "This key may not do that."),
            ServiceError::TooManyAttempts(message) => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
            }
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(message) => {
                tracing::error!(error = %message, "REST request failed");
                ApiError::internal()
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", "That record does not exist."),
            StoreError::Conflict(constraint) => {
                tracing::info!(%constraint, "REST change refused by a constraint");
                ApiError::new(StatusCode::CONFLICT, "conflict", "That change conflicts with existing data.")
            }
            other => {
                tracing::error!(error = %other, "REST request failed in storage");
                ApiError::internal()
            }
        }
    }
}

/// A path id that is not a number names no record.
impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "No record has that id.")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::bad_request(e.body_text())
    }
}

pub async fn no_such_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such endpoint; see the README for the API.")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This endpoint does not take that method.")
}
