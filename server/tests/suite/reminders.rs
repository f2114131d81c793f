//! Past-due reminders on both engines with the clock injected and a real SMTP server
//! (scripts/smtp_sink.py): each ladder step goes once, a long outage sends only the highest
//! step, payments and pauses stop reminders up to the moment of sending, local dates hold
//! across DST and leap days, and concurrent ticks decide each step once.

use testkit::on_both_engines;

use std::sync::Arc;

use app::{
    backend::{
        Db,
        delivery::{
            mail_settings::MailEnvironment,
            worker::{Courier, DeliveryConfig},
        },
        messages::{self, Messages},
        platform::clock::ManualClock,
        reminders::{engine as reminders, store},
        scheduler,
    },
    domain::{
        ids::{AccountId, InvoiceId},
        reminder_ladder::ReminderStyle,
    },
    on_db,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use testkit::smtp::{Received, SmtpSink};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `h:m` local time in New York (the organisation's zone) on `day`, as UTC.
fn ny(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
    tz.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

async fn texts(db: &Db, sql: &str) -> Vec<String> {
    on_db!(db, p => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await.unwrap())
}

struct Fixture {
    acme: AccountId,
}

/// Valley Courier (New York) with Acme Motors (To: Ann, Cc: Carl), reminders on, the seeded
/// 7/30/90 ladder.
async fn fixture(db: &Db, style: ReminderStyle) -> Fixture {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    app::backend::platform::organisation::ensure(db, t).await.unwrap();
    exec(
        db,
        "UPDATE organisation SET name = 'Valley Courier', email_from = 'billing@valley.example', time_zone = 'America/New_York'",
    )
    .await;
    let acme = on_db!(db, p => {
        let acme: AccountId = sqlx::query_scalar("INSERT INTO accounts (name, kind, created_at) VALUES ('Acme Motors', 'advertiser', $1) RETURNING id")
            .bind(t).fetch_one(p).await.unwrap();
        sqlx::query("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Ann Lee', 'ann@acme.example', 'to', $2)")
            .bind(acme).bind(t).execute(p).await.unwrap();
        sqlx::query("INSERT INTO contacts (account_id, name, email, invoice_role, created_at) VALUES ($1, 'Carl Cruz', 'carl@acme.example', 'cc', $2)")
            .bind(acme).bind(t).execute(p).await.unwrap();
        acme
    });
    store::save_settings(db, true, style, t).await.unwrap();
    Fixture { acme }
}

/// A numbered invoice of $1,000.00 due on `due`, `paid` of it paid.
async fn invoice(db: &Db, account: AccountId, number: &str, due: NaiveDate, paid: i64) -> InvoiceId {
    let status = if paid == 0 { "sent" } else { "partially_paid" };
    on_db!(db, p => sqlx::query_scalar(
        "INSERT INTO invoices (number, account_id, status, issue_date, due_date, terms_days, currency, subtotal, total, amount_paid, created_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, 30, 'USD', 10000000, 10000000, $6, $7, $7) RETURNING id")
        .bind(number).bind(account).bind(status).bind(due - Duration::days(30)).bind(due).bind(paid * 10000)
        .bind(Utc::now()).fetch_one(p).await.unwrap())
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

/// Tick and deliver at `at`.
async fn run(db: &Db, clock: &ManualClock, courier: &Courier<Messages>, at: DateTime<Utc>) -> usize {
    clock.set(at);
    let report = scheduler::tick(db, at, "test").await.unwrap();
    courier.deliver_due().await.unwrap();
    report.reminders.steps
}

/// The invoice's Pay Online link in a message.
fn pay_online_link(m: &Received) -> Option<String> {
    m.portal_links().into_iter().find(|l| l.starts_with("http://pressrun.test/portal/invoice/"))
}

on_both_engines!(each_step_goes_once_with_its_own_template, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    let inv = invoice(&db, f.acme, "INV-100", due, 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(due, 9, 0));
    let courier = courier(&db, &sink, &clock);

    for offset in 0..7 {
        assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(offset), 9, 0)).await, 0, "day {offset}");
    }
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(7), 9, 0)).await, 1);
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(7), 15, 0)).await, 0, "a second tick the same day");
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Reminder: invoice INV-100 is past due");
    assert!(mail[0].to.contains("ann@acme.example"), "{:?}", mail[0].to);
    assert!(mail[0].cc.is_empty(), "day 7 does not cc: {:?}", mail[0].cc);
    let link = pay_online_link(&mail[0]).expect("a Pay Online link");
    assert!(link.len() > "http://pressrun.test/portal/invoice/".len() + 20, "{link}");
    assert!(mail[0].decoded().contains("7 days past due"), "{}", mail[0].decoded());

    for offset in 8..200 {
        run(&db, &clock, &courier, ny(due + Duration::days(offset), 9, 0)).await;
    }
    let mail = sink.received();
    let subjects: Vec<&str> = mail.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(mail.len(), 3, "{subjects:?}");
    assert!(subjects.contains(&"Second notice: invoice INV-100 is 30 days past due"), "{subjects:?}");
    let day30 = mail.iter().find(|m| m.subject.starts_with("Second notice")).unwrap();
    assert!(day30.cc.contains("carl@acme.example"), "day 30 ccs the other contacts: {:?}", day30.cc);
    let steps =
        texts(&db, &format!("SELECT status FROM invoice_reminders WHERE invoice_id = {inv} ORDER BY days_past_due"))
            .await;
    assert_eq!(steps, ["sent", "sent", "sent"]);
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {inv} AND kind = 'reminder_sent'")
        )
        .await,
        3
    );
    let detail = texts(
        &db,
        &format!("SELECT detail FROM invoice_events WHERE invoice_id = {inv} AND kind = 'reminder_sent' ORDER BY id"),
    )
    .await;
    assert!(detail[1].starts_with("Day 30 reminder emailed to"), "{detail:?}");
});

on_both_engines!(after_100_days_down_only_the_day_90_step_goes, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    let inv = invoice(&db, f.acme, "INV-200", due, 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(due, 9, 0));
    let courier = courier(&db, &sink, &clock);
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(100), 9, 0)).await, 1);
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(101), 9, 0)).await, 0);
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "one reminder, not a burst");
    assert!(mail[0].decoded().contains("credit hold"), "the collections notice template");
    assert!(mail[0].raw.contains("statement-2026-06-10.csv"), "day 90 attaches the statement");
    let statement = mail[0].decoded_parts(&["text/csv"]);
    assert!(statement.contains("INV-200,2026-01-31,2026-03-02,100,1000.00,0.00,1000.00,USD"), "{statement}");
    let steps =
        texts(&db, &format!("SELECT CAST(days_past_due AS TEXT) FROM invoice_reminders WHERE invoice_id = {inv}"))
            .await;
    assert_eq!(steps, ["90"]);
});

on_both_engines!(payments_stop_reminders_up_to_the_moment_of_sending, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    let partial = invoice(&db, f.acme, "INV-300", due, 400).await;
    let paid_late = invoice(&db, f.acme, "INV-301", due, 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(due, 9, 0));
    let courier = courier(&db, &sink, &clock);

    let at = ny(due + Duration::days(7), 9, 0);
    clock.set(at);
    assert_eq!(scheduler::tick(&db, at, "test").await.unwrap().reminders.steps, 2);
    // The payment lands between queueing and sending.
    exec(&db, &format!("UPDATE invoices SET amount_paid = total, status = 'paid' WHERE id = {paid_late}")).await;
    let report = courier.deliver_due().await.unwrap();
    assert_eq!(
        (report.delivered, report.cancelled),
        (1, 1),
        "{report:?} {:?}",
        texts(&db, "SELECT last_error FROM outbox").await
    );
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("INV-300"), "the partly paid invoice is still reminded");
    assert!(mail[0].decoded().contains("$600.00"), "with its balance");
    assert_eq!(
        texts(&db, &format!("SELECT status FROM invoice_reminders WHERE invoice_id = {paid_late}")).await,
        ["cancelled"]
    );
    assert_eq!(texts(&db, &format!("SELECT status FROM outbox WHERE invoice_id = {paid_late}")).await, ["cancelled"]);
    // A paid invoice is never reminded again.
    for offset in 8..100 {
        run(&db, &clock, &courier, ny(due + Duration::days(offset), 9, 0)).await;
    }
    assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM invoice_reminders WHERE invoice_id = {paid_late}")).await, 1);
    assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM invoice_reminders WHERE invoice_id = {partial}")).await, 3);
});

on_both_engines!(a_voided_payment_reopens_the_invoice_and_the_ladder_resumes_where_it_stands, |db| async move {
    use app::{
        backend::payments::{
            corrections,
            record::{self as payments, NewPayment},
        },
        domain::payment::PaymentMethod,
    };
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    let inv = invoice(&db, f.acme, "INV-350", due, 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(due, 9, 0));
    let courier = courier(&db, &sink, &clock);
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(7), 9, 0)).await, 1, "day 7 step");

    // A check pays it in full on day 10 and bounces on day 40.
    let paid_on = ny(due + Duration::days(10), 9, 0);
    let check = NewPayment {
        account_id: f.acme,
        method: PaymentMethod::Check,
        amount: "1000".parse().unwrap(),
        currency: "USD".into(),
        received_on: due + Duration::days(10),
        reference: "2231".into(),
        notes: String::new(),
        provider: String::new(),
        provider_ref: None,
        allocations: vec![(inv, "1000".parse().unwrap())],
        created_by: None,
        actor: "Clerk".into(),
        send_receipt: false,
    };
    let payment = payments::record(&db, &check, paid_on).await.unwrap().payment_id;
    for offset in 10..40 {
        assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(offset), 9, 0)).await, 0, "paid: day {offset}");
    }
    let bounced = ny(due + Duration::days(40), 8, 0);
    let voided = corrections::void(&db, payment, "Check returned unpaid", "Clerk", bounced).await.unwrap().unwrap();
    assert_eq!(voided.reopened, ["INV-350"]);
    assert_eq!(texts(&db, &format!("SELECT status FROM invoices WHERE id = {inv}")).await, ["sent"]);
    assert_eq!(scalar(&db, &format!("SELECT amount_paid FROM invoices WHERE id = {inv}")).await, 0);

    // The day 30 step, missed while the invoice looked paid, goes now; day 7 is not repeated.
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(40), 9, 0)).await, 1);
    assert_eq!(
        texts(
            &db,
            &format!("SELECT CAST(days_past_due AS TEXT) FROM invoice_reminders WHERE invoice_id = {inv} ORDER BY id")
        )
        .await,
        ["7", "30"]
    );
    let mail = sink.received();
    assert_eq!(mail.len(), 2, "day 7, then the resumed day 30 step");
    assert!(
        mail[1].subject.contains("Second notice") && mail[1].decoded().contains("$1,000.00"),
        "{}",
        mail[1].subject
    );
    for offset in 41..90 {
        assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(offset), 9, 0)).await, 0, "day {offset}");
    }
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(90), 9, 0)).await, 1, "day 90 step");
});

on_both_engines!(paused_accounts_and_invoices_get_nothing, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    let a = invoice(&db, f.acme, "INV-400", due, 0).await;
    let b = invoice(&db, f.acme, "INV-401", due, 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(due, 9, 0));
    let courier = courier(&db, &sink, &clock);

    store::set_account_paused(&db, f.acme, true).await.unwrap();
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(8), 9, 0)).await, 0);
    store::set_account_paused(&db, f.acme, false).await.unwrap();
    store::set_invoice_paused(&db, a, true).await.unwrap();
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(9), 9, 0)).await, 1);
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("INV-401"));

    // Queued, then paused before sending: cancelled.
    let at = ny(due + Duration::days(30), 9, 0);
    clock.set(at);
    assert_eq!(scheduler::tick(&db, at, "test").await.unwrap().reminders.steps, 1);
    store::set_invoice_paused(&db, b, true).await.unwrap();
    assert_eq!(courier.deliver_due().await.unwrap().cancelled, 1);
    assert_eq!(sink.received().len(), 1);

    // By hand, a paused invoice's reminder still goes, and counts as the step.
    let step = reminders::send_manual(&db, a, at, "billing@valley.example").await.unwrap();
    assert_eq!(step, 30);
    courier.deliver_due().await.unwrap();
    let mail = sink.received();
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().any(|m| m.subject.starts_with("Second notice: invoice INV-400")));
    store::set_invoice_paused(&db, a, false).await.unwrap();
    assert_eq!(run(&db, &clock, &courier, ny(due + Duration::days(31), 9, 0)).await, 0, "day 30 was sent by hand");
    let manual: bool = on_db!(&db, p => sqlx::query_scalar(&format!(
        "SELECT manual FROM invoice_reminders WHERE invoice_id = {a} AND days_past_due = 30")).fetch_one(p).await.unwrap());
    assert!(manual);
});

on_both_engines!(steps_fall_on_local_dates_across_dst_and_leap_days, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    exec(&db, "DELETE FROM reminder_rules WHERE days_past_due <> 7").await;
    // Day 7 falls on the spring-forward day, the fall-back day, and March 7 after a Feb 29.
    let spring = invoice(&db, f.acme, "INV-500", date(2027, 3, 7), 0).await;
    let fall = invoice(&db, f.acme, "INV-501", date(2027, 10, 31), 0).await;
    let leap = invoice(&db, f.acme, "INV-502", date(2028, 2, 29), 0).await;
    let steps = |inv: InvoiceId| {
        let db = db.clone();
        async move { scalar(&db, &format!("SELECT COUNT(*) FROM invoice_reminders WHERE invoice_id = {inv}")).await }
    };
    for (inv, day) in [(spring, date(2027, 3, 14)), (fall, date(2027, 11, 7)), (leap, date(2028, 3, 7))] {
        // 23:30 local the evening before: not yet.
        reminders::queue_due(&db, ny(day - Duration::days(1), 23, 30)).await.unwrap();
        assert_eq!(steps(inv).await, 0, "{day}: too early at 23:30 the day before");
        // 00:30 local on the day: due.
        reminders::queue_due(&db, ny(day, 0, 30)).await.unwrap();
        assert_eq!(steps(inv).await, 1, "{day}: due at 00:30 local");
    }
});

on_both_engines!(daily_digest_lists_a_contacts_past_due_invoices, |db| async move {
    let f = fixture(&db, ReminderStyle::PerContactDaily).await;
    let a = invoice(&db, f.acme, "INV-600", date(2026, 3, 2), 0).await;
    let b = invoice(&db, f.acme, "INV-601", date(2026, 2, 1), 0).await;
    let sink = SmtpSink::start();
    let clock = ManualClock::new(ny(date(2026, 3, 9), 9, 0));
    let courier = courier(&db, &sink, &clock);
    // INV-601 is 36 days late (step 30), INV-600 7 days (step 7): one email for both.
    assert_eq!(run(&db, &clock, &courier, ny(date(2026, 3, 9), 9, 0)).await, 2);
    assert_eq!(run(&db, &clock, &courier, ny(date(2026, 3, 9), 17, 0)).await, 0);
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    let text = mail[0].decoded();
    assert!(text.contains("INV-600") && text.contains("INV-601"), "{text}");
    assert!(text.contains("http://pressrun.test/portal/account/"), "an Unpaid Invoices link");
    assert!(mail[0].cc.contains("carl@acme.example"), "the day-30 rule ccs");
    for inv in [a, b] {
        assert_eq!(
            texts(&db, &format!("SELECT status FROM invoice_reminders WHERE invoice_id = {inv}")).await,
            ["sent"]
        );
    }
});

on_both_engines!(three_concurrent_ticks_decide_each_step_once, |db| async move {
    let f = fixture(&db, ReminderStyle::PerInvoice).await;
    let due = date(2026, 3, 2);
    for n in 0..40 {
        invoice(&db, f.acme, &format!("INV-7{n:02}"), due - Duration::days(n), 0).await;
    }
    let at = ny(due + Duration::days(45), 9, 0);
    for _round in 0..2 {
        let mut tasks = Vec::new();
        for i in 0..3 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move { scheduler::tick(&db, at, &format!("instance-{i}")).await.unwrap() }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    }
    // Every invoice reached step 30 (45–84 days late), none step 90: one step each, once.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM invoice_reminders").await, 40);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM invoice_reminders WHERE days_past_due = 30 AND outbox_id IS NOT NULL").await,
        40
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder_email'").await, 40);
});
