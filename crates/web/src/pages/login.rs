//! Logging in and out, and switching the language.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::{Lang, Tr};
use crate::layout::render;
use crate::session::{
    self, LANG_COOKIE, check_csrf, check_origin, clear_session_cookie, guest_lang, session_cookie,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    title: String,
    error: String,
    username: String,
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Result<Response, WebError> {
    let lang = q.lang.as_deref().and_then(Lang::parse);
    if state
        .store
        .user_count()
        .await
        .map_err(|e| WebError::internal(Lang::De, e))?
        == 0
    {
        return Err(WebError::Setup);
    }
    let lang_now = lang.unwrap_or_else(|| guest_lang(&headers));
    let tr = Tr::new(lang_now);
    let page = LoginPage {
        tr,
        title: tr.t("login.title").into(),
        error: String::new(),
        username: String::new(),
    };
    let mut response = render(lang_now, &page);
    if let Some(l) = lang
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            l.code()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

pub async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    if check_origin(&headers).is_err() {
        return Err(WebError::Csrf(lang));
    }
    let form = FormData::parse(&body);
    let username = form.text("username");
    let password = form.get("password").unwrap_or("").to_string();
    let user = state
        .store
        .verify_login(&username, &password)
        .await
        .map_err(|e| WebError::internal(lang, e))?;
    match user {
        Some(user) => {
            // A new session id on every login (no session fixation); the old one, if any, ends.
            if let Some(old) = session::cookie(&headers, session::SESSION_COOKIE) {
                let _ = state.store.delete_session(old).await;
            }
            let ua = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let secret = state
                .store
                .create_session(user.id, ua, state.sessions)
                .await
                .map_err(|e| WebError::internal(lang, e))?;
            tracing::info!(user = %user.username, "login");
            let mut response = Redirect::to("/").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&state, &secret));
            Ok(response)
        }
        None => {
            tracing::warn!(user = %username, "failed login");
            let tr = Tr::new(lang);
            let page = LoginPage {
                tr,
                title: tr.t("login.title").into(),
                error: tr.t("login.failed").into(),
                username,
            };
            let mut response = render(lang, &page);
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(response)
        }
    }
}

pub async fn logout(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    if let Some(secret) = session::cookie(&headers, session::SESSION_COOKIE) {
        state
            .store
            .delete_session(secret)
            .await
            .map_err(|e| WebError::internal(ctx.lang(), e))?;
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}

pub async fn language(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let lang = form.get("lang").and_then(Lang::parse).unwrap_or_default();
    state
        .store
        .set_user_language(ctx.user.id, lang.code())
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&back).into_response())
}
