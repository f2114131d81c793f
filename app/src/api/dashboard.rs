use leptos::prelude::*;

use crate::{api::AppError, views::common::DashboardSummary};

#[server(endpoint = "get_dashboard")]
pub async fn get_dashboard() -> Result<DashboardSummary, AppError> {
    use crate::backend::{platform::clock::parse_time_zone, reports::dashboard};
    use crate::domain::role::Role;
    use rust_decimal::Decimal;

    let (state, _user) = super::guard::require(Role::Viewer)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let tz = parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
    let today = state.clock.today_in(tz);
    let counts = dashboard::counts(&state.db).await?;
    let weeks = dashboard::booked_by_week(&state.db, today, 13).await?;
    let booked_next_90_days = weeks.iter().map(|w| w.amount).sum::<Decimal>();
    let collections = crate::backend::reports::collections::summary(&state.db, today, state.clock.now(), 12).await?;
    Ok(DashboardSummary {
        organisation: org.name,
        currency: org.currency,
        today,
        accounts: counts.accounts,
        products: counts.products,
        orders: counts.orders,
        line_items: counts.line_items,
        accounts_without_recipient: counts.accounts_without_recipient,
        booked_next_90_days,
        weeks,
        collections,
    })
}
