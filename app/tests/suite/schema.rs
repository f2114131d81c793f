//! The two migration folders describe one schema: after migrating, SQLite and PostgreSQL have the
//! same tables, the same columns and the same nullability. Types differ by engine on purpose
//! (TEXT dates, INTEGER booleans in SQLite), so they are not compared.

use std::collections::BTreeSet;

use app::on_db;
use testkit::{Engine, TestDb};

/// `(table, column, nullable)` for every column of every table the migrations created.
type Columns = BTreeSet<(String, String, bool)>;

async fn sqlite_columns(t: &TestDb) -> Columns {
    let rows: Vec<(String, String, i64, i64)> = on_db!(&t.db, p => sqlx::query_as(
        "SELECT m.name, c.name, c.\"notnull\", c.pk
           FROM sqlite_master m JOIN pragma_table_info(m.name) c
          WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'")
        .fetch_all(p).await.unwrap());
    // A SQLite primary key never holds NULL in these tables (INTEGER PRIMARY KEY is the rowid,
    // the others are declared NOT NULL or written on insert), whatever `notnull` says.
    rows.into_iter().map(|(table, column, not_null, pk)| (table, column, not_null == 0 && pk == 0)).collect()
}

async fn postgres_columns(t: &TestDb) -> Columns {
    let rows: Vec<(String, String, String)> = on_db!(&t.db, p => sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'")
        .fetch_all(p).await.unwrap());
    rows.into_iter().map(|(table, column, nullable)| (table, column, nullable == "YES")).collect()
}

fn describe(cols: &BTreeSet<&(String, String, bool)>) -> String {
    cols.iter()
        .map(|(t, c, n)| format!("  {t}.{c} {}", if *n { "NULL" } else { "NOT NULL" }))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_have_the_same_tables_columns_and_nullability() {
    let (lite, pg) = tokio::join!(TestDb::new(Engine::Sqlite), TestDb::new(Engine::Postgres));
    let (lite, pg) = (sqlite_columns(&lite).await, postgres_columns(&pg).await);
    assert!(lite.len() > 50, "the SQLite schema was read ({} columns)", lite.len());
    let only_sqlite: BTreeSet<_> = lite.difference(&pg).collect();
    let only_postgres: BTreeSet<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migration folders have drifted apart.\nOnly in migrations/sqlite:\n{}\nOnly in migrations/postgres:\n{}",
        describe(&only_sqlite),
        describe(&only_postgres)
    );
}
