//! Sections whose features arrive with later work. Each says what will appear there.

use leptos::prelude::*;

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
