//! Staff-written email templates: the sandboxed engine, the shape of the merge values with
//! samples for every kind, the checks run before saving, and the template library.

pub mod check;
pub mod context;
pub mod library;
pub mod render;
