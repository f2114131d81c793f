//! `/api/v1/payments`: payments with what they paid, and recording one (a lockbox file, a bank
//! feed). `POST` honours an `Idempotency-Key` header: the same key sends the same payment once,
//! however often the caller retries, even when two retries race.

use app::{
    api::payments::{PaymentRecorder, record_manual},
    backend::{
        AppState, ServiceError, StoreError, auth::api_keys::KeyCaller, payments::rest_views as store, platform::fixed,
    },
    domain::{
        ids::{AccountId, InvoiceId, PaymentId},
        payment::ManualPaymentForm,
    },
};
use axum::{
    Extension, Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
};
use chrono::{DateTime, NaiveDate, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};

use super::{
    ApiError,
    json::{self, ApiJson},
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct PaymentJson {
    pub id: PaymentId,
    pub account_id: AccountId,
    pub method: String,
    pub amount: String,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    /// Empty for payments entered by hand or over this API; `stripe` or `test` for online ones.
    pub provider: String,
    /// What was not allocated to invoices (account credit), unless the payment is voided.
    pub unallocated: String,
    pub allocations: Vec<AllocationJson>,
    pub created_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: String,
}

#[derive(Debug, Serialize)]
pub struct AllocationJson {
    pub invoice_id: InvoiceId,
    pub invoice_number: Option<String>,
    pub amount: String,
}

fn to_json(p: store::PaymentRecord, allocations: &[store::AllocationRecord]) -> PaymentJson {
    let mine: Vec<&store::AllocationRecord> = allocations.iter().filter(|a| a.payment_id == p.id).collect();
    let allocated: i64 = mine.iter().map(|a| a.amount).sum();
    PaymentJson {
        id: p.id,
        account_id: p.account_id,
        method: p.method,
        amount: json::money(fixed::from_db(p.amount)),
        currency: p.currency,
        received_on: p.received_on,
        reference: p.reference,
        provider: p.provider,
        unallocated: json::money(if p.voided_at.is_some() {
            rust_decimal::Decimal::ZERO
        } else {
            fixed::from_db(p.amount - allocated)
        }),
        allocations: mine
            .into_iter()
            .map(|a| AllocationJson {
                invoice_id: a.invoice_id,
                invoice_number: a.invoice_number.clone(),
                amount: json::money(fixed::from_db(a.amount)),
            })
            .collect(),
        created_at: p.created_at,
        voided_at: p.voided_at,
        void_reason: p.void_reason,
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    account_id: Option<AccountId>,
    received_from: Option<NaiveDate>,
    received_to: Option<NaiveDate>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Listing<PaymentJson>>, ApiError> {
    let Query(q) = query?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    if let (Some(from), Some(to)) = (q.received_from, q.received_to)
        && from > to
    {
        return Err(ApiError::field("received_to", "The end of the range comes before its start."));
    }
    let filter =
        store::PaymentFilter { account_id: q.account_id, received_from: q.received_from, received_to: q.received_to };
    let (total, rows) = store::payments_page(&state.db, &filter, page, per_page).await?;
    let ids: Vec<PaymentId> = rows.iter().map(|p| p.id).collect();
    let allocations = store::allocations_of(&state.db, &ids).await?;
    Ok(Json(Listing { items: rows.into_iter().map(|p| to_json(p, &allocations)).collect(), page, per_page, total }))
}

async fn load(state: &AppState, id: PaymentId) -> Result<PaymentJson, ApiError> {
    let payment = store::payment(&state.db, id).await?.ok_or_else(|| ApiError::not_found("payment"))?;
    let allocations = store::allocations_of(&state.db, &[id]).await?;
    Ok(to_json(payment, &allocations))
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<PaymentId>, PathRejection>,
) -> Result<Json<PaymentJson>, ApiError> {
    let Path(id) = id?;
    Ok(Json(load(&state, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    account_id: AccountId,
    /// check, ach, wire, cash or other.
    method: String,
    /// A decimal string ("1250.00"): JSON numbers are floats and lose cents.
    amount: String,
    received_on: NaiveDate,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    allocations: Vec<AllocationInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    invoice_id: InvoiceId,
    amount: String,
}

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;

/// The caller's key for this request, scoped to its API key so two callers never collide.
fn once_key(headers: &HeaderMap, caller: &KeyCaller) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value.to_str().ok().map(str::trim).unwrap_or("");
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            format!("Use 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID."),
        ));
    }
    Ok(Some(format!("api:{}:{key}", caller.key_id)))
}

type Created = (StatusCode, [(HeaderName, HeaderValue); 2], Json<PaymentJson>);

/// `POST /payments`: records a payment with its allocations; what is not allocated becomes
/// account credit. 201 with the payment; with a repeated `Idempotency-Key`, 200 with the
/// payment the first request recorded (or 422 if the body describes a different payment).
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<KeyCaller>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<Created, ApiError> {
    let once = once_key(&headers, &caller)?;
    let form = ManualPaymentForm {
        account_id: input.account_id.to_string(),
        method: input.method.clone(),
        amount: input.amount.clone(),
        received_on: input.received_on.to_string(),
        reference: input.reference.clone(),
        notes: input.notes.clone(),
        allocations: input.allocations.iter().map(|a| (a.invoice_id, a.amount.clone())).collect(),
    };
    let by = PaymentRecorder { created_by: None, actor: format!("API key {} ({})", caller.name, caller.prefix) };
    let (id, replayed) = match record_manual(&state, &form, &by, once.clone()).await {
        Ok(r) => (r.payment_id, r.duplicate),
        // Two retries racing past the check: the loser's insert meets the winner's key.
        Err(ServiceError::Store(StoreError::Conflict(_))) if once.is_some() => {
            match store::payment_by_once_key(&state.db, once.as_deref().unwrap_or_default()).await? {
                Some(id) => (id, true),
                None => {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "conflict",
                        "That payment conflicts with existing data.",
                    ));
                }
            }
        }
        Err(e) => return Err(e.into()),
    };
    let body = load(&state, id).await?;
    if replayed && !same_payment(&body, &input) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different payment; use a new key for a new payment.",
        ));
    }
    let status = if replayed { StatusCode::OK } else { StatusCode::CREATED };
    let location =
        HeaderValue::from_str(&format!("{}/payments/{id}", super::PREFIX)).unwrap_or(HeaderValue::from_static(""));
    let replay = HeaderValue::from_static(if replayed { "true" } else { "false" });
    Ok((status, [(header::LOCATION, location), (HeaderName::from_static("idempotent-replayed"), replay)], Json(body)))
}

/// Whether the recorded payment is the one the body describes.
fn same_payment(recorded: &PaymentJson, input: &PaymentInput) -> bool {
    let amount = |s: &str| app::domain::money::parse_amount(s).ok();
    recorded.account_id == input.account_id
        && recorded.method.eq_ignore_ascii_case(input.method.trim())
        && amount(&recorded.amount) == amount(&input.amount)
        && recorded.received_on == input.received_on
}
