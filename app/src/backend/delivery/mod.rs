//! Getting effects out of the system exactly once: the outbox (rows written in the caller's
//! transaction, claimed with leases, attempts recorded), the worker that drains it, and the
//! mail transport with its settings. It knows no email kinds: what a message says and what
//! follows its delivery are given to the worker by `messages`.

pub mod mail_settings;
pub mod outbox;
pub mod transport;
pub mod worker;
