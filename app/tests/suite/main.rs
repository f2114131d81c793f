//! The app's integration tests, one module per area in a single test binary so the whole app is
//! linked once. Storage and service tests run on a fresh SQLite file and a fresh PostgreSQL
//! database each (`testkit::on_both_engines!`).

mod accounts;
mod aging;
mod api_keys;
mod calendar;
mod documents;
mod fuzz;
mod orders;
mod schema;
mod storage;
mod templates;
