//! Writes never panic, whatever JSON arrives: every body is either stored or refused with a fault.

use proptest::prelude::*;
use quickbooks_standin::{EntityKind, StandIn};
use serde_json::{Map, Value, json};

/// Keys the rules look at, so generated objects hit the interesting paths.
const KEYS: &[&str] = &[
    "DisplayName",
    "CompanyName",
    "GivenName",
    "Name",
    "Type",
    "Active",
    "Line",
    "Amount",
    "DetailType",
    "SalesItemLineDetail",
    "ItemRef",
    "Qty",
    "UnitPrice",
    "CustomerRef",
    "value",
    "DocNumber",
    "TxnDate",
    "DueDate",
    "TotalAmt",
    "LinkedTxn",
    "TxnId",
    "TxnType",
    "Id",
    "SyncToken",
    "sparse",
    "PrimaryEmailAddr",
    "Address",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        prop_oneof![
            Just("1".to_string()),
            Just("2".to_string()),
            Just("Invoice".to_string()),
            Just("SalesItemLineDetail".to_string()),
            Just("2025-01-31".to_string()),
            "\\PC{0,12}"
        ]
        .prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bodies_never_panic(bodies in proptest::collection::vec(value(), 1..6)) {
        let standin = StandIn::default();
        let customer = standin.create(EntityKind::Customer, json!({"DisplayName": "Fuzz"})).unwrap();
        standin
            .create(EntityKind::Invoice, json!({"CustomerRef": {"value": customer["Id"]},
                "Line": [{"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]}))
            .unwrap();
        for body in bodies {
            for kind in EntityKind::ALL {
                let _ = standin.create(kind, body.clone());
                let _ = standin.edit_as_user(kind, "1", body.clone());
            }
        }
        // Whatever was accepted still renders and queries.
        let _ = standin.snapshot();
    }
}
