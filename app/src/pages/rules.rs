//! Manage Rules: one screen, reached from Billable Line Items and from Automation.

use chrono::{Days, NaiveDate};
use leptos::{form::ActionForm, prelude::*};

use super::common::{ErrorNotice, Loading, PageHeader};
use crate::{
    api::{
        AppError,
        error::field_error,
        rules::{RulesView, SaveProductRule, get_rules},
    },
    domain::{
        billing_rule::{BillingRule, preview_sentence},
        ids::ProductId,
    },
    views::common::ProductSummary,
};

pub(super) const KINDS: [(&str, &str); 4] = [
    ("do_not_invoice", "Do Not Invoice"),
    ("immediately", "Immediately"),
    ("days_before", "X Days Before Run Date"),
    ("days_after", "X Days After Run Date"),
];

#[component]
pub fn RulesPage() -> impl IntoView {
    let data = OnceResource::new(get_rules());
    view! {
        <PageHeader title="Manage Rules" subtitle="When each product's line items become billable, and which invoice themselves."/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <RulesTable view=v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RulesTable(view: RulesView) -> impl IntoView {
    let RulesView { products, today, can_edit } = view;
    // The preview uses an ad two weeks out, booked today.
    let sample_run = today + Days::new(14);
    view! {
        {(!can_edit).then(|| view! {
            <p class="notice notice-info" role="note">"Only admins can change billing rules. You are seeing them read-only."</p>
        })}
        <div class="rules">
            {products.into_iter().map(|p| view! { <RuleRow product=p today=today sample_run=sample_run can_edit=can_edit/> }).collect_view()}
        </div>
    }
}

pub(super) fn needs_days(kind: &str) -> bool {
    matches!(kind, "days_before" | "days_after")
}

/// "An ad running on … becomes billable on …" for the rule being edited, computed in the
/// browser by the same function the scheduler runs.
#[component]
pub(super) fn RulePreview(
    #[prop(into)] kind: Signal<String>,
    #[prop(into)] days: Signal<String>,
    today: NaiveDate,
    sample_run: NaiveDate,
) -> impl IntoView {
    let preview = move || {
        let d = if needs_days(&kind.get()) {
            days.get().trim().parse::<i64>().map_err(|_| "Enter a whole number of days.".to_string())
        } else {
            Ok(0)
        };
        d.and_then(|d| BillingRule::from_parts(&kind.get(), d)).map(|rule| {
            let s = preview_sentence(&rule, sample_run, today);
            let mut chars = s.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
    };
    move || match preview() {
        Ok(s) => view! { <span>{s}"."</span> }.into_any(),
        Err(e) => view! { <span class="field-error">{e}</span> }.into_any(),
    }
}

#[component]
fn RuleRow(product: ProductSummary, today: NaiveDate, sample_run: NaiveDate, can_edit: bool) -> impl IntoView {
    let save = ServerAction::<SaveProductRule>::new();
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let kind = RwSignal::new(product.rule.kind().to_string());
    let days = RwSignal::new(product.rule.days().to_string());
    let shows_days = move || needs_days(&kind.get());
    let id = product.id;
    let name = product.name.clone();
    let general = move || match result.get() {
        Some(Err(AppError::Invalid(_))) | None => None,
        Some(Ok(())) => Some(Ok("Saved.")),
        Some(Err(e)) => Some(Err(e.to_string())),
    };
    view! {
        <section class="card rule-row" aria-label=format!("Billing rule for {name}")>
            <div class="rule-product">
                <h2>{product.name.clone()}</h2>
                <p class="muted small">{format!("{} · {} line items", product.category, super::format::count(product.line_items))}</p>
            </div>
            <ActionForm action=save attr:class="rule-form">
                <input type="hidden" name="product_id" value=id.to_string()/>
                <div class="field">
                    <label for=format!("rule-{id}")>"Billing rule"</label>
                    <select id=format!("rule-{id}") name="rule" disabled=!can_edit on:change=move |ev| kind.set(event_target_value(&ev))>
                        {KINDS.iter().map(|(k, label)| view! { <option value=*k selected=*k == product.rule.kind()>{*label}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field field-days" class:hidden=move || !shows_days()>
                    <label for=format!("days-{id}")>"Days"</label>
                    <input id=format!("days-{id}") name="days" type="number" min="0" max="3650" step="1" inputmode="numeric"
                        value=product.rule.days().to_string() disabled=!can_edit
                        aria-invalid=move || field_error(&result.get(), "days").is_some().to_string()
                        on:input=move |ev| days.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(&result.get(), "days")}</p>
                </div>
                <div class="field">
                    <label for=format!("ignore-{id}")>"Ignore line items before"</label>
                    <input id=format!("ignore-{id}") name="ignore_before" type="date" disabled=!can_edit
                        value=product.ignore_before.map(|d| d.to_string()).unwrap_or_default()/>
                    <p class="field-error">{move || field_error(&result.get(), "ignore_before")}</p>
                </div>
                <label class="inline-check">
                    <input type="checkbox" name="auto_invoice" value="on" checked=product.auto_invoice disabled=!can_edit/>
                    " Auto-invoice"
                </label>
                {can_edit.then(|| view! {
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                })}
            </ActionForm>
            <p class="rule-preview" aria-live="polite">
                <RulePreview kind=kind days=days today=today sample_run=sample_run/>
                {move || general().map(|r| match r {
                    Ok(m) => view! { <span class="saved" role="status">{format!(" {m}")}</span> }.into_any(),
                    Err(m) => view! { <span class="field-error" role="alert">{format!(" {m}")}</span> }.into_any(),
                })}
            </p>
            <RuleChange product_id=id saved=product.rule kind=kind days=days save_version=save.version()/>
        </section>
    }
}

/// Before Save: what the rule being chosen would do to the product's unbilled line items.
#[component]
fn RuleChange(
    product_id: ProductId,
    saved: BillingRule,
    kind: RwSignal<String>,
    days: RwSignal<String>,
    save_version: RwSignal<usize>,
) -> impl IntoView {
    // After a save, the rule on screen is the saved one: nothing left to preview.
    let baseline = RwSignal::new((saved.kind().to_string(), saved.days().to_string()));
    Effect::new(move |prev: Option<usize>| {
        let v = save_version.get();
        if prev.is_some_and(|p| p != v) {
            baseline.set((kind.get_untracked(), days.get_untracked()));
        }
        v
    });
    let changed = move || {
        let (k, d) = baseline.get();
        let now = (kind.get(), days.get());
        now.0 != k || (needs_days(&now.0) && now.1.trim() != d)
    };
    let effect = Resource::new(
        move || changed().then(|| (kind.get(), days.get())),
        move |asked| async move {
            match asked {
                Some((k, d)) => crate::api::rules::preview_rule_change(product_id, k, d).await.ok().flatten(),
                None => None,
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || effect.get().flatten().map(|e| view! { <RuleChangeNotice e=e/> })}
        </Transition>
    }
}

#[component]
fn RuleChangeNotice(e: crate::domain::rule_change::RuleChangeEffect) -> impl IntoView {
    let n = |v: i64, what: &str| (v > 0).then(|| format!("{v} {what}"));
    let parts: Vec<String> = [
        n(e.become_billable_now, "become billable today"),
        n(e.earlier - e.become_billable_now, "bill earlier"),
        n(e.later, "bill later"),
        n(e.stop_billing, "stop billing"),
        n(e.start_billing, "start billing"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let text = if e.changes_anything() {
        format!(
            "Saving this changes {} of {} unbilled line items: {}. Billable in the next {} days: {} → {}.",
            e.earlier + e.later + e.stop_billing + e.start_billing,
            e.line_items,
            parts.join(", "),
            crate::domain::rule_change::HORIZON_DAYS,
            // The amounts without a currency symbol: this page does not load the organisation's.
            super::format::money(e.billable_soon_before, "").trim_end(),
            super::format::money(e.billable_soon_after, "").trim_end(),
        )
    } else {
        format!("Saving this changes no billing date of the {} unbilled line items.", e.line_items)
    };
    view! { <p class="notice notice-warning rule-change" aria-live="polite">{text}</p> }
}
