//! Accounting > Aging: the report's grouped SQL equals the rule in `domain::aging` applied
//! invoice by invoice and payment by payment, on the demo ledger plus the cases it lacks
//! (credit waiting, a voided payment, a payment dated after the day looked at, a void invoice).

use std::collections::BTreeMap;

use testkit::on_both_engines;

use app::{
    backend::{
        Db,
        demo::{history, seed},
        payments::{corrections, record},
        platform::{fixed, organisation},
        reports::aging,
    },
    domain::{
        aging::{AccountAging, AgedInvoice, AgedPayment, AgingBucket, Allocation, age},
        ids::{AccountId, InvoiceId, PaymentId},
        payment::PaymentMethod,
    },
    on_db,
    views::aging::{AccountKindFilter, AgingQuery, AgingSort},
};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

/// The whole ledger, read row by row with no aggregation.
async fn recompute(db: &Db, as_of: NaiveDate) -> BTreeMap<AccountId, AccountAging> {
    let invoices = on_db!(db, p => sqlx::query_as::<_, (InvoiceId, AccountId, String, NaiveDate, NaiveDate, i64)>(
        "SELECT id, account_id, status, issue_date, due_date, total FROM invoices ORDER BY id")
        .fetch_all(p).await.unwrap());
    let payments = on_db!(db, p => sqlx::query_as::<_, (PaymentId, AccountId, NaiveDate, i64)>(
        "SELECT id, account_id, received_on, amount FROM payments WHERE voided_at IS NULL ORDER BY id")
        .fetch_all(p).await.unwrap());
    let allocations = on_db!(db, p => sqlx::query_as::<_, (PaymentId, InvoiceId, i64)>(
        "SELECT payment_id, invoice_id, amount FROM payment_allocations ORDER BY id")
        .fetch_all(p).await.unwrap());
    let invoice_at: BTreeMap<InvoiceId, usize> = invoices.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let payment_at: BTreeMap<PaymentId, usize> = payments.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let invoices: Vec<AgedInvoice<AccountId>> = invoices
        .iter()
        .map(|(_, account, status, issue_date, due_date, total)| AgedInvoice {
            account: *account,
            issue_date: *issue_date,
            due_date: *due_date,
            total: fixed::from_db(*total),
            counts: status != "draft" && status != "void",
        })
        .collect();
    let payments: Vec<AgedPayment<AccountId>> = payments
        .iter()
        .map(|(_, account, received_on, amount)| AgedPayment {
            account: *account,
            received_on: *received_on,
            amount: fixed::from_db(*amount),
        })
        .collect();
    // Allocations of voided payments stay on record; they paid nothing.
    let allocations: Vec<Allocation> = allocations
        .iter()
        .filter_map(|(payment, invoice, amount)| {
            Some(Allocation {
                payment: *payment_at.get(payment)?,
                invoice: invoice_at[invoice],
                amount: fixed::from_db(*amount),
            })
        })
        .collect();
    age(&invoices, &payments, &allocations, as_of)
}

async fn open_invoice(db: &Db, skip: usize) -> (InvoiceId, AccountId, Decimal) {
    let rows = on_db!(db, p => sqlx::query_as::<_, (InvoiceId, AccountId, i64, i64)>(
        "SELECT id, account_id, total, amount_paid FROM invoices
         WHERE status IN ('open', 'sent') AND amount_paid = 0 ORDER BY id")
        .fetch_all(p).await.unwrap());
    let (id, account, total, _) = rows[skip];
    (id, account, fixed::from_db(total))
}

fn payment(
    account: AccountId,
    amount: Decimal,
    received_on: NaiveDate,
    allocations: Vec<(InvoiceId, Decimal)>,
) -> record::NewPayment {
    record::NewPayment {
        account_id: account,
        method: PaymentMethod::Check,
        amount,
        currency: "USD".into(),
        received_on,
        reference: format!("chk-{amount}-{received_on}"),
        notes: String::new(),
        provider: String::new(),
        provider_ref: None,
        allocations,
        created_by: None,
        actor: "Test".into(),
        send_receipt: false,
    }
}

/// The demo publisher with its billing history, and the cases the history lacks.
async fn ledger(db: &Db) -> NaiveDate {
    seed::seed_demo(db, now()).await.unwrap();
    let today = organisation::today(db, now()).await.unwrap();
    let h = history::seed(db, now(), today).await.unwrap();
    assert!(h.invoices > 5 && h.payments > 2, "the demo history has invoices and payments: {h:?}");

    // Credit: paid more than the invoice, the rest waits on the account.
    let (inv, account, total) = open_invoice(db, 0).await;
    record::record(
        db,
        &payment(account, total + Decimal::new(12_345, 2), today - Days::new(3), vec![(inv, total)]),
        now(),
    )
    .await
    .unwrap();
    // A bounced check: recorded against an invoice, then voided.
    let (inv, account, total) = open_invoice(db, 0).await;
    let bounced =
        record::record(db, &payment(account, total, today - Days::new(10), vec![(inv, total)]), now()).await.unwrap();
    corrections::void(db, bounced.payment_id, "check returned unpaid", "Test", now()).await.unwrap();
    // Part-paid with a check dated after today (postdated).
    let (inv, account, _) = open_invoice(db, 1).await;
    record::record(
        db,
        &payment(account, Decimal::from(10), today + Days::new(5), vec![(inv, Decimal::from(10))]),
        now(),
    )
    .await
    .unwrap();
    today
}

on_both_engines!(aging_equals_the_rule_applied_row_by_row, |db| async move {
    let today = ledger(&db).await;
    let mut seen_buckets = std::collections::BTreeSet::new();
    let mut seen_credit = false;
    for offset in [-120_i64, -75, -61, -60, -31, -30, -1, 0, 5, 6, 45, 400] {
        let as_of = today.checked_add_signed(chrono::Duration::days(offset)).unwrap();
        let sql = aging::by_account(&db, as_of).await.unwrap();
        let reference = recompute(&db, as_of).await;
        assert_eq!(sql, reference, "aging on {as_of}");
        for a in sql.values() {
            seen_credit |= a.unapplied_credit > Decimal::ZERO;
            for b in AgingBucket::ALL {
                if a.buckets.get(b) > Decimal::ZERO {
                    seen_buckets.insert(b);
                }
            }
        }
    }
    // The comparison is only as good as the cases the ledger holds.
    assert_eq!(seen_buckets.len(), 5, "every bucket was exercised: {seen_buckets:?}");
    assert!(seen_credit, "unapplied credit was exercised");
});

on_both_engines!(the_report_filters_sorts_and_totals_what_it_admits, |db| async move {
    let today = ledger(&db).await;
    let as_of = today + Days::new(45);
    let all = aging::report(&db, as_of, today, "USD".into(), &AgingQuery::default(), None).await.unwrap();
    assert!(all.accounts >= 3, "several accounts owe: {}", all.accounts);
    let sum = |rows: &[app::views::aging::AgingRow]| {
        let mut b = app::domain::aging::Buckets::default();
        rows.iter().for_each(|r| b.merge(&r.buckets));
        b
    };
    assert_eq!(all.totals, sum(&all.rows));
    assert!(all.rows.windows(2).all(|w| w[0].buckets.total() >= w[1].buckets.total()), "largest balance first");

    let oldest = AgingQuery { sort: AgingSort::Oldest, ..Default::default() };
    let by_age = aging::report(&db, as_of, today, "USD".into(), &oldest, Some(2)).await.unwrap();
    assert_eq!(by_age.rows.len(), 2, "limited to 2 rows");
    assert_eq!(by_age.accounts, all.accounts, "the limit does not change what is counted");
    assert_eq!(by_age.totals, all.totals, "nor the totals");
    let most_over_90 = all.rows.iter().map(|r| r.buckets.get(AgingBucket::Over90)).max().unwrap();
    assert_eq!(by_age.rows[0].buckets.get(AgingBucket::Over90), most_over_90);

    let agencies = AgingQuery { kind: AccountKindFilter::Agencies, ..Default::default() };
    let only = aging::report(&db, as_of, today, "USD".into(), &agencies, None).await.unwrap();
    assert!(only.rows.iter().all(|r| r.kind == "agency"));
    assert_eq!(only.totals, sum(&only.rows));

    let first = &all.rows[0];
    let needle = first.account.to_uppercase();
    let search = AgingQuery { search: needle, ..Default::default() };
    let found = aging::report(&db, as_of, today, "USD".into(), &search, None).await.unwrap();
    assert!(found.rows.iter().any(|r| r.account_id == first.account_id), "search ignores case");

    // The drill-down lists the same balance the row shows.
    let invoices = aging::account_invoices(&db, first.account_id, as_of).await.unwrap();
    assert_eq!(invoices.iter().map(|i| i.balance).sum::<Decimal>(), first.buckets.total());
    assert_eq!(invoices.len() as i64, first.open_invoices);
    assert!(invoices.windows(2).all(|w| w[0].due_date <= w[1].due_date), "oldest due first");
    for i in &invoices {
        assert_eq!(i.bucket, AgingBucket::of(i.due_date, as_of));
    }

    let csv = aging::csv(&all);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), all.rows.len() + 2, "header, one line per account, totals");
    assert!(lines[0].starts_with("Account,Kind,Current,1-30 days"));
    assert!(lines.last().unwrap().starts_with("Total,,"));
});

on_both_engines!(the_collections_dashboard_equals_the_ledger, |db| async move {
    let today = ledger(&db).await;
    let c = app::backend::reports::collections::summary(&db, today, now(), 12).await.unwrap();
    let reference = recompute(&db, today).await;
    let outstanding: Decimal = reference.values().map(|a| a.buckets.total()).sum();
    let past_due: Decimal = reference.values().map(|a| a.buckets.past_due()).sum();
    let credit: Decimal = reference.values().map(|a| a.unapplied_credit).sum();
    assert_eq!((c.outstanding, c.past_due, c.unapplied_credit), (outstanding, past_due, credit));
    assert!(c.outstanding > Decimal::ZERO && c.past_due > Decimal::ZERO);

    // Month by month, from the raw rows.
    assert_eq!(c.months.len(), 12);
    assert_eq!(c.months.last().unwrap().month, today.with_day(1).unwrap());
    let invoices = on_db!(&db, p => sqlx::query_as::<_, (String, NaiveDate, i64)>(
        "SELECT status, issue_date, total FROM invoices").fetch_all(p).await.unwrap());
    let payments = on_db!(&db, p => sqlx::query_as::<_, (NaiveDate, i64)>(
        "SELECT received_on, amount FROM payments WHERE voided_at IS NULL").fetch_all(p).await.unwrap());
    let same_month = |a: NaiveDate, b: NaiveDate| a.year() == b.year() && a.month() == b.month();
    for m in &c.months {
        let invoiced: Decimal = invoices
            .iter()
            .filter(|(s, d, _)| s != "draft" && s != "void" && same_month(*d, m.month) && *d <= today)
            .map(|(_, _, t)| fixed::from_db(*t))
            .sum();
        let collected: Decimal = payments
            .iter()
            .filter(|(d, _)| same_month(*d, m.month) && *d <= today)
            .map(|(_, a)| fixed::from_db(*a))
            .sum();
        assert_eq!((m.invoiced, m.collected), (invoiced, collected), "{}", m.month);
        let end = (m.month + chrono::Months::new(1)).pred_opt().unwrap().min(today);
        let expected: Decimal = recompute(&db, end).await.values().map(|a| a.buckets.past_due()).sum();
        assert_eq!(m.past_due_at_end, expected, "past due at the end of {}", m.month);
    }
    assert!(
        c.months.iter().any(|m| m.invoiced > Decimal::ZERO) && c.months.iter().any(|m| m.collected > Decimal::ZERO)
    );

    // Top overdue: the largest past-due balances, largest first.
    let mut expected: Vec<Decimal> =
        reference.values().map(|a| a.buckets.past_due()).filter(|d| *d > Decimal::ZERO).collect();
    expected.sort_by(|a, b| b.cmp(a));
    expected.truncate(10);
    assert_eq!(c.top_overdue.iter().map(|a| a.past_due).collect::<Vec<_>>(), expected);
    assert!(c.top_overdue.iter().all(|a| !a.account.is_empty()));

    // DSO: open balance over the last 90 days' invoicing, in days.
    let sales: Decimal = invoices
        .iter()
        .filter(|(s, d, _)| s != "draft" && s != "void" && *d <= today && (today - *d).num_days() < 90)
        .map(|(_, _, t)| fixed::from_db(*t))
        .sum();
    assert_eq!(c.dso_days, Some((outstanding / sales * Decimal::from(90)).round_dp(0)));
});

/// A small deterministic generator, so a failing ledger can be rebuilt from its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A generated ledger with what the demo lacks in number: thousands of invoices in every status
/// across a year, payments voided or not, dated before and after their invoices, allocations
/// that overpay, credit left over.
async fn generated_ledger(db: &Db, today: NaiveDate, seed: u64) {
    let mut rng = Lcg(seed);
    let ts = "2026-11-24T17:00:00Z";
    let day = |rng: &mut Lcg, back: u64, ahead: u64| today - Days::new(back) + Days::new(rng.below(back + ahead));
    organisation::ensure(db, now()).await.unwrap();
    let accounts = 40;
    let invoices = 3_000;
    let payments = 2_000;
    on_db!(db, p => {
        let mut tx = p.begin().await.unwrap();
        let values: Vec<String> = (0..accounts).map(|a| format!("('Gen {a:03}', '{}', '{ts}')", if a % 5 == 0 { "agency" } else { "advertiser" })).collect();
        sqlx::query(&format!("INSERT INTO accounts (name, kind, created_at) VALUES {}", values.join(","))).execute(&mut *tx).await.unwrap();
        let statuses = ["open", "sent", "sent", "partially_paid", "paid", "void", "draft"];
        for chunk in (0..invoices).collect::<Vec<u64>>().chunks(500) {
            let values: Vec<String> = chunk.iter().map(|i| {
                let issue = day(&mut rng, 400, 15);
                let due = issue + Days::new(rng.below(91));
                let status = statuses[rng.below(statuses.len() as u64) as usize];
                let total = (1 + rng.below(2_000_000)) * 100;
                let number = if status == "draft" { "NULL".to_string() } else { format!("'GEN-{i:05}'") };
                format!("({number}, {}, '{status}', '{issue}', '{due}', 30, 'USD', {total}, {total}, 'manual', '{ts}')", 1 + rng.below(accounts))
            }).collect();
            sqlx::query(&format!("INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, total, source, created_at) VALUES {}", values.join(",")))
                .execute(&mut *tx).await.unwrap();
        }
        for chunk in (0..payments).collect::<Vec<u64>>().chunks(500) {
            let values: Vec<String> = chunk.iter().map(|_| {
                let voided = if rng.below(10) == 0 { format!("'{ts}'") } else { "NULL".into() };
                format!("({}, 'check', {}, 'USD', '{}', '{ts}', {voided})", 1 + rng.below(accounts), (1 + rng.below(1_500_000)) * 100, day(&mut rng, 400, 30))
            }).collect();
            sqlx::query(&format!("INSERT INTO payments (account_id, method, amount, currency, received_on, created_at, voided_at) VALUES {}", values.join(",")))
                .execute(&mut *tx).await.unwrap();
        }
        // Each payment pays up to three invoices of its account, sometimes more than they owe.
        let owned: Vec<(i64, i64)> = sqlx::query_as("SELECT id, account_id FROM invoices WHERE number LIKE 'GEN-%' ORDER BY id").fetch_all(&mut *tx).await.unwrap();
        let paid: Vec<(i64, i64, i64)> = sqlx::query_as("SELECT id, account_id, amount FROM payments ORDER BY id").fetch_all(&mut *tx).await.unwrap();
        let mut values = Vec::new();
        for (payment, account, amount) in paid {
            let mine: Vec<i64> = owned.iter().filter(|(_, a)| *a == account).map(|(i, _)| *i).collect();
            let mut left = amount;
            let mut used = std::collections::BTreeSet::new();
            for _ in 0..rng.below(4) {
                if mine.is_empty() || left < 100 { break; }
                let invoice = mine[rng.below(mine.len() as u64) as usize];
                if !used.insert(invoice) { continue; }
                let part = (1 + rng.below((left / 100) as u64) as i64) * 100;
                left -= part;
                values.push(format!("({payment}, {invoice}, {part}, '{ts}')"));
            }
        }
        for chunk in values.chunks(500) {
            sqlx::query(&format!("INSERT INTO payment_allocations (payment_id, invoice_id, amount, created_at) VALUES {}", chunk.join(",")))
                .execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    });
    // What autovacuum does soon after a bulk load in production; without it the planner
    // believes the tables are empty.
    if db.is_postgres() {
        on_db!(db, p => { sqlx::query("ANALYZE").execute(p).await.unwrap(); });
    }
}

on_both_engines!(aging_equals_the_rule_on_a_generated_ledger, |db| async move {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    generated_ledger(&db, today, 0x5eed_a91e).await;

    let mut buckets_seen = std::collections::BTreeSet::new();
    for offset in [-300_i64, -181, -90, -61, -45, -31, -1, 0, 1, 29, 30, 31, 90, 91, 365] {
        let as_of = today.checked_add_signed(chrono::Duration::days(offset)).unwrap();
        let sql = aging::by_account(&db, as_of).await.unwrap();
        assert_eq!(sql, recompute(&db, as_of).await, "aging on {as_of}");
        for a in sql.values() {
            for b in AgingBucket::ALL {
                if a.buckets.get(b) > Decimal::ZERO {
                    buckets_seen.insert(b);
                }
            }
        }
    }
    assert_eq!(buckets_seen.len(), 5);
    let c = app::backend::reports::collections::summary(&db, today, now(), 12).await.unwrap();
    let reference = recompute(&db, today).await;
    assert_eq!(c.outstanding, reference.values().map(|a| a.buckets.total()).sum::<Decimal>());
    assert_eq!(c.unapplied_credit, reference.values().map(|a| a.unapplied_credit).sum::<Decimal>());
});
