//! Server-only code: storage (sqlx on SQLite or PostgreSQL), services, and the state
//! the server functions run with.

pub mod accounts;
pub mod api_keys;
pub mod auth;
pub mod clock;
pub mod db;
pub mod error;
pub mod fixed;
pub mod invoicing;
pub mod order_import;
pub mod orders;
pub mod products;
pub mod seed;
pub mod state;
pub mod store;

pub use db::Db;
pub use error::{ServiceError, StoreError};
pub use state::AppState;
