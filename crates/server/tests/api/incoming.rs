//! Received invoices through the API: upload (raw body and multipart), what is read and
//! found, the original kept byte-identical, duplicates, supplier matching, the way from
//! received to paid, plain PDFs entered by hand, and refusals that store nothing.

use std::path::{Path, PathBuf};

use kontor_app::model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use kontor_testkit::{TestApp, id};

fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/einvoice/examples");
    assert!(
        dir.exists(),
        "the official e-invoice examples are missing at {} (../shared beside the repository)",
        dir.display()
    );
    dir
}

fn example(path: &str) -> Vec<u8> {
    std::fs::read(examples().join(path)).expect("example file")
}

const UBL: &str = "xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml";
const CII: &str =
    "xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_uncefact.xml";
const PLAIN_PDF: &str = "negative/pdf-no-attachment.pdf";

async fn upload(app: &TestApp, bytes: &[u8], content_type: &str, name: &str) -> (u16, Value) {
    upload_as(app, &app.token, bytes, content_type, name).await
}

async fn upload_as(
    app: &TestApp,
    token: &str,
    bytes: &[u8],
    content_type: &str,
    name: &str,
) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/incoming?name={name}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn download(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn an_xrechnung_is_read_checked_and_kept_byte_identical() {
    let app = TestApp::spawn().await;
    let original = example(UBL);
    let (status, body) = upload(&app, &original, "application/xml", "rechnung.xml").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["format"], "ubl");
    assert_eq!(body["valid"], true, "findings: {}", body["findings"]);
    assert_eq!(body["status"], "checked");
    assert_eq!(body["number"], "123456XX");
    assert_eq!(body["issue_date"], "2016-04-04");
    assert_eq!(body["seller"]["name"], "[Seller name]");
    assert_eq!(body["seller"]["vat_id"], "DE123456789");
    assert_eq!(body["currency"], "EUR");
    assert!(body["totals"]["due"].as_str().is_some(), "{body}");
    assert_eq!(body["duplicate_of"], Value::Null);
    assert_eq!(body["original_name"], "rechnung.xml");
    let incoming = id(&body);

    let (status, ct, bytes) =
        download(&app, &format!("/api/v1/incoming/{incoming}/original")).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/xml");
    assert_eq!(bytes, original, "the original comes back byte-identical");

    let headers = app
        .client
        .get(format!("{}/api/v1/incoming/{incoming}/original", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .headers()
        .clone();
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"rechnung.xml\""
    );
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let detail = app
        .get(&format!("/api/v1/incoming/{incoming}"))
        .await
        .expect(200);
    assert_eq!(detail["number"], "123456XX");
    let lines = detail["invoice"]["lines"].as_array().expect("lines");
    assert!(!lines.is_empty(), "the lines are read: {detail}");
    assert_eq!(detail["invoice"]["seller"]["name"], "[Seller name]");

    let (status, ct, pdf) = download(&app, &format!("/api/v1/incoming/{incoming}/pdf")).await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"), "a readable PDF");

    let list = app.get("/api/v1/incoming").await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], incoming);
    let checked = app.get("/api/v1/incoming?status=checked").await.expect(200);
    assert_eq!(checked["total"], 1);
    let paid = app.get("/api/v1/incoming?status=paid").await.expect(200);
    assert_eq!(paid["total"], 0);
    app.get("/api/v1/incoming?status=nonsense")
        .await
        .expect_error(422, "unknown_value", Some("status"));
}

#[tokio::test]
async fn a_multipart_upload_of_a_cii_works_and_duplicates_are_shown_never_booked() {
    let app = TestApp::spawn().await;
    let cii = example(CII);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(cii.clone())
            .file_name("eingang.xml")
            .mime_str("application/xml")
            .unwrap(),
    );
    let r = app
        .client
        .post(format!("{}/api/v1/incoming", app.base))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["format"], "cii");
    assert_eq!(first["original_name"], "eingang.xml");
    assert_eq!(first["valid"], true, "{}", first["findings"]);

    // The same file again, and the same supplier and number in the other syntax.
    let (status, again) = upload(&app, &cii, "application/xml", "again.xml").await;
    assert_eq!(status, 201);
    assert_eq!(again["duplicate_of"], first["id"]);
    let (_, ubl) = upload(&app, &example(UBL), "application/xml", "ubl.xml").await;
    assert_eq!(ubl["duplicate_of"], first["id"], "same supplier and number");

    app.post(
        &format!("/api/v1/incoming/{}/approve", id(&again)),
        json!({}),
    )
    .await
    .expect_error(409, "incoming_duplicate", None);
    let rejected = app
        .post(
            &format!("/api/v1/incoming/{}/reject", id(&again)),
            json!({"reason": "Doppelt erhalten"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reject_reason"], "Doppelt erhalten");
}

#[tokio::test]
async fn what_is_no_e_invoice_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (status, body) = upload(&app, b"hello, not an invoice", "text/plain", "x.txt").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "not_an_einvoice");
    assert_eq!(body["field"], "file");
    let (status, body) = upload(&app, b"", "application/xml", "empty.xml").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "file_empty");
    let (status, body) = upload(
        &app,
        b"<?xml version=\"1.0\"?><Order xmlns=\"urn:x\"/>",
        "application/xml",
        "order.xml",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "not_an_einvoice");
    let huge = vec![b' '; 20 * 1024 * 1024 + 100 * 1024];
    let (status, body) = upload(&app, &huge, "application/xml", "huge.xml").await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "file_too_large");
    assert_eq!(body["field"], "file");
    let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"><cbc:ID xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">&lol2;</cbc:ID></Invoice>";
    let (status, body) = upload(&app, doctype, "application/xml", "lol.xml").await;
    assert_eq!(status, 201, "kept as received, with the refusal: {body}");
    assert_eq!(body["valid"], false);
    assert!(
        body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "XML-DOCTYPE"),
        "{body}"
    );
    let list = app.get("/api/v1/incoming").await.expect(200);
    assert_eq!(list["total"], 1, "nothing else stored");
}

#[tokio::test]
async fn a_broken_invoice_is_kept_with_its_findings_and_needs_a_check_by_hand() {
    let app = TestApp::spawn().await;
    let (status, body) = upload(
        &app,
        &example("negative/ubl-wrong-payable-amount.xml"),
        "application/xml",
        "falsch.xml",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["valid"], false);
    assert_eq!(body["status"], "received");
    let fatal: Vec<&str> = body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "fatal")
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(fatal.contains(&"BR-CO-16"), "{body}");
    app.post(
        &format!("/api/v1/incoming/{}/approve", id(&body)),
        json!({}),
    )
    .await
    .expect_error(409, "incoming_state", None);
}

#[tokio::test]
async fn from_received_to_paid_with_the_accountant_role() {
    let app = TestApp::spawn().await;
    let (_, body) = upload(&app, &example(UBL), "application/xml", "r.xml").await;
    let incoming = id(&body);
    let due: rust_decimal::Decimal = body["totals"]["due"].as_str().unwrap().parse().unwrap();
    let sales = app.token_for(Role::Sales).await;
    let accountant = app.token_for(Role::Accountant).await;
    let approve = format!("/api/v1/incoming/{incoming}/approve");
    app.as_user(&sales, Method::POST, &approve, Some(json!({})))
        .await
        .expect(403);
    let approved = app
        .as_user(&accountant, Method::POST, &approve, Some(json!({})))
        .await
        .expect(200);
    assert_eq!(approved["status"], "approved");
    let contact = approved["contact_id"].as_i64().expect("a supplier contact");
    let supplier = app
        .get(&format!("/api/v1/contacts/{contact}"))
        .await
        .expect(200);
    assert_eq!(supplier["name"], "[Seller name]");
    assert_eq!(supplier["is_supplier"], true);

    let pay = format!("/api/v1/incoming/{incoming}/payments");
    let part = app
        .as_user(
            &accountant,
            Method::POST,
            &pay,
            Some(json!({"amount": "10.00", "date": "2016-04-10"})),
        )
        .await
        .expect(201);
    assert_eq!(part["amount"], "10.00");
    let after = app
        .get(&format!("/api/v1/incoming/{incoming}"))
        .await
        .expect(200);
    assert_eq!(after["status"], "approved");
    assert_eq!(
        after["totals"]["open"],
        format!("{:.2}", due - rust_decimal::Decimal::TEN)
    );
    app.as_user(
        &accountant,
        Method::POST,
        &pay,
        Some(json!({"amount": format!("{:.2}", due)})),
    )
    .await
    .expect_error(422, "exceeds_open_amount", Some("amount"));
    let rest = app
        .as_user(&accountant, Method::POST, &pay, Some(json!({})))
        .await
        .expect(201);
    assert_eq!(
        rest["amount"],
        format!("{:.2}", due - rust_decimal::Decimal::TEN)
    );
    let paid = app
        .get(&format!("/api/v1/incoming/{incoming}"))
        .await
        .expect(200);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["payments"].as_array().unwrap().len(), 2);
    app.post(
        &format!("/api/v1/incoming/{incoming}/reject"),
        json!({"reason": "zu spät"}),
    )
    .await
    .expect_error(409, "incoming_state", None);

    let reversal = app
        .as_user(
            &accountant,
            Method::POST,
            &format!("/api/v1/incoming/{incoming}/payments/{}/reverse", id(&rest)),
            Some(json!({"reason": "falsches Konto"})),
        )
        .await
        .expect(201);
    assert_eq!(reversal["reverses_id"], rest["id"]);
    let open_again = app
        .get(&format!("/api/v1/incoming/{incoming}"))
        .await
        .expect(200);
    assert_eq!(open_again["status"], "approved");

    // The next invoice of this supplier finds its contact by the VAT ID.
    let next = String::from_utf8(example(UBL))
        .unwrap()
        .replacen("123456XX", "123456YY", 1);
    let (_, second) = upload(&app, next.as_bytes(), "application/xml", "next.xml").await;
    assert_eq!(second["duplicate_of"], Value::Null);
    let detail = app
        .get(&format!("/api/v1/incoming/{}", id(&second)))
        .await
        .expect(200);
    assert_eq!(detail["supplier"]["contact_id"], contact, "{detail}");
    assert_eq!(detail["supplier"]["matched_by"], "vat_id");
}

#[tokio::test]
async fn a_plain_pdf_is_kept_and_entered_by_hand() {
    let app = TestApp::spawn().await;
    let pdf = example(PLAIN_PDF);
    let (status, body) = upload(&app, &pdf, "application/pdf", "scan.pdf").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["format"], "pdf");
    assert_eq!(body["valid"], false);
    assert_eq!(body["status"], "received");
    let incoming = id(&body);
    let (_, ct, bytes) = download(&app, &format!("/api/v1/incoming/{incoming}/original")).await;
    assert_eq!((ct.as_str(), bytes == pdf), ("application/pdf", true));

    let check = format!("/api/v1/incoming/{incoming}/check");
    app.post(
        &check,
        json!({"seller_name": "Papier GmbH", "number": "P-1"}),
    )
    .await
    .expect_error(422, "required", Some("issue_date"));
    app.post(
        &check,
        json!({"seller_name": "Papier GmbH", "number": "P-1", "issue_date": "2026-11-02", "due": "119.005"}),
    )
    .await
    .expect_error(422, "too_many_decimals", Some("due"));
    let checked = app
        .post(
            &check,
            json!({"seller_name": "Papier GmbH", "number": "P-1", "issue_date": "2026-11-02",
                   "due_date": "2026-12-02", "net": "100.00", "vat": "19.00", "gross": "119.00", "due": "119.00"}),
        )
        .await
        .expect(200);
    assert_eq!(checked["status"], "checked");
    assert_eq!(checked["totals"]["due"], "119.00");
    let approved = app
        .post(&format!("/api/v1/incoming/{incoming}/approve"), json!({}))
        .await
        .expect(200);
    assert_eq!(approved["status"], "approved");
    let audit = app
        .get(&format!("/api/v1/incoming/{incoming}"))
        .await
        .expect(200);
    assert_eq!(audit["number"], "P-1");

    // Due this week: the approved invoice due by Sunday (none here, it is due in 2026-12-02
    // and the app's today is later) shows in the payables list.
    let week = app.get("/api/v1/incoming?due=week").await.expect(200);
    assert_eq!(
        week["items"][0]["id"], incoming,
        "overdue counts as due: {week}"
    );
}
