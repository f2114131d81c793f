//! Pressrun's Leptos application, compiled twice: with `ssr` for the server and with
//! `hydrate` for the browser. `domain` is pure billing logic that both sides share.

#![recursion_limit = "512"]

pub mod api;
pub mod domain;
pub mod pages;
/// Data shapes the server functions return and the backend builds: shared by both layers and
/// with the browser, owned by neither.
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;

#[cfg(all(test, feature = "ssr"))]
mod architecture;

pub use pages::{App, shell};
