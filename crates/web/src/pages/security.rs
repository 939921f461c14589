//! The admin's security page: the security log, roles, sessions and second factors of every
//! user, and the business setting that requires two-factor login.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::model::SecurityEvent;
use kontor_app::model::{Role, User};
use kontor_app::security::UserRow;
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::{Ctx, admin, admin_form};

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    l: Layout,
    required: bool,
    users: Vec<UserRow>,
    events: Vec<SecurityEvent>,
    error: String,
}

impl SecurityPage {
    fn detail(&self, e: &SecurityEvent) -> String {
        e.detail.as_ref().map(|d| d.to_string()).unwrap_or_default()
    }
}

const ROLES: [&str; 4] = ["admin", "accountant", "sales", "auditor"];

async fn page(
    state: &WebState,
    ctx: &Ctx,
    flash: Option<Msg>,
    error: &str,
) -> Result<Response, WebError> {
    let overview = state
        .app
        .security()
        .overview(state.sessions)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    let page = SecurityPage {
        l: Layout::new(ctx, ctx.tr.t(Msg::SecurityTitle), "settings")
            .with_flash(flash.map(|m| ctx.tr.t(m)).unwrap_or_default()),
        required: overview.required,
        users: overview.users,
        events: overview.events,
        error: error.to_string(),
    };
    let mut response = render(ctx.lang(), &page);
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = admin(&state, &headers).await?;
    page(&state, &ctx, None, "").await
}

pub async fn require_2fa(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    state
        .app
        .security()
        .require_2fa(&ctx.actor(), form.checked("require_2fa"))
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    Ok(Redirect::to("/settings/security").into_response())
}

async fn target(state: &WebState, ctx: &Ctx, id: i64) -> Result<User, WebError> {
    state
        .app
        .users()
        .get(id)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))
}

pub async fn change_role(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let user = target(&state, &ctx, id).await?;
    let Some(role) = Role::parse(&form.text("role")) else {
        let msg = format!(
            "{}: must be one of {}",
            ctx.tr.t(Msg::FieldRole),
            ROLES.join(", ")
        );
        return page(&state, &ctx, None, &msg).await;
    };
    match state
        .app
        .security()
        .set_role(&ctx.actor(), &user, role)
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/security").into_response()),
        Err(AppError::Field { field, message, .. }) => {
            let msg = format!("{}: {message}", ctx.tr.tk("field", field));
            page(&state, &ctx, None, &msg).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub async fn end_sessions(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = admin_form(&state, &headers, &body).await?;
    let user = target(&state, &ctx, id).await?;
    state
        .app
        .security()
        .end_sessions(&ctx.actor(), &user)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    Ok(Redirect::to("/settings/security").into_response())
}

pub async fn reset_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = admin_form(&state, &headers, &body).await?;
    let user = target(&state, &ctx, id).await?;
    state
        .app
        .security()
        .reset_totp(&ctx.actor(), &user)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    Ok(Redirect::to("/settings/security").into_response())
}
