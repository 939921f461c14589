//! The actions on a document: issue, derive, cancel, duplicate, delete, record a payment.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kontor_app::model::{PaymentInput, Role};
use kontor_domain::document::DocumentType;
use kontor_texts::Msg;

use super::editor::issue_now;
use super::view::show_doc;
use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::pages::articles::user_decimal;
use crate::session::{self, Ctx, check_csrf};
use kontor_app::Error as AppError;

async fn action_ctx(
    state: &WebState,
    headers: &HeaderMap,
    body: &Bytes,
    role: Role,
) -> Result<(Ctx, FormData), WebError> {
    let ctx = session::current(state, headers).await?;
    ctx.require(role)?;
    let form = FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

/// Where an action on document `id` leads: to `target` on success; errors the user can act on
/// (a conflict with the document's state, a refused value) come back on the document page.
async fn after_action(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    result: Result<String, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(target) => Ok(Redirect::to(&target).into_response()),
        Err(e @ (AppError::Refused { .. } | AppError::Field { .. })) => {
            show_doc(state, ctx, id, e.message(ctx.lang())).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub async fn issue(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    issue_now(&state, &ctx, id).await
}

pub async fn derive(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let Some(target) = form.get("type").and_then(DocumentType::parse) else {
        return show_doc(&state, &ctx, id, "?".into()).await;
    };
    let result = state
        .app
        .documents()
        .derive(&ctx.actor(), id, target, None)
        .await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

pub async fn cancel(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Accountant).await?;
    let reason: String = form.text("reason").chars().take(200).collect();
    let result = state
        .app
        .documents()
        .cancel(&ctx.actor(), id, None, Some(&reason))
        .await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

/// Takes back a payment with a reversal booked today; the reason is required.
pub async fn reverse_payment(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((id, payment_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Accountant).await?;
    let reason: String = form.text("reason").chars().take(200).collect();
    let result = state
        .app
        .documents()
        .reverse_payment(&ctx.actor(), id, payment_id, state.app.today(), &reason)
        .await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|_| format!("/documents/{id}#payments")),
    )
    .await
}

/// Records that an issued quote was accepted or declined ("" makes it open again).
pub async fn outcome(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let outcome = kontor_domain::QuoteOutcome::parse(&form.text("outcome"));
    let result = state
        .app
        .documents()
        .set_quote_outcome(&ctx.actor(), id, outcome)
        .await;
    after_action(&state, &ctx, id, result.map(|_| format!("/documents/{id}"))).await
}

pub async fn duplicate(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let result = state.app.documents().duplicate(&ctx.actor(), id).await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let result = state.app.documents().delete(&ctx.actor(), id).await;
    after_action(&state, &ctx, id, result.map(|()| "/documents".to_string())).await
}

pub async fn add_payment(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Accountant).await?;
    let amount = match user_decimal(&form.text("amount"), 2, ctx.lang()) {
        Ok(a) => a,
        Err(m) => {
            return show_doc(
                &state,
                &ctx,
                id,
                format!("{}: {m}", ctx.tr.t(Msg::FieldAmount)),
            )
            .await;
        }
    };
    let date = NaiveDate::parse_from_str(&form.text("date"), "%Y-%m-%d")
        .unwrap_or_else(|_| state.app.today());
    let input = PaymentInput {
        date,
        amount,
        method: form.text("method"),
        note: form.text("note"),
    };
    let result = state
        .app
        .documents()
        .add_payment(&ctx.actor(), id, &input)
        .await;
    after_action(&state, &ctx, id, result.map(|_| format!("/documents/{id}"))).await
}
