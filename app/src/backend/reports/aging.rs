//! Accounting > Aging: open balances by days past due on a chosen day, per bill-to account.
//! The rules are `domain::aging`'s; here they are one grouped query so the report costs one
//! pass over invoices however many accounts there are.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{
        aging::{AccountAging, AgingBucket, Buckets},
        ids::{AccountId, InvoiceId},
    },
    on_db,
    views::aging::{AgingInvoice, AgingQuery, AgingReport, AgingRow, AgingSort},
};

/// Statuses an invoice can have after it was issued; `paid` ones count on days before their
/// payments arrived.
const ISSUED: &str = "('open', 'sent', 'partially_paid', 'paid')";

/// The lower due-date bound of 1–30, 31–60 and 61–90 days past due on `as_of`.
fn bounds(as_of: NaiveDate) -> [NaiveDate; 3] {
    [AgingBucket::Days1To30, AgingBucket::Days31To60, AgingBucket::Days61To90]
        .map(|b| b.due_between(as_of).0.unwrap_or(NaiveDate::MIN))
}

/// Each account's aging on `as_of`: its open balances by bucket and its unapplied credit.
/// Accounts with neither are left out.
pub async fn by_account(db: &Db, as_of: NaiveDate) -> Result<BTreeMap<AccountId, AccountAging>, StoreError> {
    let [d30, d60, d90] = bounds(as_of);
    // A payment counts on the day when it was received by then and was not voided; what it
    // paid counts only against invoices that exist on that day (the rest is credit then).
    // Payments are summed per invoice (and allocations per payment) once, then joined: one pass
    // over each table whatever the planner believes about their sizes. (A correlated subquery
    // per invoice took seconds on PostgreSQL before the new rows were analysed.)
    let balances = on_db!(db, p => sqlx::query_as::<_, (AccountId, i64, i64, i64, i64, i64, i64)>(&format!(
        "WITH paid AS (
           SELECT pa.invoice_id, SUM(pa.amount) AS amount
           FROM payment_allocations pa JOIN payments pm ON pm.id = pa.payment_id
           WHERE pm.voided_at IS NULL AND pm.received_on <= $1
           GROUP BY pa.invoice_id
         ), open_on_day AS (
           SELECT i.account_id, i.due_date, i.total - COALESCE(paid.amount, 0) AS balance
           FROM invoices i LEFT JOIN paid ON paid.invoice_id = i.id
           WHERE i.status IN {ISSUED} AND i.issue_date <= $1
         )
         SELECT account_id,
                CAST(SUM(CASE WHEN due_date >= $1 THEN balance ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN due_date >= $2 AND due_date < $1 THEN balance ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN due_date >= $3 AND due_date < $2 THEN balance ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN due_date >= $4 AND due_date < $3 THEN balance ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN due_date < $4 THEN balance ELSE 0 END) AS BIGINT),
                COUNT(*)
         FROM open_on_day WHERE balance > 0
         GROUP BY account_id"))
        .bind(as_of).bind(d30).bind(d60).bind(d90)
        .fetch_all(p).await?);
    let credits = on_db!(db, p => sqlx::query_as::<_, (AccountId, i64)>(&format!(
        "WITH applied AS (
           SELECT pa.payment_id, SUM(pa.amount) AS amount
           FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
           WHERE i.status IN {ISSUED} AND i.issue_date <= $1
           GROUP BY pa.payment_id
         )
         SELECT pm.account_id, CAST(SUM(pm.amount - COALESCE(applied.amount, 0)) AS BIGINT)
         FROM payments pm LEFT JOIN applied ON applied.payment_id = pm.id
         WHERE pm.voided_at IS NULL AND pm.received_on <= $1
         GROUP BY pm.account_id"))
        .bind(as_of)
        .fetch_all(p).await?);

    let mut out: BTreeMap<AccountId, AccountAging> = BTreeMap::new();
    for (account, current, d1, d31, d61, d91, open) in balances {
        let buckets = Buckets([current, d1, d31, d61, d91].map(fixed::from_db));
        out.insert(account, AccountAging { buckets, open_invoices: open, unapplied_credit: Decimal::ZERO });
    }
    for (account, credit) in credits {
        let credit = fixed::from_db(credit);
        if credit > Decimal::ZERO {
            out.entry(account).or_default().unapplied_credit = credit;
        }
    }
    Ok(out)
}

/// The report as listed: names and kinds joined, the query's filter and order applied, totals
/// of every account the filter admits, and at most `limit` rows (the page shows the first
/// few hundred; the CSV has them all).
pub async fn report(
    db: &Db,
    as_of: NaiveDate,
    today: NaiveDate,
    currency: String,
    query: &AgingQuery,
    limit: Option<usize>,
) -> Result<AgingReport, StoreError> {
    let aging = by_account(db, as_of).await?;
    let names: BTreeMap<AccountId, (String, String)> =
        on_db!(db, p => sqlx::query_as::<_, (AccountId, String, String)>("SELECT id, name, kind FROM accounts")
            .fetch_all(p).await?)
        .into_iter()
        .map(|(id, name, kind)| (id, (name, kind)))
        .collect();
    let needle = query.search.trim().to_lowercase();
    let mut rows: Vec<AgingRow> = aging
        .into_iter()
        .filter_map(|(account_id, a)| {
            let (account, kind) = names.get(&account_id).cloned().unwrap_or_default();
            let listed = query.kind.admits(&kind) && (needle.is_empty() || account.to_lowercase().contains(&needle));
            listed.then_some(AgingRow {
                account_id,
                account,
                kind,
                buckets: a.buckets,
                open_invoices: a.open_invoices,
                unapplied_credit: a.unapplied_credit,
            })
        })
        .collect();
    sort(&mut rows, query.sort);
    let mut totals = Buckets::default();
    for r in &rows {
        totals.merge(&r.buckets);
    }
    let unapplied_credit = rows.iter().map(|r| r.unapplied_credit).sum();
    let accounts = rows.len();
    let open_invoices = rows.iter().map(|r| r.open_invoices).sum();
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    Ok(AgingReport {
        query: query.clone(),
        as_of,
        today,
        currency,
        rows,
        accounts,
        open_invoices,
        totals,
        unapplied_credit,
    })
}

fn sort(rows: &mut [AgingRow], by: AgingSort) {
    let name = |r: &AgingRow| r.account.to_lowercase();
    match by {
        AgingSort::Total => {
            rows.sort_by(|a, b| b.buckets.total().cmp(&a.buckets.total()).then_with(|| name(a).cmp(&name(b))))
        }
        AgingSort::Oldest => rows.sort_by(|a, b| {
            // Compare bucket by bucket from the oldest down.
            let oldest_first = |r: &AgingRow| {
                let mut v = r.buckets.0;
                v.reverse();
                v
            };
            oldest_first(b).cmp(&oldest_first(a)).then_with(|| name(a).cmp(&name(b)))
        }),
        AgingSort::Name => rows.sort_by_key(name),
    }
}

/// An account's invoices open on `as_of`, oldest due first: the drill-down of one row.
pub async fn account_invoices(db: &Db, account: AccountId, as_of: NaiveDate) -> Result<Vec<AgingInvoice>, StoreError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, (InvoiceId, Option<String>, NaiveDate, NaiveDate, i64, i64)>(&format!(
        "SELECT i.id, i.number, i.issue_date, i.due_date, i.total,
                i.total - CAST(COALESCE((SELECT SUM(pa.amount) FROM payment_allocations pa
                                         JOIN payments pm ON pm.id = pa.payment_id
                                         WHERE pa.invoice_id = i.id AND pm.voided_at IS NULL AND pm.received_on <= $2), 0) AS BIGINT)
         FROM invoices i
         WHERE i.account_id = $1 AND i.status IN {ISSUED} AND i.issue_date <= $2
         ORDER BY i.due_date, i.id"))
        .bind(account).bind(as_of)
        .fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .filter(|r| r.5 > 0)
        .map(|(id, number, issue_date, due_date, total, balance)| AgingInvoice {
            id,
            number: number.unwrap_or_default(),
            issue_date,
            due_date,
            days_past_due: (as_of - due_date).num_days().max(0),
            bucket: AgingBucket::of(due_date, as_of),
            total: fixed::from_db(total),
            balance: fixed::from_db(balance),
        })
        .collect())
}

/// The account's name, or `None` when there is no such account.
pub async fn account_name(db: &Db, account: AccountId) -> Result<Option<String>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, String>("SELECT name FROM accounts WHERE id = $1")
        .bind(account).fetch_optional(p).await?))
}

/// The view as a spreadsheet: one row per account as listed, then the totals.
pub fn csv(report: &AgingReport) -> String {
    let mut out = String::from(
        "Account,Kind,Current,1-30 days,31-60 days,61-90 days,Over 90 days,Total,Open invoices,Unapplied credit\n",
    );
    let money = |d: Decimal| crate::domain::money::round_cents(d).to_string();
    for r in &report.rows {
        let cells: Vec<String> = std::iter::once(csv_text(&r.account))
            .chain(std::iter::once(r.kind.clone()))
            .chain(r.buckets.0.iter().map(|d| money(*d)))
            .chain([money(r.buckets.total()), r.open_invoices.to_string(), money(r.unapplied_credit)])
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let totals: Vec<String> = ["Total".to_string(), String::new()]
        .into_iter()
        .chain(report.totals.0.iter().map(|d| money(*d)))
        .chain([money(report.totals.total()), report.open_invoices.to_string(), money(report.unapplied_credit)])
        .collect();
    out.push_str(&totals.join(","));
    out.push('\n');
    out
}

/// A text cell quoted when it must be, and defused when a spreadsheet would run it as a
/// formula (an account named `=HYPERLINK(…)` stays text).
fn csv_text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_text("Acme"), "Acme");
        assert_eq!(csv_text("Smith, Jones & Co"), "\"Smith, Jones & Co\"");
        assert_eq!(csv_text("The \"Daily\""), "\"The \"\"Daily\"\"\"");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("-5"), "'-5");
    }
}
