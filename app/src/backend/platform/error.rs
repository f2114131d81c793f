use crate::domain::settings::FieldError;

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A value could not be stored or read back (for example an amount out of range).
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(super::constraints::name_of(db.as_ref()))
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("foreign key").to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// Errors from services: what went wrong in billing terms.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("incorrect email or password")]
    BadCredentials,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    /// A known unique constraint is a mistake in a field, not a failure.
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Conflict(name) => match super::constraints::field_error(name) {
                Some(field) => ServiceError::Invalid(vec![field]),
                None => ServiceError::Store(e),
            },
            _ => ServiceError::Store(e),
        }
    }
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }
}
