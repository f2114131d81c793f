use leptos::prelude::*;

use crate::{api::AppError, views::common::CurrentUser};

/// The signed-in user, or `None`.
#[server(endpoint = "get_current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::guard::current_user())
}

/// Only same-site paths, so a crafted link cannot bounce a fresh sign-in elsewhere. Browsers drop
/// tabs and newlines from a URL and read `\` as `/`, so `/<tab>/evil.example` is `//evil.example`
/// to them: anything but visible ASCII is refused (a real path has it percent-encoded), which also
/// keeps CR/LF out of the `Location` header.
pub fn safe_next(next: &str) -> &str {
    let visible_ascii = next.bytes().all(|b| b.is_ascii_graphic());
    let same_site_path = next.starts_with('/') && !matches!(next.as_bytes().get(1), Some(b'/' | b'\\'));
    if visible_ascii && same_site_path && !next.starts_with("/sign-in") { next } else { "/" }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    use crate::backend::auth;
    let state = super::guard::state()?;
    let session =
        auth::sign_in(&state.db, &state.auth, state.clock.now(), &email, &password, &super::guard::client_ip()).await?;
    set_session_cookie(&state.auth, &session)?;
    leptos_axum::redirect(safe_next(&next));
    Ok(())
}

/// Hands a new session to the browser.
#[cfg(feature = "ssr")]
pub(crate) fn set_session_cookie(
    cfg: &crate::backend::auth::AuthConfig,
    session: &crate::backend::auth::NewSession,
) -> Result<(), AppError> {
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        cfg.cookie_name(),
        session.token,
        session.max_age_seconds,
        if cfg.secure_cookies { "; Secure" } else { "" }
    );
    let opts = expect_context::<leptos_axum::ResponseOptions>();
    opts.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|_| AppError::Internal)?);
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = super::guard::state()?;
    let name = state.auth.cookie_name();
    if let Some(parts) = use_context::<http::request::Parts>() {
        for value in parts.headers.get_all(http::header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=')
                    && k == name
                {
                    crate::backend::auth::sign_out(&state.db, v).await?;
                }
            }
        }
    }
    let cookie = format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if state.auth.secure_cookies { "; Secure" } else { "" }
    );
    let opts = expect_context::<leptos_axum::ResponseOptions>();
    opts.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|_| AppError::Internal)?);
    leptos_axum::redirect("/sign-in");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_site() {
        assert_eq!(super::safe_next("/accounts?page=2"), "/accounts?page=2");
        assert_eq!(super::safe_next("//evil.example"), "/");
        assert_eq!(super::safe_next("https://evil.example"), "/");
        assert_eq!(super::safe_next("/\\evil.example"), "/");
        assert_eq!(super::safe_next(""), "/");
        assert_eq!(super::safe_next("/\t/evil.example"), "/", "browsers drop the tab");
        assert_eq!(super::safe_next("/\n/evil.example"), "/");
        assert_eq!(super::safe_next("/x\r\nSet-Cookie: a=b"), "/", "no header injection");
        assert_eq!(super::safe_next("/ /evil.example"), "/");
        assert_eq!(super::safe_next("/caf\u{e9}"), "/");
        assert_eq!(super::safe_next("/invoices/12?tab=sent#top"), "/invoices/12?tab=sent#top");
    }
}
