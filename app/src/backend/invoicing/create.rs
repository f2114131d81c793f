//! Turning line items into invoices: one invoice per bill-to account, numbered without gaps,
//! each line item billed by at most one live invoice line. Used by Invoice Selected and,
//! later, by the auto-invoicing scheduler.

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        delivery::outbox::{self, NewMessage},
        invoicing::events,
        platform::{
            db::{BeginWrite, Conn},
            fixed,
        },
    },
    domain::{
        billing_rule::{BillableStatus, BillingRule, LineItemTiming, NotBillableReason},
        delivery::AfterGenerate,
        email_kind::{EmailKind, InvoiceEmailPayload, invoice_email_key},
        ids::{AccountId, InvoiceId, LineItemId, TemplateId, UserId},
        invoice::{InvoiceTotals, LineAmounts, LineCharge},
        invoice_event::InvoiceEventKind,
        invoice_number::InvoiceNumberFormat,
        terms::PaymentTerms,
    },
    on_conn, on_db,
};
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;

/// The most line items one request may invoice; larger selections are split by the caller.
pub const MAX_LINE_ITEMS_PER_REQUEST: usize = 200_000;

/// Batches at least this large refresh PostgreSQL's statistics afterwards.
const ANALYZE_AFTER_LINES: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Manual,
    Auto,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Auto => "auto",
        }
    }
}

#[derive(Debug, Clone)]
pub struct InvoiceRequest {
    pub line_item_ids: Vec<LineItemId>,
    pub issue_date: NaiveDate,
    /// Replaces the due date the payment terms would give.
    pub due_date: Option<NaiveDate>,
    pub created_by: Option<UserId>,
    /// Who, as shown in the invoice's activity ("Blake Billing (billing@…)", "Scheduler").
    pub actor: String,
    pub source: Source,
    /// Whether each new invoice waits in Ready to send or has its email queued at once, in the
    /// transaction that creates it (so a created invoice never misses its email).
    pub then: AfterGenerate,
    /// The template the queued email uses; the default invoice template when `None`.
    pub email_template_id: Option<TemplateId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub bill_to_account_id: AccountId,
    pub line_count: usize,
    pub total: Decimal,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceOutcome {
    pub created: Vec<CreatedInvoice>,
    /// Selected but already on a live invoice (perhaps invoiced by someone else just now), or
    /// held by a voided invoice since the list was shown.
    pub already_invoiced: usize,
    /// Selected but not billable, with the reason.
    pub not_billable: Vec<(LineItemId, NotBillableReason)>,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: LineItemId,
    run_date: NaiveDate,
    description: String,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    product_name: String,
    billing_rule: String,
    rule_days: i32,
    ignore_before: Option<NaiveDate>,
    tax_rate: i64,
    order_status: String,
    ordered_on: NaiveDate,
    bill_to_id: AccountId,
    bill_to_terms: Option<i32>,
}

#[derive(sqlx::FromRow)]
struct Org {
    currency: String,
    invoice_number_format: String,
    default_terms_days: i32,
}

struct PlannedLine {
    line_item_id: LineItemId,
    product_name: String,
    description: String,
    run_date: NaiveDate,
    charge: LineCharge,
    amounts: LineAmounts,
}

fn id_list(ids: &[LineItemId]) -> String {
    ids.iter().map(LineItemId::to_string).collect::<Vec<_>>().join(",")
}

/// Bumps the counter row of a numbering period and returns the new value. Run inside the
/// transaction that numbers the invoice, so a rollback gives the number back: numbers have no
/// gaps, and the row lock orders concurrent writers. `$1` is the period.
pub(crate) const NEXT_SEQUENCE_SQL: &str = "INSERT INTO invoice_counters (period, last_value) VALUES ($1, 1)
     ON CONFLICT (period) DO UPDATE SET last_value = invoice_counters.last_value + 1
     RETURNING last_value";

/// Creates the invoices for `req` in one transaction: all of them or none.
#[tracing::instrument(name = "invoicing", skip_all, fields(line_items = req.line_item_ids.len(), source = ?req.source, actor = %req.actor))]
pub async fn invoice_line_items(
    db: &Db,
    now: DateTime<Utc>,
    req: &InvoiceRequest,
) -> Result<InvoiceOutcome, ServiceError> {
    let out = create(db, now, req, Numbering::Now).await?;
    Ok(InvoiceOutcome {
        created: out
            .created
            .into_iter()
            .map(|c| CreatedInvoice {
                id: c.id,
                number: c.number.unwrap_or_default(),
                bill_to_account_id: c.bill_to_account_id,
                line_count: c.line_count,
                total: c.total,
                due_date: c.due_date,
            })
            .collect(),
        already_invoiced: out.already_invoiced,
        not_billable: out.not_billable,
    })
}

/// A draft invoice made by Invoice Selected with "Create as drafts": it holds its line items
/// (they are no longer billable) but has no number until it is finalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedDraft {
    pub id: InvoiceId,
    pub bill_to_account_id: AccountId,
    pub line_count: usize,
    pub total: Decimal,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftOutcome {
    pub created: Vec<CreatedDraft>,
    pub already_invoiced: usize,
    pub not_billable: Vec<(LineItemId, NotBillableReason)>,
}

/// Like [`invoice_line_items`], but the invoices are drafts without numbers.
pub async fn draft_line_items(db: &Db, now: DateTime<Utc>, req: &InvoiceRequest) -> Result<DraftOutcome, ServiceError> {
    let out = create(db, now, req, Numbering::Draft).await?;
    Ok(DraftOutcome {
        created: out
            .created
            .into_iter()
            .map(|c| CreatedDraft {
                id: c.id,
                bill_to_account_id: c.bill_to_account_id,
                line_count: c.line_count,
                total: c.total,
                due_date: c.due_date,
            })
            .collect(),
        already_invoiced: out.already_invoiced,
        not_billable: out.not_billable,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    /// Open invoices, numbered in this transaction.
    Now,
    /// Drafts; the number comes when a person finalises them.
    Draft,
}

struct Created {
    id: InvoiceId,
    number: Option<String>,
    bill_to_account_id: AccountId,
    line_count: usize,
    total: Decimal,
    due_date: NaiveDate,
}

#[derive(Default)]
struct Outcome {
    created: Vec<Created>,
    already_invoiced: usize,
    not_billable: Vec<(LineItemId, NotBillableReason)>,
}

async fn create(
    db: &Db,
    now: DateTime<Utc>,
    req: &InvoiceRequest,
    numbering: Numbering,
) -> Result<Outcome, ServiceError> {
    let mut ids = req.line_item_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(ServiceError::field("line_item_ids", "Select at least one line item to invoice."));
    }
    if ids.len() > MAX_LINE_ITEMS_PER_REQUEST {
        return Err(ServiceError::field(
            "line_item_ids",
            format!("Invoice at most {MAX_LINE_ITEMS_PER_REQUEST} line items at a time."),
        ));
    }
    if let Some(due) = req.due_date
        && due < req.issue_date
    {
        return Err(ServiceError::field("due_date", "The due date cannot be before the issue date."));
    }
    // Ids are integers, so inlining them is safe; it also avoids engine limits on bound parameters.
    let in_list = id_list(&ids);
    let lock_rows = db.is_postgres();
    let email_payload = serde_json::to_string(&InvoiceEmailPayload { template_id: req.email_template_id })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;

    let outcome = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let org: Org = sqlx::query_as("SELECT currency, invoice_number_format, default_terms_days FROM organisation WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or_else(|| ServiceError::Conflict("Set up the organisation in Settings before invoicing.".into()))?;
        let format = InvoiceNumberFormat::parse(&org.invoice_number_format)
            .map_err(|e| ServiceError::Conflict(format!("The invoice number format in Settings is not valid: {e}")))?;

        if lock_rows {
            // Row locks in id order: concurrent requests for overlapping line items queue here
            // (without deadlock), and the next statement sees what the winner committed.
            sqlx::query(&format!("SELECT id FROM line_items WHERE id IN ({in_list}) ORDER BY id FOR UPDATE"))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        }
        let candidates: Vec<Candidate> = sqlx::query_as(&format!(
            "SELECT li.id, li.run_date, li.description, li.quantity, li.unit_price, li.discount,
                    p.name AS product_name, p.billing_rule, p.rule_days, p.ignore_before, p.tax_rate,
                    o.status AS order_status, o.ordered_on,
                    COALESCE(a.bill_to_account_id, a.id) AS bill_to_id,
                    b.payment_terms_days AS bill_to_terms
             FROM line_items li
             JOIN orders o ON o.id = li.order_id
             JOIN products p ON p.id = li.product_id
             JOIN accounts a ON a.id = o.account_id
             JOIN accounts b ON b.id = COALESCE(a.bill_to_account_id, a.id)
             WHERE li.id IN ({in_list})
               AND NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.line_item_id = li.id AND il.live = TRUE)
               AND li.hold_reason IS NULL
             ORDER BY li.run_date, li.id"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::from)?;

        let mut outcome = Outcome { already_invoiced: ids.len() - candidates.len(), ..Default::default() };
        let mut groups: BTreeMap<AccountId, (Option<i32>, Vec<PlannedLine>)> = BTreeMap::new();
        for c in candidates {
            let rule = BillingRule::from_parts(&c.billing_rule, i64::from(c.rule_days)).map_err(ServiceError::Internal)?;
            let timing = LineItemTiming {
                rule,
                run_date: c.run_date,
                booked_on: c.ordered_on,
                ignore_before: c.ignore_before,
                order_confirmed: c.order_status == "confirmed",
            };
            if let BillableStatus::NotBillable(reason) = timing.status(req.issue_date) {
                outcome.not_billable.push((c.id, reason));
                continue;
            }
            let charge = fixed::line_charge(c.quantity, c.unit_price, c.discount, c.tax_rate);
            let entry = groups.entry(c.bill_to_id).or_insert_with(|| (c.bill_to_terms, Vec::new()));
            entry.1.push(PlannedLine {
                line_item_id: c.id,
                product_name: c.product_name,
                description: c.description,
                run_date: c.run_date,
                amounts: charge.amounts(),
                charge,
            });
        }

        let period = format.period(req.issue_date.year(), req.issue_date.month());
        for (bill_to_id, (terms_days, lines)) in groups {
            let terms = PaymentTerms::new(i64::from(terms_days.unwrap_or(org.default_terms_days)))
                .map_err(ServiceError::Internal)?;
            let due_date = req.due_date.unwrap_or_else(|| terms.due_date(req.issue_date));
            let totals = InvoiceTotals::of(lines.iter().map(|l| &l.amounts));
            let number = match numbering {
                Numbering::Draft => None,
                Numbering::Now => {
                    let seq: i64 = sqlx::query_scalar(NEXT_SEQUENCE_SQL)
                        .bind(&period)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(StoreError::from)?;
                    Some(format.render(req.issue_date.year(), req.issue_date.month(), seq as u64))
                }
            };
            let status = if number.is_some() { "open" } else { "draft" };
            let invoice_id: InvoiceId = sqlx::query_scalar(
                "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency,
                                       subtotal, discount_total, tax_total, total, amount_paid, source, created_by, created_at)
                 VALUES ($1, $2, $14, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13) RETURNING id",
            )
            .bind(&number)
            .bind(bill_to_id)
            .bind(req.issue_date)
            .bind(due_date)
            .bind(i32::from(terms.days()))
            .bind(&org.currency)
            .bind(fixed::to_db(totals.subtotal)?)
            .bind(fixed::to_db(totals.discount_total)?)
            .bind(fixed::to_db(totals.tax_total)?)
            .bind(fixed::to_db(totals.total)?)
            .bind(req.source.as_str())
            .bind(req.created_by)
            .bind(now)
            .bind(status)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            for (position, l) in lines.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO invoice_lines (invoice_id, line_item_id, position, product_name, description, run_date,
                                                quantity, unit_price, discount, tax_rate, net_amount, tax_amount, live)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TRUE)",
                )
                .bind(invoice_id)
                .bind(l.line_item_id)
                .bind(position as i32 + 1)
                .bind(&l.product_name)
                .bind(&l.description)
                .bind(l.run_date)
                .bind(fixed::to_db(l.charge.quantity)?)
                .bind(fixed::to_db(l.charge.unit_price)?)
                .bind(fixed::to_db(l.amounts.discount)?)
                .bind(fixed::to_db(l.charge.tax_rate)?)
                .bind(fixed::to_db(l.amounts.net)?)
                .bind(fixed::to_db(l.amounts.tax)?)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            }
            let detail = format!(
                "{} line item{}{}",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                if number.is_none() { " (draft)" } else { "" }
            );
            events::record(Conn::from(&mut *tx), invoice_id, InvoiceEventKind::Created, &detail, &req.actor, now).await?;
            // Drafts are not finished invoices: nothing is sent until a person finalises one.
            let then = if numbering == Numbering::Draft { AfterGenerate::Nothing } else { req.then };
            hand_to_delivery(Conn::from(&mut *tx), invoice_id, then, &email_payload, now).await?;
            outcome.created.push(Created {
                id: invoice_id,
                number,
                bill_to_account_id: bill_to_id,
                line_count: lines.len(),
                total: totals.total,
                due_date,
            });
        }
        tx.commit().await.map_err(StoreError::from)?;
        outcome
    });
    let lines: usize = outcome.created.iter().map(|c| c.line_count).sum();
    if lines >= ANALYZE_AFTER_LINES
        && let Db::Postgres(pool) = db
    {
        // A large batch makes the planner's picture of invoice_lines stale until autovacuum
        // catches up, and the Billable Line Items anti-join then picks a nested loop that takes
        // minutes at 100 k line items. Refreshing the statistics costs milliseconds.
        if let Err(e) = sqlx::query("ANALYZE invoice_lines").execute(pool).await {
            tracing::warn!(error = %e, "could not refresh invoice_lines statistics");
        }
    }
    tracing::info!(
        invoices = outcome.created.len(),
        already_invoiced = outcome.already_invoiced,
        not_billable = outcome.not_billable.len(),
        drafts = numbering == Numbering::Draft,
        "line items invoiced"
    );
    Ok(outcome)
}

/// What happens to a newly numbered invoice, in the transaction that numbered it: nothing (it
/// waits for a person), into Ready to send (and the next scheduled batch), or its first email
/// queued. Used by invoice creation and by Finalise, so both hand invoices over alike.
pub(crate) async fn hand_to_delivery(
    conn: Conn<'_>,
    invoice_id: InvoiceId,
    then: AfterGenerate,
    email_payload: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match then {
        AfterGenerate::Nothing => {}
        AfterGenerate::MarkReady => on_conn!(conn, c => {
            sqlx::query("UPDATE invoices SET ready_to_send_at = $1 WHERE id = $2")
                .bind(now)
                .bind(invoice_id)
                .execute(&mut *c)
                .await?;
        }),
        AfterGenerate::QueueEmail => {
            let message = NewMessage {
                effect_key: invoice_email_key(invoice_id, 1),
                kind: EmailKind::Invoice.as_str(),
                payload: email_payload.to_string(),
                invoice_id: Some(invoice_id),
                due: now,
            };
            outbox::enqueue(conn, &message).await?;
        }
    }
    Ok(())
}
