//! What each entity type must contain, checked in the order QuickBooks reports problems
//! (missing → too long → bad characters → references → amounts → duplicates), and the fields it
//! fills in itself.
//!
//! Length limits (2050) follow the Accounting API reference: DisplayName 500; CompanyName, GivenName,
//! MiddleName, FamilyName 100; Title and Suffix 16; PrintOnCheckName 110; Notes 2000; e-mail address
//! 100; Item Name 100; DocNumber 21; PrivateNote 4000; CustomerMemo 1000.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::entity::EntityKind;
use crate::fault::Fault;
use crate::ledger;
use crate::money::{cents, decimal, to_json};
use crate::store::{Company, WriteCtx};

/// Validates `body` for `kind` and returns what will be stored (without Id/SyncToken/MetaData).
/// `self_id` is the record being updated, so it does not collide with itself.
pub(crate) fn prepare(
    c: &Company,
    kind: EntityKind,
    body: Map<String, Value>,
    self_id: Option<u64>,
    ctx: WriteCtx,
) -> Result<Map<String, Value>, Fault> {
    match kind {
        EntityKind::Customer | EntityKind::Vendor | EntityKind::Employee => person(c, kind, body, self_id),
        EntityKind::Item => item(c, body, self_id),
        EntityKind::Invoice => invoice(c, body, self_id, ctx),
        EntityKind::CreditMemo => credit_memo(c, body, self_id, ctx),
        EntityKind::Payment => payment(c, body, self_id, ctx),
    }
}

/// A string field: absent is fine, a non-string is 2010, longer than `max` characters is 2050.
fn opt_str<'a>(body: &'a Map<String, Value>, field: &str, max: usize) -> Result<Option<&'a str>, Fault> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let len = s.chars().count();
            if len > max { Err(Fault::too_long(field, max, len)) } else { Ok(Some(s)) }
        }
        Some(_) => Err(Fault::invalid_property(format!("Property Name:{field} must be a string"))),
    }
}

/// A nested string such as `PrimaryEmailAddr.Address`.
fn nested_str(body: &Map<String, Value>, outer: &str, inner: &str, max: usize) -> Result<(), Fault> {
    match body.get(outer) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(m)) => opt_str(m, inner, max).map(|_| ()).map_err(|mut f| {
            f.element = Some(format!("{outer}.{inner}"));
            f
        }),
        Some(_) => Err(Fault::invalid_property(format!("Property Name:{outer} must be an object"))),
    }
}

fn opt_bool(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, Fault> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(Fault::invalid_property(format!("Property Name:{field} must be a boolean"))),
    }
}

fn opt_amount(body: &Map<String, Value>, field: &str) -> Result<Option<Decimal>, Fault> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => decimal(v)
            .map(Some)
            .ok_or_else(|| Fault::invalid_property(format!("Property Name:{field} must be a number"))),
    }
}

/// A name may not contain a colon (it separates a sub-customer from its parent), a tab or a newline.
fn check_chars(field: &str, value: &str) -> Result<(), Fault> {
    if value.contains([':', '\t', '\n', '\r']) { Err(Fault::invalid_string(field, value)) } else { Ok(()) }
}

/// Names compare case-insensitively and without surrounding blanks.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Customer, Vendor, Employee.
fn person(
    c: &Company,
    kind: EntityKind,
    mut body: Map<String, Value>,
    self_id: Option<u64>,
) -> Result<Map<String, Value>, Fault> {
    const NAME_PARTS: [(&str, usize); 5] =
        [("Title", 16), ("GivenName", 100), ("MiddleName", 100), ("FamilyName", 100), ("Suffix", 16)];
    let display = opt_str(&body, "DisplayName", 500)?.map(str::to_string);
    let company = opt_str(&body, "CompanyName", 100)?.map(str::to_string);
    let mut parts = Vec::new();
    for (field, max) in NAME_PARTS {
        if let Some(v) = opt_str(&body, field, max)? {
            check_chars(field, v)?;
            if !v.trim().is_empty() {
                parts.push(v.trim().to_string());
            }
        }
    }
    opt_str(&body, "PrintOnCheckName", 110)?;
    opt_str(&body, "Notes", 2000)?;
    nested_str(&body, "PrimaryEmailAddr", "Address", 100)?;
    opt_bool(&body, "Active")?;

    // QuickBooks derives DisplayName from the name parts, else the company name.
    let display = match display.filter(|d| !d.trim().is_empty()) {
        Some(d) => d,
        None if !parts.is_empty() => parts.join(" "),
        None => match company.filter(|c| !c.trim().is_empty()) {
            Some(c) => c,
            None => return Err(Fault::required("DisplayName")),
        },
    };
    check_chars("DisplayName", &display)?;
    let clash = EntityKind::ALL.into_iter().filter(|k| k.is_person()).find_map(|k| {
        c.live(k)
            .find(|r| {
                !(k == kind && Some(r.id) == self_id)
                    && r.str_field("DisplayName").is_some_and(|n| same_name(n, &display))
            })
            .map(|r| r.id)
    });
    if let Some(id) = clash {
        return Err(Fault::duplicate_name(&id.to_string()));
    }
    body.insert("DisplayName".into(), Value::String(display.clone()));
    body.entry("PrintOnCheckName").or_insert_with(|| Value::String(display.clone()));
    body.entry("Active").or_insert(Value::Bool(true));
    if kind == EntityKind::Customer {
        body.insert("FullyQualifiedName".into(), Value::String(display));
        body.entry("Job").or_insert(Value::Bool(false));
        body.entry("BillWithParent").or_insert(Value::Bool(false));
        body.entry("CurrencyRef").or_insert_with(usd);
        // Balance is derived at read time from the open transactions.
        body.remove("Balance");
        body.remove("BalanceWithJobs");
    }
    Ok(body)
}

fn item(c: &Company, mut body: Map<String, Value>, self_id: Option<u64>) -> Result<Map<String, Value>, Fault> {
    let name = match opt_str(&body, "Name", 100)? {
        Some(n) if !n.trim().is_empty() => n.to_string(),
        _ => return Err(Fault::required("Name")),
    };
    check_chars("Name", &name)?;
    opt_str(&body, "Description", 4000)?;
    opt_amount(&body, "UnitPrice")?;
    opt_bool(&body, "Active")?;
    match opt_str(&body, "Type", 30)? {
        None => {
            body.insert("Type".into(), Value::String("Service".into()));
        }
        Some("Service" | "NonInventory" | "Inventory" | "Category" | "Group") => {}
        Some(other) => {
            return Err(Fault::invalid_property(format!("Property Name:Type value {other} is not supported")));
        }
    }
    if let Some(r) = c
        .live(EntityKind::Item)
        .find(|r| Some(r.id) != self_id && r.str_field("Name").is_some_and(|n| same_name(n, &name)))
    {
        return Err(Fault::duplicate_name(&r.id.to_string()));
    }
    body.insert("FullyQualifiedName".into(), Value::String(name));
    body.entry("Active").or_insert(Value::Bool(true));
    // Accounts are not modelled: a missing income account gets the sandbox's "Services" one.
    body.entry("IncomeAccountRef").or_insert_with(|| json!({"value": "1", "name": "Services"}));
    Ok(body)
}

fn usd() -> Value {
    json!({"value": "USD", "name": "United States Dollar"})
}

/// A `{"value": "…"}` reference, required; fills in `name` from the target like QuickBooks does.
fn entity_ref(c: &Company, body: &mut Map<String, Value>, field: &str, kind: EntityKind) -> Result<u64, Fault> {
    let id = match body.get(field) {
        None | Some(Value::Null) => return Err(Fault::required(field)),
        Some(Value::Object(m)) => match m.get("value") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(Fault::required(&format!("{field}.value"))),
        },
        Some(_) => return Err(Fault::invalid_property(format!("Property Name:{field} must be an object"))),
    };
    let target = c.get_live(kind, &id).filter(|r| r.active()).ok_or_else(|| Fault::invalid_reference(field, &id))?;
    let name = target.str_field("DisplayName").or_else(|| target.str_field("Name")).unwrap_or_default().to_string();
    body.insert(field.into(), json!({"value": target.id.to_string(), "name": name}));
    Ok(target.id)
}

fn date_field(
    body: &mut Map<String, Value>,
    field: &str,
    default: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, Fault> {
    match body.get(field) {
        Some(Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map(Some).map_err(|_| {
            Fault::invalid_property(format!("Property Name:{field} must be a date (yyyy-MM-dd), got {s}"))
        }),
        None | Some(Value::Null) => {
            if let Some(d) = default {
                body.insert(field.into(), Value::String(d.format("%Y-%m-%d").to_string()));
            }
            Ok(default)
        }
        Some(_) => Err(Fault::invalid_property(format!("Property Name:{field} must be a date string"))),
    }
}

/// The sales lines of an invoice or credit memo; returns the total. Subtotal lines sent back by a
/// client are dropped and one fresh subtotal line is appended, as QuickBooks answers.
fn sales_lines(c: &Company, body: &mut Map<String, Value>) -> Result<Decimal, Fault> {
    let lines = match body.remove("Line") {
        Some(Value::Array(lines)) => lines,
        None | Some(Value::Null) => return Err(Fault::required("Line")),
        Some(_) => return Err(Fault::invalid_property("Property Name:Line must be an array")),
    };
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut total = Decimal::ZERO;
    for line in lines {
        let Value::Object(mut line) = line else {
            return Err(Fault::invalid_property("Property Name:Line must hold objects"));
        };
        let detail_type = match line.get("DetailType").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            // QuickBooks needs DetailType; a line that carries its detail object makes it obvious.
            None if line.contains_key("SalesItemLineDetail") => "SalesItemLineDetail".to_string(),
            None => return Err(Fault::required("Line.DetailType")),
        };
        match detail_type.as_str() {
            "SubTotalLineDetail" => continue,
            "DescriptionOnly" => {
                line.remove("Amount");
            }
            "SalesItemLineDetail" => {
                total += sales_item_line(c, &mut line, out.len() + 1)?;
            }
            other => {
                return Err(Fault::unsupported(format!("The stand-in does not model Line.DetailType {other}")));
            }
        }
        let n = out.len() + 1;
        line.entry("Id").or_insert_with(|| Value::String(n.to_string()));
        line.insert("LineNum".into(), Value::from(n));
        line.insert("DetailType".into(), Value::String(detail_type));
        out.push(Value::Object(line));
    }
    if out.is_empty() {
        return Err(Fault::required("Line"));
    }
    out.push(json!({"Amount": to_json(total), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}));
    body.insert("Line".into(), Value::Array(out));
    Ok(total)
}

fn sales_item_line(c: &Company, line: &mut Map<String, Value>, n: usize) -> Result<Decimal, Fault> {
    let amount = match line.get("Amount") {
        None | Some(Value::Null) => return Err(Fault::required("Line.Amount")),
        Some(v) => decimal(v).ok_or_else(|| Fault::invalid_property("Property Name:Line.Amount must be a number"))?,
    };
    let mut detail = match line.remove("SalesItemLineDetail") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Fault::invalid_property("Property Name:SalesItemLineDetail must be an object")),
    };
    // Without an ItemRef QuickBooks books the line to its default "Services" item.
    if !detail.contains_key("ItemRef") {
        detail.insert("ItemRef".into(), json!({"value": "1"}));
    }
    entity_ref(c, &mut detail, "ItemRef", EntityKind::Item)?;
    let qty = opt_amount(&detail, "Qty")?;
    let price = opt_amount(&detail, "UnitPrice")?;
    if let (Some(q), Some(p)) = (qty, price) {
        let expected = cents(q * p);
        if expected != cents(amount) {
            return Err(Fault::amount_mismatch(n, &amount.to_string(), &expected.to_string()));
        }
    }
    line.insert("Amount".into(), to_json(cents(amount)));
    line.insert("SalesItemLineDetail".into(), Value::Object(detail));
    Ok(cents(amount))
}

/// Fields common to invoices and credit memos.
fn sales_form(c: &Company, body: &mut Map<String, Value>, ctx: WriteCtx) -> Result<Decimal, Fault> {
    opt_str(body, "DocNumber", 21)?;
    opt_str(body, "PrivateNote", 4000)?;
    nested_str(body, "CustomerMemo", "value", 1000)?;
    nested_str(body, "BillEmail", "Address", 100)?;
    entity_ref(c, body, "CustomerRef", EntityKind::Customer)?;
    let total = sales_lines(c, body)?;
    let today = ctx.now.with_timezone(&ctx.offset).date_naive();
    date_field(body, "TxnDate", Some(today))?;
    body.insert("TotalAmt".into(), to_json(total));
    body.entry("CurrencyRef").or_insert_with(usd);
    Ok(total)
}

fn invoice(
    c: &Company,
    mut body: Map<String, Value>,
    self_id: Option<u64>,
    ctx: WriteCtx,
) -> Result<Map<String, Value>, Fault> {
    let total = sales_form(c, &mut body, ctx)?;
    let txn_date =
        body.get("TxnDate").and_then(Value::as_str).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    // Without terms the invoice is due on its date.
    date_field(&mut body, "DueDate", txn_date)?;
    match body.get("DocNumber").and_then(Value::as_str).map(str::to_string) {
        Some(doc) if !ctx.allow_duplicate_doc => {
            let clash = c
                .live(EntityKind::Invoice)
                .find(|r| Some(r.id) != self_id && r.str_field("DocNumber") == Some(doc.as_str()));
            if let Some(r) = clash {
                return Err(Fault::duplicate_doc_number(&doc, "Invoice", &r.id.to_string()));
            }
        }
        Some(_) => {}
        None if ctx.auto_doc_number && self_id.is_none() => {
            body.insert("DocNumber".into(), Value::String(c.next_doc_number()));
        }
        None => {}
    }
    let applied = self_id.map_or(Decimal::ZERO, |id| ledger::applied_to(c, EntityKind::Invoice, id, None));
    if total < applied {
        return Err(Fault::business(format!(
            "The invoice total {total} is less than the {applied} already paid on it: unapply the payment first"
        )));
    }
    body.insert("Balance".into(), to_json(total - applied));
    // LinkedTxn on an invoice lists its payments; QuickBooks maintains it.
    body.remove("LinkedTxn");
    body.entry("EmailStatus").or_insert_with(|| Value::String("NotSet".into()));
    body.entry("PrintStatus").or_insert_with(|| Value::String("NotSet".into()));
    Ok(body)
}

fn credit_memo(
    c: &Company,
    mut body: Map<String, Value>,
    self_id: Option<u64>,
    ctx: WriteCtx,
) -> Result<Map<String, Value>, Fault> {
    let total = sales_form(c, &mut body, ctx)?;
    if body.get("DocNumber").is_none() && ctx.auto_doc_number && self_id.is_none() {
        body.insert("DocNumber".into(), Value::String(c.next_doc_number()));
    }
    let used = self_id.map_or(Decimal::ZERO, |id| ledger::applied_to(c, EntityKind::CreditMemo, id, None));
    if total < used {
        return Err(Fault::business(format!("The credit memo total {total} is less than the {used} already used")));
    }
    body.insert("RemainingCredit".into(), to_json(total - used));
    body.insert("Balance".into(), to_json(total - used));
    Ok(body)
}

fn payment(
    c: &Company,
    mut body: Map<String, Value>,
    self_id: Option<u64>,
    ctx: WriteCtx,
) -> Result<Map<String, Value>, Fault> {
    let total = match opt_amount(&body, "TotalAmt")? {
        Some(t) => cents(t),
        None => return Err(Fault::required("TotalAmt")),
    };
    if total < Decimal::ZERO {
        return Err(Fault::business("Payment TotalAmt cannot be negative"));
    }
    opt_str(&body, "PrivateNote", 4000)?;
    opt_str(&body, "PaymentRefNum", 21)?;
    let customer = entity_ref(c, &mut body, "CustomerRef", EntityKind::Customer)?;
    let applied = ledger::payment_lines(c, &mut body, customer, self_id)?;
    if applied > total {
        return Err(Fault::business(format!(
            "The amount applied to transactions ({applied}) is more than the payment's TotalAmt ({total})"
        )));
    }
    let today = ctx.now.with_timezone(&ctx.offset).date_naive();
    date_field(&mut body, "TxnDate", Some(today))?;
    body.insert("TotalAmt".into(), to_json(total));
    body.insert("UnappliedAmt".into(), to_json(total - applied));
    body.entry("ProcessPayment").or_insert(Value::Bool(false));
    body.entry("CurrencyRef").or_insert_with(usd);
    Ok(body)
}
