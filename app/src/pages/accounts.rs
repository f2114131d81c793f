use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{ErrorNotice, Loading, PageHeader, Pager, SearchBox, search_and_page};
use crate::{api::directory::list_accounts, domain::terms::PaymentTerms};

#[component]
pub fn AccountsPage() -> impl IntoView {
    let (search, page) = search_and_page();
    let accounts = Resource::new(move || (search.get(), page.get()), |(q, p)| list_accounts(q, p));
    view! {
        <PageHeader title="Accounts" subtitle="Advertisers and agencies, and who receives their invoices.">
            <A href="/accounts/new" attr:class="button button-primary">"New account"</A>
        </PageHeader>
        <SearchBox base="/accounts" label="Search accounts by name" search=search/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match accounts.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <p class="muted card">{if search.get().is_empty() { "No accounts yet.".to_string() } else { format!("No account matches \"{}\".", search.get()) }}</p>
                    }.into_any(),
                    Ok(p) => {
                        let rows = p.items.iter().map(|a| {
                            let terms = a.terms_days
                                .and_then(|d| PaymentTerms::new(i64::from(d)).ok())
                                .map(|t| t.label())
                                .unwrap_or_else(|| "Default terms".into());
                            let missing = a.invoice_recipients == 0;
                            let name = a.name.clone();
                            view! {
                                <tr>
                                    <th scope="row"><A href=format!("/accounts/{}", a.id)>{name}</A></th>
                                    <td><span class=format!("badge badge-{}", a.kind)>{if a.kind == "agency" { "Agency" } else { "Advertiser" }}</span></td>
                                    <td>{a.bill_to.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{terms}</td>
                                    <td class="num">{a.contacts}</td>
                                    <td>{if missing {
                                        view! { <span class="badge badge-warning" title="Invoices for this account cannot be emailed until it (or the account it bills to) has a To contact">"No recipient"</span> }.into_any()
                                    } else {
                                        view! { <span>{a.invoice_recipients}</span> }.into_any()
                                    }}</td>
                                    <td class="num">{a.orders}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <div class="table-wrap card">
                                <table class="table">
                                    <caption class="visually-hidden">"Accounts"</caption>
                                    <thead><tr>
                                        <th scope="col">"Account"</th><th scope="col">"Type"</th><th scope="col">"Bills to"</th>
                                        <th scope="col">"Terms"</th><th scope="col" class="num">"Contacts"</th>
                                        <th scope="col">"Invoice recipients"</th><th scope="col" class="num">"Orders"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                            <Pager base="/accounts" search=search.get() page=p.page page_count=p.page_count() total=p.total/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
