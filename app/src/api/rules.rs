//! Manage Rules: each product's billing rule, auto-invoice switch and ignore date.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{api::AppError, domain::ids::ProductId, views::common::ProductSummary};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesView {
    pub products: Vec<ProductSummary>,
    /// Today in the organisation's zone: the preview's reference day.
    pub today: chrono::NaiveDate,
    pub can_edit: bool,
}

#[server(endpoint = "get_rules")]
pub async fn get_rules() -> Result<RulesView, AppError> {
    use crate::{
        backend::{directory::lists as directory, platform::clock::parse_time_zone},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let today = state.clock.today_in(parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC));
    Ok(RulesView { products: directory::products(&state.db).await?, today, can_edit: user.can(Role::Admin) })
}

/// Strings in, field errors out: `rule` is a rule kind, `days` a whole number (ignored by rules
/// without days), `ignore_before` a date or empty, `auto_invoice` present when ticked.
#[server(endpoint = "save_product_rule")]
pub async fn save_product_rule(
    product_id: ProductId,
    rule: String,
    days: String,
    ignore_before: String,
    auto_invoice: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, directory::product_store as products},
        domain::{billing_rule::BillingRule, role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    let mut errors = Vec::new();
    let needs_days = matches!(rule.as_str(), "days_before" | "days_after");
    let day_count = if needs_days {
        match days.trim().parse::<i64>() {
            Ok(d) => d,
            Err(_) => {
                errors.push(FieldError::new("days", "Enter the number of days as a whole number, like 5."));
                0
            }
        }
    } else {
        0
    };
    let parsed_rule = match BillingRule::from_parts(&rule, day_count) {
        Ok(r) => Some(r),
        Err(e) => {
            let field = if needs_days { "days" } else { "rule" };
            if errors.is_empty() {
                errors.push(FieldError::new(field, e));
            }
            None
        }
    };
    let ignore = match ignore_before.trim() {
        "" => None,
        s => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("ignore_before", "Enter a date as YYYY-MM-DD, or leave it empty."));
                None
            }
        },
    };
    let Some(parsed_rule) = parsed_rule.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors).into());
    };
    let auto = auto_invoice.is_some_and(|v| !v.is_empty() && v != "false");
    products::save_rule(&state.db, product_id, parsed_rule, ignore, auto, state.clock.now()).await?;
    tracing::info!(%product_id, user_id = %user.id, rule = %parsed_rule.label(), auto, "billing rule saved");
    Ok(())
}

/// What saving `rule` / `days` for a product would change, before Save. Invalid input answers
/// "nothing to show" (`None`): the form's own validation speaks on Save.
#[server(endpoint = "preview_rule_change")]
pub async fn preview_rule_change(
    product_id: ProductId,
    rule: String,
    days: String,
) -> Result<Option<crate::domain::rule_change::RuleChangeEffect>, AppError> {
    use crate::{
        backend::invoicing::billable,
        domain::{billing_rule::BillingRule, role::Role, rule_change},
    };
    let (state, _user) = super::guard::require(Role::Viewer)?;
    let day_count = if matches!(rule.as_str(), "days_before" | "days_after") {
        match days.trim().parse::<i64>() {
            Ok(d) => d,
            Err(_) => return Ok(None),
        }
    } else {
        0
    };
    let Ok(new_rule) = BillingRule::from_parts(&rule, day_count) else { return Ok(None) };
    let today = crate::backend::platform::organisation::today(&state.db, state.clock.now()).await?;
    let items = billable::product_timings(&state.db, product_id).await?;
    Ok(Some(rule_change::effect(&items, new_rule, today)))
}
