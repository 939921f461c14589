//! TOTP enrolment from "my account", login with a code (each code once), recovery codes, and
//! the business setting that requires 2FA at the next login.

use kontor_storage::Role;
use kontor_storage::two_factor::{base32_decode, totp_at};

use kontor_testkit::{PASSWORD, TestApp, location};

use crate::code_text;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn code(secret: &str, offset: i64) -> String {
    let bytes = base32_decode(secret).expect("base32");
    totp_at(&bytes, now().saturating_add_signed(offset))
}

fn recovery_codes(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next().map(str::to_string))
        .collect()
}

async fn second_step(app: &TestApp, b: &reqwest::Client, code: &str) -> reqwest::Response {
    b.post(app.url("/login/2fa"))
        .form(&[("code", code)])
        .send()
        .await
        .expect("post code")
}

#[tokio::test]
async fn enrol_then_log_in_with_codes_and_recovery_codes() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("anna", Role::Accountant).await;
    let r = b
        .post(app.url("/account/2fa/start"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("start");
    assert_eq!(r.status(), 303);
    let page = app.text(&b, "/account").await;
    let secret = code_text(&page, "totp-secret");
    assert_eq!(secret.len(), 32, "160-bit secret in base32");
    // The QR code is an SVG file without script or style (the CSP forbids inline ones).
    let qr = b
        .get(app.url("/account/2fa/qr.svg"))
        .send()
        .await
        .expect("qr");
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let svg = qr.text().await.expect("svg");
    assert!(svg.contains("<svg") && !svg.contains("<script") && !svg.contains("style="));
    // A wrong code does not turn it on.
    let r = b
        .post(app.url("/account/2fa/confirm"))
        .form(&[("_csrf", csrf.as_str()), ("code", "000000")])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 422);
    let r = b
        .post(app.url("/account/2fa/confirm"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", code(&secret, 0).as_str()),
        ])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    let codes = recovery_codes(&r.text().await.expect("codes page"));
    assert_eq!(codes.len(), 10);
    let page = app.text(&b, "/account").await;
    assert!(
        page.contains("10 Wiederherstellungscodes"),
        "codes left shown"
    );

    // Login now needs the second step; the password alone gives no session.
    let b2 = app.browser();
    let r = app.login(&b2, "anna", PASSWORD).await;
    assert_eq!(
        (r.status().as_u16(), location(&r)),
        (303, "/login/2fa".into())
    );
    assert_eq!(
        b2.get(app.url("/")).send().await.expect("get").status(),
        303
    );
    let r = second_step(&app, &b2, "123456").await;
    assert_eq!(r.status(), 401);
    // The code of the next step (the current one was used for the enrolment).
    let next = code(&secret, 30);
    let r = second_step(&app, &b2, &next).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/".into()));
    assert_eq!(
        b2.get(app.url("/")).send().await.expect("get").status(),
        200
    );
    // The same code cannot be used twice.
    let b3 = app.browser();
    app.login(&b3, "anna", PASSWORD).await;
    assert_eq!(second_step(&app, &b3, &next).await.status(), 401);
    // A recovery code works once.
    let r = second_step(&app, &b3, &codes[3]).await;
    assert_eq!(r.status(), 303);
    let b4 = app.browser();
    app.login(&b4, "anna", PASSWORD).await;
    assert_eq!(second_step(&app, &b4, &codes[3]).await.status(), 401);
    // Without the challenge cookie the second step leads back to the login.
    let r = second_step(&app, &app.browser(), &codes[4]).await;
    assert_eq!(location(&r), "/login");
    let log = app.store.security_log(50).await.expect("log");
    for event in ["totp_enabled", "recovery_code_used", "login"] {
        assert!(log.iter().any(|e| e.event == event), "{event} in {log:?}");
    }
    assert!(
        log.iter().any(|e| e
            .detail
            .as_ref()
            .is_some_and(|d| d["method"] == "password+totp")),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_challenge_allows_only_a_few_wrong_codes() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("anna", Role::Sales).await;
    b.post(app.url("/account/2fa/start"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("start");
    let secret = code_text(&app.text(&b, "/account").await, "totp-secret");
    let r = b
        .post(app.url("/account/2fa/confirm"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", code(&secret, 0).as_str()),
        ])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    let b2 = app.browser();
    app.login(&b2, "anna", PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(second_step(&app, &b2, "111111").await.status(), 401);
    }
    // The challenge is used up: even the right code now needs a new password step.
    let r = second_step(&app, &b2, &code(&secret, 30)).await;
    assert_eq!(location(&r), "/login");
}

#[tokio::test]
async fn the_business_can_require_2fa_for_everyone() {
    let app = TestApp::first_run().await;
    let (admin, csrf) = app.login_as("chefin", Role::Admin).await;
    app.user("bert", Role::Sales).await;
    let r = admin
        .post(app.url("/settings/security/require-2fa"))
        .form(&[("_csrf", csrf.as_str()), ("require_2fa", "on")])
        .send()
        .await
        .expect("setting");
    assert_eq!(r.status(), 303);
    // Bert's next login goes through enrolment before any session starts.
    let b = app.browser();
    let r = app.login(&b, "bert", PASSWORD).await;
    assert_eq!(location(&r), "/login/2fa");
    let page = b
        .get(app.url("/login/2fa"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("id=\"totp-qr\""));
    let secret = code_text(&page, "totp-secret");
    let qr = b
        .get(app.url("/login/2fa/qr.svg"))
        .send()
        .await
        .expect("qr");
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 303);
    let r = second_step(&app, &b, &code(&secret, 0)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(recovery_codes(&r.text().await.expect("body")).len(), 10);
    assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 200);
    // With the requirement on, 2FA cannot be turned off by the user.
    let bcsrf = app.csrf(&b).await;
    let r = b
        .post(app.url("/account/2fa/disable"))
        .form(&[("_csrf", bcsrf.as_str()), ("current_password", PASSWORD)])
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), 422);
    // The admin (who enrolled nothing yet) must enrol at the next login too.
    let again = app.browser();
    let r = app.login(&again, "chefin", PASSWORD).await;
    assert_eq!(location(&r), "/login/2fa");
}
