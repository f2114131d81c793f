//! Past-due reminders: the ladder settings and the engine that decides, each tick, which step
//! each owed invoice gets.

pub mod engine;
pub mod store;
