//! The mailbox on the pages: its settings section (admin; the password never shown), "check
//! mailbox now" on the settings page and on the received invoices (accountant or above), and
//! the last run's report on both.

use kontor_storage::Role;
use kontor_testkit::dovecot::{Dovecot, IMAP_PASSWORD, IMAP_USER};
use kontor_testkit::{TestApp, location};

/// A mail without an e-invoice, and one with an invoice (8-bit XML part).
fn mails() -> (Vec<u8>, Vec<u8>) {
    let question = b"From: Lieferant GmbH <rechnung@lieferant.example>\r\n\
        Subject: Frage zur Bestellung\r\n\
        Message-ID: <question@lieferant.example>\r\n\
        \r\n\
        Wann darf ich liefern?\r\n"
        .to_vec();
    let ubl = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/einvoice/examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml",
    ))
    .unwrap();
    let mut invoice = b"From: Lieferant GmbH <rechnung@lieferant.example>\r\n\
        Subject: Rechnung 4711\r\n\
        Message-ID: <invoice@lieferant.example>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: application/xml\r\n\
        Content-Disposition: attachment; filename=\"rechnung.xml\"\r\n\
        \r\n"
        .to_vec();
    invoice.extend_from_slice(&ubl);
    (question, invoice)
}

#[tokio::test]
async fn the_settings_page_sets_up_and_reads_the_mailbox() {
    let app = TestApp::spawn().await;
    let server = Dovecot::start();
    let (question, invoice) = mails();
    server.deliver(&question);
    server.deliver(&invoice);
    let (b, csrf) = app.login_as("postfach-admin", Role::Admin).await;
    let page = b.text("/settings").await;
    assert!(page.contains("id=\"mailbox-form\""), "{page}");
    assert!(page.contains("Kontor/Ohne Rechnung"));
    assert!(
        !page.contains("id=\"mailbox-poll\""),
        "no button before a mailbox is set up"
    );

    // Plain to another machine is refused at its field, with what was typed kept.
    let port = server.imaps_port.to_string();
    let refused = b
        .submit(
            "/settings/mailbox",
            &csrf,
            &[
                ("host", "imap.example.com"),
                ("security", "plain"),
                ("username", IMAP_USER),
                ("password", IMAP_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"me-security\""), "{html}");
    assert!(html.contains("value=\"imap.example.com\""));
    assert!(!html.contains(IMAP_PASSWORD));
    let refused = b
        .submit(
            "/settings/mailbox",
            &csrf,
            &[
                ("host", "127.0.0.1"),
                ("port", "neun"),
                ("username", IMAP_USER),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("id=\"me-port\""));

    let saved = b
        .submit(
            "/settings/mailbox",
            &csrf,
            &[
                ("host", "127.0.0.1"),
                ("port", &port),
                ("security", "imaps"),
                ("username", IMAP_USER),
                ("password", IMAP_PASSWORD),
                ("interval_minutes", "0"),
                ("ca_certificate", &server.ca_pem),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/settings?saved=1#mailbox");
    let page = b.text("/settings").await;
    assert!(!page.contains(IMAP_PASSWORD), "the password is never shown");
    assert!(page.contains("Ein Passwort ist gespeichert"));
    assert!(page.contains("id=\"mailbox-poll\""));
    assert!(page.contains("Das Postfach wurde noch nicht abgerufen."));

    let polled = b.submit("/settings/mailbox/poll", &csrf, &[]).await;
    assert_eq!(polled.status(), 303, "{}", server.log());
    let page = b.text("/settings").await;
    assert!(
        page.contains("2 Mail(s) gelesen, 1 Rechnung(en) übernommen"),
        "{page}"
    );
    assert!(
        page.contains("Frage zur Bestellung"),
        "mail without an e-invoice is listed"
    );
    assert_eq!(server.count("Kontor/Importiert"), 1);
    assert_eq!(server.count("Kontor/Ohne Rechnung"), 1);

    // Saved again without a password: the stored one stays and still logs in.
    let saved = b
        .submit(
            "/settings/mailbox",
            &csrf,
            &[
                ("host", "127.0.0.1"),
                ("port", &port),
                ("username", IMAP_USER),
                ("password", ""),
                ("ca_certificate", &server.ca_pem),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        b.submit("/settings/mailbox/poll", &csrf, &[])
            .await
            .status(),
        303
    );

    // A refused login is shown on the page, naming the server.
    let wrong = b
        .submit(
            "/settings/mailbox",
            &csrf,
            &[
                ("host", "127.0.0.1"),
                ("port", &port),
                ("username", IMAP_USER),
                ("password", "falsch-falsch"),
                ("ca_certificate", &server.ca_pem),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 303);
    let failed = b.submit("/settings/mailbox/poll", &csrf, &[]).await;
    assert_eq!(failed.status(), 422);
    let html = failed.text().await.unwrap();
    assert!(html.contains("id=\"mailbox-poll-error\""), "{html}");
    assert!(html.contains(&format!("127.0.0.1:{port}")), "{html}");
    assert!(!html.contains("falsch-falsch"));
}

#[tokio::test]
async fn the_received_invoices_show_the_last_run_and_accountants_read_the_mailbox() {
    let app = TestApp::spawn().await;
    let server = Dovecot::start();
    let (question, invoice) = mails();
    server.deliver(&invoice);
    let (admin, admin_csrf) = app.login_as("postfach-admin", Role::Admin).await;
    let saved = admin
        .submit(
            "/settings/mailbox",
            &admin_csrf,
            &[
                ("host", "127.0.0.1"),
                ("port", &server.imap_port.to_string()),
                ("security", "starttls"),
                ("username", IMAP_USER),
                ("password", IMAP_PASSWORD),
                ("ca_certificate", &server.ca_pem),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);

    let (sales, sales_csrf) = app.login_as("verkauf", Role::Sales).await;
    let page = sales.text("/incoming").await;
    assert!(
        page.contains("Das Postfach wurde noch nicht abgerufen."),
        "{page}"
    );
    assert!(!page.contains("id=\"mailbox-poll\""));
    let r = sales
        .submit("/incoming/mailbox/poll", &sales_csrf, &[])
        .await;
    assert_eq!(r.status(), 403);

    let (b, csrf) = app.login_as("buchhaltung", Role::Accountant).await;
    let page = b.text("/incoming").await;
    assert!(page.contains("Postfach jetzt abrufen"));
    assert!(
        !page.contains("id=\"mailbox-settings\""),
        "the settings are for admins"
    );
    let r = b.submit("/incoming/mailbox/poll", &csrf, &[]).await;
    assert_eq!(r.status(), 303, "{}", server.log());
    assert_eq!(location(&r), "/incoming#mailbox-run");
    server.deliver(&question);
    assert_eq!(
        b.submit("/incoming/mailbox/poll", &csrf, &[])
            .await
            .status(),
        303
    );
    let page = b.text("/incoming").await;
    assert!(page.contains("1 Mail(s) gelesen"), "{page}");
    assert!(page.contains("id=\"mailbox-without\""));
    assert!(page.contains("Frage zur Bestellung"));
    assert!(page.contains("rechnung@lieferant.example"));
    // The invoice of the first run is in the list.
    assert!(page.contains("id=\"incoming-"), "{page}");
    let page = admin.text("/incoming").await;
    assert!(page.contains("id=\"mailbox-settings\""));
}
