//! `/api/v1/orders`: orders with their line items.

use app::{
    backend::{
        AppState,
        directory::{orders, rest_views as store},
        platform::fixed,
    },
    domain::{
        ids::{AccountId, OrderId},
        order_input::OrderInput,
    },
};
use axum::{
    Json,
    extract::{
        Path, Query, State,
        rejection::{PathRejection, QueryRejection},
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use http::{HeaderName, StatusCode, header};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    ApiError,
    json::{self, ApiJson},
    line_items::{self, LineItemJson},
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct OrderJson {
    pub id: OrderId,
    pub order_number: String,
    pub account_id: AccountId,
    /// `draft`, `confirmed` or `cancelled`; only confirmed orders are billed.
    pub status: String,
    pub ordered_on: NaiveDate,
    pub notes: String,
    pub external_ref: Option<String>,
    /// Sum of the line amounts.
    pub total: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<LineItemJson>,
}

fn to_json(o: store::OrderRecord, lines: &mut Vec<store::LineItemRecord>) -> OrderJson {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(lines).into_iter().partition(|l| l.order_id == o.id);
    *lines = rest;
    let total: Decimal =
        mine.iter().map(|l| fixed::line_charge(l.quantity, l.unit_price, l.discount, 0).amounts().net).sum();
    OrderJson {
        id: o.id,
        order_number: o.order_number,
        account_id: o.account_id,
        status: o.status,
        ordered_on: o.ordered_on,
        notes: o.notes,
        external_ref: o.external_ref,
        total: json::money(total),
        created_at: o.created_at,
        updated_at: o.updated_at,
        lines: mine.into_iter().map(line_items::to_json).collect(),
    }
}

pub async fn load(state: &AppState, id: OrderId) -> Result<OrderJson, ApiError> {
    let order = store::order(&state.db, id).await?.ok_or_else(|| ApiError::not_found("order"))?;
    let mut lines = store::lines_of(&state.db, &[id]).await?;
    Ok(to_json(order, &mut lines))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    account_id: Option<AccountId>,
    external_ref: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Listing<OrderJson>>, ApiError> {
    let Query(q) = query?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let (total, orders) =
        store::orders_page(&state.db, q.account_id, q.external_ref.as_deref(), page, per_page).await?;
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id).collect();
    let mut lines = store::lines_of(&state.db, &ids).await?;
    let items = orders.into_iter().map(|o| to_json(o, &mut lines)).collect();
    Ok(Json(Listing { items, page, per_page, total }))
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<OrderId>, PathRejection>,
) -> Result<Json<OrderJson>, ApiError> {
    let Path(id) = id?;
    Ok(Json(load(&state, id).await?))
}

fn nonblank(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn natural_key(input: &OrderInput) -> (Option<&str>, Option<&str>) {
    (nonblank(&input.external_ref), nonblank(&input.order_number))
}

/// The order an `external_ref` or `order_number` already names: a retried POST finds its first
/// attempt instead of creating a second order.
async fn existing(state: &AppState, input: &OrderInput) -> Result<Option<OrderId>, ApiError> {
    let (external_ref, order_number) = natural_key(input);
    Ok(store::order_id_by_natural_key(&state.db, external_ref, order_number).await?)
}

/// `POST /orders`: an order with its line items, in one transaction.
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, [(HeaderName, String); 1], Json<OrderJson>), ApiError> {
    if let Some(id) = existing(&state, &input).await? {
        return Err(ApiError::duplicate("Order", id));
    }
    let id = match orders::create_order(&state.db, state.clock.now(), &input).await {
        Ok(id) => id,
        Err(e) => {
            // Two requests with one reference at once: the loser sees the winner's row.
            if let Some(id) = existing(&state, &input).await? {
                return Err(ApiError::duplicate("Order", id));
            }
            return Err(e.into());
        }
    };
    let body = load(&state, id).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("{}/orders/{id}", super::PREFIX))], Json(body)))
}

/// `PUT /orders/{id}`: the order as it should be. Lines with an `id` are kept or changed, lines
/// without one added, lines left out removed; a line item an invoice bills must come back
/// unchanged (409 otherwise).
pub async fn update(
    State(state): State<AppState>,
    id: Result<Path<OrderId>, PathRejection>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Json<OrderJson>, ApiError> {
    let Path(id) = id?;
    orders::update_order(&state.db, state.clock.now(), id, &input).await?;
    Ok(Json(load(&state, id).await?))
}
