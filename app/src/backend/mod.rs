//! Server-only code: storage (sqlx on SQLite or PostgreSQL), services, and the state
//! the server functions run with.

pub mod accounts;
pub mod api_keys;
pub mod auth;
pub mod checkout;
pub mod clock;
pub mod db;
pub mod delivery;
pub mod demo_history;
pub mod drafts;
pub mod email_context;
pub mod error;
pub mod fixed;
pub mod invoice_document;
pub mod invoice_email;
pub mod invoicing;
pub mod mail;
pub mod mail_settings;
pub mod order_import;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod portal;
pub mod portal_links;
pub mod products;
pub mod receipt_email;
pub mod reminder_email;
pub mod reminders;
pub mod scheduler;
pub mod seed;
pub mod state;
pub mod store;
pub mod stripe;
pub mod template_check;
pub mod template_library;
pub mod template_preview;
pub mod templates;

pub use db::Db;
pub use error::{ServiceError, StoreError};
pub use state::AppState;
