//! Settings > Email delivery: the SMTP server invoices go out through (admins).

use leptos::{form::ActionForm, prelude::*};

use super::{
    automation::MailStatusNotice,
    common::{ErrorNotice, Loading},
};
use crate::api::{
    AppError,
    error::field_error,
    mail_settings::{MailSettingsPage, SaveMailSettings, get_mail_settings},
};

#[component]
pub fn MailSettingsSection() -> impl IntoView {
    let save = ServerAction::<SaveMailSettings>::new();
    let data = Resource::new(move || save.version().get(), |_| get_mail_settings());
    view! {
        <section class="card" aria-labelledby="mail-heading">
            <h2 id="mail-heading">"Email delivery (SMTP)"</h2>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(v) => view! { <MailForm v=v save=save/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn MailForm(v: MailSettingsPage, save: ServerAction<SaveMailSettings>) -> impl IntoView {
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let disabled = !v.can_edit;
    let err = move |f: &'static str| move || field_error(&result.get(), f);
    let tls = v.tls.clone();
    let password_hint = if v.password_set {
        "A password is saved. Leave empty to keep it (only for the same server and user); it is never shown."
    } else {
        "Leave empty if the server needs no sign-in."
    };
    view! {
        <MailStatusNotice status=v.status.clone()/>
        {v.from_environment.then(|| view! {
            <p class="notice notice-info" role="note">"SMTP is set by the server's environment variables (PRESSRUN_SMTP_*), so it is shown read-only here."</p>
        })}
        {move || match result.get() {
            Some(Ok(())) => Some(view! { <div class="notice notice-success" role="status">"Email settings saved."</div> }.into_any()),
            Some(Err(AppError::Invalid(_))) => Some(view! { <div class="notice notice-error" role="alert">"Please correct the highlighted fields; nothing was saved."</div> }.into_any()),
            Some(Err(e)) => Some(view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any()),
            None => None,
        }}
        <ActionForm action=save attr:class="form grid-2" attr:novalidate=true>
            <div class="field">
                <label for="smtp-host">"SMTP host"</label>
                <input id="smtp-host" name="host" value=v.host.clone() disabled=disabled placeholder="smtp.example.com"
                    aria-describedby="smtp-host-hint smtp-host-error"/>
                <p class="hint" id="smtp-host-hint">"Empty: emails are written to files instead of being sent."</p>
                <p class="field-error" id="smtp-host-error">{err("host")}</p>
            </div>
            <div class="field">
                <label for="smtp-port">"Port"</label>
                <input id="smtp-port" name="port" inputmode="numeric" value=v.port.to_string() disabled=disabled aria-describedby="smtp-port-error"/>
                <p class="field-error" id="smtp-port-error">{err("port")}</p>
            </div>
            <div class="field">
                <label for="smtp-tls">"Security"</label>
                <select id="smtp-tls" name="tls" disabled=disabled>
                    {[("starttls", "STARTTLS (port 587)"), ("tls", "TLS (port 465)"), ("none", "None (local relay only)")].into_iter().map(|(value, label)| {
                        view! { <option value=value selected=tls == value>{label}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error">{err("tls")}</p>
            </div>
            <div class="field">
                <label for="smtp-from">"From address"</label>
                <input id="smtp-from" name="from_address" value=v.from_address.clone() disabled=disabled
                    placeholder="Valley Courier <billing@valley.example>" aria-describedby="smtp-from-error"/>
                <p class="field-error" id="smtp-from-error">{err("from_address")}</p>
            </div>
            <div class="field">
                <label for="smtp-user">"User name"</label>
                <input id="smtp-user" name="username" value=v.username.clone() disabled=disabled autocomplete="off"/>
            </div>
            <div class="field">
                <label for="smtp-password">"Password"</label>
                <input id="smtp-password" name="password" type="password" value="" disabled=disabled autocomplete="new-password"
                    aria-describedby="smtp-password-hint"/>
                <p class="hint" id="smtp-password-hint">{password_hint}</p>
            </div>
            {(!disabled).then(|| view! {
                <div class="form-actions span-2">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save email settings"</button>
                </div>
            })}
        </ActionForm>
    }
}
