//! The Pressrun server: configuration, the HTTP router and its guards. `main.rs` is the CLI.

// The order editor's view type is deeper than the default limit when the server lays it out.
#![recursion_limit = "256"]

pub mod client_address;
pub mod config;
pub mod documents;
pub mod guard;
pub mod jobs;
pub mod portal;
pub mod reports;
pub mod rest;
pub mod routes;
pub mod serving;
pub mod webhooks;
