//! Server functions: authorise, call a backend service, return DTOs. Thin by design.

pub mod account_dto;
pub mod accounts;
pub mod api_keys;
pub mod automation;
pub mod billable;
pub mod billable_dto;
pub mod dashboard;
pub mod delivery_dto;
pub mod directory;
pub mod drafts;
pub mod dto;
pub mod error;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod invoice_dto;
pub mod invoices;
pub mod mail_settings;
pub mod order_dto;
pub mod orders;
pub mod payments;
pub mod products;
pub mod reminder_dto;
pub mod reminders;
pub mod rules;
pub mod session;
pub mod settings;
pub mod template_dto;
pub mod templates;
pub mod users;

pub use error::AppError;
