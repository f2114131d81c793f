//! How payments move money: a Payment's lines link to invoices (lowering their `Balance`) and to
//! credit memos (using up their `RemainingCredit`); what is not applied is `UnappliedAmt`.
//!
//! Balances are recomputed from all live payments after every transaction write, so create,
//! update, void and delete of a payment all come out right without bookkeeping of deltas. An
//! invoice whose balance or payment links change gets a new SyncToken and LastUpdatedTime, as the
//! real service does when a payment is linked (so the change feed reports the invoice too, and a
//! client holding the old SyncToken gets 5010).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::entity::EntityKind;
use crate::fault::Fault;
use crate::money::{cents, decimal, to_json};
use crate::store::{Company, WriteCtx};

/// One payment line's link: (linked type, linked id) → amount, per payment.
fn links(payment: &Map<String, Value>) -> Vec<(EntityKind, u64, Decimal)> {
    let mut out = Vec::new();
    let Some(Value::Array(lines)) = payment.get("Line") else { return out };
    for line in lines {
        let amount = line.get("Amount").and_then(decimal).unwrap_or_default();
        let Some(Value::Array(linked)) = line.get("LinkedTxn") else { continue };
        for l in linked {
            let kind = l.get("TxnType").and_then(Value::as_str).and_then(EntityKind::parse);
            let id = l.get("TxnId").and_then(Value::as_str).and_then(|s| s.trim().parse().ok());
            if let (Some(kind), Some(id)) = (kind, id) {
                out.push((kind, id, amount));
            }
        }
    }
    out
}

/// What live payments (other than `except`) apply to one invoice or credit memo.
pub(crate) fn applied_to(c: &Company, kind: EntityKind, id: u64, except: Option<u64>) -> Decimal {
    c.live(EntityKind::Payment)
        .filter(|p| Some(p.id) != except)
        .flat_map(|p| links(&p.body))
        .filter(|(k, i, _)| *k == kind && *i == id)
        .map(|(_, _, a)| a)
        .sum()
}

/// A customer's open balance: unpaid invoices, less unused credit and unapplied payments.
pub(crate) fn customer_balance(c: &Company, customer: u64) -> Decimal {
    let of = |kind: EntityKind, field: &str| -> Decimal {
        c.live(kind)
            .filter(|r| r.ref_value("CustomerRef").and_then(|v| v.parse::<u64>().ok()) == Some(customer))
            .filter_map(|r| r.body.get(field).and_then(decimal))
            .sum()
    };
    of(EntityKind::Invoice, "Balance")
        - of(EntityKind::CreditMemo, "RemainingCredit")
        - of(EntityKind::Payment, "UnappliedAmt")
}

/// Validates a payment's lines and returns the net amount applied (to invoices, less credit used).
pub(crate) fn payment_lines(
    c: &Company,
    body: &mut Map<String, Value>,
    customer: u64,
    self_id: Option<u64>,
) -> Result<Decimal, Fault> {
    let lines = match body.get_mut("Line") {
        None | Some(Value::Null) => return Ok(Decimal::ZERO),
        Some(Value::Array(lines)) => lines,
        Some(_) => return Err(Fault::invalid_property("Property Name:Line must be an array")),
    };
    let mut applied = Decimal::ZERO;
    // The same invoice may appear on two lines; check the sum against its open balance.
    let mut per_target: BTreeMap<(EntityKind, u64), Decimal> = BTreeMap::new();
    for line in lines.iter_mut() {
        let Value::Object(line) = line else {
            return Err(Fault::invalid_property("Property Name:Line must hold objects"));
        };
        let amount = match line.get("Amount") {
            None | Some(Value::Null) => return Err(Fault::required("Line.Amount")),
            Some(v) => {
                cents(decimal(v).ok_or_else(|| Fault::invalid_property("Property Name:Line.Amount must be a number"))?)
            }
        };
        if amount < Decimal::ZERO {
            return Err(Fault::business("A payment line amount cannot be negative"));
        }
        line.insert("Amount".into(), to_json(amount));
        let linked = match line.get("LinkedTxn") {
            Some(Value::Array(l)) if l.len() == 1 => l[0].clone(),
            Some(Value::Array(l)) if l.len() > 1 => {
                return Err(Fault::unsupported("The stand-in takes one LinkedTxn per payment line"));
            }
            _ => return Err(Fault::required("Line.LinkedTxn")),
        };
        let txn_id = match linked.get("TxnId") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(Fault::required("Line.LinkedTxn.TxnId")),
        };
        let kind = match linked.get("TxnType").and_then(Value::as_str) {
            None => return Err(Fault::required("Line.LinkedTxn.TxnType")),
            Some(t) => match EntityKind::parse(t) {
                Some(k @ (EntityKind::Invoice | EntityKind::CreditMemo)) => k,
                _ => {
                    return Err(Fault::unsupported(format!(
                        "The stand-in links payments to Invoice or CreditMemo, not {t}"
                    )));
                }
            },
        };
        let target = c.get_live(kind, &txn_id).ok_or_else(|| Fault::invalid_reference("LinkedTxn", &txn_id))?;
        if target.ref_value("CustomerRef").and_then(|v| v.parse::<u64>().ok()) != Some(customer) {
            return Err(Fault::business(format!("{kind} {txn_id} belongs to another customer than the payment")));
        }
        let total = target.body.get("TotalAmt").and_then(decimal).unwrap_or_default();
        let open = total - applied_to(c, kind, target.id, self_id);
        let sum = per_target.entry((kind, target.id)).or_default();
        *sum += amount;
        if *sum > open {
            return Err(Fault::business(format!(
                "The amount applied to {kind} {txn_id} ({sum}) is more than its open balance ({open})"
            )));
        }
        line.insert("LinkedTxn".into(), json!([{"TxnId": target.id.to_string(), "TxnType": kind.name()}]));
        if kind == EntityKind::Invoice { applied += amount } else { applied -= amount }
    }
    Ok(applied)
}

/// Refuses to delete or void an invoice or credit memo a payment still uses (the stand-in does
/// not unlink payments the way the QuickBooks UI offers to).
pub(crate) fn check_unlinked(c: &Company, kind: EntityKind, id: u64, op: &str) -> Result<(), Fault> {
    if matches!(kind, EntityKind::Invoice | EntityKind::CreditMemo) && applied_to(c, kind, id, None) != Decimal::ZERO {
        return Err(Fault::business(format!(
            "Cannot {op} {kind} {id}: a payment is linked to it; remove the payment first"
        )));
    }
    Ok(())
}

/// Voiding keeps the transaction with every amount at zero.
pub(crate) fn zero_amounts(body: &mut Map<String, Value>) {
    for field in ["TotalAmt", "Balance", "UnappliedAmt", "RemainingCredit"] {
        if body.contains_key(field) {
            body.insert(field.into(), Value::from(0));
        }
    }
    if let Some(Value::Array(lines)) = body.get_mut("Line") {
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            if line.contains_key("Amount") {
                line.insert("Amount".into(), Value::from(0));
            }
            // Qty 0 keeps `Amount = Qty × UnitPrice`, so a later update of the voided invoice
            // does not trip 6070 over the void itself.
            if let Some(Value::Object(detail)) = line.get_mut("SalesItemLineDetail")
                && detail.contains_key("Qty")
            {
                detail.insert("Qty".into(), Value::from(0));
            }
        }
    }
}

/// Recomputes invoice balances and payment links and credit-memo remaining credit; records that
/// change get a new SyncToken, except `written` (the write that caused this already bumped it).
pub(crate) fn relink(c: &mut Company, written: Option<(EntityKind, u64)>, ctx: WriteCtx) {
    let mut applied: BTreeMap<(EntityKind, u64), Decimal> = BTreeMap::new();
    let mut payers: BTreeMap<(EntityKind, u64), Vec<u64>> = BTreeMap::new();
    for p in c.live(EntityKind::Payment) {
        for (kind, id, amount) in links(&p.body) {
            *applied.entry((kind, id)).or_default() += amount;
            if amount != Decimal::ZERO {
                let list = payers.entry((kind, id)).or_default();
                if !list.contains(&p.id) {
                    list.push(p.id);
                }
            }
        }
    }
    for kind in [EntityKind::Invoice, EntityKind::CreditMemo] {
        for r in c.records_mut(kind).filter(|r| r.live()) {
            let total = r.body.get("TotalAmt").and_then(decimal).unwrap_or_default();
            let left = to_json(total - applied.get(&(kind, r.id)).copied().unwrap_or_default());
            let mut changed = r.body.get("Balance") != Some(&left);
            r.body.insert("Balance".into(), left.clone());
            if kind == EntityKind::CreditMemo {
                r.body.insert("RemainingCredit".into(), left);
            } else {
                let linked: Vec<Value> = payers
                    .get(&(kind, r.id))
                    .into_iter()
                    .flatten()
                    .map(|p| json!({"TxnId": p.to_string(), "TxnType": "Payment"}))
                    .collect();
                let new = if linked.is_empty() { None } else { Some(Value::Array(linked)) };
                if r.body.get("LinkedTxn") != new.as_ref() {
                    changed = true;
                    match new {
                        Some(v) => r.body.insert("LinkedTxn".into(), v),
                        None => r.body.remove("LinkedTxn"),
                    };
                }
            }
            if changed && written != Some((kind, r.id)) {
                r.touch(ctx.now, ctx.offset);
            }
        }
    }
}
