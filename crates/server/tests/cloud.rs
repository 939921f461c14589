//! Cloud mode over HTTP: two tenants on one PostgreSQL, and tenant A attacking tenant B through
//! every API route and page that takes an id, with forged hosts, headers and cookies. Runs when
//! KONTOR_TEST_DATABASE_URL names a PostgreSQL server (the postgres tier of scripts/test.sh).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::net::SocketAddr;

use kontor_server::cloud::CloudConfig;
use kontor_storage::Store;
use kontor_storage::tenants::Provisioner;
use kontor_testkit::cloud::TestInstallation;
use kontor_testkit::fixtures::company_json;
use kontor_testkit::{PASSWORD, today};
use reqwest::{Method, redirect};
use serde_json::{Value, json};

const BASE: &str = "kontor.test";
/// Text that exists only in tenant B's data; no answer to A may contain it.
const B_MARKER: &str = "Geheimkunde-B";
const OPERATOR_TOKEN: &str = "operator-token-for-tests-0123456789abcdef";

struct Tenants {
    addr: SocketAddr,
    provisioner: Provisioner,
    a: Store,
    b: Store,
    token_a: String,
    token_b: String,
}

/// Tenants alpha (admin alice) and beta (admin bob) of a new installation, served in cloud
/// mode with the operator API.
async fn tenants() -> Option<Tenants> {
    let installation = TestInstallation::new("cloud mode")?;
    let provisioner = installation.provisioner().await;
    let (a, token_a) = installation
        .tenant(&provisioner, "alpha", "Alpha GmbH", "alice")
        .await;
    let (b, token_b) = installation
        .tenant(&provisioner, "beta", "Beta GmbH", "bob")
        .await;
    let config = CloudConfig {
        base_domain: Some(BASE.into()),
        max_open_tenants: 1, // every switch between tenants evicts: eviction is exercised too
        ..CloudConfig::default()
    };
    let addr = installation.serve(config, Some(OPERATOR_TOKEN)).await;
    Some(Tenants {
        addr,
        provisioner,
        a,
        b,
        token_a,
        token_b,
    })
}

impl Tenants {
    /// A client that reaches this server under every host name, keeping cookies.
    fn client(&self) -> reqwest::Client {
        self.client_with(true)
    }

    fn client_with(&self, cookies: bool) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .cookie_store(cookies)
            .redirect(redirect::Policy::none());
        for host in [
            format!("alpha.{BASE}"),
            format!("beta.{BASE}"),
            format!("nobody.{BASE}"),
            format!("gamma.{BASE}"),
            BASE.to_string(),
        ] {
            builder = builder.resolve(&host, self.addr);
        }
        builder.build().unwrap()
    }

    fn url(&self, host: Option<&str>, path: &str) -> String {
        match host {
            Some(h) => format!("http://{h}.{BASE}:{}{path}", self.addr.port()),
            None => format!("http://{}{path}", self.addr),
        }
    }
}

async fn call(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, String) {
    let mut request = client.request(method, url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    if let Some(b) = body {
        request = request.json(b);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// B's records, created through B's own API: B has more of each than A, so some of B's ids do
/// not exist at A at all, and the others are A's own (different) records there.
async fn seed_b(t: &Tenants, client: &reqwest::Client) -> Vec<(String, i64)> {
    let api = |path: &str| t.url(Some("beta"), &format!("/api/v1{path}"));
    let mut company = company_json();
    company["name"] = json!(format!("{B_MARKER} Verkauf"));
    let (s, body) = call(
        client,
        Method::PUT,
        &api("/company"),
        Some(&t.token_b),
        Some(&company),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let mut ids = Vec::new();
    let mut contact = 0;
    for i in 0..4 {
        let c = json!({"name": format!("{B_MARKER} {i}"), "street": "Weg 2", "postal_code": "80331", "city": "München"});
        let (s, body) = call(
            client,
            Method::POST,
            &api("/contacts"),
            Some(&t.token_b),
            Some(&c),
        )
        .await;
        assert_eq!(s, 201, "{body}");
        contact = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap();
        ids.push(("contacts".to_string(), contact));
    }
    for i in 0..3 {
        let a = json!({"name": format!("{B_MARKER} Artikel {i}"), "unit": "HUR", "unit_price": "99", "vat_rate": "19"});
        let (s, body) = call(
            client,
            Method::POST,
            &api("/articles"),
            Some(&t.token_b),
            Some(&a),
        )
        .await;
        assert_eq!(s, 201, "{body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap();
        ids.push(("articles".to_string(), id));
    }
    let today = today();
    for i in 0..3 {
        let d = json!({
            "type": "invoice", "contact_id": contact, "date": today, "delivery_date": today,
            "lines": [{"description": format!("{B_MARKER} Leistung {i}"), "quantity": "1", "unit": "HUR", "unit_price": "100", "vat_rate": "19"}]
        });
        let (s, body) = call(
            client,
            Method::POST,
            &api("/documents"),
            Some(&t.token_b),
            Some(&d),
        )
        .await;
        assert_eq!(s, 201, "{body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap();
        ids.push(("documents".to_string(), id));
        if i > 0 {
            let (s, body) = call(
                client,
                Method::POST,
                &api(&format!("/documents/{id}/issue")),
                Some(&t.token_b),
                Some(&json!({})),
            )
            .await;
            assert_eq!(s, 200, "{body}");
        }
        if i == 2 {
            let p = json!({"amount": "10", "note": B_MARKER});
            let (s, body) = call(
                client,
                Method::POST,
                &api(&format!("/documents/{id}/payments")),
                Some(&t.token_b),
                Some(&p),
            )
            .await;
            assert_eq!(s, 201, "{body}");
        }
    }
    // Two received invoices whose supplier carries B's marker.
    let ubl = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../../shared/einvoice/examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml",
        ),
    )
    .expect("the official example beside the repository");
    for i in 0..2 {
        let xml = String::from_utf8(ubl.clone())
            .unwrap()
            .replace("[Seller name]", &format!("{B_MARKER} Lieferant"))
            .replacen("123456XX", &format!("B-{i}"), 1);
        let r = client
            .post(api("/incoming"))
            .bearer_auth(&t.token_b)
            .header("content-type", "application/xml")
            .body(xml)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let body: Value = r.json().await.unwrap();
        ids.push(("incoming".to_string(), body["id"].as_i64().unwrap()));
    }
    ids
}

/// Everything B has, as B sees it (to show nothing changed).
async fn snapshot_b(t: &Tenants, client: &reqwest::Client) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/contacts?include_archived=true",
        "/articles",
        "/documents",
        "/open-items",
        "/incoming",
        "/company",
        "/audit/verify",
    ] {
        let (s, body) = call(
            client,
            Method::GET,
            &t.url(Some("beta"), &format!("/api/v1{path}")),
            Some(&t.token_b),
            None,
        )
        .await;
        assert_eq!(s, 200, "{path}: {body}");
        out.push(body);
    }
    out
}

#[tokio::test]
async fn tenant_a_cannot_reach_tenant_b_over_the_api() {
    let Some(t) = tenants().await else { return };
    let client = t.client();
    // A has one record of each kind, B several: B's higher ids do not exist at A.
    let a_contact =
        json!({"name": "Kunde von A", "street": "Weg 1", "postal_code": "10115", "city": "Berlin"});
    let (s, body) = call(
        &client,
        Method::POST,
        &t.url(Some("alpha"), "/api/v1/contacts"),
        Some(&t.token_a),
        Some(&a_contact),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let b_ids = seed_b(&t, &client).await;
    let before = snapshot_b(&t, &client).await;
    assert!(
        before.iter().any(|b| b.contains(B_MARKER)),
        "B sees its own data"
    );

    // Every route with an id, from the API's own description.
    let (s, spec) = call(
        &client,
        Method::GET,
        &t.url(Some("alpha"), "/api/v1/openapi.json"),
        Some(&t.token_a),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let spec: Value = serde_json::from_str(&spec).unwrap();
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        if !path.contains("{id}") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    assert!(routes.len() >= 20, "routes with ids: {routes:?}");
    let today = today();
    let body_for = |path: &str| -> Value {
        if path.ends_with("/payments") {
            json!({"amount": "1", "note": "A"})
        } else if path.ends_with("/derive") {
            json!({"type": "credit_note"})
        } else if path.ends_with("/outcome") {
            json!({"outcome": "accepted"})
        } else if path.ends_with("/reverse") || path.ends_with("/reject") {
            json!({"reason": "von A"})
        } else if path.ends_with("/check") {
            json!({"seller_name": "von A", "number": "A-1", "issue_date": today, "due": "1"})
        } else if path.ends_with("/cancel")
            || path.ends_with("/issue")
            || path.ends_with("/archive")
            || path.ends_with("/approve")
        {
            json!({})
        } else if path.contains("/contacts/") {
            json!({"name": "von A überschrieben", "street": "x", "postal_code": "1", "city": "x"})
        } else if path.contains("/articles/") {
            json!({"name": "von A", "unit": "HUR", "unit_price": "1", "vat_rate": "19"})
        } else {
            json!({
                "type": "invoice", "contact_id": 1, "date": today, "delivery_date": today,
                "lines": [{"description": "von A", "quantity": "1", "unit": "HUR", "unit_price": "1", "vat_rate": "19"}]
            })
        }
    };
    let max_a_id = 1; // A created exactly one contact and nothing else
    let mut tried = 0;
    for (method, path) in &routes {
        let full = if path.starts_with("/api/v1") {
            path.clone()
        } else {
            format!("/api/v1{path}")
        };
        let kind = full
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        for (b_kind, id) in b_ids.iter().filter(|(k, _)| *k == kind) {
            let url_path = full
                .replace("{id}", &id.to_string())
                .replace("{payment_id}", "1")
                .replace("{index}", "0");
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| body_for(&full));
            // At A's host with A's token: B's ids are either missing at A or A's own records.
            let (status, text) = call(
                &client,
                method.clone(),
                &t.url(Some("alpha"), &url_path),
                Some(&t.token_a),
                body.as_ref(),
            )
            .await;
            assert!(
                !text.contains(B_MARKER),
                "{method} {url_path} leaked B: {text}"
            );
            if *id > max_a_id || *b_kind != "contacts" {
                assert!(
                    status == 404 || status == 403,
                    "{method} {url_path} (B's {b_kind} {id}) at A answered {status}: {text}"
                );
            }
            // A's token at B's host, and A's token naming B by header: not authenticated there.
            let (status, text) = call(
                &client,
                method.clone(),
                &t.url(Some("beta"), &url_path),
                Some(&t.token_a),
                body.as_ref(),
            )
            .await;
            assert_eq!(
                status, 401,
                "{method} {url_path} at B with A's token: {text}"
            );
            assert!(!text.contains(B_MARKER));
            let mut forged = client
                .request(method.clone(), t.url(None, &url_path))
                .bearer_auth(&t.token_a)
                .header("x-kontor-tenant", "beta");
            if let Some(b) = &body {
                forged = forged.json(b);
            }
            let response = forged.send().await.unwrap();
            assert_eq!(
                response.status().as_u16(),
                401,
                "{method} {url_path} with X-Kontor-Tenant: beta"
            );
            tried += 1;
        }
    }
    assert!(tried >= 60, "only {tried} attempts");
    // Lists at A show none of B.
    for path in [
        "/contacts",
        "/articles",
        "/documents",
        "/open-items",
        "/company",
    ] {
        let (s, text) = call(
            &client,
            Method::GET,
            &t.url(Some("alpha"), &format!("/api/v1{path}")),
            Some(&t.token_a),
            None,
        )
        .await;
        assert_eq!(s, 200, "{path}");
        assert!(!text.contains(B_MARKER), "{path} at A: {text}");
    }
    // Unknown tenants and forged hosts.
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(Some("nobody"), "/api/v1/contacts"),
        Some(&t.token_a),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(None, "/api/v1/contacts"),
        Some(&t.token_a),
        None,
    )
    .await;
    assert_eq!(s, 404, "no tenant named at all");
    for host in [
        format!("beta.{BASE}.evil.example"),
        format!("x.beta.{BASE}"),
        "beta".to_string(),
    ] {
        let response = client
            .get(t.url(None, "/api/v1/contacts"))
            .bearer_auth(&t.token_b)
            .header("host", host.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            404,
            "host {host} must not reach beta"
        );
    }

    assert_eq!(snapshot_b(&t, &client).await, before, "B's data changed");
    t.a.close().await;
    t.b.close().await;
}

#[tokio::test]
async fn sessions_belong_to_their_tenant() {
    let Some(t) = tenants().await else { return };
    let client = t.client();
    let b_ids = seed_b(&t, &client).await;

    // Log in to A through the login form's tenant field (no tenant host).
    let (s, page) = call(&client, Method::GET, &t.url(None, "/login"), None, None).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("name=\"tenant\""),
        "login form has a tenant field"
    );
    // Wrong tenant, unknown tenant, wrong password: one answer.
    let mut failures = Vec::new();
    for (tenant, user) in [
        ("beta", "alice"),
        ("nobody", "alice"),
        ("alpha", "bob"),
        ("'; drop schema x; --", "alice"),
    ] {
        let response = client
            .post(t.url(None, "/login"))
            .form(&[
                ("tenant", tenant),
                ("username", user),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{tenant}/{user}");
        let text = response.text().await.unwrap();
        let escaped = tenant.replace('\'', "&#39;");
        failures.push(
            text.replace(&escaped, "")
                .replace(tenant, "")
                .replace(user, ""),
        );
    }
    assert!(
        failures.windows(2).all(|w| w[0] == w[1]),
        "failed logins differ: {failures:#?}"
    );
    let response = client
        .post(t.url(None, "/login"))
        .form(&[
            ("tenant", "alpha"),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find_map(|c| c.strip_prefix("kontor_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("kontor_tenant=alpha;")),
        "{cookies:?}"
    );
    let (s, home) = call(&client, Method::GET, &t.url(None, "/"), None, None).await;
    assert_eq!(s, 200, "logged in at A");
    assert!(!home.contains(B_MARKER));

    // A's session on every page with B's ids: 404 at A (A has no such records), never B's data.
    let plain = t.client_with(false);
    let with_session = |tenant: &str| format!("kontor_session={session}; kontor_tenant={tenant}");
    for (kind, id) in &b_ids {
        let mut paths = vec![format!("/{kind}/{id}")];
        if kind == "documents" {
            paths.push(format!("/documents/{id}/pdf"));
            paths.push(format!("/documents/{id}/xrechnung"));
        }
        for path in paths {
            let response = plain
                .get(t.url(None, &path))
                .header("cookie", with_session("alpha"))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert!(!text.contains(B_MARKER), "{path}: {text}");
            if *id > 1 || kind != "contacts" {
                assert_eq!(status, 404, "{path} at A");
            }
            // The same session cookie with the tenant cookie forged to B: not logged in there.
            let response = plain
                .get(t.url(None, &path))
                .header("cookie", with_session("beta"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status().as_u16(),
                303,
                "{path} with forged tenant cookie"
            );
            assert_eq!(response.headers()["location"], "/login");
            // And at B's host name.
            let response = plain
                .get(t.url(Some("beta"), &path))
                .header("cookie", format!("kontor_session={session}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 303, "{path} at beta's host");
        }
    }
    // State-changing pages at B with A's session and a CSRF token from A: refused as logged out.
    for path in [
        "/contacts",
        "/documents/2/delete",
        "/documents/2/issue",
        "/settings/company",
    ] {
        let response = plain
            .post(t.url(Some("beta"), path))
            .header("cookie", format!("kontor_session={session}"))
            .form(&[("_csrf", "x"), ("name", "A war hier")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "POST {path} at beta");
    }
    let (s, _) = call(&plain, Method::GET, &t.url(Some("nobody"), "/"), None, None).await;
    assert_eq!(s, 404, "unknown tenant host");

    // Suspending A ends A's access at once; B is untouched.
    t.provisioner.suspend("alpha").await.unwrap();
    let response = plain
        .get(t.url(None, "/"))
        .header("cookie", with_session("alpha"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403, "suspended tenant");
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(Some("alpha"), "/api/v1/contacts"),
        Some(&t.token_a),
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(Some("beta"), "/api/v1/contacts"),
        Some(&t.token_b),
        None,
    )
    .await;
    assert_eq!(s, 200);
    t.provisioner.resume("alpha").await.unwrap();
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(Some("alpha"), "/api/v1/contacts"),
        Some(&t.token_a),
        None,
    )
    .await;
    assert_eq!(s, 200, "resumed");
}

#[tokio::test]
async fn the_operator_api_runs_the_tenant_lifecycle() {
    let Some(t) = tenants().await else { return };
    let client = t.client();
    let op = |path: &str| t.url(None, &format!("/operator/v1{path}"));
    // No token, a wrong token, a tenant's token: refused.
    for token in [None, Some("wrong"), Some(t.token_a.as_str())] {
        let (s, _) = call(&client, Method::GET, &op("/tenants"), token, None).await;
        assert_eq!(s, 401, "{token:?}");
    }
    let tok = Some(OPERATOR_TOKEN);
    let (s, body) = call(&client, Method::GET, &op("/tenants"), tok, None).await;
    assert_eq!(s, 200, "{body}");
    let names: Vec<String> = serde_json::from_str::<Value>(&body).unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);

    let new =
        json!({"name": "gamma", "display_name": "Gamma KG", "admin": "gina", "password": PASSWORD});
    let (s, body) = call(&client, Method::POST, &op("/tenants"), tok, Some(&new)).await;
    assert_eq!(s, 201, "{body}");
    let (s, body) = call(&client, Method::POST, &op("/tenants"), tok, Some(&new)).await;
    assert_eq!(s, 409, "{body}");
    let bad = json!({"name": "Bad Name", "admin": "gina", "password": PASSWORD});
    let (s, body) = call(&client, Method::POST, &op("/tenants"), tok, Some(&bad)).await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("\"field\":\"tenant\""), "{body}");
    let weak = json!({"name": "delta", "admin": "dora", "password": "short"});
    let (s, body) = call(&client, Method::POST, &op("/tenants"), tok, Some(&weak)).await;
    assert_eq!(s, 422, "{body}");
    let (s, _) = call(&client, Method::GET, &op("/tenants/delta"), tok, None).await;
    assert_eq!(s, 404, "nothing made for a refused request");

    // The new tenant's admin logs in at its host.
    let response = client
        .post(t.url(Some("gamma"), "/login"))
        .form(&[("username", "gina"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);

    let (s, body) = call(
        &client,
        Method::POST,
        &op("/tenants/gamma/suspend"),
        tok,
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _) = call(&client, Method::GET, &t.url(Some("gamma"), "/"), None, None).await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &client,
        Method::DELETE,
        &op("/tenants/gamma?confirm=gamma"),
        tok,
        None,
    )
    .await;
    assert_eq!(s, 409, "delete before export");
    let response = client
        .get(op("/tenants/gamma/export"))
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let zip = response.bytes().await.unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let (s, _) = call(&client, Method::DELETE, &op("/tenants/gamma"), tok, None).await;
    assert_eq!(s, 422, "delete without confirmation");
    let (s, body) = call(
        &client,
        Method::DELETE,
        &op("/tenants/gamma?confirm=gamma"),
        tok,
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("\"state\":\"deleted\""), "{body}");
    let (s, _) = call(
        &client,
        Method::GET,
        &t.url(Some("gamma"), "/login"),
        None,
        None,
    )
    .await;
    assert_eq!(s, 404, "a deleted tenant is unknown");
    let (s, body) = call(&client, Method::POST, &op("/migrate"), tok, None).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("\"current\":2"), "{body}");
}

/// A tenant's admin learns that the operator backs up the installation; the tenant can neither
/// see the operator's targets nor start a run.
#[tokio::test]
async fn backups_are_the_operators_business_in_the_cloud() {
    let Some(t) = tenants().await else { return };
    let client = t.client();
    let url = t.url(Some("alpha"), "/api/v1/backups");
    let (s, body) = call(&client, Method::GET, &url, Some(&t.token_a), None).await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["hosted"], true);
    assert_eq!(v["targets"], serde_json::json!([]));
    assert_eq!(v["runs"], serde_json::json!([]));
    let (s, body) = call(&client, Method::POST, &url, Some(&t.token_a), None).await;
    assert_eq!(s, 409, "{body}");
    assert!(body.contains("\"hosted\""), "{body}");
}

/// The instance reads each tenant's own mailbox on its schedule: B's invoice lands at B, A
/// (without a mailbox) gets nothing, and B's mailbox is read once.
#[tokio::test]
async fn each_tenants_mailbox_is_read_on_schedule_into_that_tenant() {
    use kontor_testkit::dovecot::{Dovecot, IMAP_PASSWORD, IMAP_USER};
    let Some(installation) = TestInstallation::new("cloud mailbox rounds") else {
        return;
    };
    let provisioner = installation.provisioner().await;
    let (_a, token_a) = installation
        .tenant(&provisioner, "alpha", "Alpha GmbH", "alice")
        .await;
    let (_b, token_b) = installation
        .tenant(&provisioner, "beta", "Beta GmbH", "bob")
        .await;
    let server = Dovecot::start();
    let ubl = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/einvoice/examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml",
    ))
    .expect("the official example beside the repository");
    let mut mail = String::from(
        "From: Lieferant <rechnung@lieferant.example>\r\nSubject: Rechnung\r\nMessage-ID: <cloud@lieferant.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         Anbei.\r\n--b\r\nContent-Type: application/xml\r\nContent-Disposition: attachment; filename=\"r.xml\"\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    mail.extend_from_slice(&ubl);
    mail.extend_from_slice(b"\r\n--b--\r\n");
    server.deliver(&mail);

    let config = CloudConfig {
        base_domain: Some(BASE.into()),
        mailbox_tick: std::time::Duration::from_millis(300),
        ..CloudConfig::default()
    };
    let addr = installation.serve(config, None).await;
    let client = reqwest::Client::builder()
        .resolve(&format!("alpha.{BASE}"), addr)
        .resolve(&format!("beta.{BASE}"), addr)
        .build()
        .unwrap();
    let url = |host: &str, path: &str| format!("http://{host}.{BASE}:{}{path}", addr.port());
    let settings = json!({
        "host": "127.0.0.1", "port": server.imap_port, "security": "starttls",
        "username": IMAP_USER, "password": IMAP_PASSWORD, "ca_certificate": server.ca_pem,
        "interval_minutes": 10,
    });
    let (s, body) = call(
        &client,
        Method::PUT,
        &url("beta", "/api/v1/settings/mailbox"),
        Some(&token_b),
        Some(&settings),
    )
    .await;
    assert_eq!(s, 200, "{body}");

    let mut received = Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (s, body) = call(
            &client,
            Method::GET,
            &url("beta", "/api/v1/incoming"),
            Some(&token_b),
            None,
        )
        .await;
        assert_eq!(s, 200, "{body}");
        received = serde_json::from_str(&body).unwrap();
        if received["total"] == 1 {
            break;
        }
    }
    assert_eq!(received["total"], 1, "B's invoice arrived at B: {received}");
    assert_eq!(received["items"][0]["source"], "mailbox");
    assert_eq!(server.count("INBOX"), 0, "the mail was filed");
    // Further rounds within the interval read nothing again.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let (_, body) = call(
        &client,
        Method::GET,
        &url("beta", "/api/v1/incoming/mailbox/report"),
        Some(&token_b),
        None,
    )
    .await;
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    let (s, body) = call(
        &client,
        Method::GET,
        &url("alpha", "/api/v1/incoming"),
        Some(&token_a),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let at_a: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(at_a["total"], 0, "nothing reached A: {at_a}");
}
