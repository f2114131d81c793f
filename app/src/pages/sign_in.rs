use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{error::field_error, session::SignIn};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let result = action.value();
    let general = move || match result.get() {
        Some(Err(crate::api::AppError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
    };
    let email_err = move || field_error(&result.get(), "email");
    let password_err = move || field_error(&result.get(), "password");
    view! {
        <Title text="Sign in"/>
        <main class="standalone">
            <div class="card narrow sign-in">
                <div class="brand brand-large">
                    <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#1d4ed8"/>
                        <path d="M9 23V9h8a5 5 0 0 1 0 10h-8" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/>
                    </svg>
                    <span>"Pressrun"</span>
                </div>
                <h1>"Sign in"</h1>
                <p class="subtitle">"Invoice automation for your advertising sales."</p>
                {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" prop:value=next/>
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required
                            aria-invalid=move || email_err().is_some().to_string()
                            aria-describedby="email-error"/>
                        <p class="field-error" id="email-error">{email_err}</p>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required
                            aria-invalid=move || password_err().is_some().to_string()
                            aria-describedby="password-error"/>
                        <p class="field-error" id="password-error">{password_err}</p>
                    </div>
                    <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
