//! Intuit's OAuth endpoints: the consent page (`/connect/oauth2`), the token endpoint
//! (`/oauth2/v1/tokens/bearer`) and revocation (`/v2/oauth2/tokens/revoke`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::api::params;
use super::conn::{Conn, ConnControl};
use super::{cut_connection, json_response};
use crate::fault::xml_escape as html_escape;
use crate::inject::{FaultAction, Operation};
use crate::oauth::GrantError;
use crate::{StandIn, State as Inner};

const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `redirect_uri` with the extra query parameters appended.
fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut target = uri.to_string();
    for (k, v) in pairs {
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str(k);
        target.push('=');
        target.push_str(&enc(v));
    }
    Redirect::to(&target).into_response()
}

/// Whether the app may be sent to this URI: registered, or (nothing registered) any absolute
/// http(s) URI. An unacceptable one gets an error page, never a redirect.
fn redirect_ok(s: &Inner, uri: &str) -> bool {
    if s.config.redirect_uris.is_empty() {
        (uri.starts_with("http://") || uri.starts_with("https://"))
            && !uri.chars().any(|c| c.is_control() || c.is_whitespace())
    } else {
        s.config.redirect_uris.iter().any(|r| r == uri)
    }
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\n<body><main><h1>{t}</h1><p>{d}</p></main></body></html>\n",
        t = html_escape(title),
        d = html_escape(detail)
    );
    (status, Html(body)).into_response()
}

/// Checks client_id and redirect_uri; `Err` is the error page.
fn check_client(s: &Inner, p: &HashMap<String, String>) -> Result<String, Response> {
    if p.get("client_id").map(String::as_str) != Some(s.config.client_id.as_str()) {
        return Err(error_page(StatusCode::BAD_REQUEST, "Invalid client", "The client_id is not a known app."));
    }
    match p.get("redirect_uri") {
        Some(uri) if redirect_ok(s, uri) => Ok(uri.clone()),
        _ => Err(error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            "The redirect_uri is missing or not registered for this app.",
        )),
    }
}

/// `GET /connect/oauth2`: the consent page.
pub(crate) async fn consent_page(State(standin): State<StandIn>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw.as_deref());
    let s = standin.lock();
    let redirect_uri = match check_client(&s, &p) {
        Ok(u) => u,
        Err(page) => return page,
    };
    let state = p.get("state").cloned().unwrap_or_default();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if !state.is_empty() {
            pairs.push(("state", state.clone()));
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect_to(&redirect_uri, &refs)
    };
    if p.get("response_type").map(String::as_str) != Some("code") {
        return with_state(vec![("error", "unsupported_response_type".into())]);
    }
    let scope = p.get("scope").cloned().unwrap_or_default();
    if !scope.split_whitespace().any(|sc| sc.starts_with("com.intuit.quickbooks.") || sc == "openid") {
        return with_state(vec![("error", "invalid_scope".into())]);
    }
    let app = html_escape(&s.config.app_name);
    let company = html_escape(&s.config.company_name);
    let hidden = [
        ("client_id", s.config.client_id.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("state", state.as_str()),
    ]
    .iter()
    .map(|(k, v)| format!("    <input type=\"hidden\" name=\"{k}\" value=\"{}\">\n", html_escape(v)))
    .collect::<String>();
    let can = if scope.split_whitespace().any(|sc| sc == ACCOUNTING_SCOPE) {
        "<li>Read and change your accounting data: customers, items, invoices and payments</li>"
    } else {
        "<li>See your basic profile</li>"
    };
    let page = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect {app} to {company}</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f4f5f8; margin: 0; }}
  main {{ max-width: 28rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }}
  h1 {{ font-size: 1.35rem; margin-top: 0; }}
  .actions {{ display: flex; gap: .75rem; margin-top: 1.5rem; }}
  button {{ font: inherit; padding: .6rem 1.4rem; border-radius: 4px; cursor: pointer; }}
  button[value=connect] {{ background: #2ca01c; color: #fff; border: 1px solid #2ca01c; }}
  button[value=cancel] {{ background: #fff; color: #393a3d; border: 1px solid #8d9096; }}
  button:focus-visible {{ outline: 3px solid #0077c5; outline-offset: 2px; }}
  .note {{ color: #6b6c72; font-size: .85rem; margin-top: 1.5rem; }}
</style>
</head>
<body>
<main>
  <h1 id="consent-title">Connect {app} to {company}</h1>
  <p id="consent-what">{app} wants to connect to your QuickBooks company <strong>{company}</strong>. It will be able to:</p>
  <ul>{can}</ul>
  <form method="post" action="/connect/oauth2" aria-labelledby="consent-title" aria-describedby="consent-what">
{hidden}    <div class="actions">
      <button type="submit" name="decision" value="connect">Connect</button>
      <button type="submit" name="decision" value="cancel">Cancel</button>
    </div>
  </form>
  <p class="note">QuickBooks stand-in (local test double): company {realm}.</p>
</main>
</body>
</html>
"#,
        realm = html_escape(&s.config.realm_id),
    );
    Html(page).into_response()
}

/// `POST /connect/oauth2`: the Connect or Cancel button.
pub(crate) async fn consent_decision(State(standin): State<StandIn>, body: Bytes) -> Response {
    let p: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let mut s = standin.lock();
    let redirect_uri = match check_client(&s, &p) {
        Ok(u) => u,
        Err(page) => return page,
    };
    let state = p.get("state").cloned().unwrap_or_default();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if p.get("decision").map(String::as_str) == Some("connect") {
        let now = s.now();
        pairs.push(("code", s.oauth.issue_code(&redirect_uri, now)));
        if !state.is_empty() {
            pairs.push(("state", state));
        }
        pairs.push(("realmId", s.config.realm_id.clone()));
    } else {
        pairs.push(("error", "access_denied".into()));
        if !state.is_empty() {
            pairs.push(("state", state));
        }
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_to(&redirect_uri, &refs)
}

fn oauth_error(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let mut body = json!({"error": error});
    if let Some(d) = description {
        body["error_description"] = Value::String(d.to_string());
    }
    let mut resp = json_response(status.as_u16(), &body);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// HTTP Basic `client_id:client_secret` must match the configuration.
fn client_ok(s: &Inner, headers: &HeaderMap) -> bool {
    let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some((scheme, b64)) = v.split_once(' ') else { return false };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else { return false };
    let Ok(text) = String::from_utf8(raw) else { return false };
    text.split_once(':').is_some_and(|(id, secret)| id == s.config.client_id && secret == s.config.client_secret)
}

/// An injected fault on the token or revoke endpoint. `Ok(true)` means "commit, then drop".
async fn token_faults(
    standin: &StandIn,
    method: &Method,
    op: Operation,
    conn: Option<&ConnControl>,
) -> Result<bool, Response> {
    let action = {
        let mut s = standin.lock();
        let a = s.rules.take(method.as_str(), None, op);
        if a.is_some() {
            s.counters.injected += 1;
        }
        a
    };
    match action {
        None => Ok(false),
        Some(FaultAction::Respond { status, code, detail, .. }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let error = code.unwrap_or_else(|| "server_error".into());
            if error == "invalid_grant" {
                standin.lock().counters.invalid_grant += 1;
            }
            Err(oauth_error(status, &error, detail.as_deref()))
        }
        Some(FaultAction::Throttle) => {
            standin.lock().counters.throttled += 1;
            Err(oauth_error(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", None))
        }
        Some(FaultAction::Drop) => Err(cut_connection(standin, conn)),
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Ok(false)
        }
        Some(FaultAction::CommitThenDrop) => Ok(true),
    }
}

/// `POST /oauth2/v1/tokens/bearer`.
pub(crate) async fn token(
    State(standin): State<StandIn>,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
    body: Bytes,
) -> Response {
    if !client_ok(&standin.lock(), &headers) {
        standin.lock().counters.invalid_client += 1;
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", None);
    }
    let drop_after = match token_faults(&standin, &method, Operation::Token, conn.0.as_ref()).await {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let result = {
        let mut s = standin.lock();
        let now = s.now();
        let outcome = match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let code = form.get("code").map(String::as_str).unwrap_or_default();
                let redirect = form.get("redirect_uri").map(String::as_str).unwrap_or_default();
                let config = s.config.clone();
                let r = s.oauth.exchange_code(code, redirect, &config, now);
                if r.is_ok() {
                    s.counters.code_exchanges += 1;
                }
                Some(r)
            }
            Some("refresh_token") => {
                let value = form.get("refresh_token").map(String::as_str).unwrap_or_default();
                let config = s.config.clone();
                let r = s.oauth.refresh(value, &config, now);
                if r.is_ok() {
                    s.counters.refreshes += 1;
                }
                Some(r)
            }
            _ => None,
        };
        if matches!(outcome, Some(Err(_))) {
            s.counters.invalid_grant += 1;
        }
        outcome
    };
    if drop_after {
        return cut_connection(&standin, conn.0.as_ref());
    }
    match result {
        None => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", None),
        Some(Err(e)) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", Some(&grant_description(&e))),
        Some(Ok(tokens)) => {
            let mut resp = json_response(200, &json!(tokens));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
    }
}

fn grant_description(e: &GrantError) -> String {
    e.to_string()
}

/// `POST /v2/oauth2/tokens/revoke` with `{"token": …}` (or a form). Revokes the connection; an
/// unknown token still answers 200, as RFC 7009 asks.
pub(crate) async fn revoke(
    State(standin): State<StandIn>,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
    body: Bytes,
) -> Response {
    if !client_ok(&standin.lock(), &headers) {
        standin.lock().counters.invalid_client += 1;
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", None);
    }
    let drop_after = match token_faults(&standin, &method, Operation::Revoke, conn.0.as_ref()).await {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let token = match serde_json::from_slice::<Value>(&body) {
        Ok(v) => v.get("token").and_then(Value::as_str).map(str::to_string),
        Err(_) => form_urlencoded::parse(&body).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned()),
    };
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", Some("token is required"));
    };
    {
        let mut s = standin.lock();
        if s.oauth.revoke(&token) {
            s.counters.revocations += 1;
        }
    }
    if drop_after {
        return cut_connection(&standin, conn.0.as_ref());
    }
    let mut resp = StatusCode::OK.into_response();
    super::add_tid(resp.headers_mut());
    resp
}
