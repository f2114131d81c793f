//! Who may do what, over a real socket on both engines. The tables below are the documentation:
//! every server function the app registers must have a row (the test fails when one is added
//! without), and each is called signed out and as a viewer, billing clerk and admin. Below its
//! role it must answer 401 (signed out) or 403; at or above, anything but those (the arguments
//! name records that do not exist or values that do not validate, so nothing real changes).

use std::collections::BTreeSet;

use reqwest::{Client, StatusCode};
use testkit::on_both_engines;

use crate::serve;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// Signed out too: signing in and out, and asking who is signed in.
    Anyone,
    Viewer,
    Billing,
    Admin,
}

enum Args {
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

use Args::{Form, Json};
use Who::{Admin, Anyone, Billing, Viewer};

const NONE: Args = Form(&[]);
const MISSING: &str = "999999";

/// Every server function: its endpoint, the least role that may call it, and arguments that
/// deserialize. `sign_out` stays last: it ends the session of whoever calls it.
const SERVER_FNS: &[(&str, Who, Args)] = &[
    ("get_current_user", Anyone, NONE),
    ("sign_in", Anyone, Form(&[("email", ""), ("password", ""), ("next", "/")])),
    // Reading
    ("get_dashboard", Viewer, NONE),
    ("get_settings", Viewer, NONE),
    ("list_users", Viewer, NONE),
    ("list_accounts", Viewer, Form(&[("search", ""), ("page", "1")])),
    ("list_products", Viewer, NONE),
    ("list_orders", Viewer, Form(&[("search", ""), ("page", "1")])),
    ("find_accounts", Viewer, Form(&[("search", "")])),
    ("get_account_editor", Viewer, Form(&[("id", MISSING)])),
    ("get_account_reminders_paused", Viewer, Form(&[("account_id", MISSING)])),
    ("get_product_editor", Viewer, Form(&[("id", MISSING)])),
    ("get_order_editor", Viewer, Form(&[("id", MISSING)])),
    ("get_billable", Viewer, Form(&[("query", "")])),
    ("get_invoices", Viewer, Form(&[("query", "")])),
    ("get_aging", Viewer, Form(&[("query", "")])),
    ("get_billing_calendar", Viewer, Form(&[("month", ""), ("day", "")])),
    ("preview_rule_change", Viewer, Form(&[("product_id", MISSING), ("rule", "immediately"), ("days", "")])),
    ("get_aging_account", Viewer, Form(&[("account_id", MISSING), ("as_of_day", "")])),
    ("get_invoice", Viewer, Form(&[("id", MISSING)])),
    ("get_invoice_deliveries", Viewer, Form(&[("invoice_id", MISSING)])),
    ("get_invoice_reminders", Viewer, Form(&[("invoice_id", MISSING)])),
    ("get_payments", Viewer, Form(&[("account_id", "0"), ("invoice_id", "0")])),
    ("get_automation", Viewer, NONE),
    ("get_mail_settings", Viewer, NONE),
    ("get_reminder_settings", Viewer, NONE),
    ("get_reminders", Viewer, NONE),
    ("get_rules", Viewer, NONE),
    ("get_template_list", Viewer, NONE),
    ("get_template_editor", Viewer, Form(&[("id", MISSING)])),
    ("preview_template", Viewer, Form(&[("kind", "nonsense"), ("subject", ""), ("body_html", "")])),
    (
        "change_password",
        Viewer,
        Form(&[("current_password", "not it"), ("new_password", "x"), ("confirm_password", "y")]),
    ),
    // Billing work
    (
        "save_account",
        Billing,
        Form(&[
            ("id", ""),
            ("name", ""),
            ("kind", ""),
            ("bill_to_account_id", ""),
            ("terms", ""),
            ("custom_terms_days", ""),
            ("email", ""),
            ("phone", ""),
            ("address", ""),
            ("notes", ""),
            ("external_ref", ""),
        ]),
    ),
    ("set_account_archived", Billing, Form(&[("account_id", MISSING), ("archived", "true")])),
    (
        "add_contact",
        Billing,
        Form(&[("account_id", MISSING), ("name", ""), ("email", ""), ("phone", ""), ("invoice_role", "")]),
    ),
    (
        "update_contact",
        Billing,
        Form(&[
            ("account_id", MISSING),
            ("contact_id", MISSING),
            ("name", ""),
            ("email", ""),
            ("phone", ""),
            ("invoice_role", ""),
        ]),
    ),
    ("remove_contact", Billing, Form(&[("account_id", MISSING), ("contact_id", MISSING)])),
    ("save_order", Billing, Json(r#"{"id": null, "input": {}}"#)),
    ("check_order_import", Billing, Json(r#"{"csv": ""}"#)),
    ("import_orders", Billing, Json(r#"{"csv": ""}"#)),
    (
        "invoice_selected",
        Billing,
        Form(&[("ids", "x"), ("all_matching", "false"), ("query", ""), ("issue_date", ""), ("due_date", "")]),
    ),
    ("update_draft_dates", Billing, Form(&[("id", MISSING), ("issue_date", ""), ("due_date", "")])),
    (
        "update_draft_line",
        Billing,
        Form(&[
            ("invoice_id", MISSING),
            ("line_id", MISSING),
            ("description", ""),
            ("quantity", ""),
            ("unit_price", ""),
            ("discount", ""),
        ]),
    ),
    ("remove_draft_line", Billing, Form(&[("invoice_id", MISSING), ("line_id", MISSING)])),
    ("finalise_draft", Billing, Form(&[("id", MISSING)])),
    ("void_invoice", Billing, Form(&[("id", MISSING), ("reason", "test")])),
    ("release_held_line_items", Billing, Form(&[("id", MISSING)])),
    ("send_invoices", Billing, Form(&[("ids", ""), ("all", "false")])),
    ("retry_email", Billing, Form(&[("outbox_id", MISSING)])),
    ("get_payment_form", Billing, Form(&[("account_id", MISSING)])),
    (
        "record_payment",
        Billing,
        Form(&[
            ("form[account_id]", MISSING),
            ("form[method]", ""),
            ("form[amount]", ""),
            ("form[received_on]", ""),
            ("form[reference]", ""),
            ("form[notes]", ""),
            ("form[allocations][0][0]", MISSING),
            ("form[allocations][0][1]", ""),
        ]),
    ),
    ("void_payment", Billing, Form(&[("payment_id", MISSING), ("reason", "test")])),
    ("resolve_payment_exception", Billing, Form(&[("id", MISSING)])),
    ("apply_account_credit", Billing, Form(&[("invoice_id", MISSING), ("amount", "1")])),
    ("new_portal_link", Billing, Form(&[("invoice_id", MISSING), ("statement", "false")])),
    ("revoke_portal_links", Billing, Form(&[("invoice_id", MISSING), ("statement", "false")])),
    ("send_reminder", Billing, Form(&[("invoice_id", MISSING)])),
    ("set_invoice_reminders_paused", Billing, Form(&[("invoice_id", MISSING), ("paused", "true")])),
    ("set_account_reminders_paused", Billing, Form(&[("account_id", MISSING), ("paused", "true")])),
    ("save_template", Billing, Form(&[("id", ""), ("kind", ""), ("name", ""), ("subject", ""), ("body_html", "")])),
    ("duplicate_template", Billing, Form(&[("id", MISSING)])),
    ("delete_template", Billing, Form(&[("id", MISSING)])),
    ("set_default_template", Billing, Form(&[("id", MISSING)])),
    ("send_test_template", Billing, Form(&[("kind", "nonsense"), ("subject", ""), ("body_html", "")])),
    // Administration
    (
        "save_settings",
        Admin,
        Form(&[
            ("name", ""),
            ("address", ""),
            ("logo_url", ""),
            ("currency", ""),
            ("time_zone", ""),
            ("invoice_number_format", ""),
            ("default_terms_days", ""),
            ("email_from", ""),
        ]),
    ),
    (
        "save_mail_settings",
        Admin,
        Form(&[("host", ""), ("port", "none"), ("tls", ""), ("username", ""), ("password", ""), ("from_address", "")]),
    ),
    (
        "save_automation",
        Admin,
        Form(&[
            ("mode", ""),
            ("delivery", ""),
            ("batch_frequency", ""),
            ("batch_weekday", ""),
            ("batch_month_day", ""),
            ("batch_time", ""),
            ("template_id", ""),
        ]),
    ),
    ("run_tick_now", Admin, NONE),
    ("save_reminder_settings", Admin, Form(&[("style", "nonsense")])),
    ("save_reminder_rule", Admin, Form(&[("id", ""), ("days", ""), ("template_id", "")])),
    ("delete_reminder_rule", Admin, Form(&[("id", MISSING)])),
    (
        "save_product",
        Admin,
        Form(&[
            ("id", ""),
            ("name", ""),
            ("code", ""),
            ("category", ""),
            ("unit_price", ""),
            ("tax_rate", ""),
            ("billing_rule", ""),
            ("rule_days", ""),
            ("ignore_before", ""),
        ]),
    ),
    ("save_product_rule", Admin, Form(&[("product_id", MISSING), ("rule", ""), ("days", ""), ("ignore_before", "")])),
    ("create_user", Admin, Form(&[("email", ""), ("name", ""), ("role", ""), ("password", "")])),
    ("update_user_access", Admin, Form(&[("user_id", MISSING), ("role", "viewer"), ("status", "active")])),
    ("reset_user_password", Admin, Form(&[("user_id", MISSING), ("password", "a long enough password")])),
    ("list_api_keys", Admin, NONE),
    ("create_api_key", Admin, Form(&[("name", "")])),
    ("revoke_api_key", Admin, Form(&[("key_id", MISSING)])),
    ("sign_out", Anyone, NONE),
];

/// The REST API answers only to an API key, whoever else asks.
pub const REST_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/accounts"),
    ("POST", "/api/v1/accounts"),
    ("GET", "/api/v1/accounts/1"),
    ("PATCH", "/api/v1/accounts/1"),
    ("GET", "/api/v1/orders"),
    ("POST", "/api/v1/orders"),
    ("GET", "/api/v1/orders/1"),
    ("PUT", "/api/v1/orders/1"),
    ("GET", "/api/v1/line-items"),
    ("GET", "/api/v1/invoices"),
    ("GET", "/api/v1/invoices/1"),
    ("GET", "/api/v1/payments"),
    ("POST", "/api/v1/payments"),
    ("GET", "/api/v1/payments/1"),
];

async fn call(client: &Client, base: &str, endpoint: &str, args: &Args) -> StatusCode {
    let url = format!("{base}/api/{endpoint}");
    let request = match args {
        Form(pairs) => client.post(url).form(pairs),
        Json(body) => client.post(url).header("content-type", "application/json").body(*body),
    };
    request.send().await.unwrap().status()
}

on_both_engines!(every_server_function_answers_each_role_as_its_table_row_says, |db| async move {
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 17, 0, 0).unwrap();
    let base = serve::serve_demo(&db, now).await;

    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    let documented: BTreeSet<String> = SERVER_FNS.iter().map(|(name, _, _)| format!("/api/{name}")).collect();
    assert_eq!(
        registered.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "server functions without a row in the role table"
    );
    assert_eq!(documented.difference(&registered).collect::<Vec<_>>(), Vec::<&String>::new(), "rows for nothing");

    let callers = [
        (None, serve::browser()),
        (Some(Viewer), serve::signed_in(&base, "viewer@pressrun.example", "pressrun-viewer").await),
        (Some(Billing), serve::signed_in(&base, "billing@pressrun.example", "pressrun-billing").await),
        (Some(Admin), serve::signed_in(&base, "admin@pressrun.example", "pressrun-admin").await),
    ];
    let mut wrong = Vec::new();
    for (endpoint, least, args) in SERVER_FNS {
        for (role, client) in &callers {
            let status = call(client, &base, endpoint, args).await;
            let allowed = *least == Anyone || role.is_some_and(|r| r >= *least);
            let expected_refusal = if role.is_none() { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
            let ok = if allowed {
                status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN && !status.is_server_error()
            } else {
                status == expected_refusal
            };
            if !ok {
                wrong.push(format!("{endpoint} as {role:?}: {status} (least role {least:?})"));
            }
        }
    }
    assert!(wrong.is_empty(), "answers that disagree with the table:\n{}", wrong.join("\n"));

    for (method, path) in REST_ROUTES {
        for (role, client) in &callers {
            let r = client
                .request(method.parse().unwrap(), format!("{base}{path}"))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path} as {role:?} without an API key");
        }
    }
});
