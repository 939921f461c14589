//! Pages of cloud mode that come before a tenant is known: the login form with a tenant field,
//! and the answers for unknown or suspended tenants. Routing to a tenant is the server's job.

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kontor_texts::Msg;

use crate::error::WebError;
use crate::i18n::{Lang, Tr};
use crate::layout::render;
use crate::session::guest_lang;

/// The cookie naming the tenant chosen on the login form (when no host name names one).
pub const TENANT_COOKIE: &str = "kontor_tenant";

#[derive(Template)]
#[template(path = "tenant_login.html")]
struct TenantLoginPage {
    tr: Tr,
    title: String,
    error: String,
    tenant: String,
    username: String,
}

/// The login form with a tenant field; `failed` after a wrong tenant, user or password (one
/// message for all three, so the form does not tell which tenants exist).
pub fn login_page(headers: &HeaderMap, lang: Option<Lang>, form: Option<(&str, &str)>) -> Response {
    let lang = lang.unwrap_or_else(|| guest_lang(headers));
    let tr = Tr::new(lang);
    let (tenant, username) = form.unwrap_or(("", ""));
    let page = TenantLoginPage {
        tr,
        title: tr.t(Msg::LoginTitle).into(),
        error: if form.is_some() {
            tr.t(Msg::LoginFailed).into()
        } else {
            String::new()
        },
        tenant: tenant.chars().take(40).collect(),
        username: username.chars().take(100).collect(),
    };
    let mut response = render(lang, &page);
    if form.is_some() {
        *response.status_mut() = StatusCode::UNAUTHORIZED;
    }
    response
}

/// An unknown (or deleted) tenant.
pub fn unknown(headers: &HeaderMap) -> Response {
    WebError::NotFound(guest_lang(headers)).into_response()
}

/// A suspended tenant.
pub fn suspended(headers: &HeaderMap) -> Response {
    WebError::Forbidden(guest_lang(headers)).into_response()
}

/// The cookie that remembers the tenant chosen on the login form.
pub fn tenant_cookie(slug: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{TENANT_COOKIE}={slug}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

pub fn clear_tenant_cookie() -> HeaderValue {
    HeaderValue::from_static("kontor_tenant=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The stylesheet and scripts, which need no tenant.
pub fn static_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/static/{file}", get(crate::assets::serve))
}
