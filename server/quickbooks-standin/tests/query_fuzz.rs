//! The query parser never panics, whatever it is fed.

use proptest::prelude::*;
use quickbooks_standin::query::{QueryError, parse};

/// Fragments that look like the language, so the generator reaches deep into the grammar.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("select".to_string()),
        Just("*".to_string()),
        Just("count(*)".to_string()),
        Just("from".to_string()),
        Just("Invoice".to_string()),
        Just("where".to_string()),
        Just("and".to_string()),
        Just("or".to_string()),
        Just("in".to_string()),
        Just("like".to_string()),
        Just("orderby".to_string()),
        Just("order by".to_string()),
        Just("desc".to_string()),
        Just("startposition".to_string()),
        Just("maxresults".to_string()),
        Just("MetaData.LastUpdatedTime".to_string()),
        Just("DocNumber".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just("<=".to_string()),
        Just("!".to_string()),
        Just("'".to_string()),
        Just("\\'".to_string()),
        Just("\\".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("-".to_string()),
        "'[^']{0,8}'",
        "[0-9]{1,4}",
        "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse(&s);
    }

    #[test]
    fn grammar_like_text_never_panics(parts in proptest::collection::vec(fragment(), 0..24)) {
        let text = parts.join(" ");
        match parse(&text) {
            Ok(q) => prop_assert!(!q.entity.is_empty()),
            Err(QueryError::Parse { column, .. }) => prop_assert!(column >= 1 && column <= text.chars().count() + 1),
            Err(QueryError::Invalid(_)) => {}
        }
    }

    #[test]
    fn well_formed_queries_parse(doc in "[A-Za-z0-9 '\\-]{0,20}", start in 1u64..1000, max in 1u64..1000) {
        let escaped = doc.replace('\'', "\\'");
        let text = format!("select * from Invoice where DocNumber = '{escaped}' STARTPOSITION {start} MAXRESULTS {max}");
        let q = parse(&text).expect("well-formed");
        prop_assert_eq!(q.start_position, Some(start));
        prop_assert_eq!(q.max_results, Some(max));
        prop_assert_eq!(&q.conditions[0].test, &quickbooks_standin::query::Test::Compare(
            quickbooks_standin::query::CmpOp::Eq,
            quickbooks_standin::query::Literal::Text(doc.clone()),
        ));
    }
}
