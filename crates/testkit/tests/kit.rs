//! The kit's own checks: the settings a spawn takes reach the app, the fixtures make a
//! business that can invoice, and the browser's forms carry the CSRF token.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::sync::Arc;

use kontor_app::backups::Hosted;
use kontor_storage::Role;
use kontor_testkit::fixtures::{self, day};
use kontor_testkit::{TestApp, location};

#[tokio::test]
async fn a_fixed_clock_dates_the_business_and_its_invoice_number() {
    let app = TestApp::builder().on(day("2030-05-17")).spawn().await;
    assert_eq!(app.today(), day("2030-05-17"));
    let business = fixtures::business(&app.app).await;
    assert_eq!(business.issued.content.date, day("2030-05-17"));
    let number = business.issued.number().expect("issued with a number");
    assert!(number.contains("2030"), "{number}");
    assert!(business.draft.number().is_none());

    // The API shows the same data to the admin token made at spawn.
    let company = app.get("/api/v1/company").await.expect(200);
    assert_eq!(company["name"], business.company.name.as_str());
    assert_eq!(
        company["iban"],
        business.company.iban.as_ref().unwrap().as_str()
    );
    let issued = app
        .get(&format!("/api/v1/documents/{}", business.issued.id))
        .await
        .expect(200);
    assert_eq!(issued["number"], number);
    let article = app
        .get(&format!("/api/v1/articles/{}", business.article.id))
        .await
        .expect(200);
    assert_eq!(article["name"], "Beratung");
}

#[tokio::test]
async fn the_browser_posts_forms_with_the_csrf_token() {
    let app = TestApp::first_run().await;
    assert_eq!(app.store.user_count().await.unwrap(), 0, "no admin made");
    let (b, csrf) = app.login_as("anna", Role::Admin).await;
    let contact = [("name", "Kunde AG"), ("country", "DE")];
    let r = b.submit("/contacts", "0", &contact).await;
    assert_eq!(r.status(), 403, "a wrong token is refused");
    let r = b.submit("/contacts", &csrf, &contact).await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/contacts/"), "{}", location(&r));
    assert_eq!(b.csrf().await, csrf, "one token per session");
}

#[tokio::test]
async fn the_backup_status_given_is_the_one_shown() {
    let app = TestApp::builder().backups(Arc::new(Hosted)).spawn().await;
    let overview = app.get("/api/v1/backups").await.expect(200);
    assert_eq!(overview["hosted"], true);
}
