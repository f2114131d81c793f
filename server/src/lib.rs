//! The Pressrun server: configuration, the HTTP router and its guards. `main.rs` is the CLI.

pub mod config;
pub mod documents;
pub mod guard;
pub mod jobs;
pub mod routes;
