//! OAuth: consent page, code exchange, refresh rotation in both modes, expiry, revocation.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{basic, client, refresh, token_request, tokens};
use quickbooks_standin::{Config, FaultAction, FaultRule, OldTokenMode, Operation, RotationPolicy, StandIn, spawn};
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:3000/quickbooks/callback";

fn query_pairs(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%3A", ":").replace("%2F", "/").replace('+', " ")))
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

/// Opens the consent page, presses `decision`, returns the redirect's Location.
async fn consent(base: &str, config: &Config, state: &str, decision: &str) -> String {
    let http = client();
    let page = http
        .get(format!("{base}/connect/oauth2"))
        .query(&[
            ("client_id", config.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("state", state),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("Connect {} to {}", config.app_name, config.company_name)), "{html}");
    assert!(html.contains(r#"<button type="submit" name="decision" value="connect">Connect</button>"#));
    assert!(html.contains(r#"<button type="submit" name="decision" value="cancel">Cancel</button>"#));
    assert!(html.contains("<form method=\"post\" action=\"/connect/oauth2\" aria-labelledby=\"consent-title\""));
    let resp = http
        .post(format!("{base}/connect/oauth2"))
        .form(&[
            ("client_id", config.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("state", state),
            ("decision", decision),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    resp.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn authorization_code_flow_echoes_state_and_codes_are_single_use() {
    let config = Config::default();
    let running = spawn(StandIn::new(config.clone())).await.unwrap();
    let base = running.base_url();

    let location = consent(&base, &config, "csrf-123 ünïcode", "connect").await;
    assert!(location.starts_with(REDIRECT), "{location}");
    let pairs = query_pairs(&location);
    assert_eq!(get(&pairs, "realmId"), Some(config.realm_id.as_str()));
    assert!(location.contains("state=csrf-123+%C3%BCn%C3%AFcode"), "{location}");
    let code = get(&pairs, "code").unwrap().to_string();

    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)];
    let (status, body) = token_request(&base, &config, &form).await;
    assert_eq!(status, 200, "{body}");
    let t = tokens(&body);
    assert_eq!(t.token_type, "bearer");
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.x_refresh_token_expires_in, 8_726_400);
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "exactly the documented fields: {keys:?}");

    // The access token works on the API.
    let resp = client()
        .get(format!("{}/customer/1", running.company_url()))
        .bearer_auth(&t.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "authenticated; customer 1 does not exist (610)");

    // The same code again: invalid_grant.
    let (status, body) = token_request(&base, &config, &form).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].as_str().unwrap().contains("already used"));
    let c = running.standin.counters();
    assert_eq!((c.code_exchanges, c.invalid_grant), (1, 1));
}

#[tokio::test]
async fn cancel_redirects_with_access_denied_and_state() {
    let config = Config::default();
    let running = spawn(StandIn::new(config.clone())).await.unwrap();
    let location = consent(&running.base_url(), &config, "s1", "cancel").await;
    assert_eq!(location, format!("{REDIRECT}?error=access_denied&state=s1"));
}

#[tokio::test]
async fn consent_page_refuses_unknown_client_and_bad_redirect() {
    let config = Config { redirect_uris: vec![REDIRECT.into()], ..Config::default() };
    let running = spawn(StandIn::new(config.clone())).await.unwrap();
    let http = client();
    let page = |client_id: &str, redirect: &str| {
        http.get(format!("{}/connect/oauth2", running.base_url()))
            .query(&[
                ("client_id", client_id),
                ("redirect_uri", redirect),
                ("response_type", "code"),
                ("scope", "com.intuit.quickbooks.accounting"),
            ])
            .send()
    };
    assert_eq!(page("nope", REDIRECT).await.unwrap().status(), 400);
    assert_eq!(page(&config.client_id, "http://evil.example/cb").await.unwrap().status(), 400);
    assert_eq!(page(&config.client_id, REDIRECT).await.unwrap().status(), 200);
    // Wrong response_type goes back to the (valid) redirect URI with an error.
    let resp = http
        .get(format!("{}/connect/oauth2", running.base_url()))
        .query(&[
            ("client_id", config.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "token"),
            ("state", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["location"].to_str().unwrap().contains("error=unsupported_response_type&state=x"));
}

#[tokio::test]
async fn code_exchange_checks_client_redirect_and_age() {
    let config = Config::default();
    let standin = StandIn::new(config.clone());
    standin.set_now(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();

    // Wrong client secret: 401 invalid_client.
    let code = standin.authorize(REDIRECT);
    let resp = client()
        .post(format!("{base}/oauth2/v1/tokens/bearer"))
        .basic_auth(&config.client_id, Some("wrong"))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"error": "invalid_client"}));
    // No credentials at all: the same.
    let resp = client()
        .post(format!("{base}/oauth2/v1/tokens/bearer"))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Another redirect_uri than the code was issued for.
    let (status, body) = token_request(
        &base,
        &config,
        &[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", "http://127.0.0.1:1/other")],
    )
    .await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_grant")));

    // Five minutes later the code is dead.
    standin.advance(Duration::seconds(301));
    let (status, body) = token_request(
        &base,
        &config,
        &[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)],
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error_description"].as_str().unwrap().contains("expired"), "{body}");

    // A fresh one within the window works.
    let code = standin.authorize(REDIRECT);
    standin.advance(Duration::seconds(299));
    let (status, _) = token_request(
        &base,
        &config,
        &[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)],
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = token_request(&base, &config, &[("grant_type", "password")]).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("unsupported_grant_type")));
    assert_eq!(standin.counters().invalid_client, 2);
}

#[tokio::test]
async fn strict_rotation_kills_the_old_refresh_token_at_once() {
    let config =
        Config { rotation: RotationPolicy::Always, old_refresh_token: OldTokenMode::Strict, ..Config::default() };
    let standin = StandIn::new(config.clone());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();
    let first = standin.connect();

    let (status, body) = refresh(&base, &config, &first.refresh_token).await;
    assert_eq!(status, 200, "{body}");
    let second = tokens(&body);
    assert_ne!(second.refresh_token, first.refresh_token, "every refresh rotates");
    assert_ne!(second.access_token, first.access_token);

    let (status, body) = refresh(&base, &config, &first.refresh_token).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());

    let (status, _) = refresh(&base, &config, &second.refresh_token).await;
    assert_eq!(status, 200);
    let c = standin.counters();
    assert_eq!((c.refreshes, c.invalid_grant), (2, 1));
}

#[tokio::test]
async fn grace_mode_keeps_the_old_refresh_token_for_24_hours() {
    let config =
        Config { rotation: RotationPolicy::Always, old_refresh_token: OldTokenMode::Grace24h, ..Config::default() };
    let standin = StandIn::new(config.clone());
    standin.set_now(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();
    let first = standin.connect();

    let (_, body) = refresh(&base, &config, &first.refresh_token).await;
    let second = tokens(&body);
    standin.advance(Duration::hours(23));
    let (status, body) = refresh(&base, &config, &first.refresh_token).await;
    assert_eq!(status, 200, "old value still good within 24 h: {body}");
    standin.advance(Duration::hours(1));
    let (status, body) = refresh(&base, &config, &first.refresh_token).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_grant")), "dead after 24 h");
    let _ = second;
    assert_eq!(standin.counters().invalid_grant, 1);
}

#[tokio::test]
async fn daily_rotation_returns_the_same_value_within_a_day_counting_down() {
    let config = Config { rotation: RotationPolicy::Daily, ..Config::default() };
    let standin = StandIn::new(config.clone());
    standin.set_now(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();
    let first = standin.connect();

    standin.advance(Duration::hours(2));
    let (_, body) = refresh(&base, &config, &first.refresh_token).await;
    let t = tokens(&body);
    assert_eq!(t.refresh_token, first.refresh_token);
    assert_eq!(t.x_refresh_token_expires_in, 8_726_400 - 7200);

    standin.advance(Duration::hours(22));
    let (_, body) = refresh(&base, &config, &first.refresh_token).await;
    let t2 = tokens(&body);
    assert_ne!(t2.refresh_token, first.refresh_token, "rotated after 24 h");
    assert_eq!(t2.x_refresh_token_expires_in, 8_726_400);
}

#[tokio::test]
async fn refresh_tokens_die_when_unused_for_their_lifetime_and_120_days_of_daily_use_survive() {
    let config = Config { rotation: RotationPolicy::Daily, ..Config::default() };
    let standin = StandIn::new(config.clone());
    standin.set_now(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();

    // A client that refreshes every day (and stores what it gets) keeps working for 120 days.
    let mut current = standin.connect().refresh_token;
    for _ in 0..120 {
        standin.advance(Duration::days(1));
        let (status, body) = refresh(&base, &config, &current).await;
        assert_eq!(status, 200, "{body}");
        current = tokens(&body).refresh_token;
    }
    assert_eq!(standin.counters().invalid_grant, 0, "no invalid_grant happened");
    assert_eq!(standin.counters().refreshes, 120);

    // Unused until one second before x_refresh_token_expires_in runs out: still fine (and the
    // answer is a rotated value with the full lifetime again); unused for the whole of it: dead.
    let idle = standin.connect().refresh_token;
    standin.advance(Duration::seconds(8_726_400 - 1));
    let (status, body) = refresh(&base, &config, &idle).await;
    assert_eq!(status, 200);
    assert_eq!(tokens(&body).x_refresh_token_expires_in, 8_726_400, "rotated, so a fresh lifetime");
    let idle2 = standin.connect().refresh_token;
    standin.advance(Duration::seconds(8_726_400));
    let (status, body) = refresh(&base, &config, &idle2).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(body["error_description"].as_str().unwrap().contains("expired"));

    // Intuit's prose says 100 days; with the lifetime set to exactly that, day 100 is the end.
    standin.configure(|c| c.refresh_token_lifetime_secs = 100 * 86_400);
    let t = standin.connect();
    assert_eq!(t.x_refresh_token_expires_in, 8_640_000);
    standin.advance(Duration::days(100));
    let (status, _) = refresh(&base, &config, &t.refresh_token).await;
    assert_eq!(status, 400);
    assert_eq!(standin.counters().invalid_grant, 2);
}

#[tokio::test]
async fn unknown_and_forced_invalid_grant_are_counted() {
    let config = Config::default();
    let standin = StandIn::new(config.clone());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();
    let t = standin.connect();

    let (status, body) = refresh(&base, &config, "AB11-not-a-token").await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_grant")));

    standin.force_invalid_grant(1);
    let (status, _) = refresh(&base, &config, &t.refresh_token).await;
    assert_eq!(status, 400);
    let (status, _) = refresh(&base, &config, &t.refresh_token).await;
    assert_eq!(status, 200, "forcing was one-shot and did not rotate");
    assert_eq!(standin.counters().invalid_grant, 2);
}

#[tokio::test]
async fn expired_and_unknown_access_tokens_get_the_lowercase_401() {
    let standin = StandIn::default();
    standin.set_now(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    let running = spawn(standin.clone()).await.unwrap();
    let t = standin.connect();
    let url = format!("{}/query?query=select%20*%20from%20Item", running.company_url());

    let ok = client().get(&url).bearer_auth(&t.access_token).send().await.unwrap();
    assert_eq!(ok.status(), 200);

    standin.advance(Duration::seconds(3600));
    let resp = client().get(&url).bearer_auth(&t.access_token).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    let err = &body["fault"]["error"][0];
    assert_eq!(err["code"], "3200");
    assert_eq!(err["message"], "message=AuthenticationFailed; errorCode=003200; statusCode=401");
    assert!(err["detail"].as_str().unwrap().starts_with("Token expired: "));
    assert_eq!(body["fault"]["type"], "AUTHENTICATION");

    let resp = client().get(&url).bearer_auth("garbage").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 401);

    // Expiring on demand.
    let t2 = standin.connect();
    standin.expire_access_tokens();
    let resp = client().get(&url).bearer_auth(&t2.access_token).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(standin.counters().unauthorized, 4);

    // Another company's realm: 403.
    let t3 = standin.connect();
    let resp = client()
        .get(format!("{}/v3/company/123/query?query=select%20*%20from%20Item", running.base_url()))
        .bearer_auth(&t3.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn revoke_kills_refresh_and_access_tokens_json_or_form() {
    let config = Config::default();
    let standin = StandIn::new(config.clone());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();

    for as_json in [true, false] {
        let t = standin.connect();
        let req = client().post(format!("{base}/v2/oauth2/tokens/revoke")).header("Authorization", basic(&config));
        let req = if as_json {
            req.json(&json!({"token": t.refresh_token}))
        } else {
            req.form(&[("token", &t.refresh_token)])
        };
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let (status, body) = refresh(&base, &config, &t.refresh_token).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_grant")));
        let api = client()
            .get(format!("{}/query?query=select%20*%20from%20Item", running.company_url()))
            .bearer_auth(&t.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 401);
    }
    assert_eq!(standin.counters().revocations, 2);
}

#[tokio::test]
async fn a_refresh_whose_answer_is_lost_leaves_the_client_with_a_dead_token_in_strict_mode() {
    let config = Config::default();
    let standin = StandIn::new(config.clone());
    let running = spawn(standin.clone()).await.unwrap();
    let base = running.base_url();
    let t = standin.connect();

    standin.push_fault(FaultRule::new(FaultAction::CommitThenDrop).on_operation(Operation::Token));
    let err = client()
        .post(format!("{base}/oauth2/v1/tokens/bearer"))
        .header("Authorization", basic(&config))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", t.refresh_token.as_str())])
        .send()
        .await
        .expect_err("the answer never arrives");
    assert!(common::is_connection_error(&err), "{err:?}");

    // The stand-in rotated: the token the client still holds is dead.
    let (status, _) = refresh(&base, &config, &t.refresh_token).await;
    assert_eq!(status, 400);
    let infos = standin.refresh_tokens();
    assert_eq!(infos.iter().filter(|i| i.usable).count(), 1, "the new value exists, the client never saw it");
    assert_eq!(standin.counters().dropped_connections, 1);
}
