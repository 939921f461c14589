//! `serve_tls` on 127.0.0.1 with a certificate made at test time: protocol versions, HSTS,
//! `__Host-` cookies, certificate reload, the redirect listener, trusted proxies, and the
//! security headers on pages, API and error responses.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kontor_storage::{Actor, Role};
use kontor_testkit::tls::write_self_signed;
use kontor_testkit::{PASSWORD, TestApp};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::trusted_localhost;

fn client(
    trust: &CertificateDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trust.clone()).expect("root");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(versions)
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

struct Answer {
    head: String,
    body: String,
    version: Option<rustls::ProtocolVersion>,
    suite: String,
    peer: Vec<u8>,
}

/// One HTTP/1.1 request over TLS (Connection: close), read to the end.
async fn https(
    addr: SocketAddr,
    connector: &tokio_rustls::TlsConnector,
    request: &str,
) -> std::io::Result<Answer> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await?;
    let (_, conn) = tls.get_ref();
    let version = conn.protocol_version();
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let peer = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default();
    tls.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(e),
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok(Answer {
        head: head.to_lowercase(),
        body: body.to_string(),
        version,
        suite,
        peer,
    })
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn tls_13_and_12_with_aead_only_hsts_and_host_cookies() {
    let app = TestApp::builder().first_run().tls().spawn().await;
    let cert = app.tls().cert.clone();
    let v13 = https(
        app.addr,
        &client(&cert, &[&rustls::version::TLS13]),
        &get("/healthz"),
    )
    .await
    .expect("TLS 1.3");
    assert_eq!(v13.version, Some(rustls::ProtocolVersion::TLSv1_3));
    assert!(v13.head.starts_with("http/1.1 200"), "{}", v13.head);
    assert_eq!(v13.body, "ok");
    assert!(
        v13.head
            .contains("strict-transport-security: max-age=31536000; includesubdomains"),
        "HSTS of at least a year: {}",
        v13.head
    );

    let v12 = https(
        app.addr,
        &client(&cert, &[&rustls::version::TLS12]),
        &get("/healthz"),
    )
    .await
    .expect("TLS 1.2");
    assert_eq!(v12.version, Some(rustls::ProtocolVersion::TLSv1_2));
    assert!(
        v12.suite.starts_with("TLS_ECDHE_")
            && (v12.suite.contains("GCM") || v12.suite.contains("CHACHA20")),
        "forward-secret AEAD suite on TLS 1.2: {}",
        v12.suite
    );

    // Over TLS the session cookie is __Host- prefixed, Secure, HttpOnly, SameSite.
    app.store
        .create_user(&Actor::system(), "anna", PASSWORD, Role::Admin)
        .await
        .expect("user");
    let body = format!("username=anna&password={}", PASSWORD.replace(' ', "+"));
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let r = https(app.addr, &client(&cert, &[&rustls::version::TLS13]), &login)
        .await
        .expect("login");
    assert!(r.head.starts_with("http/1.1 303"), "{}", r.head);
    let cookie = r
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie: __host-kontor_session="))
        .unwrap_or_else(|| panic!("__Host- session cookie in {}", r.head));
    for flag in ["; secure", "; httponly", "; samesite=lax", "; path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("domain="), "{cookie}");
}

#[tokio::test]
async fn certificate_is_reloaded_when_the_files_change() {
    let app = TestApp::builder().first_run().tls().spawn().await;
    let first = app.tls().cert.clone();
    let a = https(
        app.addr,
        &client(&first, &[&rustls::version::TLS13]),
        &get("/healthz"),
    )
    .await
    .expect("first certificate");
    assert_eq!(a.peer, first.to_vec());
    // Let the modification time move on, then renew the files like certbot does.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = write_self_signed(app.tls().dir.path());
    let mut served = Vec::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Ok(b) = https(
            app.addr,
            &client(&second, &[&rustls::version::TLS13]),
            &get("/healthz"),
        )
        .await
        {
            served = b.peer;
            break;
        }
    }
    assert_eq!(served, second.to_vec(), "the new certificate is served");
    // A broken renewal keeps the working certificate.
    std::fs::write(app.tls().dir.path().join("cert.pem"), "garbage").expect("write");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let c = https(
        app.addr,
        &client(&second, &[&rustls::version::TLS13]),
        &get("/healthz"),
    )
    .await
    .expect("still serving");
    assert_eq!(c.peer, second.to_vec());
}

#[tokio::test]
async fn plain_http_listener_only_redirects() {
    let app = TestApp::builder().first_run().tls().spawn().await;
    let b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = b
        .get(format!("http://{}/documents?page=2", app.tls().redirect))
        .header("host", "kontor.example:8080")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 308);
    assert_eq!(
        r.headers()["location"],
        format!(
            "https://kontor.example:{}/documents?page=2",
            app.addr.port()
        )
        .as_str()
    );
    // A form post is redirected too, never served over plain HTTP.
    let r = b
        .post(format!("http://{}/login", app.tls().redirect))
        .form(&[("username", "anna"), ("password", "x")])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 308);
    assert!(set_cookie_absent(&r));
}

fn set_cookie_absent(r: &reqwest::Response) -> bool {
    r.headers().get("set-cookie").is_none()
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    // Not trusted: a client claiming https gets neither HSTS nor a __Host- cookie.
    let app = TestApp::first_run().await;
    app.user("anna", Role::Admin).await;
    let b = app.browser();
    let r = b
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[("username", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("strict-transport-security").is_none());
    let cookies = kontor_testkit::set_cookies(&r);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("kontor_session=") && !c.contains("Secure")),
        "plain cookie on plain HTTP: {cookies:?}"
    );
    let sessions = app
        .store
        .user_sessions(
            app.store.user_by_name("anna").await.expect("u").id,
            Default::default(),
        )
        .await
        .expect("sessions");
    assert_eq!(
        sessions[0].client_ip, "127.0.0.1",
        "the forged address is ignored"
    );

    // Trusted (127.0.0.1 as the proxy): the forwarded scheme and client address count.
    let proxied = TestApp::builder()
        .first_run()
        .transport(trusted_localhost())
        .spawn()
        .await;
    proxied.user("anna", Role::Admin).await;
    let b = proxied.browser();
    let r = b
        .post(proxied.url("/login"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[("username", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("strict-transport-security").is_some());
    let cookies = kontor_testkit::set_cookies(&r);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-kontor_session=") && c.contains("; Secure")),
        "{cookies:?}"
    );
    let id = proxied.store.user_by_name("anna").await.expect("u").id;
    let sessions = proxied
        .store
        .user_sessions(id, Default::default())
        .await
        .expect("sessions");
    assert_eq!(sessions[0].client_ip, "203.0.113.7");
}

#[tokio::test]
async fn security_headers_on_pages_api_and_errors() {
    let app = TestApp::first_run().await;
    app.user("anna", Role::Admin).await;
    let b = app.browser();
    for path in [
        "/login",
        "/api/v1/company",
        "/api/v1/nothing",
        "/no-such-page",
        "/static/app.css",
        "/healthz",
    ] {
        let r = b.get(app.url(path)).send().await.expect("get");
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("CSP on {path}"));
        for part in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{part} in CSP of {path}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.get("referrer-policy").is_some(), "{path}");
        assert!(h.get("permissions-policy").is_some(), "{path}");
    }
}
