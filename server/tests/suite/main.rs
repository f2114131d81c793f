//! The server's integration tests, one module per area in a single test binary so the whole
//! app and server are linked once. `serve` starts the real router on a real socket; database,
//! SMTP sink and ledger helpers come from `testkit`.
//!
//! The crash tests (`crash::crash_…`) spawn the `pressrun` binary and take minutes: `make test`
//! runs them on their own (`cargo test -p server --test suite crash_`) and skips them in the
//! main run (`-- --skip crash_`).

mod serve;

mod cli;
mod crash;
mod delivery;
mod documents_http;
mod http;
mod leases;
mod orders_http;
mod payments;
mod portal_http;
mod reminders;
mod reports_http;
mod rest_api;
mod roles;
mod serving;
mod stripe;
mod templates_http;
