//! Money in: payments recorded by hand or online, their allocation to invoices, account credit,
//! the portal's checkout and the Stripe provider.

pub mod checkout;
pub mod corrections;
pub mod exceptions;
pub mod receipts;
pub mod record;
pub mod rest_views;
pub mod stripe;
