//! "My account": change the password, set up or turn off two-factor login, see the own
//! sessions and end them.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::auth::Auth;
use kontor_app::model::SessionInfo;
use kontor_app::model::TotpState;
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::layout::{Layout, render};
use crate::login_guard;
use crate::pages::two_factor::{RecoveryCodesPage, qr_response};
use crate::session::{self, Ctx, check_csrf};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    totp: &'static str,
    pending_secret: String,
    codes_left: i64,
    required: bool,
    sessions: Vec<SessionInfo>,
    current: String,
    error: String,
}

async fn page(
    state: &WebState,
    headers: &HeaderMap,
    ctx: &Ctx,
    flash: Option<Msg>,
    error: &str,
) -> Result<Response, WebError> {
    let internal = |e| WebError::internal(ctx.lang(), e);
    let auth = state.app.auth();
    let two_factor = auth.two_factor(ctx.user.id).await.map_err(internal)?;
    let page = AccountPage {
        l: Layout::new(ctx, ctx.tr.t(Msg::AccountTitle), "account")
            .with_flash(flash.map(|m| ctx.tr.t(m)).unwrap_or_default()),
        totp: match two_factor.state {
            TotpState::None => "none",
            TotpState::Pending => "pending",
            TotpState::Enabled => "enabled",
        },
        pending_secret: two_factor.pending_secret,
        codes_left: two_factor.recovery_codes_left,
        required: two_factor.required,
        sessions: auth
            .sessions_of(ctx.user.id, state.sessions)
            .await
            .map_err(internal)?,
        current: session::session_secret(headers)
            .map(Auth::session_handle)
            .unwrap_or_default(),
        error: error.to_string(),
    };
    let mut response = render(ctx.lang(), &page);
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn form_ctx(
    state: &WebState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Ctx, FormData), WebError> {
    let ctx = session::current(state, headers).await?;
    let form = FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    page(&state, &headers, &ctx, None, "").await
}

/// A refusal as the message above the form: a field's problem named by the field, any other
/// refusal in the user's language.
fn field_error(ctx: &Ctx, e: AppError) -> Result<String, WebError> {
    match e {
        e @ AppError::Field { .. } => Ok(ctx.tr.field_error(&e)),
        e @ AppError::Refused { .. } => Ok(e.message(ctx.lang())),
        other => Err(WebError::internal(ctx.lang(), other)),
    }
}

pub async fn change_password(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = form_ctx(&state, &headers, &body).await?;
    let new = form.get("new_password").unwrap_or("");
    if new != form.get("new_password2").unwrap_or("") {
        let msg = ctx.tr.t(Msg::SetupPasswordMismatch).to_string();
        return page(&state, &headers, &ctx, None, &msg).await;
    }
    match state
        .app
        .auth()
        .change_password(&ctx.user, form.get("current_password").unwrap_or(""), new)
        .await
    {
        // Every session ended with the change; this browser gets a fresh one.
        Ok(()) => login_guard::start_session(
            &state,
            &headers,
            &ctx.user,
            "password_change",
            Redirect::to("/account").into_response(),
        )
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e)),
        Err(e) => {
            let msg = field_error(&ctx, e)?;
            page(&state, &headers, &ctx, None, &msg).await
        }
    }
}

pub async fn start_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = form_ctx(&state, &headers, &body).await?;
    match state.app.auth().start_totp(ctx.user.id).await {
        Ok(_) => Ok(Redirect::to("/account#two-factor").into_response()),
        Err(e) => {
            let msg = field_error(&ctx, e)?;
            page(&state, &headers, &ctx, None, &msg).await
        }
    }
}

pub async fn qr(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let secret = state
        .app
        .auth()
        .pending_totp_secret(ctx.user.id)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?
        .ok_or(WebError::NotFound(ctx.lang()))?;
    Ok(qr_response(&ctx.user.username, &secret))
}

pub async fn confirm_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = form_ctx(&state, &headers, &body).await?;
    match state
        .app
        .auth()
        .confirm_totp(&ctx.actor(), &ctx.user, &form.text("code"))
        .await
    {
        Ok(codes) => {
            let page = RecoveryCodesPage {
                tr: ctx.tr,
                title: ctx.tr.t(Msg::TwoFactorCodesTitle).into(),
                codes,
                next: "/account".into(),
            };
            // A stronger login now: a new session id for this browser.
            login_guard::start_session(
                &state,
                &headers,
                &ctx.user,
                "totp_enrolment",
                render(ctx.lang(), &page),
            )
            .await
            .map_err(|e| WebError::internal(ctx.lang(), e))
        }
        Err(e) => {
            let msg = field_error(&ctx, e)?;
            page(&state, &headers, &ctx, None, &msg).await
        }
    }
}

pub async fn disable_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = form_ctx(&state, &headers, &body).await?;
    let password = form.get("current_password").unwrap_or("");
    match state
        .app
        .auth()
        .disable_totp(&ctx.actor(), &ctx.user, password)
        .await
    {
        Ok(()) => page(&state, &headers, &ctx, Some(Msg::TwoFactorDisabled), "").await,
        Err(e) => {
            let msg = field_error(&ctx, e)?;
            page(&state, &headers, &ctx, None, &msg).await
        }
    }
}

pub async fn end_session(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = form_ctx(&state, &headers, &body).await?;
    let handle = form.text("session");
    let ended = state
        .app
        .auth()
        .end_session_of(ctx.user.id, &handle)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    if !ended {
        return Err(WebError::NotFound(ctx.lang()));
    }
    let current = session::session_secret(&headers).map(Auth::session_handle);
    if current.as_deref() == Some(handle.as_str()) {
        let mut response = Redirect::to("/login").into_response();
        response.headers_mut().insert(
            header::SET_COOKIE,
            session::clear_session_cookie(&state, &headers),
        );
        return Ok(response);
    }
    page(&state, &headers, &ctx, Some(Msg::AccountSessionEnded), "").await
}
