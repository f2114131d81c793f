//! `/api/v1/line-items`: line items across orders, filtered by order and by whether an
//! invoice bills them.

use app::{
    backend::{AppState, directory::rest_views as store, platform::fixed},
    domain::ids::{InvoiceId, LineItemId, OrderId, ProductId},
};
use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    ApiError, json,
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct LineItemJson {
    pub id: LineItemId,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub product: String,
    pub run_date: NaiveDate,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    /// Quantity × unit price less the discount, rounded to cents as on an invoice.
    pub amount: String,
    /// `billed` when a live invoice bills it (it can then no longer change), else `unbilled`.
    pub status: &'static str,
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
}

pub fn to_json(l: store::LineItemRecord) -> LineItemJson {
    let charge = fixed::line_charge(l.quantity, l.unit_price, l.discount, 0);
    LineItemJson {
        id: l.id,
        order_id: l.order_id,
        product_id: l.product_id,
        product: l.product,
        run_date: l.run_date,
        description: l.description,
        quantity: json::quantity(charge.quantity),
        unit_price: json::money(charge.unit_price),
        discount: json::money(charge.discount),
        amount: json::money(charge.amounts().net),
        status: if l.invoice_id.is_some() { "billed" } else { "unbilled" },
        invoice_id: l.invoice_id,
        invoice_number: l.invoice_number,
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    order_id: Option<OrderId>,
    status: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Listing<LineItemJson>>, ApiError> {
    let Query(q) = query?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let billing = match q.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some("billed") => Some(store::Billing::Billed),
        Some("unbilled") => Some(store::Billing::Unbilled),
        Some(other) => {
            return Err(ApiError::field(
                "status",
                format!("\"{other}\" is not a status; use billed, unbilled or all."),
            ));
        }
    };
    let (total, rows) = store::line_items_page(&state.db, q.order_id, billing, page, per_page).await?;
    Ok(Json(Listing { items: rows.into_iter().map(to_json).collect(), page, per_page, total }))
}
