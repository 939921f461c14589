//! The web pages over real HTTP: first-run setup, login, sessions, CSRF, roles, escaping,
//! and live totals that equal the API's. (Browser flows are in tests/e2e.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use kontor_storage::{Actor, Role};
use kontor_testkit::fixtures::{add_article, consulting, german_b2b, setup_company};
use kontor_testkit::{PASSWORD, TestApp, location};
use rust_decimal::Decimal;

mod editor;
mod incoming;
mod lists;
mod mailbox;

#[tokio::test]
async fn first_run_setup_then_login_only() {
    let app = TestApp::first_run().await;
    let b = app.browser();
    let r = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        "/setup",
        "a fresh installation leads to the setup page"
    );
    let page = b
        .get(app.url("/setup"))
        .header("accept-language", "de-DE")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kontor einrichten"));

    // Mismatched passwords: the form comes back with a message, nothing is stored.
    let bad = [
        ("name", "Muster GmbH"),
        ("country", "DE"),
        ("username", "anna"),
        ("password", PASSWORD),
        ("password2", "other"),
    ];
    let r = b.post(app.url("/setup")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("stimmen nicht überein"));
    assert_eq!(app.store.user_count().await.unwrap(), 0);

    // Whoever reaches a new installation first does not become its administrator: the form
    // wants the setup code that `kontor serve` printed.
    let code = app.app.users().setup_code().await.unwrap().expect("a code");
    let form = |code: &str| {
        [
            ("setup_code", code.to_string()),
            ("name", "Muster GmbH".into()),
            ("street", "Hauptstr. 1".into()),
            ("postal_code", "10115".into()),
            ("city", "Berlin".into()),
            ("country", "DE".into()),
            ("vat_id", "DE123456788".into()),
            ("registry", "Amtsgericht Berlin HRB 1234".into()),
            ("iban", "DE02 1203 0000 0000 2020 51".into()),
            ("username", "anna".into()),
            ("password", PASSWORD.into()),
            ("password2", PASSWORD.into()),
        ]
    };
    for wrong in ["", "AAAA-BBBB-CCCC"] {
        let r = b
            .post(app.url("/setup"))
            .header("accept-language", "de-DE")
            .form(&form(wrong))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "code {wrong:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(r#"id="setup_code-error""#), "{wrong:?}");
        assert!(html.contains("nicht der Einrichtungscode"), "{wrong:?}");
        assert!(html.contains(r#"value="DE02 1203 0000 0000 2020 51""#));
        assert_eq!(app.store.user_count().await.unwrap(), 0);
    }
    let good = form(&code);
    let r = b.post(app.url("/setup")).form(&good).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let company = app.store.company().await.unwrap();
    assert_eq!(company.name, "Muster GmbH");
    assert_eq!(company.registry, "Amtsgericht Berlin HRB 1234");
    assert_eq!(company.iban.unwrap().as_str(), "DE02120300000000202051");
    let r = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200, "setup logs the admin in");
    assert_eq!(app.app.users().setup_code().await.unwrap(), None, "used up");

    // Setup is gone once a user exists; other visitors must log in.
    let stranger = app.browser();
    let r = stranger
        .post(app.url("/setup"))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login");
    assert_eq!(app.store.user_count().await.unwrap(), 1);
    for path in [
        "/",
        "/contacts",
        "/documents",
        "/articles",
        "/settings",
        "/documents/new",
    ] {
        let r = stranger.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            (path, location(&r)),
            (path, "/login".to_string()),
            "nothing is reachable without login"
        );
    }
}

#[tokio::test]
async fn login_failure_logout_and_session_end() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("bert", Role::Accountant).await;
    let wrong = app.browser();
    let r = wrong
        .post(app.url("/login"))
        .form(&[("username", "bert"), ("password", "wrong password!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let unknown = wrong
        .post(app.url("/login"))
        .form(&[("username", "nobody"), ("password", "wrong password!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let (known_page, unknown_page) = (r.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(
        known_page.replace("bert", "X"),
        unknown_page.replace("nobody", "X"),
        "no user enumeration: the same page"
    );

    // Logout without the CSRF token is refused; with it, the session ends on the server.
    let r = b.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login");
    let r = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&r), "/login");
}

#[tokio::test]
async fn forms_need_csrf_and_same_origin() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("carla", Role::Admin).await;
    let contact = [
        ("name", "Kunde AG"),
        ("country", "DE"),
        ("is_customer", "on"),
    ];
    let r = b
        .post(app.url("/contacts"))
        .form(&contact)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no token");
    let mut with_token = contact.to_vec();
    with_token.push(("_csrf", csrf.as_str()));
    let r = b
        .post(app.url("/contacts"))
        .header("origin", "http://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "foreign origin");
    let mut wrong = contact.to_vec();
    wrong.push(("_csrf", "00"));
    assert_eq!(
        b.post(app.url("/contacts"))
            .form(&wrong)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        app.store
            .list_contacts(&Default::default())
            .await
            .unwrap()
            .total,
        0,
        "nothing was written"
    );
    let r = b
        .post(app.url("/contacts"))
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.store
            .list_contacts(&Default::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn roles_are_enforced_on_pages() {
    let app = TestApp::first_run().await;
    let (sales, sales_csrf) = app.login_as("sam", Role::Sales).await;
    assert_eq!(
        sales
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = sales
        .post(app.url("/settings/company"))
        .form(&[("_csrf", sales_csrf.as_str()), ("name", "X")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (auditor, csrf) = app.login_as("audrey", Role::Auditor).await;
    assert_eq!(
        auditor
            .get(app.url("/contacts"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "auditors read"
    );
    let r = auditor
        .post(app.url("/contacts"))
        .form(&[("_csrf", csrf.as_str()), ("name", "X"), ("country", "DE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "auditors do not write");
    assert_eq!(
        auditor
            .get(app.url("/documents/new"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

/// The company form parses IBAN, BIC and VAT ID once: a wrong one is named under its field and
/// stays as typed; a right one is kept in its one form.
#[tokio::test]
async fn company_codes_are_checked_and_kept_as_typed_when_wrong() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("dora", Role::Admin).await;
    let form = |bic: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Holzwerk Sommer".to_string()),
            ("country", "DE".into()),
            ("vat_id", "de 123 456 788".into()),
            ("iban", "DE02 1203 0000 0000 2020 51".into()),
            ("bic", bic.into()),
            ("default_payment_terms_days", "14".into()),
        ]
    };
    let r = b
        .post(app.url("/settings/company"))
        .form(&form("COBADEFFX"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="e-bic""#), "the BIC is named");
    assert!(html.contains(r#"value="COBADEFFX""#), "and stays as typed");
    assert!(html.contains(r#"value="DE02 1203 0000 0000 2020 51""#));
    assert!(app.store.company().await.unwrap().bic.is_none());
    let r = b
        .post(app.url("/settings/company"))
        .form(&form("coba de ff xxx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let kept = app.store.company().await.unwrap();
    let text = |v: Option<String>| v.unwrap_or_default();
    assert_eq!(text(kept.bic.map(|v| v.to_string())), "COBADEFFXXX");
    assert_eq!(
        text(kept.iban.map(|v| v.to_string())),
        "DE02120300000000202051"
    );
    assert_eq!(text(kept.vat_id.map(|v| v.to_string())), "DE123456788");
}

/// An issued invoice whose contact and seller carry what an XRechnung needs has its two
/// download links; the page of one that cannot have one says why (see live_totals…).
#[tokio::test]
async fn an_issued_invoice_offers_the_xrechnung_it_can_have() {
    let app = TestApp::first_run().await;
    let (b, _) = app.login_as("xena", Role::Admin).await;
    setup_company(&app.app).await;
    let mut buyer = german_b2b();
    buyer.buyer_reference = "04011000-12345-03".into();
    buyer.email = "rechnung@kunde.example".into();
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &buyer).await;
    let issued = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let html = b
        .get(app.url(&format!("/documents/{}", issued.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"xrechnung-ubl\"") && html.contains("id=\"xrechnung-cii\""),
        "{html}"
    );
    assert!(!html.contains("id=\"xrechnung-unavailable\""));
    let r = b
        .get(app.url(&format!("/documents/{}/xrechnung?syntax=ubl", issued.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A payment above the open amount is refused on the page in German, with the typed amount's
/// reason, and nothing is booked.
#[tokio::test]
async fn an_overpayment_is_refused_in_the_users_language() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let issued = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let too_much = format!("{}", issued.totals.due + Decimal::ONE).replace('.', ",");
    let r = b
        .post(app.url(&format!("/documents/{}/payments", issued.id)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("amount", too_much.as_str()),
            ("method", "bank_transfer"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("höher als der noch offene Betrag"), "{html}");
    assert!(!html.contains("exceeds the open amount"));
    let r = b
        .post(app.url(&format!("/documents/{}/payments", issued.id)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("amount", "zwölf"),
            ("method", "bank_transfer"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ist keine Zahl (z. B. 12,50)")
    );
    let stored = app.app.documents().get(issued.id).await.unwrap();
    assert_eq!(stored.paid, Decimal::ZERO, "nothing was booked");
}

#[tokio::test]
async fn validation_messages_and_escaping() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("dora", Role::Admin).await;
    let r = b
        .post(app.url("/contacts"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", ""),
            ("country", "XX"),
            ("email", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"e-name\"")
            && html.contains("id=\"e-country\"")
            && html.contains("id=\"e-email\""),
        "messages next to the fields"
    );
    assert!(
        html.contains("Bitte den Ländercode nach ISO 3166 angeben")
            && html.contains("Das ist keine E-Mail-Adresse."),
        "in German: {html}"
    );
    assert!(!html.contains("is not an e-mail address"));
    let r = b
        .post(app.url("/contacts"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Tippfehler GmbH"),
            ("country", "DE"),
            ("vat_id", "DE 123 456 789"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Die Prüfziffer der USt-IdNr. stimmt nicht"),
        "{html}"
    );
    assert!(html.contains(r#"value="DE 123 456 789""#), "kept as typed");

    let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", evil),
        ("country", "DE"),
        ("city", evil),
        ("is_customer", "on"),
    ];
    let r = b
        .post(app.url("/contacts"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let detail = location(&r);
    for path in [detail.as_str(), "/contacts", "/"] {
        let html = b
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("<script>alert") && !html.contains("<img src=x"),
            "{path} escapes user text"
        );
    }
    // Search suggestions are JSON (inserted with textContent by the page), never HTML.
    let r = b
        .get(app.url("/contacts/search?q=script"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn live_totals_equal_the_stored_totals() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("erik", Role::Admin).await;
    // The kit's German customer without postal code and city: not ready to invoice.
    let mut c = kontor_domain::ContactData {
        postal_code: String::new(),
        city: String::new(),
        ..german_b2b()
    };
    let contact = app
        .store
        .create_contact(&Actor::system(), &c)
        .await
        .unwrap();
    let cid = contact.id.to_string();
    let lines = [
        ("3", "19,99", "19"),
        ("1", "4,99", "7"),
        ("2,5", "85,1234", "19"),
    ];
    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("type", "invoice"),
        ("contact_id", &cid),
        ("discount_percent", "5"),
    ];
    for (q, p, r) in &lines {
        form.extend([
            ("line_kind", "item"),
            ("line_article_id", ""),
            ("line_description", "Pos"),
            ("line_quantity", *q),
            ("line_unit", "C62"),
            ("line_unit_price", *p),
            ("line_vat_rate", *r),
            ("line_discount", ""),
        ]);
    }
    let live: serde_json::Value = b
        .post(app.url("/documents/totals"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = b
        .post(app.url("/documents"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        303,
        "{}",
        r.text()
            .await
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("error"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let id: i64 = location(&r)
        .trim_start_matches("/documents/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();
    let stored = app.store.document(id).await.unwrap();
    assert_eq!(live["raw"]["gross"], stored.totals.gross.to_string());
    assert_eq!(live["raw"]["net"], stored.totals.net.to_string());
    assert_eq!(live["raw"]["vat"], stored.totals.vat.to_string());
    assert_eq!(
        live["gross"],
        format!("{} €", stored.totals.gross.to_string().replace('.', ","))
    );

    // Issuing names what is missing (no company profile yet) and leaves the draft as it was.
    let r = b
        .post(app.url(&format!("/documents/{id}/issue")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"issue-problems\"")
            && html.contains("company.name")
            && html.contains("delivery_date"),
        "problems listed"
    );
    setup_company(&app.app).await;
    c.postal_code = "80331".into();
    c.city = "München".into();
    app.store
        .update_contact(&Actor::system(), contact.id, &c, None)
        .await
        .unwrap();
    let mut form = form.clone();
    form.extend([("delivery_date", "2026-11-20"), ("version", "1")]);
    let r = b
        .post(app.url(&format!("/documents/{id}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Issue from the page; the document is then shown locked.
    let r = b
        .post(app.url(&format!("/documents/{id}/issue")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = b
        .get(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("RE-2026-0001")
            || html.contains(&format!("RE-{}-0001", chrono::Local::now().format("%Y")))
    );
    assert!(html.contains("id=\"locked-note\"") && !html.contains("id=\"editor\""));
    // The page shows why there is no XRechnung instead of links that would fail.
    assert!(
        html.contains("id=\"xrechnung-unavailable\"") && !html.contains("id=\"xrechnung-ubl\""),
        "{html}"
    );
    assert!(
        html.contains("Käufer-Referenz / Leitweg-ID fehlt"),
        "{html}"
    );

    // The contact takes ZUGFeRD and has no buyer reference (BT-10), so the issued invoice has
    // no XRechnung: the page says why, with the same status as the API, and no error reference.
    let r = b
        .get(app.url(&format!("/documents/{id}/xrechnung?syntax=ubl")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("keine XRechnung") && html.contains("buyer_reference"),
        "the reason in German: {html}"
    );
    assert!(!html.contains("error-reference"), "not an internal error");
    let r = b
        .post(app.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = b
        .get(app.url(&format!("/documents/{id}/xrechnung?syntax=cii")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("contact.buyer_reference") && !html.contains("keine XRechnung"),
        "the reason in English: {html}"
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_switch_language() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("fritz", Role::Admin).await;
    let r = b.get(app.url("/contacts")).send().await.unwrap();
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        r.text().await.unwrap().contains(">Kontakte<"),
        "German by default"
    );
    let r = b
        .post(app.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        b.get(app.url("/contacts"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains(">Contacts<")
    );
    let login = app
        .browser()
        .get(app.url("/login"))
        .header("accept-language", "en-US,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(login.text().await.unwrap().contains("Log in"));
}

#[tokio::test]
async fn logo_upload_is_type_checked() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("gina", Role::Admin).await;
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .part(
                "logo",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("logo.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        b.post(app.url("/settings/logo")).multipart(form).send()
    };
    let r = upload(
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(
        r.status(),
        422,
        "an SVG with a script is refused whatever it claims to be"
    );
    assert!(r.text().await.unwrap().contains("id=\"logo-error\""));
    let r = upload(b"GIF89a....".to_vec()).await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        b.get(app.url("/logo")).send().await.unwrap().status(),
        404,
        "no logo stored"
    );
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let r = upload(png.clone()).await.unwrap();
    assert_eq!(r.status(), 303);
    let r = b.get(app.url("/logo")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    let (sales, sales_csrf) = app.login_as("hans", Role::Sales).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", sales_csrf)
        .part(
            "logo",
            reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n".to_vec()),
        );
    assert_eq!(
        sales
            .post(app.url("/settings/logo"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn document_look_is_set_on_the_settings_page_with_template_errors_by_line() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("ines", Role::Admin).await;
    let page = b.get(app.url("/settings")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"look-form\"") && html.contains("Liberation Serif"));

    // A broken template: refused with its line, nothing stored, the input kept.
    let bad = "#let data = json(\"/data.json\")\n#data.title\n#data.nope\n";
    let r = b
        .post(app.url("/settings/look"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("accent", "#aa0000"),
            ("font", "liberation-serif"),
            ("tagline", "Seit 1999"),
            ("col_unit", "on"),
            ("template", bad),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"look-errors\""), "{html}");
    assert!(html.contains("line 3"), "the error names the line");
    assert!(
        html.contains("#data.nope"),
        "the template stays in the form"
    );
    assert!(app.store.setting("pdf").await.unwrap().is_none());

    // Bad colour and font are named too.
    let r = b
        .post(app.url("/settings/look"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("accent", "red"),
            ("font", "comic"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Akzentfarbe") && html.contains("Schrift"),
        "{html}"
    );

    // A valid look is stored and used by the preview.
    let r = b
        .post(app.url("/settings/look"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("accent", "#AA0000"),
            ("font", "liberation-serif"),
            ("tagline", "Seit 1999"),
            ("col_unit", "on"),
            ("col_unit_price", "on"),
            ("template", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let stored = app.store.setting("pdf").await.unwrap().expect("stored");
    assert_eq!(stored["accent"], "#aa0000");
    assert_eq!(stored["font"], "liberation-serif");
    assert_eq!(stored["columns"]["position"], false);
    assert_eq!(stored["columns"]["unit"], true);
    let r = b
        .get(app.url("/settings/look/preview"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    // Without CSRF nothing changes; sales may not.
    let r = b
        .post(app.url("/settings/look"))
        .form(&[("accent", "#000000"), ("font", "dejavu-sans")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (sales, sales_csrf) = app.login_as("jonas", Role::Sales).await;
    let r = sales
        .post(app.url("/settings/look"))
        .form(&[("_csrf", sales_csrf.as_str()), ("accent", "#000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.store.setting("pdf").await.unwrap().unwrap()["accent"],
        "#aa0000"
    );
}

#[tokio::test]
async fn the_editor_shows_every_problem_next_to_its_field_as_typed() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let contact = app
        .store
        .create_contact(&Actor::system(), &german_b2b())
        .await
        .unwrap();
    let cid = contact.id.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("type", "invoice"),
        ("contact_id", &cid),
        ("date", "kein Tag"),
        ("discount_percent", "100,5"),
    ];
    for (q, p) in [("-2", "10"), ("1", ""), ("1,23456", "5")] {
        form.extend([
            ("line_kind", "item"),
            ("line_article_id", ""),
            ("line_description", "Pos"),
            ("line_quantity", q),
            ("line_unit", "C62"),
            ("line_unit_price", p),
            ("line_vat_rate", "19"),
            ("line_discount", ""),
        ]);
    }
    let r = b
        .post(app.url("/documents"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    // The form's own syntax and the service layer's rules, each next to its field.
    for message in [
        "kein Datum (TT.MM.JJJJ)",
        "höchstens 100",
        "darf nicht negativ sein",
        "Pflichtfeld (oder einen Artikel wählen)",
        "höchstens 4 Nachkommastellen",
    ] {
        assert!(html.contains(message), "{message} missing");
    }
    // Every value comes back as typed.
    for typed in [
        r#"value="kein Tag""#,
        r#"value="100,5""#,
        r#"value="-2""#,
        r#"value="1,23456""#,
    ] {
        assert!(html.contains(typed), "{typed} not shown again");
    }
    let saved = app
        .store
        .list_documents(&Default::default(), app.app.today())
        .await
        .unwrap();
    assert_eq!(saved.total, 0, "nothing saved");
}

#[tokio::test]
async fn editor_saves_and_checks_payment_terms() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let c = german_b2b();
    let contact = app
        .store
        .create_contact(&Actor::system(), &c)
        .await
        .unwrap();
    let cid = contact.id.to_string();
    let form = |extra: Vec<(&'static str, &'static str)>| {
        let mut f: Vec<(&str, String)> = vec![
            ("_csrf", csrf.clone()),
            ("type", "invoice".into()),
            ("contact_id", cid.clone()),
            ("due_date", "2026-12-10".into()),
            ("date", "2026-11-26".into()),
            ("line_kind", "item".into()),
            ("line_article_id", String::new()),
            ("line_description", "Pos".into()),
            ("line_quantity", "1".into()),
            ("line_unit", "C62".into()),
            ("line_unit_price", "1000".into()),
            ("line_vat_rate", "19".into()),
            ("line_discount", String::new()),
        ];
        f.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
        f
    };
    // A wrong Skonto percentage comes back with the message next to the field.
    let r = b
        .post(app.url("/documents"))
        .form(&form(vec![
            ("skonto1_days", "7"),
            ("skonto1_percent", "100"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("größer als 0 und kleiner als 100"),
        "field message missing"
    );
    // Skonto, direct debit and an exchange rate are saved as typed.
    let r = b
        .post(app.url("/documents"))
        .form(&form(vec![
            ("skonto1_days", "7"),
            ("skonto1_percent", "2,5"),
            ("payment_method", "direct_debit"),
            ("currency", "USD"),
            ("exchange_rate", "1,0823"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let id: i64 = location(&r)
        .trim_start_matches("/documents/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();
    let d = app.store.document(id).await.unwrap();
    assert_eq!(
        d.content.skonto,
        vec![kontor_domain::SkontoStep {
            days: 7,
            percent: rust_decimal::Decimal::new(25, 1)
        }]
    );
    assert_eq!(
        d.content.payment_method,
        kontor_domain::PaymentMethod::DirectDebit
    );
    assert_eq!(
        d.content.exchange_rate,
        Some(rust_decimal::Decimal::new(10823, 4))
    );
    // The editor shows them again.
    let html = b
        .get(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="skonto1_percent" type="text" value="2,5""#));
    assert!(html.contains(r#"<option value="direct_debit" selected>"#));

    // The contact form keeps Skonto terms and the SEPA mandate; a wrong IBAN is named.
    let contact_form = |iban: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Lastschrift GmbH".to_string()),
            ("country", "DE".into()),
            ("skonto", "7:3; 14:1,5".into()),
            ("payment_method", "direct_debit".into()),
            ("sepa_mandate_reference", "M-2026-1".into()),
            ("sepa_debtor_iban", iban.into()),
        ]
    };
    let r = b
        .post(app.url("/contacts"))
        .form(&contact_form("DE02120300000000202052"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(r#"id="e-sepa_debtor_iban""#)
    );
    let r = b
        .post(app.url("/contacts"))
        .form(&contact_form("DE02 1203 0000 0000 2020 51"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let saved = app
        .store
        .list_contacts(&kontor_storage::ContactQuery {
            search: Some("Lastschrift".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(
        saved.data.sepa_debtor_iban.as_ref().map(|v| v.as_str()),
        Some("DE02120300000000202051")
    );
    assert_eq!(
        saved.data.payment_method,
        kontor_domain::PaymentMethod::DirectDebit
    );
    assert_eq!(
        saved.data.skonto.as_deref().map(<[_]>::len),
        Some(2),
        "two Skonto steps"
    );
}

#[tokio::test]
async fn prices_keep_two_decimals_or_more_in_the_article_pages() {
    let app = TestApp::first_run().await;
    let (b, _) = app.login_as("hanna", Role::Admin).await;
    setup_company(&app.app).await;
    let mut round = consulting();
    round.name = "Rund".into();
    round.unit_price = Decimal::new(499, 1);
    let round = add_article(&app.app, &round).await;
    let mut fine = consulting();
    fine.name = "Fein".into();
    fine.unit_price = Decimal::new(1234, 4);
    add_article(&app.app, &fine).await;
    let list = b.get(app.url("/articles")).send().await.unwrap();
    let list = list.text().await.unwrap();
    assert!(list.contains(">49,90<"), "{list}");
    assert!(list.contains(">0,1234<"), "{list}");
    let form = b
        .get(app.url(&format!("/articles/{}", round.id)))
        .send()
        .await
        .unwrap();
    let form = form.text().await.unwrap();
    assert!(form.contains("value=\"49,90\""), "{form}");
    let found: serde_json::Value = b
        .get(app.url("/articles/search?q=Rund"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["unit_price"], "49.90", "{found}");
}

#[tokio::test]
async fn unknown_addresses_get_a_page_in_browsers_and_json_elsewhere() {
    let app = TestApp::first_run().await;
    let guest = app.browser();
    let page = guest
        .get(app.url("/gibt-es-nicht"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Not found."), "{html}");
    assert!(html.contains("rel=\"icon\""), "{html}");
    for (path, accept) in [
        ("/gibt-es-nicht", "application/json"),
        ("/api/v1/gibt-es-nicht", "text/html"),
    ] {
        let r = guest
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    }
    let icon = guest
        .get(app.url("/static/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    // The first-run page (a guest page like the login).
    let setup = guest.get(app.url("/setup")).send().await.unwrap();
    assert!(setup.text().await.unwrap().contains("/static/favicon.svg"));
}

#[tokio::test]
async fn user_and_payment_rules_are_told_in_german() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let issued = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = app.url(&path);
        let csrf = csrf.clone();
        async move {
            let mut form = form;
            form.push(("_csrf", csrf));
            b.post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let payments = format!("/documents/{}/payments", issued.id);
    // (path, form, the German text expected, the English text not expected)
    type Case<'a> = (String, Vec<(&'a str, String)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            payments.clone(),
            vec![("amount", "10,00".into()), ("method", "barter".into())],
            "Bitte wählen Sie eine der angebotenen Zahlungsarten.",
            "must be one of",
        ),
        (
            payments.clone(),
            vec![("amount", "0".into()), ("method", "bank_transfer".into())],
            "Der Betrag muss größer als 0 sein.",
            "must be greater",
        ),
        (
            "/settings/users".into(),
            vec![
                ("username", "max".into()),
                ("password", "kurz".into()),
                ("role", "sales".into()),
            ],
            "Das Passwort muss mindestens 12 Zeichen lang sein.",
            "must be at least",
        ),
        (
            "/settings/users".into(),
            vec![
                ("username", "a b".into()),
                ("password", "Lange-Tage-am-Meer-2026".into()),
                ("role", "sales".into()),
            ],
            "Der Benutzername muss 3 bis 64 Zeichen lang sein",
            "must be 3 to 64",
        ),
        (
            "/settings/users".into(),
            vec![
                ("username", "maxi".into()),
                ("password", "password1234".into()),
                ("role", "sales".into()),
            ],
            "Das Passwort ist leicht zu erraten",
            "too easy to guess",
        ),
        (
            "/account/password".into(),
            vec![
                ("current_password", "falsch-falsch-falsch".into()),
                ("new_password", "Lange-Tage-am-Meer-2026".into()),
                ("new_password2", "Lange-Tage-am-Meer-2026".into()),
            ],
            "Das bisherige Passwort stimmt nicht.",
            "is not correct",
        ),
    ];
    for (path, form, german, english) in cases {
        let html = post(path.clone(), form).await;
        assert!(html.contains(german), "{path}: {german}\n{html}");
        assert!(!html.contains(english), "{path}: {english}");
    }
    let stored = app.app.documents().get(issued.id).await.unwrap();
    assert_eq!(stored.paid, Decimal::ZERO, "nothing was booked");
    assert_eq!(
        app.app.users().list().await.unwrap().len(),
        1,
        "no user added"
    );
}

#[tokio::test]
async fn the_not_found_page_speaks_the_users_language() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    let r = b
        .post(app.url("/language"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let page = b
        .get(app.url("/gibt-es-nicht"))
        .header("accept", "text/html")
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("Not found."), "{html}");
    assert!(html.contains("lang=\"en\""), "{html}");
}

#[tokio::test]
async fn the_change_log_says_what_changed_from_what_to_what() {
    let app = TestApp::first_run().await;
    let (b, _) = app.login_as("paula", Role::Admin).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let mut data = contact.data.clone();
    data.payment_terms_days = Some(30);
    data.city = "Köln <am Rhein>".into();
    data.phone = "+49 221 123456".into();
    app.app
        .contacts()
        .update(&Actor::cli(), contact.id, &data, None)
        .await
        .unwrap();
    let html = b
        .get(app.url(&format!("/contacts/{}", contact.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Zahlungsziel (Tage)</span>: <del>—</del> → <ins>30</ins>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "Ort</span>: <del>{}</del> → <ins>Köln &#60;am Rhein&#62;</ins>",
            contact.data.city
        )),
        "{html}"
    );
    assert!(
        html.contains(r#"<dd id="contact-phone"><a href="tel:+49 221 123456">+49 221 123456</a>"#),
        "the phone number is on the contact's page"
    );
    let form = b
        .get(app.url(&format!("/contacts/{}/edit", contact.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = |needle: &str| {
        form.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    // Each field in its own section: address, tax, payment, delivery, notes.
    assert!(at("sec-address") < at("name=\"phone\"") && at("name=\"phone\"") < at("sec-tax"));
    assert!(at("sec-tax") < at("name=\"vat_id\"") && at("name=\"vat_id\"") < at("sec-payment"));
    assert!(
        at("sec-payment") < at("name=\"payment_terms_days\"")
            && at("name=\"sepa_debtor_iban\"") < at("sec-delivery")
    );
    assert!(at("sec-notes") < at("name=\"notes\""));
    assert!(form.contains("Anschrift und Kontakt") && form.contains("Steuer und E-Rechnung"));
}

#[tokio::test]
async fn a_quote_page_records_the_answer_and_links_what_was_made_from_it() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let docs = app.app.documents();
    let input = kontor_app::documents::DraftInput {
        doc_type: Some(kontor_domain::DocumentType::Quote),
        contact_id: Some(contact.id),
        date: Some(app.app.today()),
        due_date: Some(app.app.today() + chrono::Days::new(30)),
        lines: vec![kontor_app::documents::LineInput {
            description: Some("Gartenhaus".into()),
            quantity: Some(Decimal::ONE),
            unit_price: Some(Decimal::from(1000)),
            vat_rate: Some(Decimal::from(19)),
            ..kontor_app::documents::LineInput::default()
        }],
        ..kontor_app::documents::DraftInput::default()
    };
    let quote = docs.create(&Actor::cli(), input).await.unwrap();
    let quote = docs.issue(&Actor::cli(), quote.id).await.unwrap();
    let page = |b: &reqwest::Client| {
        let url = app.url(&format!("/documents/{}", quote.id));
        let b = b.clone();
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(&b).await;
    assert!(html.contains("Gültig bis"), "{html}");
    assert!(
        !html.contains("Gutschrift oder Storno"),
        "no invoice wording on a quote"
    );
    assert!(!html.contains("Zahlbetrag"));
    assert!(html.contains(r#"id="quote-accepted""#) && html.contains(r#"id="quote-declined""#));
    let r = b
        .post(app.url(&format!("/documents/{}/outcome", quote.id)))
        .form(&[("_csrf", csrf.as_str()), ("outcome", "declined")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = page(&b).await;
    assert!(html.contains(r#"id="doc-status">Abgelehnt<"#), "{html}");
    assert!(html.contains(r#"id="quote-reopen""#));
    let confirmation = docs
        .derive(
            &Actor::cli(),
            quote.id,
            kontor_domain::DocumentType::OrderConfirmation,
            None,
        )
        .await
        .unwrap();
    let html = page(&b).await;
    assert!(
        html.contains(&format!(
            r#"<a href="/documents/{}">Auftragsbestätigung Entwurf</a>"#,
            confirmation.id
        )),
        "{html}"
    );
    assert!(
        html.contains(r#"id="doc-status">Abgelehnt<"#),
        "an answer given stays when a follow-up is made"
    );
}

#[tokio::test]
async fn a_draft_says_before_issuing_what_is_missing_and_which_einvoices_it_gets() {
    let app = TestApp::first_run().await;
    let (b, _) = app.login_as("paula", Role::Admin).await;
    let mut company = kontor_testkit::fixtures::company_profile();
    company.iban = None;
    company.registry.clear();
    app.app
        .company()
        .update(&Actor::cli(), &company)
        .await
        .unwrap();
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let draft = kontor_testkit::fixtures::draft_invoice(&app.app, contact.id).await;
    let html = b
        .get(app.url(&format!("/documents/{}", draft.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"id="issue-warnings""#), "{html}");
    assert!(html.contains("Keine Bankverbindung in den Firmendaten"));
    assert!(html.contains("Registergericht und Registernummer fehlen"));
    assert!(html.contains(r#"id="einvoice-outlook""#));
    assert!(html.contains("ZUGFeRD / Factur-X (PDF mit eingebetteter XML)"));
    assert!(html.contains("Keine XRechnung, denn:"), "{html}");
}

#[tokio::test]
async fn a_paid_invoice_shows_paid_and_open_and_a_payment_can_be_reversed() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("paula", Role::Admin).await;
    setup_company(&app.app).await;
    let contact = kontor_testkit::fixtures::add_contact(&app.app, &german_b2b()).await;
    let issued = kontor_testkit::fixtures::issued_invoice(&app.app, contact.id).await;
    let payment = app
        .app
        .documents()
        .add_payment(
            &Actor::cli(),
            issued.id,
            &kontor_app::model::PaymentInput {
                date: app.app.today(),
                amount: issued.totals.due,
                method: "bank_transfer".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let url = app.url(&format!("/documents/{}", issued.id));
    let html = b.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(r#"<dd id="t-open" class="strong">0,00 €</dd>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="t-paid""#));
    let r = b
        .post(app.url(&format!(
            "/documents/{}/payments/{}/reverse",
            issued.id, payment.id
        )))
        .form(&[("_csrf", csrf.as_str()), ("reason", "")])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Pflichtangabe fehlt: Grund"),
        "a reason is required: {html}"
    );
    let r = b
        .post(app.url(&format!(
            "/documents/{}/payments/{}/reverse",
            issued.id, payment.id
        )))
        .form(&[("_csrf", csrf.as_str()), ("reason", "doppelt erfasst")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "post/redirect/get");
    let html = b.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Storno einer Zahlung:</strong> doppelt erfasst"),
        "{html}"
    );
    assert!(html.contains(&format!(
        r#"<tr id="payment-{}" class="reversed">"#,
        payment.id
    )));
    assert!(!html.contains(r#"<dd id="t-open" class="strong">0,00 €</dd>"#));
    let stored = app.app.documents().get(issued.id).await.unwrap();
    assert_eq!(stored.paid, Decimal::ZERO);
}

/// A final invoice's draft (the editor) and its issued page list each deducted down-payment
/// invoice with number, date, net and VAT per rate, and say which one is still open; the
/// editor's live totals deduct them as the stored totals do.
#[tokio::test]
async fn a_final_invoice_shows_its_deducted_down_payments() {
    use kontor_domain::DocumentType;
    use kontor_testkit::fixtures::{day, draft, item};

    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("fiona", Role::Admin).await;
    setup_company(&app.app).await;
    let a = Actor::system();
    let s = &app.store;
    let contact = s.create_contact(&a, &german_b2b()).await.unwrap();
    let quote = s
        .create_document(
            &a,
            &draft(
                DocumentType::Quote,
                contact.id,
                vec![
                    item(
                        "Umbau",
                        Decimal::from(10),
                        Decimal::from(100),
                        Decimal::from(19),
                    ),
                    item(
                        "Fachbuch",
                        Decimal::from(4),
                        Decimal::from(50),
                        Decimal::from(7),
                    ),
                ],
            ),
        )
        .await
        .unwrap();
    let quote = s.issue_document(&a, quote.id).await.unwrap();
    let dp = s
        .derive_document(
            &a,
            quote.id,
            DocumentType::DownPaymentInvoice,
            day("2026-11-27"),
            None,
        )
        .await
        .unwrap();
    let dp = s.issue_document(&a, dp.id).await.unwrap();
    let dp_number = dp.number().unwrap().to_string();
    let fin = s
        .derive_document(&a, quote.id, DocumentType::Invoice, day("2026-12-02"), None)
        .await
        .unwrap();
    // 1,000.00 at 19 % and 200.00 at 7 %, all of it invoiced as a down payment before.
    assert_eq!(fin.totals.down_payments, Decimal::from(1404));
    assert_eq!(fin.totals.due, Decimal::from(0));

    let page = |path: String| {
        let b = b.clone();
        let url = app.url(&path);
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let editor = page(format!("/documents/{}", fin.id)).await;
    for expected in [
        "id=\"down-payments\"",
        "Abgezogene Anzahlungsrechnungen (§ 14 Abs. 5 UStG)",
        dp_number.as_str(),
        "27.11.2026",
        "1.000,00 €",
        "190,00 €",
        "200,00 €",
        "14,00 €",
        "noch offen: 1.404,00 €",
        "id=\"t-down_payments\"",
        &format!("name=\"draft_id\" value=\"{}\"", fin.id),
    ] {
        assert!(editor.contains(expected), "editor lacks {expected:?}");
    }

    // The live totals of the draft as the editor sends it deduct the down payments too.
    let cid = contact.id.to_string();
    let fin_id = fin.id.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("type", "invoice"),
        ("contact_id", &cid),
        ("draft_id", &fin_id),
    ];
    for (q, p, r) in [("10", "100", "19"), ("4", "50", "7")] {
        form.extend([
            ("line_kind", "item"),
            ("line_article_id", ""),
            ("line_description", "Pos"),
            ("line_quantity", q),
            ("line_unit", "C62"),
            ("line_unit_price", p),
            ("line_vat_rate", r),
            ("line_discount", ""),
        ]);
    }
    let live: serde_json::Value = b
        .post(app.url("/documents/totals"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live["raw"]["due"], fin.totals.due.to_string(), "{live}");
    assert_eq!(live["down_payments"], "1.404,00 €");

    // Issued: the document page lists them the same way.
    s.add_payment(
        &a,
        dp.id,
        &kontor_storage::PaymentInput {
            date: day("2026-11-30"),
            amount: Decimal::from(1404),
            method: "bank_transfer".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let fin = s.issue_document(&a, fin.id).await.unwrap();
    let view = page(format!("/documents/{}", fin.id)).await;
    assert!(view.contains("id=\"down-payments\""), "{view}");
    assert!(view.contains(&dp_number));
    assert!(
        !view.contains("noch offen"),
        "paid before the final invoice was issued"
    );
}
