//! The mailbox through the API: settings with a write-only password (admin only), a run on
//! request against a real dovecot (accountant or above), and its report.

use std::collections::BTreeSet;

use kontor_app::model::Role;
use kontor_testkit::TestApp;
use kontor_testkit::dovecot::{Dovecot, IMAP_PASSWORD, IMAP_USER};
use reqwest::Method;
use serde_json::json;

fn ubl() -> Vec<u8> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/einvoice/examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml",
    );
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A one-invoice mail (the XML as an 8-bit part: dovecot keeps it as it is).
fn mail() -> Vec<u8> {
    let mut raw = b"From: Lieferant GmbH <rechnung@lieferant.example>\r\n\
        Subject: Rechnung 4711\r\n\
        Message-ID: <api@lieferant.example>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        Anbei die Rechnung.\r\n\
        --b\r\n\
        Content-Type: application/xml\r\n\
        Content-Disposition: attachment; filename=\"rechnung.xml\"\r\n\
        Content-Transfer-Encoding: 8bit\r\n\
        \r\n"
        .to_vec();
    raw.extend_from_slice(&ubl());
    raw.extend_from_slice(b"\r\n--b--\r\n");
    raw
}

#[tokio::test]
async fn the_settings_keep_the_password_to_themselves() {
    let app = TestApp::spawn().await;
    let empty = app.get("/api/v1/settings/mailbox").await.expect(200);
    assert_eq!(empty["configured"], false);
    assert_eq!(empty["password_set"], false);
    assert_eq!(empty["folder_imported"], "Kontor/Importiert");
    assert_eq!(empty["interval_minutes"], 10);

    let saved = app
        .put(
            "/api/v1/settings/mailbox",
            json!({"host": "imap.example.com", "username": "rechnungseingang@example.com", "password": "Geheim-123"}),
        )
        .await
        .expect(200);
    assert_eq!(saved["configured"], true);
    assert_eq!(saved["password_set"], true);
    assert_eq!(saved["port"], 993);
    assert_eq!(saved["security"], "imaps");
    assert!(saved.get("password").is_none(), "{saved}");
    // Saved again without a password: the stored one stays.
    let again = app
        .put(
            "/api/v1/settings/mailbox",
            json!({"host": "imap.example.com", "username": "rechnungseingang@example.com", "security": "starttls", "password": ""}),
        )
        .await
        .expect(200);
    assert_eq!(
        (again["password_set"].clone(), again["port"].clone()),
        (json!(true), json!(143))
    );
    let shown = app.get("/api/v1/settings/mailbox").await.expect(200);
    assert!(!shown.to_string().contains("Geheim-123"));

    // Field-named refusals.
    app.put(
        "/api/v1/settings/mailbox",
        json!({"host": "imap.example.com", "username": "x", "security": "plain"}),
    )
    .await
    .expect_error(422, "invalid", Some("security"));
    app.put(
        "/api/v1/settings/mailbox",
        json!({"host": "imap.example.com", "username": "x", "ca_certificate": "nonsense"}),
    )
    .await
    .expect_error(422, "invalid", Some("ca_certificate"));

    // Admins only.
    let accountant = app.token_for(Role::Accountant).await;
    app.as_user(&accountant, Method::GET, "/api/v1/settings/mailbox", None)
        .await
        .expect_error(403, "forbidden", None);
}

#[tokio::test]
async fn a_run_on_request_imports_and_reports() {
    let app = TestApp::spawn().await;
    let sales = app.token_for(Role::Sales).await;
    let accountant = app.token_for(Role::Accountant).await;
    app.as_user(
        &accountant,
        Method::POST,
        "/api/v1/incoming/mailbox/poll",
        None,
    )
    .await
    .expect_error(409, "mailbox_not_configured", None);
    app.get("/api/v1/incoming/mailbox/report")
        .await
        .expect_error(404, "not_found", None);

    let server = Dovecot::start();
    server.deliver(&mail());
    app.put(
        "/api/v1/settings/mailbox",
        json!({
            "host": "127.0.0.1", "port": server.imaps_port, "username": IMAP_USER,
            "password": IMAP_PASSWORD, "ca_certificate": server.ca_pem,
        }),
    )
    .await
    .expect(200);
    app.as_user(&sales, Method::POST, "/api/v1/incoming/mailbox/poll", None)
        .await
        .expect_error(403, "forbidden", None);
    let report = app
        .as_user(
            &accountant,
            Method::POST,
            "/api/v1/incoming/mailbox/poll",
            None,
        )
        .await
        .expect(200);
    assert_eq!(report["imported"], 1, "{report}\n{}", server.log());
    assert_eq!(report["mails"][0]["outcome"], "imported");
    assert_eq!(report["mails"][0]["folder"], "Kontor/Importiert");
    assert_eq!(report["started_by"], "token:accountant-user/tests");
    let id = report["mails"][0]["attachments"][0]["incoming_id"]
        .as_i64()
        .unwrap();
    let invoice = app.get(&format!("/api/v1/incoming/{id}")).await.expect(200);
    assert_eq!(invoice["source"], "mailbox");
    let last = app.get("/api/v1/incoming/mailbox/report").await.expect(200);
    assert_eq!(last, report);
    // The OpenAPI document describes the report as it is.
    let spec = app.get("/api/v1/openapi.json").await.expect(200);
    for (schema, sample) in [
        ("MailboxReport", &report),
        ("MailboxMail", &report["mails"][0]),
        ("MailboxAttachment", &report["mails"][0]["attachments"][0]),
    ] {
        let declared: BTreeSet<&String> = spec["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        let sent: BTreeSet<&String> = sample.as_object().unwrap().keys().collect();
        assert_eq!(declared, sent, "{schema}");
    }
    assert_eq!(server.count("Kontor/Importiert"), 1);

    // A wrong password: 409 naming the server; the report says the run failed.
    app.put(
        "/api/v1/settings/mailbox",
        json!({
            "host": "127.0.0.1", "port": server.imaps_port, "username": IMAP_USER,
            "password": "falsch-falsch", "ca_certificate": server.ca_pem,
        }),
    )
    .await
    .expect(200);
    let refused = app
        .post("/api/v1/incoming/mailbox/poll", json!({}))
        .await
        .expect_error(409, "mailbox_login_failed", None);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{}", server.imaps_port)),
        "{refused}"
    );
    assert!(!refused.to_string().contains("falsch-falsch"));
    let last = app.get("/api/v1/incoming/mailbox/report").await.expect(200);
    assert_eq!(last["failed"], true);
}
