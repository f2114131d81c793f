//! The company's data: records per entity type, Ids, SyncTokens, MetaData, and the write
//! operations (create, full/sparse update, delete, void) with their optimistic-locking rules.
//! What each type must contain lives in `rules`; how payments move balances lives in `ledger`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value, json};

use crate::entity::EntityKind;
use crate::fault::Fault;
use crate::{ledger, rules};

/// One stored entity. `body` is what a read returns, minus fields derived at read time.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) id: u64,
    pub(crate) body: Map<String, Value>,
    pub(crate) sync: u64,
    pub(crate) created: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
    /// Deleted transactions stay known so the change feed can report `status: "Deleted"`.
    pub(crate) deleted: Option<DateTime<Utc>>,
}

impl Record {
    pub(crate) fn live(&self) -> bool {
        self.deleted.is_none()
    }

    pub(crate) fn str_field(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    pub(crate) fn ref_value(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(|r| r.get("value")).and_then(Value::as_str)
    }

    pub(crate) fn active(&self) -> bool {
        self.body.get("Active").and_then(Value::as_bool).unwrap_or(true)
    }

    /// Stamps Id, SyncToken and MetaData into the body, the way every answer shows them.
    fn stamp(&mut self, offset: FixedOffset) {
        self.body.insert("Id".into(), Value::String(self.id.to_string()));
        self.body.insert("SyncToken".into(), Value::String(self.sync.to_string()));
        self.body.insert(
            "MetaData".into(),
            json!({"CreateTime": meta_time(self.created, offset), "LastUpdatedTime": meta_time(self.updated, offset)}),
        );
        self.body.insert("domain".into(), Value::String("QBO".into()));
        self.body.insert("sparse".into(), Value::Bool(false));
    }

    /// A write by someone: new SyncToken and LastUpdatedTime.
    pub(crate) fn touch(&mut self, now: DateTime<Utc>, offset: FixedOffset) {
        self.sync += 1;
        self.updated = now;
        self.stamp(offset);
    }
}

/// Time as QuickBooks writes MetaData: seconds and the company's offset.
pub(crate) fn meta_time(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Everything a write needs besides the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WriteCtx {
    pub(crate) now: DateTime<Utc>,
    pub(crate) offset: FixedOffset,
    /// `include=allowduplicatedocnum` was on the request.
    pub(crate) allow_duplicate_doc: bool,
    pub(crate) auto_doc_number: bool,
}

/// Fields the client may send back but QuickBooks owns: dropped before validation.
const SYSTEM_FIELDS: &[&str] = &["Id", "SyncToken", "MetaData", "sparse", "domain", "status"];

#[derive(Default)]
pub(crate) struct Company {
    records: BTreeMap<EntityKind, BTreeMap<u64, Record>>,
    next_id: BTreeMap<EntityKind, u64>,
}

impl Company {
    /// A company like a fresh sandbox: the two default items, a few vendors and employees (so a
    /// customer name can collide across types), no customers or transactions.
    pub(crate) fn seeded(now: DateTime<Utc>, offset: FixedOffset) -> Self {
        let mut c = Company::default();
        let seeds: [(EntityKind, Value); 6] = [
            (
                EntityKind::Item,
                json!({"Name": "Services", "Type": "Service", "UnitPrice": 0,
                       "IncomeAccountRef": {"value": "1", "name": "Services"}}),
            ),
            (
                EntityKind::Item,
                json!({"Name": "Hours", "Type": "Service", "UnitPrice": 0,
                       "IncomeAccountRef": {"value": "1", "name": "Services"}}),
            ),
            (EntityKind::Vendor, json!({"DisplayName": "Norton Lumber and Building Materials"})),
            (EntityKind::Vendor, json!({"DisplayName": "Brosnahan Insurance Agency"})),
            (EntityKind::Employee, json!({"DisplayName": "Emily Platt", "GivenName": "Emily", "FamilyName": "Platt"})),
            (
                EntityKind::Employee,
                json!({"DisplayName": "John Johnson", "GivenName": "John", "FamilyName": "Johnson"}),
            ),
        ];
        let ctx = WriteCtx { now, offset, allow_duplicate_doc: false, auto_doc_number: false };
        for (kind, body) in seeds {
            // The seeds satisfy every rule; a failure here would be a bug in the list above.
            if let Err(f) = c.create(kind, body, ctx) {
                tracing::error!("seeding {kind} failed: {f}");
            }
        }
        c
    }

    pub(crate) fn records(&self, kind: EntityKind) -> impl Iterator<Item = &Record> {
        self.records.get(&kind).into_iter().flat_map(|m| m.values())
    }

    pub(crate) fn live(&self, kind: EntityKind) -> impl Iterator<Item = &Record> {
        self.records(kind).filter(|r| r.live())
    }

    pub(crate) fn get(&self, kind: EntityKind, id: u64) -> Option<&Record> {
        self.records.get(&kind).and_then(|m| m.get(&id))
    }

    pub(crate) fn get_live(&self, kind: EntityKind, id: &str) -> Option<&Record> {
        id.trim().parse().ok().and_then(|id| self.get(kind, id)).filter(|r| r.live())
    }

    pub(crate) fn records_mut(&mut self, kind: EntityKind) -> impl Iterator<Item = &mut Record> {
        self.records.entry(kind).or_default().values_mut()
    }

    /// What a read returns: the stored body plus what QuickBooks derives on the fly.
    pub(crate) fn render(&self, kind: EntityKind, r: &Record) -> Value {
        let mut body = r.body.clone();
        if kind == EntityKind::Customer {
            let balance = ledger::customer_balance(self, r.id);
            body.insert("Balance".into(), crate::money::to_json(balance));
            body.insert("BalanceWithJobs".into(), crate::money::to_json(balance));
        }
        Value::Object(body)
    }

    pub(crate) fn read(&self, kind: EntityKind, id: &str) -> Result<Value, Fault> {
        self.get_live(kind, id).map(|r| self.render(kind, r)).ok_or_else(|| Fault::not_found(kind.name(), id))
    }

    /// All live entities of a type, rendered, in Id order.
    pub(crate) fn list(&self, kind: EntityKind) -> Vec<Value> {
        self.live(kind).map(|r| self.render(kind, r)).collect()
    }

    pub(crate) fn count(&self, kind: EntityKind) -> usize {
        self.live(kind).count()
    }

    /// `POST /{entity}` without an Id.
    pub(crate) fn create(&mut self, kind: EntityKind, body: Value, ctx: WriteCtx) -> Result<Value, Fault> {
        let body = client_fields(body)?;
        let prepared = rules::prepare(self, kind, body, None, ctx)?;
        let id = self.allocate_id(kind);
        let mut record = Record { id, body: prepared, sync: 0, created: ctx.now, updated: ctx.now, deleted: None };
        record.stamp(ctx.offset);
        self.records.entry(kind).or_default().insert(id, record);
        ledger::relink(self, Some((kind, id)), ctx);
        self.read(kind, &id.to_string())
    }

    /// `POST /{entity}` with `Id` and `SyncToken`: a full update, or a sparse one with `"sparse": true`.
    pub(crate) fn update(&mut self, kind: EntityKind, body: Value, ctx: WriteCtx) -> Result<Value, Fault> {
        let sparse = body.get("sparse").and_then(Value::as_bool).unwrap_or(false);
        let (id, current) = self.locked_target(kind, &body)?;
        let incoming = client_fields(body)?;
        let merged = if sparse {
            let mut merged = current.body.clone();
            for k in SYSTEM_FIELDS {
                merged.remove(*k);
            }
            // A sparse update replaces the top-level fields it names and keeps the rest.
            for (k, v) in incoming {
                merged.insert(k, v);
            }
            merged
        } else {
            // A full update replaces the object: what is omitted is cleared. The DocNumber of
            // a transaction is kept when omitted, so a full update never re-numbers it.
            let mut full = incoming;
            if let Some(doc) = current.body.get("DocNumber").filter(|_| !full.contains_key("DocNumber")) {
                full.insert("DocNumber".into(), doc.clone());
            }
            full
        };
        let prepared = rules::prepare(self, kind, merged, Some(id), ctx)?;
        if let Some(r) = self.records.get_mut(&kind).and_then(|m| m.get_mut(&id)) {
            r.body = prepared;
            r.touch(ctx.now, ctx.offset);
        }
        ledger::relink(self, Some((kind, id)), ctx);
        self.read(kind, &id.to_string())
    }

    /// `POST /{entity}?operation=delete` with `Id` and `SyncToken`.
    pub(crate) fn delete(&mut self, kind: EntityKind, body: Value, ctx: WriteCtx) -> Result<Value, Fault> {
        if !kind.can_delete() {
            return Err(Fault::unsupported(format!(
                "Operation Delete is not supported for {kind}: make it inactive with \"Active\": false instead"
            )));
        }
        let (id, _) = self.locked_target(kind, &body)?;
        ledger::check_unlinked(self, kind, id, "delete")?;
        if let Some(r) = self.records.get_mut(&kind).and_then(|m| m.get_mut(&id)) {
            r.deleted = Some(ctx.now);
            r.touch(ctx.now, ctx.offset);
        }
        ledger::relink(self, Some((kind, id)), ctx);
        Ok(json!({"domain": "QBO", "status": "Deleted", "Id": id.to_string()}))
    }

    /// `POST /{entity}?operation=void` with `Id` and `SyncToken`: the transaction stays, its
    /// amounts become zero and its PrivateNote says "Voided".
    pub(crate) fn void(&mut self, kind: EntityKind, body: Value, ctx: WriteCtx) -> Result<Value, Fault> {
        if !kind.can_void() {
            return Err(Fault::unsupported(format!("Operation Void is not supported for {kind}")));
        }
        let (id, _) = self.locked_target(kind, &body)?;
        ledger::check_unlinked(self, kind, id, "void")?;
        if let Some(r) = self.records.get_mut(&kind).and_then(|m| m.get_mut(&id)) {
            ledger::zero_amounts(&mut r.body);
            r.body.insert("PrivateNote".into(), Value::String("Voided".into()));
            r.touch(ctx.now, ctx.offset);
        }
        ledger::relink(self, Some((kind, id)), ctx);
        self.read(kind, &id.to_string())
    }

    /// The Id and current record an update, delete or void names, after the SyncToken check.
    fn locked_target(&self, kind: EntityKind, body: &Value) -> Result<(u64, Record), Fault> {
        let id_text = match body.get("Id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(Fault::invalid_property("Property Name:Id must be a string")),
            None => return Err(Fault::required("Id")),
        };
        let sent = match body.get("SyncToken") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(Fault::invalid_property("Property Name:SyncToken must be a string")),
            None => return Err(Fault::required("SyncToken")),
        };
        let record = self.get_live(kind, &id_text).ok_or_else(|| Fault::not_found(kind.name(), &id_text))?;
        if sent.trim().parse::<u64>().ok() != Some(record.sync) {
            return Err(Fault::stale(kind.name(), &id_text, &sent, record.sync));
        }
        Ok((record.id, record.clone()))
    }

    fn allocate_id(&mut self, kind: EntityKind) -> u64 {
        let next = self.next_id.entry(kind).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    /// The next number QuickBooks would give an invoice: one past the highest numeric DocNumber
    /// of its sales forms, 1001 in a new company.
    pub(crate) fn next_doc_number(&self) -> String {
        let highest = [EntityKind::Invoice, EntityKind::CreditMemo]
            .into_iter()
            .flat_map(|k| self.records(k))
            .filter_map(|r| r.str_field("DocNumber").and_then(|d| d.parse::<u64>().ok()))
            .max();
        highest.map_or(1001, |h| h.saturating_add(1)).to_string()
    }
}

/// The client's object without the fields QuickBooks owns.
fn client_fields(body: Value) -> Result<Map<String, Value>, Fault> {
    match body {
        Value::Object(mut m) => {
            for k in SYSTEM_FIELDS {
                m.remove(*k);
            }
            Ok(m)
        }
        _ => Err(Fault::invalid_property("The request body must be a JSON object")),
    }
}
