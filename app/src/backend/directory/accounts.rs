//! Account and contact changes: validation, the one-level bill-to rule and unique external
//! references, checked and written in one transaction so two editors cannot build a chain.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, ServiceError, StoreError, directory::account_store as store, platform::db::BeginWrite},
    domain::{
        account_input::{AccountInput, BillToTarget, ContactInput, bill_to_problem},
        ids::{AccountId, ContactId},
        settings::FieldError,
    },
    on_db,
    views::accounts::AccountDetail,
};

const DUPLICATE_REF: &str = "Another account already uses this external reference.";

pub async fn get_account(db: &Db, id: AccountId) -> Result<AccountDetail, ServiceError> {
    store::detail(db, id).await?.ok_or(ServiceError::NotFound("account"))
}

pub async fn create_account(db: &Db, now: DateTime<Utc>, input: &AccountInput) -> Result<AccountId, ServiceError> {
    let id = save(db, now, None, input).await?;
    tracing::info!(account_id = %id, "account created");
    Ok(id)
}

pub async fn update_account(
    db: &Db,
    now: DateTime<Utc>,
    id: AccountId,
    input: &AccountInput,
) -> Result<(), ServiceError> {
    save(db, now, Some(id), input).await?;
    tracing::info!(account_id = %id, "account updated");
    Ok(())
}

/// Archived accounts leave the lists and pickers; their orders and invoices stay.
pub async fn set_archived(db: &Db, now: DateTime<Utc>, id: AccountId, archived: bool) -> Result<(), ServiceError> {
    store::set_archived(db, id, archived, now).await.map_err(not_found("account"))?;
    tracing::info!(account_id = %id, archived, "account archive state changed");
    Ok(())
}

pub async fn add_contact(
    db: &Db,
    now: DateTime<Utc>,
    account_id: AccountId,
    input: &ContactInput,
) -> Result<ContactId, ServiceError> {
    let c = input.clone().normalised().map_err(ServiceError::Invalid)?;
    let id = store::insert_contact(db, account_id, &c, now).await?.ok_or(ServiceError::NotFound("account"))?;
    tracing::info!(%account_id, contact_id = %id, role = %c.invoice_role, "contact added");
    Ok(id)
}

pub async fn update_contact(
    db: &Db,
    _now: DateTime<Utc>,
    account_id: AccountId,
    contact_id: ContactId,
    input: &ContactInput,
) -> Result<(), ServiceError> {
    let c = input.clone().normalised().map_err(ServiceError::Invalid)?;
    if !store::update_contact(db, account_id, contact_id, &c).await? {
        return Err(ServiceError::NotFound("contact"));
    }
    tracing::info!(%account_id, %contact_id, role = %c.invoice_role, "contact updated");
    Ok(())
}

pub async fn remove_contact(db: &Db, account_id: AccountId, contact_id: ContactId) -> Result<(), ServiceError> {
    if !store::delete_contact(db, account_id, contact_id).await? {
        return Err(ServiceError::NotFound("contact"));
    }
    tracing::info!(%account_id, %contact_id, "contact removed");
    Ok(())
}

fn not_found(what: &'static str) -> impl Fn(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::NotFound => ServiceError::NotFound(what),
        other => other.into(),
    }
}

async fn save(
    db: &Db,
    now: DateTime<Utc>,
    id: Option<AccountId>,
    input: &AccountInput,
) -> Result<AccountId, ServiceError> {
    let a = input.clone().normalised().map_err(ServiceError::Invalid)?;
    let target_sql = format!("SELECT {} FROM accounts WHERE id = $1", store::TARGET_COLUMNS);
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        if db.is_postgres() {
            // Lock this account and the chosen payer (in id order, so two editors pointing
            // accounts at each other queue instead of deadlocking): a concurrent change that
            // would make either bill elsewhere waits, then sees this one. SQLite's BEGIN
            // IMMEDIATE already serialises writers.
            sqlx::query("SELECT id FROM accounts WHERE id = $1 OR id = $2 ORDER BY id FOR UPDATE")
                .bind(id.unwrap_or_default()).bind(a.bill_to_account_id.unwrap_or_default())
                .execute(&mut *tx).await.map_err(StoreError::from)?;
        }
        if let Some(id) = id {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
            if exists.is_none() {
                return Err(ServiceError::NotFound("account"));
            }
        }
        let target: Option<BillToTarget> = match a.bill_to_account_id {
            Some(t) if Some(t) != id => sqlx::query_as::<_, store::TargetRow>(&target_sql)
                .bind(t).fetch_optional(&mut *tx).await.map_err(StoreError::from)?.map(Into::into),
            _ => None,
        };
        let billed_for: i64 = match id {
            Some(id) => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE bill_to_account_id = $1")
                .bind(id).fetch_one(&mut *tx).await.map_err(StoreError::from)?,
            None => 0,
        };
        let mut errors: Vec<FieldError> = bill_to_problem(id, a.bill_to_account_id, target.as_ref(), billed_for)
            .into_iter().collect();
        if let Some(r) = &a.external_ref {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE external_ref = $1 AND id <> $2")
                .bind(r).bind(id.unwrap_or_default()).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
            if taken.is_some() {
                errors.push(FieldError::new("external_ref", DUPLICATE_REF));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let terms = a.payment_terms_days.map(|d| d as i32);
        let saved_id: AccountId = match id {
            None => sqlx::query_scalar(
                "INSERT INTO accounts (name, kind, bill_to_account_id, payment_terms_days, email, phone, address, notes, external_ref, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                .bind(&a.name).bind(&a.kind).bind(a.bill_to_account_id).bind(terms).bind(&a.email).bind(&a.phone)
                .bind(&a.address).bind(&a.notes).bind(&a.external_ref).bind(now)
                .fetch_one(&mut *tx).await.map_err(StoreError::from)?,
            Some(id) => {
                sqlx::query(
                    "UPDATE accounts SET name = $1, kind = $2, bill_to_account_id = $3, payment_terms_days = $4, email = $5,
                       phone = $6, address = $7, notes = $8, external_ref = $9 WHERE id = $10")
                    .bind(&a.name).bind(&a.kind).bind(a.bill_to_account_id).bind(terms).bind(&a.email).bind(&a.phone)
                    .bind(&a.address).bind(&a.notes).bind(&a.external_ref).bind(id)
                    .execute(&mut *tx).await.map_err(StoreError::from)?;
                id
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved_id)
    })
}
