//! The order editor and the CSV import. Reads need Viewer; saving and importing need Billing.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    api::AppError,
    domain::{ids::OrderId, order_input::OrderInput},
    views::orders::{AccountChoice, ImportReport, OrderEditorView},
};

#[cfg(feature = "ssr")]
async fn organisation(state: &crate::backend::AppState) -> Result<(chrono::NaiveDate, String), AppError> {
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let tz = crate::backend::platform::clock::parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    Ok((state.clock.today_in(tz), org.currency))
}

/// The order `id` with the product list, or an empty editor when `id` is `None`.
#[server(endpoint = "get_order_editor")]
pub async fn get_order_editor(id: Option<OrderId>) -> Result<OrderEditorView, AppError> {
    use crate::{backend::directory::orders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let (today, currency) = organisation(&state).await?;
    let order = match id {
        Some(id) => Some(orders::get_order(&state.db, id).await?),
        None => None,
    };
    Ok(OrderEditorView {
        order,
        products: crate::backend::directory::order_store::product_choices(&state.db).await?,
        currency,
        today,
        can_edit: user.can(Role::Billing),
    })
}

/// Accounts for the editor's account picker.
#[server(endpoint = "find_accounts")]
pub async fn find_accounts(search: String) -> Result<Vec<AccountChoice>, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Viewer)?;
    Ok(crate::backend::directory::order_store::account_choices(&state.db, &search, 20).await?)
}

/// Creates the order (`id` is `None`) or replaces it; returns its id.
#[server(endpoint = "save_order", input = Json)]
pub async fn save_order(id: Option<OrderId>, input: OrderInput) -> Result<OrderId, AppError> {
    use crate::{backend::directory::orders, domain::role::Role};
    let (state, user) = super::guard::require(Role::Billing)?;
    let now = state.clock.now();
    let id = match id {
        None => orders::create_order(&state.db, now, &input).await?,
        Some(id) => {
            orders::update_order(&state.db, now, id, &input).await?;
            id
        }
    };
    tracing::info!(order_id = %id, user_id = %user.id, "order saved");
    Ok(id)
}

/// The dry run: every problem in the file, and what it would create. Writes nothing.
#[server(endpoint = "check_order_import", input = Json)]
pub async fn check_order_import(csv: String) -> Result<ImportReport, AppError> {
    let (state, _) = super::guard::require(crate::domain::role::Role::Billing)?;
    let (_, currency) = organisation(&state).await?;
    Ok(crate::backend::directory::order_import::check(&state.db, &csv, &currency).await?)
}

/// Imports a clean file in one transaction; a file with problems imports nothing.
#[server(endpoint = "import_orders", input = Json)]
pub async fn import_orders(csv: String) -> Result<ImportReport, AppError> {
    let (state, user) = super::guard::require(crate::domain::role::Role::Billing)?;
    let (_, currency) = organisation(&state).await?;
    let report = crate::backend::directory::order_import::import(&state.db, state.clock.now(), &csv, &currency).await?;
    tracing::info!(user_id = %user.id, imported = report.imported, orders = report.orders, "order import");
    Ok(report)
}
