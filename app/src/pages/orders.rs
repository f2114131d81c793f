use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    common::{ErrorNotice, Loading, PageHeader, Pager, SearchBox, search_and_page},
    format,
};
use crate::api::directory::list_orders;

#[component]
pub fn OrdersPage() -> impl IntoView {
    let (search, page) = search_and_page();
    let orders = Resource::new(move || (search.get(), page.get()), |(q, p)| list_orders(q, p));
    view! {
        <PageHeader title="Orders" subtitle="Insertion orders and the ads they book.">
            <A href="/orders/import" attr:class="button button-secondary">"Import CSV"</A>
            <A href="/orders/new" attr:class="button button-primary">"New order"</A>
        </PageHeader>
        <SearchBox base="/orders" label="Search by order number or account" search=search/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(r) if r.items.items.is_empty() => view! {
                        <p class="muted card">{if search.get().is_empty() { "No orders yet.".to_string() } else { format!("No order matches \"{}\".", search.get()) }}</p>
                    }.into_any(),
                    Ok(r) => {
                        let (currency, p) = (r.currency, r.items);
                        let rows = p.items.iter().map(|o| {
                            let runs = match (o.first_run, o.last_run) {
                                (Some(a), Some(b)) if a == b => format::date(a),
                                (Some(a), Some(b)) => format!("{} – {}", format::date(a), format::date(b)),
                                _ => "—".into(),
                            };
                            let number = o.order_number.clone();
                            view! {
                                <tr>
                                    <th scope="row"><A href=format!("/orders/{}", o.id)>{number}</A></th>
                                    <td>{o.account.clone()}</td>
                                    <td><span class=format!("badge badge-{}", o.status)>{status_label(&o.status)}</span></td>
                                    <td>{format::date(o.ordered_on)}</td>
                                    <td>{runs}</td>
                                    <td class="num">{o.line_items}</td>
                                    <td class="num">{format::money(o.amount, &currency)}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <div class="table-wrap card">
                                <table class="table">
                                    <caption class="visually-hidden">"Orders"</caption>
                                    <thead><tr>
                                        <th scope="col">"Order"</th><th scope="col">"Account"</th><th scope="col">"Status"</th>
                                        <th scope="col">"Ordered"</th><th scope="col">"Runs"</th>
                                        <th scope="col" class="num">"Line items"</th><th scope="col" class="num">"Amount"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                            <Pager base="/orders" search=search.get() page=p.page page_count=p.page_count() total=p.total/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "confirmed" => "Confirmed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}
