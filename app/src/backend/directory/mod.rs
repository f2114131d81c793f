//! The parties and what they bought: accounts with their contacts and bill-to, products with
//! their billing rules, orders with their line items (editor, CSV import, REST), and the lists.

pub mod account_store;
pub mod accounts;
pub mod lists;
pub mod order_import;
pub mod order_store;
pub mod orders;
pub mod product_store;
pub mod products;
pub mod rest_views;
