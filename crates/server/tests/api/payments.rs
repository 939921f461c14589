//! Payments and open items.

use serde_json::json;

use kontor_testkit::fixtures::simple_document;
use kontor_testkit::{TestApp, id, today};

#[tokio::test]
async fn partial_then_full_payment() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let other = app.issued("invoice", contact, "10").await;
    let doc_path = format!("/api/v1/documents/{}", id(&invoice));
    let pay_path = format!("{doc_path}/payments");

    let open = app.get("/api/v1/open-items").await.expect(200);
    assert_eq!(open["total"], 2);

    let payment = app
        .post(&pay_path, json!({"amount": "50.5", "note": "Teilzahlung"}))
        .await
        .expect(201);
    assert_eq!(payment["amount"], "50.50");
    assert_eq!(
        payment["method"], "bank_transfer",
        "method defaults to bank transfer"
    );
    assert_eq!(payment["date"], today().as_str(), "date defaults to today");
    assert_eq!(payment["document_id"], invoice["id"]);
    let doc = app.get(&doc_path).await.expect(200);
    assert_eq!(
        (
            doc["status"].as_str(),
            doc["paid"].as_str(),
            doc["open_amount"].as_str()
        ),
        (Some("partially_paid"), Some("50.50"), Some("68.50"))
    );

    let open = app
        .get(&format!("/api/v1/open-items?contact_id={contact}"))
        .await
        .expect(200);
    let item = open["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == invoice["id"])
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (item["open_amount"].as_str(), item["status"].as_str()),
        (Some("68.50"), Some("partially_paid"))
    );

    let over = app
        .post(&pay_path, json!({"amount": "68.51"}))
        .await
        .expect_error(422, "exceeds_open_amount", Some("amount"));
    assert!(
        over["error"]
            .as_str()
            .is_some_and(|e| e.contains("open amount"))
    );
    assert_eq!(
        app.get(&doc_path).await.expect(200)["paid"],
        "50.50",
        "the overpayment was not booked"
    );

    app.post(
        &pay_path,
        json!({"amount": "68.50", "method": "cash", "date": today()}),
    )
    .await
    .expect(201);
    let doc = app.get(&doc_path).await.expect(200);
    assert_eq!(
        (
            doc["status"].as_str(),
            doc["paid"].as_str(),
            doc["open_amount"].as_str()
        ),
        (Some("paid"), Some("119.00"), Some("0.00"))
    );

    let open = app.get("/api/v1/open-items").await.expect(200);
    assert_eq!(open["total"], 1);
    assert_eq!(open["items"][0]["id"], other["id"]);
    let open_filter = app.get("/api/v1/documents?open=true").await.expect(200);
    assert_eq!(open_filter["total"], 1);

    let payments = app.get(&pay_path).await.expect(200);
    assert_eq!(payments["total"], 2);
    let amounts: Vec<&str> = payments["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["amount"].as_str())
        .collect();
    assert_eq!(amounts, ["50.50", "68.50"]);
    let paged = app
        .get(&format!("{pay_path}?per_page=1&page=2"))
        .await
        .expect(200);
    assert_eq!(
        (
            paged["total"].as_i64(),
            paged["items"][0]["amount"].as_str()
        ),
        (Some(2), Some("68.50"))
    );
}

#[tokio::test]
async fn payments_are_checked() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let path = format!("/api/v1/documents/{}/payments", id(&invoice));
    app.post(&path, json!({}))
        .await
        .expect_error(422, "required", Some("amount"));
    app.post(&path, json!({"amount": 10}))
        .await
        .expect_error(422, "invalid_type", Some("amount"));
    app.post(&path, json!({"amount": "0"}))
        .await
        .expect_error(422, "out_of_range", Some("amount"));
    app.post(&path, json!({"amount": "-5"})).await.expect_error(
        422,
        "out_of_range",
        Some("amount"),
    );
    app.post(&path, json!({"amount": "1.001"}))
        .await
        .expect_error(422, "too_many_decimals", Some("amount"));
    app.post(&path, json!({"amount": "1", "method": "barter"}))
        .await
        .expect_error(422, "unknown_payment_method", Some("method"));
    app.post(&path, json!({"amount": "1", "date": "gestern"}))
        .await
        .expect_error(422, "invalid", Some("date"));
    assert_eq!(app.get(&path).await.expect(200)["total"], 0);

    let draft = app.draft(simple_document("invoice", contact, "100")).await;
    app.post(
        &format!("/api/v1/documents/{}/payments", id(&draft)),
        json!({"amount": "1"}),
    )
    .await
    .expect_error(409, "not_payable", None);
    app.post("/api/v1/documents/9999/payments", json!({"amount": "1"}))
        .await
        .expect_error(404, "not_found", None);
    app.get("/api/v1/documents/9999/payments")
        .await
        .expect_error(404, "not_found", None);
}

#[tokio::test]
async fn a_wrong_payment_is_reversed_by_an_opposite_booking_never_deleted() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let other = app.issued("invoice", contact, "10").await;
    let doc_path = format!("/api/v1/documents/{}", id(&invoice));
    let payment = app
        .post(&format!("{doc_path}/payments"), json!({"amount": "119"}))
        .await
        .expect(201);
    assert_eq!(app.get(&doc_path).await.expect(200)["status"], "paid");
    let reverse = format!("{doc_path}/payments/{}/reverse", id(&payment));
    app.post(&reverse, json!({}))
        .await
        .expect_error(422, "required", Some("reason"));
    // The payment belongs to another invoice than the one named.
    app.post(
        &format!(
            "/api/v1/documents/{}/payments/{}/reverse",
            id(&other),
            id(&payment)
        ),
        json!({"reason": "falsche Rechnung"}),
    )
    .await
    .expect(404);
    let reversal = app
        .post(&reverse, json!({"reason": "Zahlung gehörte zu RE-2"}))
        .await
        .expect(201);
    assert_eq!(reversal["amount"], "-119.00");
    assert_eq!(reversal["reverses_id"], payment["id"]);
    let doc = app.get(&doc_path).await.expect(200);
    assert_eq!(
        (
            doc["status"].as_str(),
            doc["paid"].as_str(),
            doc["open_amount"].as_str()
        ),
        (Some("open"), Some("0.00"), Some("119.00"))
    );
    let listed = app.get(&format!("{doc_path}/payments")).await.expect(200);
    assert_eq!(listed["total"], 2, "both bookings stay: {listed}");
    assert_eq!(listed["items"][0]["reversed"], true);
    app.post(&reverse, json!({"reason": "noch einmal"}))
        .await
        .expect_error(409, "payment_reversed", None);
    let again = format!("{doc_path}/payments/{}/reverse", id(&reversal));
    app.post(&again, json!({"reason": "Storno vom Storno"}))
        .await
        .expect_error(409, "payment_reversed", None);
    let audit = app.get(&format!("{doc_path}/audit")).await.expect(200);
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "payment_reversal"),
        "{audit}"
    );
    // The invoice can be paid again.
    app.post(&format!("{doc_path}/payments"), json!({"amount": "119"}))
        .await
        .expect(201);
}
