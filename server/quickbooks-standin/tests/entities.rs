//! Entities: create, read, full and sparse update, void, delete, SyncToken, validation codes,
//! payments and balances.

mod common;

use common::{Harness, fault_code};
use quickbooks_standin::EntityKind;
use serde_json::{Value, json};

#[tokio::test]
async fn customer_create_read_sparse_update_and_stale_sync_token() {
    let h = Harness::connected().await;
    let (status, body) = h
        .post(
            "/customer?minorversion=75",
            &json!({"DisplayName": "Acme Co", "PrimaryEmailAddr": {"Address": "ap@acme.test"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["time"].is_string());
    let c = &body["Customer"];
    let id = c["Id"].as_str().unwrap();
    assert_eq!(c["SyncToken"], "0");
    assert!(c["MetaData"]["CreateTime"].is_string() && c["MetaData"]["LastUpdatedTime"].is_string());
    assert_eq!(c["Active"], true);
    assert_eq!(c["Balance"], 0);

    let (status, read) = h.get(&format!("/customer/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read["Customer"]["DisplayName"], "Acme Co");

    // Sparse update keeps what it does not name.
    let (status, body) =
        h.post("/customer", &json!({"Id": id, "SyncToken": "0", "sparse": true, "CompanyName": "Acme Company"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Customer"]["SyncToken"], "1");
    assert_eq!(body["Customer"]["PrimaryEmailAddr"]["Address"], "ap@acme.test");
    assert_eq!(body["Customer"]["CompanyName"], "Acme Company");

    // The old SyncToken is stale now.
    let (status, body) = h.post("/customer", &json!({"Id": id, "SyncToken": "0", "sparse": true, "Notes": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(fault_code(&body), "5010");
    assert_eq!(body["Fault"]["type"], "ValidationFault");
    assert!(body["time"].is_string());

    // A full update clears what it omits.
    let (status, body) = h.post("/customer", &json!({"Id": id, "SyncToken": "1", "DisplayName": "Acme Co"})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["Customer"].get("PrimaryEmailAddr").is_none());
    assert_eq!(body["Customer"]["SyncToken"], "2");

    // Someone edits it in QuickBooks: the client's SyncToken goes stale.
    h.standin().edit_as_user(EntityKind::Customer, id, json!({"Notes": "edited in QBO"})).unwrap();
    let (status, body) =
        h.post("/customer", &json!({"Id": id, "SyncToken": "2", "sparse": true, "Notes": "mine"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "5010"));

    // Customers cannot be deleted; unknown ids are 610.
    let (status, body) = h.post("/customer?operation=delete", &json!({"Id": id, "SyncToken": "3"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "500"));
    let (status, body) = h.get("/customer/999").await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "610"));
    assert_eq!(h.standin().counters().creates.get("Customer"), Some(&1));
}

#[tokio::test]
async fn display_name_rules_6240_2040_2050_2020() {
    let h = Harness::connected().await;
    let id = h.customer("Globex").await;

    // Case-insensitive duplicate; the detail names the holder.
    let (status, body) = h.post("/customer", &json!({"DisplayName": "  GLOBEX "})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6240"));
    assert!(body["Fault"]["Error"][0]["Detail"].as_str().unwrap().contains(&format!("Id={id}")), "{body}");

    // Across types: a vendor holds this name.
    let vendor = h.standin().entities(EntityKind::Vendor)[0].clone();
    let (status, body) = h.post("/customer", &json!({"DisplayName": vendor["DisplayName"]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6240"));
    assert!(
        body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .unwrap()
            .ends_with(&format!("Id={}", vendor["Id"].as_str().unwrap()))
    );

    let (status, body) = h.post("/customer", &json!({"DisplayName": "Parent:Child"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2040"));
    assert_eq!(body["Fault"]["Error"][0]["element"], "DisplayName");

    let (status, body) = h.post("/customer", &json!({"DisplayName": "x".repeat(501)})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2050"));
    let (status, _) = h.post("/customer", &json!({"DisplayName": "y".repeat(500)})).await;
    assert_eq!(status, 200);
    let (status, body) = h.post("/customer", &json!({"DisplayName": "Long Co", "CompanyName": "c".repeat(101)})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2050"));
    assert_eq!(body["Fault"]["Error"][0]["element"], "CompanyName");

    let (status, body) = h.post("/customer", &json!({"Notes": "nameless"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));
    // Derived from the name parts when DisplayName is omitted.
    let (status, body) = h.post("/customer", &json!({"GivenName": "Ada", "FamilyName": "Lovelace"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["Customer"]["DisplayName"], "Ada Lovelace");
    // Renaming onto a taken name is refused too; renaming to its own name is fine.
    let (status, body) =
        h.post("/customer", &json!({"Id": id, "SyncToken": "0", "sparse": true, "DisplayName": "ada lovelace"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6240"));
    let (status, _) =
        h.post("/customer", &json!({"Id": id, "SyncToken": "0", "sparse": true, "DisplayName": "GLOBEX"})).await;
    assert_eq!(status, 200);
    assert_eq!(h.standin().counters().faults.get("6240"), Some(&3));
}

#[tokio::test]
async fn invoice_rules_2500_6070_2050_6140_2020() {
    let h = Harness::connected().await;
    let cust = h.customer("Initech").await;
    let line = |amount: f64, qty: f64, price: f64, item: &str| {
        json!({"Amount": amount, "DetailType": "SalesItemLineDetail",
               "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price}})
    };

    let (status, body) =
        h.post("/invoice", &json!({"CustomerRef": {"value": "424242"}, "Line": [line(10.0, 1.0, 10.0, "1")]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2500"));
    assert_eq!(body["Fault"]["Error"][0]["element"], "CustomerRef");

    let (status, body) =
        h.post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": [line(10.0, 1.0, 10.0, "99")]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2500"));
    assert_eq!(body["Fault"]["Error"][0]["element"], "ItemRef");

    // 3 × 3.33 = 9.99, not 10.
    let (status, body) =
        h.post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": [line(10.0, 3.0, 3.33, "1")]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6070"));
    // 3 × 0.1 = 0.3 exactly (no float drift).
    let (status, body) =
        h.post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": [line(0.3, 3.0, 0.1, "1")]})).await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = h
        .post("/invoice", &json!({"CustomerRef": {"value": cust}, "DocNumber": "0123456789012345678901", "Line": [line(1.0, 1.0, 1.0, "1")]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2050"));

    let (status, body) = h.post("/invoice", &json!({"CustomerRef": {"value": cust}})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));
    let (status, body) = h.post("/invoice", &json!({"Line": [line(1.0, 1.0, 1.0, "1")]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));
    let (status, body) = h
        .post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": [{"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));

    let first = h.invoice(&cust, Some("INV-1"), 100.0).await;
    let (status, body) = h
        .post(
            "/invoice",
            &json!({"CustomerRef": {"value": cust}, "DocNumber": "INV-1", "Line": [line(1.0, 1.0, 1.0, "1")]}),
        )
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6140"));
    let detail = body["Fault"]["Error"][0]["Detail"].as_str().unwrap();
    assert!(detail.contains(&format!("TxnId={}", first["Id"].as_str().unwrap())), "{detail}");
    let (status, _) = h
        .post(
            "/invoice?include=allowduplicatedocnum",
            &json!({"CustomerRef": {"value": cust}, "DocNumber": "INV-1", "Line": [line(1.0, 1.0, 1.0, "1")]}),
        )
        .await;
    assert_eq!(status, 200);

    // Malformed JSON: 2010.
    let resp = h.http.post(h.api("/invoice")).bearer_auth(&h.access).body("{not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(fault_code(&resp.json::<Value>().await.unwrap()), "2010");
}

#[tokio::test]
async fn invoice_totals_numbering_void_and_delete() {
    let h = Harness::connected().await;
    let cust = h.customer("Umbrella").await;
    let (status, body) = h
        .post(
            "/invoice",
            &json!({"CustomerRef": {"value": cust}, "TxnDate": "2025-02-01", "Line": [
                {"Amount": 150.0, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "Qty": 1.5, "UnitPrice": 100}},
                {"DetailType": "DescriptionOnly", "Description": "Thanks!"},
                {"Amount": 25.5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let inv = &body["Invoice"];
    assert_eq!(inv["TotalAmt"], 175.5);
    assert_eq!(inv["Balance"], 175.5);
    assert_eq!(inv["DocNumber"], "1001", "QuickBooks numbers it");
    assert_eq!(inv["CustomerRef"]["name"], "Umbrella");
    assert_eq!(inv["DueDate"], "2025-02-01");
    let lines = inv["Line"].as_array().unwrap();
    assert_eq!(lines.last().unwrap()["DetailType"], "SubTotalLineDetail");
    assert_eq!(lines.last().unwrap()["Amount"], 175.5);
    assert_eq!(lines[2]["SalesItemLineDetail"]["ItemRef"]["name"], "Services");
    let id = inv["Id"].as_str().unwrap().to_string();
    assert_eq!(h.invoice(&cust, None, 1.0).await["DocNumber"], "1002");

    // The customer's balance is derived from open invoices.
    let (_, c) = h.get(&format!("/customer/{cust}")).await;
    assert_eq!(c["Customer"]["Balance"], 176.5);

    // Void keeps the invoice with zero amounts.
    let (status, body) = h.post("/invoice?operation=void", &json!({"Id": id, "SyncToken": "0"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Invoice"]["TotalAmt"], 0);
    assert_eq!(body["Invoice"]["Balance"], 0);
    assert_eq!(body["Invoice"]["SyncToken"], "1");
    assert_eq!(body["Invoice"]["PrivateNote"], "Voided");
    assert_eq!(body["Invoice"]["Line"][0]["Amount"], 0);
    assert_eq!(body["Invoice"]["Line"][0]["SalesItemLineDetail"]["Qty"], 0);
    let (status, body) = h.post("/invoice?operation=void", &json!({"Id": id, "SyncToken": "0"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "5010"));

    // Delete answers the Deleted stub; reads then get 610.
    let (status, body) = h.post("/invoice?operation=delete", &json!({"Id": id, "SyncToken": "1"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["Invoice"], json!({"domain": "QBO", "status": "Deleted", "Id": id}));
    let (status, body) = h.get(&format!("/invoice/{id}")).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "610"));
    // Credit memos have no void.
    let (status, body) = h.post("/creditmemo?operation=void", &json!({"Id": "1", "SyncToken": "0"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "500"));
}

#[tokio::test]
async fn payments_lower_invoice_balances_and_compute_unapplied() {
    let h = Harness::connected().await;
    let cust = h.customer("Stark").await;
    let a = h.invoice(&cust, Some("A-1"), 100.0).await;
    let b = h.invoice(&cust, Some("A-2"), 50.0).await;
    let (aid, bid) = (a["Id"].as_str().unwrap(), b["Id"].as_str().unwrap());

    let (status, body) = h
        .post(
            "/payment",
            &json!({"CustomerRef": {"value": cust}, "TotalAmt": 130.0, "Line": [
                {"Amount": 100.0, "LinkedTxn": [{"TxnId": aid, "TxnType": "Invoice"}]},
                {"Amount": 20.0, "LinkedTxn": [{"TxnId": bid, "TxnType": "Invoice"}]}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let pay = body["Payment"].clone();
    assert_eq!(pay["UnappliedAmt"], 10);
    let (_, a2) = h.get(&format!("/invoice/{aid}")).await;
    assert_eq!(a2["Invoice"]["Balance"], 0);
    assert_eq!(a2["Invoice"]["SyncToken"], "1", "linking a payment is a change to the invoice");
    assert_eq!(a2["Invoice"]["LinkedTxn"][0], json!({"TxnId": pay["Id"], "TxnType": "Payment"}));
    let (_, b2) = h.get(&format!("/invoice/{bid}")).await;
    assert_eq!(b2["Invoice"]["Balance"], 30);
    let (_, c) = h.get(&format!("/customer/{cust}")).await;
    assert_eq!(c["Customer"]["Balance"], 20, "30 open less 10 unapplied");

    // More than the open balance: 6000.
    let (status, body) = h
        .post("/payment", &json!({"CustomerRef": {"value": cust}, "TotalAmt": 40, "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": bid, "TxnType": "Invoice"}]}]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6000"));
    // Applying more than TotalAmt: 6000. A paid invoice cannot be deleted.
    let (status, _) = h
        .post("/payment", &json!({"CustomerRef": {"value": cust}, "TotalAmt": 5, "Line": [{"Amount": 10, "LinkedTxn": [{"TxnId": bid, "TxnType": "Invoice"}]}]}))
        .await;
    assert_eq!(status, 400);
    let (status, body) = h.post("/invoice?operation=delete", &json!({"Id": aid, "SyncToken": "1"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6000"));
    let (status, body) = h.post("/payment", &json!({"TotalAmt": 5})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));
    let (status, body) = h
        .post("/payment", &json!({"CustomerRef": {"value": cust}, "TotalAmt": 5, "Line": [{"Amount": 5, "LinkedTxn": [{"TxnId": "777", "TxnType": "Invoice"}]}]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2500"));

    // Voiding the payment restores the balances.
    let (status, body) = h.post("/payment?operation=void", &json!({"Id": pay["Id"], "SyncToken": "0"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Payment"]["TotalAmt"], 0);
    let (_, a3) = h.get(&format!("/invoice/{aid}")).await;
    assert_eq!(a3["Invoice"]["Balance"], 100);
    assert!(a3["Invoice"].get("LinkedTxn").is_none());

    // A payment can be deleted and its invoice is open again.
    let (_, p2) = h
        .post("/payment", &json!({"CustomerRef": {"value": cust}, "TotalAmt": 50, "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": bid, "TxnType": "Invoice"}]}]}))
        .await;
    let (_, b3) = h.get(&format!("/invoice/{bid}")).await;
    assert_eq!(b3["Invoice"]["Balance"], 0);
    let (status, _) = h.post("/payment?operation=delete", &json!({"Id": p2["Payment"]["Id"], "SyncToken": "0"})).await;
    assert_eq!(status, 200);
    let (_, b4) = h.get(&format!("/invoice/{bid}")).await;
    assert_eq!(b4["Invoice"]["Balance"], 50);
}

#[tokio::test]
async fn credit_memos_and_items() {
    let h = Harness::connected().await;
    let cust = h.customer("Wayne").await;
    let (status, body) = h
        .post(
            "/creditmemo",
            &json!({"CustomerRef": {"value": cust}, "Line": [{"Amount": 20, "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 10}}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["CreditMemo"]["TotalAmt"], 20);
    assert_eq!(body["CreditMemo"]["RemainingCredit"], 20);
    let cm = body["CreditMemo"]["Id"].as_str().unwrap().to_string();
    let (status, body) = h.post("/creditmemo", &json!({"CustomerRef": {"value": cust}, "Line": [{"Amount": 20, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"Qty": 3, "UnitPrice": 10}}]})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6070"));

    // A payment of 0 that applies the credit to an invoice.
    let inv = h.invoice(&cust, None, 20.0).await;
    let (status, body) = h
        .post(
            "/payment",
            &json!({"CustomerRef": {"value": cust}, "TotalAmt": 0, "Line": [
                {"Amount": 20, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]},
                {"Amount": 20, "LinkedTxn": [{"TxnId": cm, "TxnType": "CreditMemo"}]}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, c) = h.get(&format!("/creditmemo/{cm}")).await;
    assert_eq!(c["CreditMemo"]["RemainingCredit"], 0);
    let (_, i) = h.get(&format!("/invoice/{}", inv["Id"].as_str().unwrap())).await;
    assert_eq!(i["Invoice"]["Balance"], 0);

    // Items: unique names, no colon, 100 chars.
    let (status, body) = h
        .post(
            "/item",
            &json!({"Name": "Consulting", "Type": "Service", "UnitPrice": 120, "IncomeAccountRef": {"value": "1"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = h.post("/item", &json!({"Name": "consulting"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "6240"));
    let (status, body) = h.post("/item", &json!({"Name": "A:B"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2040"));
    let (status, body) = h.post("/item", &json!({"Name": "n".repeat(101)})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2050"));
    let (status, body) = h.post("/item", &json!({"Type": "Service"})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2020"));

    // An inactive item cannot be used on a new invoice (2500).
    let item = body_id(&h.post("/item", &json!({"Name": "Old thing"})).await.1, "Item");
    let (status, _) = h.post("/item", &json!({"Id": item, "SyncToken": "0", "sparse": true, "Active": false})).await;
    assert_eq!(status, 200);
    let (status, body) = h
        .post("/invoice", &json!({"CustomerRef": {"value": cust}, "Line": [{"Amount": 1, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": item}}}]}))
        .await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "2500"));
}

fn body_id(body: &Value, kind: &str) -> String {
    body[kind]["Id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn unknown_entities_and_operations_are_unsupported() {
    let h = Harness::connected().await;
    let (status, body) = h.post("/widget", &json!({})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "500"));
    let (status, body) = h.post("/invoice?operation=explode", &json!({})).await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "500"));
    let (status, body) = h.get("/widget/1").await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "500"));
}

#[tokio::test]
async fn company_info_names_the_company() {
    let h = Harness::connected().await;
    let realm = h.standin().realm_id();
    let (status, body) = h.get(&format!("/companyinfo/{realm}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["CompanyInfo"]["CompanyName"], h.standin().config().company_name);
    let (_, body) = h.query("select * from CompanyInfo").await;
    assert_eq!(body["QueryResponse"]["CompanyInfo"][0]["CompanyName"], h.standin().config().company_name);
}
