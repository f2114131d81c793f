//! Product changes: validation and unique names.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, ServiceError, StoreError, directory::product_store as store},
    domain::{ids::ProductId, product_input::ProductInput},
    views::accounts::ProductDetail,
};

const DUPLICATE_NAME: &str = "Another product already has this name.";

pub async fn get_product(db: &Db, id: ProductId) -> Result<ProductDetail, ServiceError> {
    store::detail(db, id).await?.ok_or(ServiceError::NotFound("product"))
}

pub async fn create_product(db: &Db, now: DateTime<Utc>, input: &ProductInput) -> Result<ProductId, ServiceError> {
    let id = save(db, now, None, input).await?;
    tracing::info!(product_id = %id, "product created");
    Ok(id)
}

pub async fn update_product(
    db: &Db,
    now: DateTime<Utc>,
    id: ProductId,
    input: &ProductInput,
) -> Result<(), ServiceError> {
    save(db, now, Some(id), input).await?;
    tracing::info!(product_id = %id, "product updated");
    Ok(())
}

async fn save(
    db: &Db,
    now: DateTime<Utc>,
    id: Option<ProductId>,
    input: &ProductInput,
) -> Result<ProductId, ServiceError> {
    let p = input.clone().normalised().map_err(ServiceError::Invalid)?;
    if store::name_taken(db, &p.name, id).await? {
        return Err(ServiceError::field("name", DUPLICATE_NAME));
    }
    match store::save(db, id, &p, now).await {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("product")),
        // A concurrent save that took the name after the check: the constraint's field error.
        Err(e) => Err(e.into()),
    }
}
