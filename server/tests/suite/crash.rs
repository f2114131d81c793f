//! Whole-process failure tests with the real binary and a real SMTP server:
//! - 50 runs that kill -9 a SQLite server at a random moment while it ticks and delivers;
//! - three servers ticking and delivering together on one PostgreSQL database.
//!
//! Afterwards: no line item invoiced twice, invoice numbers without gaps, every email that
//! should go out received, and any repeat explained by an attempt whose outcome was unknown.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use app::{
    backend::{Db, demo::seed, invoicing::automation},
    domain::delivery::{AutoInvoiceMode, AutomationSettings, Delivery},
    on_db,
};
use chrono::Utc;
use rand::{Rng, seq::SliceRandom};
use testkit::smtp::SmtpSink;

struct Target {
    url: String,
    data_dir: std::path::PathBuf,
}

fn spawn_server(t: &Target, sink: &SmtpSink, instance: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pressrun"))
        .arg("serve")
        .env("DATABASE_URL", &t.url)
        .env("PRESSRUN_DATA_DIR", &t.data_dir)
        .env("PRESSRUN_ADDR", "127.0.0.1:0")
        .env("PRESSRUN_SITE_ROOT", &t.data_dir)
        .env("PRESSRUN_TICK_SECONDS", "1")
        .env("PRESSRUN_OUTBOX_POLL_MS", "50")
        .env("PRESSRUN_OUTBOX_LEASE_SECONDS", "3")
        .env("PRESSRUN_RETRY_BASE_SECONDS", "1")
        .env("PRESSRUN_INSTANCE", instance)
        .env("PRESSRUN_SMTP_HOST", "127.0.0.1")
        .env("PRESSRUN_SMTP_PORT", sink.port.to_string())
        .env("PRESSRUN_SMTP_TLS", "none")
        .env("PRESSRUN_MAIL_FROM", "Valley Courier <billing@valley.example>")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start pressrun")
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

/// The demo publisher with every product on auto-invoice and invoices emailed at once.
async fn prepare(db: &Db) {
    let now = Utc::now();
    seed::seed_demo(db, now).await.unwrap();
    on_db!(db, p => {
        sqlx::query("UPDATE products SET auto_invoice = TRUE").execute(p).await.unwrap();
        sqlx::query("UPDATE organisation SET email_from = 'billing@valley.example'").execute(p).await.unwrap();
    });
    let s = AutomationSettings {
        mode: AutoInvoiceMode::GenerateAndEmail,
        delivery: Delivery::Automatic,
        template_id: None,
    };
    automation::save(db, &s, now - chrono::Duration::days(1)).await.unwrap();
}

/// New business while the servers run: an order billable today for each of `n` accounts.
async fn add_orders(db: &Db, n: usize, tag: &str) {
    let now = Utc::now();
    let yesterday = (now - chrono::Duration::days(1)).date_naive();
    let accounts: Vec<i64> = on_db!(db, p => sqlx::query_scalar("SELECT id FROM accounts WHERE kind = 'advertiser'").fetch_all(p).await.unwrap());
    let product = scalar(db, "SELECT id FROM products WHERE billing_rule = 'immediately' ORDER BY id LIMIT 1").await;
    let picked: Vec<i64> = accounts.choose_multiple(&mut rand::thread_rng(), n).copied().collect();
    for (i, account) in picked.into_iter().enumerate() {
        on_db!(db, p => {
            let order: i64 = sqlx::query_scalar("INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at) VALUES ($1, $2, 'confirmed', $3, $4, $4) RETURNING id")
                .bind(format!("CRASH-{tag}-{i}")).bind(account).bind(yesterday).bind(now).fetch_one(p).await.unwrap();
            for k in 0..3 {
                sqlx::query("INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at) VALUES ($1, $2, $3, $4, 10000, 2500000, 0, $5, $5)")
                    .bind(order).bind(product).bind(yesterday + chrono::Duration::days(k)).bind(format!("Crash test ad {k}")).bind(now).execute(p).await.unwrap();
            }
        });
    }
}

/// Polls until every due line item is invoiced and no email is pending or in flight.
async fn wait_until_settled(db: &Db, within: Duration) {
    let start = Instant::now();
    loop {
        let today = Utc::now().date_naive();
        let due =
            app::backend::invoicing::billable::auto_invoice_due(db, today - chrono::Duration::days(1)).await.unwrap();
        let open = scalar(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'in_flight')").await;
        if due.is_empty() && open == 0 {
            return;
        }
        assert!(
            start.elapsed() < within,
            "not settled after {within:?}: {} due line items, {open} emails open",
            due.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Tally {
    invoices: i64,
    emails_expected: i64,
    no_recipient: i64,
    received: usize,
    repeats: usize,
    repeats_explained: usize,
    lost: usize,
}

async fn verify(db: &Db, sink: &SmtpSink) -> Tally {
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM (SELECT line_item_id FROM invoice_lines WHERE live = TRUE GROUP BY line_item_id HAVING COUNT(*) > 1) x").await,
        0,
        "a line item is on two live invoices"
    );
    let numbers: Vec<(String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT period, last_value FROM invoice_counters").fetch_all(p).await.unwrap());
    let invoices = scalar(db, "SELECT COUNT(*) FROM invoices").await;
    assert_eq!(numbers.iter().map(|(_, n)| n).sum::<i64>(), invoices, "every number used once, none skipped");
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM invoices WHERE id NOT IN (SELECT invoice_id FROM outbox WHERE invoice_id IS NOT NULL)"
        )
        .await,
        0,
        "every auto invoice has its email queued with it"
    );
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM outbox").await, invoices, "one email per invoice, never two");

    let done: Vec<(String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT o.message_id, (SELECT COUNT(*) FROM outbox_attempts a WHERE a.outbox_id = o.id AND a.outcome = 'unknown')
         FROM outbox o WHERE o.status = 'done'").fetch_all(p).await.unwrap());
    let failed = scalar(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'done'").await;
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM outbox WHERE status <> 'done' AND last_error NOT LIKE '%has no invoice recipient%'"
        )
        .await,
        0,
        "the only emails not delivered are those of accounts without a recipient"
    );

    let mut by_id: HashMap<String, usize> = HashMap::new();
    let received = sink.received();
    for m in &received {
        *by_id.entry(m.message_id.clone()).or_default() += 1;
    }
    let mut tally = Tally {
        invoices,
        emails_expected: done.len() as i64,
        no_recipient: failed,
        received: received.len(),
        repeats: 0,
        repeats_explained: 0,
        lost: 0,
    };
    for (message_id, unknown_attempts) in &done {
        match by_id.get(message_id).copied().unwrap_or(0) {
            0 => tally.lost += 1,
            1 => {}
            n => {
                tally.repeats += n - 1;
                if *unknown_attempts as usize >= n - 1 {
                    tally.repeats_explained += n - 1;
                }
            }
        }
    }
    assert_eq!(by_id.len(), done.len(), "the SMTP server received exactly the Message-IDs of delivered rows");
    tally
}

fn report(name: &str, runs: usize, t: &Tally) {
    println!(
        "{name}: {runs} runs; {} invoices; {} emails to deliver ({} accounts without a recipient); received {} messages; \
         lost {}; repeats {} (explained by an unknown-outcome attempt: {})",
        t.invoices, t.emails_expected, t.no_recipient, t.received, t.lost, t.repeats, t.repeats_explained
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_kill_dash_nine_fifty_times_while_ticking_and_delivering_on_sqlite() {
    let data_dir =
        std::env::temp_dir().join(format!("pressrun-crash-{}-{:08x}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let path = data_dir.join("pressrun.db");
    let target = Target { url: format!("sqlite://{}", path.display()), data_dir: data_dir.clone() };
    let db = Db::connect_sqlite_file(&path).await.unwrap();
    db.migrate().await.unwrap();
    prepare(&db).await;
    // Messages take 10 ms to be accepted, so kills land inside SMTP conversations too.
    let sink = SmtpSink::start_with_delay(10);

    const RUNS: usize = 50;
    let mut rng = rand::thread_rng();
    for run in 0..RUNS {
        add_orders(&db, 4, &format!("r{run}")).await;
        let mut server = spawn_server(&target, &sink, "crash");
        // The kill lands anywhere from start-up to well into the delivery of a round.
        let kill_after = Duration::from_millis(rng.gen_range(50..1_500));
        tokio::time::sleep(kill_after).await;
        server.kill().expect("kill -9");
        server.wait().unwrap();
    }
    let mut last = spawn_server(&target, &sink, "final");
    wait_until_settled(&db, Duration::from_secs(120)).await;
    last.kill().unwrap();
    last.wait().unwrap();

    let tally = verify(&db, &sink).await;
    report("SQLite crash test", RUNS, &tally);
    assert_eq!(tally.lost, 0, "no email lost");
    assert_eq!(tally.repeats, tally.repeats_explained, "every repeat follows an attempt whose outcome was unknown");
    db.close().await;
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_three_instances_on_one_postgresql_database() {
    let t = testkit::TestDb::new(testkit::Engine::Postgres).await;
    let url = t.url().to_string();
    let data_dir =
        std::env::temp_dir().join(format!("pressrun-multi-{}-{:08x}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let target = Target { url, data_dir: data_dir.clone() };
    prepare(&t.db).await;
    let sink = SmtpSink::start_with_delay(5);

    let mut servers: Vec<Child> = (0..3).map(|i| spawn_server(&target, &sink, &format!("pg-{i}"))).collect();
    for round in 0..5 {
        add_orders(&t.db, 6, &format!("m{round}")).await;
        wait_until_settled(&t.db, Duration::from_secs(120)).await;
    }
    // One instance dies mid-flight; the others take over its leases.
    add_orders(&t.db, 6, "kill").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    servers[0].kill().unwrap();
    wait_until_settled(&t.db, Duration::from_secs(120)).await;
    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }

    let tally = verify(&t.db, &sink).await;
    report("PostgreSQL, three instances", 1, &tally);
    assert_eq!(tally.lost, 0);
    assert_eq!(tally.repeats, tally.repeats_explained);
    let claimed_by: i64 = scalar(&t.db, "SELECT COUNT(DISTINCT worker) FROM outbox_attempts").await;
    assert!(claimed_by >= 2, "the instances shared the work ({claimed_by} worker(s) sent mail)");
    let _ = std::fs::remove_dir_all(&data_dir);
}
