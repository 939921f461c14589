//! The logged-in user of a request, the session cookie, and CSRF checks for forms.

use axum::http::{HeaderMap, HeaderValue, header};
use kontor_app::model::{Actor, Role, User};

use crate::WebState;
use crate::error::WebError;
use crate::i18n::{Lang, Tr};

/// The session cookie on plain HTTP (local use on 127.0.0.1, where Secure cookies cannot work).
pub const SESSION_COOKIE: &str = "kontor_session";
/// The session cookie over HTTPS: `__Host-` makes the browser insist on Secure, Path=/ and no
/// Domain, so neither a plain-HTTP page nor a sibling subdomain can set or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-kontor_session";
pub const LANG_COOKIE: &str = "kontor_lang";

/// The request's user, language and CSRF token.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: User,
    pub csrf: String,
    pub tr: Tr,
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.tr.lang
    }
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user.username)
    }
    /// Refuses the request unless the user has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), WebError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(WebError::Forbidden(self.lang()))
        }
    }
    pub fn can(&self, role: Role) -> bool {
        self.user.role >= role
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request reached Kontor over HTTPS. The server's transport layer replaces any
/// client-sent `x-forwarded-proto` with the truth (TLS here, or a trusted proxy's word).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https")
}

/// The client's address as the server's transport layer determined it.
pub fn client_ip(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .chars()
        .take(64)
        .collect()
}

/// The session cookie's name for this request: over HTTPS only the `__Host-` cookie counts,
/// so a cookie planted over plain HTTP is never read.
pub fn session_cookie_name(headers: &HeaderMap) -> &'static str {
    if is_https(headers) {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session cookie's value, if the browser sent one.
pub fn session_secret(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, session_cookie_name(headers))
}

/// The language for pages without a user: the language cookie, else `Accept-Language`.
pub fn guest_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// The language of whoever reads a page that needs no login: the logged-in user's own, else
/// the browser's (a failing session lookup falls back to the browser's too).
pub async fn reader_lang(state: &WebState, headers: &HeaderMap) -> Lang {
    let guest = guest_lang(headers);
    let Some(secret) = session_secret(headers) else {
        return guest;
    };
    match state.app.auth().session(secret, state.sessions).await {
        Ok(Some(session)) => Lang::parse(&session.user.language).unwrap_or(guest),
        _ => guest,
    }
}

/// The logged-in user, or a redirect to the login (or setup) page.
pub async fn current(state: &WebState, headers: &HeaderMap) -> Result<Ctx, WebError> {
    let lang = guest_lang(headers);
    if let Some(secret) = session_secret(headers)
        && let Some(session) = state
            .app
            .auth()
            .session(secret, state.sessions)
            .await
            .map_err(|e| WebError::internal(lang, e))?
    {
        let lang = Lang::parse(&session.user.language).unwrap_or_default();
        return Ok(Ctx {
            user: session.user,
            csrf: session.csrf_token,
            tr: Tr::new(lang),
        });
    }
    if !state
        .app
        .users()
        .any()
        .await
        .map_err(|e| WebError::internal(lang, e))?
    {
        return Err(WebError::Setup);
    }
    Err(WebError::Login)
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks a state-changing request: the form's (or header's) CSRF token must match the
/// session's, and a browser's Origin, when sent, must be this host.
/// The logged-in admin (403 for any other role).
pub async fn admin(state: &WebState, headers: &HeaderMap) -> Result<Ctx, WebError> {
    let ctx = current(state, headers).await?;
    ctx.require(Role::Admin)?;
    Ok(ctx)
}

/// An admin's form submission: the admin, and the form once its CSRF token checks out.
pub async fn admin_form(
    state: &WebState,
    headers: &HeaderMap,
    body: &axum::body::Bytes,
) -> Result<(Ctx, crate::forms::FormData), WebError> {
    let ctx = admin(state, headers).await?;
    let form = crate::forms::FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

pub fn check_csrf(ctx: &Ctx, headers: &HeaderMap, submitted: Option<&str>) -> Result<(), WebError> {
    let token = submitted.or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()));
    if !token.is_some_and(|t| same(t, &ctx.csrf)) {
        return Err(WebError::Csrf(ctx.lang()));
    }
    check_origin(headers).map_err(|_| WebError::Csrf(ctx.lang()))
}

/// A cross-site request (Origin of another host, or Sec-Fetch-Site: cross-site) is refused.
pub fn check_origin(headers: &HeaderMap) -> Result<(), ()> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(());
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    if origin == "null" || origin_host != host {
        Err(())
    } else {
        Ok(())
    }
}

/// A cookie for this request's scheme: `__Host-NAME` with Secure over HTTPS, `NAME` on plain
/// HTTP (Secure too when the installation forces it). Always HttpOnly, Path=/.
pub fn scheme_cookie(
    state: &WebState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    attributes: &str,
) -> HeaderValue {
    let https = is_https(headers);
    let (prefix, secure) = if https {
        ("__Host-", "; Secure")
    } else if state.secure_cookies {
        ("", "; Secure")
    } else {
        ("", "")
    };
    HeaderValue::from_str(&format!(
        "{prefix}{name}={value}; Path=/; HttpOnly{attributes}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("kontor_invalid=; Path=/; Max-Age=0"))
}

pub fn session_cookie(state: &WebState, headers: &HeaderMap, secret: &str) -> HeaderValue {
    scheme_cookie(state, headers, SESSION_COOKIE, secret, "; SameSite=Lax")
}

pub fn clear_session_cookie(state: &WebState, headers: &HeaderMap) -> HeaderValue {
    scheme_cookie(
        state,
        headers,
        SESSION_COOKIE,
        "",
        "; SameSite=Lax; Max-Age=0",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_rules() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(check_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(check_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(check_origin(&h).is_err());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kontor_session=xyz; kontor_lang=en"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(guest_lang(&h), Lang::En);
    }
}
