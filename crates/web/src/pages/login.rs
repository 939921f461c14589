//! Logging in and out, and switching the language.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_texts::Msg;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::{Lang, Tr};
use crate::layout::render;
use crate::login_guard;
use crate::session::{
    self, LANG_COOKIE, check_csrf, check_origin, clear_session_cookie, client_ip, guest_lang,
};
use kontor_app::auth::LoginStep;

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
    if !state
        .app
        .users()
        .any()
        .await
        .map_err(|e| WebError::internal(Lang::De, e))?
    {
        return Err(WebError::Setup);
    }
    let lang_now = lang.unwrap_or_else(|| guest_lang(&headers));
    let tr = Tr::new(lang_now);
    let page = LoginPage {
        tr,
        title: tr.t(Msg::LoginTitle).into(),
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
    let internal = |e| WebError::internal(lang, e);
    let step = state
        .app
        .auth()
        .password_step(&username, &password, &client_ip(&headers), state.throttle)
        .await
        .map_err(internal)?;
    let failed = |key: Msg, status: StatusCode, retry: Option<i64>| {
        let tr = Tr::new(lang);
        let page = LoginPage {
            tr,
            title: tr.t(Msg::LoginTitle).into(),
            error: tr.t(key).replace("{s}", &retry.unwrap_or(0).to_string()),
            username: username.clone(),
        };
        let mut response = render(lang, &page);
        *response.status_mut() = status;
        if let Some(s) = retry.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, s);
        }
        response
    };
    match step {
        LoginStep::LoggedIn(user) => {
            login_guard::start_session(&state, &headers, &user, "password", login_guard::home())
                .await
                .map_err(internal)
        }
        LoginStep::NeedsCode(user) | LoginStep::NeedsEnrolment(user) => {
            login_guard::to_second_factor(&state, &headers, &user)
                .await
                .map_err(internal)
        }
        LoginStep::Failed => {
            tracing::warn!(user = %username, "failed login");
            Ok(failed(Msg::LoginFailed, StatusCode::UNAUTHORIZED, None))
        }
        LoginStep::Throttled { seconds } => Ok(failed(
            Msg::LoginThrottled,
            StatusCode::TOO_MANY_REQUESTS,
            Some(seconds),
        )),
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
    if let Some(secret) = session::session_secret(&headers) {
        state
            .app
            .auth()
            .end_session(secret)
            .await
            .map_err(|e| WebError::internal(ctx.lang(), e))?;
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie(&state, &headers));
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
        .app
        .users()
        .set_language(ctx.user.id, lang)
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
