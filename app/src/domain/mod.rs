//! Pure billing logic: no I/O, no clocks. Shared by the server and the browser so a
//! preview in the browser and the scheduler on the server can never disagree.

pub mod account_input;
pub mod aging;
pub mod api_key;
pub mod billing_rule;
pub mod calendar;
pub mod delivery;
pub mod draft;
pub mod email_kind;
pub mod email_text;
pub mod format;
pub mod ids;
pub mod invoice;
pub mod invoice_event;
pub mod invoice_number;
pub mod merge_fields;
pub mod money;
pub mod order_input;
pub mod payment;
pub mod product_input;
pub mod reminder_ladder;
pub mod role;
pub mod rule_change;
pub mod settings;
pub mod terms;
