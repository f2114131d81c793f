//! `/api/v1/accounts`: advertisers and agencies with their contacts.

use app::backend::{AppState, store::rest as store};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::{PathRejection, QueryRejection}},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ApiError,
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct AccountJson {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub bill_to_account_id: Option<i64>,
    /// `null`: the organisation's default terms.
    pub payment_terms_days: Option<i32>,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
    pub external_ref: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub contacts: Vec<ContactJson>,
}

#[derive(Debug, Serialize)]
pub struct ContactJson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// `to`, `cc` or `none`: whether this person receives the account's invoices.
    pub invoice_role: String,
}

fn to_json(a: store::AccountRecord, contacts: &[store::ContactRecord]) -> AccountJson {
    AccountJson {
        contacts: contacts
            .iter()
            .filter(|c| c.account_id == a.id)
            .map(|c| ContactJson {
                id: c.id,
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                invoice_role: c.invoice_role.clone(),
            })
            .collect(),
        id: a.id,
        name: a.name,
        kind: a.kind,
        bill_to_account_id: a.bill_to_account_id,
        payment_terms_days: a.payment_terms_days,
        email: a.email,
        phone: a.phone,
        address: a.address,
        notes: a.notes,
        external_ref: a.external_ref,
        archived: a.archived_at.is_some(),
        created_at: a.created_at,
    }
}

/// One account as the API shows it; `NotFound` when there is none.
pub async fn load(state: &AppState, id: i64) -> Result<AccountJson, ApiError> {
    let account = store::account(&state.db, id).await?.ok_or_else(|| ApiError::not_found("account"))?;
    let contacts = store::contacts_of(&state.db, &[id]).await?;
    Ok(to_json(account, &contacts))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    external_ref: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Listing<AccountJson>>, ApiError> {
    let Query(q) = query?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let (total, accounts) = store::accounts_page(&state.db, q.external_ref.as_deref(), page, per_page).await?;
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let contacts = store::contacts_of(&state.db, &ids).await?;
    let items = accounts.into_iter().map(|a| to_json(a, &contacts)).collect();
    Ok(Json(Listing { items, page, per_page, total }))
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<AccountJson>, ApiError> {
    let Path(id) = id?;
    Ok(Json(load(&state, id).await?))
}
