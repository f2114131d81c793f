//! The change feed, `GET /cdc?entities=Invoice,Payment&changedSince=<time>`.
//!
//! Shape (Intuit's ChangeDataCapture reference, and what ej2/python-quickbooks `cdc.py` reads):
//! `{"CDCResponse":[{"QueryResponse":[{"Invoice":[…],"startPosition":1,"maxResults":n,"totalCount":n},
//! {…one object per requested entity, `{}` when nothing changed…}]}],"time":…}`. Within an entity
//! the changed records come in LastUpdatedTime order and deleted ones follow as
//! `{"domain":"QBO","status":"Deleted","Id":…,"MetaData":{"LastUpdatedTime":…}}`. At most 30 days
//! back (older is refused with the real detail text, "…older than fixed days is not supported")
//! and 1,000 objects per call, counted across entities in the order they were asked for.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::{Map, Value, json};

use crate::entity::EntityKind;
use crate::fault::Fault;
use crate::store::{Company, meta_time};

pub const MAX_OBJECTS: usize = 1000;
pub const MAX_DAYS: i64 = 30;

pub(crate) fn change_feed(
    c: &Company,
    entities: Option<&str>,
    changed_since: Option<&str>,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Result<Value, Fault> {
    let entities = entities.map(str::trim).filter(|e| !e.is_empty()).ok_or_else(|| Fault::required("entities"))?;
    let since_text =
        changed_since.map(str::trim).filter(|e| !e.is_empty()).ok_or_else(|| Fault::required("changedSince"))?;
    let mut kinds = Vec::new();
    for name in entities.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = EntityKind::parse(name).ok_or_else(|| {
            Fault::invalid_property(format!("Property Name:entities: {name} is not supported by cdc"))
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let since = parse_since(since_text, offset).ok_or_else(|| {
        Fault::invalid_property(format!("Property Name:changedSince: {since_text} is not a date or time"))
    })?;
    if since < now - Duration::days(MAX_DAYS) {
        return Err(Fault::invalid_property(format!(
            "Operation cdc with changedSince date {since_text} which is older than fixed days is not supported."
        )));
    }
    let mut budget = MAX_OBJECTS;
    let mut responses = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let mut changed: Vec<_> = c.records(kind).filter(|r| r.updated >= since).collect();
        // Live ones first in LastUpdatedTime order, deleted ones after.
        changed.sort_by_key(|r| (r.deleted.is_some(), r.updated, r.id));
        let page: Vec<Value> = changed
            .into_iter()
            .take(budget)
            .map(|r| match r.deleted {
                None => c.render(kind, r),
                Some(when) => json!({
                    "domain": "QBO", "status": "Deleted", "Id": r.id.to_string(),
                    "MetaData": {"LastUpdatedTime": meta_time(when, offset)}
                }),
            })
            .collect();
        budget -= page.len();
        if page.is_empty() {
            responses.push(json!({}));
        } else {
            let mut m = Map::new();
            m.insert(kind.name().into(), json!(page));
            m.insert("startPosition".into(), json!(1));
            m.insert("maxResults".into(), json!(page.len()));
            m.insert("totalCount".into(), json!(page.len()));
            responses.push(Value::Object(m));
        }
    }
    Ok(json!({"CDCResponse": [{"QueryResponse": responses}]}))
}

/// `changedSince` as clients send it: RFC 3339, a local date-time (company offset) or a date.
/// A `+` in an offset that the client forgot to percent-encode arrives as a space; take it back.
fn parse_since(s: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    parse_since_exact(s, offset).or_else(|| parse_since_exact(&s.replace(' ', "+"), offset))
}

fn parse_since_exact(s: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return offset.from_local_datetime(&n).single().map(|t| t.with_timezone(&Utc));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|n| offset.from_local_datetime(&n).single())
        .map(|t| t.with_timezone(&Utc))
}
