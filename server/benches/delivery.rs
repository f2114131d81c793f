//! Auto-invoicing and email delivery at scale, each figure against a baseline measured in the
//! same run on the same machine:
//! - a scheduler tick over 100 000 due line items (10 000 bill-to accounts), against a plain
//!   batched INSERT of the same invoice and invoice-line rows;
//! - 10 000 invoice emails through the outbox worker to a local SMTP server, against lettre
//!   sending the same composed messages straight to it with the same concurrency.
//!
//! `cargo bench -p server --bench delivery [-- --postgres]` (make bench runs both engines).

use std::{sync::Arc, time::Instant};

use app::{
    backend::{
        Db,
        delivery::{mail_settings::MailEnvironment, transport::Mailer, worker::DeliveryConfig},
        invoicing::automation,
        messages::{self, invoice as invoice_email},
        platform::clock::ManualClock,
        scheduler,
    },
    domain::{
        delivery::{AutoInvoiceMode, AutomationSettings, Delivery},
        email_kind::InvoiceEmailPayload,
        ids::InvoiceId,
    },
    on_db,
};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

const ACCOUNTS: usize = 10_000;
const LINES_PER_ACCOUNT: usize = 10;
const INSERT_CHUNK: usize = 500;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap()
}

fn ordered_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
}

/// PostgreSQL identity columns take explicit ids only when told to.
fn overriding(db: &Db) -> &'static str {
    if db.is_postgres() { "OVERRIDING SYSTEM VALUE" } else { "" }
}

/// 10 000 accounts with a To contact, one auto-invoice product billed immediately, one
/// confirmed order each with 10 line items: 100 000 line items due today.
async fn load(db: &Db) {
    app::backend::platform::organisation::ensure(db, now()).await.unwrap();
    exec(db, "UPDATE organisation SET email_from = 'billing@valley.example'").await;
    let ts = now().to_rfc3339();
    let ov = overriding(db);
    exec(db, &format!("INSERT INTO products (name, billing_rule, rule_days, auto_invoice, created_at, updated_at) VALUES ('Display', 'immediately', 0, TRUE, '{ts}', '{ts}')")).await;
    let values =
        |f: &dyn Fn(usize) -> String, range: std::ops::Range<usize>| range.map(f).collect::<Vec<_>>().join(",");
    for start in (0..ACCOUNTS).step_by(INSERT_CHUNK) {
        let range = start..(start + INSERT_CHUNK).min(ACCOUNTS);
        exec(
            db,
            &format!(
                "INSERT INTO accounts (id, name, kind, created_at) {ov} VALUES {}",
                values(&|i| format!("({}, 'Advertiser {i:05}', 'advertiser', '{ts}')", i + 1), range.clone())
            ),
        )
        .await;
        exec(
            db,
            &format!(
                "INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES {}",
                values(
                    &|i| format!("({}, 'Payables {i}', 'ap{i}@client{i}.example', 'to', '{ts}')", i + 1),
                    range.clone()
                )
            ),
        )
        .await;
        exec(db, &format!("INSERT INTO orders (id, order_number, account_id, status, ordered_on, created_at, updated_at) {ov} VALUES {}",
            values(&|i| format!("({}, 'ORD-{i:06}', {}, 'confirmed', '{}', '{ts}', '{ts}')", i + 1, i + 1, ordered_on()), range.clone()))).await;
    }
    let total = ACCOUNTS * LINES_PER_ACCOUNT;
    for start in (0..total).step_by(INSERT_CHUNK * 4) {
        let range = start..(start + INSERT_CHUNK * 4).min(total);
        exec(db, &format!(
            "INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at) VALUES {}",
            values(&|i| format!("({}, 1, '{}', 'Display ad {i}', 10000, 1250000, 0, '{ts}', '{ts}')",
                i / LINES_PER_ACCOUNT + 1, ordered_on() + Duration::days((i % LINES_PER_ACCOUNT) as i64)), range))).await;
    }
    if let Db::Postgres(p) = db {
        sqlx::query("ANALYZE").execute(p).await.unwrap();
    }
    // The PostgreSQL sequences must move past the explicit ids.
    if db.is_postgres() {
        for t in ["accounts", "orders"] {
            exec(db, &format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")).await;
        }
    }
}

/// The floor: the same invoice and invoice-line rows written with multi-row INSERTs in one
/// transaction, with no reading, rules, numbering or outbox.
async fn baseline_insert(db: &Db) -> f64 {
    let ts = now().to_rfc3339();
    let ov = overriding(db);
    let start = Instant::now();
    on_db!(db, p => {
        let mut tx = p.begin().await.unwrap();
        for chunk in (0..ACCOUNTS).collect::<Vec<_>>().chunks(INSERT_CHUNK) {
            let rows = chunk.iter().map(|i| format!(
                "({id}, 'INV-2026-{id:05}', {id}, 'open', '2026-12-01', '2026-12-31', 30, 'USD', 1250000000, 0, 0, 1250000000, 0, 'auto', '{ts}')",
                id = i + 1)).collect::<Vec<_>>().join(",");
            sqlx::query(&format!("INSERT INTO invoices (id, number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, discount_total, tax_total, total, amount_paid, source, created_at) {ov} VALUES {rows}"))
                .execute(&mut *tx).await.unwrap();
        }
        let lines: Vec<usize> = (0..ACCOUNTS * LINES_PER_ACCOUNT).collect();
        for chunk in lines.chunks(INSERT_CHUNK * 4) {
            let rows = chunk.iter().map(|i| format!(
                "({}, {}, {}, 'Display', 'Display ad {i}', '2026-11-20', 10000, 1250000, 0, 0, 1250000, 0, TRUE)",
                i / LINES_PER_ACCOUNT + 1, i + 1, i % LINES_PER_ACCOUNT + 1)).collect::<Vec<_>>().join(",");
            sqlx::query(&format!("INSERT INTO invoice_lines (invoice_id, line_item_id, position, product_name, description, run_date, quantity, unit_price, discount, tax_rate, net_amount, tax_amount, live) VALUES {rows}"))
                .execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    });
    start.elapsed().as_secs_f64()
}

async fn fresh(postgres: bool) -> testkit::TestDb {
    testkit::TestDb::new(if postgres { testkit::Engine::Postgres } else { testkit::Engine::Sqlite }).await
}

#[tokio::main]
async fn main() {
    let postgres = std::env::args().any(|a| a == "--postgres");
    let engine = if postgres { "PostgreSQL" } else { "SQLite" };
    let lines = ACCOUNTS * LINES_PER_ACCOUNT;
    println!("== delivery benchmark on {engine}: {lines} line items, {ACCOUNTS} accounts ==");

    let base_db = fresh(postgres).await;
    load(&base_db.db).await;
    let base = baseline_insert(&base_db.db).await;
    drop(base_db);

    let t = fresh(postgres).await;
    load(&t.db).await;
    let settings = AutomationSettings {
        mode: AutoInvoiceMode::GenerateAndEmail,
        delivery: Delivery::Automatic,
        template_id: None,
    };
    automation::save(&t.db, &settings, now() - Duration::days(1)).await.unwrap();
    let start = Instant::now();
    let report = scheduler::tick(&t.db, now(), "bench").await.unwrap();
    let tick = start.elapsed().as_secs_f64();
    assert_eq!(report.line_items_invoiced, lines);
    assert_eq!(report.invoices_created, ACCOUNTS);
    println!(
        "baseline: plain batched INSERT of {ACCOUNTS} invoices + {lines} lines: {base:.2} s ({:.0} lines/s)",
        lines as f64 / base
    );
    println!(
        "tick: {lines} line items -> {} invoices (+ {} queued emails): {tick:.2} s ({:.0} line items/s) = {:.1}x the baseline",
        report.invoices_created,
        report.invoices_created,
        lines as f64 / tick,
        tick / base
    );

    // 10 000 emails: lettre straight to the SMTP server, then the outbox worker.
    let sink = testkit::smtp::SmtpSink::start();
    let mailer = Mailer::new(app::backend::delivery::transport::MailRoute::Smtp(sink.smtp_settings())).unwrap();
    let ids: Vec<(InvoiceId, String)> = on_db!(&t.db, p => sqlx::query_as("SELECT invoice_id, message_id FROM outbox ORDER BY id").fetch_all(p).await.unwrap());
    let mut composed = Vec::with_capacity(ids.len());
    for (invoice_id, message_id) in &ids {
        composed.push(
            invoice_email::compose(
                &t.db,
                *invoice_id,
                &InvoiceEmailPayload::default(),
                message_id,
                Some("billing@valley.example"),
                true,
                chrono::Utc::now(),
                "http://127.0.0.1:3000",
            )
            .await
            .unwrap(),
        );
    }
    let concurrency = DeliveryConfig::default().batch as usize;
    let start = Instant::now();
    let composed = Arc::new(composed);
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (mailer, composed) = (mailer.clone(), composed.clone());
        tasks.spawn(async move {
            for e in composed.iter().skip(w).step_by(concurrency) {
                mailer.send(e).await.unwrap();
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let direct = start.elapsed().as_secs_f64();
    let n = composed.len();
    assert_eq!(sink.received().len(), n);

    let clock = ManualClock::new(now());
    let env = MailEnvironment {
        smtp: Some(sink.smtp_settings()),
        from: Some("billing@valley.example".into()),
        folder: sink.dir.join("x"),
        public_url: "http://127.0.0.1:3000".into(),
    };
    let courier =
        messages::courier(t.db.clone(), Arc::new(env), Arc::new(clock), "bench".into(), DeliveryConfig::default());
    let start = Instant::now();
    let r = courier.deliver_due().await.unwrap();
    let worker = start.elapsed().as_secs_f64();
    assert_eq!(r.delivered, n);
    assert_eq!(sink.received().len(), 2 * n);
    println!(
        "baseline: lettre sends {n} composed messages directly ({concurrency} at a time): {direct:.2} s ({:.0}/s)",
        n as f64 / direct
    );
    println!(
        "outbox worker: claims, composes from the database, sends and records {n} emails: {worker:.2} s ({:.0}/s) = {:.2}x the baseline",
        n as f64 / worker,
        worker / direct
    );
}
