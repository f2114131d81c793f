//! Pressrun's Leptos application, compiled twice: with `ssr` for the server and with
//! `hydrate` for the browser. `domain` is pure billing logic that both sides share.

#![recursion_limit = "512"]

pub mod api;
pub mod domain;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;

pub use pages::{App, shell};
