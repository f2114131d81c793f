//! `GET /api/v1/openapi.json`: the API described in OpenAPI 3.1, for client generators and for
//! people. Public (it holds no data); a test holds it and the router to the same routes.

use axum::Json;
use serde_json::{Value, json};

fn money() -> Value {
    json!({ "type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2,}$", "description": "A decimal string, never a JSON number: floats lose cents." })
}

fn decimal() -> Value {
    json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "A decimal string such as \"2\" or \"1.5\"." })
}

fn id() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 1 })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn text() -> Value {
    json!({ "type": "string" })
}

fn nullable(v: Value) -> Value {
    json!({ "oneOf": [v, { "type": "null" }] })
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

fn path_id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": id() })
}

fn paging() -> [Value; 2] {
    [
        query("page", json!({ "type": "integer", "minimum": 1, "default": 1 }), "Pages are numbered from 1."),
        query(
            "per_page",
            json!({ "type": "integer", "minimum": 1, "maximum": super::paging::MAX_PER_PAGE, "default": super::paging::DEFAULT_PER_PAGE }),
            "Items per page.",
        ),
    ]
}

fn ok(name: &str) -> Value {
    json!({ "200": { "description": "OK", "content": { "application/json": { "schema": schema(name) } } }, "default": errors() })
}

fn listed(name: &str) -> Value {
    let list = json!({
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": { "type": "array", "items": schema(name) },
            "page": { "type": "integer" }, "per_page": { "type": "integer" }, "total": { "type": "integer" }
        }
    });
    json!({ "200": { "description": "One page", "content": { "application/json": { "schema": list } } }, "default": errors() })
}

fn created(name: &str) -> Value {
    json!({
        "201": { "description": "Created; `Location` names it", "content": { "application/json": { "schema": schema(name) } } },
        "default": errors()
    })
}

fn errors() -> Value {
    json!({
        "description": "An error: 400 malformed, 401 no or bad key, 403 read-only key, 404 no such record, 409 conflict (with `existing_id` for duplicates), 413 body too large, 415 not JSON, 422 invalid fields",
        "content": { "application/json": { "schema": schema("Error") } }
    })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

pub fn document() -> Value {
    let [page, per_page] = paging();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Pressrun API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Accounts, orders and line items in; invoices and payments out. Authenticate with `Authorization: Bearer <API key>` (admins create keys in Settings; read-only keys may only GET). Money is a decimal string; dates are the organisation's local dates."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "apiKey": [] }],
        "paths": {
            "/accounts": {
                "get": { "summary": "Accounts with their contacts", "parameters": [query("external_ref", text(), "Find by your system's reference."), page, per_page], "responses": listed("Account") },
                "post": { "summary": "Create an account", "requestBody": body("AccountInput"), "responses": created("Account") }
            },
            "/accounts/{id}": {
                "get": { "summary": "One account", "parameters": [path_id()], "responses": ok("Account") },
                "patch": { "summary": "Change the fields sent (`archived: true` archives)", "parameters": [path_id()], "requestBody": body("AccountInput"), "responses": ok("Account") }
            },
            "/orders": {
                "get": { "summary": "Orders with their line items", "parameters": [query("account_id", id(), ""), query("external_ref", text(), ""), page, per_page], "responses": listed("Order") },
                "post": { "summary": "Create an order with its line items", "requestBody": body("OrderInput"), "responses": created("Order") }
            },
            "/orders/{id}": {
                "get": { "summary": "One order", "parameters": [path_id()], "responses": ok("Order") },
                "put": { "summary": "Replace the order: lines with an id are kept or changed, new ones added, missing ones removed", "parameters": [path_id()], "requestBody": body("OrderInput"), "responses": ok("Order") }
            },
            "/line-items": {
                "get": { "summary": "Line items across orders", "parameters": [query("order_id", id(), ""), query("status", json!({ "enum": ["billed", "unbilled", "all"] }), ""), page, per_page], "responses": listed("LineItem") }
            },
            "/invoices": {
                "get": {
                    "summary": "Invoices with totals and balance",
                    "parameters": [
                        query("status", json!({ "enum": ["draft", "open", "sent", "partially_paid", "paid", "void", "all"] }), ""),
                        query("account_id", id(), "The bill-to account."),
                        query("issued_from", date(), ""), query("issued_to", date(), ""),
                        query("updated_since", time(), "RFC 3339 (`2026-11-24T17:00:00Z`): invoices with anything on their timeline since."),
                        page, per_page
                    ],
                    "responses": listed("Invoice")
                }
            },
            "/invoices/{id}": {
                "get": { "summary": "One invoice with its lines", "parameters": [path_id()], "responses": ok("Invoice") }
            },
            "/payments": {
                "get": { "summary": "Payments with their allocations", "parameters": [query("account_id", id(), ""), query("received_from", date(), ""), query("received_to", date(), ""), page, per_page], "responses": listed("Payment") },
                "post": {
                    "summary": "Record a payment; what is not allocated becomes account credit",
                    "parameters": [{ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 255 }, "description": "The same key records the payment once however often it is sent; repeats answer 200 with `Idempotent-Replayed: true`." }],
                    "requestBody": body("PaymentInput"),
                    "responses": {
                        "201": { "description": "Recorded", "content": { "application/json": { "schema": schema("Payment") } } },
                        "200": { "description": "Already recorded with this Idempotency-Key", "content": { "application/json": { "schema": schema("Payment") } } },
                        "default": errors()
                    }
                }
            },
            "/payments/{id}": {
                "get": { "summary": "One payment", "parameters": [path_id()], "responses": ok("Payment") }
            }
        },
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": object(&["error"], json!({ "error": object(&["code", "message"], json!({
                    "code": text(), "message": text(),
                    "fields": { "type": "array", "items": object(&["field", "message"], json!({ "field": text(), "message": text() })) },
                    "existing_id": id()
                })) })),
                "Contact": object(&["name", "email"], json!({ "id": id(), "name": text(), "email": text(), "phone": text(), "invoice_role": { "enum": ["to", "cc", "none"] } })),
                "AccountInput": object(&[], json!({
                    "name": text(), "kind": { "enum": ["advertiser", "agency"] }, "bill_to_account_id": nullable(id()),
                    "payment_terms_days": nullable(json!({ "type": "integer", "minimum": 0, "maximum": 365 })),
                    "email": text(), "phone": text(), "address": text(), "notes": text(), "external_ref": text(), "archived": { "type": "boolean" },
                    "contacts": { "type": "array", "items": schema("Contact") }
                })),
                "Account": object(&["id", "name", "kind"], json!({
                    "id": id(), "name": text(), "kind": { "enum": ["advertiser", "agency"] }, "bill_to_account_id": nullable(id()),
                    "payment_terms_days": nullable(json!({ "type": "integer" })), "email": text(), "phone": text(), "address": text(),
                    "notes": text(), "external_ref": nullable(text()), "archived": { "type": "boolean" }, "created_at": time(),
                    "contacts": { "type": "array", "items": schema("Contact") }
                })),
                "LineItemInput": object(&["product_id", "run_date"], json!({
                    "id": id(), "product_id": id(), "run_date": date(), "description": text(),
                    "quantity": decimal(), "unit_price": money(), "discount": money()
                })),
                "OrderInput": object(&["account_id"], json!({
                    "account_id": id(), "order_number": text(), "status": { "enum": ["draft", "confirmed", "cancelled"] },
                    "ordered_on": date(), "notes": text(), "external_ref": text(),
                    "lines": { "type": "array", "items": schema("LineItemInput") }
                })),
                "LineItem": object(&["id", "order_id", "product_id", "run_date", "amount", "status"], json!({
                    "id": id(), "order_id": id(), "product_id": id(), "product": text(), "run_date": date(), "description": text(),
                    "quantity": decimal(), "unit_price": money(), "discount": money(), "amount": money(),
                    "status": { "enum": ["billed", "unbilled"] }, "invoice_id": nullable(id()), "invoice_number": nullable(text())
                })),
                "Order": object(&["id", "order_number", "account_id", "status"], json!({
                    "id": id(), "order_number": text(), "account_id": id(), "status": text(), "ordered_on": date(), "notes": text(),
                    "external_ref": nullable(text()), "total": money(), "created_at": time(), "updated_at": time(),
                    "lines": { "type": "array", "items": schema("LineItem") }
                })),
                "InvoiceLine": object(&["position", "product", "net_amount"], json!({
                    "line_item_id": nullable(id()), "position": { "type": "integer" }, "product": text(), "description": text(),
                    "run_date": nullable(date()), "quantity": decimal(), "unit_price": money(), "discount": money(),
                    "tax_rate": decimal(), "net_amount": money(), "tax_amount": money()
                })),
                "Invoice": object(&["id", "account_id", "status", "total", "balance"], json!({
                    "id": id(), "number": nullable(text()), "account_id": id(), "account": text(),
                    "status": { "enum": ["draft", "open", "sent", "partially_paid", "paid", "void"] }, "past_due": { "type": "boolean" },
                    "issue_date": date(), "due_date": date(), "currency": text(), "subtotal": money(), "discount_total": money(),
                    "tax_total": money(), "total": money(), "amount_paid": money(), "balance": money(),
                    "source": { "enum": ["auto", "manual"] }, "created_at": time(), "sent_at": nullable(time()),
                    "voided_at": nullable(time()), "void_reason": text(), "updated_at": time(),
                    "pdf_url": { "type": "string", "description": "For signed-in staff; not reachable with an API key." },
                    "lines": { "type": "array", "items": schema("InvoiceLine"), "description": "On `GET /invoices/{id}` only." }
                })),
                "PaymentInput": object(&["account_id", "method", "amount", "received_on"], json!({
                    "account_id": id(), "method": { "enum": ["check", "ach", "wire", "cash", "other"] }, "amount": money(),
                    "received_on": date(), "reference": text(), "notes": text(),
                    "allocations": { "type": "array", "items": object(&["invoice_id", "amount"], json!({ "invoice_id": id(), "amount": money() })) }
                })),
                "Payment": object(&["id", "account_id", "method", "amount", "received_on"], json!({
                    "id": id(), "account_id": id(), "method": text(), "amount": money(), "currency": text(), "received_on": date(),
                    "reference": text(), "provider": text(), "unallocated": money(),
                    "allocations": { "type": "array", "items": object(&["invoice_id", "amount"], json!({ "invoice_id": id(), "invoice_number": nullable(text()), "amount": money() })) },
                    "created_at": time(), "voided_at": nullable(time()), "void_reason": text()
                }))
            }
        }
    })
}

pub async fn serve() -> Json<Value> {
    Json(document())
}
