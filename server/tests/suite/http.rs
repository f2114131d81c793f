//! The HTTP surface over a real socket: sessions, roles, CSRF and health, on both engines.

use crate::serve;
use app::{backend::Db, domain::ids::ProductId};
use testkit::on_both_engines;

use chrono::{TimeZone, Utc};
use reqwest::{Client, StatusCode};

struct Running {
    base: String,
    db: Db,
}

async fn start(db: Db) -> Running {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
    Running { base: serve::serve_demo(&db, now).await, db }
}

use serve::browser;

impl Running {
    async fn signed_in(&self, email: &str, password: &str) -> Client {
        serve::signed_in(&self.base, email, password).await
    }

    async fn organisation_name(&self) -> String {
        app::backend::platform::organisation::get(&self.db).await.unwrap().unwrap().name
    }
}

fn settings_form(name: &str, terms: &str, format: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.into()),
        ("address", "1 Press Row".into()),
        ("logo_url", String::new()),
        ("currency", "USD".into()),
        ("time_zone", "America/Chicago".into()),
        ("invoice_number_format", format.into()),
        ("default_terms_days", terms.into()),
        ("email_from", "billing@valley.example".into()),
    ]
}

on_both_engines!(health_checks_the_database, |db| async move {
    let s = start(db).await;
    let r = browser().get(format!("{}/health", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
});

on_both_engines!(pages_send_signed_out_visitors_to_sign_in, |db| async move {
    let s = start(db).await;
    let c = browser();
    for (path, next) in [
        ("/accounts?page=2", "/sign-in?next=%2Faccounts%3Fpage%3D2"),
        ("/", "/sign-in"),
        ("/settings", "/sign-in?next=%2Fsettings"),
    ] {
        let r = c.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], next);
    }
    let r = c.get(format!("{}/sign-in", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<h1>Sign in</h1>"));
});

on_both_engines!(every_server_function_needs_a_session, |db| async move {
    let s = start(db).await;
    let c = browser();
    let mut checked = 0;
    for (path, _method) in leptos::server_fn::axum::server_fn_paths() {
        if ["/api/sign_in", "/api/get_current_user", "/api/sign_out"].contains(&path) {
            continue;
        }
        let r = c.post(format!("{}{path}", s.base)).form(&[("x", "1")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.text().await.unwrap(), "\"Unauthenticated\"");
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} server functions found");
});

on_both_engines!(sign_in_sets_a_protected_cookie_and_opens_pages, |db| async move {
    let s = start(db).await;
    let c = browser();
    let r = c
        .post(format!("{}/api/sign_in", s.base))
        .form(&[("email", "admin@pressrun.example"), ("password", "not the password"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.text().await.unwrap(), "\"BadCredentials\"");

    let r = c
        .post(format!("{}/api/sign_in", s.base))
        .form(&[("email", "Admin@Pressrun.example"), ("password", "pressrun-admin"), ("next", "/orders")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("pressrun_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing from {cookie}");
    }
    assert_eq!(r.headers()["location"], "/orders");

    let page = c.get(format!("{}/accounts", s.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Avery Admin"), "the signed-in user is shown");
    assert!(html.contains("Anchor Marine"), "accounts are rendered on the server");

    // A signed-in visitor going to the sign-in page lands on the dashboard.
    let r = c.get(format!("{}/sign-in", s.base)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/");

    let r = c.post(format!("{}/api/sign_out", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(format!("{}/accounts", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
});

on_both_engines!(viewers_read_but_cannot_change, |db| async move {
    let s = start(db).await;
    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let r = viewer.get(format!("{}/settings", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Only admins can change these settings"));

    let before = s.organisation_name().await;
    let r = viewer
        .post(format!("{}/api/save_settings", s.base))
        .form(&settings_form("Hijacked", "30", "INV-{SEQ}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.organisation_name().await, before);

    let r = viewer
        .post(format!("{}/api/create_user", s.base))
        .form(&[
            ("email", "mallory@example.com"),
            ("name", "Mallory"),
            ("role", "admin"),
            ("password", "long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    let r = billing
        .post(format!("{}/api/save_settings", s.base))
        .form(&settings_form("Hijacked", "30", "INV-{SEQ}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "billing staff do not change settings");
});

on_both_engines!(admins_save_settings_and_see_each_bad_field, |db| async move {
    let s = start(db).await;
    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    let before = s.organisation_name().await;
    let r = admin
        .post(format!("{}/api/save_settings", s.base))
        .form(&settings_form("", "forty", "INV"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["Invalid"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "invoice_number_format", "default_terms_days"]);
    assert_eq!(s.organisation_name().await, before, "nothing saved");

    let r = admin
        .post(format!("{}/api/save_settings", s.base))
        .form(&settings_form("Harbor Weekly", "45", "HW-{YY}{MM}-{SEQ:4}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved = app::backend::platform::organisation::get(&s.db).await.unwrap().unwrap();
    assert_eq!(
        (saved.name.as_str(), saved.default_terms_days, saved.time_zone.as_str()),
        ("Harbor Weekly", 45, "America/Chicago")
    );
});

on_both_engines!(cross_site_posts_are_refused, |db| async move {
    let s = start(db).await;
    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    let r = admin
        .post(format!("{}/api/save_settings", s.base))
        .header("Origin", "https://evil.example")
        .form(&settings_form("Forged", "30", "INV-{SEQ}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_ne!(s.organisation_name().await, "Forged");
    let same = s.base.clone();
    let r = admin
        .post(format!("{}/api/save_settings", s.base))
        .header("Origin", same)
        .form(&settings_form("Same Site", "30", "INV-{SEQ}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});

on_both_engines!(admins_manage_users_and_keep_one_admin, |db| async move {
    let s = start(db).await;
    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    let r = admin
        .post(format!("{}/api/create_user", s.base))
        .form(&[("email", "new@valley.example"), ("name", "New Person"), ("role", "billing"), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(format!("{}/api/create_user", s.base))
        .form(&[
            ("email", "new@valley.example"),
            ("name", "New Person"),
            ("role", "billing"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.signed_in("new@valley.example", "a long enough password").await;

    let admin_id = app::backend::auth::users::find_by_email(&s.db, "admin@pressrun.example").await.unwrap().unwrap().id;
    let r = admin
        .post(format!("{}/api/update_user_access", s.base))
        .form(&[("user_id", admin_id.to_string().as_str()), ("role", "viewer"), ("status", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "the only admin cannot demote themself");
});

on_both_engines!(everyone_changes_their_own_password_and_admins_reset_others, |db| async move {
    let s = start(db).await;
    let change = |c: &Client, current: &str, new: &str, confirm: &str| {
        let (c, url) = (c.clone(), format!("{}/api/change_password", s.base));
        let form = [
            ("current_password", current.to_string()),
            ("new_password", new.into()),
            ("confirm_password", confirm.into()),
        ];
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let elsewhere = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let r = change(&viewer, "not my password", "a brand new password", "a brand new password").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not your current password"));
    let r = change(&viewer, "pressrun-viewer", "a brand new password", "a different one!!").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("differ"));
    let r = change(&viewer, "pressrun-viewer", "a brand new password", "a brand new password").await;
    assert_eq!(r.status(), StatusCode::OK);
    // The browser that changed it stays signed in (a fresh cookie); the other session is over.
    let page = |c: &Client| {
        let (c, url) = (c.clone(), format!("{}/api/list_users", s.base));
        async move { c.post(url).send().await.unwrap().status() }
    };
    assert_eq!(page(&viewer).await, StatusCode::OK);
    assert_eq!(page(&elsewhere).await, StatusCode::UNAUTHORIZED);
    s.signed_in("viewer@pressrun.example", "a brand new password").await;

    // Resetting someone else's password is for admins only.
    let billing_id =
        app::backend::auth::users::find_by_email(&s.db, "billing@pressrun.example").await.unwrap().unwrap().id;
    let reset = |c: &Client, password: &str| {
        let (c, url) = (c.clone(), format!("{}/api/reset_user_password", s.base));
        let form = [("user_id", billing_id.to_string()), ("password", password.to_string())];
        async move { c.post(url).form(&form).send().await.unwrap().status() }
    };
    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    assert_eq!(reset(&viewer, "taken over by a viewer").await, StatusCode::FORBIDDEN);
    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    assert_eq!(reset(&admin, "short").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reset(&admin, "set by the admin today").await, StatusCode::OK);
    assert_eq!(page(&billing).await, StatusCode::UNAUTHORIZED, "the reset signs them out");
    s.signed_in("billing@pressrun.example", "set by the admin today").await;
});

on_both_engines!(malformed_arguments_are_the_callers_fault, |db| async move {
    let s = start(db).await;
    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    for (path, form) in [
        ("/api/list_accounts", vec![("search", ""), ("page", "abc")]),
        ("/api/list_accounts", vec![("search", "")]),
        ("/api/update_user_access", vec![("user_id", "1.5"), ("role", "admin"), ("status", "active")]),
        ("/api/sign_in", vec![("email", "")]),
    ] {
        let r = admin.post(format!("{}{path}", s.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path} {form:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["Request"].as_str().unwrap().contains("arguments"), "{body}");
    }
    let r = admin
        .post(format!("{}/api/update_user_access", s.base))
        .form(&[("user_id", "99999"), ("role", "admin"), ("status", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = admin
        .post(format!("{}/api/update_user_access", s.base))
        .form(&[("user_id", "1"), ("role", "owner"), ("status", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Odd query strings on pages are tolerated, not errors.
    let r = admin.get(format!("{}/accounts?page=-5&q=%25", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});

on_both_engines!(billing_staff_invoice_and_viewers_cannot, |db| async move {
    let s = start(db).await;
    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    let form = [("ids", ""), ("all_matching", "true"), ("query", "status=now"), ("issue_date", ""), ("due_date", "")];
    let r = viewer.post(format!("{}/api/invoice_selected", s.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    let bad =
        [("ids", "1,x"), ("all_matching", "false"), ("query", ""), ("issue_date", "24/11/2026"), ("due_date", "")];
    let r = billing.post(format!("{}/api/invoice_selected", s.base)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["Invalid"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["issue_date", "line_item_ids"]);

    let r = billing.post(format!("{}/api/invoice_selected", s.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let created = body["created"].as_array().unwrap();
    assert!(!created.is_empty());
    let first = created[0]["id"].as_i64().unwrap();
    let page = viewer.get(format!("{}/accounting/invoices/{first}", s.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(created[0]["number"].as_str().unwrap()));
    assert!(html.contains("Blake Billing"), "the activity says who created it");
    assert!(!html.contains("Void this invoice"), "viewers are not offered Void");
    let r = viewer
        .post(format!("{}/api/void_invoice", s.base))
        .form(&[("id", first.to_string().as_str()), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = billing
        .post(format!("{}/api/void_invoice", s.base))
        .form(&[("id", first.to_string().as_str()), ("reason", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = billing
        .post(format!("{}/api/void_invoice", s.base))
        .form(&[("id", first.to_string().as_str()), ("reason", "Duplicate")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = viewer.get(format!("{}/accounting/invoices/999999", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});

on_both_engines!(manual_invoices_go_to_ready_to_send_and_are_emailed_from_the_list, |db| async move {
    use app::{backend::invoicing::delivery_views, domain::ids::InvoiceId};
    let s = start(db).await;
    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    // Half of what is billable now goes to Ready to send, the other half is emailed at once.
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
    let today = app::backend::platform::organisation::today(&s.db, now).await.unwrap();
    let due = app::backend::invoicing::billable::matching_ids(
        &s.db,
        &app::api::billable::filter_from_query("status=now"),
        today,
    )
    .await
    .unwrap();
    assert!(due.len() >= 2, "the demo has line items billable now");
    let (first_half, second_half) = due.split_at(due.len() / 2);
    let csv = |ids: &[app::domain::ids::LineItemId]| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let form = [
        ("ids", csv(first_half)),
        ("all_matching", "false".into()),
        ("query", String::new()),
        ("issue_date", String::new()),
        ("due_date", String::new()),
        ("then", "ready".into()),
    ];
    let r = billing.post(format!("{}/api/invoice_selected", s.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let created: Vec<InvoiceId> =
        body["created"].as_array().unwrap().iter().map(|c| InvoiceId(c["id"].as_i64().unwrap())).collect();
    assert!(!created.is_empty());
    let ready = delivery_views::ready_ids(&s.db).await.unwrap();
    assert!(created.iter().all(|id| ready.contains(id)), "Invoice Selected put them in Ready to send");
    let outbox_for = |ids: &[InvoiceId]| {
        let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let db = s.db.clone();
        async move {
            app::on_db!(&db, p => sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM outbox WHERE invoice_id IN ({list})"))
                .fetch_one(p).await.unwrap())
        }
    };
    assert_eq!(outbox_for(&created).await, 0, "nothing is emailed until someone sends");

    // Email selected, from the Invoices list: one email each, and out of Ready to send.
    let ids = created.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let send = |c: &Client, ids: String| {
        let (c, url) = (c.clone(), format!("{}/api/send_invoices", s.base));
        async move { c.post(url).form(&[("ids", ids), ("all", "false".into())]).send().await.unwrap() }
    };
    let viewer = s.signed_in("viewer@pressrun.example", "pressrun-viewer").await;
    assert_eq!(send(&viewer, ids.clone()).await.status(), StatusCode::FORBIDDEN);
    let r = send(&billing, ids.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<i64>().await.unwrap(), created.len() as i64);
    assert_eq!(outbox_for(&created).await, created.len() as i64);
    let ready = delivery_views::ready_ids(&s.db).await.unwrap();
    assert!(created.iter().all(|id| !ready.contains(id)));
    let too_many = (1..=1001).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let r = send(&billing, too_many).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at most 1000"));
    let r = send(&billing, "12,abc".into()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // "Email now" queues at once.
    let form = [
        ("ids", csv(second_half)),
        ("all_matching", "false".into()),
        ("query", String::new()),
        ("issue_date", String::new()),
        ("due_date", String::new()),
        ("then", "email".into()),
    ];
    let r = billing.post(format!("{}/api/invoice_selected", s.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let emailed: Vec<InvoiceId> =
        body["created"].as_array().unwrap().iter().map(|c| InvoiceId(c["id"].as_i64().unwrap())).collect();
    assert!(!emailed.is_empty());
    assert_eq!(outbox_for(&emailed).await, emailed.len() as i64);
});

on_both_engines!(only_admins_change_billing_rules_and_bad_days_are_named, |db| async move {
    let s = start(db).await;
    let form = |days: &'static str| {
        [("product_id", "1"), ("rule", "days_before"), ("days", days), ("ignore_before", ""), ("auto_invoice", "on")]
    };
    let billing = s.signed_in("billing@pressrun.example", "pressrun-billing").await;
    let r = billing.post(format!("{}/api/save_product_rule", s.base)).form(&form("3")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let admin = s.signed_in("admin@pressrun.example", "pressrun-admin").await;
    for bad in ["-1", "2.5", "", "99999"] {
        let r = admin.post(format!("{}/api/save_product_rule", s.base)).form(&form(bad)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "days {bad:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], "days");
    }
    let r = admin.post(format!("{}/api/save_product_rule", s.base)).form(&form("3")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p = app::backend::directory::lists::products(&s.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == ProductId(1))
        .unwrap();
    assert_eq!(p.rule, app::domain::billing_rule::BillingRule::DaysBeforeRun(3));
    assert!(p.auto_invoice);

    let r = admin
        .post(format!("{}/api/save_product_rule", s.base))
        .form(&[
            ("product_id", "1"),
            ("rule", "immediately"),
            ("days", "junk ignored"),
            ("ignore_before", "2026-13-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(format!("{}/api/save_product_rule", s.base))
        .form(&[("product_id", "1"), ("rule", "immediately"), ("days", ""), ("ignore_before", "2026-10-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p = app::backend::directory::lists::products(&s.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == ProductId(1))
        .unwrap();
    assert_eq!(
        (p.rule, p.auto_invoice),
        (app::domain::billing_rule::BillingRule::Immediately, false),
        "unticked = off"
    );
    let r = admin
        .post(format!("{}/api/save_product_rule", s.base))
        .form(&[("product_id", "4242"), ("rule", "immediately"), ("days", ""), ("ignore_before", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});
