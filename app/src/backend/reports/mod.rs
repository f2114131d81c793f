//! Read models for the dashboard and reports.

pub mod dashboard;
