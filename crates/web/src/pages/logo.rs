//! The company logo: upload (PNG, JPEG or SVG, size-limited, type-checked by content: the
//! settings service's rules) and display.

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::model::Role;

use crate::WebState;
use crate::error::WebError;
use crate::session::{self, check_csrf};

pub async fn upload(
    State(state): State<WebState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Admin)?;
    let mut csrf = None;
    let mut data = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("logo") => data = field.bytes().await.ok(),
            _ => {}
        }
    }
    check_csrf(&ctx, &headers, csrf.as_deref())?;
    let data = data.unwrap_or_default();
    match state.app.settings().save_logo(&ctx.actor(), &data).await {
        Ok(_) => Ok(Redirect::to("/settings#company").into_response()),
        Err(e @ AppError::Refused { .. }) => {
            super::settings::with_message(&state, &ctx, &e.message(ctx.lang())).await
        }
        Err(e) => Err(WebError::internal(ctx.lang(), e)),
    }
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let blob = state
        .app
        .settings()
        .logo_file()
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, blob.content_type),
            // An SVG opened directly must not run anything or reach this origin's cookies.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_string(),
            ),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        Body::from(blob.data),
    )
        .into_response())
}
