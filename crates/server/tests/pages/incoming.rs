//! The received-invoices pages: upload of several files at once (multipart with CSRF), the
//! list with what is due this week, an invoice laid out readable with its findings, entering
//! a plain PDF by hand, approving (accountant only), paying; German and English; escaping.

use std::path::{Path, PathBuf};

use kontor_storage::Role;
use kontor_testkit::{Browser, TestApp, location};

fn example(path: &str) -> Vec<u8> {
    let dir: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/einvoice/examples");
    std::fs::read(dir.join(path)).expect("example file (../shared beside the repository)")
}

const UBL: &str = "xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml";
const CII: &str =
    "xrechnung-testsuite-2026-01-31/business-cases/standard/01.02a-INVOICE_uncefact.xml";

async fn upload(
    app: &TestApp,
    b: &Browser,
    csrf: &str,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("_csrf", csrf.to_string());
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    b.post(app.url("/incoming/upload"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn upload_several_files_then_read_approve_and_pay() {
    let app = TestApp::spawn().await;
    let (b, csrf) = app.login_as("buchhaltung", Role::Accountant).await;
    let list = app.text(&b, "/incoming").await;
    assert!(list.contains("Eingangsrechnungen"), "German by default");
    assert!(list.contains("id=\"incoming-upload\""), "the upload area");
    assert!(list.contains("multiple"), "several files at once");

    let r = upload(
        &app,
        &b,
        &csrf,
        &[
            ("rechnung-ubl.xml", example(UBL)),
            ("rechnung-cii.xml", example(CII)),
            ("notiz.txt", b"keine Rechnung".to_vec()),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("2 Datei(en) empfangen."), "{page}");
    assert!(
        page.contains("Nicht empfangen: notiz.txt"),
        "the refused file is named"
    );
    assert_eq!(page.matches("<tr id=\"incoming-").count(), 2, "two rows");

    let api = app.get("/api/v1/incoming").await.expect(200);
    let ubl = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["format"] == "ubl")
        .unwrap()
        .clone();
    let id = ubl["id"].as_i64().unwrap();
    let view = app.text(&b, &format!("/incoming/{id}")).await;
    for expected in [
        "[Seller name]",
        "123456XX",
        "Positionen",
        "Umsatzsteuer",
        "Keine Befunde",
        "Original herunterladen",
        "Zur Zahlung freigeben",
    ] {
        assert!(view.contains(expected), "{expected} in the page");
    }

    let r = b
        .post(app.url(&format!("/incoming/{id}/approve")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/incoming/{id}"));
    let view = app.text(&b, &format!("/incoming/{id}")).await;
    assert!(view.contains("Freigegeben"));
    assert!(view.contains("id=\"payment-form\""));
    let r = b
        .post(app.url(&format!("/incoming/{id}/payments")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("amount", ""),
            ("method", "bank_transfer"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let view = app.text(&b, &format!("/incoming/{id}")).await;
    assert!(view.contains("Bezahlt"), "paid in full");

    // English on request.
    let r = b.submit("/language", &csrf, &[("lang", "en")]).await;
    assert_eq!(r.status(), 303);
    let en = app.text(&b, &format!("/incoming/{id}")).await;
    for expected in [
        "Received invoices",
        "Items",
        "VAT breakdown",
        "Paid",
        "Download original",
    ] {
        assert!(en.contains(expected), "{expected} in the English page");
    }
}

#[tokio::test]
async fn a_plain_pdf_is_entered_by_hand_with_field_errors_named() {
    let app = TestApp::spawn().await;
    let (b, csrf) = app.login_as("buchhaltung", Role::Accountant).await;
    let r = upload(
        &app,
        &b,
        &csrf,
        &[("scan.pdf", example("negative/pdf-no-attachment.pdf"))],
    )
    .await;
    assert_eq!(r.status(), 303, "one file leads to its page");
    let path = location(&r);
    let view = app.text(&b, &path).await;
    assert!(
        view.contains("id=\"enter-form\""),
        "the form to enter it by hand"
    );
    assert!(view.contains("Eingegangen"));

    let check = format!("{path}/check");
    let r = b
        .post(app.url(&check))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("seller_name", "Papier <b>GmbH</b>"),
            ("number", "P-7"),
            ("issue_date", "2026-11-02"),
            ("due", "12,3456"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Zu zahlen"),
        "the amount field is named: {page}"
    );
    assert!(
        page.contains("Papier &#60;b&#62;GmbH&#60;/b&#62;") && !page.contains("<b>GmbH"),
        "typed values come back escaped: {page}"
    );
    let r = b
        .post(app.url(&check))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("seller_name", "Papier <b>GmbH</b>"),
            ("number", "P-7"),
            ("issue_date", "2026-11-02"),
            ("due_date", "2026-11-30"),
            ("due", "119,00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let view = app.text(&b, &path).await;
    assert!(view.contains("Geprüft"));
    assert!(view.contains("Papier &#60;b&#62;GmbH&#60;/b&#62;"));
    assert!(!view.contains("<b>GmbH</b>"), "never unescaped");
}

#[tokio::test]
async fn approving_needs_the_accountant_and_forms_need_csrf() {
    let app = TestApp::spawn().await;
    let (sales, sales_csrf) = app.login_as("vertrieb", Role::Sales).await;
    let r = upload(&app, &sales, &sales_csrf, &[("r.xml", example(UBL))]).await;
    assert_eq!(r.status(), 303, "sales may upload");
    let path = location(&r);
    let view = app.text(&sales, &path).await;
    assert!(
        !view.contains("id=\"approve\""),
        "no approve button for sales"
    );
    let r = sales
        .post(app.url(&format!("{path}/approve")))
        .form(&[("_csrf", sales_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let (acc, _) = app.login_as("buchhaltung", Role::Accountant).await;
    let r = acc
        .post(app.url(&format!("{path}/approve")))
        .form(&[("_csrf", "0".repeat(64).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a wrong CSRF token is refused");
    let r = upload(&app, &acc, &"0".repeat(64), &[("r.xml", example(UBL))]).await;
    assert_eq!(r.status(), 403, "uploads need the CSRF token too");
    let api = app.get("/api/v1/incoming").await.expect(200);
    assert_eq!(api["total"], 1, "nothing stored by the refused upload");
}
