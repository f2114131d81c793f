//! The Accounting API under `/v3/company/{realm}/`.
//!
//! Every call goes through the same gate, in this order: bearer token (401, lowercase `fault`),
//! company (403), throttle (429), injected faults, `requestid` replay, then the operation itself.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::conn::Conn;
use super::{add_tid, cut_connection, json_response};
use crate::config::ThrottleFormat;
use crate::entity::EntityKind;
use crate::fault::{AuthProblem, Fault, auth_fault_json, authorization_fault_json};
use crate::inject::{FaultAction, Operation};
use crate::oauth::AccessCheck;
use crate::{Reply, StandIn, State as Inner, cdc, query};

/// What the gate needs to know about a request.
struct Call {
    method: Method,
    realm: String,
    headers: HeaderMap,
    params: HashMap<String, String>,
    conn: Conn,
}

impl Call {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// Query parameters; a malformed encoding never fails, it just decodes leniently.
pub(crate) fn params(raw: Option<&str>) -> HashMap<String, String> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The answer to a 429, in the configured format.
fn throttle_response(s: &mut Inner) -> Response {
    s.counters.throttled += 1;
    s.count_fault("3001");
    let fault = Fault::throttled();
    let time = s.time();
    let mut resp = match s.config.throttle_format {
        ThrottleFormat::Json => json_response(429, &fault.to_json(&time)),
        ThrottleFormat::Xml => xml_response(429, fault.to_xml(&time)),
    };
    if let Some(secs) = s.config.retry_after_secs {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

fn xml_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, [(header::CONTENT_TYPE, "application/xml;charset=UTF-8")], body).into_response();
    add_tid(resp.headers_mut());
    resp
}

/// Authentication, company and throttle; `Err` is the answer to send instead.
fn gate(s: &mut Inner, call: &Call) -> Result<(), Response> {
    let now = s.now();
    let token = bearer(&call.headers);
    let problem = match token.map(|t| s.oauth.check_access(t, now)) {
        None => Some(AuthProblem::Missing),
        Some(AccessCheck::Valid) => None,
        Some(AccessCheck::Unknown) => Some(AuthProblem::Unknown),
        Some(AccessCheck::Expired) => Some(AuthProblem::Expired),
        Some(AccessCheck::Revoked) => Some(AuthProblem::Revoked),
    };
    if let Some(p) = problem {
        s.counters.unauthorized += 1;
        s.count_fault("3200");
        let mut resp = json_response(401, &auth_fault_json(p, token.unwrap_or_default()));
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"Intuit\""));
        return Err(resp);
    }
    if call.realm != s.config.realm_id {
        s.count_fault("3100");
        return Err(json_response(403, &authorization_fault_json(&call.realm)));
    }
    if let Some(limits) = s.config.throttle
        && !s.throttle.admit(limits, now)
    {
        return Err(throttle_response(s));
    }
    Ok(())
}

/// Runs one API operation through the gate, the fault rules and the requestid memory.
/// `work` returns the object to answer with; `time` is added here.
async fn run<F>(standin: &StandIn, call: Call, entity: Option<EntityKind>, op: Operation, work: F) -> Response
where
    F: FnOnce(&mut Inner) -> Result<Value, Fault>,
{
    let action = {
        let mut s = standin.lock();
        if let Err(resp) = gate(&mut s, &call) {
            return resp;
        }
        let action = s.rules.take(call.method.as_str(), entity, op);
        if action.is_some() {
            s.counters.injected += 1;
        }
        action
    };
    let mut drop_after = false;
    match action {
        None => {}
        Some(FaultAction::Respond { status, code, message, detail, fault_type, xml }) => {
            let fault = FaultAction::api_fault(status, &code, &message, &detail, &fault_type);
            let mut s = standin.lock();
            s.count_fault(&fault.code);
            if status == 429 {
                s.counters.throttled += 1;
            }
            let time = s.time();
            return if xml {
                xml_response(status, fault.to_xml(&time))
            } else {
                json_response(status, &fault.to_json(&time))
            };
        }
        Some(FaultAction::Throttle) => return throttle_response(&mut standin.lock()),
        Some(FaultAction::Drop) => return cut_connection(standin, call.conn.0.as_ref()),
        Some(FaultAction::Delay { ms }) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        Some(FaultAction::CommitThenDrop) => drop_after = true,
    }

    let (status, body) = {
        let mut s = standin.lock();
        let is_write = matches!(op, Operation::Create | Operation::Update | Operation::Delete | Operation::Void);
        let key = call
            .param("requestid")
            .filter(|id| is_write && s.config.requestid_replay && !id.is_empty())
            .map(|id| format!("{}/{id}", call.realm));
        if let Some(reply) = key.as_ref().and_then(|k| s.replies.get(k)).cloned() {
            s.counters.replayed += 1;
            (reply.status, reply.body)
        } else {
            match work(&mut s) {
                Ok(mut body) => {
                    if let Value::Object(m) = &mut body {
                        m.insert("time".into(), Value::String(s.time()));
                    }
                    if let Some(kind) = entity {
                        let op_name = serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_string));
                        *s.counters.operations.entry(format!("{kind} {}", op_name.unwrap_or_default())).or_default() +=
                            1;
                        if op == Operation::Create {
                            *s.counters.creates.entry(kind.name().into()).or_default() += 1;
                        }
                    }
                    if let Some(k) = key {
                        s.replies.insert(k, Reply { status: 200, body: body.clone() });
                    }
                    (200, body)
                }
                Err(fault) => {
                    s.count_fault(&fault.code);
                    let time = s.time();
                    (fault.status, fault.to_json(&time))
                }
            }
        }
    };
    if drop_after {
        return cut_connection(standin, call.conn.0.as_ref());
    }
    json_response(status, &body)
}

fn unknown_entity(realm: &str, entity: &str) -> Fault {
    Fault::unsupported(format!(
        "Operation Could not find resource for relative : /v3/company/{realm}/{entity} is not supported."
    ))
}

/// `POST /v3/company/{realm}/{entity}[?operation=update|delete|void]`.
pub(crate) async fn write(
    State(standin): State<StandIn>,
    Path((realm, entity)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
    body: Bytes,
) -> Response {
    let params = params(raw.as_deref());
    let kind = EntityKind::parse(&entity);
    let parsed: Result<Value, Fault> = serde_json::from_slice(&body)
        .map_err(|e| Fault::invalid_property(format!("Property Name:Can not parse the request body: {e}")));
    let operation = params.get("operation").map(|o| o.to_ascii_lowercase());
    let op = match operation.as_deref() {
        Some("delete") => Operation::Delete,
        Some("void") => Operation::Void,
        Some("update") => Operation::Update,
        _ if parsed.as_ref().is_ok_and(|b| b.get("Id").is_some()) => Operation::Update,
        _ => Operation::Create,
    };
    let allow_dup = params
        .get("include")
        .is_some_and(|inc| inc.split(',').any(|i| i.trim().eq_ignore_ascii_case("allowduplicatedocnum")));
    let call = Call { method, realm: realm.clone(), headers, params, conn };
    run(&standin, call, kind, op, move |s| {
        let kind = kind.ok_or_else(|| unknown_entity(&realm, &entity))?;
        if let Some(other) = operation.as_deref().filter(|o| !matches!(*o, "delete" | "void" | "update")) {
            return Err(Fault::unsupported(format!("Operation {other} is not supported for {kind}")));
        }
        let body = parsed?;
        let ctx = s.write_ctx(allow_dup);
        let out = match op {
            Operation::Delete => s.company.delete(kind, body, ctx)?,
            Operation::Void => s.company.void(kind, body, ctx)?,
            Operation::Update => s.company.update(kind, body, ctx)?,
            _ => s.company.create(kind, body, ctx)?,
        };
        let mut m = Map::new();
        m.insert(kind.name().into(), out);
        Ok(Value::Object(m))
    })
    .await
}

/// `GET /v3/company/{realm}/{entity}/{id}`.
pub(crate) async fn read(
    State(standin): State<StandIn>,
    Path((realm, entity, id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
) -> Response {
    let kind = EntityKind::parse(&entity);
    let call = Call { method, realm: realm.clone(), headers, params: params(raw.as_deref()), conn };
    run(&standin, call, kind, Operation::Read, move |s| {
        // `GET /companyinfo/{realm}` is how clients learn the company's name after connecting.
        if entity.eq_ignore_ascii_case("companyinfo") {
            return if id == realm {
                Ok(json!({"CompanyInfo": s.company_info()}))
            } else {
                Err(Fault::not_found("CompanyInfo", &id))
            };
        }
        let kind = kind.ok_or_else(|| unknown_entity(&realm, &entity))?;
        let mut m = Map::new();
        m.insert(kind.name().into(), s.company.read(kind, &id)?);
        Ok(Value::Object(m))
    })
    .await
}

/// `GET /v3/company/{realm}/query?query=…`, or `POST` with the query as the body
/// (`Content-Type: application/text`), which the SDKs use for long queries.
pub(crate) async fn query(
    State(standin): State<StandIn>,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
    body: Bytes,
) -> Response {
    let params = params(raw.as_deref());
    let text = match params.get("query") {
        Some(q) => Some(q.clone()),
        None if method == Method::POST && !body.is_empty() => Some(String::from_utf8_lossy(&body).into_owned()),
        None => None,
    };
    let parsed = text.as_deref().map(query::parse);
    let kind = parsed.as_ref().and_then(|p| p.as_ref().ok()).and_then(|q| EntityKind::parse(&q.entity));
    let call = Call { method, realm, headers, params, conn };
    run(&standin, call, kind, Operation::Query, move |s| {
        let q = parsed.ok_or_else(|| {
            Fault::query_parse("Encountered \"<EOF>\" at line 1, column 1. The query parameter is missing.")
        })??;
        if q.entity.eq_ignore_ascii_case("CompanyInfo") {
            return Ok(
                json!({"QueryResponse": {"CompanyInfo": [s.company_info()], "startPosition": 1, "maxResults": 1}}),
            );
        }
        let kind = EntityKind::parse(&q.entity)
            .ok_or_else(|| Fault::query_parse(format!("Invalid entity \"{}\" in the FROM clause.", q.entity)))?;
        let rows = s.company.list(kind);
        let resp = query::execute(&q, kind, rows, s.config.offset())?;
        Ok(json!({"QueryResponse": resp}))
    })
    .await
}

/// `GET /v3/company/{realm}/cdc?entities=…&changedSince=…`.
pub(crate) async fn cdc(
    State(standin): State<StandIn>,
    Path(realm): Path<String>,
    RawQuery(raw): RawQuery,
    method: Method,
    headers: HeaderMap,
    conn: Conn,
) -> Response {
    let call = Call { method, realm, headers, params: params(raw.as_deref()), conn };
    let entities = call.param("entities").map(str::to_string);
    let since = call.param("changedSince").map(str::to_string);
    run(&standin, call, None, Operation::Cdc, move |s| {
        let now = s.now();
        cdc::change_feed(&s.company, entities.as_deref(), since.as_deref(), now, s.config.offset())
    })
    .await
}
