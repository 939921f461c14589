//! E-invoices: a scenario matrix issued through the API, every archived UBL and CII
//! file, every Factur-X XML and every ZUGFeRD hybrid PDF checked by the official validator
//! (CEN EN 16931 1.3.15 + KoSIT XRechnung 2.5.0 + Factur-X 1.09 EN 16931) in one call, totals
//! in the XML equal to the API totals, and the refusals before issuing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Value, json};

use kontor_testkit::fixtures::company_json;
use kontor_testkit::{TestApp, id, today};

/// The validator beside the repository (CI has `../shared` next to the clone).
fn validator() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let v = root.join("../shared/einvoice/validate");
    assert!(
        v.exists(),
        "the e-invoice validator is missing at {} (expected ../shared/einvoice/validate beside \
         the repository root); these tests need it and do not skip",
        v.display()
    );
    v
}

/// The kit's complete company; the ampersand in the name must be escaped in every XML.
fn company(small_business: bool) -> Value {
    let mut c = company_json();
    c["name"] = json!("Muster & Partner GmbH");
    if small_business {
        c["small_business"] = json!(true);
        c["vat_id"] = json!("");
    }
    c
}

async fn contact(app: &TestApp, extra: Value) -> i64 {
    let mut body = json!({
        "name": "Kunde AG", "street": "Weg 2", "postal_code": "80331", "city": "München",
        "country": "DE", "email": "einkauf@kunde.example", "buyer_reference": "K-4711",
        "einvoice_format": "xrechnung_ubl"
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    id(&app.post("/api/v1/contacts", body).await.expect(201))
}

fn line(desc: &str, qty: &str, unit: &str, price: &str, rate: &str, discount: &str) -> Value {
    json!({"description": desc, "quantity": qty, "unit": unit, "unit_price": price,
           "vat_rate": rate, "discount_percent": discount})
}

fn invoice(doc_type: &str, contact: i64, lines: Vec<Value>) -> Value {
    json!({"type": doc_type, "contact_id": contact, "date": today(), "delivery_date": today(),
           "lines": lines})
}

async fn issue(app: &TestApp, body: Value) -> Value {
    let draft = app.draft(body).await;
    app.post(
        &format!("/api/v1/documents/{}/issue", id(&draft)),
        json!({}),
    )
    .await
    .expect(200)
}

/// The raw bytes of a GET.
async fn bytes(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
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

/// Text of elements by their path of local names joined with '/', e.g.
/// "Invoice/LegalMonetaryTotal/PayableAmount".
fn texts(xml: &[u8]) -> HashMap<String, Vec<String>> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let local = e.local_name();
                let name: &str = local.as_ref();
                stack.push(name.to_string())
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let text = t.xml10_content().trim().to_string();
                if !text.is_empty() {
                    out.entry(stack.join("/")).or_default().push(text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn one<'a>(t: &'a HashMap<String, Vec<String>>, path: &str) -> &'a str {
    match t.get(path).map(Vec::as_slice) {
        Some([v]) => v,
        other => panic!("{path}: expected one value, got {other:?}"),
    }
}

fn opt<'a>(t: &'a HashMap<String, Vec<String>>, path: &str) -> &'a str {
    t.get(path)
        .and_then(|v| v.first())
        .map_or("0.00", String::as_str)
}

/// Asserts that the XML's totals are the API's totals.
fn assert_totals(doc: &Value, ubl: &[u8], cii: &[u8]) {
    let tot = &doc["totals"];
    let s = |k: &str| {
        tot[k]
            .as_str()
            .unwrap_or_else(|| panic!("totals.{k}"))
            .to_string()
    };
    let u = texts(ubl);
    let root = if doc["type"] == "credit_note" || doc["type"] == "cancellation" {
        "CreditNote"
    } else {
        "Invoice"
    };
    let m = format!("{root}/LegalMonetaryTotal");
    assert_eq!(
        one(&u, &format!("{m}/LineExtensionAmount")),
        s("line_total")
    );
    assert_eq!(one(&u, &format!("{m}/TaxExclusiveAmount")), s("net"));
    assert_eq!(one(&u, &format!("{m}/TaxInclusiveAmount")), s("gross"));
    assert_eq!(
        opt(&u, &format!("{m}/AllowanceTotalAmount")),
        s("allowance_total")
    );
    // BT-113: down payments deducted on a final invoice and other prepayments.
    let paid_in_advance = {
        let d = |k: &str| s(k).parse::<rust_decimal::Decimal>().expect("an amount");
        format!("{:.2}", d("down_payments") + d("prepaid"))
    };
    assert_eq!(opt(&u, &format!("{m}/PrepaidAmount")), paid_in_advance);
    assert_eq!(one(&u, &format!("{m}/PayableAmount")), s("due"));
    // The first TaxTotal is in the document currency; a foreign-currency invoice has a second
    // one in EUR (BT-111, checked by `assert_vat_in_eur`).
    assert_eq!(
        u[&format!("{root}/TaxTotal/TaxAmount")]
            .first()
            .map(String::as_str),
        Some(s("vat").as_str())
    );
    let c = texts(cii);
    let m = "CrossIndustryInvoice/SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/\
             SpecifiedTradeSettlementHeaderMonetarySummation";
    assert_eq!(one(&c, &format!("{m}/LineTotalAmount")), s("line_total"));
    assert_eq!(
        opt(&c, &format!("{m}/AllowanceTotalAmount")),
        s("allowance_total")
    );
    assert_eq!(one(&c, &format!("{m}/TaxBasisTotalAmount")), s("net"));
    assert_eq!(
        c[&format!("{m}/TaxTotalAmount")]
            .first()
            .map(String::as_str),
        Some(s("vat").as_str())
    );
    assert_eq!(one(&c, &format!("{m}/GrandTotalAmount")), s("gross"));
    assert_eq!(opt(&c, &format!("{m}/TotalPrepaidAmount")), paid_in_advance);
    assert_eq!(one(&c, &format!("{m}/DuePayableAmount")), s("due"));
    // The VAT breakdown, group by group.
    let groups = tot["vat_breakdown"].as_array().expect("vat_breakdown");
    let cii_vat = &c["CrossIndustryInvoice/SupplyChainTradeTransaction/\
                      ApplicableHeaderTradeSettlement/ApplicableTradeTax/CalculatedAmount"];
    let api_vat: Vec<&str> = groups.iter().filter_map(|g| g["vat"].as_str()).collect();
    assert_eq!(cii_vat, &api_vat, "VAT per group");
}

/// Downloads both syntaxes of an issued document, checks them against the archive and the
/// API totals, and writes them into `dir`.
async fn collect(app: &TestApp, doc: &Value, name: &str, dir: &Path, files: &mut Vec<PathBuf>) {
    let doc_id = id(doc);
    let mut got = Vec::new();
    for syntax in ["ubl", "cii"] {
        let path = format!("/api/v1/documents/{doc_id}/xrechnung?syntax={syntax}");
        let (status, ct, body) = bytes(app, &path).await;
        assert_eq!(
            status,
            200,
            "{name} {syntax}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(ct.starts_with("application/xml"), "{ct}");
        let archived = app
            .store
            .archived_artefact(doc_id, &format!("xrechnung-{syntax}"))
            .await
            .expect("archive")
            .unwrap_or_else(|| panic!("{name}: no archived {syntax} file"));
        assert_eq!(
            archived.data, body,
            "{name} {syntax}: download = archived bytes"
        );
        assert_eq!(bytes(app, &path).await.2, body, "byte-identical again");
        let file = dir.join(format!("{name}-{syntax}.xml"));
        std::fs::write(&file, &body).expect("write");
        files.push(file);
        got.push(body);
    }
    assert_totals(doc, &got[0], &got[1]);
    // The Factur-X / ZUGFeRD XML (profile EN 16931) of the same issued document, as the hybrid
    // PDF embeds it; its totals are the API's too.
    let stored = app.store.document(doc_id).await.expect("document");
    let issued = stored.to_issued().expect("an issued document");
    let fx = kontor_app::documents::facturx_xml(&issued)
        .expect("factur-x")
        .unwrap_or_else(|| panic!("{name}: no Factur-X XML"));
    assert_totals(doc, &got[0], &fx);
    let file = dir.join(format!("{name}-facturx.xml"));
    std::fs::write(&file, &fx).expect("write");
    files.push(file);
    // The ZUGFeRD / Factur-X hybrid PDF as downloaded (the archived original): the validator
    // checks the embedded factur-x.xml with the Factur-X EN 16931 rules plus /AF and XMP.
    let (status, ct, pdf) = bytes(app, &format!("/api/v1/documents/{doc_id}/pdf")).await;
    assert_eq!(status, 200, "{name} pdf");
    assert!(ct.starts_with("application/pdf"), "{ct}");
    assert!(
        pdf.windows(b"factur-x.xml".len())
            .any(|w| w == b"factur-x.xml"),
        "{name}: the PDF embeds factur-x.xml"
    );
    let file = dir.join(format!("{name}-zugferd.pdf"));
    std::fs::write(&file, &pdf).expect("write");
    files.push(file);
    assert_vat_in_eur(doc, &got[0], &got[1]);
}

/// A foreign-currency document states its VAT in EUR (BT-6 = EUR, BT-111) exactly as the API
/// reports it; an EUR document does not.
fn assert_vat_in_eur(doc: &Value, ubl: &[u8], cii: &[u8]) {
    let u = String::from_utf8_lossy(ubl);
    let c = String::from_utf8_lossy(cii);
    match doc["vat_in_eur"].as_str() {
        Some(eur) => {
            assert_ne!(doc["currency"], "EUR");
            assert!(u.contains("<cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>"));
            assert!(
                u.contains(&format!(
                    "<cbc:TaxAmount currencyID=\"EUR\">{eur}</cbc:TaxAmount>"
                )),
                "{u}"
            );
            assert!(c.contains("<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>"));
            assert!(
                c.contains(&format!(
                    "<ram:TaxTotalAmount currencyID=\"EUR\">{eur}</ram:TaxTotalAmount>"
                )),
                "{c}"
            );
        }
        None => {
            assert!(!u.contains("TaxCurrencyCode") && !c.contains("TaxCurrencyCode"));
        }
    }
}

#[tokio::test]
async fn scenario_matrix_passes_the_official_validator() {
    let validate = validator();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();

    let app = TestApp::spawn().await;
    app.put("/api/v1/company", company(false)).await.expect(200);

    // Public-sector buyer with a Leitweg-ID: 19 %, 7 % and 0 % (Z), line and document
    // discounts, prices with 4 decimals, partial quantities.
    let public = contact(
        &app,
        json!({"name": "Stadt Musterhausen <Bauamt>", "buyer_reference": "04011000-12345-03"}),
    )
    .await;
    let mut body = invoice(
        "invoice",
        public,
        vec![
            line(
                "Beratung\nVor Ort & remote",
                "2.5",
                "HUR",
                "85.1234",
                "19",
                "10",
            ),
            line("Fachbuch", "3", "H87", "19.99", "7", "0"),
            line("Photovoltaikmodul", "0.75", "C62", "333.3333", "0", "5"),
            line("Reisekosten", "1", "LS", "120", "19", "0"),
        ],
    );
    body["discount_percent"] = json!("3");
    let standard = issue(&app, body).await;
    assert_eq!(
        standard["totals"]["vat_breakdown"].as_array().map(Vec::len),
        Some(3)
    );
    collect(&app, &standard, "standard-public", dir.path(), &mut files).await;

    // B2B with VAT IDs, CII preference, a prepaid amount and a due date.
    let b2b = contact(
        &app,
        json!({"vat_id": "DE987654328", "einvoice_format": "xrechnung_cii", "buyer_reference": "PO-2026-17"}),
    )
    .await;
    let mut body = invoice(
        "invoice",
        b2b,
        vec![line("Wartung", "12", "MON", "49.9", "19", "0")],
    );
    body["prepaid_amount"] = json!("100");
    let prepaid = issue(&app, body).await;
    assert_eq!(prepaid["totals"]["prepaid"], "100.00");
    collect(&app, &prepaid, "b2b-prepaid", dir.path(), &mut files).await;

    // Down-payment invoice (326).
    let mut body = invoice(
        "down_payment_invoice",
        b2b,
        vec![line("Abschlag 30 %", "1", "LS", "3000", "19", "0")],
    );
    body["delivery_date"] = Value::Null;
    let down = issue(&app, body).await;
    collect(&app, &down, "down-payment", dir.path(), &mut files).await;

    // Reverse charge § 13b (AE): both VAT IDs.
    let rc = contact(&app, json!({"name": "Bau GmbH", "vat_id": "DE811111113"})).await;
    let mut body = invoice(
        "invoice",
        rc,
        vec![line("Trockenbau", "40", "HUR", "55", "19", "0")],
    );
    body["tax_mode"] = json!("reverse_charge");
    let reverse = issue(&app, body).await;
    collect(&app, &reverse, "reverse-charge", dir.path(), &mut files).await;

    // Intra-EU supply (K) to France with a delivery address.
    let fr = contact(
        &app,
        json!({"name": "Client SARL", "street": "1 Rue de la Paix", "postal_code": "75002",
               "city": "Paris", "country": "FR", "vat_id": "FR40303265045",
               "delivery_street": "5 Quai Sud", "delivery_postal_code": "69002",
               "delivery_city": "Lyon", "delivery_country": "FR"}),
    )
    .await;
    let mut body = invoice(
        "invoice",
        fr,
        vec![
            line("Maschine", "1", "H87", "12500", "19", "2"),
            line("Ersatzteile", "7", "H87", "12.3456", "7", "0"),
        ],
    );
    body["tax_mode"] = json!("intra_eu");
    let intra = issue(&app, body).await;
    collect(&app, &intra, "intra-eu", dir.path(), &mut files).await;

    // Export (G) to Switzerland, in a foreign currency.
    let ch = contact(
        &app,
        json!({"name": "Kunde Schweiz AG", "street": "Bahnhofstr. 1", "postal_code": "8001",
               "city": "Zürich", "country": "CH", "language": "en"}),
    )
    .await;
    let mut body = invoice(
        "invoice",
        ch,
        vec![line("Software licence", "5", "C62", "199", "19", "0")],
    );
    body["tax_mode"] = json!("export");
    body["currency"] = json!("CHF");
    body["exchange_rate"] = json!("0.9412");
    let export = issue(&app, body).await;
    assert_eq!(export["vat_in_eur"], "0.00");
    collect(&app, &export, "export-chf", dir.path(), &mut files).await;

    // A contact that prefers the ZUGFeRD PDF but whose data allows an XRechnung gets one too.
    let zugferd = contact(&app, json!({"einvoice_format": "zugferd"})).await;
    let plain = issue(
        &app,
        invoice(
            "invoice",
            zugferd,
            vec![line("Schulung", "1", "DAY", "950", "19", "0")],
        ),
    )
    .await;
    collect(&app, &plain, "zugferd-contact", dir.path(), &mut files).await;

    // Skonto in two steps (BT-20 `#SKONTO#` lines), amounts on the amount due.
    let mut body = invoice(
        "invoice",
        public,
        vec![line("Planung", "10", "HUR", "95", "19", "0")],
    );
    body["payment_terms_days"] = json!(30);
    body["skonto"] = json!([{"days": 10, "percent": "3"}, {"days": 14, "percent": "1.5"}]);
    let skonto = issue(&app, body).await;
    assert_eq!(
        skonto["skonto"],
        json!([{"days": 10, "percent": "3"}, {"days": 14, "percent": "1.5"}])
    );
    collect(&app, &skonto, "skonto", dir.path(), &mut files).await;
    let ubl = std::fs::read_to_string(dir.path().join("skonto-ubl.xml")).expect("read");
    assert!(
        ubl.contains("\n#SKONTO#TAGE=10#PROZENT=3.00#\n#SKONTO#TAGE=14#PROZENT=1.50#\n</cbc:Note>"),
        "{ubl}"
    );
    // 3 % of 1,130.50 due = 33.92.
    assert!(ubl.contains("3.00 % Skonto (33.92 EUR)"), "{ubl}");

    // SEPA direct debit: means 59, mandate BT-89, debited IBAN BT-91, creditor ID BT-90;
    // the contact's Skonto default carries into the document.
    let debtor = contact(
        &app,
        json!({"name": "Abo Kunde GmbH", "payment_method": "direct_debit",
               "sepa_mandate_reference": "MANDAT-2026-0017",
               "sepa_debtor_iban": "DE02 1203 0000 0000 2020 51",
               "skonto": [{"days": 7, "percent": "2"}]}),
    )
    .await;
    let debit = issue(
        &app,
        invoice(
            "invoice",
            debtor,
            vec![line(
                "Wartungsvertrag Dezember",
                "1",
                "MON",
                "250",
                "19",
                "0",
            )],
        ),
    )
    .await;
    assert_eq!(debit["payment_method"], "direct_debit");
    assert_eq!(debit["skonto"], json!([{"days": 7, "percent": "2"}]));
    collect(&app, &debit, "direct-debit", dir.path(), &mut files).await;
    let cii = std::fs::read_to_string(dir.path().join("direct-debit-cii.xml")).expect("read");
    assert!(cii.contains("<ram:DirectDebitMandateID>MANDAT-2026-0017</ram:DirectDebitMandateID>"));
    assert!(cii.contains("<ram:CreditorReferenceID>DE98ZZZ09999999999</ram:CreditorReferenceID>"));

    // Foreign currency with VAT: USD at 1.0823 USD per EUR, VAT also in EUR (BT-6, BT-111).
    let us = contact(
        &app,
        json!({"name": "US Branch Inc.", "currency": "USD", "language": "en"}),
    )
    .await;
    let mut body = invoice(
        "invoice",
        us,
        vec![
            line("Consulting", "12.5", "HUR", "180", "19", "0"),
            line("Manual", "2", "H87", "49.9", "7", "0"),
        ],
    );
    body["exchange_rate"] = json!("1.0823");
    let usd = issue(&app, body).await;
    assert_eq!(usd["currency"], "USD");
    // (427.50 + 6.99) / 1.0823 = 401.45 EUR
    assert_eq!(usd["totals"]["vat"], "434.49");
    assert_eq!(usd["vat_in_eur"], "401.45");
    collect(&app, &usd, "foreign-currency-usd", dir.path(), &mut files).await;

    // Credit note (381) derived from the public invoice, and a cancellation (381).
    let credit = app
        .post(
            &format!("/api/v1/documents/{}/derive", id(&standard)),
            json!({"type": "credit_note"}),
        )
        .await
        .expect(201);
    let credit = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&credit)),
            json!({}),
        )
        .await
        .expect(200);
    collect(&app, &credit, "credit-note", dir.path(), &mut files).await;
    let cancellation = app
        .post(
            &format!("/api/v1/documents/{}/cancel", id(&reverse)),
            json!({"date": today()}),
        )
        .await
        .expect(201);
    collect(&app, &cancellation, "cancellation", dir.path(), &mut files).await;
    let ubl = std::fs::read_to_string(dir.path().join("cancellation-ubl.xml")).expect("read");
    assert!(ubl.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
    assert!(ubl.contains(&format!(
        "<cbc:ID>{}</cbc:ID>",
        reverse["number"].as_str().expect("number")
    )));

    // Small business (§ 19 UStG, category E with the exemption reason), only a tax number.
    let small = TestApp::spawn().await;
    small
        .put("/api/v1/company", company(true))
        .await
        .expect(200);
    let buyer = contact(&small, json!({})).await;
    let mut body = invoice(
        "invoice",
        buyer,
        vec![line("Gartenpflege", "3.5", "HUR", "35", "19", "0")],
    );
    body["tax_mode"] = json!("small_business");
    let sb = issue(&small, body).await;
    assert_eq!(sb["totals"]["vat"], "0.00");
    collect(&small, &sb, "small-business", dir.path(), &mut files).await;

    // One validator run over all files; `--facturx always` adds the Factur-X EN 16931 XSD and
    // Schematron to the plain Factur-X XML files (XRechnung and UBL files are not affected).
    let out = std::process::Command::new(&validate)
        .args(["--quiet", "--facturx", "always"])
        .args(&files)
        .output()
        .expect("run the validator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    println!("validator: {last}");
    assert!(
        out.status.success() && last == format!("{} passed, 0 failed", files.len()),
        "validator failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn issuing_refuses_what_an_xrechnung_cannot_carry() {
    let app = TestApp::spawn().await;
    let mut c = company(false);
    c["contact_phone"] = json!("");
    app.put("/api/v1/company", c).await.expect(200);
    let buyer = contact(&app, json!({"buyer_reference": "", "email": ""})).await;
    let draft = app
        .draft(invoice(
            "invoice",
            buyer,
            vec![line("Beratung", "1", "HUR", "100", "19", "0")],
        ))
        .await;
    let refused = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await
        .expect_error(422, "not_issuable", None);
    let problems: Vec<(&str, &str)> = refused["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["field"].as_str()?, p["code"].as_str()?)))
        .collect();
    assert_eq!(
        problems,
        vec![
            ("contact.buyer_reference", "einvoice_missing"),
            ("contact.email", "einvoice_missing"),
            ("company.contact_phone", "einvoice_missing"),
        ]
    );
    // A draft has no XRechnung; the syntax is checked.
    app.get(&format!("/api/v1/documents/{}/xrechnung", id(&draft)))
        .await
        .expect_error(409, "not_issued", None);
    app.get(&format!(
        "/api/v1/documents/{}/xrechnung?syntax=xml",
        id(&draft)
    ))
    .await
    .expect_error(422, "unknown_value", Some("syntax"));

    // A ZUGFeRD contact without a buyer reference: the invoice is issued, but no invalid
    // XRechnung is produced; the download names what is missing.
    let plain = contact(
        &app,
        json!({"einvoice_format": "zugferd", "buyer_reference": ""}),
    )
    .await;
    let issued = app
        .post(
            &format!(
                "/api/v1/documents/{}/issue",
                id(&app
                    .draft(invoice(
                        "invoice",
                        plain,
                        vec![line("Beratung", "1", "HUR", "100", "19", "0")],
                    ))
                    .await)
            ),
            json!({}),
        )
        .await
        .expect(200);
    let err = app
        .get(&format!(
            "/api/v1/documents/{}/xrechnung?syntax=cii",
            id(&issued)
        ))
        .await
        .expect_error(409, "einvoice_unavailable", None);
    assert!(
        err["error"]
            .as_str()
            .is_some_and(|e| e.contains("contact.buyer_reference"))
    );
    assert!(
        app.store
            .archived_artefact(id(&issued), "xrechnung-ubl")
            .await
            .expect("archive")
            .is_none()
    );
}

/// Problems of a refused issue as (field, code).
async fn refused_fields(app: &TestApp, draft: &Value) -> Vec<(String, String)> {
    let refused = app
        .post(&format!("/api/v1/documents/{}/issue", id(draft)), json!({}))
        .await
        .expect_error(422, "not_issuable", None);
    refused["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["field"].as_str()?.to_string(),
                p["code"].as_str()?.to_string(),
            ))
        })
        .collect()
}

#[tokio::test]
async fn issuing_refuses_payment_terms_an_e_invoice_cannot_carry() {
    let app = TestApp::spawn().await;
    let mut c = company(false);
    c["creditor_id"] = json!("");
    app.put("/api/v1/company", c).await.expect(200);
    let one = || vec![line("Beratung", "1", "HUR", "100", "19", "0")];

    // Direct debit without the company's creditor ID and the contact's mandate.
    let buyer = contact(&app, json!({"einvoice_format": "zugferd"})).await;
    let mut body = invoice("invoice", buyer, one());
    body["payment_method"] = json!("direct_debit");
    let draft = app.draft(body).await;
    let pair = |f: &str, c: &str| (f.to_string(), c.to_string());
    assert_eq!(
        refused_fields(&app, &draft).await,
        vec![
            pair("company.creditor_id", "direct_debit_missing"),
            pair("contact.sepa_mandate_reference", "direct_debit_missing"),
            pair("contact.sepa_debtor_iban", "direct_debit_missing"),
        ]
    );

    // A foreign currency without an exchange rate.
    let mut body = invoice("invoice", buyer, one());
    body["currency"] = json!("USD");
    let draft = app.draft(body).await;
    assert_eq!(
        refused_fields(&app, &draft).await,
        vec![pair("exchange_rate", "exchange_rate_missing")]
    );
    // Sent for EUR, a rate is dropped (there is nothing to convert).
    let mut body = invoice("invoice", buyer, one());
    body["exchange_rate"] = json!("1.1");
    assert_eq!(app.draft(body).await["exchange_rate"], Value::Null);

    // A Skonto period that is not shorter than the payment term.
    let mut body = invoice("invoice", buyer, one());
    body["payment_terms_days"] = json!(14);
    body["skonto"] = json!([{"days": 14, "percent": "2"}]);
    let draft = app.draft(body).await;
    assert_eq!(
        refused_fields(&app, &draft).await,
        vec![pair("skonto[0].days", "skonto_after_due")]
    );

    // Malformed terms are refused when saved, naming the field.
    for (skonto, field) in [
        (json!([{"days": 7, "percent": "100"}]), "skonto[0].percent"),
        (json!([{"days": 7, "percent": "0"}]), "skonto[0].percent"),
        (
            json!([{"days": 7, "percent": "2.125"}]),
            "skonto[0].percent",
        ),
        (json!([{"days": 0, "percent": "2"}]), "skonto[0].days"),
        (
            json!([{"days": 14, "percent": "2"}, {"days": 7, "percent": "3"}]),
            "skonto[1]",
        ),
        (
            json!([{"days": 7, "percent": "3"}, {"days": 10, "percent": "2"}, {"days": 12, "percent": "1"}]),
            "skonto",
        ),
    ] {
        let mut body = invoice("invoice", buyer, one());
        body["skonto"] = skonto;
        app.post("/api/v1/documents", body)
            .await
            .expect_error(422, "invalid", Some(field));
    }
    let mut body = invoice("invoice", buyer, one());
    body["currency"] = json!("USD");
    body["exchange_rate"] = json!("0");
    app.post("/api/v1/documents", body)
        .await
        .expect_error(422, "invalid", Some("exchange_rate"));
    let mut c = company(false);
    c["creditor_id"] = json!("DE99ZZZ09999999999");
    app.put("/api/v1/company", c).await.expect_error(
        422,
        "invalid_creditor_id",
        Some("creditor_id"),
    );
    app.post(
        "/api/v1/contacts",
        json!({"name": "X", "sepa_debtor_iban": "DE02120300000000202052"}),
    )
    .await
    .expect_error(422, "invalid_iban", Some("sepa_debtor_iban"));

    // With the data complete, the direct debit is issued and its PDF says it is debited.
    let mut c = company(false);
    c["creditor_id"] = json!("DE98 ZZZ 09999999999");
    app.put("/api/v1/company", c).await.expect(200);
    let debtor = contact(
        &app,
        json!({"einvoice_format": "zugferd", "sepa_mandate_reference": "M-1",
               "sepa_debtor_iban": "DE02120300000000202051"}),
    )
    .await;
    let mut body = invoice("invoice", debtor, one());
    body["payment_method"] = json!("direct_debit");
    let issued = issue(&app, body).await;
    assert_eq!(issued["payment_method"], "direct_debit");
}

/// A final invoice after two down-payment invoices (one at 19 %, one at 19 % and 7 %; the
/// first paid, the second not): the XRechnung (UBL and CII), the Factur-X XML and the ZUGFeRD
/// PDF deduct both as BT-113, name each as a preceding invoice (BG-3, in UBL) and list them with net
/// and VAT per rate in a note (BT-22); the official validator accepts all four.
#[tokio::test]
async fn a_final_invoice_deducts_its_down_payments_in_every_e_invoice() {
    let validate = validator();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let app = TestApp::spawn().await;
    app.put("/api/v1/company", company(false)).await.expect(200);
    let buyer = contact(&app, json!({"vat_id": "DE987654328"})).await;
    let quote = issue(
        &app,
        invoice(
            "quote",
            buyer,
            vec![
                line("Umbau", "100", "HUR", "100", "19", "0"),
                line("Fachbuch", "40", "H87", "50", "7", "0"),
            ],
        ),
    )
    .await;
    let down_payment = |lines: Vec<Value>| {
        let app = &app;
        let quote = &quote;
        async move {
            let draft = app
                .post(
                    &format!("/api/v1/documents/{}/derive", id(quote)),
                    json!({"type": "down_payment_invoice"}),
                )
                .await
                .expect(201);
            let mut body = invoice("down_payment_invoice", buyer, lines);
            body["delivery_date"] = Value::Null;
            app.put(&format!("/api/v1/documents/{}", id(&draft)), body)
                .await
                .expect(200);
            app.post(
                &format!("/api/v1/documents/{}/issue", id(&draft)),
                json!({}),
            )
            .await
            .expect(200)
        }
    };
    let ar1 = down_payment(vec![line("Abschlag 1", "1", "LS", "3000", "19", "0")]).await;
    let ar2 = down_payment(vec![
        line("Abschlag 2", "1", "LS", "1000", "19", "0"),
        line("Abschlag 2 Bücher", "1", "LS", "500", "7", "0"),
    ])
    .await;
    app.post(
        &format!("/api/v1/documents/{}/payments", id(&ar1)),
        json!({"amount": "3570.00", "method": "bank_transfer", "date": today()}),
    )
    .await
    .expect(201);
    let draft = app
        .post(
            &format!("/api/v1/documents/{}/derive", id(&quote)),
            json!({"type": "invoice"}),
        )
        .await
        .expect(201);
    let fin = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(fin["totals"]["gross"], "14040.00");
    assert_eq!(fin["totals"]["down_payments"], "5295.00");
    assert_eq!(fin["totals"]["due"], "8745.00");
    collect(&app, &fin, "final-invoice", dir.path(), &mut files).await;

    let (n1, n2) = (
        ar1["number"].as_str().expect("number"),
        ar2["number"].as_str().expect("number"),
    );
    let ubl = texts(&std::fs::read(dir.path().join("final-invoice-ubl.xml")).expect("read"));
    assert_eq!(
        ubl["Invoice/BillingReference/InvoiceDocumentReference/ID"],
        vec![n1.to_string(), n2.to_string()]
    );
    assert_eq!(
        one(&ubl, "Invoice/LegalMonetaryTotal/PrepaidAmount"),
        "5295.00"
    );
    assert_eq!(
        one(&ubl, "Invoice/LegalMonetaryTotal/PayableAmount"),
        "8745.00"
    );
    let note = ubl["Invoice/Note"]
        .iter()
        .find(|n| n.contains("§ 14 Abs. 5 UStG"))
        .expect("a note listing the down payments");
    assert!(
        note.contains(&format!("{n1} vom "))
            && note.contains("3000.00 EUR netto zu 19.00 % zzgl. 570.00 EUR USt.")
            && note.contains(&format!("{n2} vom "))
            && note.contains("1000.00 EUR netto zu 19.00 % zzgl. 190.00 EUR USt.")
            && note.contains("500.00 EUR netto zu 7.00 % zzgl. 35.00 EUR USt.")
            && note.contains("davon noch offen 1725.00 EUR")
            && note.contains("Summe 4500.00 EUR netto zzgl. 795.00 EUR USt. = 5295.00 EUR"),
        "{note}"
    );
    assert_eq!(
        note.matches("noch offen").count(),
        1,
        "only the unpaid one is open: {note}"
    );
    // CII has room for one preceding invoice only; the note carries the list there too.
    let cii = texts(&std::fs::read(dir.path().join("final-invoice-cii.xml")).expect("read"));
    let cii_notes = &cii["CrossIndustryInvoice/ExchangedDocument/IncludedNote/Content"];
    assert!(cii_notes.iter().any(|n| n == note), "{cii_notes:?}");
    assert_eq!(
        one(
            &cii,
            "CrossIndustryInvoice/SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/\
             SpecifiedTradeSettlementHeaderMonetarySummation/TotalPrepaidAmount"
        ),
        "5295.00"
    );

    let out = std::process::Command::new(&validate)
        .args(["--quiet", "--facturx", "always"])
        .args(&files)
        .output()
        .expect("run the validator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    assert!(
        out.status.success() && last == format!("{} passed, 0 failed", files.len()),
        "validator failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
