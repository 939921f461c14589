//! Number ranges.

use serde_json::json;

use kontor_testkit::{TestApp, year};

#[tokio::test]
async fn number_ranges_can_be_changed() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let ranges = app.get("/api/v1/number-ranges").await.expect(200);
    let invoice = ranges["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["key"] == "invoice")
        .cloned()
        .unwrap_or_default();
    assert_eq!(invoice["pattern"], "RE-{YYYY}-{N:4}");
    assert_eq!(invoice["reset"], "yearly");
    assert_eq!(invoice["next_preview"], format!("RE-{}-0001", year()));

    let changed = app
        .put(
            "/api/v1/number-ranges/invoice",
            json!({"pattern": "INV-{YYYY}-{N:5}", "reset": "yearly", "first_counter": 100}),
        )
        .await
        .expect(200);
    assert_eq!(changed["next_preview"], format!("INV-{}-00100", year()));
    let contact = app.customer().await;
    let issued = app.issued("invoice", contact, "1").await;
    assert_eq!(issued["number"], format!("INV-{}-00100", year()));

    app.put(
        "/api/v1/number-ranges/invoice",
        json!({"pattern": "INV-{X}", "reset": "never"}),
    )
    .await
    .expect_error(422, "invalid", Some("pattern"));
    app.put(
        "/api/v1/number-ranges/invoice",
        json!({"pattern": "INV-{N}", "reset": "weekly"}),
    )
    .await
    .expect_error(422, "unknown_value", Some("reset"));
    app.put(
        "/api/v1/number-ranges/invoice",
        json!({"pattern": "INV-{N}"}),
    )
    .await
    .expect_error(422, "required", Some("reset"));
    app.put(
        "/api/v1/number-ranges/nothing",
        json!({"pattern": "N-{N}", "reset": "never"}),
    )
    .await
    .expect_error(404, "not_found", None);
    let paged = app
        .get("/api/v1/number-ranges?per_page=3")
        .await
        .expect(200);
    assert_eq!(paged["items"].as_array().map(Vec::len), Some(3));
    assert!(paged["total"].as_i64().is_some_and(|t| t >= 10));
}
