//! Labelled form controls whose message comes from the last save, linked to the control
//! with `aria-describedby` so a screen reader reads it with the field.

use leptos::prelude::*;

use crate::api::AppError;

/// The last save's error, if any, for fields to pick their message from.
pub fn last_error<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

fn message(error: Signal<Option<AppError>>, field: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || error.get().and_then(|e| e.field(field))
}

#[component]
pub fn TextField(
    /// Form field name, also the `FieldError` field it shows.
    name: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<AppError>>,
    /// Keeps ids unique when several forms on a page share field names.
    #[prop(into, default = String::new())]
    id_prefix: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] disabled: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let msg = message(error, name);
    let id = format!("{id_prefix}{name}");
    let describedby = if hint.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-error") };
    view! {
        <div class="field">
            <label for=id.clone()>{label}{required.then_some(" (required)")}</label>
            <input id=id.clone() name=name type=kind value=value disabled=disabled required=required inputmode=inputmode
                aria-invalid=move || msg().is_some().to_string() aria-describedby=describedby/>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error")>{msg}</p>
        </div>
    }
}

#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<AppError>>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let msg = message(error, name);
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <textarea id=name name=name rows=rows.to_string() disabled=disabled
                aria-invalid=move || msg().is_some().to_string() aria-describedby=format!("{name}-error")>{value}</textarea>
            <p class="field-error" id=format!("{name}-error")>{msg}</p>
        </div>
    }
}

/// A select over `(value, label)` choices.
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    choices: Vec<(String, String)>,
    selected: String,
    error: Signal<Option<AppError>>,
    #[prop(into, default = String::new())] id_prefix: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] disabled: bool,
    #[prop(optional, into)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    let msg = message(error, name);
    let id = format!("{id_prefix}{name}");
    let describedby = if hint.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-error") };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name disabled=disabled
                aria-invalid=move || msg().is_some().to_string() aria-describedby=describedby
                on:change=move |ev| if let Some(cb) = on_change { cb.run(event_target_value(&ev)) }>
                {choices.into_iter().map(|(v, l)| { let sel = v == selected; view! { <option value=v selected=sel>{l}</option> } }).collect_view()}
            </select>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error")>{msg}</p>
        </div>
    }
}
