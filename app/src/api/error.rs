//! The one error type the browser sees. Built from `ServiceError` at the edge, where it
//! also picks the HTTP status, so bad input is a 4xx with a message, never a 500.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::settings::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Please sign in again.")]
    Unauthenticated,
    #[error("Your role does not allow this change. Ask an admin if you need access.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    #[error("Incorrect email or password.")]
    BadCredentials,
    #[error("{0}")]
    TooManyAttempts(String),
    /// The request was understood and refused, with a reason for the person.
    #[error("{0}")]
    Rejected(String),
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The request never reached our code (network, malformed arguments …).
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    /// The message for a form field, if this error has one.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors.iter().find(|e| e.field == name).map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

/// Pulls the message for `field` out of an action's last result.
pub fn field_error<T>(result: &Option<Result<T, AppError>>, field: &str) -> Option<String> {
    match result {
        Some(Err(e)) => e.field(field),
        _ => None,
    }
}

#[cfg(feature = "ssr")]
mod edge {
    use http::StatusCode;

    use super::AppError;
    use crate::backend::{ServiceError, StoreError};

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::BadCredentials => StatusCode::UNAUTHORIZED,
                AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Rejected(_) => StatusCode::CONFLICT,
                AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Request(_) => StatusCode::BAD_REQUEST,
            }
        }
    }

    impl From<ServiceError> for AppError {
        fn from(e: ServiceError) -> Self {
            let app = match e {
                ServiceError::Unauthenticated => AppError::Unauthenticated,
                ServiceError::Forbidden => AppError::Forbidden,
                ServiceError::BadCredentials => AppError::BadCredentials,
                ServiceError::NotFound(what) => AppError::NotFound(format!("That {what} no longer exists.")),
                ServiceError::Invalid(fields) => AppError::Invalid(fields),
                ServiceError::Conflict(msg) => AppError::Rejected(msg),
                ServiceError::TooManyAttempts(msg) => AppError::TooManyAttempts(msg),
                ServiceError::Store(StoreError::NotFound) => AppError::NotFound("That record no longer exists.".into()),
                ServiceError::Store(StoreError::Conflict(c)) => {
                    tracing::info!(constraint = %c, "change refused by a constraint");
                    AppError::Rejected("That change conflicts with existing data.".into())
                }
                ServiceError::Store(other) => {
                    tracing::error!(error = %other, "storage error");
                    AppError::Internal
                }
                ServiceError::Internal(msg) => {
                    tracing::error!(error = %msg, "internal error");
                    AppError::Internal
                }
            };
            if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(app.status());
            }
            app
        }
    }

    impl From<StoreError> for AppError {
        fn from(e: StoreError) -> Self {
            ServiceError::from(e).into()
        }
    }
}
