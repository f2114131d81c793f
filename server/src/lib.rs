//! The Pressrun server: configuration, the HTTP router and its guards. `main.rs` is the CLI.

pub mod config;
pub mod guard;
pub mod rest;
pub mod routes;
