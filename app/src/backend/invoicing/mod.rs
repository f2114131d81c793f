//! Turning line items into invoices and keeping them: the Billable Line Items read model,
//! Invoice Selected and the scheduler's invoicing, gapless numbering, drafts, the invoice list
//! and page, voiding, the invoice timeline, the invoice documents and the automation settings.

pub mod automation;
pub mod billable;
pub mod create;
pub mod delivery_views;
pub mod document;
pub mod drafts;
pub mod events;
pub mod invoices;
pub mod open_items;
pub mod rest_views;
pub mod sending;
