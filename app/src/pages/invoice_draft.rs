//! Editing a draft invoice: its dates, each line, removing lines, and Finalise. Each form has
//! its own action so its errors show beside its own fields; a successful change bumps
//! `changed`, which reloads the invoice (without JavaScript the form post reloads the page).

use leptos::{form::ActionForm, prelude::*};

use crate::{
    api::{
        AppError,
        drafts::{FinaliseDraft, RemoveDraftLine, UpdateDraftDates, UpdateDraftLine},
        error::field_error,
    },
    domain::ids::InvoiceId,
    pages::format,
    views::invoices::{InvoiceDetail, InvoiceLineView},
};

/// Bumps `changed` whenever an action's result is a success.
fn reload_on_success<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    changed: RwSignal<u32>,
) {
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            changed.update(|v| *v += 1);
        }
    });
}

/// A message for the whole form (refusals such as "no longer a draft"); field errors show at fields.
fn form_error<T: Clone + Send + Sync + 'static>(result: Signal<Option<Result<T, AppError>>>) -> impl IntoView {
    move || match result.get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }),
    }
}

#[component]
fn DraftField(
    id: String,
    name: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] inputmode: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id.clone() name=name type=kind value=value
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()/>
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}

#[component]
pub fn DraftEditor(inv: InvoiceDetail, changed: RwSignal<u32>) -> impl IntoView {
    let dates = ServerAction::<UpdateDraftDates>::new();
    let finalise = ServerAction::<FinaliseDraft>::new();
    let dates_result: Signal<Option<Result<(), AppError>>> = dates.value().into();
    let finalise_result: Signal<Option<Result<String, AppError>>> = finalise.value().into();
    reload_on_success(dates_result, changed);
    reload_on_success(finalise_result, changed);
    let err = move |name: &'static str| Signal::derive(move || field_error(&dates_result.get(), name));
    let id = inv.id;
    let lines = inv
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| view! { <DraftLineForm invoice_id=id position=i + 1 line=l.clone() changed=changed/> })
        .collect_view();
    let has_lines = !inv.lines.is_empty();
    view! {
        <section class="card draft-editor" aria-labelledby="draft-heading">
            <h2 id="draft-heading">"Edit draft"</h2>
            <p class="muted">"Drafts have no number yet. Change anything below, then finalise to give it the next invoice number."</p>
            {form_error(dates_result)}
            <ActionForm action=dates attr:class="draft-dates">
                <input type="hidden" name="id" value=id.to_string()/>
                <DraftField id="draft-issue".into() name="issue_date" label="Issue date" kind="date"
                    value=inv.issue_date.to_string() error=err("issue_date")/>
                <DraftField id="draft-due".into() name="due_date" label="Due date" kind="date"
                    value=inv.due_date.to_string() error=err("due_date")/>
                <button type="submit" class="button button-secondary">"Save dates"</button>
            </ActionForm>
            <h3>"Lines"</h3>
            {(!has_lines).then(|| view! { <p class="muted">"Every line was removed. Void this draft, or invoice line items again."</p> })}
            <div class="draft-lines">{lines}</div>
            <div class="draft-finalise">
                {form_error(finalise_result)}
                <ActionForm action=finalise attr:class="draft-finalise-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <label for="finalise-then">"Then"</label>
                    <select id="finalise-then" name="then">
                        <option value="">"Keep for review"</option>
                        <option value="ready">"Put in Ready to send"</option>
                        <option value="email">"Email now"</option>
                    </select>
                    <button type="submit" class="button button-primary" disabled=move || finalise.pending().get()>
                        "Finalise"
                    </button>
                </ActionForm>
                <p class="hint">"Assigns the next invoice number. A finalised invoice can no longer be edited."</p>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn DraftLineForm(
    invoice_id: InvoiceId,
    position: usize,
    line: InvoiceLineView,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let save = ServerAction::<UpdateDraftLine>::new();
    let remove = ServerAction::<RemoveDraftLine>::new();
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let remove_result: Signal<Option<Result<(), AppError>>> = remove.value().into();
    reload_on_success(result, changed);
    reload_on_success(remove_result, changed);
    let err = move |name: &'static str| Signal::derive(move || field_error(&result.get(), name));
    let prefix = format!("line-{}", line.id);
    let legend = format!(
        "Line {position}: {}{}",
        line.product,
        line.run_date.map(|d| format!(" · runs {}", format::date(d))).unwrap_or_default()
    );
    view! {
        <fieldset class="draft-line">
            <legend>{legend}</legend>
            {form_error(result)}
            {form_error(remove_result)}
            <ActionForm action=save attr:class="draft-line-form">
                <input type="hidden" name="invoice_id" value=invoice_id.to_string()/>
                <input type="hidden" name="line_id" value=line.id.to_string()/>
                <DraftField id=format!("{prefix}-description") name="description" label="Description"
                    value=line.description.clone() error=err("description")/>
                <DraftField id=format!("{prefix}-quantity") name="quantity" label="Quantity" inputmode="decimal"
                    value=line.quantity.normalize().to_string() error=err("quantity")/>
                <DraftField id=format!("{prefix}-unit_price") name="unit_price" label="Unit price" inputmode="decimal"
                    value=line.unit_price.normalize().to_string() error=err("unit_price")/>
                <DraftField id=format!("{prefix}-discount") name="discount" label="Discount" inputmode="decimal"
                    value=line.discount.normalize().to_string() error=err("discount")/>
                <button type="submit" class="button button-secondary">"Save line"</button>
            </ActionForm>
            <ActionForm action=remove attr:class="draft-line-remove">
                <input type="hidden" name="invoice_id" value=invoice_id.to_string()/>
                <input type="hidden" name="line_id" value=line.id.to_string()/>
                <button type="submit" class="button button-ghost" aria-label=format!("Remove line {position}")>
                    "Remove line"
                </button>
            </ActionForm>
        </fieldset>
    }
    .into_any()
}
