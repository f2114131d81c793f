//! Storage and service tests, each run on SQLite and on PostgreSQL.

use testkit::on_both_engines;

use app::{
    backend::{
        Db, ServiceError, StoreError,
        auth::{self, AuthConfig, MAX_FAILURES_PER_EMAIL},
        demo::seed,
    },
    domain::{
        ids::{AccountId, LineItemId, ProductId, UserId},
        role::Role,
    },
    on_db,
    views::common::CurrentUser,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

const IP: &str = "203.0.113.9";

async fn admin(db: &Db) -> CurrentUser {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    let id = auth::create_user(db, t0(), "Ada@Example.COM ", "Ada Admin", Role::Admin, "correct horse battery")
        .await
        .unwrap();
    CurrentUser { id: UserId(id.0), email: "ada@example.com".into(), name: "Ada Admin".into(), role: Role::Admin }
}

async fn exec(db: &Db, sql: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from))
}

on_both_engines!(migrations_are_idempotent, |db| async move {
    db.migrate().await.expect("second run is a no-op");
    db.ping().await.unwrap();
});

on_both_engines!(organisation_defaults_then_round_trips, |db| async move {
    assert!(app::backend::platform::organisation::get(&db).await.unwrap().is_none());
    let created = app::backend::platform::organisation::ensure(&db, t0()).await.unwrap();
    assert_eq!(created, app::backend::platform::organisation::default_settings());
    let mut changed = created.clone();
    changed.name = "Harbor Weekly".into();
    changed.time_zone = "Pacific/Auckland".into();
    changed.default_terms_days = 45;
    app::backend::platform::organisation::save(&db, &changed, t0()).await.unwrap();
    assert_eq!(app::backend::platform::organisation::get(&db).await.unwrap(), Some(changed.clone()));
    // ensure_organisation never overwrites saved settings.
    assert_eq!(app::backend::platform::organisation::ensure(&db, t0()).await.unwrap(), changed);
});

on_both_engines!(users_are_unique_by_normalised_email, |db| async move {
    admin(&db).await;
    let dup = auth::create_user(&db, t0(), "ada@example.com", "Other", Role::Viewer, "another long password").await;
    match dup {
        Err(ServiceError::Invalid(f)) => assert_eq!(f[0].field, "email"),
        other => panic!("expected a field error, got {other:?}"),
    }
    match auth::create_user(&db, t0(), "nope", "", Role::Viewer, "short").await {
        Err(ServiceError::Invalid(f)) => {
            let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["email", "name", "password"]);
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let stored = app::backend::auth::users::find_by_email(&db, "ada@example.com").await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"), "argon2id hash, not the password");
});

on_both_engines!(sign_in_creates_a_session_that_resolves, |db| async move {
    let cfg = AuthConfig::default();
    admin(&db).await;
    let s = auth::sign_in(&db, &cfg, t0(), "ADA@example.com", "correct horse battery", IP).await.unwrap();
    assert_eq!(s.token.len(), 64);
    let user = auth::resolve_session(&db, &cfg, t0() + Duration::minutes(5), &s.token).await.unwrap().unwrap();
    assert_eq!((user.email.as_str(), user.role), ("ada@example.com", Role::Admin));
    // The cookie value is never stored: only its hash.
    let stored: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(&s.token).fetch_one(p).await.unwrap());
    assert_eq!(stored, 0);
    assert!(auth::resolve_session(&db, &cfg, t0(), "not-a-token").await.unwrap().is_none());
    auth::sign_out(&db, &s.token).await.unwrap();
    assert!(auth::resolve_session(&db, &cfg, t0(), &s.token).await.unwrap().is_none());
});

on_both_engines!(sessions_expire_when_idle_and_at_their_limit, |db| async move {
    let cfg = AuthConfig { secure_cookies: false, session_idle_minutes: 30, session_max_hours: 2 };
    admin(&db).await;
    let idle = auth::sign_in(&db, &cfg, t0(), "ada@example.com", "correct horse battery", IP).await.unwrap();
    assert!(auth::resolve_session(&db, &cfg, t0() + Duration::minutes(29), &idle.token).await.unwrap().is_some());
    // Activity at 29 minutes moved the idle deadline to 59 minutes.
    assert!(auth::resolve_session(&db, &cfg, t0() + Duration::minutes(58), &idle.token).await.unwrap().is_some());
    assert!(auth::resolve_session(&db, &cfg, t0() + Duration::minutes(89), &idle.token).await.unwrap().is_none());

    let busy = auth::sign_in(&db, &cfg, t0(), "ada@example.com", "correct horse battery", IP).await.unwrap();
    for m in (20..120).step_by(20) {
        assert!(auth::resolve_session(&db, &cfg, t0() + Duration::minutes(m), &busy.token).await.unwrap().is_some());
    }
    assert!(auth::resolve_session(&db, &cfg, t0() + Duration::minutes(121), &busy.token).await.unwrap().is_none());
});

on_both_engines!(a_flood_of_concurrent_sign_ins_checks_only_the_allowed_number_of_passwords, |db| async move {
    let cfg = AuthConfig::default();
    admin(&db).await;
    let attempts = (0..40).map(|_| {
        let (db, cfg) = (db.clone(), cfg.clone());
        tokio::spawn(async move { auth::sign_in(&db, &cfg, t0(), "ada@example.com", "wrong password!", IP).await })
    });
    let mut checked = 0;
    for a in attempts {
        match a.await.unwrap() {
            Err(ServiceError::BadCredentials) => checked += 1,
            Err(ServiceError::TooManyAttempts(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(
        (1..=MAX_FAILURES_PER_EMAIL).contains(&checked),
        "{checked} passwords were checked; the limit is {MAX_FAILURES_PER_EMAIL}"
    );
    let (by_email, _) =
        app::backend::auth::sign_in_failures::count_since(&db, "ada@example.com", IP, t0() - Duration::hours(1))
            .await
            .unwrap();
    assert_eq!(by_email, checked, "refused attempts do not extend the lock");
});

on_both_engines!(expired_sessions_and_stale_failures_are_pruned, |db| async move {
    let cfg = AuthConfig::default();
    admin(&db).await;
    auth::sign_in(&db, &cfg, t0(), "ada@example.com", "correct horse battery", IP).await.unwrap();
    let _ = auth::sign_in(&db, &cfg, t0(), "nobody@example.com", "wrong password!", IP).await;
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { on_db!(&db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap()) }
    };
    assert_eq!(auth::prune(&db, t0() + Duration::minutes(5)).await.unwrap(), 0, "nothing is stale yet");
    assert_eq!(
        (count("SELECT COUNT(*) FROM sessions").await, count("SELECT COUNT(*) FROM sign_in_failures").await),
        (1, 1)
    );
    assert_eq!(auth::prune(&db, t0() + Duration::days(60)).await.unwrap(), 2);
    assert_eq!(
        (count("SELECT COUNT(*) FROM sessions").await, count("SELECT COUNT(*) FROM sign_in_failures").await),
        (0, 0)
    );
});

on_both_engines!(the_smtp_password_is_kept_only_for_the_same_host_and_user, |db| async move {
    use app::backend::delivery::mail_settings::{self, MailSettingsForm};
    let form = |host: &str, user: &str, password: &str| MailSettingsForm {
        host: host.into(),
        port: "587".into(),
        tls: "starttls".into(),
        username: user.into(),
        password: password.into(),
        from_address: "billing@valley.example".into(),
    };
    let password_set = |db: Db| async move { mail_settings::view(&db).await.unwrap().unwrap().password_set };
    mail_settings::save(&db, &form("smtp.valley.example", "billing", "s3cret"), t0()).await.unwrap();
    mail_settings::save(&db, &form("smtp.valley.example", "billing", ""), t0()).await.unwrap();
    assert!(password_set(db.clone()).await, "a blank password keeps the stored one");
    mail_settings::save(&db, &form("smtp.evil.example", "billing", ""), t0()).await.unwrap();
    assert!(!password_set(db.clone()).await, "not for another host");
    mail_settings::save(&db, &form("smtp.valley.example", "billing", "s3cret"), t0()).await.unwrap();
    mail_settings::save(&db, &form("smtp.valley.example", "someone-else", ""), t0()).await.unwrap();
    assert!(!password_set(db.clone()).await, "nor for another user");
});

on_both_engines!(failed_sign_ins_are_throttled_per_account_and_address, |db| async move {
    let cfg = AuthConfig::default();
    admin(&db).await;
    for _ in 0..MAX_FAILURES_PER_EMAIL {
        let r = auth::sign_in(&db, &cfg, t0(), "ada@example.com", "wrong password!", IP).await;
        assert!(matches!(r, Err(ServiceError::BadCredentials)), "{r:?}");
    }
    // Even the right password is refused from that address while the limit holds …
    let r = auth::sign_in(&db, &cfg, t0() + Duration::minutes(1), "ada@example.com", "correct horse battery", IP).await;
    match r {
        Err(ServiceError::TooManyAttempts(msg)) => assert!(msg.contains("14 minutes"), "{msg}"),
        other => panic!("expected throttling, got {other:?}"),
    }
    // … but someone guessing from their address cannot lock the real user out of hers.
    auth::sign_in(&db, &cfg, t0() + Duration::minutes(1), "ada@example.com", "correct horse battery", "198.51.100.1")
        .await
        .expect("the account's owner signs in from her own address");
    // Success cleared the record; the guesser starts over, and the window slides.
    for _ in 0..MAX_FAILURES_PER_EMAIL {
        let _ = auth::sign_in(&db, &cfg, t0() + Duration::minutes(2), "ada@example.com", "wrong password!", IP).await;
    }
    let r = auth::sign_in(&db, &cfg, t0() + Duration::minutes(3), "ada@example.com", "correct horse battery", IP).await;
    assert!(matches!(r, Err(ServiceError::TooManyAttempts(_))), "{r:?}");
    auth::sign_in(&db, &cfg, t0() + Duration::minutes(18), "ada@example.com", "correct horse battery", IP)
        .await
        .unwrap();
    let (by_email, _) =
        app::backend::auth::sign_in_failures::count_since(&db, "ada@example.com", IP, t0()).await.unwrap();
    assert_eq!(by_email, 0);
});

on_both_engines!(one_address_guessing_many_accounts_is_throttled, |db| async move {
    let cfg = AuthConfig::default();
    admin(&db).await;
    for i in 0..auth::MAX_FAILURES_PER_IP {
        let r = auth::sign_in(&db, &cfg, t0(), &format!("user{i}@example.com"), "wrong password!", IP).await;
        assert!(matches!(r, Err(ServiceError::BadCredentials)), "{i}: {r:?}");
    }
    let r = auth::sign_in(&db, &cfg, t0(), "ada@example.com", "correct horse battery", IP).await;
    assert!(matches!(r, Err(ServiceError::TooManyAttempts(_))), "{r:?}");
    auth::sign_in(&db, &cfg, t0(), "ada@example.com", "correct horse battery", "198.51.100.7").await.unwrap();
});

on_both_engines!(unknown_email_and_inactive_users_cannot_sign_in, |db| async move {
    let cfg = AuthConfig::default();
    let actor = admin(&db).await;
    let r = auth::sign_in(&db, &cfg, t0(), "nobody@example.com", "whatever password", IP).await;
    assert!(matches!(r, Err(ServiceError::BadCredentials)));
    let v = auth::create_user(&db, t0(), "vic@example.com", "Vic", Role::Viewer, "viewer password").await.unwrap();
    let s = auth::sign_in(&db, &cfg, t0(), "vic@example.com", "viewer password", IP).await.unwrap();
    auth::update_access(&db, &actor, UserId(v.0), Role::Viewer, false, t0()).await.unwrap();
    // Deactivation ends existing sessions at once.
    assert!(auth::resolve_session(&db, &cfg, t0(), &s.token).await.unwrap().is_none());
    let r = auth::sign_in(&db, &cfg, t0(), "vic@example.com", "viewer password", IP).await;
    assert!(matches!(r, Err(ServiceError::BadCredentials)));
});

on_both_engines!(the_last_active_admin_cannot_be_removed, |db| async move {
    let actor = admin(&db).await;
    let r = auth::update_access(&db, &actor, actor.id, Role::Billing, true, t0()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
    let r = auth::update_access(&db, &actor, actor.id, Role::Admin, false, t0()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))));
    let other = auth::create_user(&db, t0(), "bo@example.com", "Bo", Role::Billing, "billing password").await.unwrap();
    auth::update_access(&db, &actor, UserId(other.0), Role::Admin, true, t0()).await.unwrap();
    auth::update_access(&db, &actor, actor.id, Role::Viewer, true, t0()).await.unwrap();
    assert_eq!(app::backend::auth::users::count_active_admins(&db).await.unwrap(), 1);
});

on_both_engines!(two_admins_demoting_each_other_at_once_leave_one, |db| async move {
    let ada = admin(&db).await;
    for round in 0..5 {
        let email = format!("bo{round}@example.com");
        let bo = auth::create_user(&db, t0(), &email, "Bo", Role::Admin, "admin password!").await.unwrap();
        let bo = CurrentUser { id: UserId(bo.0), email, name: "Bo".into(), role: Role::Admin };
        let (a, b) = tokio::join!(
            auth::update_access(&db, &bo, ada.id, Role::Billing, true, t0()),
            auth::update_access(&db, &ada, bo.id, Role::Billing, true, t0()),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one demotion goes through: {a:?} {b:?}");
        assert_eq!(app::backend::auth::users::count_active_admins(&db).await.unwrap(), 1);
        // Back to Ada as the one admin for the next round.
        if a.is_ok() {
            auth::update_access(&db, &bo, ada.id, Role::Admin, true, t0()).await.unwrap();
            auth::update_access(&db, &ada, bo.id, Role::Viewer, false, t0()).await.unwrap();
        } else {
            auth::update_access(&db, &ada, bo.id, Role::Viewer, false, t0()).await.unwrap();
        }
    }
});

/// Minimal rows for schema tests: an account, a product, an order with one line item and
/// two invoices.
async fn billing_fixture(db: &Db) -> (i64, i64, i64) {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    let now = "2026-11-24T17:00:00Z";
    for sql in [
        format!("INSERT INTO accounts (name, kind, created_at) VALUES ('Acme', 'advertiser', '{now}')"),
        format!("INSERT INTO products (name, code, category, billing_rule, rule_days, auto_invoice, unit_price, tax_rate, active, created_at, updated_at)
                 VALUES ('Banner', 'B', 'Digital', 'immediately', 0, FALSE, 1000000, 0, TRUE, '{now}', '{now}')"),
        format!("INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at)
                 VALUES ('IO-1', 1, 'confirmed', '2026-11-01', '{now}', '{now}')"),
        format!("INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at)
                 VALUES (1, 1, '2026-12-01', 'Banner', 10000, 1000000, 0, '{now}', '{now}')"),
    ] {
        exec(db, &sql).await.unwrap();
    }
    let mut invoices = Vec::new();
    for n in 1..=2 {
        exec(
            db,
            &format!(
            "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, created_at)
             VALUES ('INV-{n}', 1, 'open', '2026-11-24', '2026-12-24', 30, 'USD', '{now}')"),
        )
        .await
        .unwrap();
        invoices.push(n);
    }
    (1, invoices[0], invoices[1])
}

fn line_sql(invoice: i64, line_item: i64, live: &str) -> String {
    format!(
        "INSERT INTO invoice_lines (invoice_id, line_item_id, position, product_name, description, quantity, unit_price, net_amount, live)
         VALUES ({invoice}, {line_item}, 1, 'Banner', 'Banner', 10000, 1000000, 1000000, {live})"
    )
}

on_both_engines!(a_line_item_is_billed_by_at_most_one_live_invoice_line, |db| async move {
    let (li, inv1, inv2) = billing_fixture(&db).await;
    exec(&db, &line_sql(inv1, li, "TRUE")).await.unwrap();
    match exec(&db, &line_sql(inv2, li, "TRUE")).await {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("a second live line must be refused, got {other:?}"),
    }
    // Voiding the first invoice clears `live`; the line item can then be billed again.
    exec(&db, "UPDATE invoice_lines SET live = FALSE WHERE invoice_id = 1").await.unwrap();
    exec(&db, &line_sql(inv2, li, "TRUE")).await.unwrap();
});

on_both_engines!(each_external_effect_has_one_outbox_row, |db| async move {
    billing_fixture(&db).await;
    let insert = "INSERT INTO outbox (effect_key, kind, payload, invoice_id, next_attempt_at, created_at)
                  VALUES ('invoice:1:email:ada@example.com', 'invoice_email', '{}', 1, '2026-11-24T17:00:00Z', '2026-11-24T17:00:00Z')";
    exec(&db, insert).await.unwrap();
    assert!(matches!(exec(&db, insert).await, Err(StoreError::Conflict(_))));
});

on_both_engines!(invoice_numbers_are_unique, |db| async move {
    billing_fixture(&db).await;
    let r = exec(&db, "UPDATE invoices SET number = 'INV-1' WHERE id = 2").await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
});

on_both_engines!(money_keeps_every_cent, |db| async move {
    billing_fixture(&db).await;
    let price = Decimal::new(123_456_789, 4); // 12,345.6789
    let stored = app::backend::platform::fixed::to_db(price).unwrap();
    exec(&db, &format!("UPDATE products SET unit_price = {stored} WHERE id = 1")).await.unwrap();
    let products = app::backend::directory::lists::products(&db).await.unwrap();
    assert_eq!(products[0].unit_price, price);
});

on_both_engines!(demo_data_is_a_realistic_publisher, |db| async move {
    assert!(seed::is_empty(&db).await.unwrap());
    let s = seed::seed_demo(&db, t0()).await.unwrap();
    assert_eq!(s.orders, 300);
    assert!((50..=60).contains(&s.accounts), "{}", s.accounts);
    assert!(!seed::is_empty(&db).await.unwrap());
    assert!(matches!(seed::seed_demo(&db, t0()).await, Err(ServiceError::Conflict(_))), "seeding twice is refused");

    let products = app::backend::directory::lists::products(&db).await.unwrap();
    for kind in ["do_not_invoice", "immediately", "days_before", "days_after"] {
        assert!(products.iter().any(|p| p.rule.kind() == kind), "no product bills {kind}");
    }
    let agencies: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE kind = 'agency'").fetch_one(p).await.unwrap());
    assert!((3..=6).contains(&agencies));
    let billed_via_agency: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE bill_to_account_id IS NOT NULL").fetch_one(p).await.unwrap());
    assert!(billed_via_agency > 0);
    let (first, last): (NaiveDate, NaiveDate) = on_db!(&db, p => sqlx::query_as("SELECT MIN(run_date), MAX(run_date) FROM line_items").fetch_one(p).await.unwrap());
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert!(first >= today - Duration::days(90) && first <= today - Duration::days(75), "{first}");
    assert!(last <= today + Duration::days(90) && last >= today + Duration::days(75), "{last}");

    let page = app::backend::directory::lists::accounts(&db, "", 1, 25).await.unwrap();
    assert_eq!((page.items.len(), page.total), (25, s.accounts));
    let names: Vec<_> = page.items.iter().map(|a| a.name.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "accounts are listed by name");
    let wanted = page.items[3].name.clone();
    let found = app::backend::directory::lists::accounts(&db, &wanted.to_uppercase(), 1, 25).await.unwrap();
    assert!(found.items.iter().any(|a| a.name == wanted), "search ignores case");
    assert_eq!(app::backend::directory::lists::accounts(&db, "%", 1, 25).await.unwrap().total, 0, "% is literal");
    assert_eq!(app::backend::directory::lists::accounts(&db, "_", 1, 25).await.unwrap().total, 0, "_ is literal");
    let orders = app::backend::directory::lists::orders(&db, "", 12, 25).await.unwrap();
    assert_eq!((orders.items.len(), orders.total), (25, 300));

    let counts = app::backend::reports::dashboard::counts(&db).await.unwrap();
    assert_eq!(counts.line_items, s.line_items);
    assert_eq!(counts.accounts_without_recipient, 2);
    let weeks = app::backend::reports::dashboard::booked_by_week(&db, today, 13).await.unwrap();
    assert_eq!(weeks.len(), 13);
    assert!(weeks.iter().map(|w| w.amount).sum::<Decimal>() > Decimal::ZERO);
});

mod invoicing {
    use super::*;
    use app::backend::invoicing::create::{InvoiceRequest, Source, invoice_line_items};
    use std::collections::{BTreeMap, BTreeSet};

    /// Four advertisers (the fourth billed through an agency), one "Immediately" product,
    /// one "Do Not Invoice" product, and `per_account` confirmed line items per advertiser.
    pub async fn book(db: &Db, per_account: usize) -> Vec<i64> {
        app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
        let now = "2026-11-24T17:00:00Z";
        exec(db, &format!("INSERT INTO accounts (name, kind, created_at) VALUES ('Agency', 'agency', '{now}')"))
            .await
            .unwrap();
        for (n, bill_to) in [("A", "NULL"), ("B", "NULL"), ("C", "NULL"), ("D", "1")] {
            exec(db, &format!(
                "INSERT INTO accounts (name, kind, bill_to_account_id, payment_terms_days, created_at) VALUES ('{n}', 'advertiser', {bill_to}, 15, '{now}')"
            )).await.unwrap();
        }
        exec(db, &format!(
            "INSERT INTO products (name, billing_rule, rule_days, unit_price, tax_rate, created_at, updated_at)
             VALUES ('Banner', 'immediately', 0, 1250000, 82500, '{now}', '{now}'), ('House ad', 'do_not_invoice', 0, 0, 0, '{now}', '{now}')"
        )).await.unwrap();
        let mut ids = Vec::new();
        for account in 2..=5 {
            exec(
                db,
                &format!(
                    "INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at)
                 VALUES ('IO-{account}', {account}, 'confirmed', '2026-11-01', '{now}', '{now}')"
                ),
            )
            .await
            .unwrap();
            let order: i64 =
                on_db!(db, p => sqlx::query_scalar("SELECT MAX(id) FROM orders").fetch_one(p).await.unwrap());
            for i in 0..per_account {
                exec(db, &format!(
                    "INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at)
                     VALUES ({order}, 1, '2026-12-{:02}', 'Run {i}', {}, 1250000, {}, '{now}', '{now}')",
                    1 + i % 28, 10000 * (1 + i as i64 % 3), (i as i64 % 4) * 10000
                )).await.unwrap();
                ids.push(on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT MAX(id) FROM line_items").fetch_one(p).await.unwrap()));
            }
        }
        ids
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn request(ids: Vec<i64>) -> InvoiceRequest {
        InvoiceRequest {
            line_item_ids: ids.into_iter().map(LineItemId).collect(),
            issue_date: today(),
            due_date: None,
            created_by: None,
            actor: "Test".into(),
            source: Source::Manual,
            then: app::domain::delivery::AfterGenerate::Nothing,
            email_template_id: None,
        }
    }

    on_both_engines!(one_invoice_per_bill_to_account, |db| async move {
        let ids = book(&db, 3).await;
        let out = invoice_line_items(&db, t0(), &request(ids.clone())).await.unwrap();
        let by_account: BTreeMap<AccountId, usize> =
            out.created.iter().map(|c| (c.bill_to_account_id, c.line_count)).collect();
        // D (account 5) bills to the agency (account 1).
        assert_eq!(
            by_account,
            BTreeMap::from([(AccountId(1), 3), (AccountId(2), 3), (AccountId(3), 3), (AccountId(4), 3)])
        );
        let numbers: Vec<&str> = out.created.iter().map(|c| c.number.as_str()).collect();
        assert_eq!(numbers, ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003", "INV-2026-00004"]);
        for c in &out.created {
            // The bill-to account's terms: the advertisers' Net 15, the agency's organisation default Net 30.
            let due = if c.bill_to_account_id == AccountId(1) { (2026, 12, 24) } else { (2026, 12, 9) };
            assert_eq!(c.due_date, NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap(), "{c:?}");
        }
        // Stored totals equal the sum of stored lines, to the cent.
        let rows: Vec<(i64, i64, i64)> = on_db!(&db, p => sqlx::query_as(
            "SELECT i.total, CAST(SUM(l.net_amount + l.tax_amount) AS BIGINT), i.tax_total FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id GROUP BY i.id, i.total, i.tax_total")
            .fetch_all(p).await.unwrap());
        for (total, sum, tax) in rows {
            assert_eq!(total, sum);
            assert!(tax > 0);
        }
        // Asking again invoices nothing.
        let again = invoice_line_items(&db, t0(), &request(ids.clone())).await.unwrap();
        assert_eq!((again.created.len(), again.already_invoiced), (0, ids.len()));
    });

    on_both_engines!(not_billable_items_are_reported_not_invoiced, |db| async move {
        let ids = book(&db, 1).await;
        exec(&db, &format!("UPDATE line_items SET product_id = 2 WHERE id = {}", ids[0])).await.unwrap();
        exec(&db, "UPDATE orders SET status = 'draft' WHERE account_id = 3").await.unwrap();
        let out = invoice_line_items(&db, t0(), &request(ids.clone())).await.unwrap();
        assert_eq!(out.created.len(), 2);
        let reasons: BTreeSet<String> = out.not_billable.iter().map(|(_, r)| format!("{r:?}")).collect();
        assert_eq!(reasons, BTreeSet::from(["OrderNotConfirmed".to_string(), "RuleIsDoNotInvoice".to_string()]));
        let bad_due = InvoiceRequest { due_date: Some(today() - Duration::days(1)), ..request(ids) };
        assert!(matches!(invoice_line_items(&db, t0(), &bad_due).await, Err(ServiceError::Invalid(_))));
    });

    on_both_engines!(concurrent_invoicing_bills_each_line_item_once_without_number_gaps, |db| async move {
        let ids = book(&db, 30).await;
        // Eight overlapping selections, started together.
        let tasks: Vec<_> = (0..8)
            .map(|k| {
                let db = db.clone();
                let chosen: Vec<i64> = ids.iter().copied().filter(|id| (id + k) % 3 != 0).collect();
                tokio::spawn(async move { invoice_line_items(&db, t0(), &request(chosen)).await.unwrap() })
            })
            .collect();
        let mut created = Vec::new();
        for t in tasks {
            created.extend(t.await.unwrap().created);
        }
        let billed: Vec<(i64, i64)> = on_db!(&db, p => sqlx::query_as(
            "SELECT line_item_id, COUNT(*) FROM invoice_lines WHERE live = TRUE GROUP BY line_item_id").fetch_all(p).await.unwrap());
        assert_eq!(billed.len(), ids.len(), "every line item billed");
        assert!(billed.iter().all(|(_, n)| *n == 1), "none twice");
        let mut seqs: Vec<u32> =
            created.iter().map(|c| c.number.trim_start_matches("INV-2026-").parse().unwrap()).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=created.len() as u32).collect::<Vec<_>>(), "numbers have no gaps or repeats");
        let stored: i64 =
            on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM invoices").fetch_one(p).await.unwrap());
        assert_eq!(stored as usize, created.len());
    });
}

mod billable_line_items {
    use super::*;
    use app::{
        backend::invoicing::billable,
        domain::billing_rule::BillableStatus,
        views::billable::{BillableFilter, SortKey, StatusFilter},
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    // The SQL that filters by status and the domain function that labels each row must agree
    // on every demo line item (all four rules, draft and confirmed orders, ignore dates).
    on_both_engines!(sql_and_domain_agree_on_every_status, |db| async move {
        seed::seed_demo(&db, t0()).await.unwrap();
        exec(&db, "UPDATE products SET ignore_before = '2026-10-01' WHERE id = 2").await.unwrap();
        let all = BillableFilter { status: StatusFilter::All, ..Default::default() };
        let counts = billable::counts(&db, &all, today()).await.unwrap();
        assert!(counts.now > 0 && counts.upcoming > 0 && counts.not_billable > 0, "{counts:?}");
        let mut seen = 0;
        for status in [StatusFilter::Now, StatusFilter::Upcoming, StatusFilter::NotBillable] {
            let f = BillableFilter { status, ..Default::default() };
            let page = billable::page(&db, &f, today(), 10_000).await.unwrap();
            assert_eq!(page.total, counts.get(status));
            for row in &page.items {
                let ok = match (status, row.status) {
                    (StatusFilter::Now, BillableStatus::BillableNow { since }) => since <= today(),
                    (StatusFilter::Upcoming, BillableStatus::BillableOn(d)) => d > today(),
                    (StatusFilter::NotBillable, BillableStatus::NotBillable(_)) => true,
                    _ => false,
                };
                assert!(ok, "{status:?} tab shows {:?}", row.status);
            }
            seen += page.items.len() as i64;
        }
        assert_eq!(seen, counts.get(StatusFilter::All));
        let now_page = billable::page(&db, &BillableFilter::default(), today(), 10_000).await.unwrap();
        assert_eq!(
            now_page.items.iter().map(|r| r.amount).sum::<Decimal>(),
            counts.now_amount,
            "tab total = sum of rows"
        );
    });

    on_both_engines!(filters_sorting_and_paging, |db| async move {
        seed::seed_demo(&db, t0()).await.unwrap();
        let f = BillableFilter { status: StatusFilter::All, sort: SortKey::RunDate, ..Default::default() };
        let p1 = billable::page(&db, &f, today(), 20).await.unwrap();
        let p2 = billable::page(&db, &BillableFilter { page: 2, ..f.clone() }, today(), 20).await.unwrap();
        assert_eq!((p1.items.len(), p2.items.len()), (20, 20));
        assert!(p1.items.last().unwrap().run_date <= p2.items[0].run_date, "pages continue in order");
        let desc = billable::page(&db, &BillableFilter { descending: true, ..f.clone() }, today(), 5).await.unwrap();
        assert!(desc.items[0].run_date >= desc.items[4].run_date);

        let from = today() - Duration::days(10);
        let to = today();
        let window = BillableFilter { status: StatusFilter::Now, from: Some(from), to: Some(to), ..Default::default() };
        let rows = billable::page(&db, &window, today(), 10_000).await.unwrap();
        assert!(rows.total > 0);
        for r in &rows.items {
            let BillableStatus::BillableNow { since } = r.status else { panic!("{:?}", r.status) };
            assert!(since >= from && since <= to);
        }
        let product = billable::page(
            &db,
            &BillableFilter { status: StatusFilter::All, product_id: Some(ProductId(1)), ..Default::default() },
            today(),
            10_000,
        )
        .await
        .unwrap();
        assert!(product.total > 0 && product.items.iter().all(|r| r.product == "Full Page Color (Print)"));

        // Invoicing everything billable now empties the tab.
        let ids = billable::matching_ids(&db, &BillableFilter::default(), today()).await.unwrap();
        let out = app::backend::invoicing::create::invoice_line_items(
            &db,
            t0(),
            &app::backend::invoicing::create::InvoiceRequest {
                line_item_ids: ids.clone(),
                issue_date: today(),
                due_date: None,
                created_by: None,
                actor: "Test".into(),
                source: app::backend::invoicing::create::Source::Manual,
                then: app::domain::delivery::AfterGenerate::Nothing,
                email_template_id: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(out.created.iter().map(|c| c.line_count).sum::<usize>(), ids.len());
        assert_eq!(billable::counts(&db, &BillableFilter::default(), today()).await.unwrap().now, 0);
    });
}

mod invoice_list {
    use super::*;
    use app::{
        backend::{
            invoicing::create::InvoiceRequest, invoicing::create::Source, invoicing::create::invoice_line_items,
            invoicing::invoices,
        },
        domain::invoice::{AfterVoid, InvoiceStatus},
        views::invoices::{InvoiceFilter, InvoiceTab},
    };

    on_both_engines!(tabs_count_and_total_and_void_returns_line_items, |db| async move {
        let ids = super::invoicing::book(&db, 2).await;
        let issue = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let req = InvoiceRequest {
            line_item_ids: ids.iter().copied().map(LineItemId).collect(),
            issue_date: issue,
            due_date: None,
            created_by: None,
            actor: "Test".into(),
            source: Source::Manual,
            then: app::domain::delivery::AfterGenerate::Nothing,
            email_template_id: None,
        };
        // Billable "immediately" from the booking date 2026-11-01, so issue on that day.
        let req = InvoiceRequest { issue_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), ..req };
        let out = invoice_line_items(&db, t0(), &req).await.unwrap();
        assert_eq!(out.created.len(), 4);
        // Account A pays half of its invoice; B's is paid in full.
        exec(&db, "UPDATE invoices SET amount_paid = total / 2, status = 'partially_paid' WHERE account_id = 2")
            .await
            .unwrap();
        exec(&db, "UPDATE invoices SET amount_paid = total, status = 'paid' WHERE account_id = 3").await.unwrap();

        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(); // Net 15 from Nov 1 → due Nov 16: past due.
        let tabs: std::collections::HashMap<InvoiceTab, _> =
            invoices::tabs(&db, "", today).await.unwrap().into_iter().collect();
        assert_eq!(tabs[&InvoiceTab::All].count, 4);
        assert_eq!(tabs[&InvoiceTab::Unpaid].count, 3, "open, open and partially paid");
        assert_eq!(tabs[&InvoiceTab::PastDue].count, 2, "the agency's invoice is Net 30, not yet due");
        assert_eq!(tabs[&InvoiceTab::PartiallyPaid].count, 1);
        assert_eq!(tabs[&InvoiceTab::Paid].count, 1);
        let all = invoices::list(&db, &InvoiceFilter::default(), today, 50).await.unwrap();
        let unpaid_balance: Decimal = all.items.iter().filter(|r| r.status.is_receivable()).map(|r| r.balance).sum();
        assert_eq!(tabs[&InvoiceTab::Unpaid].amount, unpaid_balance);
        assert_eq!(tabs[&InvoiceTab::All].amount, all.items.iter().map(|r| r.total).sum::<Decimal>());

        let past_due =
            invoices::list(&db, &InvoiceFilter { tab: InvoiceTab::PastDue, ..Default::default() }, today, 50)
                .await
                .unwrap();
        assert!(past_due.items.iter().all(|r| r.past_due));
        let found = invoices::list(&db, &InvoiceFilter { search: "00002".into(), ..Default::default() }, today, 50)
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].number.as_deref(), Some("INV-2026-00002"));

        // Paid invoices cannot be voided; an open one can, and its line items are billable again.
        let paid = all.items.iter().find(|r| r.status == InvoiceStatus::Paid).unwrap().id;
        assert!(!invoices::void(&db, paid, "mistake", AfterVoid::Hold, "Test", t0()).await.unwrap());
        let open = all.items.iter().find(|r| r.status == InvoiceStatus::Open).unwrap().id;
        assert!(invoices::void(&db, open, "wrong rate", AfterVoid::Hold, "Test", t0()).await.unwrap());
        assert!(
            !invoices::void(&db, open, "again", AfterVoid::Hold, "Test", t0()).await.unwrap(),
            "voiding twice does nothing"
        );
        let (record, lines, events) = invoices::get(&db, open).await.unwrap().unwrap();
        assert_eq!(record.status().unwrap(), InvoiceStatus::Void);
        assert_eq!(lines.len(), 2);
        assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["created", "voided"]);
        // Held by the void: Invoice Selected passes them over until they are released.
        let held = invoice_line_items(
            &db,
            t0(),
            &InvoiceRequest { line_item_ids: ids.iter().copied().map(LineItemId).collect(), ..req.clone() },
        )
        .await
        .unwrap();
        assert_eq!((held.created.len(), held.already_invoiced), (0, ids.len()), "held or on a live invoice");
        assert_eq!(invoices::release_held(&db, open, "Test", t0()).await.unwrap(), 2);
        let again = invoice_line_items(
            &db,
            t0(),
            &InvoiceRequest { line_item_ids: ids.into_iter().map(LineItemId).collect(), ..req },
        )
        .await
        .unwrap();
        assert_eq!((again.created.len(), again.created[0].line_count), (1, 2));
        assert_eq!(again.created[0].number, "INV-2026-00005", "voided numbers are kept, not reused");
    });
}
