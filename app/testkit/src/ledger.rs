//! A small ledger for payment and portal tests: an organisation, accounts with invoice
//! contacts, and numbered invoices written directly, so each test states exactly what is owed.

use app::domain::ids::{AccountId, InvoiceId};
use app::{backend::Db, on_db};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// 2026-11-24 12:00 in New York (the default organisation's zone).
pub fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
}

pub async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

pub async fn text(db: &Db, sql: &str) -> String {
    on_db!(db, p => sqlx::query_scalar::<_, String>(sql).fetch_one(p).await.unwrap())
}

pub async fn organisation(db: &Db) {
    app::backend::platform::organisation::ensure(db, noon()).await.unwrap();
    exec(db, "UPDATE organisation SET name = 'Valley Courier', email_from = 'billing@valley.example'").await;
}

/// An account with one To contact; returns its id.
pub async fn account(db: &Db, name: &str, email: &str) -> AccountId {
    on_db!(db, p => {
        let id: AccountId = sqlx::query_scalar("INSERT INTO accounts (name, kind, created_at) VALUES ($1, 'advertiser', $2) RETURNING id")
            .bind(name).bind(noon()).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Pat Payer', $2, 'to', $3)")
            .bind(id).bind(email).bind(noon()).execute(p).await.unwrap();
        id
    })
}

/// A sent invoice of `total` (whole currency units) with one line; returns its id.
pub async fn invoice(
    db: &Db,
    account_id: AccountId,
    number: &str,
    total: i64,
    issued: NaiveDate,
    due: NaiveDate,
) -> InvoiceId {
    let raw = total * 10_000;
    on_db!(db, p => {
        let id: InvoiceId = sqlx::query_scalar(
            "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, total, created_at, sent_at)
             VALUES ($1, $2, 'sent', $3, $4, 30, 'USD', $5, $5, $6, $6) RETURNING id")
            .bind(number).bind(account_id).bind(issued).bind(due).bind(raw).bind(noon()).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO invoice_lines (invoice_id, position, product_name, description, run_date, quantity, unit_price, net_amount)
                     VALUES ($1, 1, 'Full page', 'Full page ad', $2, 10000, $3, $3)")
            .bind(id).bind(issued).bind(raw).execute(p).await.unwrap();
        id
    })
}

pub async fn status(db: &Db, invoice_id: InvoiceId) -> String {
    text(db, &format!("SELECT status FROM invoices WHERE id = {invoice_id}")).await
}

/// Amount paid in whole cents.
pub async fn paid_cents(db: &Db, invoice_id: InvoiceId) -> i64 {
    scalar(db, &format!("SELECT amount_paid FROM invoices WHERE id = {invoice_id}")).await / 100
}
