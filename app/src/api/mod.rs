//! Server functions: authorise, call a backend service, return DTOs. Thin by design.

pub mod accounts;
pub mod aging;
pub mod api_keys;
pub mod automation;
pub mod billable;
pub mod calendar;
pub mod dashboard;
pub mod directory;
pub mod drafts;
pub mod error;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod invoices;
pub mod mail_settings;
pub mod orders;
pub mod payments;
pub mod products;
pub mod reminders;
pub mod rules;
pub mod session;
pub mod settings;
pub mod templates;
pub mod users;

pub use error::AppError;
