use leptos::prelude::*;

use crate::{
    api::AppError,
    views::common::{AccountSummary, OrderSummary, Page, Priced, ProductSummary},
};

pub const PER_PAGE: i64 = 25;

#[server(endpoint = "list_accounts")]
pub async fn list_accounts(search: String, page: i64) -> Result<Page<AccountSummary>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    Ok(crate::backend::directory::lists::accounts(&state.db, &search, page.max(1), PER_PAGE).await?)
}

#[server(endpoint = "list_products")]
pub async fn list_products() -> Result<Priced<Vec<ProductSummary>>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    let currency = organisation_currency(&state).await?;
    Ok(Priced { currency, items: crate::backend::directory::lists::products(&state.db).await? })
}

#[server(endpoint = "list_orders")]
pub async fn list_orders(search: String, page: i64) -> Result<Priced<Page<OrderSummary>>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    let currency = organisation_currency(&state).await?;
    let items = crate::backend::directory::lists::orders(&state.db, &search, page.max(1), PER_PAGE).await?;
    Ok(Priced { currency, items })
}

#[cfg(feature = "ssr")]
async fn organisation_currency(state: &crate::backend::AppState) -> Result<String, AppError> {
    Ok(crate::backend::platform::organisation::load(&state.db).await?.currency)
}
