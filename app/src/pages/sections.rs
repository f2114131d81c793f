//! Sections whose features arrive with later work. Each says what will appear there.

use leptos::prelude::*;

use super::common::{EmptyState, PageHeader};

#[component]
pub fn CampaignsPage() -> impl IntoView {
    view! {
        <PageHeader title="Campaigns: Email Templates" subtitle="The emails Pressrun sends for you."/>
        <EmptyState title="No email templates yet">
            <p>"Templates for invoices, reminders, statements and receipts will be listed here, with merge fields such as the "
               "account name, invoice number and balance, and Special Links to the Pay Online and Unpaid Invoices pages."</p>
        </EmptyState>
    }
}
