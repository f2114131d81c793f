//! `/api/v1/invoices`: invoices with their lines, totals, balance and status, for systems that
//! read billing back (a CRM, a data warehouse). Read-only: invoices are made by Pressrun's rules.

use app::{
    backend::{AppState, invoicing::rest_views as store, platform::fixed},
    domain::{
        ids::{AccountId, InvoiceId},
        invoice::InvoiceStatus,
    },
};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ApiError, json,
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct InvoiceJson {
    pub id: InvoiceId,
    /// None for a draft.
    pub number: Option<String>,
    pub account_id: AccountId,
    pub account: String,
    /// draft, open, sent, partially_paid, paid or void.
    pub status: String,
    pub past_due: bool,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: String,
    pub subtotal: String,
    pub discount_total: String,
    pub tax_total: String,
    pub total: String,
    pub amount_paid: String,
    pub balance: String,
    /// `auto` when the scheduler made it, `manual` otherwise.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: String,
    pub updated_at: DateTime<Utc>,
    /// The PDF as staff download it (needs a signed-in session, not the API key).
    pub pdf_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<InvoiceLineJson>>,
}

#[derive(Debug, Serialize)]
pub struct InvoiceLineJson {
    pub line_item_id: Option<i64>,
    pub position: i64,
    pub product: String,
    pub description: String,
    pub run_date: Option<NaiveDate>,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub net_amount: String,
    pub tax_amount: String,
}

fn to_json(i: store::InvoiceRecord, today: NaiveDate, lines: Option<Vec<store::InvoiceLineRecord>>) -> InvoiceJson {
    let balance = fixed::from_db(i.total) - fixed::from_db(i.amount_paid);
    let open = matches!(i.status.as_str(), "open" | "sent" | "partially_paid");
    InvoiceJson {
        id: i.id,
        number: i.number,
        account_id: i.account_id,
        account: i.account_name,
        past_due: open && i.due_date < today && balance > rust_decimal::Decimal::ZERO,
        status: i.status,
        issue_date: i.issue_date,
        due_date: i.due_date,
        currency: i.currency,
        subtotal: json::money(fixed::from_db(i.subtotal)),
        discount_total: json::money(fixed::from_db(i.discount_total)),
        tax_total: json::money(fixed::from_db(i.tax_total)),
        total: json::money(fixed::from_db(i.total)),
        amount_paid: json::money(fixed::from_db(i.amount_paid)),
        balance: json::money(balance),
        source: i.source,
        created_at: i.created_at,
        sent_at: i.sent_at,
        voided_at: i.voided_at,
        void_reason: i.void_reason,
        updated_at: i.updated_at,
        pdf_url: format!("/accounting/invoices/{}/pdf", i.id),
        lines: lines.map(|ls| {
            ls.into_iter()
                .map(|l| InvoiceLineJson {
                    line_item_id: l.line_item_id,
                    position: l.position,
                    product: l.product_name,
                    description: l.description,
                    run_date: l.run_date,
                    quantity: json::quantity(fixed::from_db(l.quantity)),
                    unit_price: json::money(fixed::from_db(l.unit_price)),
                    discount: json::money(fixed::from_db(l.discount)),
                    tax_rate: json::quantity(fixed::from_db(l.tax_rate)),
                    net_amount: json::money(fixed::from_db(l.net_amount)),
                    tax_amount: json::money(fixed::from_db(l.tax_amount)),
                })
                .collect()
        }),
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    account_id: Option<AccountId>,
    issued_from: Option<NaiveDate>,
    issued_to: Option<NaiveDate>,
    /// RFC 3339, e.g. `2026-11-24T17:00:00Z`: invoices with anything on their timeline since.
    updated_since: Option<DateTime<Utc>>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Listing<InvoiceJson>>, ApiError> {
    let Query(q) = query?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(s) => match InvoiceStatus::parse(s) {
            Some(st) => Some(st.as_str().to_string()),
            None => {
                return Err(ApiError::field(
                    "status",
                    format!("\"{s}\" is not a status; use draft, open, sent, partially_paid, paid, void or all."),
                ));
            }
        },
    };
    if let (Some(from), Some(to)) = (q.issued_from, q.issued_to)
        && from > to
    {
        return Err(ApiError::field("issued_to", "The end of the range comes before its start."));
    }
    let filter = store::InvoiceFilter {
        status,
        account_id: q.account_id,
        issued_from: q.issued_from,
        issued_to: q.issued_to,
        updated_since: q.updated_since,
    };
    let today = app::backend::platform::organisation::today(&state.db, state.clock.now()).await?;
    let (total, rows) = store::invoices_page(&state.db, &filter, page, per_page).await?;
    Ok(Json(Listing { items: rows.into_iter().map(|r| to_json(r, today, None)).collect(), page, per_page, total }))
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<InvoiceId>, PathRejection>,
) -> Result<Json<InvoiceJson>, ApiError> {
    let Path(id) = id?;
    let today = app::backend::platform::organisation::today(&state.db, state.clock.now()).await?;
    let (invoice, lines) = store::invoice(&state.db, id).await?.ok_or_else(|| ApiError::not_found("invoice"))?;
    Ok(Json(to_json(invoice, today, Some(lines))))
}
