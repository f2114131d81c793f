//! The order editor: an order's fields and its line items, with each line's amount and the
//! order total worked out in the browser by the same arithmetic the invoice uses.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};
use rust_decimal::Decimal;

use super::{
    common::{ErrorNotice, Loading},
    format,
};
use crate::{
    api::{
        AppError,
        error::field_error,
        orders::{SaveOrder, find_accounts, get_order_editor},
    },
    domain::{
        ids::{InvoiceId, LineItemId, OrderId, ProductId},
        order_input::{LineItemInput, OrderInput, OrderStatus, line_field, preview_amount},
    },
    views::orders::{AccountChoice, OrderEditorView, OrderLine, ProductChoice},
};

#[component]
pub fn NewOrderPage() -> impl IntoView {
    let data = OnceResource::new(get_order_editor(None));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <OrderForm view=v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditOrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<OrderId>().ok());
    // Each save navigates to a new `saved` value, which reloads the order as stored (with the
    // ids of lines just added, so saving again cannot add them twice).
    let saved = move || query.read().get("saved");
    let data = Resource::new(
        move || (id(), saved()),
        |(id, _)| async move {
            match id {
                Some(id) => get_order_editor(Some(id)).await,
                None => Err(AppError::NotFound("There is no such order.".into())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <super::common::NotFound/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <OrderForm view=v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One row of the line-items table. `key` survives adding and removing rows, so a field error
/// from the last save stays on the row it was about.
#[derive(Clone)]
struct Row {
    key: u64,
    id: Option<LineItemId>,
    /// The live invoice billing this line item: (id, number). Such a row is read-only.
    invoice: Option<(InvoiceId, String)>,
    product_id: RwSignal<ProductId>,
    run_date: RwSignal<String>,
    description: RwSignal<String>,
    quantity: RwSignal<String>,
    unit_price: RwSignal<String>,
    discount: RwSignal<String>,
}

impl Row {
    fn blank(key: u64, run_date: String) -> Row {
        Row {
            key,
            id: None,
            invoice: None,
            product_id: RwSignal::new(ProductId(0)),
            run_date: RwSignal::new(run_date),
            description: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            unit_price: RwSignal::new(String::new()),
            discount: RwSignal::new(String::new()),
        }
    }

    fn from_line(key: u64, l: &OrderLine) -> Row {
        let input = l.to_input();
        Row {
            key,
            id: Some(l.id),
            invoice: l.invoice_id.map(|id| (id, l.invoice_number.clone().unwrap_or_default())),
            product_id: RwSignal::new(l.product_id),
            run_date: RwSignal::new(input.run_date),
            description: RwSignal::new(input.description),
            quantity: RwSignal::new(input.quantity),
            unit_price: RwSignal::new(input.unit_price),
            discount: RwSignal::new(input.discount),
        }
    }

    fn input(&self) -> LineItemInput {
        LineItemInput {
            id: self.id,
            product_id: self.product_id.get(),
            run_date: self.run_date.get(),
            description: self.description.get(),
            quantity: self.quantity.get(),
            unit_price: self.unit_price.get(),
            discount: self.discount.get(),
        }
    }
}

fn price_text(d: Decimal) -> String {
    let n = d.normalize();
    if n.scale() < 2 { format!("{:.2}", n) } else { n.to_string() }
}

#[component]
fn OrderForm(view: OrderEditorView) -> impl IntoView {
    let OrderEditorView { order, products, currency, today, can_edit } = view;
    let order_id = order.as_ref().map(|o| o.id);
    let title = order.as_ref().map(|o| format!("Order {}", o.order_number)).unwrap_or_else(|| "New order".into());
    let saved_notice = use_query_map().read_untracked().get("saved").is_some();
    let products = StoredValue::new(products);
    let currency = StoredValue::new(currency);

    let account = RwSignal::new(order.as_ref().map(|o| AccountChoice {
        id: o.account_id,
        name: o.account.clone(),
        external_ref: None,
    }));
    let order_number = RwSignal::new(order.as_ref().map(|o| o.order_number.clone()).unwrap_or_default());
    let status = RwSignal::new(order.as_ref().map(|o| o.status).unwrap_or(OrderStatus::Draft).as_str().to_string());
    let ordered_on = RwSignal::new(order.as_ref().map(|o| o.ordered_on).unwrap_or(today).to_string());
    let notes = RwSignal::new(order.as_ref().map(|o| o.notes.clone()).unwrap_or_default());
    let external_ref = RwSignal::new(order.as_ref().and_then(|o| o.external_ref.clone()).unwrap_or_default());
    let next_key = StoredValue::new(0u64);
    let new_key = move || {
        let k = next_key.get_value();
        next_key.set_value(k + 1);
        k
    };
    let initial: Vec<Row> = match &order {
        Some(o) => o.lines.iter().map(|l| Row::from_line(new_key(), l)).collect(),
        None => vec![Row::blank(new_key(), today.to_string())],
    };
    let rows = RwSignal::new(initial);
    let any_locked = order.as_ref().is_some_and(|o| o.lines.iter().any(OrderLine::is_locked));

    let save = ServerAction::<SaveOrder>::new();
    let result: Signal<Option<Result<OrderId, AppError>>> = save.value().into();
    // Row keys in the order they were sent, to map `lines[i]` errors back to rows.
    let sent_keys = RwSignal::new(Vec::<u64>::new());
    let line_error = move |key: u64, field: &str| {
        let i = sent_keys.read().iter().position(|k| *k == key)?;
        field_error(&result.get(), &line_field(i, field))
    };
    let error = move |field: &str| field_error(&result.get(), field);
    let general = move || match result.get() {
        Some(Err(AppError::Invalid(_))) => {
            Some("Please correct the highlighted fields; nothing was saved.".to_string())
        }
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let navigate = use_navigate();
    let saved_count =
        use_query_map().read_untracked().get("saved").and_then(|v| v.parse::<u64>().ok()).unwrap_or_default();
    Effect::new(move |_| {
        if let Some(Ok(id)) = result.get() {
            navigate(&format!("/orders/{id}?saved={}", saved_count + 1), Default::default());
        }
    });

    let price_of = move |id: ProductId| products.with_value(|ps| ps.iter().find(|p| p.id == id).map(|p| p.unit_price));
    let amount = move |r: &Row| preview_amount(&r.input(), price_of(r.product_id.get()));
    let total = move || rows.get().iter().filter_map(amount).sum::<Decimal>();
    let money = move |d: Decimal| currency.with_value(|c| format::money(d, c));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !can_edit {
            return;
        }
        let current = rows.get_untracked();
        sent_keys.set(current.iter().map(|r| r.key).collect());
        let input = OrderInput {
            account_id: account.get_untracked().map(|a| a.id).unwrap_or_default(),
            order_number: order_number.get_untracked(),
            status: status.get_untracked(),
            ordered_on: ordered_on.get_untracked(),
            notes: notes.get_untracked(),
            external_ref: external_ref.get_untracked(),
            lines: current.iter().map(|r| r.input()).collect(),
        };
        save.dispatch(SaveOrder { id: order_id, input });
    };
    let add_row = move |_| {
        let run = rows.with_untracked(|rs| rs.last().map(|r| r.run_date.get_untracked())).unwrap_or_default();
        rows.update(|rs| rs.push(Row::blank(new_key(), run)));
    };

    let order_section = view! {
            <section class="card" aria-labelledby="order-heading">
                <h2 id="order-heading">"Order"</h2>
                <div class="grid-2">
                    <AccountPicker account=account error=Signal::derive(move || error("account_id")) disabled=!can_edit/>
                    <div class="field">
                        <label for="order_number">"Order number"</label>
                        <input id="order_number" prop:value=move || order_number.get() disabled=!can_edit
                            on:input=move |ev| order_number.set(event_target_value(&ev))
                            placeholder="Leave blank for the next ORD- number"
                            aria-invalid=move || error("order_number").is_some().to_string()
                            aria-describedby="order_number-error"/>
                        <p class="field-error" id="order_number-error">{move || error("order_number")}</p>
                    </div>
                    <div class="field">
                        <label for="status">"Status"</label>
                        <select id="status" disabled=!can_edit on:change=move |ev| status.set(event_target_value(&ev))
                            aria-describedby="status-hint status-error">
                            {OrderStatus::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=move || status.get() == s.as_str()>{s.label()}</option>
                            }).collect_view()}
                        </select>
                        <p class="hint" id="status-hint">"Only confirmed orders become billable."</p>
                        <p class="field-error" id="status-error">{move || error("status")}</p>
                    </div>
                    <div class="field">
                        <label for="ordered_on">"Ordered on"</label>
                        <input id="ordered_on" type="date" prop:value=move || ordered_on.get() disabled=!can_edit
                            on:input=move |ev| ordered_on.set(event_target_value(&ev))
                            aria-invalid=move || error("ordered_on").is_some().to_string()
                            aria-describedby="ordered_on-error"/>
                        <p class="field-error" id="ordered_on-error">{move || error("ordered_on")}</p>
                    </div>
                    <div class="field">
                        <label for="external_ref">"External reference"</label>
                        <input id="external_ref" prop:value=move || external_ref.get() disabled=!can_edit
                            on:input=move |ev| external_ref.set(event_target_value(&ev))
                            aria-invalid=move || error("external_ref").is_some().to_string()
                            aria-describedby="external_ref-hint external_ref-error"/>
                        <p class="hint" id="external_ref-hint">"The order's id in your ad-booking system, if any."</p>
                        <p class="field-error" id="external_ref-error">{move || error("external_ref")}</p>
                    </div>
                    <div class="field span-2">
                        <label for="notes">"Notes"</label>
                        <textarea id="notes" rows="2" prop:value=move || notes.get() disabled=!can_edit
                            on:input=move |ev| notes.set(event_target_value(&ev)) aria-describedby="notes-error"></textarea>
                        <p class="field-error" id="notes-error">{move || error("notes")}</p>
                    </div>
                </div>
            </section>
    }
    .into_any();
    let lines_section = view! {
        <section class="card" aria-labelledby="lines-heading">
                <h2 id="lines-heading">"Line items"</h2>
                <p class="field-error" role="alert">{move || error("lines")}</p>
                <div class="table-wrap">
                    <table class="table line-items">
                        <thead><tr>
                            <th scope="col">"Product"</th><th scope="col">"Run date"</th><th scope="col">"Description"</th>
                            <th scope="col" class="num">"Quantity"</th><th scope="col" class="num">"Unit price"</th>
                            <th scope="col" class="num">"Discount"</th><th scope="col" class="num">"Amount"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            <For each=move || rows.get() key=|r| r.key let:row>
                                <LineRow row=row rows=rows products=products can_edit=can_edit
                                    line_error=line_error money=money amount=amount/>
                            </For>
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row" colspan="6" class="num">"Order total (before tax)"</th>
                                <td class="num order-total" aria-live="polite">{move || money(total())}</td>
                                <td></td>
                            </tr>
                        </tfoot>
                    </table>
                </div>
                {can_edit.then(|| view! {
                    <button type="button" class="button button-secondary" on:click=add_row>"Add line item"</button>
                })}
            </section>
    }
    .into_any();
    view! {
        <leptos_meta::Title text=title.clone()/>
        <header class="page-header">
            <div>
                <p class="breadcrumb"><A href="/orders">"Orders"</A></p>
                <h1>{title.clone()}</h1>
                {order.as_ref().map(|o| view! {
                    <p class="subtitle">{format!("{} · {} line items", o.account, o.lines.len())}</p>
                })}
            </div>
        </header>
        {(!can_edit).then(|| view! {
            <p class="notice notice-info" role="note">"Your role can read orders but not change them."</p>
        })}
        {any_locked.then(|| view! {
            <p class="notice notice-info" role="note">"Line items already on an invoice are locked. Void the invoice to change them."</p>
        })}
        {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
        {move || (saved_notice && result.get().is_none()).then(|| view! {
            <div class="notice notice-success" role="status">"Order saved."</div>
        })}
        <form class="order-form" on:submit=on_submit novalidate=true>
            {order_section}
            {lines_section}
            {can_edit.then(|| view! {
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save order" }}
                    </button>
                    <A href="/orders" attr:class="button button-ghost">"Cancel"</A>
                </div>
            })}
        </form>
    }
}

#[component]
fn LineRow(
    row: Row,
    rows: RwSignal<Vec<Row>>,
    products: StoredValue<Vec<ProductChoice>>,
    can_edit: bool,
    line_error: impl Fn(u64, &str) -> Option<String> + Copy + Send + Sync + 'static,
    money: impl Fn(Decimal) -> String + Copy + Send + Sync + 'static,
    amount: impl Fn(&Row) -> Option<Decimal> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let key = row.key;
    let position = move || rows.read().iter().position(|r| r.key == key).map(|i| i + 1).unwrap_or_default();
    let id = move |field: &str| format!("line-{key}-{field}");
    let locked = row.invoice.is_some() || !can_edit;
    let r = row.clone();
    let amount_text = move || amount(&r).map(money).unwrap_or_else(|| "—".into());
    let current_product = row.product_id.get_untracked();
    let options = products.with_value(|ps| {
        ps.iter()
            .filter(|p| p.active || p.id == current_product)
            .map(|p| {
                let pid = p.id;
                let label = if p.code.is_empty() { p.name.clone() } else { format!("{} ({})", p.name, p.code) };
                view! { <option value=pid.to_string() selected=move || row.product_id.get() == pid>{label}</option> }
            })
            .collect_view()
    });
    let pick_product = move |ev| {
        let pid = event_target_value(&ev).parse::<ProductId>().unwrap_or_default();
        row.product_id.set(pid);
        if let Some(p) = products.with_value(|ps| ps.iter().find(|p| p.id == pid).cloned()) {
            row.unit_price.set(price_text(p.unit_price));
        }
    };
    let text_cell = move |field: &'static str, label: &'static str, signal: RwSignal<String>, kind: &'static str| {
        let err = move || line_error(key, field);
        view! {
            <td class=if kind == "decimal" { "num" } else { "" }>
                <label for=id(field) class="visually-hidden">{move || format!("{label}, line {}", position())}</label>
                <input id=id(field) type=if kind == "date" { "date" } else { "text" }
                    inputmode=if kind == "decimal" { Some("decimal") } else { None }
                    class=format!("cell-{field}")
                    prop:value=move || signal.get() disabled=locked
                    on:input=move |ev| signal.set(event_target_value(&ev))
                    aria-invalid=move || err().is_some().to_string()
                    aria-describedby=format!("line-{key}-{field}-error")/>
                <p class="field-error" id=format!("line-{key}-{field}-error")>{err}</p>
            </td>
        }
        .into_any()
    };
    let product_err = move || line_error(key, "product_id").or_else(|| line_error(key, "id"));
    view! {
        <tr class:locked=row.invoice.is_some()>
            <td class="field">
                <label for=id("product") class="visually-hidden">{move || format!("Product, line {}", position())}</label>
                <select id=id("product") disabled=locked on:change=pick_product
                    aria-invalid=move || product_err().is_some().to_string()
                    aria-describedby=format!("line-{key}-product-error")>
                    <option value="0" selected=move || row.product_id.get() == ProductId(0)>"Choose a product…"</option>
                    {options}
                </select>
                <p class="field-error" id=format!("line-{key}-product-error")>{product_err}</p>
            </td>
            {text_cell("run_date", "Run date", row.run_date, "date")}
            {text_cell("description", "Description", row.description, "text")}
            {text_cell("quantity", "Quantity", row.quantity, "decimal")}
            {text_cell("unit_price", "Unit price", row.unit_price, "decimal")}
            {text_cell("discount", "Discount", row.discount, "decimal")}
            <td class="num line-amount">{amount_text}</td>
            <td>
                {match row.invoice.clone() {
                    Some((invoice_id, number)) => view! {
                        <span class="locked-note">"Billed on "<A href=format!("/accounting/invoices/{invoice_id}")>{number}</A></span>
                    }.into_any(),
                    None if can_edit => view! {
                        <button type="button" class="button button-ghost"
                            aria-label=move || format!("Remove line {}", position())
                            on:click=move |_| rows.update(|rs| rs.retain(|r| r.key != key))>"Remove"</button>
                    }.into_any(),
                    None => ().into_any(),
                }}
            </td>
        </tr>
    }
    .into_any()
}

/// Search accounts by name or external reference and pick one.
#[component]
fn AccountPicker(
    account: RwSignal<Option<AccountChoice>>,
    error: Signal<Option<String>>,
    disabled: bool,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let changing = RwSignal::new(false);
    let results = Resource::new(
        move || search.get(),
        |q| async move { if q.trim().is_empty() { Ok(Vec::new()) } else { find_accounts(q).await } },
    );
    let show_search = move || !disabled && (account.get().is_none() || changing.get());
    view! {
        <div class="field account-picker">
            <label for="account-search">"Account"</label>
            {move || account.get().map(|a| view! {
                <p class="picked" id="account-picked">
                    <strong>{a.name.clone()}</strong>
                    {(!disabled).then(|| view! {
                        " " <button type="button" class="button button-ghost" on:click=move |_| changing.set(true)>"Change account"</button>
                    })}
                </p>
            })}
            <div class:hidden=move || !show_search()>
                <input id="account-search" type="search" autocomplete="off" disabled=disabled
                    placeholder="Search accounts by name or reference"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="account_id-error" aria-controls="account-results"/>
                <Transition fallback=|| ()>
                    <ul class="picker-results" id="account-results" aria-label="Matching accounts">
                        {move || Suspend::new(async move {
                            match results.await {
                                Err(e) => view! { <li class="field-error">{e.to_string()}</li> }.into_any(),
                                Ok(list) if list.is_empty() && !search.get_untracked().trim().is_empty() => {
                                    view! { <li class="muted">"No account matches."</li> }.into_any()
                                }
                                Ok(list) => list.into_iter().map(|a| {
                                    let label = match &a.external_ref { Some(r) => format!("{} ({r})", a.name), None => a.name.clone() };
                                    view! {
                                        <li><button type="button" class="button button-ghost" on:click=move |_| {
                                            account.set(Some(a.clone()));
                                            changing.set(false);
                                            search.set(String::new());
                                        }>{label}</button></li>
                                    }
                                }).collect_view().into_any(),
                            }
                        })}
                    </ul>
                </Transition>
            </div>
            <p class="field-error" id="account_id-error">{move || error.get()}</p>
        </div>
    }
    .into_any()
}
