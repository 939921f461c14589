//! Documents: totals, drafts, issuing, locking, deriving, down payments, cancelling, tax modes.

use serde_json::{Value, json};

use kontor_testkit::fixtures::simple_document;
use kontor_testkit::{TestApp, id, today, year};

#[tokio::test]
async fn totals_match_the_rules_vector() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let body = json!({
        "type": "invoice", "contact_id": contact,
        "lines": [
            {"description": "Kabel", "quantity": "3", "unit_price": "19.99", "vat_rate": "19"},
            {"description": "Buch", "quantity": "1", "unit_price": "4.99", "vat_rate": "7"},
            {"kind": "text", "description": "Vielen Dank"},
            {"kind": "optional", "description": "Option", "quantity": "2", "unit_price": "100", "vat_rate": "19"}
        ]
    });
    let doc = app.draft(body).await;
    let totals = &doc["totals"];
    assert_eq!(totals["line_total"], "64.96");
    assert_eq!(totals["net"], "64.96");
    assert_eq!(totals["vat"], "11.74");
    assert_eq!(totals["gross"], "76.70");
    assert_eq!(totals["due"], "76.70");
    assert_eq!(
        totals["vat_breakdown"],
        json!([
            {"category": "S", "rate": "19", "taxable": "59.97", "vat": "11.39"},
            {"category": "S", "rate": "7", "taxable": "4.99", "vat": "0.35"}
        ])
    );
    let nets: Vec<&str> = doc["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["net"].as_str())
        .collect();
    assert_eq!(nets, ["59.97", "4.99", "0.00", "0.00"]);
    assert_eq!(doc["lines"][0]["quantity"], "3");
    assert_eq!(doc["lines"][0]["unit"], "C62", "unit defaults to C62");
    assert_eq!(
        doc["lines"][2]["quantity"], "0",
        "text lines carry no quantity"
    );
    assert_eq!(doc["lines"][2]["unit_price"], "0.00");
    assert_eq!(
        (doc["status"].as_str(), doc["state"].as_str()),
        (Some("draft"), Some("draft"))
    );
    assert_eq!(
        (doc["locked"].as_bool(), doc["number"].as_str()),
        (Some(false), None)
    );
    assert_eq!(doc["date"], today().as_str(), "date defaults to today");
    assert!(doc["seller"].is_null() && doc["buyer"].is_null());
    assert_eq!(
        app.get(&format!("/api/v1/documents/{}", id(&doc)))
            .await
            .expect(200),
        doc
    );
}

#[tokio::test]
async fn lines_are_completed_from_articles() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let article = app
        .post(
            "/api/v1/articles",
            json!({"name": "Beratung", "unit": "HUR", "unit_price": "85.5", "vat_rate": "7"}),
        )
        .await
        .expect(201);
    let body = json!({"type": "quote", "contact_id": contact, "lines": [
        {"article_id": article["id"], "quantity": "2"},
        {"article_id": article["id"], "description": "Sonderpreis", "unit_price": "80"}
    ]});
    let doc = app.draft(body).await;
    let first = &doc["lines"][0];
    assert_eq!(
        (
            first["description"].as_str(),
            first["unit"].as_str(),
            first["unit_price"].as_str(),
            first["vat_rate"].as_str()
        ),
        (Some("Beratung"), Some("HUR"), Some("85.50"), Some("7"))
    );
    assert_eq!(first["net"], "171.00");
    assert_eq!(first["article_id"], article["id"]);
    let second = &doc["lines"][1];
    assert_eq!(
        (
            second["description"].as_str(),
            second["unit_price"].as_str()
        ),
        (Some("Sonderpreis"), Some("80.00"))
    );
    assert_eq!(second["quantity"], "1", "quantity defaults to 1");
}

#[tokio::test]
async fn drafts_are_updated_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let doc = app.draft(simple_document("quote", contact, "10")).await;
    let path = format!("/api/v1/documents/{}", id(&doc));
    let mut body = simple_document("quote", contact, "20");
    body["subject"] = json!("Neues Angebot");
    body["version"] = doc["version"].clone();
    let updated = app.put(&path, body.clone()).await.expect(200);
    assert_eq!(updated["totals"]["net"], "20.00");
    assert_eq!(updated["subject"], "Neues Angebot");
    assert_eq!(
        updated["version"].as_i64(),
        doc["version"].as_i64().map(|v| v + 1)
    );
    // The old version is stale now.
    app.put(&path, body.clone())
        .await
        .expect_error(409, "version_conflict", None);
    body["type"] = json!("invoice");
    body["version"] = Value::Null;
    app.put(&path, body)
        .await
        .expect_error(422, "invalid", Some("type"));

    app.draft(simple_document("invoice", contact, "30")).await;
    let other = app.customer().await;
    app.draft(simple_document("invoice", other, "40")).await;
    let list = app.get("/api/v1/documents?type=invoice").await.expect(200);
    assert_eq!(list["total"], 2);
    let item = &list["items"][0];
    assert_eq!(
        (
            item["type"].as_str(),
            item["status"].as_str(),
            item["gross"].as_str()
        ),
        (Some("invoice"), Some("draft"), Some("47.60"))
    );
    assert_eq!(item["contact_name"], "Kunde AG");
    assert_eq!(
        app.get(&format!("/api/v1/documents?contact_id={other}"))
            .await
            .expect(200)["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/documents?status=draft&per_page=2")
            .await
            .expect(200)["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        app.get("/api/v1/documents?status=issued").await.expect(200)["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/documents?date_from={}", today()))
            .await
            .expect(200)["total"],
        3
    );
    assert_eq!(
        app.get("/api/v1/documents?date_to=2000-01-01")
            .await
            .expect(200)["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/documents?search=neues").await.expect(200)["total"],
        1
    );
    app.get("/api/v1/documents?status=bezahlt")
        .await
        .expect_error(422, "unknown_value", Some("status"));
    app.get("/api/v1/documents?type=bill")
        .await
        .expect_error(422, "unknown_value", Some("type"));

    app.delete(&path).await.expect(204);
    app.get(&path).await.expect_error(404, "not_found", None);
}

#[tokio::test]
async fn issuing_numbers_and_locks_the_document() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let draft = app.draft(simple_document("invoice", contact, "100")).await;
    let check = app
        .get(&format!("/api/v1/documents/{}/issue-check", id(&draft)))
        .await
        .expect(200);
    assert_eq!(
        (&check["ready"], &check["problems"]),
        (&json!(true), &json!([]))
    );
    let issued = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(issued["number"], format!("RE-{}-0001", year()));
    assert_eq!(
        (issued["state"].as_str(), issued["status"].as_str()),
        (Some("issued"), Some("open"))
    );
    assert_eq!(issued["locked"], true);
    assert_eq!(issued["seller"]["name"], "Muster GmbH");
    assert_eq!(issued["buyer"]["name"], "Kunde AG");
    assert_eq!(issued["open_amount"], "119.00");
    assert!(
        issued["due_date"].is_string(),
        "due date from the payment terms"
    );
    assert!(issued["issued_at"].is_string());

    let second = app.issued("invoice", contact, "5").await;
    assert_eq!(second["number"], format!("RE-{}-0002", year()));

    let path = format!("/api/v1/documents/{}", id(&issued));
    let before = app.get(&path).await.expect(200);
    let refused = app
        .put(&path, simple_document("invoice", contact, "1"))
        .await
        .expect_error(409, "document_locked", None);
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|e| e.contains("credit note or cancellation"))
    );
    app.delete(&path)
        .await
        .expect_error(409, "document_locked", None);
    app.post(&format!("{path}/issue"), json!({}))
        .await
        .expect_error(409, "document_locked", None);
    assert_eq!(
        app.get(&path).await.expect(200),
        before,
        "the issued document is unchanged"
    );
}

#[tokio::test]
async fn issuing_names_each_missing_field() {
    let app = TestApp::spawn().await;
    let contact = id(&app
        .post("/api/v1/contacts", json!({"name": "Nur Name"}))
        .await
        .expect(201));
    let mut body = simple_document("invoice", contact, "100");
    body["delivery_date"] = Value::Null;
    let draft = app.draft(body).await;
    let refused = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await;
    let refused = refused.expect_error(422, "not_issuable", None);
    let fields: Vec<&str> = refused["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["field"].as_str())
        .collect();
    for field in [
        "company.name",
        "company.street",
        "company.postal_code",
        "company.city",
        "company.tax_number",
        "contact.street",
        "contact.postal_code",
        "contact.city",
        "delivery_date",
    ] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    assert!(
        refused["problems"][0]["code"].is_string() && refused["problems"][0]["message"].is_string()
    );
    let check = app
        .get(&format!("/api/v1/documents/{}/issue-check", id(&draft)))
        .await
        .expect(200);
    assert_eq!(check["ready"], false);
    assert_eq!(check["problems"], refused["problems"]);
    let still = app
        .get(&format!("/api/v1/documents/{}", id(&draft)))
        .await
        .expect(200);
    assert_eq!(
        (still["state"].as_str(), still["number"].as_str()),
        (Some("draft"), None)
    );
}

async fn derive(app: &TestApp, from: &Value, to: &str) -> Value {
    let derived = app
        .post(
            &format!("/api/v1/documents/{}/derive", id(from)),
            json!({"type": to}),
        )
        .await
        .expect(201);
    assert_eq!(derived["type"], to);
    assert_eq!(derived["source_id"], from["id"]);
    assert_eq!(derived["state"], "draft");
    app.post(
        &format!("/api/v1/documents/{}/issue", id(&derived)),
        json!({}),
    )
    .await
    .expect(200)
}

#[tokio::test]
async fn quote_becomes_confirmation_delivery_note_and_invoice() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let quote = app.issued("quote", contact, "250").await;
    assert_eq!(quote["number"], format!("AN-{}-0001", year()));
    let confirmation = derive(&app, &quote, "order_confirmation").await;
    assert_eq!(confirmation["number"], format!("AB-{}-0001", year()));
    let delivery = derive(&app, &confirmation, "delivery_note").await;
    assert_eq!(delivery["number"], format!("LS-{}-0001", year()));
    let invoice = derive(&app, &delivery, "invoice").await;
    assert_eq!(invoice["number"], format!("RE-{}-0001", year()));
    assert_eq!(invoice["totals"]["gross"], "297.50");
    assert_eq!(invoice["lines"], quote["lines"]);

    app.post(
        &format!("/api/v1/documents/{}/derive", id(&invoice)),
        json!({"type": "quote"}),
    )
    .await
    .expect_error(422, "invalid", Some("type"));
    app.post(
        &format!("/api/v1/documents/{}/derive", id(&invoice)),
        json!({}),
    )
    .await
    .expect_error(422, "required", Some("type"));
    let draft = app.draft(simple_document("quote", contact, "1")).await;
    app.post(
        &format!("/api/v1/documents/{}/derive", id(&draft)),
        json!({"type": "invoice"}),
    )
    .await
    .expect_error(409, "not_issued", None);
}

#[tokio::test]
async fn down_payments_are_deducted_in_the_final_invoice() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let order = app.issued("order_confirmation", contact, "1000").await;
    let down = app
        .post(
            &format!("/api/v1/documents/{}/derive", id(&order)),
            json!({"type": "down_payment_invoice"}),
        )
        .await
        .expect(201);
    let mut body = simple_document("down_payment_invoice", contact, "300");
    body["lines"][0]["description"] = json!("Abschlag 30 %");
    let down = app
        .put(&format!("/api/v1/documents/{}", id(&down)), body)
        .await
        .expect(200);
    assert_eq!(
        down["source_id"], order["id"],
        "editing keeps the link to the order"
    );
    let down = app
        .post(&format!("/api/v1/documents/{}/issue", id(&down)), json!({}))
        .await
        .expect(200);
    assert_eq!(down["number"], format!("AR-{}-0001", year()));
    assert_eq!(down["totals"]["gross"], "357.00");

    let fin = app
        .post(
            &format!("/api/v1/documents/{}/derive", id(&order)),
            json!({"type": "invoice"}),
        )
        .await
        .expect(201);
    // The down-payment invoice is deducted with its net amount and VAT per rate
    // (§ 14 Abs. 5 UStG), not as one figure typed into prepaid_amount.
    assert_eq!(fin["prepaid_amount"], "0.00");
    let deducted = &fin["down_payments"][0];
    assert_eq!(fin["down_payments"].as_array().map(Vec::len), Some(1));
    assert_eq!(deducted["number"], down["number"]);
    assert_eq!(deducted["date"], down["date"]);
    assert_eq!(deducted["net"], "300.00");
    assert_eq!(deducted["vat"], "57.00");
    assert_eq!(deducted["gross"], "357.00");
    assert_eq!(deducted["open"], "357.00", "not paid yet");
    assert_eq!(deducted["vat_breakdown"][0]["rate"], "19");
    assert_eq!(deducted["vat_breakdown"][0]["vat"], "57.00");
    assert_eq!(fin["totals"]["gross"], "1190.00");
    assert_eq!(fin["totals"]["down_payments"], "357.00");
    assert_eq!(fin["totals"]["prepaid"], "0.00");
    assert_eq!(fin["totals"]["due"], "833.00");
    let fin = app
        .post(&format!("/api/v1/documents/{}/issue", id(&fin)), json!({}))
        .await
        .expect(200);
    assert_eq!(fin["open_amount"], "833.00");
}

/// A document made from another names its own type in the subject; a cancellation names the
/// invoice it cancels, its date and the reason given.
#[tokio::test]
async fn follow_up_subjects_name_their_type_and_a_cancellation_its_invoice_and_reason() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let mut body = simple_document("quote", contact, "250");
    body["subject"] = json!("Angebot Gartenhaus");
    let quote = app.draft(body).await;
    let quote = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&quote)),
            json!({}),
        )
        .await
        .expect(200);
    let confirmation = derive(&app, &quote, "order_confirmation").await;
    assert_eq!(confirmation["subject"], "Auftragsbestätigung Gartenhaus");
    let invoice = derive(&app, &confirmation, "invoice").await;
    assert_eq!(invoice["subject"], "Rechnung Gartenhaus");
    let cancellation = app
        .post(
            &format!("/api/v1/documents/{}/cancel", id(&invoice)),
            json!({"reason": "falsche Anschrift"}),
        )
        .await
        .expect(201);
    let subject = cancellation["subject"].as_str().unwrap();
    assert!(
        subject.starts_with(&format!(
            "Stornorechnung zu Rechnung {} vom ",
            invoice["number"].as_str().unwrap()
        )) && subject.ends_with(": falsche Anschrift"),
        "{subject}"
    );
}

#[tokio::test]
async fn cancelling_issues_a_cancellation_that_references_the_invoice() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let cancellation = app
        .post(
            &format!("/api/v1/documents/{}/cancel", id(&invoice)),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(cancellation["type"], "cancellation");
    assert_eq!(
        cancellation["subject"],
        format!(
            "Stornorechnung zu Rechnung {} vom {}",
            invoice["number"].as_str().unwrap(),
            chrono::NaiveDate::parse_from_str(invoice["date"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap()
                .format("%d.%m.%Y")
        )
    );
    assert_eq!(cancellation["corrects_id"], invoice["id"]);
    assert_eq!(cancellation["state"], "issued");
    assert_eq!(cancellation["number"], format!("ST-{}-0001", year()));
    assert_eq!(cancellation["totals"]["gross"], invoice["totals"]["gross"]);
    let original = app
        .get(&format!("/api/v1/documents/{}", id(&invoice)))
        .await
        .expect(200);
    assert_eq!(
        (original["status"].as_str(), original["state"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );
    assert_eq!(original["cancelled_by_id"], cancellation["id"]);
    assert_eq!(original["open_amount"], "0.00");
    app.post(
        &format!("/api/v1/documents/{}/cancel", id(&invoice)),
        json!({}),
    )
    .await
    .expect_error(409, "already_cancelled", None);
    let quote = app.issued("quote", contact, "1").await;
    app.post(
        &format!("/api/v1/documents/{}/cancel", id(&quote)),
        json!({}),
    )
    .await
    .expect_error(409, "not_cancellable", None);
    let audit = app
        .get(&format!("/api/v1/documents/{}/audit", id(&invoice)))
        .await
        .expect(200);
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["cancel", "issue", "create"]);
}

#[tokio::test]
async fn every_tax_mode_shows_its_legal_note() {
    let app = TestApp::spawn().await;
    let contact = app.customer().await;
    let cases = [
        ("standard", "de", None, "S"),
        ("small_business", "de", Some("§ 19 UStG"), "E"),
        ("small_business", "en", Some("no VAT is charged"), "E"),
        (
            "reverse_charge",
            "de",
            Some("Steuerschuldnerschaft des Leistungsempfängers"),
            "AE",
        ),
        (
            "intra_eu",
            "de",
            Some("innergemeinschaftliche Lieferung"),
            "K",
        ),
        ("intra_eu", "en", Some("intra-community supply"), "K"),
        ("export", "de", Some("Ausfuhrlieferung"), "G"),
    ];
    for (mode, language, note, category) in cases {
        let mut body = simple_document("invoice", contact, "100");
        body["tax_mode"] = json!(mode);
        body["language"] = json!(language);
        let doc = app.draft(body).await;
        assert_eq!(doc["tax_mode"], mode);
        assert_eq!(doc["language"], language);
        match note {
            None => assert!(doc["legal_note"].is_null(), "{mode}: {}", doc["legal_note"]),
            Some(text) => assert!(
                doc["legal_note"].as_str().is_some_and(|n| n.contains(text)),
                "{mode}/{language}: {}",
                doc["legal_note"]
            ),
        }
        assert_eq!(
            doc["totals"]["vat_breakdown"][0]["category"], category,
            "{mode}"
        );
        let vat = if mode == "standard" { "19.00" } else { "0.00" };
        assert_eq!(doc["totals"]["vat"], vat, "{mode}");
    }
}

#[tokio::test]
async fn a_quote_has_a_valid_until_date_and_an_outcome_and_knows_what_was_made_from_it() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let until = (chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").unwrap()
        + chrono::Days::new(30))
    .to_string();
    let mut body = simple_document("quote", contact, "250");
    body["due_date"] = json!(until);
    let quote = app.draft(body).await;
    let quote = app
        .post(
            &format!("/api/v1/documents/{}/issue", id(&quote)),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(quote["valid_until"], json!(until));
    assert_eq!(quote["status"], "issued");
    assert_eq!(quote["outcome"], Value::Null);
    let outcome = |doc: &Value, value: Value| {
        let path = format!("/api/v1/documents/{}/outcome", id(doc));
        let app = &app;
        async move { app.post(&path, json!({"outcome": value})).await }
    };
    let declined = outcome(&quote, json!("declined")).await.expect(200);
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["outcome"], "declined");
    let reopened = outcome(&quote, Value::Null).await.expect(200);
    assert_eq!(reopened["status"], "issued");
    outcome(&quote, json!("perhaps"))
        .await
        .expect_error(422, "unknown_value", Some("outcome"));
    app.post(
        &format!("/api/v1/documents/{}/outcome", id(&quote)),
        json!({}),
    )
    .await
    .expect(422);
    let invoice = app.issued("invoice", contact, "100").await;
    outcome(&invoice, json!("accepted"))
        .await
        .expect_error(409, "not_a_quote", None);
    let draft_quote = app.draft(simple_document("quote", contact, "5")).await;
    outcome(&draft_quote, json!("accepted"))
        .await
        .expect_error(409, "not_issued", None);

    // Making an order confirmation from the open quote records it as accepted.
    let confirmation = derive(&app, &quote, "order_confirmation").await;
    let quote = app
        .get(&format!("/api/v1/documents/{}", id(&quote)))
        .await
        .expect(200);
    assert_eq!(quote["status"], "accepted");
    let audit = app
        .get(&format!("/api/v1/documents/{}/audit", id(&quote)))
        .await
        .expect(200);
    let outcomes: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "outcome")
        .collect();
    assert_eq!(outcomes.len(), 3, "declined, reopened, accepted: {audit}");
    assert!(confirmation["id"].is_i64());
}

#[tokio::test]
async fn the_issue_check_warns_of_missing_bank_and_letter_data_and_names_the_einvoices() {
    let app = TestApp::spawn().await;
    let mut company = kontor_testkit::fixtures::company_json();
    company["iban"] = json!("");
    company["registry"] = json!("");
    company["managing_directors"] = json!("");
    app.put("/api/v1/company", company).await.expect(200);
    let contact = app.customer().await;
    let invoice = app.draft(simple_document("invoice", contact, "100")).await;
    let check = app
        .get(&format!("/api/v1/documents/{}/issue-check", id(&invoice)))
        .await
        .expect(200);
    let codes: Vec<&str> = check["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["bank_missing", "registry_missing", "directors_missing"],
        "{check}"
    );
    assert_eq!(check["einvoice"]["zugferd"], true);
    assert_eq!(check["einvoice"]["xrechnung"], false);
    let missing: Vec<&str> = check["einvoice"]["xrechnung_missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"company.iban"), "{check}");

    // With the company data complete, only what the contact lacks stays, and a quote has
    // no e-invoice at all.
    app.setup_company().await;
    let check = app
        .get(&format!("/api/v1/documents/{}/issue-check", id(&invoice)))
        .await
        .expect(200);
    assert_eq!(check["warnings"], json!([]));
    let quote = app.draft(simple_document("quote", contact, "100")).await;
    let check = app
        .get(&format!("/api/v1/documents/{}/issue-check", id(&quote)))
        .await
        .expect(200);
    assert_eq!(check["einvoice"]["zugferd"], false);
    assert_eq!(check["einvoice"]["xrechnung_missing"], json!([]));
}
