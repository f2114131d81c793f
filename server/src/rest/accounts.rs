//! `/api/v1/accounts`: advertisers and agencies with their contacts.

use app::{
    backend::{
        AppState,
        directory::{accounts, rest_views as store},
    },
    domain::{
        account_input::{AccountInput, ContactInput},
        ids::{AccountId, ContactId},
        settings::FieldError,
    },
};
use axum::{
    Json,
    extract::{
        Path, Query, State,
        rejection::{PathRejection, QueryRejection},
    },
};
use chrono::{DateTime, Utc};
use http::{HeaderName, StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    ApiError,
    json::{self, ApiJson},
    paging::{Listing, Paging},
};

#[derive(Debug, Serialize)]
pub struct AccountJson {
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub bill_to_account_id: Option<AccountId>,
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
    pub id: ContactId,
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
pub async fn load(state: &AppState, id: AccountId) -> Result<AccountJson, ApiError> {
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
    let ids: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
    let contacts = store::contacts_of(&state.db, &ids).await?;
    let items = accounts.into_iter().map(|a| to_json(a, &contacts)).collect();
    Ok(Json(Listing { items, page, per_page, total }))
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<AccountId>, PathRejection>,
) -> Result<Json<AccountJson>, ApiError> {
    let Path(id) = id?;
    Ok(Json(load(&state, id).await?))
}

/// The stored account as the input that would recreate it, for PATCH to change in part.
fn input_of(a: &store::AccountRecord) -> AccountInput {
    AccountInput {
        name: a.name.clone(),
        kind: a.kind.clone(),
        bill_to_account_id: a.bill_to_account_id,
        payment_terms_days: a.payment_terms_days.map(i64::from),
        email: a.email.clone(),
        phone: a.phone.clone(),
        address: a.address.clone(),
        notes: a.notes.clone(),
        external_ref: a.external_ref.clone(),
    }
}

fn created(id: AccountId, body: AccountJson) -> (StatusCode, [(HeaderName, String); 1], Json<AccountJson>) {
    (StatusCode::CREATED, [(header::LOCATION, format!("{}/accounts/{id}", super::PREFIX))], Json(body))
}

/// The account an external reference already names: a retried POST finds its first attempt.
async fn existing(state: &AppState, external_ref: Option<&str>) -> Result<Option<AccountId>, ApiError> {
    match external_ref.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(store::account_id_by_external_ref(&state.db, r).await?),
        None => Ok(None),
    }
}

/// `POST /accounts`: the account's fields and, optionally, `contacts`. Everything is validated
/// before anything is written, and an `external_ref` already in use answers 409 with the
/// existing id, so a client that retries never creates a duplicate.
pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, [(HeaderName, String); 1], Json<AccountJson>), ApiError> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::bad_request("Send the account as a JSON object."));
    };
    let contacts: Vec<ContactInput> = match fields.remove("contacts") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => json::from_value(v, "contacts")?,
    };
    // A missing name is an empty one, so the client gets the same message beside `name`.
    fields.entry("name").or_insert_with(|| Value::String(String::new()));
    let input: AccountInput = json::from_value(Value::Object(fields), "")?;

    if let Some(id) = existing(&state, input.external_ref.as_deref()).await? {
        return Err(ApiError::duplicate("Account", id));
    }
    let mut problems = input.clone().normalised().err().unwrap_or_default();
    for (i, c) in contacts.iter().enumerate() {
        for e in c.clone().normalised().err().unwrap_or_default() {
            problems.push(FieldError::new(&format!("contacts[{i}].{}", e.field), e.message));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let now = state.clock.now();
    let id = match accounts::create_account(&state.db, now, &input).await {
        Ok(id) => id,
        Err(e) => {
            // Two requests with one reference at once: the loser sees the winner's row.
            if let Some(id) = existing(&state, input.external_ref.as_deref()).await? {
                return Err(ApiError::duplicate("Account", id));
            }
            return Err(e.into());
        }
    };
    for c in &contacts {
        accounts::add_contact(&state.db, now, id, c).await?;
    }
    Ok(created(id, load(&state, id).await?))
}

/// `PATCH /accounts/{id}`: the fields sent replace the stored ones; the others stay. `archived`
/// archives or restores the account.
pub async fn update(
    State(state): State<AppState>,
    id: Result<Path<AccountId>, PathRejection>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<AccountJson>, ApiError> {
    let Path(id) = id?;
    let Value::Object(mut changes) = body else {
        return Err(ApiError::bad_request("Send the fields to change as a JSON object."));
    };
    let current = store::account(&state.db, id).await?.ok_or_else(|| ApiError::not_found("account"))?;
    let archived = match changes.remove("archived") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => return Err(ApiError::field("archived", "Send true or false.")),
    };
    let Value::Object(mut merged) = serde_json::to_value(input_of(&current)).map_err(|_| ApiError::internal())? else {
        return Err(ApiError::internal());
    };
    let unknown: Vec<FieldError> = changes
        .keys()
        .filter(|k| !merged.contains_key(*k))
        .map(|k| {
            let hint = if k == "contacts" { "Contacts are set when the account is created." } else { "Unknown field." };
            FieldError::new(k, hint)
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::invalid(unknown));
    }
    merged.extend(changes);
    let input: AccountInput = json::from_value(Value::Object(merged), "")?;
    let now = state.clock.now();
    accounts::update_account(&state.db, now, id, &input).await?;
    if let Some(archived) = archived {
        accounts::set_archived(&state.db, now, id, archived).await?;
    }
    Ok(Json(load(&state, id).await?))
}
