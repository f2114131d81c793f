//! Server-only code, grouped by feature. Each folder owns its storage and its services, and
//! depends only on the folders above it in this list (checked by `app/tests/suite/layers.rs`):
//!
//! - `platform`: the database (`Db`, `on_db!`), errors, the clock, fixed-point money columns,
//!   the organisation and its "today", constraint names → field errors.
//! - `auth`: staff users, passwords, sessions, sign-in throttling, API keys.
//! - `directory`: accounts and contacts, products, orders and line items, CSV import.
//! - `delivery`: the outbox (knows no email kinds), its worker, the mail transport and settings.
//! - `templates`: the template engine, merge values' shape and samples, checks, the library.
//! - `invoicing`: billable line items, invoice creation and numbering, drafts, the invoice
//!   list and page, voiding, invoice events, documents (PDF/HTML), automation settings.
//! - `payments`: recording payments, credit, online checkout, Stripe.
//! - `portal`: portal links (tokens) and the client pages.
//! - `reminders`: the past-due reminder ladder and its engine.
//! - `messages`: what each email kind says (composed at send time) and what happens after it is
//!   delivered — the one dispatcher the outbox worker is given.
//! - `reports`: read models for the dashboard.
//! - `demo`: the demo publisher.
//! - `scheduler`: the tick, on top of everything.
//! - `state`: what a request or a background job runs with.

pub mod platform;

pub mod auth;
pub mod directory;

pub mod delivery;
pub mod templates;

pub mod invoicing;
pub mod payments;
pub mod portal;
pub mod reminders;

pub mod messages;
pub mod reports;

pub mod demo;
pub mod scheduler;
pub mod state;

pub use platform::{Db, ServiceError, StoreError};
pub use state::AppState;
