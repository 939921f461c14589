//! The rules around a login: throttling per account and per source before any password is
//! checked, the same answer for unknown users and wrong passwords, the second factor, and a
//! fresh session id with a security-log entry once everything passed.

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_storage::security::{Gate, account_key, source_key};
use kontor_storage::two_factor::TotpState;
use kontor_storage::{Actor, Result, User};

use crate::WebState;
use crate::session::{self, client_ip, scheme_cookie, session_cookie};

/// The cookie that carries a login challenge between the password and the second factor.
pub const CHALLENGE_COOKIE: &str = "kontor_login";

/// What the password step decided.
#[derive(Debug)]
pub enum Outcome {
    /// Unknown user or wrong password: one answer for both.
    Failed,
    /// Too many failures from this account or source; try again after `seconds`.
    Throttled { seconds: i64 },
    /// The password was right; the user's TOTP code is needed.
    NeedsCode(User),
    /// The password was right; the business requires 2FA and the user has none yet.
    NeedsEnrolment(User),
    /// The password was right and no second factor is needed.
    LoggedIn(User),
}

/// Checks the counters, then the password, then whether a second factor is needed.
pub async fn password_step(
    state: &WebState,
    headers: &HeaderMap,
    username: &str,
    password: &str,
) -> Result<Outcome> {
    let ip = client_ip(headers);
    let keys = [account_key(username), source_key(&ip)];
    if let Gate::Wait { seconds, .. } = state.app.store().login_gate(&keys, state.throttle).await? {
        return Ok(Outcome::Throttled { seconds });
    }
    let Some(user) = state.app.store().verify_login(username, password).await? else {
        state
            .app
            .store()
            .record_login_failure(username, &ip, state.throttle)
            .await?;
        return Ok(Outcome::Failed);
    };
    let failures = state.app.store().clear_login_failures(username).await?;
    if failures >= state.throttle.free_failures {
        // A correct password after a run of failures: worth a look by an admin.
        state
            .app
            .store()
            .security_event(
                &Actor::system(),
                "login_after_failures",
                &user.username,
                serde_json::json!({ "ip": ip, "failures": failures }),
            )
            .await?;
    }
    Ok(match state.app.store().totp_state(user.id).await? {
        TotpState::Enabled => Outcome::NeedsCode(user),
        _ if state.app.store().two_factor_required().await? => Outcome::NeedsEnrolment(user),
        _ => Outcome::LoggedIn(user),
    })
}

/// A redirect to the second-factor page with a fresh challenge cookie.
pub async fn to_second_factor(
    state: &WebState,
    headers: &HeaderMap,
    user: &User,
) -> Result<Response> {
    let secret = state.app.store().create_login_challenge(user.id).await?;
    let mut response = Redirect::to("/login/2fa").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        scheme_cookie(
            state,
            headers,
            CHALLENGE_COOKIE,
            &secret,
            "; SameSite=Strict; Max-Age=300",
        ),
    );
    Ok(response)
}

/// The login challenge cookie's value for this request's scheme.
pub fn challenge_secret(headers: &HeaderMap) -> Option<&str> {
    let name = if session::is_https(headers) {
        "__Host-kontor_login"
    } else {
        CHALLENGE_COOKIE
    };
    session::cookie(headers, name)
}

/// Starts the session: a new id (the browser's old session, if any, ends, so a planted id
/// is never promoted), a security-log entry, and a redirect to `to` (or a given response).
pub async fn start_session(
    state: &WebState,
    headers: &HeaderMap,
    user: &User,
    method: &str,
    mut response: Response,
) -> Result<Response> {
    if let Some(old) = session::session_secret(headers) {
        state.app.store().delete_session(old).await?;
    }
    if let Some(challenge) = challenge_secret(headers) {
        state.app.store().end_login_challenge(challenge).await?;
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = client_ip(headers);
    let secret = state
        .app
        .store()
        .create_session_from(user.id, ua, &ip, state.sessions)
        .await?;
    state
        .app
        .store()
        .security_event(
            &Actor::user(&user.username),
            "login",
            &user.username,
            serde_json::json!({ "ip": ip, "method": method }),
        )
        .await?;
    tracing::info!(user = %user.username, method, "login");
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, session_cookie(state, headers, &secret));
    h.append(
        header::SET_COOKIE,
        scheme_cookie(
            state,
            headers,
            CHALLENGE_COOKIE,
            "",
            "; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(response)
}

/// The redirect after a login.
pub fn home() -> Response {
    Redirect::to("/").into_response()
}
