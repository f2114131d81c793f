//! The staff shell: navigation, the signed-in user, sign-out.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::{A, Outlet};

use crate::api::session::{SignOut, get_current_user};

#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    view! { <li><A href=href exact=true>{label}</A></li> }
}

#[component]
pub fn StaffLayout() -> impl IntoView {
    let user = OnceResource::new(get_current_user());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="app">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <aside class="sidebar">
                <a class="brand" href="/">
                    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#1d4ed8"/>
                        <path d="M9 23V9h8a5 5 0 0 1 0 10h-8" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/>
                    </svg>
                    <span>"Pressrun"</span>
                </a>
                <nav aria-label="Main">
                    <ul class="nav">
                        <NavLink href="/" label="Dashboard"/>
                    </ul>
                    <p class="nav-group" id="nav-accounting">"Accounting"</p>
                    <ul class="nav" aria-labelledby="nav-accounting">
                        <NavLink href="/accounting/billable-line-items" label="Billable Line Items"/>
                        <NavLink href="/accounting/invoices" label="Invoices"/>
                        <NavLink href="/accounting/payments" label="Payments"/>
                        <NavLink href="/accounting/aging" label="Aging"/>
                        <NavLink href="/accounting/billing-calendar" label="Billing Calendar"/>
                    </ul>
                    <p class="nav-group" id="nav-automation">"Automation"</p>
                    <ul class="nav" aria-labelledby="nav-automation">
                        <NavLink href="/automation/accounting" label="Accounting"/>
                        <NavLink href="/automation/campaigns" label="Campaigns"/>
                    </ul>
                    <p class="nav-group" id="nav-records">"Records"</p>
                    <ul class="nav" aria-labelledby="nav-records">
                        <NavLink href="/accounts" label="Accounts"/>
                        <NavLink href="/products" label="Products"/>
                        <NavLink href="/orders" label="Orders"/>
                        <NavLink href="/settings" label="Settings"/>
                    </ul>
                </nav>
            </aside>
            <div class="workspace">
                <header class="topbar">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(Some(u)) => view! {
                                    <div class="who">
                                        <span class="avatar" aria-hidden="true">{u.name.chars().next().unwrap_or('?').to_string()}</span>
                                        <span class="who-name">{u.name.clone()}</span>
                                        <span class="badge">{u.role.label()}</span>
                                    </div>
                                }.into_any(),
                                _ => view! { <a href="/sign-in">"Sign in"</a> }.into_any(),
                            }
                        })}
                    </Suspense>
                    <ActionForm action=sign_out attr:class="sign-out">
                        <button type="submit" class="button button-ghost">"Sign out"</button>
                    </ActionForm>
                </header>
                <main id="main" class="content" tabindex="-1">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
