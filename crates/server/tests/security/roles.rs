//! Every role against every API route of the route table and against every page route, role
//! changes ending sessions, and tokens that cannot outrank their owner.

use kontor_api::{PREFIX, routes};
use kontor_storage::{Actor, Role, StoreError};
use reqwest::Method;

use kontor_testkit::{PASSWORD, TestApp};

const ROLES: [Role; 4] = [Role::Admin, Role::Accountant, Role::Sales, Role::Auditor];

fn concrete(path: &str) -> String {
    path.replace("{id}", "999999").replace("{key}", "invoice")
}

#[tokio::test]
async fn every_role_against_every_api_route() {
    let app = TestApp::first_run().await;
    let client = reqwest::Client::new();
    let mut checked = 0;
    for role in ROLES {
        let user = app.user(&format!("{}-user", role.as_str()), role).await;
        let (_, token) = app
            .store
            .create_token(&Actor::system(), user.id, "matrix", None)
            .await
            .expect("token");
        for route in routes() {
            let url = app.url(&format!("{PREFIX}{}", concrete(route.path)));
            let mut request = client
                .request(route.method.clone(), &url)
                .bearer_auth(&token);
            if route.method != Method::GET {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            }
            let status = request.send().await.expect("request").status().as_u16();
            let allowed = route.access.allows(role);
            assert_eq!(
                status == 403,
                !allowed,
                "{} {} as {}: status {status}",
                route.method,
                route.path,
                role.as_str()
            );
            assert_ne!(status, 401, "{} {}", route.method, route.path);
            checked += 1;
        }
    }
    assert_eq!(checked, routes().len() * ROLES.len());
}

#[tokio::test]
async fn tokens_never_outrank_their_owner() {
    let app = TestApp::first_run().await;
    let sales = app.user("bert", Role::Sales).await;
    for higher in [Role::Accountant, Role::Admin] {
        let refused = app
            .store
            .create_token(&Actor::system(), sales.id, "escalate", Some(higher))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid { ref field, .. }) if field == "role"),
            "{refused:?}"
        );
    }
    // A token made while its owner was admin loses the power when the owner is demoted.
    let boss = app.user("chefin", Role::Admin).await;
    app.user("zweite", Role::Admin).await;
    let (_, token) = app
        .store
        .create_token(&Actor::system(), boss.id, "old", None)
        .await
        .expect("token");
    app.store
        .set_user_role(&Actor::system(), boss.id, Role::Sales)
        .await
        .expect("demote");
    let r = reqwest::Client::new()
        .put(app.url("/api/v1/number-ranges/invoice"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 403);
}

/// (method, path, lowest role allowed; `None`: any logged-in user).
const PAGES: &[(&str, &str, Option<Role>)] = &[
    ("GET", "/", None),
    ("GET", "/account", None),
    ("GET", "/contacts", None),
    ("GET", "/contacts/new", Some(Role::Sales)),
    ("POST", "/contacts", Some(Role::Sales)),
    ("GET", "/contacts/999999/edit", Some(Role::Sales)),
    ("POST", "/contacts/999999", Some(Role::Sales)),
    ("POST", "/contacts/999999/archive", Some(Role::Sales)),
    ("GET", "/articles", None),
    ("GET", "/articles/new", Some(Role::Sales)),
    ("POST", "/articles", Some(Role::Sales)),
    ("POST", "/articles/999999", Some(Role::Sales)),
    ("GET", "/documents", None),
    ("GET", "/documents/new", Some(Role::Sales)),
    ("POST", "/documents", Some(Role::Sales)),
    ("POST", "/documents/999999", Some(Role::Sales)),
    ("POST", "/documents/999999/issue", Some(Role::Sales)),
    ("POST", "/documents/999999/derive", Some(Role::Sales)),
    ("POST", "/documents/999999/duplicate", Some(Role::Sales)),
    ("POST", "/documents/999999/delete", Some(Role::Sales)),
    ("POST", "/documents/999999/cancel", Some(Role::Accountant)),
    ("POST", "/documents/999999/payments", Some(Role::Accountant)),
    ("GET", "/settings", Some(Role::Admin)),
    ("POST", "/settings/company", Some(Role::Admin)),
    ("POST", "/settings/numbers/invoice", Some(Role::Admin)),
    ("POST", "/settings/texts", Some(Role::Admin)),
    ("POST", "/settings/users", Some(Role::Admin)),
    ("GET", "/settings/security", Some(Role::Admin)),
    ("GET", "/settings/backups", Some(Role::Admin)),
    ("POST", "/settings/backups/run", Some(Role::Admin)),
    ("POST", "/settings/mailbox", Some(Role::Admin)),
    ("POST", "/settings/mailbox/poll", Some(Role::Admin)),
    ("POST", "/incoming/mailbox/poll", Some(Role::Accountant)),
    ("POST", "/settings/users/999999/role", Some(Role::Admin)),
    (
        "POST",
        "/settings/users/999999/sessions/end",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/settings/users/999999/2fa/reset",
        Some(Role::Admin),
    ),
];

#[tokio::test]
async fn every_role_against_every_page_route() {
    let app = TestApp::first_run().await;
    for role in ROLES {
        let (b, csrf) = app.login_as(&format!("{}-page", role.as_str()), role).await;
        for (method, path, min) in PAGES {
            let request = match *method {
                "GET" => b.get(app.url(path)),
                _ => b.post(app.url(path)).form(&[("_csrf", csrf.as_str())]),
            };
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            // A save answers with a redirect to its page (post/redirect/get); a redirect to the
            // login page would mean the session was lost.
            let to_login = response
                .headers()
                .get("location")
                .is_some_and(|l| l.as_bytes().starts_with(b"/login"));
            let allowed = min.is_none_or(|m| role >= m);
            assert_eq!(
                status == 403,
                !allowed,
                "{method} {path} as {}: status {status}",
                role.as_str()
            );
            assert!(
                !to_login,
                "{method} {path} as {}: still logged in",
                role.as_str()
            );
        }
    }
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions_and_only_admins_make_it() {
    let app = TestApp::first_run().await;
    let (admin, admin_csrf) = app.login_as("chefin", Role::Admin).await;
    let (sales, sales_csrf) = app.login_as("bert", Role::Sales).await;
    let bert = app.store.user_by_name("bert").await.expect("bert");
    // Sales cannot make itself admin, with or without a token.
    let r = sales
        .post(app.url(&format!("/settings/users/{}/role", bert.id)))
        .form(&[("_csrf", sales_csrf.as_str()), ("role", "admin")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // A CSRF token of another session does not work for the admin's form.
    let r = admin
        .post(app.url(&format!("/settings/users/{}/role", bert.id)))
        .form(&[("_csrf", sales_csrf.as_str()), ("role", "accountant")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.user(bert.id).await.expect("u").role, Role::Sales);
    let r = admin
        .post(app.url(&format!("/settings/users/{}/role", bert.id)))
        .form(&[("_csrf", admin_csrf.as_str()), ("role", "accountant")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.store.user(bert.id).await.expect("u").role,
        Role::Accountant
    );
    // Bert's old session is gone: the new privilege needs a new login (a new session id).
    assert_eq!(
        sales.get(app.url("/")).send().await.expect("get").status(),
        303
    );
    assert_eq!(app.login(&sales, "bert", PASSWORD).await.status(), 303);
    let log = app.store.security_log(20).await.expect("log");
    assert!(
        log.iter()
            .any(|e| e.event == "role_changed" && e.subject == "bert")
    );
    // The security page shows the log to the admin.
    let page = app.text(&admin, "/settings/security").await;
    assert!(page.contains("role_changed"));
}
