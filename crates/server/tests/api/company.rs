//! The company profile.

use kontor_storage::Role;
use reqwest::Method;
use serde_json::json;

use kontor_testkit::TestApp;
use kontor_testkit::fixtures::company_json;

#[tokio::test]
async fn company_profile_round_trip() {
    let app = TestApp::spawn().await;
    let empty = app.get("/api/v1/company").await.expect(200);
    assert_eq!(empty["name"], "");
    let saved = app.put("/api/v1/company", company_json()).await.expect(200);
    assert_eq!(
        saved["iban"], "DE89370400440532013000",
        "IBAN stored without spaces"
    );
    assert_eq!(saved["small_business"], false);
    let read = app.get("/api/v1/company").await.expect(200);
    assert_eq!(read, saved);
    let auditor = app.token_for(Role::Auditor).await;
    assert_eq!(
        app.as_user(&auditor, Method::GET, "/api/v1/company", None)
            .await
            .expect(200),
        saved
    );
}

#[tokio::test]
async fn company_fields_are_checked() {
    let app = TestApp::spawn().await;
    let with = |field: &str, value: serde_json::Value| {
        let mut body = company_json();
        body[field] = value;
        body
    };
    app.put(
        "/api/v1/company",
        with("iban", json!("DE89370400440532013001")),
    )
    .await
    .expect_error(422, "invalid_iban", Some("iban"));
    app.put("/api/v1/company", with("country", json!("Deutschland")))
        .await
        .expect_error(422, "unknown_country", Some("country"));
    app.put("/api/v1/company", with("vat_id", json!("12345")))
        .await
        .expect_error(422, "invalid_vat_id", Some("vat_id"));
    app.put("/api/v1/company", with("contact_email", json!("info")))
        .await
        .expect_error(422, "invalid_email", Some("contact_email"));
    app.put("/api/v1/company", with("small_business", json!("yes")))
        .await
        .expect_error(422, "invalid_type", Some("small_business"));
    app.put(
        "/api/v1/company",
        with("default_payment_terms_days", json!(-1)),
    )
    .await
    .expect_error(422, "out_of_range", Some("default_payment_terms_days"));
    assert_eq!(
        app.get("/api/v1/company").await.expect(200)["name"],
        "",
        "nothing was saved"
    );
}

/// A PUT replaces a whole record: one without a body is refused and changes nothing, instead
/// of resetting every field to its default.
#[tokio::test]
async fn a_put_without_a_body_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let saved = app.put("/api/v1/company", company_json()).await.expect(200);
    let token = app.api.token.clone();
    for path in [
        "/api/v1/company",
        "/api/v1/settings/pdf",
        "/api/v1/contacts/1",
        "/api/v1/articles/1",
        "/api/v1/documents/1",
        "/api/v1/number-ranges/invoice",
    ] {
        for body in [None, Some("  ".to_string())] {
            app.send(Method::PUT, path, Some(&token), body)
                .await
                .expect_error(422, "required", None);
        }
    }
    assert_eq!(app.get("/api/v1/company").await.expect(200), saved);
}
