//! Test support shared by the integration tests of `app` and `server` (and `server`'s bench).
//!
//! - [`TestDb`] and [`on_both_engines!`]: a test against a fresh database of each engine, a
//!   temporary SQLite file and a freshly created PostgreSQL database (dropped afterwards, even
//!   when the test panics). PostgreSQL must be reachable: a skipped engine would be a test that
//!   cannot fail.
//! - [`smtp`]: a real SMTP server (scripts/smtp_sink.py) and the messages it received, decoded.
//! - [`ledger`]: an organisation, accounts and invoices written directly, for payment tests.
//!
//! This crate depends on `app` (ssr) and never on `server`: `server`'s tests use it as a
//! dev-dependency, and a dependency back on `server` would build a second, incompatible `app`.

pub mod ledger;
pub mod smtp;

use std::path::PathBuf;

use app::backend::Db;
use rand::Rng;

pub const PG_ADMIN_URL_VAR: &str = "PRESSRUN_TEST_PG_URL";
const PG_ADMIN_URL_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub db: Db,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn unique_name() -> String {
    format!("pressrun_test_{}_{:08x}", std::process::id(), rand::thread_rng().r#gen::<u32>())
}

pub fn pg_admin_url() -> String {
    std::env::var(PG_ADMIN_URL_VAR).unwrap_or_else(|_| PG_ADMIN_URL_DEFAULT.into())
}

/// The URL of a new, empty PostgreSQL database and its name.
pub async fn create_pg_database() -> (String, String) {
    let admin_url = pg_admin_url();
    let name = unique_name();
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {admin_url} is required for these tests ({e}); start it or set {PG_ADMIN_URL_VAR}")
    });
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create test database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
    (format!("{base}/{name}"), name)
}

pub fn sqlite_path() -> PathBuf {
    std::env::temp_dir().join(format!("{}.db", unique_name()))
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        let (db, url, cleanup) = match engine {
            Engine::Sqlite => {
                let path = sqlite_path();
                let url = format!("sqlite://{}", path.display());
                (Db::connect_sqlite_file(&path).await.expect("open sqlite"), url, Cleanup::File(path))
            }
            Engine::Postgres => {
                let (url, name) = create_pg_database().await;
                (
                    Db::connect(&url).await.expect("connect to test database"),
                    url,
                    Cleanup::PgDatabase { admin_url: pg_admin_url(), name },
                )
            }
        };
        db.migrate().await.expect("migrations apply");
        TestDb { db, url, cleanup }
    }

    /// For other processes (the server binary) to open the same database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let db = self.db.clone();
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::File(PathBuf::new()));
        // Drop may run inside a runtime that is shutting down, so clean up on a fresh one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                db.close().await;
                match cleanup {
                    Cleanup::File(path) => {
                        for suffix in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                        }
                    }
                    Cleanup::PgDatabase { admin_url, name } => {
                        if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                            admin.close().await;
                        }
                    }
                }
            });
        })
        .join();
    }
}

/// `on_both_engines!(name, |db| async move { … })` defines `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, |$db:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::TestDb::new($crate::Engine::Sqlite).await;
                let $db = t.db.clone();
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::TestDb::new($crate::Engine::Postgres).await;
                let $db = t.db.clone();
                $body.await;
            }
        }
    };
}
