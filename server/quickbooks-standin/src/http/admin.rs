//! `/__standin/…`: inspecting and steering the stand-in over HTTP, for browser tests and the
//! out-of-process demo. Every endpoint mirrors a method on [`StandIn`]; all answers are JSON.
//! No authentication: the stand-in is a test double bound to loopback.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::ConfigPatch;
use crate::entity::EntityKind;
use crate::inject::FaultRule;
use crate::{Fault, StandIn};

pub(crate) fn routes() -> Router<StandIn> {
    Router::new()
        .route("/__standin", get(index))
        .route("/__standin/reset", post(reset))
        .route("/__standin/config", get(config).post(configure))
        .route("/__standin/clock", get(clock).post(set_clock))
        .route("/__standin/faults", get(faults).post(push_faults).delete(clear_faults))
        .route("/__standin/oauth/connect", post(connect))
        .route("/__standin/oauth/tokens", get(tokens))
        .route("/__standin/oauth/force-invalid-grant", post(force_invalid_grant))
        .route("/__standin/oauth/expire-access-tokens", post(expire_access_tokens))
        .route("/__standin/oauth/revoke-all", post(revoke_all))
        .route("/__standin/doc-numbers", post(take_doc_number))
        .route("/__standin/request-ids/forget", post(forget_request_ids))
        .route("/__standin/entities", get(counts))
        .route("/__standin/entities/{entity}", get(list).post(create))
        .route("/__standin/entities/{entity}/{id}", get(one).post(edit))
        .route("/__standin/counters", get(counters))
        .route("/__standin/requests", get(requests))
        .route("/__standin/snapshot", get(snapshot))
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message.into()}))).into_response()
}

fn fault(f: Fault) -> Response {
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(f.to_json(""))).into_response()
}

/// Parses a JSON body leniently: an empty body is `{}`.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> Result<T, Response> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    serde_json::from_slice(text).map_err(|e| bad_request(format!("invalid JSON body: {e}")))
}

fn kind(name: &str) -> Result<EntityKind, Response> {
    EntityKind::parse(name).ok_or_else(|| bad_request(format!("unknown entity {name}")))
}

async fn index() -> Json<Value> {
    Json(json!({
        "endpoints": {
            "POST /__standin/reset": "fresh company, no tokens, rules or counters; config kept",
            "GET|POST /__standin/config": "read / patch the configuration",
            "GET|POST /__standin/clock": "{\"now\": ISO} freezes, {\"advance_seconds\": n} moves, {\"resume\": true} follows the real clock",
            "GET|POST|DELETE /__standin/faults": "pending fault rules; push one rule or an array",
            "POST /__standin/oauth/connect": "tokens for a new connection without the consent page",
            "GET /__standin/oauth/tokens": "refresh-token values and whether they still work",
            "POST /__standin/oauth/force-invalid-grant": "{\"times\": n}",
            "POST /__standin/oauth/expire-access-tokens": "",
            "POST /__standin/oauth/revoke-all": "",
            "POST /__standin/doc-numbers": "{\"doc_number\": \"1005\"}: taken by QuickBooks' own numbering",
            "POST /__standin/request-ids/forget": "",
            "GET /__standin/entities": "live counts per type",
            "GET|POST /__standin/entities/{entity}": "list, or create as a QuickBooks user",
            "GET|POST /__standin/entities/{entity}/{id}": "read, or edit as a QuickBooks user (sparse patch)",
            "GET /__standin/counters": "",
            "GET /__standin/requests": "request log",
            "GET /__standin/snapshot": "everything"
        }
    }))
}

async fn reset(State(s): State<StandIn>) -> Json<Value> {
    s.reset();
    Json(json!({"ok": true}))
}

async fn config(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.config()))
}

async fn configure(State(s): State<StandIn>, bytes: Bytes) -> Response {
    let patch: ConfigPatch = match body(&bytes) {
        Ok(p) => p,
        Err(r) => return r,
    };
    s.configure(|c| patch.apply(c));
    Json(json!(s.config())).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    now: Option<DateTime<Utc>>,
    advance_seconds: Option<i64>,
    #[serde(default)]
    resume: bool,
}

async fn clock(State(s): State<StandIn>) -> Json<Value> {
    let snap = s.snapshot();
    Json(json!({"now": snap.now, "frozen": snap.clock_frozen}))
}

async fn set_clock(State(s): State<StandIn>, bytes: Bytes) -> Response {
    let b: ClockBody = match body(&bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.resume {
        s.resume_clock();
    }
    if let Some(t) = b.now {
        s.set_now(t);
    }
    if let Some(secs) = b.advance_seconds {
        match Duration::try_seconds(secs) {
            Some(d) => s.advance(d),
            None => return bad_request("advance_seconds out of range"),
        }
    }
    clock(State(s)).await.into_response()
}

async fn faults(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.pending_faults()))
}

async fn push_faults(State(s): State<StandIn>, bytes: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(FaultRule),
        Many(Vec<FaultRule>),
    }
    let rules = match body::<OneOrMany>(&bytes) {
        Ok(OneOrMany::One(r)) => vec![r],
        Ok(OneOrMany::Many(r)) => r,
        Err(r) => return r,
    };
    for r in rules {
        s.push_fault(r);
    }
    Json(json!(s.pending_faults())).into_response()
}

async fn clear_faults(State(s): State<StandIn>) -> Json<Value> {
    s.clear_faults();
    Json(json!([]))
}

async fn connect(State(s): State<StandIn>) -> Json<Value> {
    let mut v = json!(s.connect());
    v["realmId"] = Value::String(s.realm_id());
    Json(v)
}

async fn tokens(State(s): State<StandIn>) -> Json<Value> {
    let snap = s.snapshot();
    Json(json!({
        "refresh_tokens": snap.refresh_tokens,
        "live_access_tokens": snap.live_access_tokens,
        "forced_invalid_grants": snap.forced_invalid_grants
    }))
}

async fn force_invalid_grant(State(s): State<StandIn>, bytes: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Times {
        #[serde(default = "one")]
        times: u32,
    }
    fn one() -> u32 {
        1
    }
    match body::<Times>(&bytes) {
        Ok(t) => {
            s.force_invalid_grant(t.times);
            Json(json!({"forced_invalid_grants": s.snapshot().forced_invalid_grants})).into_response()
        }
        Err(r) => r,
    }
}

async fn expire_access_tokens(State(s): State<StandIn>) -> Json<Value> {
    s.expire_access_tokens();
    Json(json!({"ok": true}))
}

async fn revoke_all(State(s): State<StandIn>) -> Json<Value> {
    s.revoke_all();
    Json(json!({"ok": true}))
}

async fn take_doc_number(State(s): State<StandIn>, bytes: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Doc {
        doc_number: String,
    }
    match body::<Doc>(&bytes) {
        Ok(d) => match s.take_doc_number(&d.doc_number) {
            Ok(id) => Json(json!({"TxnId": id, "DocNumber": d.doc_number})).into_response(),
            Err(f) => fault(f),
        },
        Err(r) => r,
    }
}

async fn forget_request_ids(State(s): State<StandIn>) -> Json<Value> {
    s.forget_request_ids();
    Json(json!({"ok": true}))
}

async fn counts(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.counts()))
}

async fn list(State(s): State<StandIn>, Path(entity): Path<String>) -> Response {
    match kind(&entity) {
        Ok(k) => Json(json!(s.entities(k))).into_response(),
        Err(r) => r,
    }
}

async fn create(State(s): State<StandIn>, Path(entity): Path<String>, bytes: Bytes) -> Response {
    let k = match kind(&entity) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match body::<Value>(&bytes).map(|b| s.create(k, b)) {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(f)) => fault(f),
        Err(r) => r,
    }
}

async fn one(State(s): State<StandIn>, Path((entity, id)): Path<(String, String)>) -> Response {
    match kind(&entity) {
        Ok(k) => match s.entity(k, &id) {
            Some(v) => Json(v).into_response(),
            None => (StatusCode::NOT_FOUND, Json(json!({"error": "not found"}))).into_response(),
        },
        Err(r) => r,
    }
}

async fn edit(State(s): State<StandIn>, Path((entity, id)): Path<(String, String)>, bytes: Bytes) -> Response {
    let k = match kind(&entity) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match body::<Value>(&bytes).map(|b| s.edit_as_user(k, &id, b)) {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(f)) => fault(f),
        Err(r) => r,
    }
}

async fn counters(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.counters()))
}

async fn requests(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.requests()))
}

async fn snapshot(State(s): State<StandIn>) -> Json<Value> {
    Json(json!(s.snapshot()))
}
