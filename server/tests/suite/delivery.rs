//! Auto-invoicing and email delivery against a real SMTP server (scripts/smtp_sink.py), on both
//! engines, with the clock injected: ticks are idempotent, each email is sent once, transient
//! failures back off and recover, permanent ones wait for a person, batches run once per slot.

use testkit::on_both_engines;

use std::sync::Arc;

use app::{
    backend::{
        Db,
        delivery::{
            mail_settings::MailEnvironment,
            outbox,
            worker::{Courier, DeliveryConfig},
        },
        invoicing::{automation, invoices},
        messages::{self, Messages},
        platform::clock::{Clock, ManualClock},
        scheduler,
    },
    domain::{
        delivery::{AutoInvoiceMode, AutomationSettings, BatchFrequency, BatchSchedule, Delivery},
        ids::{InvoiceId, OutboxId},
        invoice::AfterVoid,
    },
    on_db,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use testkit::smtp::SmtpSink;

/// 2026-12-01 12:00 in New York (the default organisation's zone).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap()
}

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + Duration::days(offset)
}

struct Fixture {
    acme: i64,
    ann: i64,
}

async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

async fn text(db: &Db, sql: &str) -> String {
    on_db!(db, p => sqlx::query_scalar::<_, String>(sql).fetch_one(p).await.unwrap())
}

/// Acme (To: Ann, Cc: Carl) and Quiet Co (no contacts); two auto-invoice products.
async fn fixture(db: &Db) -> Fixture {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    exec(db, "UPDATE organisation SET name = 'Valley Courier', email_from = 'billing@valley.example'").await;
    let now = t0();
    let (acme, ann) = on_db!(db, p => {
        let acme: i64 = sqlx::query_scalar("INSERT INTO accounts (name, kind, created_at) VALUES ('Acme Motors', 'advertiser', $1) RETURNING id")
            .bind(now).fetch_one(p).await.unwrap();
        let quiet: i64 = sqlx::query_scalar("INSERT INTO accounts (name, kind, created_at) VALUES ('Quiet Co', 'advertiser', $1) RETURNING id")
            .bind(now).fetch_one(p).await.unwrap();
        let ann: i64 = sqlx::query_scalar("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Ann Lee', 'ann@acme.example', 'to', $2) RETURNING id")
            .bind(acme).bind(now).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Carl Cruz', 'carl@acme.example', 'cc', $2)")
            .bind(acme).bind(now).execute(p).await.unwrap();
        let display: i64 = sqlx::query_scalar("INSERT INTO products (name, billing_rule, rule_days, auto_invoice, created_at, updated_at) VALUES ('Display', 'immediately', 0, TRUE, $1, $1) RETURNING id")
            .bind(now).fetch_one(p).await.unwrap();
        let insert: i64 = sqlx::query_scalar("INSERT INTO products (name, billing_rule, rule_days, auto_invoice, created_at, updated_at) VALUES ('Insert', 'days_before', 5, TRUE, $1, $1) RETURNING id")
            .bind(now).fetch_one(p).await.unwrap();
        for (n, account, lines) in [
            ("ORD-1", acme, vec![(display, day(-3)), (insert, day(2)), (insert, day(20))]),
            ("ORD-2", quiet, vec![(display, day(1))]),
        ] {
            let order: i64 = sqlx::query_scalar("INSERT INTO orders (order_number, account_id, status, ordered_on, created_at, updated_at) VALUES ($1, $2, 'confirmed', $3, $4, $4) RETURNING id")
                .bind(n).bind(account).bind(day(-10)).bind(now).fetch_one(p).await.unwrap();
            for (product, run) in lines {
                sqlx::query("INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at) VALUES ($1, $2, $3, 'Ad', 10000, 1500000, 0, $4, $4)")
                    .bind(order).bind(product).bind(run).bind(now).execute(p).await.unwrap();
            }
        }
        (acme, ann)
    });
    Fixture { acme, ann }
}

async fn set_delivery(db: &Db, delivery: Delivery, saved_at: DateTime<Utc>) {
    let s = AutomationSettings { mode: AutoInvoiceMode::GenerateAndEmail, delivery, template_id: None };
    automation::save(db, &s, saved_at).await.unwrap();
}

fn courier(db: &Db, sink: &SmtpSink, clock: &ManualClock) -> Courier<Messages> {
    let env = MailEnvironment {
        smtp: Some(sink.smtp_settings()),
        from: Some("Valley Courier <billing@valley.example>".into()),
        folder: sink.dir.join("unused"),
        public_url: "http://pressrun.test".into(),
    };
    messages::courier(
        db.clone(),
        Arc::new(env),
        Arc::new(clock.clone()),
        "test-worker".into(),
        DeliveryConfig::default(),
    )
}

on_both_engines!(tick_invoices_due_items_and_each_email_goes_once, |db| async move {
    let f = fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    let courier = courier(&db, &sink, &clock);

    let first = scheduler::tick(&db, t0(), "a").await.unwrap();
    assert_eq!(first.today, Some(day(0)));
    assert_eq!((first.invoices_created, first.line_items_invoiced), (2, 3), "{first:?}");
    let again = scheduler::tick(&db, t0(), "b").await.unwrap();
    assert_eq!(again.invoices_created, 0, "a second tick finds nothing left to do");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await, 2);

    let report = courier.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed), (1, 1), "{report:?}");
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    let number = text(&db, &format!("SELECT number FROM invoices WHERE account_id = {}", f.acme)).await;
    assert!(mail[0].subject.contains(&number), "{}", mail[0].subject);
    assert!(mail[0].to.contains("ann@acme.example") && mail[0].cc.contains("carl@acme.example"), "{:?}", mail[0]);
    assert!(mail[0].raw.contains("text/plain") && mail[0].raw.contains("text/html"));
    assert!(mail[0].raw.contains(&format!("filename=\"{number}.pdf\"")), "the invoice PDF is attached");
    assert!(mail[0].raw.contains("JVBERi0"), "the attachment is a PDF (base64 of %PDF-)");
    let stored_id = text(
        &db,
        &format!(
            "SELECT message_id FROM outbox WHERE invoice_id = (SELECT id FROM invoices WHERE account_id = {})",
            f.acme
        ),
    )
    .await;
    assert_eq!(mail[0].message_id, stored_id);
    assert_eq!(text(&db, &format!("SELECT status FROM invoices WHERE account_id = {}", f.acme)).await, "sent");
    let reason = text(&db, "SELECT last_error FROM outbox WHERE status = 'failed'").await;
    assert!(reason.contains("Quiet Co has no invoice recipient"), "{reason}");

    assert_eq!(courier.deliver_due().await.unwrap().attempted(), 0, "nothing is sent twice");
    assert_eq!(sink.received().len(), 1);

    // Twenty days on, the last insert's billable date (run date − 5) has come.
    clock.set(t0() + Duration::days(20));
    let later = scheduler::tick(&db, clock.now(), "a").await.unwrap();
    assert_eq!((later.invoices_created, later.line_items_invoiced), (1, 1));
    courier.deliver_due().await.unwrap();
    assert_eq!(sink.received().len(), 2);
    let _ = f.ann;
});

on_both_engines!(an_smtp_outage_backs_off_then_delivers, |db| async move {
    fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let mut sink = SmtpSink::not_yet_started();
    let clock = ManualClock::new(t0());
    let courier = courier(&db, &sink, &clock);
    scheduler::tick(&db, t0(), "a").await.unwrap();

    let r1 = courier.deliver_due().await.unwrap();
    assert_eq!(r1.retrying, 1, "connection refused is transient: {r1:?}");
    assert_eq!(courier.deliver_due().await.unwrap().attempted(), 0, "not due again before the backoff");
    clock.advance(Duration::seconds(30));
    assert_eq!(courier.deliver_due().await.unwrap().retrying, 1);
    clock.advance(Duration::seconds(59));
    assert_eq!(courier.deliver_due().await.unwrap().attempted(), 0, "the second wait is twice as long");

    sink.resume();
    clock.advance(Duration::seconds(1));
    let r3 = courier.deliver_due().await.unwrap();
    assert_eq!(r3.delivered, 1, "{r3:?}");
    assert_eq!(sink.received().len(), 1);

    let attempts: Vec<(String, DateTime<Utc>)> = on_db!(&db, p => sqlx::query_as(
        "SELECT a.outcome, a.started_at FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id
         JOIN invoices i ON i.id = o.invoice_id JOIN accounts c ON c.id = i.account_id
         WHERE c.name = 'Acme Motors' ORDER BY a.id").fetch_all(p).await.unwrap());
    let outcomes: Vec<&str> = attempts.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["transient", "transient", "delivered"]);
    let gaps: Vec<i64> = attempts.windows(2).map(|w| (w[1].1 - w[0].1).num_seconds()).collect();
    assert_eq!(gaps, [30, 60], "exponential backoff between attempts");
});

on_both_engines!(a_permanent_refusal_waits_for_a_person_then_retry_delivers, |db| async move {
    let f = fixture(&db).await;
    exec(&db, &format!("UPDATE contacts SET email = 'reject@acme.example' WHERE id = {}", f.ann)).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    let courier = courier(&db, &sink, &clock);
    scheduler::tick(&db, t0(), "a").await.unwrap();
    let r = courier.deliver_due().await.unwrap();
    assert_eq!(r.failed, 2, "550 and no-recipient are both permanent: {r:?}");
    let id = scalar(
        &db,
        &format!("SELECT o.id FROM outbox o JOIN invoices i ON i.id = o.invoice_id WHERE i.account_id = {}", f.acme),
    )
    .await;
    let reason = text(&db, &format!("SELECT last_error FROM outbox WHERE id = {id}")).await;
    assert!(reason.contains("550"), "the server's reply is kept: {reason}");
    clock.advance(Duration::hours(3));
    assert_eq!(courier.deliver_due().await.unwrap().attempted(), 0, "permanent failures are not retried on their own");

    exec(&db, &format!("UPDATE contacts SET email = 'ann@acme.example' WHERE id = {}", f.ann)).await;
    assert!(outbox::retry(&db, OutboxId(id), clock.now(), &Messages).await.unwrap());
    assert_eq!(courier.deliver_due().await.unwrap().delivered, 1);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(
        sink.received()[0].message_id,
        text(&db, &format!("SELECT message_id FROM outbox WHERE id = {id}")).await
    );
});

on_both_engines!(without_a_mail_server_an_email_is_written_to_file_and_not_called_sent, |db| async move {
    let f = fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    let folder = sink.dir.join("outgoing");
    let no_smtp = MailEnvironment {
        smtp: None,
        from: Some("Valley Courier <billing@valley.example>".into()),
        folder: folder.clone(),
        public_url: "http://pressrun.test".into(),
    };
    let to_file = messages::courier(
        db.clone(),
        Arc::new(no_smtp),
        Arc::new(clock.clone()),
        "file-worker".into(),
        DeliveryConfig::default(),
    );
    scheduler::tick(&db, t0(), "a").await.unwrap();
    let r = to_file.deliver_due().await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 2), "{r:?}");
    let acme_invoice = format!("(SELECT id FROM invoices WHERE account_id = {})", f.acme);
    let reason = text(&db, &format!("SELECT last_error FROM outbox WHERE invoice_id = {acme_invoice}")).await;
    assert!(reason.starts_with("Written to file, not emailed"), "{reason}");
    let files = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "eml"));
    assert_eq!(files.count(), 1, "the message is kept as a file");
    assert_eq!(text(&db, &format!("SELECT status FROM invoices WHERE id = {acme_invoice}")).await, "open", "not Sent");
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {acme_invoice} AND kind = 'sent'")
        )
        .await,
        0
    );
    clock.advance(Duration::hours(3));
    assert_eq!(to_file.deliver_due().await.unwrap().attempted(), 0, "it waits for a person");

    // Mail set up, Retry: it goes for real, once, and only now is the invoice Sent.
    let id = scalar(&db, &format!("SELECT id FROM outbox WHERE invoice_id = {acme_invoice}")).await;
    assert!(outbox::retry(&db, OutboxId(id), clock.now(), &Messages).await.unwrap());
    let r = courier(&db, &sink, &clock).deliver_due().await.unwrap();
    assert_eq!(r.delivered, 1, "{r:?}");
    assert_eq!(sink.received().len(), 1);
    assert_eq!(text(&db, &format!("SELECT status FROM invoices WHERE id = {acme_invoice}")).await, "sent");
});

on_both_engines!(generate_only_invoices_and_sends_nothing, |db| async move {
    let f = fixture(&db).await;
    let s =
        AutomationSettings { mode: AutoInvoiceMode::GenerateOnly, delivery: Delivery::Automatic, template_id: None };
    automation::save(&db, &s, t0() - Duration::days(1)).await.unwrap();
    let report = scheduler::tick(&db, t0(), "a").await.unwrap();
    assert_eq!(report.invoices_created, 2, "{report:?}");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, 0, "nothing is emailed");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM invoices WHERE ready_to_send_at IS NOT NULL").await, 0, "nor queued");
    assert_eq!(text(&db, &format!("SELECT status FROM invoices WHERE account_id = {}", f.acme)).await, "open");
    // Staff can still send them, as with any invoice.
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    let id = InvoiceId(scalar(&db, &format!("SELECT id FROM invoices WHERE account_id = {}", f.acme)).await);
    scheduler::queue_invoice_emails(&db, t0(), scheduler::Selection::Ids(vec![id]), None, None).await.unwrap();
    assert_eq!(courier(&db, &sink, &clock).deliver_due().await.unwrap().delivered, 1);
});

on_both_engines!(cannot_send_lists_accounts_without_a_recipient_and_failures_list_refusals, |db| async move {
    use app::backend::invoicing::delivery_views;
    let f = fixture(&db).await;
    // Before the run: Quiet Co (no contacts) has a line item that will be billed.
    let listed = delivery_views::accounts_without_recipient(&db, day(7)).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].account.as_str(), listed[0].line_items), ("Quiet Co", 1));

    // The run: Quiet Co's invoice cannot be emailed and shows under Email failures with why;
    // Acme's is refused by the server (550) and shows with the server's reply.
    exec(&db, &format!("UPDATE contacts SET email = 'reject@acme.example' WHERE id = {}", f.ann)).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0() + Duration::days(1));
    scheduler::tick(&db, t0() + Duration::days(1), "a").await.unwrap();
    courier(&db, &sink, &clock).deliver_due().await.unwrap();
    let failed = delivery_views::failures(&db, 10).await.unwrap();
    assert_eq!(failed.len(), 2, "{failed:?}");
    let quiet = failed.iter().find(|x| x.account.as_deref() == Some("Quiet Co")).unwrap();
    assert!(quiet.reason.contains("no invoice recipient"), "{}", quiet.reason);
    let acme = failed.iter().find(|x| x.account.as_deref() == Some("Acme Motors")).unwrap();
    assert!(acme.reason.contains("550") && acme.invoice_number.is_some(), "{acme:?}");
});

on_both_engines!(a_voided_invoice_is_not_emailed, |db| async move {
    fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    scheduler::tick(&db, t0(), "a").await.unwrap();
    exec(&db, "UPDATE invoices SET status = 'void'").await;
    let r = courier(&db, &sink, &clock).deliver_due().await.unwrap();
    assert_eq!(r.cancelled, 2, "{r:?}");
    assert!(sink.received().is_empty());
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'cancelled'").await, 2);
});

on_both_engines!(a_voided_auto_invoice_stays_void_until_its_line_items_are_released, |db| async move {
    let f = fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    let courier = courier(&db, &sink, &clock);
    scheduler::tick(&db, t0(), "a").await.unwrap();
    courier.deliver_due().await.unwrap();
    assert_eq!(sink.received().len(), 1);
    let acme_invoice = |n: &str| format!("SELECT id FROM invoices WHERE account_id = {} AND status {n}", f.acme);
    let first = InvoiceId(scalar(&db, &acme_invoice("= 'sent'")).await);

    // Voided through the real path, holding its line items (the default): the next ticks, the
    // same day and later, neither bill them again nor email anything.
    assert!(invoices::void(&db, first, "Booked twice", AfterVoid::Hold, "Test", t0()).await.unwrap());
    for at in [t0() + Duration::hours(1), t0() + Duration::days(1)] {
        let r = scheduler::tick(&db, at, "a").await.unwrap();
        assert_eq!(r.invoices_created, 0, "a held line item is not re-billed: {r:?}");
    }
    courier.deliver_due().await.unwrap();
    assert_eq!(sink.received().len(), 1, "nothing more reached the client");
    assert_eq!(invoices::held_line_items(&db, first).await.unwrap(), 2);

    // Released by a person: billed once more by the next tick, then held no longer.
    assert_eq!(invoices::release_held(&db, first, "Test", t0() + Duration::days(1)).await.unwrap(), 2);
    assert_eq!(invoices::release_held(&db, first, "Test", t0() + Duration::days(1)).await.unwrap(), 0);
    let r = scheduler::tick(&db, t0() + Duration::days(1), "a").await.unwrap();
    assert_eq!((r.invoices_created, r.line_items_invoiced), (1, 2), "{r:?}");
    let second = InvoiceId(scalar(&db, &acme_invoice("<> 'void'")).await);

    // "Bill again" returns them at once: the next tick bills them a third time.
    assert!(
        invoices::void(&db, second, "Wrong rate", AfterVoid::BillAgain, "Test", t0() + Duration::days(1))
            .await
            .unwrap()
    );
    assert_eq!(invoices::held_line_items(&db, second).await.unwrap(), 0);
    let r = scheduler::tick(&db, t0() + Duration::days(1), "a").await.unwrap();
    assert_eq!(r.invoices_created, 1, "{r:?}");
    assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM invoices WHERE account_id = {}", f.acme)).await, 3);
});

on_both_engines!(manual_delivery_waits_in_ready_to_send, |db| async move {
    let f = fixture(&db).await;
    set_delivery(&db, Delivery::Manual, t0() - Duration::days(1)).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(t0());
    scheduler::tick(&db, t0(), "a").await.unwrap();
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM invoices WHERE ready_to_send_at IS NOT NULL").await, 2);
    let acme_invoice = scalar(&db, &format!("SELECT id FROM invoices WHERE account_id = {}", f.acme)).await;
    let queued = scheduler::queue_invoice_emails(
        &db,
        t0(),
        scheduler::Selection::Ids(vec![InvoiceId(acme_invoice)]),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(queued, Some(1));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM invoices WHERE ready_to_send_at IS NOT NULL").await, 1);
    courier(&db, &sink, &clock).deliver_due().await.unwrap();
    assert_eq!(sink.received().len(), 1);
});

on_both_engines!(a_batch_slot_runs_once_however_many_ticks_race_for_it, |db| async move {
    fixture(&db).await;
    let schedule = BatchSchedule { frequency: BatchFrequency::Daily, at: NaiveTime::from_hms_opt(13, 0, 0).unwrap() };
    set_delivery(&db, Delivery::Batch(schedule), t0() - Duration::days(1)).await;
    // 12:00 local: invoices are generated and wait; the 13:00 slot has not come.
    let noon = scheduler::tick(&db, t0(), "a").await.unwrap();
    assert_eq!(noon.invoices_created, 2);
    // Yesterday's slot came after the settings were saved but before anything was ready.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, 0);

    let one_pm = t0() + Duration::minutes(61);
    let mut tasks = Vec::new();
    for i in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move { scheduler::tick(&db, one_pm, &format!("instance-{i}")).await.unwrap() }));
    }
    let mut ran = Vec::new();
    for t in tasks {
        ran.extend(t.await.unwrap().batch_queued);
    }
    assert_eq!(ran, [2], "exactly one tick ran the 13:00 slot and queued both invoices");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, 2);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM scheduler_runs").await, 2, "yesterday's (empty) and today's slot");
});

on_both_engines!(only_the_lease_holder_can_renew_its_lease, |db| async move {
    fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    scheduler::tick(&db, t0(), "a").await.unwrap();
    let claimed = outbox::claim(&db, "worker-a", t0(), Duration::seconds(120), 1).await.unwrap();
    let id = claimed[0].id;
    let lease_until = |db: Db| async move {
        text(&db, &format!("SELECT CAST(lease_until AS TEXT) FROM outbox WHERE id = {id}")).await
    };
    let before = lease_until(db.clone()).await;
    assert!(outbox::renew_lease(&db, id, "worker-a", t0() + Duration::seconds(300)).await.unwrap());
    assert_ne!(lease_until(db.clone()).await, before, "the holder extends its lease");
    assert!(!outbox::renew_lease(&db, id, "worker-b", t0() + Duration::seconds(900)).await.unwrap());
    // Not taken over while renewed: at t0 + 200 s the original lease would have run out.
    let other =
        outbox::claim(&db, "worker-b", t0() + Duration::seconds(200), Duration::seconds(120), 10).await.unwrap();
    assert!(other.iter().all(|r| r.id != id), "a renewed lease is not taken over");
});

on_both_engines!(a_line_item_bills_on_its_local_day_not_the_utc_one, |db| async move {
    fixture(&db).await;
    set_delivery(&db, Delivery::Automatic, t0() - Duration::days(1)).await;
    scheduler::tick(&db, t0(), "a").await.unwrap();
    // The Insert running on day 20 is billable 5 days before: day 15, from local midnight in
    // New York (UTC−5 in December), when it is already 05:00 in UTC.
    let billed = || {
        scalar(
            &db,
            "SELECT COUNT(*) FROM invoice_lines il JOIN line_items li ON li.id = il.line_item_id
                                 WHERE li.run_date = '2026-12-21' AND il.live = TRUE",
        )
    };
    assert_eq!(billed().await, 0);
    let local_midnight = Utc.with_ymd_and_hms(2026, 12, 16, 5, 0, 0).unwrap();
    assert_eq!(day(15), NaiveDate::from_ymd_opt(2026, 12, 16).unwrap());

    let before = scheduler::tick(&db, local_midnight - Duration::minutes(1), "a").await.unwrap();
    assert_eq!(billed().await, 0, "23:59 in New York is still day 14 there, though day 15 in UTC: {before:?}");
    let after = scheduler::tick(&db, local_midnight + Duration::minutes(1), "a").await.unwrap();
    assert_eq!(billed().await, 1, "00:01 in New York is day 15: {after:?}");
});
