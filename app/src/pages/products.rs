use leptos::prelude::*;

use super::{
    common::{ErrorNotice, Loading, PageHeader},
    format,
};
use crate::api::directory::list_products;

#[component]
pub fn ProductsPage() -> impl IntoView {
    let products = OnceResource::new(list_products());
    view! {
        <PageHeader title="Products" subtitle="What you sell, and when each line item becomes billable.">
            <leptos_router::components::A href="/rules" attr:class="button button-secondary">"Manage Rules"</leptos_router::components::A>
            <leptos_router::components::A href="/products/new" attr:class="button button-primary">"New product"</leptos_router::components::A>
        </PageHeader>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match products.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="muted card">"No products yet."</p> }.into_any(),
                    Ok(list) => {
                        let currency = list.currency.clone();
                        let rows = list.items.iter().map(|p| { let name = p.name.clone(); view! {
                            <tr>
                                <th scope="row"><leptos_router::components::A href=format!("/products/{}", p.id)>{name}</leptos_router::components::A><span class="muted small">{format!(" {}", p.code)}</span></th>
                                <td>{p.category.clone()}</td>
                                <td>{p.rule.label()}</td>
                                <td>{if p.auto_invoice { "On" } else { "Off" }}</td>
                                <td>{format::opt_date(p.ignore_before)}</td>
                                <td class="num">{format::money(p.unit_price, &currency)}</td>
                                <td class="num">{format!("{}%", p.tax_rate.normalize())}</td>
                                <td class="num">{format::count(p.line_items)}</td>
                            </tr>
                        }}).collect_view();
                        view! {
                            <div class="table-wrap card">
                                <table class="table">
                                    <caption class="visually-hidden">"Products"</caption>
                                    <thead><tr>
                                        <th scope="col">"Product"</th><th scope="col">"Category"</th><th scope="col">"Billing rule"</th>
                                        <th scope="col">"Auto-invoice"</th><th scope="col">"Ignore line items before"</th>
                                        <th scope="col" class="num">"Unit price"</th><th scope="col" class="num">"Tax"</th>
                                        <th scope="col" class="num">"Line items"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
