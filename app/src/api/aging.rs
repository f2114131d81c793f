//! Accounting > Aging.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::views::aging::AgingQuery;
use crate::{
    api::AppError,
    domain::ids::AccountId,
    views::aging::{AgingAccount, AgingReport},
};

/// Accounts listed on the page; the totals and the CSV cover all of them.
pub const ROWS_ON_PAGE: usize = 500;

/// Days the aging can be run for: wide enough for any real ledger, narrow enough that bucket
/// arithmetic never leaves the calendar.
#[cfg(feature = "ssr")]
const EARLIEST: (i32, u32, u32) = (1970, 1, 1);
#[cfg(feature = "ssr")]
const LATEST: (i32, u32, u32) = (2199, 12, 31);

/// The day the view is for: the query's, or today in the organisation's zone.
#[cfg(feature = "ssr")]
fn as_of(typed: &str, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, crate::backend::ServiceError> {
    use crate::{backend::ServiceError, domain::settings::FieldError};
    use chrono::NaiveDate;
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(today);
    }
    let invalid = |m: &str| ServiceError::Invalid(vec![FieldError::new("as_of", m)]);
    let day = NaiveDate::parse_from_str(typed, "%Y-%m-%d").map_err(|_| invalid("Enter a date as YYYY-MM-DD."))?;
    let range = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar day");
    if day < range(EARLIEST) || day > range(LATEST) {
        return Err(invalid("Choose a day between 1970 and 2199."));
    }
    Ok(day)
}

/// The report for a page's query string (`as_of`, `q`, `kind`, `sort`, `account`).
#[server(endpoint = "get_aging")]
pub async fn get_aging(query: String) -> Result<AgingReport, AppError> {
    use crate::domain::role::Role;
    let (state, _user) = super::guard::require(Role::Viewer)?;
    let pairs = super::billable::query_pairs(&query);
    let query = AgingQuery::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
    Ok(aging_report(&state, &query, Some(ROWS_ON_PAGE)).await?)
}

/// The report the page shows and the CSV download writes, for a parsed query.
#[cfg(feature = "ssr")]
pub async fn aging_report(
    state: &crate::backend::AppState,
    query: &AgingQuery,
    limit: Option<usize>,
) -> Result<AgingReport, crate::backend::ServiceError> {
    use crate::backend::{ServiceError, platform, reports::aging};
    let org = platform::organisation::load(&state.db).await?;
    let tz = platform::clock::parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    let today = state.clock.today_in(tz);
    let day = as_of(&query.as_of, today)?;
    aging::report(&state.db, day, today, org.currency, query, limit).await.map_err(ServiceError::from)
}

#[server(endpoint = "get_aging_account")]
pub async fn get_aging_account(account_id: AccountId, as_of_day: String) -> Result<AgingAccount, AppError> {
    use crate::{
        backend::{ServiceError, reports::aging},
        domain::role::Role,
    };
    let (state, _user) = super::guard::require(Role::Viewer)?;
    let (today, currency, _tz) = super::invoices::today_and_currency(&state).await?;
    let day = as_of(&as_of_day, today)?;
    let account = aging::account_name(&state.db, account_id).await?.ok_or(ServiceError::NotFound("account"))?;
    let invoices = aging::account_invoices(&state.db, account_id, day).await?;
    // The whole day's aging, for one account's credit: the same rule as the report's row.
    let unapplied_credit =
        aging::by_account(&state.db, day).await?.remove(&account_id).map(|a| a.unapplied_credit).unwrap_or_default();
    Ok(AgingAccount { account_id, account, as_of: day, currency, invoices, unapplied_credit })
}
