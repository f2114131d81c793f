//! The product editor. Strings in, as an HTML form sends them; field errors out.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{api::AppError, domain::ids::ProductId, views::accounts::ProductDetail};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductEditorView {
    /// `None` on the new-product page.
    pub product: Option<ProductDetail>,
    pub currency: String,
    /// Today in the organisation's zone: the rule preview's reference day.
    pub today: chrono::NaiveDate,
    pub can_edit: bool,
}

#[server(endpoint = "get_product_editor")]
pub async fn get_product_editor(id: Option<ProductId>) -> Result<ProductEditorView, AppError> {
    use crate::{
        backend::{directory::products, platform::clock::parse_time_zone},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let product = match id {
        Some(id) => Some(products::get_product(&state.db, id).await?),
        None => None,
    };
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let today = state.clock.today_in(parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC));
    Ok(ProductEditorView { product, currency: org.currency, today, can_edit: user.can(Role::Admin) })
}

/// Check boxes (`active`, `auto_invoice`) are present when ticked. Saving a new product
/// (`id` empty) leads to its page.
#[server(endpoint = "save_product")]
pub async fn save_product(
    id: String,
    name: String,
    code: String,
    category: String,
    unit_price: String,
    tax_rate: String,
    active: Option<String>,
    billing_rule: String,
    rule_days: String,
    auto_invoice: Option<String>,
    ignore_before: String,
) -> Result<ProductId, AppError> {
    use rust_decimal::Decimal;

    use crate::{
        backend::{ServiceError, directory::products},
        domain::{money::parse_amount, product_input::ProductInput, role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let mut errors = Vec::new();
    let mut amount = |field: &str, text: &str| {
        parse_amount(text.trim_end_matches('%')).unwrap_or_else(|e| {
            errors.push(FieldError::new(field, e));
            Decimal::ZERO
        })
    };
    let unit_price = amount("unit_price", &unit_price);
    let tax_rate = if tax_rate.trim().is_empty() { Decimal::ZERO } else { amount("tax_rate", &tax_rate) };
    let needs_days = matches!(billing_rule.as_str(), "days_before" | "days_after");
    let rule_days = if needs_days {
        rule_days.trim().parse::<i64>().unwrap_or_else(|_| {
            errors.push(FieldError::new("rule_days", "Enter the number of days as a whole number, like 5."));
            0
        })
    } else {
        0
    };
    let ignore_before = match ignore_before.trim() {
        "" => None,
        s => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).unwrap_or_else(|_| {
            errors.push(FieldError::new("ignore_before", "Enter a date as YYYY-MM-DD, or leave it empty."));
            None
        }),
    };
    let ticked = |v: Option<String>| v.is_some_and(|v| !v.is_empty() && v != "false");
    let input = ProductInput {
        name,
        code,
        category,
        unit_price,
        tax_rate,
        active: ticked(active),
        billing_rule,
        rule_days,
        auto_invoice: ticked(auto_invoice),
        ignore_before,
    };
    if !errors.is_empty() {
        if let Err(more) = input.normalised() {
            let more: Vec<_> = more.into_iter().filter(|e| !errors.iter().any(|f| f.field == e.field)).collect();
            errors.extend(more);
        }
        return Err(ServiceError::Invalid(errors).into());
    }
    let now = state.clock.now();
    match id.trim() {
        "" => {
            let id = products::create_product(&state.db, now, &input).await?;
            tracing::info!(product_id = %id, user_id = %user.id, "product created in the editor");
            leptos_axum::redirect(&format!("/products/{id}"));
            Ok(id)
        }
        s => {
            let id = s.parse::<ProductId>().map_err(|_| AppError::from(ServiceError::NotFound("product")))?;
            products::update_product(&state.db, now, id, &input).await?;
            Ok(id)
        }
    }
}
