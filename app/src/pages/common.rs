//! Small building blocks used across pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::AppError;

#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] subtitle: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <header class="page-header">
            <div>
                <h1>{title}</h1>
                {subtitle.map(|s| view! { <p class="subtitle">{s}</p> })}
            </div>
            <div class="page-actions">{children.map(|c| c())}</div>
        </header>
    }
}

/// What a section will show once it has data, so an empty screen still explains itself.
#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state" aria-label=title>
            <svg class="empty-icon" viewBox="0 0 48 48" aria-hidden="true">
                <rect x="8" y="6" width="32" height="36" rx="4" fill="none" stroke="currentColor" stroke-width="2.5"/>
                <path d="M16 16h16M16 24h16M16 32h10" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/>
            </svg>
            <h2>{title}</h2>
            <div class="empty-body">{children()}</div>
        </section>
    }
}

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let signed_out = matches!(error, AppError::Unauthenticated);
    view! {
        <div class="notice notice-error" role="alert">
            <span>{error.to_string()}</span>
            {signed_out.then(|| view! { " " <a href="/sign-in">"Sign in"</a> })}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>"Loading…"</div> }
}

/// Previous / next links around a page-position label; a missing link shows disabled.
#[component]
pub fn PagerLinks(info: String, prev: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="pager-info">{info}</span>
            {match prev {
                Some(h) => view! { <A href=h attr:class="button button-secondary">"← Previous"</A> }.into_any(),
                None => view! { <span class="button button-secondary" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            {match next {
                Some(h) => view! { <A href=h attr:class="button button-secondary">"Next →"</A> }.into_any(),
                None => view! { <span class="button button-secondary" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
}

/// Previous / next links that keep the search term.
#[component]
pub fn Pager(base: &'static str, search: String, page: i64, page_count: i64, total: i64) -> impl IntoView {
    let q = super::format::query_value(&search);
    let href = move |p: i64| format!("{base}?q={q}&page={p}");
    let info = format!("Page {page} of {page_count} · {} total", super::format::count(total));
    view! { <PagerLinks info=info prev=(page > 1).then(|| href(page - 1)) next=(page < page_count).then(|| href(page + 1))/> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="standalone">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
                <p><a href="/">"Go to the dashboard"</a></p>
            </div>
        </main>
    }
}

/// Reads `q` and `page` from the URL.
pub fn search_and_page() -> (Memo<String>, Memo<i64>) {
    let query = leptos_router::hooks::use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1));
    (search, page)
}

/// A GET search form: the query lives in the URL, so results can be bookmarked and shared.
#[component]
pub fn SearchBox(base: &'static str, label: &'static str, search: Memo<String>) -> impl IntoView {
    view! {
        <leptos_router::components::Form method="GET" action=base attr:class="search" attr:role="search">
            <label for="search" class="visually-hidden">{label}</label>
            <input id="search" type="search" name="q" placeholder=label prop:value=move || search.get()/>
            <button type="submit" class="button button-secondary">"Search"</button>
        </leptos_router::components::Form>
    }
}
