//! Articles: create, read, list, update, deactivate, field checks.

use serde_json::json;

use kontor_testkit::{TestApp, id};

#[tokio::test]
async fn article_crud() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/api/v1/articles",
            json!({"name": "Beratung", "unit": "HUR", "unit_price": "85", "vat_rate": "19.00"}),
        )
        .await
        .expect(201);
    let article = id(&created);
    assert_eq!(created["number"], "A00001");
    assert_eq!(created["unit_price"], "85.00");
    assert_eq!(created["vat_rate"], "19");
    assert_eq!(created["active"], true);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{article}"))
            .await
            .expect(200),
        created
    );

    let own_number = app
        .post(
            "/api/v1/articles",
            json!({"number": "X-1", "name": "Schraube", "unit_price": "0.1234"}),
        )
        .await
        .expect(201);
    assert_eq!(own_number["number"], "X-1");
    assert_eq!(own_number["unit_price"], "0.1234");
    assert_eq!(own_number["unit"], "C62", "unit defaults to C62");
    app.post(
        "/api/v1/articles",
        json!({"number": "X-1", "name": "Doppelt"}),
    )
    .await
    .expect_error(422, "invalid", Some("number"));

    let updated = app
        .put(&format!("/api/v1/articles/{article}"), json!({"name": "Beratung Senior", "unit": "HUR", "unit_price": "120.5", "vat_rate": "19"}))
        .await
        .expect(200);
    assert_eq!(
        (updated["name"].as_str(), updated["unit_price"].as_str()),
        (Some("Beratung Senior"), Some("120.50"))
    );
    app.put(
        &format!("/api/v1/articles/{article}"),
        json!({"number": "B-2", "name": "X"}),
    )
    .await
    .expect_error(422, "immutable", Some("number"));

    let listed = app.get("/api/v1/articles?search=senior").await.expect(200);
    assert_eq!(listed["total"], 1);

    let deactivated = app
        .delete(&format!("/api/v1/articles/{article}"))
        .await
        .expect(200);
    assert_eq!(deactivated["active"], false);
    assert_eq!(deactivated["name"], "Beratung Senior");
    assert_eq!(app.get("/api/v1/articles").await.expect(200)["total"], 1);
    assert_eq!(
        app.get("/api/v1/articles?include_inactive=true")
            .await
            .expect(200)["total"],
        2
    );
    app.get("/api/v1/articles/777")
        .await
        .expect_error(404, "not_found", None);
}

#[tokio::test]
async fn article_fields_are_checked() {
    let app = TestApp::spawn().await;
    let post = |body| app.post("/api/v1/articles", body);
    post(json!({"name": "X", "unit": "XYZ"}))
        .await
        .expect_error(422, "unknown_unit", Some("unit"));
    let rate = post(json!({"name": "X", "vat_rate": "16"}))
        .await
        .expect_error(422, "unknown_vat_rate", Some("vat_rate"));
    assert!(
        rate["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown VAT rate"))
    );
    post(json!({"name": "X", "unit_price": "1.23456"}))
        .await
        .expect_error(422, "too_many_decimals", Some("unit_price"));
    post(json!({"name": "X", "unit_price": "-1"}))
        .await
        .expect_error(422, "out_of_range", Some("unit_price"));
    let number = post(json!({"name": "X", "unit_price": 85}))
        .await
        .expect_error(422, "invalid_type", Some("unit_price"));
    assert!(
        number["error"]
            .as_str()
            .is_some_and(|e| e.contains("must be a decimal string"))
    );
    post(json!({"unit_price": "1"}))
        .await
        .expect_error(422, "required", Some("name"));
    assert_eq!(
        app.get("/api/v1/articles?include_inactive=true")
            .await
            .expect(200)["total"],
        0
    );
}
