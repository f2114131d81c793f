//! Shared helpers: a stand-in on a random port and a small client for it.
#![allow(dead_code)]

use base64::Engine;
use quickbooks_standin::{Config, Running, StandIn, TokenResponse, spawn};
use reqwest::StatusCode;
use serde_json::Value;

pub struct Harness {
    pub running: Running,
    pub http: reqwest::Client,
    pub access: String,
}

impl Harness {
    /// A stand-in with default config and a connection made through the admin shortcut.
    pub async fn connected() -> Self {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let running = spawn(StandIn::new(config)).await.expect("bind");
        let http = client();
        let tokens = running.standin.connect();
        Harness { running, http, access: tokens.access_token }
    }

    pub fn standin(&self) -> &StandIn {
        &self.running.standin
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.base_url(), path)
    }

    /// `/v3/company/{realm}` + `rest`.
    pub fn api(&self, rest: &str) -> String {
        format!("{}{}", self.running.company_url(), rest)
    }

    pub async fn post(&self, rest: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.api(rest))
            .bearer_auth(&self.access)
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, rest: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(self.api(rest))
            .bearer_auth(&self.access)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("send");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn query(&self, q: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(self.api("/query"))
            .query(&[("query", q), ("minorversion", "75")])
            .bearer_auth(&self.access)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Creates a customer and returns its Id.
    pub async fn customer(&self, name: &str) -> String {
        let (status, body) = self.post("/customer", &serde_json::json!({"DisplayName": name})).await;
        assert_eq!(status, 200, "{body}");
        body["Customer"]["Id"].as_str().unwrap().to_string()
    }

    /// Creates an invoice of one `Services` line for `amount` and returns the Invoice object.
    pub async fn invoice(&self, customer: &str, doc: Option<&str>, amount: f64) -> Value {
        let mut body = serde_json::json!({
            "CustomerRef": {"value": customer},
            "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount}}]
        });
        if let Some(d) = doc {
            body["DocNumber"] = Value::String(d.into());
        }
        let (status, body) = self.post("/invoice", &body).await;
        assert_eq!(status, 200, "{body}");
        body["Invoice"].clone()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

pub fn basic(config: &Config) -> String {
    let raw = format!("{}:{}", config.client_id, config.client_secret);
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

/// `POST /oauth2/v1/tokens/bearer` with the right client credentials.
pub async fn token_request(base: &str, config: &Config, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = client()
        .post(format!("{base}/oauth2/v1/tokens/bearer"))
        .header("Authorization", basic(config))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn refresh(base: &str, config: &Config, refresh_token: &str) -> (StatusCode, Value) {
    token_request(base, config, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

pub fn tokens(v: &Value) -> TokenResponse {
    serde_json::from_value(v.clone()).expect("token response shape")
}

pub fn fault_code(body: &Value) -> &str {
    body["Fault"]["Error"][0]["code"].as_str().unwrap_or("")
}

/// Whether a request failed because the connection went away (reset or closed before an answer),
/// not because of a status, a timeout or a body that would not decode.
pub fn is_connection_error(err: &reqwest::Error) -> bool {
    if err.is_status() || err.is_timeout() || err.is_decode() {
        return false;
    }
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>().is_some()
            || e.to_string().contains("connection closed before message completed")
        {
            return true;
        }
        source = e.source();
    }
    false
}
