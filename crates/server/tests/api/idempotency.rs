//! `Idempotency-Key` on creating POSTs: a repeat returns the first answer and creates nothing.

use kontor_storage::Role;
use serde_json::{Value, json};

use kontor_testkit::fixtures::simple_document;
use kontor_testkit::{TestApp, id};

/// POST with a key; returns status, `Idempotency-Replayed`, body.
async fn post_keyed(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (u16, bool, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    let body = response.json().await.expect("JSON body");
    (status, replayed, body)
}

async fn document_count(app: &TestApp) -> i64 {
    app.get("/api/v1/documents?per_page=1").await.expect(200)["total"]
        .as_i64()
        .expect("total")
}

#[tokio::test]
async fn a_repeated_key_returns_the_first_document_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let body = simple_document("invoice", contact, "100.00");
    let (status, replayed, first) =
        post_keyed(&app, &app.token, "/api/v1/documents", "order-4711", &body).await;
    assert_eq!((status, replayed), (201, false), "{first}");
    for _ in 0..3 {
        let (status, replayed, again) =
            post_keyed(&app, &app.token, "/api/v1/documents", "order-4711", &body).await;
        assert_eq!((status, replayed), (201, true), "{again}");
        assert_eq!(again, first, "the first answer, byte for byte");
    }
    assert_eq!(document_count(&app).await, 1);

    // Another key is another document; so is a request without a key.
    let (status, replayed, second) =
        post_keyed(&app, &app.token, "/api/v1/documents", "order-4712", &body).await;
    assert_eq!((status, replayed), (201, false));
    assert_ne!(id(&second), id(&first));
    app.post("/api/v1/documents", body.clone())
        .await
        .expect(201);
    app.post("/api/v1/documents", body).await.expect(201);
    assert_eq!(document_count(&app).await, 4);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let body = simple_document("invoice", contact, "100.00");
    let (status, _, _) = post_keyed(&app, &app.token, "/api/v1/documents", "k1", &body).await;
    assert_eq!(status, 201);
    let other = simple_document("invoice", contact, "200.00");
    let (status, _, error) = post_keyed(&app, &app.token, "/api/v1/documents", "k1", &other).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["field"], "Idempotency-Key");
    // The same key on another endpoint is another request too.
    let contact_body = json!({"name": "Zweite AG", "city": "Köln"});
    let (status, _, error) =
        post_keyed(&app, &app.token, "/api/v1/contacts", "k1", &contact_body).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(document_count(&app).await, 1);

    for bad in ["", "mit leerzeichen", &"x".repeat(256)] {
        let (status, _, error) =
            post_keyed(&app, &app.token, "/api/v1/documents", bad, &body).await;
        assert_eq!(status, 422, "{bad:?}: {error}");
        assert_eq!(error["field"], "Idempotency-Key", "{error}");
    }
    assert_eq!(document_count(&app).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let sales = app.token_for(Role::Sales).await;
    let body = simple_document("invoice", contact, "100.00");
    let (_, _, mine) = post_keyed(&app, &app.token, "/api/v1/documents", "same", &body).await;
    let (status, replayed, theirs) =
        post_keyed(&app, &sales, "/api/v1/documents", "same", &body).await;
    assert_eq!((status, replayed), (201, false), "{theirs}");
    assert_ne!(id(&mine), id(&theirs));
    assert_eq!(document_count(&app).await, 2);
}

#[tokio::test]
async fn keys_expire_after_a_day() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let body = simple_document("invoice", contact, "100.00");
    let (_, _, first) = post_keyed(&app, &app.token, "/api/v1/documents", "daily", &body).await;
    // 23 hours later the key still holds.
    let at = |hours: i64| {
        (chrono::Utc::now() - chrono::Duration::hours(hours))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    };
    sqlx::query("UPDATE idempotency_keys SET created_at = $1")
        .bind(at(23))
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, replayed, again) =
        post_keyed(&app, &app.token, "/api/v1/documents", "daily", &body).await;
    assert!(replayed);
    assert_eq!(id(&again), id(&first));
    // 25 hours later it is forgotten: the same key creates a new document.
    sqlx::query("UPDATE idempotency_keys SET created_at = $1")
        .bind(at(25))
        .execute(app.store.pool())
        .await
        .unwrap();
    let (status, replayed, later) =
        post_keyed(&app, &app.token, "/api/v1/documents", "daily", &body).await;
    assert_eq!((status, replayed), (201, false));
    assert_ne!(id(&later), id(&first));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "the expired key was removed");
}

#[tokio::test]
async fn concurrent_repeats_create_one_document() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let body = simple_document("invoice", contact, "100.00");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, token, body) = (
            app.client.clone(),
            format!("{}/api/v1/documents", app.base),
            app.token.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "burst")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            (status, v)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let (status, v) = task.await.unwrap();
        assert_eq!(status, 201, "{v}");
        ids.push(id(&v));
    }
    ids.dedup();
    assert_eq!(
        ids.len(),
        1,
        "every answer names the same document: {ids:?}"
    );
    assert_eq!(document_count(&app).await, 1);
}

#[tokio::test]
async fn contacts_take_keys_too() {
    let app = TestApp::spawn().await;
    let body =
        json!({"name": "Kunde AG", "street": "Weg 2", "postal_code": "80331", "city": "München"});
    let (status, replayed, first) =
        post_keyed(&app, &app.token, "/api/v1/contacts", "c-1", &body).await;
    assert_eq!((status, replayed), (201, false), "{first}");
    let (status, replayed, again) =
        post_keyed(&app, &app.token, "/api/v1/contacts", "c-1", &body).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(again, first);
    let list = app.get("/api/v1/contacts").await.expect(200);
    assert_eq!(list["total"], 1, "{list}");
    // A failed create stores no key: the corrected repeat with a new body needs a new key,
    // but the same key with the same (still invalid) body is simply checked again.
    let invalid = json!({"name": ""});
    let (status, _, _) = post_keyed(&app, &app.token, "/api/v1/contacts", "c-2", &invalid).await;
    assert_eq!(status, 422);
    let (status, replayed, _) =
        post_keyed(&app, &app.token, "/api/v1/contacts", "c-2", &invalid).await;
    assert_eq!((status, replayed), (422, false));
}

#[tokio::test]
async fn the_openapi_document_names_the_header() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200);
    for path in ["/api/v1/documents", "/api/v1/contacts"] {
        let params = doc["paths"][path]["post"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            params
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{path}: {params:?}"
        );
    }
}

#[tokio::test]
async fn a_repeated_payment_is_recorded_once() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100.00").await;
    let path = format!("/api/v1/documents/{}/payments", id(&invoice));
    let body = json!({"amount": "40.00"});
    let (status, replayed, first) = post_keyed(&app, &app.token, &path, "pay-1", &body).await;
    assert_eq!((status, replayed), (201, false), "{first}");
    let (status, replayed, again) = post_keyed(&app, &app.token, &path, "pay-1", &body).await;
    assert_eq!((status, replayed), (201, true), "{again}");
    assert_eq!(again, first);
    let payments = app.get(&path).await.expect(200);
    assert_eq!(payments["total"], 1, "{payments}");
    let doc = app
        .get(&format!("/api/v1/documents/{}", id(&invoice)))
        .await
        .expect(200);
    assert_eq!(doc["paid"], "40.00", "{doc}");
}
