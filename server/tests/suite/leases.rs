//! Crashed outbox leases on SQLite are released only by a process that is alone with the file:
//! a server restarting while a `pressrun tick` is still sending must not take the tick's rows
//! for crashed ones and send them a second time.

use app::on_db;
use chrono::{Duration, Utc};
use server::jobs::LeaseHold;
use testkit::{Engine, TestDb};

async fn status(db: &app::backend::Db) -> String {
    on_db!(db, p => sqlx::query_scalar::<_, String>("SELECT status FROM outbox").fetch_one(p).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_leaves_a_running_ticks_leases_alone() {
    let t = TestDb::new(Engine::Sqlite).await;
    let db = t.db.clone();
    let now = Utc::now();
    let path = std::env::temp_dir().join(format!("pressrun-leases-{}-{}", std::process::id(), now.timestamp_micros()));
    on_db!(&db, p => {
        sqlx::query(
            "INSERT INTO outbox (effect_key, kind, payload, status, attempts, next_attempt_at, created_at)
             VALUES ('receipt:1', 'receipt_email', '{}', 'pending', 0, $1, $1)")
            .bind(now).execute(p).await.unwrap();
    });
    let claim = |owner: &'static str| {
        let db = db.clone();
        async move {
            on_db!(&db, p => {
                sqlx::query("UPDATE outbox SET status = 'in_flight', lease_owner = $1, lease_until = $2")
                    .bind(owner).bind(now + Duration::minutes(2)).execute(p).await.unwrap();
            });
        }
    };

    // The tick starts alone and claims the row; it is still sending when the server restarts.
    let tick = LeaseHold::take(path.clone(), &db, now).await.unwrap();
    claim("tick").await;
    let server = LeaseHold::take(path.clone(), &db, now).await.unwrap();
    assert_eq!(status(&db).await, "in_flight", "the tick's message is not taken for a crashed one");

    // Both stop; the next process to start is alone, so what is still in flight really was
    // left by a crash and is due again at once.
    drop(tick);
    drop(server);
    let _next = LeaseHold::take(path.clone(), &db, now).await.unwrap();
    assert_eq!(status(&db).await, "pending");
    let _ = std::fs::remove_file(path);
}
