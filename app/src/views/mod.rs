//! The data shapes that cross from the server to the browser: built by the backend's read
//! models, returned by the server functions, rendered by the pages. Plain serde structs with no
//! behaviour beyond formatting helpers, so all three layers can depend on them.

pub mod accounts;
pub mod aging;
pub mod billable;
pub mod calendar;
pub mod common;
pub mod delivery;
pub mod invoices;
pub mod orders;
pub mod reminders;
pub mod templates;
