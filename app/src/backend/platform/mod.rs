//! What every feature stands on: the database of either engine, the error types, the clock,
//! fixed-point money columns, the organisation and its local "today", and the translation of
//! constraint names into field errors.

pub mod clock;
pub mod constraints;
pub mod db;
pub mod error;
pub mod fixed;
pub mod organisation;
pub mod search;

pub use db::Db;
pub use error::{ServiceError, StoreError};
