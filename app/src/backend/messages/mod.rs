//! What each kind of email says, composed at send time from the data as it is then, and what
//! its delivery changes (the follow-ups belong to their features; this only dispatches).

pub mod context;
pub mod invoice;
pub mod preview;
pub mod receipt;
pub mod reminder;
