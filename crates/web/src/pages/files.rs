//! Downloads of a document: its PDF (shown in the browser) and its XRechnung. Refusals, such as
//! an issued invoice whose data cannot carry an XRechnung, come back as a page with the reason.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kontor_app::documents::{File, syntax_param};
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::session;

/// A file response: never cached, never sniffed.
pub fn response(file: File) -> Response {
    let (headers, bytes) = file.into_response_parts();
    (StatusCode::OK, headers, bytes).into_response()
}

/// `GET /documents/{id}/pdf` for any logged-in user.
pub async fn pdf(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let file = state
        .app
        .documents()
        .pdf(id)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(response(file))
}

#[derive(Debug, Deserialize)]
pub struct SyntaxQuery {
    syntax: Option<String>,
}

/// `GET /documents/{id}/xrechnung?syntax=ubl|cii` for any logged-in user.
pub async fn xrechnung(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SyntaxQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let lang = ctx.lang();
    let syntax = syntax_param(q.syntax.as_deref()).map_err(|e| WebError::from_app(lang, e))?;
    let file = state
        .app
        .documents()
        .xrechnung(id, syntax)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    Ok(response(file))
}
