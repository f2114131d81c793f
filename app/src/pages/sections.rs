//! Sections whose features arrive with later work. Each says what will appear there.

use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{EmptyState, PageHeader};

#[component]
pub fn PaymentsPage() -> impl IntoView {
    view! {
        <PageHeader title="Payments" subtitle="Money received, online and by hand."/>
        <EmptyState title="No payments yet">
            <p>"Payments that clients make from the Pay Online page, and checks, ACH, wires or cash you record by hand, "
               "will be listed here with the invoices they paid and any account credit left over."</p>
        </EmptyState>
    }
}

#[component]
pub fn AutomationAccountingPage() -> impl IntoView {
    view! {
        <PageHeader title="Automation: Accounting" subtitle="Auto-invoicing and past-due reminders."/>
        <div class="grid-2">
            <EmptyState title="Auto-Invoice">
                <p>"Choose which products invoice themselves when their billable date comes, whether invoices are only "
                   "generated or also emailed — at once, after review, or in scheduled batches — and the email template used."</p>
                <p><A href="/rules" attr:class="button button-secondary">"Manage Rules"</A></p>
            </EmptyState>
            <EmptyState title="Past Due Reminders">
                <p>"Reminders sent at the days past due you choose (for example 7, 30 and 90), each with its own template, "
                   "and only while an invoice is still owed."</p>
            </EmptyState>
        </div>
    }
}

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
