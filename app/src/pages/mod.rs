//! Pages and the routes that reach them.

mod account_editor;
mod accounts;
mod aging;
mod automation;
mod billable;
mod calendar;
mod charts;
mod common;
mod dashboard;
mod deliveries;
mod form_fields;
pub use crate::domain::format;
mod invoice_draft;
mod invoices;
mod layout;
mod mail_settings;
mod order_editor;
mod order_import;
mod orders;
mod payments;
mod product_editor;
mod products;
mod reminders;
mod rules;
mod settings;
mod sign_in;
mod template_editor;
mod templates;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Pressrun".to_string() } else { format!("{page} · Pressrun") }/>
        <Router>
            <Routes fallback=|| view! { <common::NotFound/> }>
                <Route path=path!("/sign-in") view=sign_in::SignInPage/>
                <ParentRoute path=path!("") view=layout::StaffLayout>
                    <Route path=path!("") view=dashboard::DashboardPage/>
                    <Route path=path!("accounting/billable-line-items") view=billable::BillableLineItemsPage/>
                    <Route path=path!("accounting/invoices") view=invoices::InvoicesPage/>
                    // Rendered whole before sending, so a missing invoice can answer 404.
                    <Route path=path!("accounting/invoices/:id") view=invoices::InvoicePage ssr=SsrMode::Async/>
                    <Route path=path!("accounting/payments") view=payments::PaymentsPage/>
                    <Route path=path!("accounting/aging") view=aging::AgingPage/>
                    <Route path=path!("accounting/billing-calendar") view=calendar::BillingCalendarPage/>
                    <Route path=path!("accounting/payments/new") view=payments::RecordPaymentPage/>
                    <Route path=path!("automation/accounting") view=automation::AutomationAccountingPage/>
                    <Route path=path!("automation/reminders") view=reminders::RemindersPage/>
                    <Route path=path!("automation/campaigns") view=templates::CampaignsPage/>
                    <Route path=path!("automation/campaigns/templates/new") view=template_editor::TemplateEditorPage/>
                    <Route path=path!("automation/campaigns/templates/:id") view=template_editor::TemplateEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("accounts") view=accounts::AccountsPage/>
                    <Route path=path!("accounts/new") view=account_editor::AccountEditorPage/>
                    <Route path=path!("accounts/:id") view=account_editor::AccountEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("products") view=products::ProductsPage/>
                    <Route path=path!("products/new") view=product_editor::ProductEditorPage/>
                    <Route path=path!("products/:id") view=product_editor::ProductEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("rules") view=rules::RulesPage/>
                    <Route path=path!("orders") view=orders::OrdersPage/>
                    <Route path=path!("orders/new") view=order_editor::NewOrderPage/>
                    <Route path=path!("orders/import") view=order_import::ImportOrdersPage/>
                    // Rendered whole before sending, so a missing order can answer 404.
                    <Route path=path!("orders/:id") view=order_editor::EditOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("settings") view=settings::SettingsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
