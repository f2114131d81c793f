//! The client portal: unguessable links scoped to one invoice or one account, and the pages
//! they open (Invoice Payment, Unpaid Invoices, test checkout, receipts).

pub mod links;
pub mod pages;
