//! Authentication, role enforcement, health checks and unknown routes.

use kontor_storage::Role;
use reqwest::Method;
use serde_json::json;

use kontor_testkit::TestApp;
use kontor_testkit::fixtures::simple_document;

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = TestApp::spawn().await;
    let reply = app.send(Method::GET, "/api/v1/contacts", None, None).await;
    reply.expect_error(401, "unauthenticated", None);
    let bad = app
        .send(Method::GET, "/api/v1/contacts", Some("kontor_0000"), None)
        .await;
    bad.expect_error(401, "unauthenticated", None);
    let not_bearer = app
        .client
        .get(format!("{}/api/v1/contacts", app.base))
        .basic_auth("admin", Some("x"))
        .send()
        .await;
    assert_eq!(not_bearer.map(|r| r.status().as_u16()).ok(), Some(401));
    // A write without a token changes nothing.
    app.send(
        Method::POST,
        "/api/v1/contacts",
        None,
        Some(json!({"name": "X"}).to_string()),
    )
    .await
    .expect_error(401, "unauthenticated", None);
    let list = app.get("/api/v1/contacts").await.expect(200);
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn health_checks_need_no_token() {
    let app = TestApp::spawn().await;
    let health = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!((health.status, health.body.as_str()), (200, Some("ok")));
    assert_eq!(
        app.send(Method::GET, "/readyz", None, None).await.status,
        200
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nothing-here")
        .await
        .expect_error(404, "not_found", None);
    app.send(Method::PATCH, "/api/v1/contacts", Some(&app.token), None)
        .await
        .expect_error(405, "method_not_allowed", None);
}

#[tokio::test]
async fn auditors_only_read() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let auditor = app.token_for(Role::Auditor).await;
    assert_eq!(
        app.as_user(&auditor, Method::GET, "/api/v1/contacts", None)
            .await
            .expect(200)["total"],
        1
    );
    app.as_user(
        &auditor,
        Method::GET,
        &format!("/api/v1/contacts/{contact}"),
        None,
    )
    .await
    .expect(200);
    app.as_user(&auditor, Method::GET, "/api/v1/company", None)
        .await
        .expect(200);
    app.as_user(
        &auditor,
        Method::POST,
        "/api/v1/contacts",
        Some(json!({"name": "Neu"})),
    )
    .await
    .expect_error(403, "forbidden", None);
    app.as_user(
        &auditor,
        Method::DELETE,
        &format!("/api/v1/contacts/{contact}"),
        None,
    )
    .await
    .expect_error(403, "forbidden", None);
    app.as_user(
        &auditor,
        Method::POST,
        "/api/v1/documents",
        Some(simple_document("invoice", contact, "10")),
    )
    .await
    .expect_error(403, "forbidden", None);
    // Nothing was written.
    assert_eq!(app.get("/api/v1/contacts").await.expect(200)["total"], 1);
    assert_eq!(app.get("/api/v1/documents").await.expect(200)["total"], 0);
    let report = app
        .as_user(&auditor, Method::GET, "/api/v1/audit/verify", None)
        .await
        .expect(200);
    assert_eq!(report["ok"], true);
    assert!(report["entries"].as_i64().is_some_and(|n| n >= 1));
}

#[tokio::test]
async fn sales_may_not_change_company_ranges_or_payments() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let sales = app.token_for(Role::Sales).await;
    app.as_user(
        &sales,
        Method::PUT,
        "/api/v1/company",
        Some(json!({"name": "Übernommen"})),
    )
    .await
    .expect_error(403, "forbidden", None);
    assert_eq!(
        app.get("/api/v1/company").await.expect(200)["name"],
        "Muster GmbH"
    );
    let range = json!({"pattern": "X-{N}", "reset": "never"});
    app.as_user(
        &sales,
        Method::PUT,
        "/api/v1/number-ranges/invoice",
        Some(range),
    )
    .await
    .expect_error(403, "forbidden", None);
    let payment = json!({"amount": "10.00"});
    let path = format!("/api/v1/documents/{}/payments", invoice["id"]);
    app.as_user(&sales, Method::POST, &path, Some(payment))
        .await
        .expect_error(403, "forbidden", None);
    let cancel = format!("/api/v1/documents/{}/cancel", invoice["id"]);
    app.as_user(&sales, Method::POST, &cancel, Some(json!({})))
        .await
        .expect_error(403, "forbidden", None);
    app.as_user(&sales, Method::GET, "/api/v1/audit/verify", None)
        .await
        .expect_error(403, "forbidden", None);
    // What sales may do.
    app.as_user(
        &sales,
        Method::POST,
        "/api/v1/contacts",
        Some(json!({"name": "Neu"})),
    )
    .await
    .expect(201);
    app.as_user(
        &sales,
        Method::POST,
        "/api/v1/articles",
        Some(json!({"name": "Beratung", "unit_price": "85"})),
    )
    .await
    .expect(201);
    let draft = app
        .as_user(
            &sales,
            Method::POST,
            "/api/v1/documents",
            Some(simple_document("quote", contact, "5")),
        )
        .await;
    draft.expect(201);
}

#[tokio::test]
async fn accountants_record_payments_but_do_not_administer() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let accountant = app.token_for(Role::Accountant).await;
    let path = format!("/api/v1/documents/{}/payments", invoice["id"]);
    app.as_user(
        &accountant,
        Method::POST,
        &path,
        Some(json!({"amount": "10.00"})),
    )
    .await
    .expect(201);
    app.as_user(
        &accountant,
        Method::PUT,
        "/api/v1/company",
        Some(json!({"name": "X"})),
    )
    .await
    .expect_error(403, "forbidden", None);
    app.as_user(&accountant, Method::GET, "/api/v1/audit/verify", None)
        .await
        .expect_error(403, "forbidden", None);
}

#[tokio::test]
async fn the_audit_log_names_the_token() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let draft = app.draft(simple_document("quote", contact, "5")).await;
    let entries = app
        .get(&format!("/api/v1/documents/{}/audit", draft["id"]))
        .await
        .expect(200);
    assert_eq!(entries["total"], 1);
    assert_eq!(entries["items"][0]["action"], "create");
    assert_eq!(entries["items"][0]["actor"], "token:chefin/tests");
}
