//! A believable billing history for the demo publisher: invoices for ads that ran in the last
//! three months, issued through the real invoicing service, then paid in full, in part or not
//! at all — so Payments, the portal and past-due reminders have something to show on day one.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{
    backend::{
        Db, ServiceError,
        invoicing::create::{self as invoicing, InvoiceRequest, Source},
        payments::record::{self as payments, NewPayment},
    },
    domain::{
        delivery::AfterGenerate,
        ids::{AccountId, LineItemId},
        payment::PaymentMethod,
    },
    on_db,
};

#[derive(sqlx::FromRow)]
struct PastLine {
    id: LineItemId,
    bill_to: AccountId,
    run_date: NaiveDate,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct HistorySummary {
    pub invoices: usize,
    pub payments: usize,
}

/// Invoices every bill-to account's lines that ran 15–90 days ago, one invoice per account and
/// month, issued at the end of that month; then pays two in three (one of those in part).
pub async fn seed(db: &Db, now: DateTime<Utc>, today: NaiveDate) -> Result<HistorySummary, ServiceError> {
    let from = today - Days::new(90);
    let to = today - Days::new(15);
    let lines: Vec<PastLine> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT li.id, COALESCE(a.bill_to_account_id, a.id) AS bill_to, li.run_date
             FROM line_items li JOIN orders o ON o.id = li.order_id JOIN accounts a ON a.id = o.account_id
             JOIN products pr ON pr.id = li.product_id
             WHERE o.status = 'confirmed' AND pr.billing_rule <> 'do_not_invoice'
               AND li.run_date >= $1 AND li.run_date <= $2
             ORDER BY bill_to, li.run_date, li.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
        .map_err(crate::backend::StoreError::from)?
    });
    let mut groups: Vec<((AccountId, i32, u32), Vec<LineItemId>)> = Vec::new();
    for l in lines {
        let key = (l.bill_to, l.run_date.year(), l.run_date.month());
        match groups.last_mut() {
            Some((k, ids)) if *k == key => ids.push(l.id),
            _ => groups.push((key, vec![l.id])),
        }
    }
    let mut summary = HistorySummary::default();
    for (n, ((_, year, month), ids)) in groups.into_iter().enumerate() {
        let month_end = NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(today);
        let issue_date = month_end.min(today - Days::new(10));
        let outcome = invoicing::invoice_line_items(
            db,
            now,
            &InvoiceRequest {
                line_item_ids: ids,
                issue_date,
                due_date: None,
                created_by: None,
                actor: "Demo history".into(),
                source: Source::Manual,
                then: AfterGenerate::Nothing,
                email_template_id: None,
            },
        )
        .await?;
        for inv in outcome.created {
            summary.invoices += 1;
            let amount = match n % 3 {
                0 => inv.total,
                1 if inv.total > Decimal::from(100) => (inv.total / Decimal::from(2)).round_dp(2),
                _ => continue,
            };
            if inv.due_date > today && n % 2 == 0 {
                continue;
            }
            // Clients pay a week to a month after the invoice, not all on one day.
            let received_on = (issue_date + Days::new(5 + (n as u64 * 7) % 26)).min(today);
            payments::record(
                db,
                &NewPayment {
                    account_id: inv.bill_to_account_id,
                    method: if n % 2 == 0 { PaymentMethod::Check } else { PaymentMethod::Ach },
                    amount,
                    currency: "USD".into(),
                    received_on,
                    reference: format!("{}", 20_400 + n),
                    notes: String::new(),
                    provider: String::new(),
                    provider_ref: None,
                    allocations: vec![(inv.id, amount)],
                    created_by: None,
                    actor: "Demo history".into(),
                    send_receipt: false,
                },
                now,
            )
            .await
            .map_err(|e| ServiceError::Internal(format!("demo payment: {e}")))?;
            summary.payments += 1;
        }
    }
    // The history is not news to anyone: nothing in it waits to be emailed.
    on_db!(db, p => {
        sqlx::query("UPDATE invoices SET status = CASE WHEN status = 'open' THEN 'sent' ELSE status END, sent_at = created_at")
            .execute(p)
            .await
            .map_err(crate::backend::StoreError::from)?;
    });
    Ok(summary)
}
