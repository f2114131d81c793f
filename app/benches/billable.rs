//! Billable Line Items and Invoice Selected at 100 k line items.
//!
//! `cargo bench -p app --features ssr --bench billable` (add `-- --postgres` for PostgreSQL).
//! Timings vary by machine, so each figure is also given as a ratio to a baseline measured in
//! the same run: one pass that reads every line item (`SUM(quantity * unit_price)`).

use std::time::{Duration, Instant};

use app::{
    backend::{
        Db,
        invoicing::{
            billable,
            create::{InvoiceRequest, Source, invoice_line_items},
        },
    },
    domain::ids::AccountId,
    on_db,
    views::billable::{BillableFilter, SortKey, StatusFilter},
};
use chrono::{Days, NaiveDate, TimeZone, Utc};

const LINE_ITEMS: usize = 100_000;
const PER_ORDER: usize = 5;
const ACCOUNTS: usize = 2_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        samples.push(start.elapsed());
    }
    median(samples)
}

async fn load(db: &Db, today: NaiveDate) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
    app::backend::platform::organisation::ensure(db, now).await.unwrap();
    let ts = "2026-11-24T17:00:00Z";
    let rules = [("immediately", 0), ("days_before", 7), ("days_after", 3), ("do_not_invoice", 0)];
    on_db!(db, p => {
        let mut tx = p.begin().await.unwrap();
        for (i, (rule, days)) in rules.iter().enumerate() {
            sqlx::query(&format!("INSERT INTO products (name, billing_rule, rule_days, unit_price, tax_rate, created_at, updated_at)
                                  VALUES ('Product {i}', '{rule}', {days}, 1000000, 50000, '{ts}', '{ts}')")).execute(&mut *tx).await.unwrap();
        }
        for chunk in (0..ACCOUNTS).collect::<Vec<_>>().chunks(500) {
            let values: Vec<String> = chunk.iter().map(|a| format!("('Account {a:05}', 'advertiser', '{ts}')")).collect();
            sqlx::query(&format!("INSERT INTO accounts (name, kind, created_at) VALUES {}", values.join(","))).execute(&mut *tx).await.unwrap();
        }
        let orders = LINE_ITEMS / PER_ORDER;
        for chunk in (0..orders).collect::<Vec<_>>().chunks(1000) {
            let values: Vec<String> = chunk.iter().map(|o| {
                let status = if o % 20 == 0 { "draft" } else { "confirmed" };
                format!("('IO-{o:06}', {}, '{status}', '{}', '{ts}', '{ts}')", 1 + o % ACCOUNTS, today - Days::new(30))
            }).collect();
            sqlx::query(&format!("INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at) VALUES {}", values.join(",")))
                .execute(&mut *tx).await.unwrap();
        }
        for chunk in (0..LINE_ITEMS).collect::<Vec<_>>().chunks(1000) {
            let values: Vec<String> = chunk.iter().map(|i| {
                let run = today - Days::new(90) + Days::new((i % 180) as u64);
                format!("({}, {}, '{run}', 'Run {i}', 10000, 1000000, 0, '{ts}', '{ts}')", 1 + i / PER_ORDER, 1 + i % rules.len())
            }).collect();
            sqlx::query(&format!("INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at) VALUES {}", values.join(",")))
                .execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        if matches!(db, Db::Postgres(_)) {
            sqlx::query("ANALYZE").execute(p).await.unwrap();
        }
    });
}

#[tokio::main]
async fn main() {
    let postgres = std::env::args().any(|a| a == "--postgres");
    let (db, cleanup): (Db, Box<dyn FnOnce()>) = if postgres {
        let admin_url = std::env::var("PRESSRUN_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("pressrun_bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
        let db = Db::connect(&format!("{base}/{name}")).await.unwrap();
        let drop_db = move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&admin).await.unwrap();
            });
        };
        (
            db,
            Box::new(move || {
                std::thread::spawn(drop_db).join().unwrap();
            }),
        )
    } else {
        let path = std::env::temp_dir().join(format!("pressrun_bench_{}.db", std::process::id()));
        let db = Db::connect_sqlite_file(&path).await.unwrap();
        (
            db,
            Box::new(move || {
                for s in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{s}", path.display()));
                }
            }),
        )
    };
    db.migrate().await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let started = Instant::now();
    load(&db, today).await;
    println!("engine: {}; loaded {LINE_ITEMS} line items in {:.1?}", db.engine_name(), started.elapsed());

    let baseline = time(7, || async {
        on_db!(&db, p => sqlx::query_scalar::<_, i64>("SELECT CAST(SUM(quantity * unit_price / 10000) AS BIGINT) FROM line_items").fetch_one(p).await.unwrap())
    })
    .await;
    let report = |name: &str, d: Duration| {
        println!("{name:<48} {:>9.2?}  {:>7.1}× baseline", d, d.as_secs_f64() / baseline.as_secs_f64())
    };
    report("baseline: one pass over every line item", baseline);

    let now_filter = BillableFilter::default();
    let counts = billable::counts(&db, &now_filter, today).await.unwrap();
    println!("billable now: {}, upcoming: {}, not billable: {}", counts.now, counts.upcoming, counts.not_billable);
    report("tab counts + billable-now amount", time(5, || billable::counts(&db, &now_filter, today)).await);
    report("page 1 of Billable now (50 rows)", time(5, || billable::page(&db, &now_filter, today, 50)).await);
    let deep = BillableFilter { page: 200, ..BillableFilter::default() };
    report("page 200 of Billable now", time(5, || billable::page(&db, &deep, today, 50)).await);
    let by_account = BillableFilter {
        status: StatusFilter::All,
        account_id: Some(AccountId(7)),
        sort: SortKey::Amount,
        ..Default::default()
    };
    report(
        "one account, all statuses, sorted by amount",
        time(5, || billable::page(&db, &by_account, today, 50)).await,
    );

    let ids = billable::matching_ids(&db, &now_filter, today).await.unwrap();
    let req = InvoiceRequest {
        line_item_ids: ids.clone(),
        issue_date: today,
        due_date: None,
        created_by: None,
        actor: "Benchmark".into(),
        source: Source::Manual,
        then: app::domain::delivery::AfterGenerate::Nothing,
        email_template_id: None,
    };
    let start = Instant::now();
    let out = invoice_line_items(&db, Utc::now(), &req).await.unwrap();
    let took = start.elapsed();
    report(&format!("Invoice Selected: {} line items → {} invoices", ids.len(), out.created.len()), took);
    println!("  = {:.1} µs per line item", took.as_secs_f64() * 1e6 / ids.len() as f64);
    report("page 1 of Billable now after invoicing", time(5, || billable::page(&db, &now_filter, today, 50)).await);

    // Reports: a third of the invoices half paid by check, then the aging 45 days after the due
    // date, the collections dashboard (13 agings: 12 month ends and today) and a calendar month.
    on_db!(&db, p => {
        sqlx::query("INSERT INTO payments (account_id, method, amount, currency, received_on, created_at)
                     SELECT account_id, 'check', total / 2, currency, issue_date, created_at FROM invoices WHERE id % 3 = 0")
            .execute(p).await.unwrap();
        sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount, created_at)
                     SELECT pm.id, i.id, pm.amount, pm.created_at FROM payments pm
                     JOIN invoices i ON i.account_id = pm.account_id AND i.id % 3 = 0")
            .execute(p).await.unwrap();
    });
    let invoices: i64 =
        on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM invoices").fetch_one(p).await.unwrap());
    let as_of = today + Days::new(75);
    println!("reports over {invoices} invoices and their payments:");
    report("aging by account (one day)", time(5, || app::backend::reports::aging::by_account(&db, as_of)).await);
    report(
        "collections dashboard (12 months)",
        time(3, || app::backend::reports::collections::summary(&db, as_of, Utc::now(), 12)).await,
    );
    report(
        "billing calendar (one month)",
        time(5, || app::backend::reports::calendar::month(&db, today + Days::new(30), None, today, "USD".into())).await,
    );

    db.close().await;
    cleanup();
}
