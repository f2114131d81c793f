//! Generated input for every parser that takes text from outside: typed amounts and dates, the
//! Stripe-Signature header, template source, list-page query strings and CSV order imports.
//! Each must answer (a value or a message) and never panic; none may accept what it cannot
//! honour (a forged signature, an amount it cannot store). `make test` runs the default number
//! of cases; `make fuzz` runs the same properties with `PROPTEST_CASES=20000`.
#![cfg(feature = "ssr")]

use app::{
    api::billable::{filter_from_query, query_pairs},
    backend::{
        ServiceError,
        directory::order_import,
        payments::stripe::verify_signature,
        templates::{check, context::sample, render::render_email},
    },
    domain::{
        merge_fields::TemplateKind,
        money::{format_money, parse_amount},
        order_input::parse_date,
        payment::to_minor_units,
    },
    views::invoices::InvoiceFilter,
};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use testkit::{Engine, TestDb};

/// Text that looks like what people type into an amount box, and anything else.
fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof!["[-+$€ ,.0-9eE]{0,40}", "[0-9]{1,40}(\\.[0-9]{0,30})?", any::<String>(),]
}

/// Template source made of the pieces that matter to the engine, so it gets past the parser.
fn template_source() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{ ".to_string()),
        Just(" }}".to_string()),
        Just("{% for i in range(".to_string()),
        Just(") %}".to_string()),
        Just("{% endfor %}".to_string()),
        Just("{% if ".to_string()),
        Just("{% endif %}".to_string()),
        Just("invoice.total".to_string()),
        Just("account.name".to_string()),
        Just("\"x\" * ".to_string()),
        Just("9999999".to_string()),
        Just(" ~ ".to_string()),
        Just("|upper".to_string()),
        Just("<p>".to_string()),
        "[a-z0-9 .()\"']{0,6}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn amounts_parse_or_say_why(input in amount_text()) {
        if let Ok(amount) = parse_amount(&input) {
            // What parses must format and convert to minor units without panicking.
            let _ = format_money(amount, "USD");
            let _ = to_minor_units(amount);
        }
    }

    #[test]
    fn dates_parse_or_say_why(input in prop_oneof!["[0-9/ .-]{0,14}", any::<String>()]) {
        let _ = parse_date(&input);
    }

    #[test]
    fn a_made_up_stripe_signature_is_never_accepted(
        header in prop_oneof![
            "(t=[0-9]{0,12},)?(v1=[0-9a-f]{0,64},?){0,3}",
            any::<String>(),
        ],
        body in any::<Vec<u8>>(),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
        prop_assert!(verify_signature(&header, &body, "whsec_test_secret", now).is_err());
    }

    #[test]
    fn template_source_renders_or_is_refused_within_bounds(source in template_source()) {
        for kind in TemplateKind::ALL {
            let _ = check::problems(kind, &source);
        }
        if let Ok(rendered) = render_email("Subject {{ invoice.number }}", &source, &sample(TemplateKind::Invoice)) {
            prop_assert!(rendered.html.len() <= 1 << 20, "output is capped at 1 MB");
        }
    }

    #[test]
    fn list_page_queries_decode_to_some_filter(query in prop_oneof![
        "(\\?)?([a-z_]{1,8}=[a-z0-9%+&=_-]{0,12}&?){0,6}",
        any::<String>(),
    ]) {
        let _ = query_pairs(&query);
        let billable = filter_from_query(&query);
        // What a filter writes back is what it reads.
        prop_assert_eq!(filter_from_query(&billable.to_query()).to_query(), billable.to_query());
        let pairs = query_pairs(&query);
        let invoices = InvoiceFilter::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
        prop_assert!(invoices.page >= 1);
    }
}

/// A CSV line of the import's columns, each from a small alphabet of good and bad values.
fn csv_line() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just(String::new()),
        Just("Acme Motors".to_string()),
        Just("Display".to_string()),
        Just("2026-12-01".to_string()),
        Just("31/02/2026".to_string()),
        Just("1e30".to_string()),
        Just("-5".to_string()),
        Just("99999999999999999999999999999".to_string()),
        Just("\"quoted, comma\"".to_string()),
        Just("\"unterminated".to_string()),
        "[A-Za-z0-9 .$-]{0,10}",
    ];
    proptest::collection::vec(field, 0..12).prop_map(|f| f.join(","))
}

fn csv_file() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just("order_number,account,product,run_date,quantity,unit_price,description".to_string()),
        Just("account,product,run_date".to_string()),
        "[a-z_,]{0,40}",
    ];
    (header, proptest::collection::vec(csv_line(), 0..8)).prop_map(|(h, lines)| format!("{h}\n{}", lines.join("\n")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_imports_report_problems_and_never_fail_on_their_input() {
    use proptest::{
        strategy::ValueTree,
        test_runner::{Config, TestRunner},
    };
    let t = TestDb::new(Engine::Sqlite).await;
    app::backend::platform::organisation::ensure(&t.db, Utc::now()).await.unwrap();
    let mut runner = TestRunner::new(Config::default());
    let strategy = csv_file();
    for _ in 0..runner.config().cases {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        match order_import::check(&t.db, &text, "USD").await {
            Ok(_) | Err(ServiceError::Invalid(_)) => {}
            Err(e) => panic!("{e:?} for\n{text}"),
        }
    }
}
