//! Organisation settings and staff users. Everyone may read; only admins change.

use leptos::{form::ActionForm, prelude::*};

use super::common::{ErrorNotice, Loading, PageHeader};
use crate::{
    api::{
        AppError,
        api_keys::{ApiKeySummary, CreateApiKey, RevokeApiKey, list_api_keys},
        error::field_error,
        settings::{SaveSettings, SettingsView, get_settings},
        users::{ChangePassword, CreateUser, ResetUserPassword, UpdateUserAccess, list_users},
    },
    domain::{invoice_number::InvoiceNumberFormat, money::CURRENCIES, role::Role, terms::PaymentTerms},
    views::common::StaffUserSummary,
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let view_data = OnceResource::new(get_settings());
    view! {
        <PageHeader title="Settings" subtitle="Your organisation, invoice numbering and staff access."/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => {
                        let can_edit = v.can_edit;
                        view! {
                            <OrganisationForm view=v/>
                            <super::mail_settings::MailSettingsSection/>
                            <YourPassword/>
                            <StaffUsers can_edit=can_edit/>
                            {can_edit.then(|| view! { <ApiKeys/> })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A labelled input whose error comes from the last save.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    value: String,
    errors: Signal<Option<Result<(), AppError>>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    /// Keeps ids unique when two forms on a page share a field name.
    #[prop(default = "")]
    id_prefix: &'static str,
    disabled: bool,
) -> impl IntoView {
    let error = move || field_error(&errors.get(), name);
    let id = format!("{id_prefix}{name}");
    let describedby = format!("{id}-hint {id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id.clone() name=name type=kind value=value disabled=disabled
                aria-invalid=move || error().is_some().to_string()
                aria-describedby=describedby/>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error")>{error}</p>
        </div>
    }
}

#[component]
fn OrganisationForm(view: SettingsView) -> impl IntoView {
    let SettingsView { settings, time_zones, can_edit, today } = view;
    let save = ServerAction::<SaveSettings>::new();
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let disabled = !can_edit;
    let (format, set_format) = signal(settings.invoice_number_format.clone());
    // The same parser the server uses, run in the browser as the admin types.
    let preview = move || {
        use chrono::Datelike;
        match InvoiceNumberFormat::parse(&format.get()) {
            Ok(f) => Ok(format!(
                "The next invoices will be numbered {}, {} …",
                f.render(today.year(), today.month(), 1),
                f.render(today.year(), today.month(), 2)
            )),
            Err(e) => Err(e),
        }
    };
    let general = move || match result.get() {
        Some(Err(AppError::Invalid(_))) => {
            Some("Please correct the highlighted fields; nothing was saved.".to_string())
        }
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let saved = move || matches!(result.get(), Some(Ok(())));
    let currency = settings.currency.clone();
    let tz = settings.time_zone.clone();
    let terms = settings.default_terms_days;
    view! {
        <section class="card" aria-labelledby="org-heading">
            <h2 id="org-heading">"Organisation"</h2>
            {disabled.then(|| view! {
                <p class="notice notice-info" role="note">"Only admins can change these settings. You are seeing them read-only."</p>
            })}
            {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            {move || saved().then(|| view! { <div class="notice notice-success" role="status">"Settings saved."</div> })}
            <ActionForm action=save attr:class="form grid-2" attr:novalidate=true>
                <Field name="name" label="Organisation name" value=settings.name.clone() errors=result disabled=disabled/>
                <Field name="email_from" label="Invoices are sent from" kind="email" value=settings.email_from.clone()
                    hint="The From address of invoice and reminder emails." errors=result disabled=disabled/>
                <div class="field span-2">
                    <label for="address">"Address"</label>
                    <textarea id="address" name="address" rows="3" disabled=disabled>{settings.address.clone()}</textarea>
                    <p class="field-error">{move || field_error(&result.get(), "address")}</p>
                </div>
                <Field name="logo_url" label="Logo URL" value=settings.logo_url.clone()
                    hint="An https:// address or a path on this site; shown on invoices." errors=result disabled=disabled/>
                <div class="field">
                    <label for="currency">"Currency"</label>
                    <select id="currency" name="currency" disabled=disabled>
                        {CURRENCIES.iter().map(|(code, _)| view! { <option value=*code selected=*code == currency>{*code}</option> }).collect_view()}
                    </select>
                    <p class="field-error">{move || field_error(&result.get(), "currency")}</p>
                </div>
                <div class="field">
                    <label for="time_zone">"Time zone"</label>
                    <select id="time_zone" name="time_zone" disabled=disabled aria-describedby="time_zone-hint">
                        {time_zones.into_iter().map(|z| { let sel = z == tz; let label = z.clone(); view! { <option value=z selected=sel>{label}</option> } }).collect_view()}
                    </select>
                    <p class="hint" id="time_zone-hint">"Billable, due and past-due dates are days in this time zone."</p>
                    <p class="field-error">{move || field_error(&result.get(), "time_zone")}</p>
                </div>
                <div class="field">
                    <label for="default_terms_days">"Default payment terms"</label>
                    <select id="default_terms_days" name="default_terms_days" disabled=disabled>
                        {terms_options(terms)}
                    </select>
                    <p class="field-error">{move || field_error(&result.get(), "default_terms_days")}</p>
                </div>
                <div class="field span-2">
                    <label for="invoice_number_format">"Invoice number format"</label>
                    <input id="invoice_number_format" name="invoice_number_format" value=settings.invoice_number_format.clone()
                        disabled=disabled aria-describedby="format-preview invoice_number_format-error"
                        on:input=move |ev| set_format.set(event_target_value(&ev))/>
                    <p class="hint" id="format-preview" aria-live="polite">
                        {move || match preview() {
                            Ok(text) => view! { <span>{text}</span> }.into_any(),
                            Err(e) => view! { <span class="field-error">{e}</span> }.into_any(),
                        }}
                        " Placeholders: {YYYY}, {YY}, {MM}, {SEQ:n}."
                    </p>
                    <p class="field-error" id="invoice_number_format-error">{move || field_error(&result.get(), "invoice_number_format")}</p>
                </div>
                {can_edit.then(|| view! {
                    <div class="form-actions span-2">
                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                            {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                        </button>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}

fn terms_options(current: i32) -> impl IntoView {
    let mut days: Vec<i32> = PaymentTerms::PRESETS.iter().map(|d| i32::from(*d)).collect();
    if !days.contains(&current) {
        days.push(current);
        days.sort_unstable();
    }
    days.into_iter()
        .map(|d| {
            let label = PaymentTerms::new(i64::from(d)).map(|t| t.label()).unwrap_or_else(|_| format!("{d} days"));
            view! { <option value=d.to_string() selected=d == current>{label}</option> }
        })
        .collect_view()
}

/// Every signed-in user may change their own password; sessions elsewhere end.
#[component]
fn YourPassword() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let result: Signal<Option<Result<(), AppError>>> = change.value().into();
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Your password"</h2>
            {move || match result.get() {
                Some(Ok(())) => Some(view! { <div class="notice notice-success" role="status">"Password changed. You were signed out everywhere else."</div> }.into_any()),
                Some(Err(AppError::Invalid(_))) | None => None,
                Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
            }}
            <ActionForm action=change attr:class="form grid-4" attr:novalidate=true>
                <Field name="current_password" label="Current password" kind="password" value=String::new() errors=result disabled=false/>
                <Field name="new_password" label="New password" kind="password" value=String::new()
                    hint="At least 10 characters." errors=result disabled=false/>
                <Field name="confirm_password" label="New password again" kind="password" value=String::new() errors=result disabled=false/>
                <div class="form-actions span-4">
                    <button type="submit" class="button button-primary" disabled=move || change.pending().get()>"Change password"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn StaffUsers(can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUserAccess>::new();
    let users = Resource::new(move || (create.version().get(), update.version().get()), |_| list_users());
    let create_result: Signal<Option<Result<(), AppError>>> = create.value().into();
    let update_error = move || match update.value().get() {
        Some(Err(e)) => Some(e.field("status").or_else(|| e.field("role")).unwrap_or_else(|| e.to_string())),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="users-heading">
            <h2 id="users-heading">"Staff users"</h2>
            <p class="muted">"Admins change settings and users; billing staff create and send invoices; viewers read everything but change nothing."</p>
            {move || update_error().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) => view! { <UserTable users=list can_edit=can_edit update=update/> }.into_any(),
                    }
                })}
            </Suspense>
            {can_edit.then(|| view! {
                <h3>"Add a user"</h3>
                {move || match create_result.get() {
                    Some(Ok(())) => Some(view! { <div class="notice notice-success" role="status">"User added. Share the password with them privately."</div> }.into_any()),
                    Some(Err(AppError::Invalid(_))) | None => None,
                    Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
                }}
                <ActionForm action=create attr:class="form grid-4" attr:novalidate=true>
                    <Field name="email" id_prefix="new-" label="Email" kind="email" value=String::new() errors=create_result disabled=false/>
                    <Field name="name" id_prefix="new-" label="Name" value=String::new() errors=create_result disabled=false/>
                    <div class="field">
                        <label for="new-role">"Role"</label>
                        <select id="new-role" name="role">
                            {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == Role::Billing>{r.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{move || field_error(&create_result.get(), "role")}</p>
                    </div>
                    <Field name="password" id_prefix="new-" label="Password" kind="password" value=String::new()
                        hint="At least 10 characters." errors=create_result disabled=false/>
                    <div class="form-actions span-4">
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Add user"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

/// An admin sets a colleague's password (they forgot it); the colleague is signed out.
#[component]
fn SetPassword(user_id: crate::domain::ids::UserId, name: String) -> impl IntoView {
    let reset = ServerAction::<ResetUserPassword>::new();
    let result: Signal<Option<Result<(), AppError>>> = reset.value().into();
    let id = format!("reset-password-{user_id}");
    view! {
        <details class="set-password">
            <summary>"Set password…"</summary>
            <ActionForm action=reset attr:class="form" attr:novalidate=true>
                <input type="hidden" name="user_id" value=user_id.to_string()/>
                <div class="field">
                    <label for=id.clone()>{format!("New password for {name}")}</label>
                    <input id=id name="password" type="password" autocomplete="new-password"/>
                    <p class="field-error" role="alert">{move || field_error(&result.get(), "password")}</p>
                </div>
                <button type="submit" class="button button-secondary" disabled=move || reset.pending().get()>"Set password"</button>
                {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                    <p class="notice notice-success" role="status">"Password set; they were signed out. Tell them privately."</p>
                })}
            </ActionForm>
        </details>
    }
}

#[component]
fn UserTable(users: Vec<StaffUserSummary>, can_edit: bool, update: ServerAction<UpdateUserAccess>) -> impl IntoView {
    let rows = users
        .into_iter()
        .map(|u| {
            let access = if can_edit {
                let form_id = format!("access-{}", u.id);
                view! {
                    <td>
                        <select name="role" form=form_id.clone() aria-label=format!("Role of {}", u.name)>
                            {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == u.role>{r.label()}</option> }).collect_view()}
                        </select>
                    </td>
                    <td>
                        <select name="status" form=form_id.clone() aria-label=format!("Status of {}", u.name)>
                            <option value="active" selected=u.active>"Active"</option>
                            <option value="inactive" selected=!u.active>"Inactive"</option>
                        </select>
                    </td>
                    <td>
                        <ActionForm action=update attr:id=form_id>
                            <input type="hidden" name="user_id" value=u.id.to_string()/>
                            <button type="submit" class="button button-secondary">"Update"</button>
                        </ActionForm>
                        <SetPassword user_id=u.id name=u.name.clone()/>
                    </td>
                }
                .into_any()
            } else {
                view! {
                    <td>{u.role.label()}</td>
                    <td>{if u.active { "Active" } else { "Inactive" }}</td>
                    <td></td>
                }
                .into_any()
            };
            view! {
                <tr>
                    <th scope="row">{u.name.clone()}</th>
                    <td>{u.email.clone()}</td>
                    {access}
                    <td>{u.last_sign_in.clone().unwrap_or_else(|| "Never".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">"Staff users"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                    <th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    <th scope="col">"Last sign-in"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Keys for other systems (an ad-order system, a CRM) to call the REST API. Admins only: a key
/// can create accounts and orders.
#[component]
fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let create_errors = Signal::derive(move || create.value().get().map(|r| r.map(|_| ())));
    let revoke_error = move || match revoke.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="api-keys-heading">
            <h2 id="api-keys-heading">"API keys"</h2>
            <p class="muted">
                "Other systems call the REST API at " <code>"/api/v1"</code> " with "
                <code>"Authorization: Bearer <key>"</code> ". A key reads, or also creates and changes, accounts and orders; "
                "revoke it when the system no longer needs it. Keys go with the admin who made them when that admin leaves."
            </p>
            {move || match create.value().get() {
                Some(Ok(created)) => Some(view! {
                    <div class="notice notice-success new-key" role="status">
                        <label for="new-api-key">{format!("The key for \"{}\" — copy it now; it will not be shown again:", created.name)}</label>
                        <input id="new-api-key" class="key-value" readonly=true value=created.key spellcheck="false" autocomplete="off"/>
                    </div>
                }.into_any()),
                Some(Err(AppError::Invalid(_))) | None => None,
                Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
            }}
            {move || revoke_error().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No API keys yet."</p> }.into_any(),
                        Ok(list) => view! { <ApiKeyTable keys=list revoke=revoke/> }.into_any(),
                    }
                })}
            </Suspense>
            <h3>"Create a key"</h3>
            <ActionForm action=create attr:class="form grid-4" attr:novalidate=true>
                <Field name="name" id_prefix="api-key-" label="Name" value=String::new()
                    hint="The system that will use it, e.g. \"Ad order system\"." errors=create_errors disabled=false/>
                <div class="field">
                    <label for="api-key-scope">"Access"</label>
                    <select id="api-key-scope" name="scope" aria-describedby="api-key-scope-hint">
                        <option value="read">"Read only"</option>
                        <option value="write" selected=true>"Read and write"</option>
                    </select>
                    <p class="hint" id="api-key-scope-hint">"Read only keys can list and show, not create or change."</p>
                    <p class="field-error">{move || field_error(&create_errors.get(), "scope")}</p>
                </div>
                <div class="form-actions span-4">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create key"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ApiKeyTable(keys: Vec<ApiKeySummary>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let rows = keys
        .into_iter()
        .map(|k| {
            let revoke_label = format!("Revoke {}", k.name);
            let action = match k.revoked.clone() {
                Some(when) => {
                    view! { <span class="badge badge-muted">"Revoked"</span>" "<span class="small">{when}</span> }
                        .into_any()
                }
                None => view! {
                    <ActionForm action=revoke>
                        <input type="hidden" name="key_id" value=k.id.to_string()/>
                        <button type="submit" class="button button-secondary" aria-label=revoke_label>"Revoke"</button>
                    </ActionForm>
                }
                .into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{k.name.clone()}</th>
                    <td><code>{format!("prk_{}_…", k.prefix)}</code></td>
                    <td>{k.scope.clone()}</td>
                    <td>{k.created.clone()}{k.created_by.clone().map(|by| format!(" by {by}"))}</td>
                    <td>{k.last_used.clone().unwrap_or_else(|| "Never".into())}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">"API keys"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Access"</th><th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th><th scope="col">"Status"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
