//! Brute force, user enumeration, password rules, rehashing, session fixation, timeouts,
//! "my sessions", and CSRF on the new forms.

use std::time::{Duration, Instant};

use kontor_storage::Role;
use kontor_storage::security::ThrottlePolicy;

use kontor_testkit::{PASSWORD, TestApp, location, set_cookies};

fn fast_lockout(web: &mut kontor_server::ServerOptions) {
    web.throttle = ThrottlePolicy {
        free_failures: 100,
        account_lockout_after: 5,
        source_lockout_after: 1000,
        base_delay: chrono::Duration::zero(),
        ..ThrottlePolicy::default()
    };
}

/// The login page's error text (the field values aside).
fn error_text(html: &str) -> String {
    let start = html
        .find("id=\"login-error\">")
        .map(|i| i + 17)
        .unwrap_or(0);
    let end = html[start..].find('<').map(|i| i + start).unwrap_or(start);
    html[start..end].to_string()
}

#[tokio::test]
async fn lockout_engages_and_unknown_users_look_the_same() {
    let app = TestApp::builder()
        .first_run()
        .options(fast_lockout)
        .spawn()
        .await;
    app.user("bert", Role::Sales).await;
    let b = app.browser();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    let mut texts = Vec::new();
    // A bounded loop: five wrong passwords for an existing and for a made-up account.
    for i in 0..5 {
        for (name, times) in [("bert", &mut known), ("nobody", &mut unknown)] {
            let start = Instant::now();
            let r = app.login(&b, name, &format!("wrong password {i}!!")).await;
            times.push(start.elapsed());
            assert_eq!(r.status(), 401, "{name} attempt {i}");
            assert!(
                set_cookies(&r)
                    .iter()
                    .all(|c| !c.contains("kontor_session="))
            );
            texts.push(error_text(&r.text().await.expect("body")));
        }
    }
    assert!(
        texts.windows(2).all(|w| w[0] == w[1]),
        "one answer: {texts:?}"
    );
    let avg = |v: &[Duration]| v.iter().sum::<Duration>() / v.len() as u32;
    let (k, u) = (avg(&known), avg(&unknown));
    let ratio = k.as_secs_f64() / u.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "similar time for unknown users and wrong passwords: {k:?} vs {u:?}"
    );
    // Locked now: even the right password is refused, and the answer says when to retry;
    // a locked made-up name answers the same way.
    let r = app.login(&b, "bert", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((60..=900).contains(&retry), "{retry}");
    assert_eq!(
        app.login(&b, "nobody", "whatever it is!").await.status(),
        429
    );
    // Another account from the same source is not locked.
    app.user("clara", Role::Sales).await;
    assert_eq!(
        app.login(&app.browser(), "clara", PASSWORD).await.status(),
        303
    );
    // The lockout is in the security log, which is in the audit chain.
    let log = app.store.security_log(100).await.expect("log");
    assert!(
        log.iter()
            .any(|e| e.event == "lockout" && e.subject == "account:bert"),
        "{log:?}"
    );
    assert!(log.iter().filter(|e| e.event == "login_failed").count() >= 10);
    assert!(app.store.audit_verify().await.expect("verify").ok());
}

#[tokio::test]
async fn failures_slow_down_with_growing_delays() {
    // Default policy: three free failures, then 1 s, 2 s, 4 s ...
    let app = TestApp::first_run().await;
    app.user("bert", Role::Sales).await;
    let b = app.browser();
    for _ in 0..3 {
        assert_eq!(
            app.login(&b, "bert", "wrong password!!").await.status(),
            401
        );
    }
    let r = app.login(&b, "bert", PASSWORD).await;
    assert_eq!(r.status(), 429, "the fourth try must wait");
    assert_eq!(r.headers()["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.login(&b, "bert", "wrong password!!").await.status(),
        401
    );
    let r = app.login(&b, "bert", PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2", "the delay doubled");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The right password after the wait logs in, and that unusual login is logged.
    assert_eq!(app.login(&b, "bert", PASSWORD).await.status(), 303);
    let log = app.store.security_log(50).await.expect("log");
    assert!(log.iter().any(|e| e.event == "login_after_failures"));
    assert!(
        log.iter()
            .any(|e| e.event == "login" && e.subject == "bert")
    );
}

#[tokio::test]
async fn well_known_names_and_guessable_passwords_are_refused() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("anna", Role::Admin).await;
    for (name, password, field) in [
        ("admin", PASSWORD, "Benutzername"),
        ("Root", PASSWORD, "Benutzername"),
        ("administrator", PASSWORD, "Benutzername"),
        ("carla", "password1234", "Passwort"),
        ("carla", "carla1234567", "Passwort"),
    ] {
        let r = b
            .post(app.url("/settings/users"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", name),
                ("password", password),
                ("role", "sales"),
            ])
            .send()
            .await
            .expect("post");
        let html = r.text().await.expect("body");
        let message = html
            .split_once("id=\"user-error\">")
            .and_then(|(_, rest)| rest.split_once('<'))
            .map(|(text, _)| text)
            .unwrap_or_default();
        assert!(
            message.contains(field),
            "{name}/{password}: the message names the field: {message}"
        );
    }
    assert_eq!(app.store.list_users().await.expect("users").len(), 1);
}

#[tokio::test]
async fn old_hashes_are_upgraded_at_login() {
    use argon2::password_hash::PasswordHasher;
    let app = TestApp::first_run().await;
    let user = app.user("bert", Role::Sales).await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).expect("params"),
    )
    .hash_password(PASSWORD.as_bytes())
    .expect("hash")
    .to_string();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&weak)
        .bind(user.id)
        .execute(app.store.pool())
        .await
        .expect("update");
    assert_eq!(
        app.login(&app.browser(), "bert", PASSWORD).await.status(),
        303
    );
    let stored: String = sqlx::Row::get(
        &sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(app.store.pool())
            .await
            .expect("row"),
        "password_hash",
    );
    assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
    assert_eq!(
        app.login(&app.browser(), "bert", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn login_replaces_a_planted_session_id() {
    let app = TestApp::first_run().await;
    app.user("anna", Role::Admin).await;
    // The attacker's own valid session, planted in the victim's browser.
    app.user("mallory", Role::Sales).await;
    let attacker = app.browser();
    let r = app.login(&attacker, "mallory", PASSWORD).await;
    let planted = set_cookies(&r)
        .iter()
        .find_map(|c| {
            c.strip_prefix("kontor_session=")
                .map(|v| v[..64].to_string())
        })
        .expect("session cookie");
    let victim = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = victim
        .post(app.url("/login"))
        .header("cookie", format!("kontor_session={planted}"))
        .form(&[("username", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    let fresh = set_cookies(&r)
        .iter()
        .find_map(|c| {
            c.strip_prefix("kontor_session=")
                .map(|v| v[..64].to_string())
        })
        .expect("a new session cookie");
    assert_ne!(fresh, planted);
    // The planted id is dead, the fresh one is the victim's.
    let with = |id: &str| {
        victim
            .get(app.url("/"))
            .header("cookie", format!("kontor_session={id}"))
            .send()
    };
    assert_eq!(with(&planted).await.expect("get").status(), 303);
    let page = with(&fresh).await.expect("get").text().await.expect("body");
    assert!(page.contains(">anna<"));
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let app = TestApp::builder()
        .first_run()
        .options(|web| web.sessions.idle = chrono::Duration::seconds(1))
        .spawn()
        .await;
    let (b, _) = app.login_as("anna", Role::Admin).await;
    assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = b.get(app.url("/")).send().await.expect("get");
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/login".into()));

    let app = TestApp::builder()
        .first_run()
        .options(|web| web.sessions.absolute = chrono::Duration::seconds(2))
        .spawn()
        .await;
    let (b, _) = app.login_as("anna", Role::Admin).await;
    for _ in 0..3 {
        // Activity does not extend the absolute limit.
        assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 200);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 303);
}

#[tokio::test]
async fn users_see_and_end_their_sessions_and_logout_is_server_side() {
    let app = TestApp::first_run().await;
    let (phone, _) = app.login_as("anna", Role::Sales).await;
    let laptop = app.browser();
    assert_eq!(app.login(&laptop, "anna", PASSWORD).await.status(), 303);
    let csrf = app.csrf(&laptop).await;
    let page = app.text(&laptop, "/account").await;
    assert_eq!(page.matches("class=\"session-row\"").count(), 2);
    assert_eq!(page.matches("class=\"this-session\"").count(), 1);
    // End the other session (the phone's) by its handle: the row not marked "this session".
    let user = app.store.user_by_name("anna").await.expect("user");
    let other_row = page
        .split("class=\"session-row\"")
        .skip(1)
        .find(|row| !row.contains("this-session"))
        .expect("the other session's row");
    let marker = "name=\"session\" value=\"";
    let start = other_row.find(marker).expect("handle") + marker.len();
    let handle = other_row[start..start + 64].to_string();
    struct Other {
        handle: String,
    }
    let other = Other { handle };
    // Without the CSRF token nothing happens.
    let r = laptop
        .post(app.url("/account/sessions/end"))
        .form(&[("session", other.handle.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert_eq!(
        phone.get(app.url("/")).send().await.expect("get").status(),
        200
    );
    let r = laptop
        .post(app.url("/account/sessions/end"))
        .form(&[("_csrf", csrf.as_str()), ("session", other.handle.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert_eq!(
        phone.get(app.url("/")).send().await.expect("get").status(),
        303
    );
    assert_eq!(
        laptop.get(app.url("/")).send().await.expect("get").status(),
        200
    );
    // Logout deletes the session on the server: the old cookie value is worthless after it.
    let cookie = app
        .store
        .user_sessions(user.id, Default::default())
        .await
        .expect("sessions");
    assert_eq!(cookie.len(), 1);
    let r = laptop
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 303);
    assert!(
        app.store
            .user_sessions(user.id, Default::default())
            .await
            .expect("sessions")
            .is_empty()
    );
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_renews_the_session() {
    let app = TestApp::first_run().await;
    let (b, csrf) = app.login_as("anna", Role::Sales).await;
    let other = app.browser();
    assert_eq!(app.login(&other, "anna", PASSWORD).await.status(), 303);
    let new = "ein ganz anderes langes Passwort";
    let r = b
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current_password", "not the password"),
            ("new_password", new),
            ("new_password2", new),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("Aktuelles Passwort"));
    let r = b
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", new),
            ("new_password2", new),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(b.get(app.url("/")).send().await.expect("get").status(), 200);
    assert_eq!(
        other.get(app.url("/")).send().await.expect("get").status(),
        303,
        "other sessions end with a password change"
    );
    let log = app.store.security_log(20).await.expect("log");
    assert!(log.iter().any(|e| e.event == "password_changed"));
}
