//! One product: what it is, its price and tax, and its billing rule with the same live
//! preview as Manage Rules. `/products/new` starts an empty form.

use chrono::Days;
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    common::{ErrorNotice, Loading},
    form_fields::{SelectField, TextField, last_error},
    rules::{KINDS, RulePreview, needs_days},
};
use crate::{
    api::{
        AppError,
        products::{ProductEditorView, SaveProduct, get_product_editor},
    },
    domain::ids::ProductId,
};

#[component]
pub fn ProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").map(|s| s.parse::<ProductId>().unwrap_or_default()));
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || (id.get(), changed.get()), |(id, _)| get_product_editor(id));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Product"/><ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <ProductForm view=v changed=changed/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductForm(view: ProductEditorView, changed: RwSignal<u32>) -> impl IntoView {
    let ProductEditorView { product, currency, today, can_edit } = view;
    let save = ServerAction::<SaveProduct>::new();
    let error = last_error(save.value().into());
    let is_new = product.is_none();
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            saved.set(true);
            changed.update(|n| *n += 1);
        }
    });
    let title = product.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "New product".into());
    let rule = product.as_ref().map(|p| p.rule);
    // As on Manage Rules: an ad two weeks out, booked today.
    let sample_run = today + Days::new(14);
    let kind = RwSignal::new(rule.map(|r| r.kind().to_string()).unwrap_or_else(|| "days_before".into()));
    let days = RwSignal::new(rule.map(|r| r.days().to_string()).unwrap_or_else(|| "0".into()));
    let text = |f: fn(&crate::views::accounts::ProductDetail) -> String| product.as_ref().map(f).unwrap_or_default();
    let (name, code, category, id_value) =
        (text(|p| p.name.clone()), text(|p| p.code.clone()), text(|p| p.category.clone()), text(|p| p.id.to_string()));
    let unit_price = product.as_ref().map(|p| p.unit_price.normalize().to_string()).unwrap_or_else(|| "0".into());
    let tax_rate = product.as_ref().map(|p| p.tax_rate.normalize().to_string()).unwrap_or_else(|| "0".into());
    let ignore_before = product.as_ref().and_then(|p| p.ignore_before).map(|d| d.to_string()).unwrap_or_default();
    let active = product.as_ref().is_none_or(|p| p.active);
    let auto = product.as_ref().is_some_and(|p| p.auto_invoice);
    let general = move || match error.get() {
        Some(AppError::Invalid(_)) => Some("Please correct the highlighted fields; nothing was saved.".to_string()),
        Some(e) => Some(e.to_string()),
        None => None,
    };
    let rule_choices: Vec<(String, String)> = KINDS.iter().map(|(k, l)| (k.to_string(), l.to_string())).collect();
    let days_error = move || error.get().and_then(|e| e.field("rule_days"));
    view! {
        <Title text=title.clone()/>
        <header class="page-header">
            <div>
                <p class="breadcrumb"><A href="/products">"Products"</A></p>
                <h1>{title}</h1>
                {(!active).then(|| view! { <span class="badge badge-muted">"Inactive"</span> })}
            </div>
        </header>
        {(!can_edit).then(|| view! {
            <p class="notice notice-info" role="note">"Only admins can change products. You are seeing this one read-only."</p>
        })}
        {move || saved.get().then(|| view! { <div class="notice notice-success" role="status">{if is_new { "Product created." } else { "Product saved." }}</div> })}
        {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
        <ActionForm action=save attr:class="form" attr:novalidate=true attr:aria-label="Product">
            <input type="hidden" name="id" value=id_value/>
            <section class="card grid-2" aria-labelledby="product-heading">
                <h2 id="product-heading" class="span-2">"Product"</h2>
                <TextField name="name" label="Name" value=name error=error required=true disabled=!can_edit/>
                <TextField name="code" label="Code" value=code error=error disabled=!can_edit/>
                <TextField name="category" label="Category" value=category error=error disabled=!can_edit
                    hint="Groups products on lists, like Print or Digital."/>
                <TextField name="unit_price" label="Default unit price" value=unit_price
                    error=error disabled=!can_edit inputmode="decimal"
                    hint=currency_hint(&currency)/>
                <TextField name="tax_rate" label="Tax rate (%)" value=tax_rate
                    error=error disabled=!can_edit inputmode="decimal" hint="A percentage from 0 to 100, like 8.25."/>
                <label class="inline-check">
                    <input type="checkbox" name="active" value="on" checked=active disabled=!can_edit/>
                    " Active (offered on new orders)"
                </label>
            </section>
            <section class="card" aria-labelledby="rule-heading">
                <h2 id="rule-heading">"Billing rule"</h2>
                <div class="rule-form">
                    <SelectField name="billing_rule" label="Billing rule" choices=rule_choices selected=kind.get_untracked()
                        error=error disabled=!can_edit on_change=Callback::new(move |v: String| kind.set(v))/>
                    <div class="field field-days" class:hidden=move || !needs_days(&kind.get())>
                        <label for="rule_days">"Days"</label>
                        <input id="rule_days" name="rule_days" type="number" min="0" max="3650" step="1" inputmode="numeric"
                            value=days.get_untracked() disabled=!can_edit
                            aria-invalid=move || days_error().is_some().to_string() aria-describedby="rule_days-error"
                            on:input=move |ev| days.set(event_target_value(&ev))/>
                        <p class="field-error" id="rule_days-error">{days_error}</p>
                    </div>
                    <TextField name="ignore_before" label="Ignore line items before" kind="date"
                        value=ignore_before
                        error=error disabled=!can_edit/>
                    <label class="inline-check">
                        <input type="checkbox" name="auto_invoice" value="on" checked=auto disabled=!can_edit/>
                        " Auto-invoice"
                    </label>
                </div>
                <p class="rule-preview" aria-live="polite">
                    <RulePreview kind=kind days=days today=today sample_run=sample_run/>
                </p>
            </section>
            {can_edit.then(|| view! {
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else if is_new { "Create product" } else { "Save product" }}
                    </button>
                </div>
            })}
        </ActionForm>
    }
}

fn currency_hint(currency: &str) -> &'static str {
    // Hints are static text; the currency is the organisation's, set in Settings.
    match currency {
        "USD" => "In US dollars, the organisation's currency.",
        "EUR" => "In euros, the organisation's currency.",
        "GBP" => "In pounds sterling, the organisation's currency.",
        _ => "In the organisation's currency (Settings).",
    }
}
