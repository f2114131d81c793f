//! The query subset and the change feed.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{Harness, fault_code};
use quickbooks_standin::{EntityKind, StandIn, spawn};
use serde_json::{Value, json};

fn ids(body: &Value, kind: &str) -> Vec<String> {
    body["QueryResponse"][kind]
        .as_array()
        .map(|a| a.iter().map(|v| v["Id"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn query_subset() {
    let h = Harness::connected().await;
    let acme = h.customer("Acme Widgets").await;
    let obrien = h.customer("O'Brien & Sons").await;
    let zeta = h.customer("Zeta Corp").await;
    let i1 = h.invoice(&acme, Some("1001"), 10.0).await;
    let i2 = h.invoice(&obrien, Some("1002"), 20.0).await;
    let _i3 = h.invoice(&acme, Some("007"), 30.0).await;

    let (status, body) = h.query("select * from Invoice where DocNumber = '1001'").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body, "Invoice"), vec![i1["Id"].as_str().unwrap()]);
    assert_eq!(body["QueryResponse"]["startPosition"], 1);
    assert_eq!(body["QueryResponse"]["maxResults"], 1);
    assert!(body["time"].is_string());

    // DocNumbers are strings: '7' does not find '007'.
    let (_, body) = h.query("select * from Invoice where DocNumber = '7'").await;
    assert_eq!(body, json!({"QueryResponse": {}, "time": body["time"]}));

    let (_, body) = h.query("SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien & Sons'").await;
    assert_eq!(ids(&body, "Customer"), vec![obrien.clone()]);
    let (_, body) = h.query("select * from Customer where DisplayName like '%widget%'").await;
    assert_eq!(ids(&body, "Customer"), vec![acme.clone()]);
    let (_, body) =
        h.query(&format!("select * from Customer where Id in ('{acme}', '{zeta}') orderby DisplayName desc")).await;
    assert_eq!(ids(&body, "Customer"), vec![zeta.clone(), acme.clone()]);
    let (_, body) = h.query(&format!("select * from Invoice where CustomerRef = '{acme}' and TotalAmt > '15'")).await;
    assert_eq!(body["QueryResponse"]["Invoice"].as_array().unwrap().len(), 1);
    let (_, body) = h.query("select count(*) from Invoice").await;
    assert_eq!(body["QueryResponse"]["totalCount"], 3);
    let (_, body) = h.query("select Id, DisplayName from Customer where DisplayName = 'Zeta Corp'").await;
    assert_eq!(body["QueryResponse"]["Customer"][0]["DisplayName"], "Zeta Corp");
    assert!(body["QueryResponse"]["Customer"][0].get("MetaData").is_none());

    // Paging.
    let (_, body) = h.query("select * from Customer STARTPOSITION 2 MAXRESULTS 1").await;
    assert_eq!(ids(&body, "Customer"), vec![obrien.clone()]);
    assert_eq!(body["QueryResponse"]["startPosition"], 2);
    let (_, body) = h.query("select * from Customer startposition 10").await;
    assert_eq!(body["QueryResponse"], json!({}));

    // LastUpdatedTime: everything changed after the second invoice was made.
    let since = i2["MetaData"]["LastUpdatedTime"].as_str().unwrap();
    let (_, body) = h.query(&format!("select * from Invoice where MetaData.LastUpdatedTime >= '{since}'")).await;
    assert!(ids(&body, "Invoice").contains(&i2["Id"].as_str().unwrap().to_string()));
    let (_, body) = h.query("select * from Invoice where MetaData.LastUpdatedTime > '2999-01-01T00:00:00-08:00'").await;
    assert_eq!(body["QueryResponse"], json!({}));

    // Inactive customers are hidden unless Active is asked about.
    let (status, _) =
        h.post("/customer", &json!({"Id": zeta, "SyncToken": "0", "sparse": true, "Active": false})).await;
    assert_eq!(status, 200);
    let (_, body) = h.query("select * from Customer").await;
    assert!(!ids(&body, "Customer").contains(&zeta));
    let (_, body) = h.query("select * from Customer where Active = false").await;
    assert_eq!(ids(&body, "Customer"), vec![zeta.clone()]);
    let (_, body) = h.query("select * from Customer where Active in (true, false)").await;
    assert_eq!(ids(&body, "Customer").len(), 3);

    // Items by Name.
    let (_, body) = h.query("select * from Item where Name = 'Hours'").await;
    assert_eq!(body["QueryResponse"]["Item"][0]["Name"], "Hours");

    // POST with the query as the body, as the SDKs do for long queries.
    let resp = h
        .http
        .post(h.api("/query"))
        .bearer_auth(&h.access)
        .header("Content-Type", "application/text")
        .body("select * from Invoice where DocNumber = '1002'")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(ids(&body, "Invoice"), vec![i2["Id"].as_str().unwrap()]);
}

#[tokio::test]
async fn query_errors() {
    let h = Harness::connected().await;
    for bad in [
        "select * from Invoice where DocNumber = '1' or DocNumber = '2'",
        "select * from Invoice where DocNumber = '1",
        "select from Invoice",
        "select * from Gadget",
        "",
    ] {
        let (status, body) = h.query(bad).await;
        assert_eq!((status.as_u16(), fault_code(&body)), (400, "4000"), "{bad}: {body}");
        assert!(body["Fault"]["Error"][0]["Detail"].as_str().unwrap().starts_with("QueryParserError"));
    }
    let (status, body) = h.query("select * from Invoice where Colour = 'red'").await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "4001"));
    let (status, body) = h.get("/query").await;
    assert_eq!((status.as_u16(), fault_code(&body)), (400, "4000"));
}

#[tokio::test]
async fn change_feed_shape_window_deletions_and_limit() {
    let standin = StandIn::default();
    let t0 = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
    standin.set_now(t0);
    let running = spawn(standin.clone()).await.unwrap();
    let cust = standin.create(EntityKind::Customer, json!({"DisplayName": "Old"})).unwrap();
    standin.advance(Duration::hours(1));
    let t1 = standin.now();
    let inv = standin
        .create(EntityKind::Invoice, json!({"CustomerRef": {"value": cust["Id"]}, "Line": [{"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]}))
        .unwrap();
    let inv2 = standin
        .create(EntityKind::Invoice, json!({"CustomerRef": {"value": cust["Id"]}, "Line": [{"Amount": 7, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]}))
        .unwrap();
    standin.advance(Duration::minutes(5));
    let pay = standin
        .create(EntityKind::Payment, json!({"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 5, "Line": [{"Amount": 5, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]}))
        .unwrap();
    // Connected after the setup: an access token lives one hour of the (moved) clock.
    let access = standin.connect().access_token;
    let http = common::client();
    let cdc = |entities: &str, since: String| {
        http.get(format!("{}/cdc", running.company_url()))
            .query(&[("entities", entities), ("changedSince", since.as_str()), ("minorversion", "75")])
            .bearer_auth(&access)
            .send()
    };

    // Delete the second invoice through the API path.
    let resp = http
        .post(format!("{}/invoice?operation=delete", running.company_url()))
        .bearer_auth(&access)
        .json(&json!({"Id": inv2["Id"], "SyncToken": "0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let resp = cdc("Payment,Invoice,Customer", t1.to_rfc3339()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let qr = body["CDCResponse"][0]["QueryResponse"].as_array().unwrap();
    assert_eq!(qr.len(), 3, "one entry per requested entity: {body}");
    assert_eq!(qr[0]["Payment"][0]["Id"], pay["Id"]);
    let invoices = qr[1]["Invoice"].as_array().unwrap();
    assert_eq!(invoices.len(), 2);
    assert_eq!(invoices[0]["Id"], inv["Id"], "the paid invoice changed too");
    assert_eq!(invoices[0]["Balance"], 0);
    assert_eq!(
        invoices[1],
        json!({"domain": "QBO", "status": "Deleted", "Id": inv2["Id"], "MetaData": invoices[1]["MetaData"]})
    );
    assert_eq!(qr[2], json!({}), "the customer did not change since t1");
    assert_eq!(qr[1]["totalCount"], 2);
    assert!(body["time"].is_string());

    // Offsets written without percent-encoding ('+' → ' ') and plain dates are accepted.
    let resp = cdc(
        "Invoice",
        t1.with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap()).format("%Y-%m-%dT%H:%M:%S+01:00").to_string(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);

    // 30 days back at most.
    let resp = cdc("Invoice", (standin.now() - Duration::days(31)).to_rfc3339()).await.unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(body["Fault"]["Error"][0]["Detail"].as_str().unwrap().contains("older than fixed days"));
    let resp = cdc("Invoice", (standin.now() - Duration::days(29)).format("%Y-%m-%d").to_string()).await.unwrap();
    assert_eq!(resp.status(), 200);

    // Missing or unknown parameters.
    let resp = http
        .get(format!("{}/cdc?changedSince=2025-06-01", running.company_url()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(fault_code(&resp.json::<Value>().await.unwrap()), "2020");
    let resp = cdc("Gizmo", t1.to_rfc3339()).await.unwrap();
    assert_eq!(resp.status(), 400);

    // At most 1000 objects per call.
    for i in 0..1005 {
        standin.create(EntityKind::Customer, json!({"DisplayName": format!("Bulk {i}")})).unwrap();
    }
    let resp = cdc("Customer,Invoice", t1.to_rfc3339()).await.unwrap();
    let body: Value = resp.json().await.unwrap();
    let qr = body["CDCResponse"][0]["QueryResponse"].as_array().unwrap();
    assert_eq!(qr[0]["Customer"].as_array().unwrap().len(), 1000);
    assert_eq!(qr[1], json!({}));
}
