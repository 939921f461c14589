//! The document editor's page: the head's fields, the heading, units and VAT groups in words,
//! and a visible confirmation after saving.

use kontor_storage::{Actor, Role};
use kontor_testkit::fixtures::german_b2b;
use kontor_testkit::{Browser, TestApp, location};

/// A draft's fields as the editor posts them, with `extra` head fields.
fn draft_form<'a>(
    csrf: &'a str,
    doc_type: &'a str,
    contact_id: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("_csrf", csrf),
        ("type", doc_type),
        ("contact_id", contact_id),
        ("date", "2026-11-26"),
        ("line_kind", "item"),
        ("line_article_id", ""),
        ("line_description", "Beratung"),
        ("line_quantity", "2"),
        ("line_unit", "HUR"),
        ("line_unit_price", "95"),
        ("line_vat_rate", "19"),
        ("line_discount", "10"),
    ];
    form.extend_from_slice(extra);
    form
}

/// Saves a new draft from the editor; returns its id and where the browser was sent.
async fn save_new(app: &TestApp, b: &Browser, form: &[(&str, &str)]) -> (i64, String) {
    let r = b
        .post(app.url("/documents"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let to = location(&r);
    let id = to
        .trim_start_matches("/documents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (id, to)
}

/// The page's `<h1>` text.
fn heading(html: &str) -> &str {
    let start = html.find("<h1").expect("a heading");
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let end = open_end + html[open_end..].find("</h1>").unwrap();
    &html[open_end..end]
}

/// The `<details id="more-terms" …>` tag, to see whether it is open.
fn more_terms_tag(html: &str) -> &str {
    let start = html
        .find(r#"<details class="more-terms" id="more-terms""#)
        .expect("the disclosure");
    let end = start + html[start..].find('>').unwrap();
    &html[start..=end]
}

#[tokio::test]
async fn the_header_keeps_rare_fields_behind_a_disclosure_that_opens_when_they_are_used() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let contact = app
        .store
        .create_contact(&Actor::system(), &german_b2b())
        .await
        .unwrap();
    let cid = contact.id.to_string();

    let html = b.text("/documents/new?type=invoice").await;
    let details = html.find(r#"id="more-terms""#).expect("a disclosure");
    let details_end = details + html[details..].find("</details>").unwrap();
    // Skonto, exchange rate and "already paid" are inside it, the everyday fields outside.
    for name in [
        "skonto1_days",
        "skonto1_percent",
        "skonto2_days",
        "skonto2_percent",
        "exchange_rate",
        "prepaid_amount",
    ] {
        let at = html.find(&format!(r#"name="{name}""#)).expect(name);
        assert!(
            details < at && at < details_end,
            "{name} is behind the disclosure"
        );
    }
    for name in [
        "date",
        "due_date",
        "delivery_date",
        "subject",
        "currency",
        "discount_percent",
    ] {
        let at = html.find(&format!(r#"name="{name}""#)).expect(name);
        assert!(at < details, "{name} is in the head");
    }
    assert!(
        !more_terms_tag(&html).contains(" open"),
        "closed while empty"
    );
    assert!(html.contains("<summary>Skonto, Wechselkurs, bereits gezahlt</summary>"));

    // A draft without them: closed (a zero is no value); with one of them: open.
    let (plain, _) = save_new(&app, &b, &draft_form(&csrf, "invoice", &cid, &[])).await;
    let html = b.text(&format!("/documents/{plain}")).await;
    assert!(
        html.contains(r#"name="prepaid_amount" type="text" value="0""#),
        "{html}"
    );
    assert!(!more_terms_tag(&html).contains(" open"));
    for extra in [
        [("skonto1_days", "7"), ("skonto1_percent", "2")],
        [("currency", "USD"), ("exchange_rate", "1,08")],
        [
            ("prepaid_amount", "50"),
            ("subject", "Anzahlung verrechnet"),
        ],
    ] {
        let (id, _) = save_new(&app, &b, &draft_form(&csrf, "invoice", &cid, &extra)).await;
        let html = b.text(&format!("/documents/{id}")).await;
        assert!(more_terms_tag(&html).contains(" open"), "{extra:?}: open");
    }
    // A problem in one of them opens it too, with the message under the field.
    let r = b
        .post(app.url("/documents"))
        .form(&draft_form(
            &csrf,
            "invoice",
            &cid,
            &[("skonto1_days", "7"), ("skonto1_percent", "100")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(more_terms_tag(&html).contains(" open"));
    assert!(html.contains(r#"aria-describedby="e-skonto1_percent""#));
}

#[tokio::test]
async fn a_draft_is_named_by_its_type_and_saving_is_confirmed() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let contact = app
        .store
        .create_contact(&Actor::system(), &german_b2b())
        .await
        .unwrap();
    let cid = contact.id.to_string();

    let html = b.text("/documents/new?type=quote").await;
    assert_eq!(heading(&html), "Angebot (neu)");
    assert!(
        html.contains(r#"data-title="Rechnung (neu)""#),
        "the script's heading per type"
    );
    assert!(!html.contains(r#"class="flash""#));

    // Saving sends the browser to the draft (post/redirect/get), which confirms it.
    let (id, to) = save_new(&app, &b, &draft_form(&csrf, "quote", &cid, &[])).await;
    assert_eq!(to, format!("/documents/{id}?saved=1"));
    let html = b.text(&to).await;
    assert_eq!(heading(&html), "Angebot (Entwurf)");
    assert!(
        html.contains(r#"<p class="flash" role="status">Gespeichert.</p>"#),
        "{html}"
    );
    // Opened again later, the draft does not claim to have just been saved.
    let html = b.text(&format!("/documents/{id}")).await;
    assert!(!html.contains("Gespeichert."));
    assert_eq!(heading(&html), "Angebot (Entwurf)");

    // Saving again (an update) confirms it the same way.
    let mut form = draft_form(&csrf, "quote", &cid, &[("version", "1")]);
    form.retain(|(k, _)| *k != "date");
    form.push(("date", "2026-11-27"));
    let r = b
        .post(app.url(&format!("/documents/{id}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/documents/{id}?saved=1"));

    let (invoice, to) = save_new(&app, &b, &draft_form(&csrf, "invoice", &cid, &[])).await;
    assert_eq!(heading(&b.text(&to).await), "Rechnung (Entwurf)");

    // In English.
    let r = b
        .post(app.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = b.text(&format!("/documents/{invoice}?saved=1")).await;
    assert_eq!(heading(&html), "Invoice (draft)");
    assert!(html.contains(r#"<p class="flash" role="status">Saved.</p>"#));
    assert_eq!(
        heading(&b.text("/documents/new?type=quote").await),
        "Quote (new)"
    );
}

#[tokio::test]
async fn units_tax_modes_and_discounts_are_named_in_words() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let contact = app
        .store
        .create_contact(&Actor::system(), &german_b2b())
        .await
        .unwrap();
    let cid = contact.id.to_string();

    // The unit picker shows names, not codes or abbreviations.
    let html = b.text("/documents/new?type=invoice").await;
    assert!(
        html.contains(r#"<option value="HUR">Stunde</option>"#),
        "{html}"
    );
    assert!(html.contains(r#"<option value="DAY">Tag</option>"#));
    assert!(html.contains(r#"<option value="C62" selected>Stück</option>"#));
    assert!(!html.contains(">HUR<") && !html.contains(">Std.<"));

    // VAT groups by rate and, where the rate does not say it, in words; never "(S)".
    let (standard, _) = save_new(
        &app,
        &b,
        &draft_form(&csrf, "invoice", &cid, &[("discount_percent", "5")]),
    )
    .await;
    let html = b.text(&format!("/documents/{standard}")).await;
    assert!(html.contains("<dt>USt 19 %</dt>"), "{html}");
    assert!(!html.contains("(S)"));
    assert!(html.contains(r#"<option value="HUR" selected>Stunde</option>"#));
    // The totals name what each discount is: 2 × 95 − 10 % = 171,00 after the line discount,
    // 5 % of it (8,55) off the sum.
    assert!(html.contains("<dt>Summe Positionen (nach Positionsrabatten)</dt><dd id=\"t-line_total\">171,00 €</dd>"), "{html}");
    assert!(
        html.contains(
            "<dt>Gesamtrabatt auf die Summe</dt><dd id=\"t-allowance_total\">8,55 €</dd>"
        ),
        "{html}"
    );

    let form = draft_form(&csrf, "invoice", &cid, &[("tax_mode", "reverse_charge")]);
    let live: serde_json::Value = b
        .post(app.url("/documents/totals"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        live["vat_breakdown"][0]["label"], "USt 0 % – Reverse Charge (§ 13b UStG)",
        "{live}"
    );
    let (reverse, _) = save_new(&app, &b, &form).await;
    let html = b.text(&format!("/documents/{reverse}")).await;
    assert!(
        html.contains("<dt>USt 0 % – Reverse Charge (§ 13b UStG)</dt>"),
        "{html}"
    );
    assert!(!html.contains("(AE)"));

    // In English.
    b.post(app.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let html = b.text(&format!("/documents/{reverse}")).await;
    assert!(
        html.contains("<dt>VAT 0 % – Reverse charge (§ 13b UStG)</dt>"),
        "{html}"
    );
    assert!(html.contains(r#"<option value="HUR" selected>Hour</option>"#));
    assert!(html.contains("<dt>Document discount on the sum</dt>"));
    // The article pages name units the same way.
    let html = b.text("/articles/new").await;
    assert!(
        html.contains(r#"<option value="HUR">Hour</option>"#),
        "{html}"
    );
}
