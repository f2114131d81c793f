//! Read models for delivery: the Ready to send queue, accounts that cannot receive invoices,
//! email failures, and one invoice's deliveries with their attempts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    backend::{Db, StoreError, platform::fixed},
    domain::{
        email_kind::EmailKind,
        ids::{AccountId, InvoiceId, OutboxId},
    },
    on_db,
    views::delivery::{AccountWithoutRecipient, DeliveryAttempt, EmailFailure, InvoiceDelivery, ReadyInvoice},
};

const HAS_TO: &str = "EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = i.account_id AND c.invoice_role = 'to')";

#[derive(sqlx::FromRow)]
struct ReadyRow {
    id: InvoiceId,
    number: Option<String>,
    account_id: AccountId,
    account: String,
    total: i64,
    issue_date: NaiveDate,
    ready_to_send_at: DateTime<Utc>,
    has_recipient: bool,
}

/// The oldest `limit` invoices waiting to be sent, and how many wait in all.
pub async fn ready_to_send(db: &Db, limit: i64) -> Result<(Vec<ReadyInvoice>, i64), StoreError> {
    let (rows, total) = on_db!(db, p => {
        let rows: Vec<ReadyRow> = sqlx::query_as(&format!(
            "SELECT i.id, i.number, i.account_id, a.name AS account, i.total, i.issue_date, i.ready_to_send_at,
                    {HAS_TO} AS has_recipient
             FROM invoices i JOIN accounts a ON a.id = i.account_id
             WHERE i.ready_to_send_at IS NOT NULL AND i.status NOT IN ('void', 'draft')
             ORDER BY i.ready_to_send_at, i.id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(p)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invoices WHERE ready_to_send_at IS NOT NULL AND status NOT IN ('void', 'draft')",
        )
        .fetch_one(p)
        .await?;
        (rows, total)
    });
    Ok((
        rows.into_iter()
            .map(|r| ReadyInvoice {
                id: r.id,
                number: r.number.unwrap_or_default(),
                account_id: r.account_id,
                account: r.account,
                total: fixed::from_db(r.total),
                issue_date: r.issue_date,
                ready_since: r.ready_to_send_at,
                has_recipient: r.has_recipient,
            })
            .collect(),
        total,
    ))
}

/// Every id in the Ready to send queue (for "Send all").
pub async fn ready_ids(db: &Db) -> Result<Vec<InvoiceId>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT id FROM invoices WHERE ready_to_send_at IS NOT NULL AND status NOT IN ('void', 'draft') ORDER BY id")
        .fetch_all(p).await?))
}

#[derive(sqlx::FromRow)]
struct NoRecipientRow {
    account_id: AccountId,
    account: String,
    line_items: i64,
    first_billable: Option<NaiveDate>,
    unsent_invoices: i64,
}

/// Bill-to accounts without a To contact that auto-invoicing will bill by `until`, or that have
/// generated invoices waiting: listed before the run, not discovered after it.
pub async fn accounts_without_recipient(db: &Db, until: NaiveDate) -> Result<Vec<AccountWithoutRecipient>, StoreError> {
    let due = crate::backend::invoicing::billable::auto_invoice_due_with_dates(db, until).await?;
    let mut upcoming: HashMap<AccountId, (i64, NaiveDate)> = HashMap::new();
    for (_, bill_to, billable) in due {
        let e = upcoming.entry(bill_to).or_insert((0, billable));
        e.0 += 1;
        e.1 = e.1.min(billable);
    }
    let rows: Vec<NoRecipientRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT a.id AS account_id, a.name AS account, CAST(0 AS BIGINT) AS line_items, NULL AS first_billable,
                    (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id AND i.ready_to_send_at IS NOT NULL
                       AND i.status NOT IN ('void', 'draft')) AS unsent_invoices
             FROM accounts a
             WHERE a.archived_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id AND c.invoice_role = 'to')
             ORDER BY a.name",
        )
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let (line_items, first) = upcoming.get(&r.account_id).copied().map_or((0, None), |(n, d)| (n, Some(d)));
            (line_items > 0 || r.unsent_invoices > 0).then_some(AccountWithoutRecipient {
                account_id: r.account_id,
                account: r.account,
                line_items: line_items.max(r.line_items),
                first_billable: first.or(r.first_billable),
                unsent_invoices: r.unsent_invoices,
            })
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct FailureRow {
    id: OutboxId,
    invoice_id: Option<InvoiceId>,
    number: Option<String>,
    account: Option<String>,
    last_error: String,
    attempts: i32,
    completed_at: Option<DateTime<Utc>>,
}

pub async fn failures(db: &Db, limit: i64) -> Result<Vec<EmailFailure>, StoreError> {
    let rows: Vec<FailureRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT o.id, o.invoice_id, i.number, a.name AS account, o.last_error, o.attempts, o.completed_at
             FROM outbox o LEFT JOIN invoices i ON i.id = o.invoice_id LEFT JOIN accounts a ON a.id = i.account_id
             WHERE o.status = 'failed' ORDER BY o.completed_at DESC, o.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| EmailFailure {
            outbox_id: r.id,
            invoice_id: r.invoice_id,
            invoice_number: r.number,
            account: r.account,
            reason: r.last_error,
            attempts: r.attempts,
            failed_at: r.completed_at,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: OutboxId,
    status: String,
    recipients: String,
    message_id: Option<String>,
    created_at: DateTime<Utc>,
    next_attempt_at: DateTime<Utc>,
    last_error: String,
    #[sqlx(default)]
    kind: String,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    outbox_id: OutboxId,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    outcome: String,
    reply: String,
}

pub async fn for_invoice(db: &Db, invoice_id: InvoiceId) -> Result<Vec<InvoiceDelivery>, StoreError> {
    let (rows, attempts) = on_db!(db, p => {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT id, kind, status, recipients, message_id, created_at, next_attempt_at, last_error
             FROM outbox WHERE invoice_id = $1 ORDER BY id",
        )
        .bind(invoice_id)
        .fetch_all(p)
        .await?;
        let attempts: Vec<AttemptRow> = sqlx::query_as(
            "SELECT a.outbox_id, a.started_at, a.finished_at, a.outcome, a.reply
             FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id WHERE o.invoice_id = $1 ORDER BY a.id",
        )
        .bind(invoice_id)
        .fetch_all(p)
        .await?;
        (rows, attempts)
    });
    let zone = crate::backend::platform::organisation::zone(&crate::backend::platform::organisation::load(db).await?);
    let local = |t| crate::views::common::LocalTime::new(t, zone);
    Ok(rows
        .into_iter()
        .map(|r| InvoiceDelivery {
            outbox_id: r.id,
            what: EmailKind::parse(&r.kind).map_or("Email", EmailKind::label).to_string(),
            next_attempt_at: (r.status == "pending").then(|| local(r.next_attempt_at)),
            status: r.status,
            recipients: r.recipients,
            message_id: r.message_id,
            queued_at: local(r.created_at),
            last_error: r.last_error,
            attempts: attempts
                .iter()
                .filter(|a| a.outbox_id == r.id)
                .map(|a| DeliveryAttempt {
                    started_at: local(a.started_at),
                    finished_at: a.finished_at.map(local),
                    outcome: a.outcome.clone(),
                    reply: a.reply.clone(),
                })
                .collect(),
        })
        .collect())
}
