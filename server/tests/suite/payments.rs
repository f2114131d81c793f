//! Payments on both engines: partial and whole, across invoices, credit and its later use,
//! stale forms refused, online completion recorded once and only for the amount asked, and the
//! receipt email delivered to a real SMTP server with merge values shown as text.

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
        payments::{
            checkout::{self, CheckoutError},
            corrections,
            record::{self as payments, NewPayment, PaymentError, account_credit},
        },
        platform::clock::ManualClock,
    },
    domain::{
        ids::{AccountId, InvoiceId},
        payment::PaymentMethod,
    },
};
use rust_decimal::Decimal;
use testkit::ledger::*;
use testkit::smtp::SmtpSink;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn check(account_id: AccountId, amount: &str, allocations: Vec<(InvoiceId, Decimal)>) -> NewPayment {
    NewPayment {
        account_id,
        method: PaymentMethod::Check,
        amount: d(amount),
        currency: "USD".into(),
        received_on: date(2026, 11, 23),
        reference: "10452".into(),
        notes: String::new(),
        provider: String::new(),
        provider_ref: None,
        allocations,
        created_by: None,
        actor: "Test".into(),
        send_receipt: true,
    }
}

fn courier(db: &Db, sink: &SmtpSink) -> Courier<Messages> {
    let env = MailEnvironment {
        smtp: Some(sink.smtp_settings()),
        from: Some("Valley Courier <billing@valley.example>".into()),
        folder: sink.dir.join("unused"),
        public_url: "http://pressrun.test".into(),
    };
    messages::courier(
        db.clone(),
        Arc::new(env),
        Arc::new(ManualClock::new(noon())),
        "test".into(),
        DeliveryConfig::default(),
    )
}

on_both_engines!(partial_then_whole_payments_move_the_status, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let inv = invoice(&db, acme, "INV-1", 1000, date(2026, 11, 1), date(2026, 12, 1)).await;

    payments::record(&db, &check(acme, "400", vec![(inv, d("400"))]), noon()).await.unwrap();
    assert_eq!(status(&db, inv).await, "partially_paid");
    assert_eq!(paid_cents(&db, inv).await, 40_000);

    let err = payments::record(&db, &check(acme, "700", vec![(inv, d("700"))]), noon()).await.unwrap_err();
    match err {
        PaymentError::Invalid(f) => {
            assert_eq!(f[0].field, format!("allocation-{inv}"));
            assert!(f[0].message.contains("$600.00"), "{}", f[0].message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(paid_cents(&db, inv).await, 40_000, "a refused payment changes nothing");

    payments::record(&db, &check(acme, "600", vec![(inv, d("600"))]), noon()).await.unwrap();
    assert_eq!(status(&db, inv).await, "paid");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'receipt_email'").await,
        2,
        "one receipt per payment"
    );
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {inv} AND kind = 'payment'"))
            .await,
        2
    );
});

on_both_engines!(one_payment_spreads_over_invoices_and_the_rest_is_credit, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let other = account(&db, "Other Co", "ap@other.example").await;
    let a = invoice(&db, acme, "INV-1", 300, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 500, date(2026, 11, 1), date(2026, 12, 1)).await;
    let c = invoice(&db, acme, "INV-3", 200, date(2026, 11, 10), date(2026, 12, 10)).await;
    let foreign = invoice(&db, other, "INV-9", 50, date(2026, 11, 1), date(2026, 12, 1)).await;

    let err = payments::record(&db, &check(acme, "50", vec![(foreign, d("50"))]), noon()).await.unwrap_err();
    assert!(matches!(err, PaymentError::Invalid(ref f) if f[0].message.contains("another account")), "{err:?}");

    payments::record(&db, &check(acme, "1000", vec![(a, d("300")), (b, d("500"))]), noon()).await.unwrap();
    assert_eq!(
        (status(&db, a).await, status(&db, b).await, status(&db, c).await),
        ("paid".into(), "paid".into(), "sent".into())
    );
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("200"));

    let applied = payments::apply_credit(&db, acme, c, d("150"), noon(), "Test").await.unwrap();
    assert_eq!(applied, d("150"));
    assert_eq!(status(&db, c).await, "partially_paid");
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("50"));
    let too_much = payments::apply_credit(&db, acme, c, d("60"), noon(), "Test").await.unwrap_err();
    assert!(matches!(too_much, PaymentError::Invalid(ref f) if f[0].message.contains("only 50")), "{too_much:?}");
    payments::apply_credit(&db, acme, c, d("50"), noon(), "Test").await.unwrap();
    assert_eq!(status(&db, c).await, "paid");
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("0"));
});

on_both_engines!(credit_applied_by_two_clerks_at_once_is_spent_once, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 100, date(2026, 11, 1), date(2026, 12, 1)).await;
    let c = invoice(&db, acme, "INV-3", 100, date(2026, 11, 1), date(2026, 12, 1)).await;
    // 100.00 of credit: an overpayment of INV-1.
    payments::record(&db, &check(acme, "200", vec![(a, d("100"))]), noon()).await.unwrap();
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("100"));
    for _ in 0..5 {
        let (x, y) = tokio::join!(
            payments::apply_credit(&db, acme, b, d("100"), noon(), "Clerk 1"),
            payments::apply_credit(&db, acme, c, d("100"), noon(), "Clerk 2"),
        );
        assert!(x.is_ok() != y.is_ok(), "exactly one clerk spends the credit: {x:?} {y:?}");
        let allocated = scalar(&db, "SELECT CAST(SUM(amount) AS BIGINT) FROM payment_allocations").await;
        assert_eq!(allocated, 200 * 10_000, "never more allocated than was paid");
        assert_eq!(account_credit(&db, acme).await.unwrap(), d("0"));
        // Undo for the next round: the credit is back and both invoices are open again.
        exec(&db, "DELETE FROM payment_allocations WHERE invoice_id <> (SELECT MIN(id) FROM invoices)").await;
        exec(&db, "UPDATE invoices SET amount_paid = 0, status = 'sent' WHERE id <> (SELECT MIN(id) FROM invoices)")
            .await;
    }
});

on_both_engines!(online_completion_is_recorded_once_and_only_for_the_amount_asked, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 120, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 80, date(2026, 11, 1), date(2026, 12, 1)).await;
    let online = checkout::Payments::test("http://pressrun.test");
    let url = checkout::start(&db, &online, acme, &[a, b], noon(), "http://pressrun.test").await.unwrap();
    let id = url.rsplit('/').next().unwrap().to_string();
    assert!(url.starts_with("http://pressrun.test/portal/test-checkout/") && checkout::well_formed_id(&id), "{url}");

    let mismatch = checkout::complete(&db, &id, "test_x", 19_999, "usd", noon(), "card").await.unwrap_err();
    assert!(matches!(mismatch, CheckoutError::AmountMismatch { .. }), "{mismatch:?}");
    let wrong_currency = checkout::complete(&db, &id, "test_x", 20_000, "eur", noon(), "card").await.unwrap_err();
    assert!(matches!(wrong_currency, CheckoutError::AmountMismatch { .. }));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM payments").await, 0);

    let first = checkout::complete(&db, &id, "test_x", 20_000, "usd", noon(), "card").await.unwrap();
    let again = checkout::complete(&db, &id, "test_x", 20_000, "usd", noon(), "card").await.unwrap();
    assert_eq!(first, again);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!((status(&db, a).await, status(&db, b).await), ("paid".into(), "paid".into()));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'receipt_email'").await, 1);

    let nothing = checkout::start(&db, &online, acme, &[a, b], noon(), "http://pressrun.test").await.unwrap_err();
    assert!(matches!(nothing, CheckoutError::NothingDue), "{nothing:?}");
});

on_both_engines!(a_check_that_lands_during_checkout_leaves_credit_not_an_overpaid_invoice, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let url =
        checkout::start(&db, &checkout::Payments::test("http://t"), acme, &[a], noon(), "http://t").await.unwrap();
    let id = url.rsplit('/').next().unwrap().to_string();
    payments::record(&db, &check(acme, "100", vec![(a, d("100"))]), noon()).await.unwrap();
    checkout::complete(&db, &id, "test_y", 10_000, "USD", noon(), "card").await.unwrap();
    assert_eq!(paid_cents(&db, a).await, 10_000, "never more than the total");
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("100"));
});

on_both_engines!(the_receipt_reaches_the_client_with_merge_values_as_text, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "<script>alert(1)</script> Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-7", 250, date(2026, 10, 1), date(2026, 10, 31)).await;
    let sink = SmtpSink::start();
    payments::record(&db, &check(acme, "250", vec![(a, d("250"))]), noon()).await.unwrap();
    let report = courier(&db, &sink).deliver_due().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("$250.00") && mail[0].subject.contains("Valley Courier"), "{}", mail[0].subject);
    assert!(mail[0].to.contains("ap@acme.example"));
    let body = mail[0].decoded();
    assert!(body.contains("INV-7 ($250.00)"), "{body}");
    let html = mail[0].html();
    assert!(html.contains("&lt;script&gt;"), "the HTML part escapes the account name: {html}");
    assert!(!html.contains("<script>"), "no script element in the HTML part");
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {a} AND kind = 'receipt_sent'"))
            .await,
        1
    );
    assert_eq!(courier(&db, &sink).deliver_due().await.unwrap().attempted(), 0, "sent once");
});

on_both_engines!(an_invoice_voided_during_checkout_turns_its_share_into_credit, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 40, date(2026, 10, 1), date(2026, 10, 31)).await;
    let url =
        checkout::start(&db, &checkout::Payments::test("http://t"), acme, &[a, b], noon(), "http://t").await.unwrap();
    let id = url.rsplit('/').next().unwrap().to_string();
    exec(&db, &format!("UPDATE invoices SET status = 'void' WHERE id = {b}")).await;
    checkout::complete(&db, &id, "test_z", 14_000, "USD", noon(), "card").await.unwrap();
    assert_eq!((status(&db, a).await, status(&db, b).await), ("paid".into(), "void".into()));
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("40"), "the client's money is kept as credit");
});

on_both_engines!(money_received_is_summed_per_week_for_the_chart, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 900, date(2026, 10, 1), date(2026, 10, 31)).await;
    let mut p = check(acme, "100", vec![(a, d("100"))]);
    p.received_on = date(2026, 11, 23); // Monday of this week
    payments::record(&db, &p, noon()).await.unwrap();
    p.received_on = date(2026, 11, 24);
    payments::record(&db, &p, noon()).await.unwrap();
    p.received_on = date(2026, 11, 22); // Sunday of last week
    payments::record(&db, &p, noon()).await.unwrap();
    p.received_on = date(2026, 8, 1); // before the 12 weeks
    payments::record(&db, &p, noon()).await.unwrap();
    let weeks = app::backend::reports::dashboard::received_by_week(&db, date(2026, 11, 24), 12).await.unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[11].week_start, date(2026, 11, 23));
    assert_eq!((weeks[11].amount, weeks[11].line_items), (d("200"), 2));
    assert_eq!((weeks[10].amount, weeks[10].line_items), (d("100"), 1));
    assert_eq!(weeks.iter().map(|w| w.amount).sum::<Decimal>(), d("300"));
});

on_both_engines!(voiding_a_check_reopens_what_it_paid_and_takes_back_its_credit, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 300, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 500, date(2026, 11, 1), date(2026, 12, 1)).await;
    let c = invoice(&db, acme, "INV-3", 200, date(2026, 11, 10), date(2026, 12, 10)).await;
    // A later good payment covers part of INV-2: voiding the check must leave it in place.
    let bad = payments::record(&db, &check(acme, "1000", vec![(a, d("300")), (b, d("400"))]), noon()).await.unwrap();
    let good = payments::record(&db, &check(acme, "100", vec![(b, d("100"))]), noon()).await.unwrap();
    payments::apply_credit(&db, acme, c, d("150"), noon(), "Test").await.unwrap();
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("150"));

    let empty = corrections::void(&db, bad.payment_id, "   ", "Clerk", noon()).await.unwrap_err();
    assert!(matches!(empty, PaymentError::Invalid(ref f) if f[0].field == "reason"), "{empty:?}");
    let voided =
        corrections::void(&db, bad.payment_id, "Check returned unpaid", "Clerk", noon()).await.unwrap().unwrap();
    assert_eq!(voided.reopened, ["INV-1", "INV-2", "INV-3"], "the credit it paid INV-3 with is undone too");
    assert_eq!(
        (status(&db, a).await, status(&db, b).await, status(&db, c).await),
        ("sent".into(), "partially_paid".into(), "sent".into())
    );
    assert_eq!((paid_cents(&db, a).await, paid_cents(&db, b).await, paid_cents(&db, c).await), (0, 10_000, 0));
    assert_eq!(account_credit(&db, acme).await.unwrap(), d("0"), "a bounced check leaves no credit");
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM invoice_events WHERE invoice_id = {a} AND kind = 'payment_voided'"))
            .await,
        1
    );
    let again = corrections::void(&db, bad.payment_id, "twice", "Clerk", noon()).await.unwrap_err();
    assert!(matches!(again, PaymentError::Invalid(ref f) if f[0].message.contains("already voided")), "{again:?}");
    assert_eq!(paid_cents(&db, b).await, 10_000, "a second void changes nothing");
    assert!(
        corrections::void(&db, app::domain::ids::PaymentId(999_999), "x", "Clerk", noon()).await.unwrap().is_none()
    );

    // The voided check stays listed, marked, and its receipt (not yet sent) is not sent.
    let listed = payments::list(&db, Some(acme), None, 10).await.unwrap();
    let row = listed.iter().find(|r| r.id == bad.payment_id).unwrap();
    assert_eq!(row.void_reason, "Check returned unpaid");
    assert!(row.voided_at.is_some() && listed.iter().any(|r| r.id == good.payment_id && r.voided_at.is_none()));
    let sink = SmtpSink::start();
    let report = courier(&db, &sink).deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.cancelled), (1, 1), "{report:?}");
    assert!(sink.received()[0].subject.contains("$100.00"), "only the good payment's receipt goes");
});

on_both_engines!(an_online_payment_is_refunded_not_voided, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 120, date(2026, 10, 1), date(2026, 10, 31)).await;
    let url =
        checkout::start(&db, &checkout::Payments::test("http://t"), acme, &[a], noon(), "http://t").await.unwrap();
    let id = url.rsplit('/').next().unwrap().to_string();
    let payment = checkout::complete(&db, &id, "test_r", 12_000, "USD", noon(), "card").await.unwrap();
    let refused = corrections::void(&db, payment, "client asked", "Clerk", noon()).await.unwrap_err();
    assert!(matches!(refused, PaymentError::Invalid(ref f) if f[0].message.contains("refund")), "{refused:?}");
    assert_eq!(status(&db, a).await, "paid");
});

on_both_engines!(a_void_racing_a_credit_application_never_spends_voided_money, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 100, date(2026, 11, 1), date(2026, 12, 1)).await;
    for round in 0..5 {
        // 100.00 paid to INV-1 and 100.00 of credit, from one check that bounces.
        let p = payments::record(&db, &check(acme, "200", vec![(a, d("100"))]), noon()).await.unwrap();
        let (applied, voided) = tokio::join!(
            payments::apply_credit(&db, acme, b, d("100"), noon(), "Clerk 1"),
            corrections::void(&db, p.payment_id, "Check returned unpaid", "Clerk 2", noon()),
        );
        voided.unwrap().unwrap();
        // Whichever went first, nothing the bounced check paid is left standing.
        assert_eq!((paid_cents(&db, a).await, paid_cents(&db, b).await), (0, 0), "round {round}: {applied:?}");
        assert_eq!((status(&db, a).await, status(&db, b).await), ("sent".into(), "sent".into()));
        assert_eq!(account_credit(&db, acme).await.unwrap(), d("0"));
    }
});

on_both_engines!(a_second_pay_press_gets_the_same_page_and_an_overlapping_one_waits, |db| async move {
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 40, date(2026, 10, 1), date(2026, 10, 31)).await;
    let c = invoice(&db, acme, "INV-3", 60, date(2026, 10, 1), date(2026, 10, 31)).await;
    let online = checkout::Payments::test("http://t");
    let first = checkout::start(&db, &online, acme, &[a], noon(), "http://t").await.unwrap();
    let again =
        checkout::start(&db, &online, acme, &[a], noon() + chrono::Duration::minutes(5), "http://t").await.unwrap();
    assert_eq!(first, again, "the same invoices get the same payment page");
    let overlapping = checkout::start(&db, &online, acme, &[a, b], noon() + chrono::Duration::minutes(5), "http://t")
        .await
        .unwrap_err();
    match overlapping {
        CheckoutError::InProgress(m) => assert!(m.contains("INV-1") && m.contains("25 minutes"), "{m}"),
        other => panic!("{other:?}"),
    }
    checkout::start(&db, &online, acme, &[b], noon(), "http://t").await.expect("other invoices are free");

    // After its window the old page cannot take a card, and a new one can be started.
    let later = noon() + chrono::Duration::minutes(checkout::CHECKOUT_MINUTES + 1);
    let old = checkout::get(&db, first.rsplit('/').next().unwrap()).await.unwrap().unwrap();
    assert!(old.expired(later) && !old.expired(noon()));
    let fresh = checkout::start(&db, &online, acme, &[a], later, "http://t").await.unwrap();
    assert_ne!(fresh, first);

    // Two Pay presses at once for one invoice open one checkout.
    let just_c = [c];
    let (x, y) = tokio::join!(
        checkout::start(&db, &online, acme, &just_c, noon(), "http://t"),
        checkout::start(&db, &online, acme, &just_c, noon(), "http://t"),
    );
    let opened = scalar(&db, &format!("SELECT COUNT(*) FROM checkout_invoices WHERE invoice_id = {c}")).await;
    assert_eq!(opened, 1, "{x:?} {y:?}");
    assert!(x.is_ok() || y.is_ok());
});

on_both_engines!(money_taken_for_a_settled_invoice_waits_as_a_payment_exception, |db| async move {
    use app::backend::payments::exceptions;
    organisation(&db).await;
    let acme = account(&db, "Acme Motors", "ap@acme.example").await;
    let a = invoice(&db, acme, "INV-1", 100, date(2026, 10, 1), date(2026, 10, 31)).await;
    let b = invoice(&db, acme, "INV-2", 70, date(2026, 10, 1), date(2026, 10, 31)).await;
    let online = checkout::Payments::test("http://t");
    let url = checkout::start(&db, &online, acme, &[a], noon(), "http://t").await.unwrap();
    let id = url.rsplit('/').next().unwrap().to_string();
    // A check pays INV-1 while the client is on the card page.
    payments::record(&db, &check(acme, "100", vec![(a, d("100"))]), noon()).await.unwrap();
    checkout::complete(&db, &id, "test_e", 10_000, "USD", noon(), "card").await.unwrap();
    checkout::complete(&db, &id, "test_e", 10_000, "USD", noon(), "card").await.unwrap();
    let open = exceptions::open(&db, 10).await.unwrap();
    assert_eq!(open.len(), 1, "one exception however often the provider reports it");
    assert_eq!((open[0].kind.as_str(), open[0].amount), ("became_credit", 100 * 10_000));
    assert!(open[0].detail.contains("INV-1"), "{}", open[0].detail);

    // The provider reports another amount: nothing is recorded, and staff are told.
    let url = checkout::start(&db, &online, acme, &[b], noon(), "http://t").await.unwrap();
    let other = url.rsplit('/').next().unwrap().to_string();
    for _ in 0..2 {
        let e = checkout::complete(&db, &other, "test_f", 6_999, "usd", noon(), "card").await.unwrap_err();
        assert!(matches!(e, CheckoutError::AmountMismatch { .. }));
    }
    let open = exceptions::open(&db, 10).await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!((open[1].kind.as_str(), open[1].amount), ("amount_mismatch", 6_999 * 100));
    assert_eq!(status(&db, b).await, "sent", "nothing recorded for a mismatch");

    assert!(exceptions::resolve(&db, open[0].id, "Clerk", noon()).await.unwrap());
    assert!(!exceptions::resolve(&db, open[0].id, "Clerk", noon()).await.unwrap(), "resolved once");
    assert_eq!(exceptions::open(&db, 10).await.unwrap().len(), 1);
});
