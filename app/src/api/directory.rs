use leptos::prelude::*;

use super::{
    dto::{AccountSummary, OrderSummary, Page, ProductSummary},
    AppError,
};

pub const PER_PAGE: i64 = 25;

#[server]
pub async fn list_accounts(search: String, page: i64) -> Result<Page<AccountSummary>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    Ok(crate::backend::store::directory::accounts(&state.db, &search, page.max(1), PER_PAGE).await?)
}

#[server]
pub async fn list_products() -> Result<Vec<ProductSummary>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    Ok(crate::backend::store::directory::products(&state.db).await?)
}

#[server]
pub async fn list_orders(search: String, page: i64) -> Result<Page<OrderSummary>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    Ok(crate::backend::store::directory::orders(&state.db, &search, page.max(1), PER_PAGE).await?)
}
