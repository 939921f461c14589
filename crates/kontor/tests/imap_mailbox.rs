//! Received invoices from an IMAP mailbox, against a real dovecot on 127.0.0.1 (started per
//! test by the test kit): e-invoices are imported, each mail lands in the folder of its
//! outcome, a mail fetched twice is imported once, and a wrong password or an untrusted
//! certificate fails clearly and changes nothing. Without dovecot these tests fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::PathBuf;

use kontor_app::App;
use kontor_app::incoming::PdfReader;
use kontor_app::incoming::mailbox::{
    AttachmentResult, MailboxInput, Outcome, PollReport, schedule,
};
use kontor_app::model::Actor;
use kontor_storage::IncomingQuery;
use kontor_testkit::TestStore;
use kontor_testkit::dovecot::{Dovecot, IMAP_PASSWORD, IMAP_USER};

const IMPORTED: &str = "Kontor/Importiert";
const FAULTY: &str = "Kontor/Fehlerhaft";
const WITHOUT: &str = "Kontor/Ohne Rechnung";

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/einvoice/examples")
}

fn example(path: &str) -> Vec<u8> {
    let file = examples().join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn ubl() -> Vec<u8> {
    example("xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml")
}

fn cii() -> Vec<u8> {
    example("xrechnung-testsuite-2026-01-31/business-cases/standard/01.02a-INVOICE_uncefact.xml")
}

fn broken() -> Vec<u8> {
    example("negative/ubl-wrong-payable-amount.xml")
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One attached file: its `Content-Disposition` parameter (`filename="…"` or an RFC 2231
/// `filename*=…`), content type and bytes.
struct File<'a> {
    disposition: &'a str,
    content_type: &'a str,
    bytes: Vec<u8>,
}

fn file<'a>(name: &'a str, content_type: &'a str, bytes: Vec<u8>) -> File<'a> {
    File {
        disposition: name,
        content_type,
        bytes,
    }
}

/// An RFC 5322 mail from a supplier with a text body and `files` attached.
fn mail(message_id: &str, subject: &str, files: &[File<'_>]) -> Vec<u8> {
    let mut raw = format!(
        "From: Lieferant GmbH <rechnung@lieferant.example>\r\n\
         To: {IMAP_USER}@kontor.example\r\n\
         Subject: {subject}\r\n\
         Date: Mon, 07 Dec 2026 09:00:00 +0100\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"kontor-boundary\"\r\n\
         \r\n\
         --kontor-boundary\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Sehr geehrte Damen und Herren, anbei unsere Rechnung.\r\n"
    );
    for f in files {
        raw.push_str(&format!(
            "--kontor-boundary\r\n\
             Content-Type: {}\r\n\
             Content-Disposition: attachment; {}\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             {}\r\n",
            f.content_type,
            f.disposition,
            base64(&f.bytes)
        ));
    }
    raw.push_str("--kontor-boundary--\r\n");
    raw.into_bytes()
}

/// The app on a fresh store (PDFs read in process: these tests send XML) and the store.
async fn app() -> (TestStore, App) {
    let test = TestStore::new().await.expect("store");
    let app = App::new(test.store.clone()).with_pdf_reader(PdfReader::InProcess);
    (test, app)
}

fn settings(server: &Dovecot, security: &str) -> MailboxInput {
    let port = if security == "imaps" {
        server.imaps_port
    } else {
        server.imap_port
    };
    MailboxInput {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: security.into(),
        username: IMAP_USER.into(),
        password: Some(IMAP_PASSWORD.into()),
        ca_certificate: server.ca_pem.clone(),
        ..MailboxInput::default()
    }
}

async fn configure(app: &App, input: MailboxInput) {
    app.incoming()
        .mailbox()
        .save(&Actor::user("chef"), input)
        .await
        .expect("mailbox settings");
}

async fn poll(app: &App, server: &Dovecot) -> PollReport {
    match app.incoming().mailbox().poll(&Actor::user("chef")).await {
        Ok(report) => report,
        Err(e) => panic!("poll failed: {e}\n{}", server.log()),
    }
}

async fn stored(app: &App) -> Vec<kontor_storage::Incoming> {
    let mut items = app
        .incoming()
        .list(&IncomingQuery::default())
        .await
        .unwrap()
        .items;
    items.sort_by_key(|i| i.id);
    items
}

#[tokio::test]
async fn a_mail_with_two_invoices_is_imported_over_imaps_and_filed() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    configure(&app, settings(&server, "imaps")).await;
    server.deliver(&mail(
        "two@lieferant.example",
        "Rechnungen 4711 und 4712",
        &[
            file(r#"filename="rechnung-ubl.xml""#, "application/xml", ubl()),
            file(
                r#"filename="rechnung-cii.xml""#,
                "text/xml; charset=utf-8",
                cii(),
            ),
        ],
    ));

    let report = poll(&app, &server).await;
    assert_eq!(report.mails_seen, 1, "{report:?}");
    assert_eq!(report.imported, 2, "{report:?}");
    assert_eq!(
        (report.duplicates, report.invalid, report.refused),
        (0, 0, 0)
    );
    assert!(report.errors.is_empty() && !report.failed, "{report:?}");
    let mail = &report.mails[0];
    assert_eq!(mail.outcome, Outcome::Imported);
    assert_eq!(mail.folder, IMPORTED);
    assert_eq!(mail.subject, "Rechnungen 4711 und 4712");
    assert_eq!(mail.from, "Lieferant GmbH <rechnung@lieferant.example>");
    assert!(
        mail.attachments
            .iter()
            .all(|a| a.result == AttachmentResult::Imported && a.incoming_id.is_some())
    );

    // Filed on the server: out of the INBOX, into the folder it created.
    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(server.count(IMPORTED), 1);

    let invoices = stored(&app).await;
    assert_eq!(invoices.len(), 2);
    assert!(invoices.iter().all(|i| i.source == "mailbox" && i.valid));
    // Byte-identical originals; the reference names the mail and the file.
    let original = app.incoming().original(invoices[0].id).await.unwrap();
    assert_eq!(original.bytes, ubl());
    assert_eq!(original.name, "rechnung-ubl.xml");
    assert!(
        invoices[0].source_ref.starts_with("two@lieferant.example/"),
        "{}",
        invoices[0].source_ref
    );
    assert_eq!(
        app.incoming().original(invoices[1].id).await.unwrap().bytes,
        cii()
    );

    // The report is kept for the pages and the API.
    let last = app.incoming().mailbox().last_report().await.unwrap();
    assert_eq!(last.as_ref(), Some(&report));

    // The password is nowhere to be read: not in the view, not in the audit log.
    let view = serde_json::to_string(&app.incoming().mailbox().view().await.unwrap()).unwrap();
    assert!(!view.contains(IMAP_PASSWORD) && view.contains("\"password_set\":true"));
    let audit = app
        .store()
        .audit_entries("setting", "mailbox", 10)
        .await
        .unwrap();
    assert!(!audit.is_empty());
    for entry in audit {
        let text = format!("{:?} {:?}", entry.old_value, entry.new_value);
        assert!(!text.contains(IMAP_PASSWORD), "{text}");
    }
}

#[tokio::test]
async fn a_broken_invoice_is_stored_with_findings_and_filed_as_faulty_over_starttls() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    configure(&app, settings(&server, "starttls")).await;
    server.deliver(&mail(
        "broken@lieferant.example",
        "Rechnung mit Fehler",
        &[file(
            r#"filename="falsch.xml""#,
            "application/xml",
            broken(),
        )],
    ));
    server.deliver(&mail(
        "notes@lieferant.example",
        "Lieferschein",
        &[file(
            r#"filename="lieferschein.xml""#,
            "application/xml",
            b"<?xml version=\"1.0\"?><Lieferschein><Nr>1</Nr></Lieferschein>".to_vec(),
        )],
    ));

    let report = poll(&app, &server).await;
    assert_eq!(report.mails_seen, 2, "{report:?}");
    assert_eq!(
        (report.imported, report.invalid, report.refused),
        (1, 1, 1),
        "{report:?}"
    );
    let by_subject = |s: &str| report.mails.iter().find(|m| m.subject == s).unwrap();
    let broken_mail = by_subject("Rechnung mit Fehler");
    assert_eq!(broken_mail.outcome, Outcome::Faulty);
    assert_eq!(broken_mail.attachments[0].result, AttachmentResult::Invalid);
    let refused = by_subject("Lieferschein");
    assert_eq!(refused.outcome, Outcome::Faulty);
    assert_eq!(refused.attachments[0].result, AttachmentResult::Refused);
    assert!(!refused.attachments[0].note.is_empty());

    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(server.count(FAULTY), 2);
    let invoices = stored(&app).await;
    assert_eq!(invoices.len(), 1, "only the invoice is stored");
    assert!(!invoices[0].valid);
    let detail = app.incoming().detail(invoices[0].id).await.unwrap();
    assert!(!detail.findings.is_empty());
}

#[tokio::test]
async fn a_mail_without_an_einvoice_is_reported_and_filed_over_plain_loopback() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    // Unencrypted, which is only allowed to this machine.
    configure(&app, settings(&server, "plain")).await;
    server.deliver(&mail(
        "question@lieferant.example",
        "Frage zur Bestellung",
        &[
            file(
                r#"filename="logo.png""#,
                "image/png",
                b"\x89PNG\r\n\x1a\nrest".to_vec(),
            ),
            file(
                r#"filename="rechnungen.zip""#,
                "application/zip",
                b"PK\x03\x04rest".to_vec(),
            ),
        ],
    ));

    let report = poll(&app, &server).await;
    assert_eq!(
        (report.mails_seen, report.without_invoice),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(report.imported, 0);
    let without: Vec<_> = report.mails_without_invoice().collect();
    assert_eq!(without.len(), 1);
    assert_eq!(without[0].subject, "Frage zur Bestellung");
    assert_eq!(
        without[0].from,
        "Lieferant GmbH <rechnung@lieferant.example>"
    );
    assert_eq!(without[0].folder, WITHOUT);
    // The ZIP is listed as not imported; the logo is not an invoice file and not listed.
    assert_eq!(without[0].attachments.len(), 1);
    assert_eq!(without[0].attachments[0].name, "rechnungen.zip");
    assert_eq!(without[0].attachments[0].result, AttachmentResult::Skipped);

    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(server.count(WITHOUT), 1);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn the_same_mail_delivered_twice_is_imported_once() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    configure(&app, settings(&server, "imaps")).await;
    let twice = mail(
        "again@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    );
    server.deliver(&twice);
    server.deliver(&twice);

    let report = poll(&app, &server).await;
    assert_eq!(report.mails_seen, 2, "{report:?}");
    assert_eq!((report.imported, report.duplicates), (1, 1), "{report:?}");
    assert!(report.mails.iter().all(|m| m.outcome == Outcome::Imported));
    assert_eq!(
        report.mails[1].attachments[0].result,
        AttachmentResult::Duplicate
    );
    assert_eq!(
        report.mails[0].attachments[0].incoming_id,
        report.mails[1].attachments[0].incoming_id
    );
    assert_eq!(server.count(IMPORTED), 2);
    assert_eq!(stored(&app).await.len(), 1);

    // Fetched again in a later run (put back by someone): still one invoice.
    server.deliver(&twice);
    let again = poll(&app, &server).await;
    assert_eq!((again.imported, again.duplicates), (0, 1), "{again:?}");
    assert_eq!(stored(&app).await.len(), 1);
    assert_eq!(server.count(IMPORTED), 3);

    // The schedule: a run is not due again within the interval (10 minutes by default).
    server.deliver(&twice);
    assert!(!schedule::poll_if_due(&app).await);
    assert_eq!(server.count("INBOX"), 1);
}

#[tokio::test]
async fn a_non_ascii_attachment_name_is_read() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    configure(&app, settings(&server, "imaps")).await;
    server.deliver(&mail(
        "umlaut@lieferant.example",
        "=?utf-8?q?Rechnung_f=C3=BCr_M=C3=A4rz?=",
        &[file(
            "filename*=utf-8''Rechnung%20M%C3%A4rz%202026.xml",
            "application/octet-stream",
            cii(),
        )],
    ));

    let report = poll(&app, &server).await;
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(report.mails[0].subject, "Rechnung für März");
    assert_eq!(
        report.mails[0].attachments[0].name,
        "Rechnung März 2026.xml"
    );
    let invoices = stored(&app).await;
    assert_eq!(invoices[0].original_name, "Rechnung März 2026.xml");
    assert_eq!(server.count(IMPORTED), 1);
}

#[tokio::test]
async fn a_wrong_password_fails_clearly_and_changes_nothing() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    let wrong = "ganz-falsches-Passwort";
    configure(
        &app,
        MailboxInput {
            password: Some(wrong.into()),
            ..settings(&server, "imaps")
        },
    )
    .await;
    server.deliver(&mail(
        "waiting@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    ));

    let e = app
        .incoming()
        .mailbox()
        .poll(&Actor::user("chef"))
        .await
        .unwrap_err();
    let message = e.to_string();
    assert_eq!(e.code().as_str(), "mailbox_login_failed", "{message}");
    assert!(
        message.contains(&format!("127.0.0.1:{}", server.imaps_port)),
        "{message}"
    );
    assert!(message.contains(IMAP_USER), "{message}");
    assert!(!message.contains(wrong), "{message}");
    // Nothing moved, no folder created, nothing stored; the failed run is reported.
    assert_eq!(server.count("INBOX"), 1);
    assert!(
        !server
            .dir()
            .join("home")
            .join(IMAP_USER)
            .join("Maildir/.Kontor.Importiert")
            .exists()
    );
    assert!(stored(&app).await.is_empty());
    let report = app
        .incoming()
        .mailbox()
        .last_report()
        .await
        .unwrap()
        .unwrap();
    assert!(report.failed);
    assert!(!format!("{report:?}").contains(wrong));
}

#[tokio::test]
async fn an_untrusted_certificate_or_a_closed_port_fails_with_the_server_named() {
    let server = Dovecot::start();
    let (_db, app) = app().await;
    server.deliver(&mail(
        "waiting@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    ));
    // Without the server's CA: the certificate is not trusted, for IMAPS and for STARTTLS.
    for security in ["imaps", "starttls"] {
        configure(
            &app,
            MailboxInput {
                ca_certificate: String::new(),
                ..settings(&server, security)
            },
        )
        .await;
        let e = app
            .incoming()
            .mailbox()
            .poll(&Actor::user("chef"))
            .await
            .unwrap_err();
        let message = e.to_string();
        assert_eq!(e.code().as_str(), "mailbox_unreachable", "{message}");
        assert!(message.contains("certificate"), "{message}");
    }
    // Nothing listens: the host and port are named.
    let closed = kontor_testkit::free_port();
    configure(
        &app,
        MailboxInput {
            port: Some(closed),
            ..settings(&server, "imaps")
        },
    )
    .await;
    let e = app
        .incoming()
        .mailbox()
        .poll(&Actor::user("chef"))
        .await
        .unwrap_err();
    assert_eq!(e.code().as_str(), "mailbox_unreachable");
    assert!(
        e.to_string().contains(&format!("127.0.0.1:{closed}")),
        "{e}"
    );
    assert_eq!(server.count("INBOX"), 1);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn kontor_incoming_poll_prints_the_report() {
    let server = Dovecot::start();
    let (db, app) = app().await;
    configure(&app, settings(&server, "imaps")).await;
    server.deliver(&mail(
        "cli@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    ));
    let mut kontor =
        kontor_testkit::Kontor::new(env!("CARGO_BIN_EXE_kontor")).args(["--database", &db.url]);
    if let Some(schema) = &db.schema {
        kontor = kontor.args(["--schema", schema]);
    }
    let out = kontor.run_async(&["incoming", "poll"], "").await;
    assert!(out.success(), "{}\n{}", out.stderr, server.log());
    let report: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(report["mails"][0]["folder"], IMPORTED);
    assert_eq!(report["started_by"], "cli");
    assert_eq!(server.count(IMPORTED), 1);

    // A wrong password: exit 1, the reason on stderr, the password nowhere.
    let wrong = "ganz-falsches-Passwort";
    configure(
        &app,
        MailboxInput {
            password: Some(wrong.into()),
            ..settings(&server, "imaps")
        },
    )
    .await;
    let out = kontor.run_async(&["incoming", "poll"], "").await;
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("refused the login"), "{}", out.stderr);
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
}

#[tokio::test]
async fn kontor_serve_reads_the_mailbox_on_its_schedule() {
    let server = Dovecot::start();
    let (db, app) = app().await;
    configure(&app, settings(&server, "starttls")).await;
    server.deliver(&mail(
        "serve@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    ));
    let data = tempfile::tempdir().unwrap();
    let mut kontor = kontor_testkit::Kontor::new(env!("CARGO_BIN_EXE_kontor"))
        .data_dir(data.path())
        .args(["--database", &db.url]);
    if let Some(schema) = &db.schema {
        kontor = kontor.args(["--schema", schema]);
    }
    let mut serving = kontor.serve(&[]).await;
    // The first look comes at start; the mail is filed within seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.count(IMPORTED) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no scheduled run within 30 s\n{}\n{}",
            serving.log(),
            server.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    serving.stop();
    let report = app
        .incoming()
        .mailbox()
        .last_report()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.started_by, "system");
    assert_eq!(report.imported, 1);
    assert_eq!(stored(&app).await.len(), 1);
    assert!(!serving.log().contains(IMAP_PASSWORD));
}

#[tokio::test]
async fn a_server_without_move_gets_copy_deleted_and_expunge() {
    let server = Dovecot::without_move();
    let (_db, app) = app().await;
    configure(&app, settings(&server, "imaps")).await;
    server.deliver(&mail(
        "copy@lieferant.example",
        "Rechnung 4711",
        &[file(r#"filename="rechnung.xml""#, "application/xml", ubl())],
    ));
    server.deliver(&mail("plain@lieferant.example", "Hallo", &[]));

    let report = poll(&app, &server).await;
    assert_eq!((report.mails_seen, report.imported), (2, 1), "{report:?}");
    assert_eq!(
        server.count("INBOX"),
        0,
        "copied mails are expunged from the INBOX"
    );
    assert_eq!(server.count(IMPORTED), 1);
    assert_eq!(server.count(WITHOUT), 1);
}
