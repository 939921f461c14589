//! The list pages and the dashboard: sortable columns, payment-status filters, search by
//! amount, the bulk downloads of the document list, and labelled dashboard figures.

use kontor_storage::Role;
use kontor_testkit::fixtures::{day, german_b2b, setup_company};
use kontor_testkit::{Browser, TestApp, id};
use serde_json::{Value, json};

/// A document body for one line `1 × price @ 19 %` dated `date`, due `due`.
fn invoice(contact: i64, price: &str, date: &str, due: &str) -> Value {
    json!({
        "type": "invoice", "contact_id": contact, "date": date, "delivery_date": date, "due_date": due,
        "lines": [{"description": "Arbeit", "quantity": "1", "unit": "HUR", "unit_price": price, "vat_rate": "19"}]
    })
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

async fn pay(app: &TestApp, doc: &Value, amount: &str) {
    app.post(
        &format!("/api/v1/documents/{}/payments", id(doc)),
        json!({"date": "2026-12-01", "amount": amount, "method": "bank_transfer"}),
    )
    .await
    .expect(201);
}

fn number(doc: &Value) -> String {
    doc["number"].as_str().unwrap().to_string()
}

/// Where each text first appears in the page (to check the order of rows).
fn positions(html: &str, texts: &[String]) -> Vec<usize> {
    texts
        .iter()
        .map(|t| {
            html.find(&format!(">{t}</a>"))
                .unwrap_or_else(|| panic!("{t} not in the page"))
        })
        .collect()
}

fn ascending(v: &[usize]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

/// The `<th>` of a column, found by its label.
fn header<'a>(html: &'a str, label: &str) -> &'a str {
    let end = html
        .find(&format!(">{label} <span"))
        .or_else(|| html.find(&format!(">{label}</a></th>")))
        .unwrap_or_else(|| panic!("no header {label}"));
    let start = html[..end].rfind("<th").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn the_document_list_sorts_by_column_and_filters_by_payment_status_and_amount() {
    let app = TestApp::builder().on(day("2026-12-10")).spawn().await;
    let (b, _) = app.login_as("lena", Role::Admin).await;
    app.setup_company().await;
    let contact = app.customer().await;
    let overdue = issue(&app, invoice(contact, "100", "2026-11-01", "2026-11-15")).await;
    let partly = issue(
        &app,
        invoice(contact, "1068.60", "2026-11-20", "2026-12-20"),
    )
    .await;
    pay(&app, &partly, "100.00").await;
    let paid = issue(&app, invoice(contact, "50", "2026-10-01", "2026-10-15")).await;
    pay(&app, &paid, paid["totals"]["gross"].as_str().unwrap()).await;
    let all = [number(&overdue), number(&partly), number(&paid)];

    let html = b.text("/documents?sort=-amount").await;
    // Largest first: 1.271,63 €, 119,00 €, 59,50 €.
    assert!(ascending(&positions(
        &html,
        &[number(&partly), number(&overdue), number(&paid)]
    )));
    let amount = header(&html, "Brutto");
    assert!(amount.contains("aria-sort=\"descending\""), "{amount}");
    assert!(
        html.contains("href=\"/documents?sort=amount\""),
        "the sorted column flips"
    );
    for key in ["number", "contact", "date", "due_date", "status"] {
        assert!(
            html.contains(&format!("href=\"/documents?sort={key}\"")),
            "{key} sorts"
        );
    }
    let html = b.text("/documents?sort=date").await;
    assert!(ascending(&positions(
        &html,
        &[number(&paid), number(&overdue), number(&partly)]
    )));
    assert!(header(&html, "Datum").contains("aria-sort=\"ascending\""));

    // The status filters, as the rows show them.
    for (status, doc) in [
        ("overdue", &overdue),
        ("partially_paid", &partly),
        ("paid", &paid),
    ] {
        let html = b.text(&format!("/documents?status={status}")).await;
        assert!(
            html.contains(&format!("<option value=\"{status}\" selected>")),
            "{status} is offered and chosen"
        );
        for n in &all {
            assert_eq!(
                html.contains(&format!(">{n}</a>")),
                *n == number(doc),
                "{n} under {status}"
            );
        }
    }
    // A filter keeps the sort, and the sort links keep the filter.
    let html = b.text("/documents?status=open&sort=-date").await;
    assert!(html.contains("name=\"sort\" value=\"-date\""));
    let date = header(&html, "Datum");
    assert!(
        date.contains("href=\"/documents?status=open&#38;sort=date\""),
        "{date}"
    );

    // The search box finds the gross amount however it is typed.
    let gross = partly["totals"]["gross"]
        .as_str()
        .unwrap()
        .replace('.', ",");
    for q in [gross.clone(), format!("1.{}", &gross[1..])] {
        let html = b
            .text(&format!("/documents?q={}", q.replace(',', "%2C")))
            .await;
        for n in &all {
            assert_eq!(
                html.contains(&format!(">{n}</a>")),
                *n == number(&partly),
                "{n} for {q}"
            );
        }
    }
}

/// The entries of a ZIP with stored (uncompressed) entries: (name, bytes).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| {
        u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
    };
    let mut entries = Vec::new();
    let mut at = 0;
    while bytes[at..].starts_with(b"PK\x03\x04") {
        assert_eq!(u16_at(at + 8), 0, "stored");
        let size = u32_at(at + 18);
        let name_len = u16_at(at + 26);
        let extra = u16_at(at + 28);
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let start = at + 30 + name_len + extra;
        entries.push((name, bytes[start..start + size].to_vec()));
        at = start + size;
    }
    assert!(bytes[at..].starts_with(b"PK\x01\x02"), "central directory");
    entries
}

async fn bulk(b: &Browser, csrf: &str, action: &str, ids: &[i64]) -> reqwest::Response {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf), ("action", action)];
    form.extend(ids.iter().map(|i| ("ids", i.as_str())));
    b.post(b.url("/documents/bulk"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn selected_documents_download_as_one_zip_of_archived_pdfs_and_as_csv() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("bruno", Role::Sales).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(
        &app.app,
        &kontor_domain::ContactData {
            name: "=Dach; Fach \"GmbH\"".into(),
            ..german_b2b()
        },
    )
    .await;
    let first = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let second = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let draft = kontor_testkit::fixtures::draft_invoice(&app.app, contact.id).await;

    let html = b.text("/documents").await;
    assert!(html.contains("action=\"/documents/bulk\""));
    assert!(html.contains(&format!("name=\"ids\" value=\"{}\"", first.id)));
    assert!(html.contains("id=\"bulk-zip\"") && html.contains("id=\"bulk-csv\""));

    let r = bulk(&b, &csrf, "zip", &[second.id, draft.id, first.id]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"dokumente-"),
        "{disposition}"
    );
    let entries = unzip(&r.bytes().await.unwrap());
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    let file_name = |doc: &kontor_storage::Document| format!("{}.pdf", doc.number().unwrap());
    assert_eq!(
        names,
        [file_name(&second), file_name(&first)],
        "drafts have no archived PDF"
    );
    for (doc, (_, bytes)) in [&second, &first].iter().zip(&entries) {
        let archived = app
            .store
            .archived_artefact(doc.id, "pdf")
            .await
            .unwrap()
            .expect("archived at issue");
        assert!(bytes == &archived.data, "the archived PDF of {}", doc.id);
    }

    let r = bulk(&b, &csrf, "csv", &[first.id, draft.id]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(
        lines[0].starts_with("Nummer;Typ;Kontakt;Datum;Fällig am;Status;Netto;USt;Brutto"),
        "{}",
        lines[0]
    );
    let gross = format!("{:.2}", first.totals.gross).replace('.', ",");
    let row: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(row[0], first.number().unwrap());
    assert!(lines[1].contains(&format!(";{gross};")), "{}", lines[1]);
    assert!(
        lines[1].contains("\"'=Dach; Fach \"\"GmbH\"\"\""),
        "quoted, and no formula: {}",
        lines[1]
    );
    assert!(lines[2].starts_with("Entwurf #"), "{}", lines[2]);

    // Refusals: no CSRF token, nothing selected, too many, only drafts, another's id.
    let r = b
        .post(b.url("/documents/bulk"))
        .form(&[("action", "zip"), ("ids", &first.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = bulk(&b, &csrf, "zip", &[]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("mindestens ein Dokument"));
    let many: Vec<i64> = (1..=501).collect();
    let r = bulk(&b, &csrf, "csv", &many).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("höchstens 500 Dokumente"));
    let r = bulk(&b, &csrf, "zip", &[draft.id]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("kein ausgestelltes"), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\" class=\"select-row\"", draft.id)),
        "the list again"
    );
    let r = bulk(&b, &csrf, "zip", &[first.id, draft.id + 1000]).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn contact_and_article_lists_sort_by_their_columns() {
    let app = TestApp::spawn().await;
    let (b, _) = app.login_as("carla", Role::Admin).await;
    for (name, city) in [
        ("Bravo KG", "Aachen"),
        ("alpha AG", "Bonn"),
        ("Charlie", "Köln"),
    ] {
        app.post(
            "/api/v1/contacts",
            json!({"name": name, "street": "Weg 1", "postal_code": "50667", "city": city}),
        )
        .await
        .expect(201);
    }
    let html = b.text("/contacts?sort=-name").await;
    assert!(ascending(&positions(
        &html,
        &["Charlie".into(), "Bravo KG".into(), "alpha AG".into()]
    )));
    assert!(header(&html, "Name").contains("aria-sort=\"descending\""));
    assert!(html.contains("href=\"/contacts?sort=city\""));
    for (name, price) in [("Schrauben", "9.50"), ("Beratung", "120"), ("Buch", "10")] {
        app.post(
            "/api/v1/articles",
            json!({"name": name, "unit": "C62", "unit_price": price, "vat_rate": "19"}),
        )
        .await
        .expect(201);
    }
    let html = b.text("/articles?sort=-unit_price").await;
    assert!(ascending(&positions(
        &html,
        &["Beratung".into(), "Buch".into(), "Schrauben".into()]
    )));
    assert!(html.contains("href=\"/articles?sort=vat_rate\""));
}

#[tokio::test]
async fn the_dashboard_labels_its_figures_and_the_chart_names_months_values_and_years() {
    let app = TestApp::builder().on(day("2026-03-15")).spawn().await;
    let (b, csrf) = app.login_as("dora", Role::Admin).await;
    app.setup_company().await;
    let contact = app.customer().await;
    // 300 € net in February 2026, 1.000 € net in May 2025; one overdue.
    issue(&app, invoice(contact, "300", "2026-02-10", "2026-02-24")).await;
    issue(&app, invoice(contact, "1000", "2025-05-05", "2025-05-19")).await;

    let html = b.text("/").await;
    for text in [
        "Stand 15.03.2026",
        "fällig vor dem 15.03.2026",
        "Anzahl Rechnungen: 2",
        "März 2026",
        "01.01.2026 – 15.03.2026",
        "April 2025 bis März 2026",
        ">Apr</text>",
        ">Feb</text>",
        ">Mär</text>",
        ">2025</text>",
        ">2026</text>",
        ">300 €</text>",
        ">1.000 €</text>",
        "Februar 2026: 300,00 €",
    ] {
        assert!(html.contains(text), "{text} on the dashboard");
    }
    let r = b
        .post(b.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = b.text("/").await;
    for text in [
        "as of 2026-03-15",
        "Number of invoices: 2",
        "March 2026",
        "April 2025 to March 2026",
        ">Mar</text>",
        ">€300</text>",
        ">€1,000</text>",
        "February 2026: €300.00",
    ] {
        assert!(html.contains(text), "{text} on the English dashboard");
    }
}
