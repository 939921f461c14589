//! Contacts: create, read, list, search, paginate, update, archive, delete.

use serde_json::json;

use kontor_testkit::fixtures::simple_document;
use kontor_testkit::{TestApp, id};

#[tokio::test]
async fn contact_crud() {
    let app = TestApp::spawn().await;
    let created = app
        .post("/api/v1/contacts", json!({"name": "Kunde AG", "city": "München", "email": "einkauf@kunde.de", "vat_id": "de 123456788"}))
        .await
        .expect(201);
    let contact = id(&created);
    assert_eq!(created["number"], "K10001");
    assert_eq!(created["country"], "DE", "country defaults to DE");
    assert_eq!(created["is_customer"], true);
    assert_eq!(created["is_supplier"], false);
    assert_eq!(created["archived"], false);
    assert_eq!(created["vat_id"], "DE123456788", "VAT ID normalized");
    assert_eq!(created["kind"], "company");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"))
            .await
            .expect(200),
        created
    );

    let updated = app
        .put(
            &format!("/api/v1/contacts/{contact}"),
            json!({"name": "Kunde GmbH", "kind": "company", "country": "AT", "language": "en"}),
        )
        .await
        .expect(200);
    assert_eq!(updated["name"], "Kunde GmbH");
    assert_eq!(updated["country"], "AT");
    assert_eq!(updated["language"], "en");
    assert_eq!(updated["number"], "K10001", "the number stays");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"))
            .await
            .expect(200)["name"],
        "Kunde GmbH"
    );

    app.delete(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect(204);
    app.get(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect_error(404, "not_found", None);
    app.delete(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect_error(404, "not_found", None);
}

#[tokio::test]
async fn contacts_are_listed_searched_and_paginated() {
    let app = TestApp::spawn().await;
    for name in ["Anton", "Berta", "Cäsar"] {
        app.post("/api/v1/contacts", json!({"name": name}))
            .await
            .expect(201);
    }
    let first = app.get("/api/v1/contacts?per_page=2").await.expect(200);
    assert_eq!(
        (
            first["total"].as_i64(),
            first["page"].as_i64(),
            first["per_page"].as_i64()
        ),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["items"][0]["name"], "Anton");
    let second = app
        .get("/api/v1/contacts?per_page=2&page=2")
        .await
        .expect(200);
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["items"][0]["name"], "Cäsar");
    let capped = app
        .get("/api/v1/contacts?per_page=100000")
        .await
        .expect(200);
    assert_eq!(capped["per_page"], 200);
    let found = app.get("/api/v1/contacts?search=bert").await.expect(200);
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["name"], "Berta");
    app.get("/api/v1/contacts?page=first")
        .await
        .expect_error(422, "invalid", Some("page"));
}

#[tokio::test]
async fn archived_contacts_leave_the_list() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let archived = app
        .post(&format!("/api/v1/contacts/{contact}/archive"), json!({}))
        .await
        .expect(200);
    assert_eq!(archived["archived"], true);
    assert_eq!(app.get("/api/v1/contacts").await.expect(200)["total"], 0);
    assert_eq!(
        app.get("/api/v1/contacts?include_archived=true")
            .await
            .expect(200)["total"],
        1
    );
    // An archived contact gets no new documents.
    app.post("/api/v1/documents", simple_document("quote", contact, "1"))
        .await
        .expect_error(422, "invalid", Some("contact_id"));
    // PUT with "archived": false restores it.
    let restored = app
        .put(
            &format!("/api/v1/contacts/{contact}"),
            json!({"name": "Kunde AG", "archived": false}),
        )
        .await
        .expect(200);
    assert_eq!(restored["archived"], false);
}

#[tokio::test]
async fn a_used_contact_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let other = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    app.draft(simple_document("quote", contact, "5")).await;
    app.issued("invoice", other, "7").await;
    app.delete(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect_error(409, "contact_in_use", None);
    app.get(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect(200);

    let documents = app
        .get(&format!("/api/v1/contacts/{contact}/documents"))
        .await
        .expect(200);
    assert_eq!(documents["total"], 2);
    let open = app
        .get(&format!("/api/v1/contacts/{contact}/open-items"))
        .await
        .expect(200);
    assert_eq!(open["total"], 1);
    assert_eq!(open["items"][0]["id"], invoice["id"]);
    assert_eq!(open["items"][0]["open_amount"], "119.00");
    app.get("/api/v1/contacts/9999/documents")
        .await
        .expect_error(404, "not_found", None);
}

#[tokio::test]
async fn contact_fields_are_checked() {
    let app = TestApp::spawn().await;
    let post = |body| app.post("/api/v1/contacts", body);
    post(json!({}))
        .await
        .expect_error(422, "required", Some("name"));
    post(json!({"name": "  "}))
        .await
        .expect_error(422, "required", Some("name"));
    post(json!({"name": "X", "country": "XX"}))
        .await
        .expect_error(422, "unknown_country", Some("country"));
    post(json!({"name": "X", "vat_id": "123"}))
        .await
        .expect_error(422, "invalid_vat_id", Some("vat_id"));
    post(json!({"name": "X", "email": "nope"}))
        .await
        .expect_error(422, "invalid_email", Some("email"));
    post(json!({"name": "X", "kind": "robot"}))
        .await
        .expect_error(422, "unknown_value", Some("kind"));
    post(json!({"name": "X", "currency": "EURO"}))
        .await
        .expect_error(422, "unknown_currency", Some("currency"));
    post(json!({"name": "X", "payment_terms_days": 9999}))
        .await
        .expect_error(422, "out_of_range", Some("payment_terms_days"));
    post(json!({"name": "X", "archived": true}))
        .await
        .expect_error(422, "unknown_field", Some("archived"));
    assert_eq!(
        app.get("/api/v1/contacts?include_archived=true")
            .await
            .expect(200)["total"],
        0
    );
}

#[tokio::test]
async fn a_vat_id_with_a_wrong_check_digit_is_refused() {
    let app = TestApp::spawn().await;
    let refused = app
        .post(
            "/api/v1/contacts",
            json!({"name": "Tippfehler GmbH", "vat_id": "DE123456789"}),
        )
        .await
        .expect_error(422, "invalid_vat_id", Some("vat_id"));
    assert!(refused.to_string().contains("check digit"), "{refused}");
    for (country, id) in [
        ("AT", "ATU13585627"),
        ("FR", "FR40303265045"),
        ("NL", "NL004495445B01"),
        ("IT", "IT00743110157"),
        ("ES", "ESA28017895"),
    ] {
        app.post(
            "/api/v1/contacts",
            json!({"name": format!("Kunde {country}"), "country": country, "vat_id": id}),
        )
        .await
        .expect(201);
    }
}
