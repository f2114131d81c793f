//! Storage: one module per aggregate, each function running the same SQL on either engine.

pub mod dashboard;
pub mod directory;
pub mod organisation;
pub mod sessions;
pub mod sign_in_failures;
pub mod users;
