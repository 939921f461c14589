//! `/metrics` contents and who may read it; `/readyz` failing for a schema that is behind or an
//! extra condition (disk space) that does not hold.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kontor_server::Transport;
use kontor_server::monitoring::{MetricsAccess, Monitoring, ReadinessProbe};

use kontor_testkit::fixtures::simple_document;
use kontor_testkit::{TestApp, id};

const TOKEN: &str = "metrics-token-0123456789abcdef0123456789";

async fn metrics_text(base: &str) -> String {
    let reply = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(
        reply
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")),
        "Prometheus text format"
    );
    reply.text().await.unwrap()
}

/// The value of the sample whose name and labels are exactly `series`, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_raw_path() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/documents/987654321")
        .await
        .expect_error(404, "not_found", None);
    let stray = reqwest::get(format!("{}/no-such-page-55501234", app.base))
        .await
        .unwrap();
    assert_eq!(stray.status(), 404);

    let text = metrics_text(&app.base).await;
    let count = sample(
        &text,
        r#"kontor_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="404"}"#,
    );
    assert!(count.is_some_and(|n| n >= 1.0), "{text}");
    assert!(
        text.contains(r#"kontor_http_request_duration_seconds_bucket{method="GET",route="/api/v1/documents/{id}",le="0.005"}"#),
        "latency histogram with buckets by route: {text}"
    );
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(
        !text.contains("987654321") && !text.contains("55501234"),
        "raw paths leaked: {text}"
    );
    assert!(
        sample(&text, "kontor_db_pool_max_connections").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(&text, r#"kontor_db_pool_connections{state="idle"}"#).is_some(),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_count_issued_documents() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let series = r#"kontor_documents_issued_total{type="invoice"}"#;
    let before = sample(&metrics_text(&app.base).await, series).unwrap_or(0.0);
    let contact = app.customer().await;
    let draft = app.draft(simple_document("invoice", contact, "100")).await;
    app.post(
        &format!("/api/v1/documents/{}/issue", id(&draft)),
        serde_json::json!({}),
    )
    .await
    .expect(200);
    let after = sample(&metrics_text(&app.base).await, series).unwrap_or(0.0);
    assert!(after >= before + 1.0, "before {before}, after {after}");
}

#[tokio::test]
async fn metrics_only_for_allowed_addresses_or_the_token() {
    // Loopback is not in the allowed network here: only the token opens it.
    let monitoring = Monitoring {
        metrics: MetricsAccess {
            allow: vec!["192.0.2.0/24".parse().unwrap()],
            token: Some(TOKEN.into()),
            trusted_proxies: Vec::new(),
        },
        readiness: Vec::new(),
    };
    let app = TestApp::builder().monitoring(monitoring).spawn().await;
    let base = &app.base;
    let client = reqwest::Client::new();
    let get = |auth: Option<&str>| {
        let mut r = client.get(format!("{base}/metrics"));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 403);
    assert_eq!(get(Some("Bearer wrong")).await.unwrap().status(), 403);
    let reply = get(Some(&format!("Bearer {TOKEN}"))).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(
        reply
            .text()
            .await
            .unwrap()
            .contains("kontor_http_requests_total")
    );

    // A proxy on the same host (HAProxy on 127.0.0.1): its address says nothing about the
    // client, so loopback alone is not enough.
    let local_proxy: kontor_server::TrustedProxy = "127.0.0.1".parse().unwrap();
    let monitoring = Monitoring {
        metrics: MetricsAccess {
            trusted_proxies: vec![local_proxy],
            ..MetricsAccess::default()
        },
        readiness: Vec::new(),
    };
    let transport = Transport {
        tls: false,
        trusted_proxies: vec![local_proxy],
    };
    let proxied = TestApp::builder()
        .monitoring(monitoring)
        .transport(transport)
        .spawn()
        .await;
    let base = &proxied.base;
    let reply = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(reply.status(), 403);
    // The health checks stay open for the load balancer.
    let reply = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn readyz_fails_when_the_schema_is_behind() {
    let app = TestApp::spawn().await;
    let ready = reqwest::get(format!("{}/readyz", app.base)).await.unwrap();
    assert_eq!(ready.status(), 200);
    sqlx::query("DELETE FROM kontor_migrations WHERE version = $1")
        .bind(kontor_storage::migrate::latest_version())
        .execute(app.store.pool())
        .await
        .unwrap();
    let reply = reqwest::get(format!("{}/readyz", app.base)).await.unwrap();
    assert_eq!(reply.status(), 503);
    assert_eq!(
        reply.text().await.unwrap(),
        "database schema is not current"
    );
    let health = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(health.status(), 200, "alive all the same");
}

#[tokio::test]
async fn readyz_fails_with_the_reason_of_an_extra_condition() {
    let full = Arc::new(AtomicBool::new(false));
    let flag = full.clone();
    let probe: ReadinessProbe = Arc::new(move || {
        flag.load(Ordering::SeqCst)
            .then(|| "disk of /srv/kontor nearly full".to_string())
    });
    let monitoring = Monitoring {
        metrics: MetricsAccess::default(),
        readiness: vec![probe],
    };
    let app = TestApp::builder().monitoring(monitoring).spawn().await;
    let base = &app.base;
    assert_eq!(
        reqwest::get(format!("{base}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
    full.store(true, Ordering::SeqCst);
    let reply = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(reply.status(), 503);
    assert_eq!(
        reply.text().await.unwrap(),
        "disk of /srv/kontor nearly full"
    );
}
