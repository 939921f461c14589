//! The cookies around a login: the challenge cookie between the password and the second
//! factor, and the fresh session cookie once everything passed. The rules themselves
//! (throttling, the same answer for unknown users and wrong passwords, the second factor, the
//! security-log entries) are the auth service's (`kontor_app::auth`).

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::auth::NewSession;
use kontor_app::model::User;

use crate::WebState;
use crate::session::{self, client_ip, scheme_cookie, session_cookie};

/// The cookie that carries a login challenge between the password and the second factor.
pub const CHALLENGE_COOKIE: &str = "kontor_login";

/// A redirect to the second-factor page with a fresh challenge cookie.
pub async fn to_second_factor(
    state: &WebState,
    headers: &HeaderMap,
    user: &User,
) -> kontor_app::Result<Response> {
    let secret = state.app.auth().challenge(user.id).await?;
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
/// is never promoted), a security-log entry, and the cookies on `response`.
pub async fn start_session(
    state: &WebState,
    headers: &HeaderMap,
    user: &User,
    method: &str,
    mut response: Response,
) -> kontor_app::Result<Response> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = client_ip(headers);
    let new = NewSession {
        user,
        method,
        user_agent,
        ip: &ip,
        replaces: session::session_secret(headers),
        challenge: challenge_secret(headers),
    };
    let secret = state.app.auth().log_in(new, state.sessions).await?;
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
