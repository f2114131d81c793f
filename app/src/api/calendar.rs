//! Accounting > Billing Calendar.

use leptos::prelude::*;

use crate::{api::AppError, views::calendar::BillingCalendar};

/// `month` as `YYYY-MM` (this month when empty); `day` as `YYYY-MM-DD` within it, or empty.
#[server(endpoint = "get_billing_calendar")]
pub async fn get_billing_calendar(month: String, day: String) -> Result<BillingCalendar, AppError> {
    use crate::{
        backend::{ServiceError, reports::calendar},
        domain::{role::Role, settings::FieldError},
    };
    use chrono::{Datelike, NaiveDate};
    let (state, _user) = super::guard::require(Role::Viewer)?;
    let (today, currency, _tz) = super::invoices::today_and_currency(&state).await?;
    let invalid = |field: &str, m: &str| AppError::from(ServiceError::Invalid(vec![FieldError::new(field, m)]));
    let in_range = |d: NaiveDate| (1970..=2199).contains(&d.year());
    let month = match month.trim() {
        "" => today,
        m => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| in_range(*d))
            .ok_or_else(|| invalid("month", "Choose a month as YYYY-MM between 1970 and 2199."))?,
    };
    let (first, last) = calendar::month_span(month);
    let day = match day.trim() {
        "" => None,
        d => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .filter(|d| *d >= first && *d <= last)
                .ok_or_else(|| invalid("day", "Choose a day of the month shown."))?,
        ),
    };
    Ok(calendar::month(&state.db, first, day, today, currency).await?)
}
