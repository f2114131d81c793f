//! Read models for the dashboard and reports.

pub mod aging;
pub mod calendar;
pub mod collections;
pub mod dashboard;
