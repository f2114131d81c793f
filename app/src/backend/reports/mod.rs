//! Read models for the dashboard and reports.

pub mod aging;
pub mod collections;
pub mod dashboard;
