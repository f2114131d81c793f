//! Orders and line items: the create/update services and the CSV import, each on SQLite and on
//! PostgreSQL.

use testkit::on_both_engines;

use app::{
    backend::{
        Db, ServiceError, StoreError,
        directory::orders::{create_order, get_order, update_order},
        invoicing::{
            create::{InvoiceRequest, Source, invoice_line_items},
            invoices,
        },
    },
    domain::{
        ids::{AccountId, OrderId, ProductId},
        invoice::AfterVoid,
        order_input::{LineItemInput, OrderInput, OrderStatus},
    },
    on_db,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from)).unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

/// Accounts 1 "Acme Motors" (ref CRM-1) and 2 "Bay Bakery"; products 1 "Banner" (code BAN,
/// bills immediately, 125.00), 2 "Full Page" (code FP, 5 days before run, 2,400.00) and 3
/// "Retired" (inactive).
async fn fixture(db: &Db) {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    let now = "2026-11-24T17:00:00Z";
    exec(db, &format!(
        "INSERT INTO accounts (name, kind, external_ref, created_at) VALUES ('Acme Motors', 'advertiser', 'CRM-1', '{now}'), ('Bay Bakery', 'advertiser', NULL, '{now}')"
    )).await;
    exec(db, &format!(
        "INSERT INTO products (name, code, billing_rule, rule_days, unit_price, tax_rate, active, created_at, updated_at) VALUES
         ('Banner', 'BAN', 'immediately', 0, 1250000, 0, TRUE, '{now}', '{now}'),
         ('Full Page', 'FP', 'days_before', 5, 24000000, 0, TRUE, '{now}', '{now}'),
         ('Retired', 'OLD', 'immediately', 0, 10000, 0, FALSE, '{now}', '{now}')"
    )).await;
}

fn line(product_id: i64, run_date: &str, quantity: &str, unit_price: &str, discount: &str) -> LineItemInput {
    LineItemInput {
        id: None,
        product_id: ProductId(product_id),
        run_date: run_date.into(),
        description: format!("Run {run_date}"),
        quantity: quantity.into(),
        unit_price: unit_price.into(),
        discount: discount.into(),
    }
}

fn order(lines: Vec<LineItemInput>) -> OrderInput {
    OrderInput {
        account_id: AccountId(1),
        order_number: String::new(),
        status: "confirmed".into(),
        ordered_on: "2026-11-20".into(),
        notes: "Holiday campaign".into(),
        external_ref: String::new(),
        lines,
    }
}

fn fields(r: Result<impl std::fmt::Debug, ServiceError>) -> Vec<String> {
    match r {
        Err(ServiceError::Invalid(f)) => f.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

on_both_engines!(create_then_update_an_order, |db| async move {
    fixture(&db).await;
    let input = order(vec![line(1, "2026-12-01", "2", "", "10"), line(2, "2026-12-15", "1", "2,250.50", "")]);
    let id = create_order(&db, t0(), &input).await.unwrap();
    let o = get_order(&db, id).await.unwrap();
    assert_eq!(o.order_number, "ORD-000001", "a blank number is generated");
    assert_eq!(
        (o.account.as_str(), o.status, o.notes.as_str()),
        ("Acme Motors", OrderStatus::Confirmed, "Holiday campaign")
    );
    let amounts: Vec<Decimal> = o.lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [d("240.00"), d("2250.50")], "blank unit price is the product's 125.00");
    assert_eq!(o.total, d("2490.50"));
    assert!(o.lines.iter().all(|l| !l.is_locked()));

    // Round trip: saving what was read changes nothing.
    update_order(&db, t0(), id, &o.to_input()).await.unwrap();
    assert_eq!(get_order(&db, id).await.unwrap().lines, o.lines);

    // Change the first line, drop the second, add a third; the number stays when left blank.
    let mut edit = o.to_input();
    edit.order_number = String::new();
    edit.lines[0].quantity = "3".into();
    edit.lines.remove(1);
    edit.lines.push(line(1, "2026-12-08", "1", "99", ""));
    edit.status = "draft".into();
    edit.external_ref = "ADS-77".into();
    update_order(&db, t0(), id, &edit).await.unwrap();
    let o2 = get_order(&db, id).await.unwrap();
    assert_eq!(o2.order_number, "ORD-000001");
    assert_eq!((o2.status, o2.external_ref.as_deref()), (OrderStatus::Draft, Some("ADS-77")));
    assert_eq!(o2.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [d("365.00"), d("99.00")]);
    assert_eq!(o2.lines[0].id, o.lines[0].id, "changed in place");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM line_items").await, 2);

    // A second order gets the next number, and a typed number that collides with the
    // generated sequence is skipped over.
    let typed =
        create_order(&db, t0(), &OrderInput { order_number: "ORD-000002".into(), ..order(vec![]) }).await.unwrap();
    assert_eq!(get_order(&db, typed).await.unwrap().order_number, "ORD-000002");
    let next = create_order(&db, t0(), &order(vec![])).await.unwrap();
    assert_eq!(get_order(&db, next).await.unwrap().order_number, "ORD-000003");
    assert!(matches!(get_order(&db, OrderId(999)).await, Err(ServiceError::NotFound(_))));
});

on_both_engines!(bad_input_is_refused_by_field_and_writes_nothing, |db| async move {
    fixture(&db).await;
    create_order(&db, t0(), &OrderInput { order_number: "IO-1".into(), external_ref: "X-1".into(), ..order(vec![]) })
        .await
        .unwrap();
    let before = count(&db, "SELECT COUNT(*) FROM orders").await;
    let dup = OrderInput {
        order_number: "IO-1".into(),
        external_ref: "X-1".into(),
        ..order(vec![line(1, "2026-12-01", "1", "", "")])
    };
    assert_eq!(fields(create_order(&db, t0(), &dup).await), ["order_number", "external_ref"]);
    let unknown = OrderInput {
        account_id: AccountId(99),
        ..order(vec![line(3, "2026-12-01", "1", "", ""), line(1, "2026-02-30", "x", "", "")])
    };
    assert_eq!(
        fields(create_order(&db, t0(), &unknown).await),
        ["lines[0].product_id", "lines[1].run_date", "lines[1].quantity"],
        "domain checks come first: an inactive product cannot be booked"
    );
    assert_eq!(
        fields(create_order(&db, t0(), &OrderInput { account_id: AccountId(99), ..order(vec![]) }).await),
        ["account_id"]
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, before);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM line_items").await, 0);

    // Updating: a line id from another order is refused, and the order is untouched.
    let other = create_order(&db, t0(), &order(vec![line(1, "2026-12-01", "1", "", "")])).await.unwrap();
    let other_line = get_order(&db, other).await.unwrap().lines[0].id;
    let first = get_order(&db, OrderId(1)).await.unwrap();
    let mut steal = first.to_input();
    steal.lines.push(LineItemInput { id: Some(other_line), ..line(1, "2026-12-01", "1", "", "") });
    steal.notes = "changed".into();
    assert_eq!(fields(update_order(&db, t0(), first.id, &steal).await), ["lines[0].id"]);
    assert_eq!(get_order(&db, first.id).await.unwrap().notes, "Holiday campaign");
    assert!(matches!(update_order(&db, t0(), OrderId(999), &order(vec![])).await, Err(ServiceError::NotFound(_))));
});

on_both_engines!(line_items_on_a_live_invoice_are_locked, |db| async move {
    fixture(&db).await;
    let id =
        create_order(&db, t0(), &order(vec![line(1, "2026-12-01", "2", "", ""), line(1, "2026-12-02", "1", "", "")]))
            .await
            .unwrap();
    let o = get_order(&db, id).await.unwrap();
    let billed_id = o.lines[0].id;
    let out = invoice_line_items(
        &db,
        t0(),
        &InvoiceRequest {
            line_item_ids: vec![billed_id],
            issue_date: date("2026-11-24"),
            due_date: None,
            created_by: None,
            actor: "Test".into(),
            source: Source::Manual,
            then: app::domain::delivery::AfterGenerate::Nothing,
            email_template_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.created.len(), 1);
    let o = get_order(&db, id).await.unwrap();
    assert!(o.lines[0].is_locked());
    assert_eq!(o.lines[0].invoice_number.as_deref(), Some("INV-2026-00001"));

    let conflict = |r: Result<(), ServiceError>| match r {
        Err(ServiceError::Conflict(m)) => m,
        other => panic!("expected a conflict, got {other:?}"),
    };
    let mut change = o.to_input();
    change.lines[0].unit_price = "1".into();
    let m = conflict(update_order(&db, t0(), id, &change).await);
    assert!(m.contains("INV-2026-00001") && m.contains("cannot be changed"), "{m}");
    let mut remove = o.to_input();
    remove.lines.remove(0);
    assert!(conflict(update_order(&db, t0(), id, &remove).await).contains("cannot be removed"));
    let mut move_account = o.to_input();
    move_account.account_id = AccountId(2);
    conflict(update_order(&db, t0(), id, &move_account).await);
    let mut cancel = o.to_input();
    cancel.status = "cancelled".into();
    conflict(update_order(&db, t0(), id, &cancel).await);
    assert_eq!(get_order(&db, id).await.unwrap(), o, "nothing changed");

    // The unbilled line and the order's own fields can still change around the locked line.
    let mut ok = o.to_input();
    ok.lines[1].quantity = "4".into();
    ok.notes = "Rate card 2027".into();
    update_order(&db, t0(), id, &ok).await.unwrap();
    let after = get_order(&db, id).await.unwrap();
    assert_eq!((after.lines[0].clone(), after.lines[1].amount), (o.lines[0].clone(), d("500.00")));

    // Voiding the invoice unlocks the line; removing it keeps the void invoice's copied line.
    let invoice = out.created[0].id;
    assert!(invoices::void(&db, invoice, "wrong rate", AfterVoid::BillAgain, "Test", t0()).await.unwrap());
    update_order(&db, t0(), id, &remove).await.unwrap();
    assert_eq!(get_order(&db, id).await.unwrap().lines.len(), 1);
    assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = {invoice}")).await, 1);
});

mod csv_import {
    use super::*;
    use app::backend::directory::order_import::{check, import};

    const HEADER: &str =
        "order_number,account,ordered_on,status,product,run_date,description,quantity,unit_price,discount\n";

    fn file(rows: &[&str]) -> String {
        let mut s = HEADER.to_string();
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    const CLEAN: [&str; 3] = [
        "IO-1,CRM-1,2026-11-20,confirmed,BAN,2026-12-01,\"Banner, week 1\",2,,10",
        "IO-1,CRM-1,2026-11-20,confirmed,Full Page,2026-12-15,Sunday,1,\"2,250.50\",",
        "IO-2,Bay Bakery,2026-11-21,draft,ban,2026-12-03,,1,99,0",
    ];

    async fn counts(db: &Db) -> (i64, i64) {
        (count(db, "SELECT COUNT(*) FROM orders").await, count(db, "SELECT COUNT(*) FROM line_items").await)
    }

    on_both_engines!(dry_run_reports_every_problem_by_line_and_writes_nothing, |db| async move {
        fixture(&db).await;
        create_order(&db, t0(), &OrderInput { order_number: "IO-OLD".into(), ..order(vec![]) }).await.unwrap();
        let text = file(&[
            CLEAN[0],
            "IO-1,CRM-1,2026-11-20,confirmed,BAN,2026-13-01,Bad date,1,,",
            "IO-1,Bay Bakery,2026-11-20,confirmed,BAN,2026-12-02,Other account,1,,",
            "IO-3,Nobody Inc,2026-11-22,confirmed,Nothing,2026-12-02,,0,abc,",
            CLEAN[0],
            "IO-OLD,CRM-1,2026-11-20,confirmed,OLD,2026-12-02,,1,,",
            "IO-4,CRM-1,2026-11-20,shipped,BAN,2026-12-02,,1,10,20",
        ]);
        let r = check(&db, &text, "USD").await.unwrap();
        let listed: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            listed,
            [
                "line 3, run_date: '2026-13-01' is not a date (YYYY-MM-DD)",
                "line 4, account: 'Bay Bakery' differs from line 2 ('CRM-1') of order 'IO-1'",
                "line 5, account: no account has the external reference or name 'Nobody Inc'",
                "line 5, product: no product has the code or name 'Nothing'",
                "line 5, quantity: Quantity must be more than zero",
                "line 5, unit_price: 'abc' is not an amount",
                "line 6: this row duplicates line 2",
                "line 7, order_number: order 'IO-OLD' already exists",
                "line 7, product: product 'OLD' is no longer sold",
                "line 8, status: 'shipped' is not a status (draft, confirmed or cancelled)",
                "line 8, discount: Discount cannot be more than the line's amount (10.00)",
            ]
        );
        assert_eq!((r.rows, r.problem_count, r.imported), (7, 11, false));
        assert_eq!(counts(&db).await, (1, 0), "a dry run writes nothing");

        // A missing column is reported against the header.
        let r = check(
            &db,
            "order_number,account,product,run_date,quantity,colour\nIO-9,CRM-1,BAN,2026-12-01,1,red\n",
            "USD",
        )
        .await
        .unwrap();
        let listed: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            listed,
            [
                "line 1, ordered_on: this column is missing from the header row",
                "line 1, colour: unknown column; the columns are order_number, account, ordered_on, status, product, run_date, description, quantity, unit_price, discount",
            ]
        );
        // Too large a file is refused before it is read.
        let huge = "x".repeat(app::backend::directory::order_import::MAX_FILE_BYTES + 1);
        match check(&db, &huge, "USD").await {
            Err(ServiceError::Invalid(f)) => assert!(f[0].field == "file" && f[0].message.contains("5 MB"), "{f:?}"),
            other => panic!("expected a file error, got {other:?}"),
        }
    });

    on_both_engines!(a_clean_file_imports_all_once_and_one_bad_row_imports_nothing, |db| async move {
        fixture(&db).await;
        let mut rows = CLEAN.to_vec();
        rows.push("IO-2,Bay Bakery,2026-11-21,draft,BAN,2026-12-04,,1,,-5");
        let r = import(&db, t0(), &file(&rows), "USD").await.unwrap();
        assert!(!r.imported);
        assert_eq!(
            r.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["line 5, discount: Discount cannot be negative"]
        );
        assert_eq!(counts(&db).await, (0, 0), "one bad row imports nothing");

        let clean = file(&CLEAN);
        let dry = check(&db, &clean, "USD").await.unwrap();
        assert!(dry.is_clean() && !dry.imported);
        assert_eq!((dry.orders, dry.line_items, dry.total), (2, 3, d("2589.50")));
        assert_eq!(
            dry.preview.iter().map(|p| (p.order_number.as_str(), p.account.as_str(), p.line_items)).collect::<Vec<_>>(),
            [("IO-1", "Acme Motors", 2), ("IO-2", "Bay Bakery", 1)]
        );
        assert_eq!(counts(&db).await, (0, 0));

        let done = import(&db, t0(), &clean, "USD").await.unwrap();
        assert!(done.imported && done.is_clean());
        assert_eq!(counts(&db).await, (2, 3));
        let id: i64 = count(&db, "SELECT id FROM orders WHERE order_number = 'IO-1'").await;
        let o = get_order(&db, OrderId(id)).await.unwrap();
        assert_eq!((o.status, o.ordered_on, o.total), (OrderStatus::Confirmed, date("2026-11-20"), d("2490.50")));
        assert_eq!(o.lines[0].description, "Banner, week 1");

        // The same file again is refused by the already-exists check, not duplicated.
        let again = import(&db, t0(), &clean, "USD").await.unwrap();
        assert!(!again.imported);
        assert_eq!(
            again.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["line 2, order_number: order 'IO-1' already exists", "line 4, order_number: order 'IO-2' already exists"]
        );
        assert_eq!(counts(&db).await, (2, 3));
    });

    // 10 000 rows (2 000 orders of five line items): checked, then imported in one transaction.
    on_both_engines!(ten_thousand_rows_import_in_seconds, |db| async move {
        fixture(&db).await;
        let mut text = HEADER.to_string();
        for o in 0..2_000 {
            for l in 0..5 {
                text.push_str(&format!(
                    "BULK-{o:05},{},2026-11-{:02},confirmed,{},2026-12-{:02},Run {l},{},{}.50,\n",
                    if o % 2 == 0 { "CRM-1" } else { "Bay Bakery" },
                    1 + o % 24,
                    if l % 2 == 0 { "BAN" } else { "Full Page" },
                    1 + l * 5,
                    1 + l,
                    100 + o % 50
                ));
            }
        }
        let started = std::time::Instant::now();
        let dry = check(&db, &text, "USD").await.unwrap();
        let checked = started.elapsed();
        assert!(dry.is_clean(), "{:?}", dry.problems.first());
        let started = std::time::Instant::now();
        let r = import(&db, t0(), &text, "USD").await.unwrap();
        let imported = started.elapsed();
        assert!(r.imported);
        assert_eq!(counts(&db).await, (2_000, 10_000));
        assert_eq!(r.total, dry.total);
        let stored: i64 = count(&db, "SELECT CAST(SUM(quantity) AS BIGINT) FROM line_items").await;
        assert_eq!(stored, 2_000 * (1 + 2 + 3 + 4 + 5) * 10_000, "every row's quantity, exactly");
        eprintln!(
            "MEASURE {}: 10,000-row file ({} KB): dry run {:?}, import {:?}",
            db.engine_name(),
            text.len() / 1024,
            checked,
            imported
        );
    });
}
