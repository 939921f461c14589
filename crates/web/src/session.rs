//! The logged-in user of a request, the session cookie, and CSRF checks for forms.

use axum::http::{HeaderMap, HeaderValue, header};
use kontor_storage::{Actor, Role, User};

use crate::WebState;
use crate::error::WebError;
use crate::i18n::{Lang, Tr};

pub const SESSION_COOKIE: &str = "kontor_session";
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

/// The logged-in user, or a redirect to the login (or setup) page.
pub async fn current(state: &WebState, headers: &HeaderMap) -> Result<Ctx, WebError> {
    let lang = guest_lang(headers);
    if let Some(secret) = cookie(headers, SESSION_COOKIE)
        && let Some(session) = state
            .store
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
    if state
        .store
        .user_count()
        .await
        .map_err(|e| WebError::internal(lang, e))?
        == 0
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

pub fn session_cookie(state: &WebState, secret: &str) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("kontor_session=; Path=/"))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("kontor_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
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
