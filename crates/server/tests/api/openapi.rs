//! The OpenAPI document: complete, and true to what the API answers.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use kontor_testkit::{TestApp, id};

/// Every route the API is meant to have.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/company"),
    ("put", "/company"),
    ("get", "/settings/pdf"),
    ("put", "/settings/pdf"),
    ("get", "/contacts"),
    ("post", "/contacts"),
    ("get", "/contacts/{id}"),
    ("put", "/contacts/{id}"),
    ("delete", "/contacts/{id}"),
    ("post", "/contacts/{id}/archive"),
    ("get", "/contacts/{id}/documents"),
    ("get", "/contacts/{id}/open-items"),
    ("get", "/articles"),
    ("post", "/articles"),
    ("get", "/articles/{id}"),
    ("put", "/articles/{id}"),
    ("delete", "/articles/{id}"),
    ("get", "/documents"),
    ("post", "/documents"),
    ("get", "/documents/{id}"),
    ("put", "/documents/{id}"),
    ("delete", "/documents/{id}"),
    ("get", "/documents/{id}/pdf"),
    ("get", "/documents/{id}/xrechnung"),
    ("get", "/documents/{id}/issue-check"),
    ("post", "/documents/{id}/issue"),
    ("post", "/documents/{id}/derive"),
    ("post", "/documents/{id}/cancel"),
    ("post", "/documents/{id}/outcome"),
    ("get", "/documents/{id}/payments"),
    ("post", "/documents/{id}/payments"),
    ("post", "/documents/{id}/payments/{payment_id}/reverse"),
    ("get", "/documents/{id}/audit"),
    ("get", "/open-items"),
    ("get", "/number-ranges"),
    ("put", "/number-ranges/{key}"),
    ("get", "/audit/verify"),
    ("get", "/backups"),
    ("post", "/backups"),
    ("get", "/settings/mailbox"),
    ("put", "/settings/mailbox"),
    ("post", "/incoming"),
    ("get", "/incoming"),
    ("get", "/incoming/{id}"),
    ("get", "/incoming/{id}/original"),
    ("get", "/incoming/{id}/pdf"),
    ("get", "/incoming/{id}/attachments/{index}"),
    ("post", "/incoming/{id}/check"),
    ("post", "/incoming/{id}/approve"),
    ("post", "/incoming/{id}/reject"),
    ("get", "/incoming/{id}/payments"),
    ("post", "/incoming/{id}/payments"),
    ("post", "/incoming/{id}/payments/{payment_id}/reverse"),
    ("post", "/incoming/mailbox/poll"),
    ("get", "/incoming/mailbox/report"),
];

fn operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            ops.insert((method.clone(), path.clone()));
        }
    }
    ops
}

#[tokio::test]
async fn the_document_lists_every_route_and_every_listed_route_is_guarded() {
    let app = TestApp::spawn().await;
    let spec = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(spec["openapi"], "3.1.0");
    let ops = operations(&spec);
    for (method, path) in ROUTES {
        assert!(
            ops.contains(&(method.to_string(), format!("/api/v1{path}"))),
            "{method} {path} missing from openapi.json"
        );
    }
    for unauthenticated in ["/healthz", "/readyz", "/api/v1/openapi.json"] {
        let op = ("get".to_string(), unauthenticated.to_string());
        assert!(ops.contains(&op), "{unauthenticated} missing");
    }
    assert_eq!(
        ops.len(),
        ROUTES.len() + 3,
        "openapi.json lists routes that do not exist: {ops:?}"
    );
    // Each route of the document exists in the router and needs a token.
    for (method, path) in &ops {
        if !path.starts_with("/api/v1") || path.ends_with("openapi.json") {
            continue;
        }
        let concrete = path.replace("{id}", "1").replace("{key}", "invoice");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
        let reply = app.send(method.clone(), &concrete, None, None).await;
        assert_eq!(
            reply.status, 401,
            "{method} {concrete} without a token: {}",
            reply.body
        );
        assert_eq!(reply.body["code"], "unauthenticated");
    }
    let document = &spec["paths"]["/api/v1/documents"]["post"];
    assert_eq!(
        document["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/DocumentInput"
    );
    assert_eq!(document["x-required-role"], "sales");
    let line = &spec["components"]["schemas"]["LineInput"]["properties"];
    assert_eq!(
        line["quantity"]["type"],
        json!(["string", "null"]),
        "decimals are strings"
    );
}

/// The properties a schema declares, following one level of `$ref`.
fn properties(spec: &Value, schema: &str) -> BTreeSet<String> {
    spec["components"]["schemas"][schema]["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect()
}

#[tokio::test]
async fn the_schemas_match_the_responses() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let spec = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    let contact = app.customer().await;
    let article = app
        .post(
            "/api/v1/articles",
            json!({"name": "Beratung", "unit_price": "85"}),
        )
        .await
        .expect(201);
    let invoice = app.issued("invoice", contact, "100").await;
    let draft = app
        .draft(kontor_testkit::fixtures::simple_document(
            "invoice", contact, "5",
        ))
        .await;
    let payment = app
        .post(
            &format!("/api/v1/documents/{}/payments", id(&invoice)),
            json!({"amount": "1"}),
        )
        .await
        .expect(201);
    let samples = [
        ("Company", app.get("/api/v1/company").await.expect(200)),
        (
            "Contact",
            app.get(&format!("/api/v1/contacts/{contact}"))
                .await
                .expect(200),
        ),
        ("ContactPage", app.get("/api/v1/contacts").await.expect(200)),
        ("Article", article),
        ("Document", invoice.clone()),
        ("Line", invoice["lines"][0].clone()),
        ("Totals", invoice["totals"].clone()),
        ("VatGroup", invoice["totals"]["vat_breakdown"][0].clone()),
        ("ContactData", invoice["buyer"].clone()),
        (
            "DocumentSummary",
            app.get("/api/v1/documents").await.expect(200)["items"][0].clone(),
        ),
        ("Payment", payment),
        (
            "NumberRange",
            app.get("/api/v1/number-ranges").await.expect(200)["items"][0].clone(),
        ),
        (
            "AuditEntry",
            app.get(&format!("/api/v1/documents/{}/audit", id(&invoice)))
                .await
                .expect(200)["items"][0]
                .clone(),
        ),
        (
            "AuditReport",
            app.get("/api/v1/audit/verify").await.expect(200),
        ),
        (
            "IssueCheck",
            app.get(&format!("/api/v1/documents/{}/issue-check", id(&draft)))
                .await
                .expect(200),
        ),
        (
            "MailboxSettings",
            app.get("/api/v1/settings/mailbox").await.expect(200),
        ),
    ];
    for (schema, sample) in samples {
        assert_eq!(
            keys(&sample),
            properties(&spec, schema),
            "schema {schema} vs response {sample}"
        );
    }
    let error = app.post("/api/v1/contacts", json!({})).await.expect(422);
    let declared = properties(&spec, "Error");
    assert!(
        keys(&error).is_subset(&declared),
        "error {error} vs {declared:?}"
    );
}
