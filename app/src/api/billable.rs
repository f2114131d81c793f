//! Billable Line Items: the list, and Invoice Selected.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::ids::{AccountId, LineItemId};
use crate::{
    api::AppError,
    views::billable::{BillableView, InvoiceSelectedResult},
};

pub const PER_PAGE: i64 = 50;

/// Splits a URL query string into its decoded pairs.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned().collect()
}

pub fn filter_from_query(query: &str) -> crate::views::billable::BillableFilter {
    let pairs = query_pairs(query);
    crate::views::billable::BillableFilter::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()))
}

#[server(endpoint = "get_billable")]
pub async fn get_billable(query: String) -> Result<BillableView, AppError> {
    use crate::{
        backend::{invoicing::billable, platform::clock::parse_time_zone},
        domain::role::Role,
    };
    let (state, user) = super::guard::require(Role::Viewer)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let today = state.clock.today_in(parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC));
    let filter = filter_from_query(&query);
    let rows = billable::page(&state.db, &filter, today, PER_PAGE).await?;
    let counts = billable::counts(&state.db, &filter, today).await?;
    Ok(BillableView {
        rows,
        counts,
        currency: org.currency,
        today,
        accounts: billable::account_choices(&state.db).await?,
        products: billable::product_choices(&state.db).await?,
        can_invoice: user.can(Role::Billing),
        filter,
    })
}

/// `ids` is a comma-separated list; with `all_matching = "true"` every line item matching
/// `query` is invoiced instead. Dates are `YYYY-MM-DD`; an empty due date uses the terms.
/// `as_drafts` (the "Create as drafts" checkbox, sent only when ticked) makes unnumbered drafts.
#[server(endpoint = "invoice_selected")]
pub async fn invoice_selected(
    ids: String,
    all_matching: String,
    query: String,
    issue_date: String,
    due_date: String,
    #[server(default)] as_drafts: Option<String>,
    // `ready`: into Ready to send (and the next scheduled batch); `email`: emailed now through
    // the outbox; anything else: kept for review. Drafts are never sent.
    #[server(default)] then: Option<String>,
) -> Result<InvoiceSelectedResult, AppError> {
    use std::collections::HashMap;

    use chrono::NaiveDate;

    use crate::views::billable::CreatedInvoiceSummary;
    use crate::{
        backend::{
            ServiceError, invoicing::billable, invoicing::create::InvoiceRequest, invoicing::create::Source,
            invoicing::create::draft_line_items, invoicing::create::invoice_line_items,
            platform::clock::parse_time_zone,
        },
        domain::{role::Role, settings::FieldError},
    };
    let (state, user) = super::guard::require(Role::Billing)?;
    let org = crate::backend::platform::organisation::load(&state.db).await?;
    let today = state.clock.today_in(parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC));

    let mut errors = Vec::new();
    let parse_date =
        |field: &str, v: &str, errors: &mut Vec<FieldError>| match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD."));
                None
            }
        };
    let issue =
        if issue_date.trim().is_empty() { Some(today) } else { parse_date("issue_date", &issue_date, &mut errors) };
    let due = if due_date.trim().is_empty() { None } else { parse_date("due_date", &due_date, &mut errors) };
    let line_item_ids: Vec<LineItemId> = if all_matching == "true" {
        billable::matching_ids(&state.db, &filter_from_query(&query), today).await?
    } else {
        let parsed: Result<Vec<LineItemId>, _> =
            ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::parse::<LineItemId>).collect();
        match parsed {
            Ok(v) => v,
            Err(_) => {
                errors.push(FieldError::new("line_item_ids", "The selection could not be read; reload the page."));
                Vec::new()
            }
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors).into());
    }
    let req = InvoiceRequest {
        line_item_ids,
        issue_date: issue.unwrap_or(today),
        due_date: due,
        created_by: Some(user.id),
        actor: format!("{} ({})", user.name, user.email),
        source: Source::Manual,
        then: match then.as_deref().map(str::trim) {
            Some("ready") => crate::domain::delivery::AfterGenerate::MarkReady,
            Some("email") => crate::domain::delivery::AfterGenerate::QueueEmail,
            _ => crate::domain::delivery::AfterGenerate::Nothing,
        },
        email_template_id: crate::backend::invoicing::automation::get(&state.db).await?.template_id,
    };
    let names: HashMap<AccountId, String> =
        billable::account_choices(&state.db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let account = |id: AccountId| names.get(&id).cloned().unwrap_or_default();
    let now = state.clock.now();
    // Drafts and finalised invoices differ only in having a number yet; summarise both alike.
    let (made, already_invoiced, not_billable) =
        if matches!(as_drafts.as_deref().map(str::trim), Some("true" | "on" | "1")) {
            let out = draft_line_items(&state.db, now, &req).await?;
            let made: Vec<_> = out
                .created
                .into_iter()
                .map(|c| (c.id, c.bill_to_account_id, None, c.line_count, c.total, c.due_date))
                .collect();
            (made, out.already_invoiced, out.not_billable.len())
        } else {
            let out = invoice_line_items(&state.db, now, &req).await?;
            let made: Vec<_> = out
                .created
                .into_iter()
                .map(|c| (c.id, c.bill_to_account_id, Some(c.number), c.line_count, c.total, c.due_date))
                .collect();
            (made, out.already_invoiced, out.not_billable.len())
        };
    let payers: Vec<AccountId> = made.iter().map(|m| m.1).collect();
    let unreachable = crate::backend::directory::account_store::without_invoice_recipient(&state.db, &payers).await?;
    let created = made
        .into_iter()
        .map(|(id, payer, number, line_count, total, due_date)| CreatedInvoiceSummary {
            id,
            account_id: payer,
            missing_invoice_recipient: unreachable.contains(&payer),
            account: account(payer),
            number,
            line_count,
            total,
            due_date,
        })
        .collect();
    state.outbox_wake.notify_one();
    Ok(InvoiceSelectedResult { created, already_invoiced, not_billable, currency: org.currency })
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_queries() {
        let pairs = super::query_pairs("?status=now&q=a+b%26c&bad=%zz");
        assert_eq!(pairs[1], ("q".to_string(), "a b&c".to_string()));
        assert_eq!(pairs[2].1, "%zz");
    }
}
