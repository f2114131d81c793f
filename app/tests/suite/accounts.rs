//! Account, contact and product services on SQLite and PostgreSQL.

use testkit::on_both_engines;

use app::{
    backend::{
        Db, ServiceError,
        directory::{
            accounts,
            products::{create_product, get_product, update_product},
        },
    },
    domain::{
        account_input::{AccountInput, ContactInput},
        billing_rule::BillingRule,
        ids::{AccountId, ProductId},
        product_input::ProductInput,
    },
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

fn account(name: &str, kind: &str) -> AccountInput {
    AccountInput {
        name: name.into(),
        kind: kind.into(),
        bill_to_account_id: None,
        payment_terms_days: None,
        email: String::new(),
        phone: String::new(),
        address: String::new(),
        notes: String::new(),
        external_ref: None,
    }
}

fn contact(name: &str, email: &str, role: &str) -> ContactInput {
    ContactInput { name: name.into(), email: email.into(), phone: String::new(), invoice_role: role.into() }
}

fn invalid_fields<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<(String, String)> {
    match r {
        Err(ServiceError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn fields_of<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<String> {
    invalid_fields(r).into_iter().map(|(f, _)| f).collect()
}

async fn create(db: &Db, input: AccountInput) -> AccountId {
    accounts::create_account(db, t0(), &input).await.unwrap()
}

on_both_engines!(accounts_are_created_and_updated, |db| async move {
    let agency = create(&db, account("Summit Media", "agency")).await;
    let input = AccountInput {
        name: "  Harbor Dental ".into(),
        bill_to_account_id: Some(agency),
        payment_terms_days: Some(45),
        email: "ap@harbor.example".into(),
        phone: "(541) 555-0101".into(),
        address: "1 Dock St\nMillbrook".into(),
        notes: "Prefers PDF".into(),
        external_ref: Some(" CRM-17 ".into()),
        ..account("", "advertiser")
    };
    let id = create(&db, input.clone()).await;
    let a = accounts::get_account(&db, id).await.unwrap();
    assert_eq!(a.name, "Harbor Dental");
    assert_eq!(a.kind, "advertiser");
    assert_eq!(a.bill_to.as_ref().map(|b| (b.id, b.name.as_str())), Some((agency, "Summit Media")));
    assert_eq!(a.payment_terms_days, Some(45));
    assert_eq!(a.address, "1 Dock St\nMillbrook");
    assert_eq!(a.external_ref.as_deref(), Some("CRM-17"));
    assert_eq!((a.orders, a.invoices, a.archived), (0, 0, false));
    assert_eq!(a.invoice_recipient_account.id, agency, "invoices go to the payer's contacts");

    let payer = accounts::get_account(&db, agency).await.unwrap();
    assert_eq!(payer.pays_for.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);

    // Back to paying its own invoices on the organisation's default terms, reference cleared.
    let changed = AccountInput {
        name: "Harbor Dental Group".into(),
        bill_to_account_id: None,
        payment_terms_days: None,
        external_ref: Some("".into()),
        ..input
    };
    accounts::update_account(&db, t0(), id, &changed).await.unwrap();
    let a = accounts::get_account(&db, id).await.unwrap();
    assert_eq!(a.name, "Harbor Dental Group");
    assert_eq!(a.bill_to, None);
    assert_eq!(a.payment_terms_days, None);
    assert_eq!(a.external_ref, None);
    assert_eq!(a.invoice_recipient_account.id, id);

    assert!(matches!(accounts::get_account(&db, AccountId(9999)).await, Err(ServiceError::NotFound("account"))));
    assert!(matches!(
        accounts::update_account(&db, t0(), AccountId(9999), &account("Ghost", "advertiser")).await,
        Err(ServiceError::NotFound("account"))
    ));
});

on_both_engines!(bad_account_input_is_field_errors, |db| async move {
    let bad = AccountInput { email: "not-an-email".into(), payment_terms_days: Some(400), ..account(" ", "reseller") };
    assert_eq!(
        fields_of(accounts::create_account(&db, t0(), &bad).await),
        ["name", "kind", "payment_terms_days", "email"]
    );
    let missing_payer = AccountInput { bill_to_account_id: Some(AccountId(4242)), ..account("Acme", "advertiser") };
    let errors = invalid_fields(accounts::create_account(&db, t0(), &missing_payer).await);
    assert_eq!(errors[0].0, "bill_to_account_id");
    assert!(errors[0].1.contains("does not exist"));
    assert_eq!(app::backend::directory::lists::accounts(&db, "", 1, 25).await.unwrap().total, 0, "nothing was written");
});

on_both_engines!(external_references_are_unique, |db| async move {
    let with_ref = |name: &str, r: &str| AccountInput { external_ref: Some(r.into()), ..account(name, "advertiser") };
    let first = create(&db, with_ref("First", "EXT-1")).await;
    let second = create(&db, with_ref("Second", "EXT-2")).await;
    let dup = invalid_fields(accounts::create_account(&db, t0(), &with_ref("Third", "EXT-1")).await);
    assert_eq!(
        dup,
        [("external_ref".to_string(), "Another account already uses this external reference.".to_string())]
    );
    assert_eq!(
        fields_of(accounts::update_account(&db, t0(), second, &with_ref("Second", "EXT-1")).await),
        ["external_ref"]
    );
    // Saving an account with its own reference is not a conflict.
    accounts::update_account(&db, t0(), first, &with_ref("First renamed", "EXT-1")).await.unwrap();
    // Accounts without a reference never collide with each other.
    create(&db, account("No ref A", "advertiser")).await;
    create(&db, account("No ref B", "advertiser")).await;
    assert_eq!(accounts::get_account(&db, second).await.unwrap().external_ref.as_deref(), Some("EXT-2"));
});

on_both_engines!(bill_to_is_one_level_deep, |db| async move {
    let agency = create(&db, account("Summit Media", "agency")).await;
    let advertiser =
        create(&db, AccountInput { bill_to_account_id: Some(agency), ..account("Harbor", "advertiser") }).await;
    let other = create(&db, account("Other", "advertiser")).await;

    // Other → Harbor → Summit would be a chain.
    let chain = AccountInput { bill_to_account_id: Some(advertiser), ..account("Other", "advertiser") };
    let errors = invalid_fields(accounts::update_account(&db, t0(), other, &chain).await);
    assert_eq!(errors[0].0, "bill_to_account_id");
    assert!(errors[0].1.contains("Harbor sends its own invoices to another account"), "{}", errors[0].1);
    assert_eq!(fields_of(accounts::create_account(&db, t0(), &chain).await), ["bill_to_account_id"]);

    // Summit pays for Harbor, so Summit cannot hand its invoices on.
    let payer_moves = AccountInput { bill_to_account_id: Some(other), ..account("Summit Media", "agency") };
    let errors = invalid_fields(accounts::update_account(&db, t0(), agency, &payer_moves).await);
    assert!(errors[0].1.starts_with("1 account bills to this account"), "{}", errors[0].1);

    let itself = AccountInput { bill_to_account_id: Some(other), ..account("Other", "advertiser") };
    assert!(invalid_fields(accounts::update_account(&db, t0(), other, &itself).await)[0].1.contains("itself"));

    // Archived accounts cannot start paying for others.
    accounts::set_archived(&db, t0(), other, true).await.unwrap();
    let to_archived = AccountInput { bill_to_account_id: Some(other), ..account("New", "advertiser") };
    assert!(invalid_fields(accounts::create_account(&db, t0(), &to_archived).await)[0].1.contains("archived"));

    let options: Vec<AccountId> = app::backend::directory::account_store::bill_to_options(&db, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(options, [agency], "only active accounts that pay their own invoices can pay for others");
    assert!(app::backend::directory::account_store::bill_to_options(&db, Some(agency)).await.unwrap().is_empty());
});

on_both_engines!(concurrent_edits_cannot_build_a_chain, |db| async move {
    for round in 0..8 {
        let a = create(&db, account(&format!("A{round}"), "agency")).await;
        let b = create(&db, account(&format!("B{round}"), "agency")).await;
        let a_to_b = AccountInput { bill_to_account_id: Some(b), ..account(&format!("A{round}"), "agency") };
        let b_to_a = AccountInput { bill_to_account_id: Some(a), ..account(&format!("B{round}"), "agency") };
        let (db1, db2) = (db.clone(), db.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { accounts::update_account(&db1, t0(), a, &a_to_b).await }),
            tokio::spawn(async move { accounts::update_account(&db2, t0(), b, &b_to_a).await }),
        );
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert!(r1.is_ok() != r2.is_ok(), "exactly one edit wins: {r1:?} / {r2:?}");
        let loser = if r1.is_ok() { r2 } else { r1 };
        assert_eq!(fields_of(loser), ["bill_to_account_id"]);
        let (da, dbb) = (accounts::get_account(&db, a).await.unwrap(), accounts::get_account(&db, b).await.unwrap());
        assert!(da.bill_to.is_none() || dbb.bill_to.is_none(), "no two-account loop");
    }
});

on_both_engines!(missing_invoice_recipient_is_flagged, |db| async move {
    let agency = create(&db, account("Summit Media", "agency")).await;
    let advertiser =
        create(&db, AccountInput { bill_to_account_id: Some(agency), ..account("Harbor", "advertiser") }).await;
    let flagged = |db: Db, id: i64| async move {
        accounts::get_account(&db, AccountId(id)).await.unwrap().missing_invoice_recipient
    };
    assert!(flagged(db.clone(), advertiser.0).await);

    // A To contact on the advertiser does not help: its invoices go to the agency.
    accounts::add_contact(&db, t0(), advertiser, &contact("Ann", "ann@harbor.example", "to")).await.unwrap();
    assert!(flagged(db.clone(), advertiser.0).await);
    let cc = accounts::add_contact(&db, t0(), agency, &contact("Cy", "cy@summit.example", "cc")).await.unwrap();
    assert!(flagged(db.clone(), advertiser.0).await, "a Cc alone is nobody to send to");

    accounts::update_contact(&db, t0(), agency, cc, &contact("Cy Payable", "ap@summit.example", "to")).await.unwrap();
    assert!(!flagged(db.clone(), advertiser.0).await);
    assert!(!flagged(db.clone(), agency.0).await);
    let list = app::backend::directory::lists::accounts(&db, "Harbor", 1, 25).await.unwrap();
    assert_eq!(list.items[0].invoice_recipients, 1);

    accounts::remove_contact(&db, agency, cc).await.unwrap();
    assert!(flagged(db.clone(), advertiser.0).await);
    let list = app::backend::directory::lists::accounts(&db, "Harbor", 1, 25).await.unwrap();
    assert_eq!(list.items[0].invoice_recipients, 0);

    // Paying its own invoices, the advertiser's own To contact counts.
    let own = AccountInput { bill_to_account_id: None, ..account("Harbor", "advertiser") };
    accounts::update_account(&db, t0(), advertiser, &own).await.unwrap();
    assert!(!flagged(db.clone(), advertiser.0).await);
});

on_both_engines!(contacts_are_added_changed_and_removed, |db| async move {
    let acme = create(&db, account("Acme", "advertiser")).await;
    let other = create(&db, account("Other", "advertiser")).await;
    let ann = accounts::add_contact(&db, t0(), acme, &contact(" Ann Lee ", "ann@acme.example", "to")).await.unwrap();
    let bob = accounts::add_contact(&db, t0(), acme, &contact("Bob", "", "none")).await.unwrap();
    let detail = accounts::get_account(&db, acme).await.unwrap();
    let names: Vec<_> = detail.contacts.iter().map(|c| (c.name.as_str(), c.invoice_role.as_str())).collect();
    assert_eq!(names, [("Ann Lee", "to"), ("Bob", "none")]);

    assert_eq!(
        fields_of(accounts::add_contact(&db, t0(), acme, &contact("", "bad", "bcc")).await),
        ["name", "email", "invoice_role"]
    );
    assert_eq!(fields_of(accounts::update_contact(&db, t0(), acme, bob, &contact("Bob", "", "cc")).await), ["email"]);
    assert!(matches!(
        accounts::add_contact(&db, t0(), AccountId(9999), &contact("X", "x@y.example", "to")).await,
        Err(ServiceError::NotFound("account"))
    ));
    // A contact is changed or removed only through its own account.
    assert!(matches!(
        accounts::update_contact(&db, t0(), other, ann, &contact("Ann", "ann@acme.example", "cc")).await,
        Err(ServiceError::NotFound("contact"))
    ));
    assert!(matches!(accounts::remove_contact(&db, other, ann).await, Err(ServiceError::NotFound("contact"))));

    accounts::update_contact(&db, t0(), acme, bob, &contact("Bob Ross", "bob@acme.example", "cc")).await.unwrap();
    accounts::remove_contact(&db, acme, ann).await.unwrap();
    let detail = accounts::get_account(&db, acme).await.unwrap();
    assert_eq!(detail.contacts.len(), 1);
    assert_eq!(
        (detail.contacts[0].name.as_str(), detail.contacts[0].email.as_str(), detail.contacts[0].invoice_role.as_str()),
        ("Bob Ross", "bob@acme.example", "cc")
    );
    assert!(detail.missing_invoice_recipient);
});

on_both_engines!(archived_accounts_leave_the_list, |db| async move {
    let acme = create(&db, account("Acme", "advertiser")).await;
    accounts::set_archived(&db, t0(), acme, true).await.unwrap();
    assert_eq!(app::backend::directory::lists::accounts(&db, "", 1, 25).await.unwrap().total, 0);
    assert!(accounts::get_account(&db, acme).await.unwrap().archived);
    accounts::set_archived(&db, t0(), acme, false).await.unwrap();
    assert_eq!(app::backend::directory::lists::accounts(&db, "", 1, 25).await.unwrap().total, 1);
    assert!(matches!(
        accounts::set_archived(&db, t0(), AccountId(9999), true).await,
        Err(ServiceError::NotFound("account"))
    ));
});

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn product(name: &str) -> ProductInput {
    ProductInput {
        name: name.into(),
        code: "FPC".into(),
        category: "Print".into(),
        unit_price: dec("2400.1234"),
        tax_rate: dec("8.25"),
        active: true,
        billing_rule: "days_before".into(),
        rule_days: 5,
        auto_invoice: true,
        ignore_before: NaiveDate::from_ymd_opt(2026, 1, 1),
    }
}

on_both_engines!(products_are_created_and_updated, |db| async move {
    let id = create_product(&db, t0(), &product(" Full Page Color ")).await.unwrap();
    let p = get_product(&db, id).await.unwrap();
    assert_eq!(p.name, "Full Page Color");
    assert_eq!(p.unit_price, dec("2400.1234"));
    assert_eq!(p.tax_rate, dec("8.25"));
    assert_eq!(p.rule, BillingRule::DaysBeforeRun(5));
    assert_eq!(p.ignore_before, NaiveDate::from_ymd_opt(2026, 1, 1));
    assert!(p.active && p.auto_invoice);

    let changed = ProductInput {
        unit_price: dec("0"),
        tax_rate: dec("100"),
        billing_rule: "immediately".into(),
        rule_days: 12,
        active: false,
        auto_invoice: false,
        ignore_before: None,
        ..product("Full Page Colour")
    };
    update_product(&db, t0(), id, &changed).await.unwrap();
    let p = get_product(&db, id).await.unwrap();
    assert_eq!((p.name.as_str(), p.unit_price, p.tax_rate), ("Full Page Colour", dec("0"), dec("100")));
    assert_eq!(p.rule, BillingRule::Immediately);
    assert!(!p.active && !p.auto_invoice && p.ignore_before.is_none());
    assert!(
        app::backend::directory::lists::products(&db).await.unwrap().is_empty(),
        "inactive products leave the list"
    );

    assert!(matches!(get_product(&db, ProductId(9999)).await, Err(ServiceError::NotFound("product"))));
    assert!(matches!(
        update_product(&db, t0(), ProductId(9999), &product("Ghost")).await,
        Err(ServiceError::NotFound("product"))
    ));
});

on_both_engines!(product_names_are_unique_and_input_is_checked, |db| async move {
    let first = create_product(&db, t0(), &product("Full Page Color")).await.unwrap();
    let second = create_product(&db, t0(), &product("Half Page")).await.unwrap();
    assert_eq!(fields_of(create_product(&db, t0(), &product("full page color")).await), ["name"]);
    assert_eq!(fields_of(update_product(&db, t0(), second, &product("Full Page Color")).await), ["name"]);
    update_product(&db, t0(), first, &product("Full Page Color")).await.unwrap();

    let bad = ProductInput { unit_price: dec("-5"), tax_rate: dec("101"), rule_days: 4000, ..product("Bad") };
    assert_eq!(fields_of(create_product(&db, t0(), &bad).await), ["unit_price", "tax_rate", "rule_days"]);
    assert_eq!(app::backend::directory::lists::products(&db).await.unwrap().len(), 2, "nothing was written");
});

on_both_engines!(invoice_selected_learns_which_payers_cannot_be_emailed, |db| async move {
    let reachable = create(&db, account("Reachable", "agency")).await;
    let unreachable = create(&db, account("Unreachable", "agency")).await;
    accounts::add_contact(&db, t0(), reachable, &contact("Ann", "ann@r.example", "to")).await.unwrap();
    accounts::add_contact(&db, t0(), unreachable, &contact("Cy", "cy@u.example", "cc")).await.unwrap();
    let missing = app::backend::directory::account_store::without_invoice_recipient(&db, &[reachable, unreachable])
        .await
        .unwrap();
    assert_eq!(missing.into_iter().collect::<Vec<_>>(), [unreachable]);
    assert!(app::backend::directory::account_store::without_invoice_recipient(&db, &[]).await.unwrap().is_empty());
});
