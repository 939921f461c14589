//! `GET /api/v1/documents/{id}/pdf`: the archived original for issued documents, a watermarked
//! preview for drafts.

use serde_json::{Value, json};

use kontor_testkit::fixtures::{company_json, simple_document};
use kontor_testkit::{TestApp, id, year};

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn download(app: &TestApp, doc: i64, token: Option<&str>) -> Download {
    let mut request = app
        .client
        .get(format!("{}/api/v1/documents/{doc}/pdf", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    Download {
        status: response.status().as_u16(),
        content_type,
        disposition,
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

#[tokio::test]
async fn issued_pdf_is_archived_and_never_changes() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let invoice = app.issued("invoice", contact, "100").await;
    let number = invoice["number"].as_str().expect("number").to_string();
    assert_eq!(number, format!("RE-{}-0001", year()));

    let first = download(&app, id(&invoice), Some(&app.token)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.content_type, "application/pdf");
    assert!(
        first
            .disposition
            .contains(&format!("filename=\"{number}.pdf\"")),
        "{}",
        first.disposition
    );
    assert!(first.bytes.starts_with(b"%PDF-"));
    let archived = app
        .store
        .archived_artefact(id(&invoice), "pdf")
        .await
        .expect("store")
        .expect("archived at issue");
    assert_eq!(
        archived.data, first.bytes,
        "the download is the archived file"
    );
    assert_eq!(archived.content_type, "application/pdf");

    // Company data, logo-less look and colour change: the issued PDF stays byte-identical.
    let mut changed: Value = company_json();
    changed["name"] = json!("Ganz Andere GmbH & Co. KG");
    changed["street"] = json!("Neue Straße 99");
    app.put("/api/v1/company", changed).await.expect(200);
    app.store
        .set_setting(
            &kontor_storage::Actor::system(),
            "pdf",
            &json!({"accent": "#aa0000"}),
        )
        .await
        .expect("setting");
    let again = download(&app, id(&invoice), Some(&app.token)).await;
    assert_eq!(again.status, 200);
    assert!(
        again.bytes == first.bytes,
        "re-download differs from the original"
    );

    // Any role may read it; without a token it is refused.
    let auditor = app.token_for(kontor_storage::Role::Auditor).await;
    assert_eq!(
        download(&app, id(&invoice), Some(&auditor)).await.status,
        200
    );
    assert_eq!(download(&app, id(&invoice), None).await.status, 401);
    assert_eq!(download(&app, 999_999, Some(&app.token)).await.status, 404);
}

#[tokio::test]
async fn drafts_render_on_the_fly_with_current_data() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let draft = app.draft(simple_document("quote", contact, "50")).await;
    let first = download(&app, id(&draft), Some(&app.token)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.content_type, "application/pdf");
    assert!(
        first
            .disposition
            .contains(&format!("entwurf-{}.pdf", id(&draft)))
    );
    assert!(
        app.store
            .archived_artefact(id(&draft), "pdf")
            .await
            .expect("store")
            .is_none(),
        "drafts are not archived"
    );
    let mut changed: Value = company_json();
    changed["name"] = json!("Neuer Name GmbH");
    app.put("/api/v1/company", changed).await.expect(200);
    let second = download(&app, id(&draft), Some(&app.token)).await;
    assert_ne!(
        first.bytes, second.bytes,
        "a draft shows the current company data"
    );
}

#[tokio::test]
async fn document_look_api_checks_templates_and_changes_later_pdfs_only() {
    let app = TestApp::spawn().await;
    app.setup_company().await;
    let look = app.get("/api/v1/settings/pdf").await.expect(200);
    assert_eq!(look["font"], "liberation-sans");
    assert_eq!(look["template"], "");

    // Errors name the field (and the template line).
    app.put("/api/v1/settings/pdf", json!({"accent": "blue"}))
        .await
        .expect_error(422, "invalid", Some("accent"));
    let reply = app
        .put(
            "/api/v1/settings/pdf",
            json!({"template": "#let data = json(\"/data.json\")\n#data.missing_field"}),
        )
        .await;
    let err = reply.expect_error(422, "invalid", Some("template"));
    assert!(err["error"].as_str().unwrap().contains("line 2"), "{err}");
    app.put("/api/v1/settings/pdf", json!({"colour": "#000000"}))
        .await
        .expect_error(422, "unknown_field", Some("colour"));

    // An issued invoice keeps its PDF; a draft renders in the new look.
    let contact = app.customer().await;
    let invoice = app.draft(simple_document("invoice", contact, "100")).await;
    app.post(
        &format!("/api/v1/documents/{}/issue", id(&invoice)),
        json!({}),
    )
    .await
    .expect(200);
    let before = download(&app, id(&invoice), Some(&app.token)).await;
    let template = "#let data = json(\"/data.json\")\n#set text(font: data.font)\nEIGENES LAYOUT #data.title #data.number\n";
    let stored = app
        .put(
            "/api/v1/settings/pdf",
            json!({"accent": "#AA0000", "font": "dejavu-sans", "template": template}),
        )
        .await
        .expect(200);
    assert_eq!(stored["accent"], "#aa0000");
    let after = download(&app, id(&invoice), Some(&app.token)).await;
    assert_eq!(
        before.bytes, after.bytes,
        "the archived original is unchanged"
    );
    let draft = app.draft(simple_document("quote", contact, "50")).await;
    let preview = download(&app, id(&draft), Some(&app.token)).await;
    let dir = std::env::temp_dir().join(format!("kontor-look-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("draft.pdf");
    std::fs::write(&path, &preview.bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("EIGENES LAYOUT"), "{text}");
    std::fs::remove_dir_all(&dir).ok();

    // Only admins change the look.
    let sales = app.token_for(kontor_storage::Role::Sales).await;
    let reply = app
        .as_user(
            &sales,
            reqwest::Method::PUT,
            "/api/v1/settings/pdf",
            Some(json!({"accent": "#000000"})),
        )
        .await;
    assert_eq!(reply.status, 403);
}
