//! The error format for bad input: always a 422 (or 404/413) JSON error naming the field, never a 500.

use serde_json::{Value, json};

use kontor_testkit::{TestApp, id};

fn line() -> Value {
    json!({"description": "Beratung", "quantity": "1", "unit": "HUR", "unit_price": "85", "vat_rate": "19"})
}

fn document(contact: i64, lines: Value) -> Value {
    json!({"type": "invoice", "contact_id": contact, "lines": lines})
}

#[tokio::test]
async fn malformed_bodies_name_the_field() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let docs = "/api/v1/documents";

    app.post_raw(docs, r#"{"type": "invoice", "contact_id": "#)
        .await
        .expect_error(422, "malformed_json", None);
    app.post_raw(docs, "not json")
        .await
        .expect_error(422, "malformed_json", None);
    app.post_raw(docs, r#"{"type": "invoice"} trailing"#)
        .await
        .expect_error(422, "malformed_json", None);
    app.post_raw(docs, "42")
        .await
        .expect_error(422, "invalid_type", Some("body"));

    app.post(
        docs,
        json!({"type": "invoice", "contact_id": contact, "colour": "red"}),
    )
    .await
    .expect_error(422, "unknown_field", Some("colour"));
    let mut with_unknown = line();
    with_unknown["colour"] = json!("red");
    app.post(docs, document(contact, json!([line(), with_unknown])))
        .await
        .expect_error(422, "unknown_field", Some("lines[1].colour"));

    app.post(docs, json!({"type": "invoice"}))
        .await
        .expect_error(422, "required", Some("contact_id"));
    app.post(docs, json!({"contact_id": contact}))
        .await
        .expect_error(422, "required", Some("type"));
    app.post_raw(docs, "")
        .await
        .expect_error(422, "required", Some("type"));
    app.post(docs, json!({"type": "invoice", "contact_id": "1"}))
        .await
        .expect_error(422, "invalid_type", Some("contact_id"));
    app.post(docs, json!({"type": "bill", "contact_id": contact}))
        .await
        .expect_error(422, "unknown_value", Some("type"));
    app.post(
        docs,
        json!({"type": "invoice", "contact_id": contact, "tax_mode": "none"}),
    )
    .await
    .expect_error(422, "unknown_value", Some("tax_mode"));
    app.post(docs, json!({"type": "invoice", "contact_id": 424242}))
        .await
        .expect_error(422, "invalid", Some("contact_id"));
    app.post(docs, json!({"type": "cancellation", "contact_id": contact}))
        .await
        .expect_error(422, "not_creatable", Some("type"));

    assert_eq!(
        app.get("/api/v1/documents").await.expect(200)["total"],
        0,
        "nothing was created"
    );
}

#[tokio::test]
async fn bad_line_values_name_the_line() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let with = |index: usize, field: &str, value: Value| {
        let mut lines = vec![line(), line(), line()];
        lines[index][field] = value;
        document(contact, json!(lines))
    };
    let docs = "/api/v1/documents";

    let negative = app
        .post(docs, with(0, "quantity", json!("-2")))
        .await
        .expect_error(422, "out_of_range", Some("lines[0].quantity"));
    assert!(
        negative["error"]
            .as_str()
            .is_some_and(|e| e.contains("must not be negative"))
    );
    app.post(docs, with(0, "quantity", json!("0")))
        .await
        .expect_error(422, "out_of_range", Some("lines[0].quantity"));
    app.post(docs, with(1, "quantity", json!("1.23456")))
        .await
        .expect_error(422, "too_many_decimals", Some("lines[1].quantity"));
    let unit = app
        .post(docs, with(1, "unit", json!("XYZ")))
        .await
        .expect_error(422, "unknown_unit", Some("lines[1].unit"));
    assert!(
        unit["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown unit"))
    );
    let rate = app
        .post(docs, with(0, "vat_rate", json!("16")))
        .await
        .expect_error(422, "unknown_vat_rate", Some("lines[0].vat_rate"));
    assert!(
        rate["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown VAT rate"))
    );
    let number = app
        .post(docs, with(2, "unit_price", json!(85.5)))
        .await
        .expect_error(422, "invalid_type", Some("lines[2].unit_price"));
    assert!(
        number["error"]
            .as_str()
            .is_some_and(|e| e.contains("must be a decimal string"))
    );
    app.post(docs, with(2, "quantity", json!(3)))
        .await
        .expect_error(422, "invalid_type", Some("lines[2].quantity"));
    app.post(docs, with(2, "unit_price", json!("12,50")))
        .await
        .expect_error(422, "invalid", Some("lines[2].unit_price"));
    app.post(docs, with(2, "unit_price", json!("1e3")))
        .await
        .expect_error(422, "invalid", Some("lines[2].unit_price"));
    app.post(docs, with(2, "unit_price", json!("-5")))
        .await
        .expect_error(422, "out_of_range", Some("lines[2].unit_price"));
    app.post(docs, with(0, "quantity", json!("999999999999999")))
        .await
        .expect_error(422, "out_of_range", Some("lines[0].quantity"));
    app.post(docs, with(0, "unit_price", json!("999999999999999")))
        .await
        .expect_error(422, "out_of_range", Some("lines[0].unit_price"));
    let mut huge = line();
    huge["quantity"] = json!("1000000000");
    huge["unit_price"] = json!("100000000000");
    app.post(docs, document(contact, json!([huge.clone(), huge])))
        .await
        .expect_error(422, "out_of_range", Some("lines"));
    app.post(docs, with(1, "discount_percent", json!("101")))
        .await
        .expect_error(422, "out_of_range", Some("lines[1].discount_percent"));
    app.post(docs, with(1, "kind", json!("bonus")))
        .await
        .expect_error(422, "unknown_value", Some("lines[1].kind"));
    app.post(docs, with(2, "article_id", json!(999)))
        .await
        .expect_error(422, "unknown_article", Some("lines[2].article_id"));
    let mut no_price = line();
    no_price.as_object_mut().map(|o| o.remove("unit_price"));
    app.post(docs, document(contact, json!([no_price])))
        .await
        .expect_error(422, "required", Some("lines[0].unit_price"));

    let mut body = document(contact, json!([line()]));
    body["discount_percent"] = json!("100.5");
    app.post(docs, body.clone())
        .await
        .expect_error(422, "out_of_range", Some("discount_percent"));
    body["discount_percent"] = json!("0");
    body["prepaid_amount"] = json!("10.001");
    app.post(docs, body.clone()).await.expect_error(
        422,
        "too_many_decimals",
        Some("prepaid_amount"),
    );
    body["prepaid_amount"] = json!("0");
    body["currency"] = json!("DM");
    app.post(docs, body)
        .await
        .expect_error(422, "unknown_currency", Some("currency"));

    assert_eq!(
        app.get("/api/v1/documents").await.expect(200)["total"],
        0,
        "nothing was created"
    );
}

#[tokio::test]
async fn bad_dates_are_refused() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    for bad in ["2026-13-01", "26.11.2026", "2026-02-30", "2026-1-5", ""] {
        let body = json!({"type": "invoice", "contact_id": contact, "date": bad});
        app.post("/api/v1/documents", body)
            .await
            .expect_error(422, "invalid", Some("date"));
    }
    let body = json!({"type": "invoice", "contact_id": contact, "delivery_date": 20261126});
    app.post("/api/v1/documents", body).await.expect_error(
        422,
        "invalid_type",
        Some("delivery_date"),
    );
    app.get("/api/v1/documents?date_from=yesterday")
        .await
        .expect_error(422, "invalid", Some("date_from"));
}

#[tokio::test]
async fn limits_are_enforced() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let lines: Vec<Value> = (0..1001).map(|_| line()).collect();
    app.post("/api/v1/documents", document(contact, json!(lines)))
        .await
        .expect_error(422, "too_many", Some("lines"));
    let lines: Vec<Value> = (0..1000).map(|_| line()).collect();
    let big = app
        .post("/api/v1/documents", document(contact, json!(lines)))
        .await
        .expect(201);
    assert_eq!(big["lines"].as_array().map(Vec::len), Some(1000));
    assert_eq!(big["totals"]["net"], "85000.00");

    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
    app.post_raw("/api/v1/contacts", &huge)
        .await
        .expect_error(413, "body_too_large", None);
    app.get("/api/v1/documents/abc")
        .await
        .expect_error(404, "not_found", None);
    app.get("/api/v1/documents/99999")
        .await
        .expect_error(404, "not_found", None);
    app.get(&format!("/api/v1/documents/{}", id(&big)))
        .await
        .expect(200);
}
