//! Number ranges: the patterns documents, contacts and articles are numbered by.

use axum::Json;
use axum::extract::State;
use kontor_app::model::NumberRange;
use kontor_domain::numbering::ResetRule;
use serde::Deserialize;

use super::PageOut;
use super::error::{ApiError, ApiResult};
use super::json::{ApiJsonBody, ApiPath, QueryParams};
use crate::auth::Auth;
use kontor_app::App;
use kontor_domain::ErrorCode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRangeInput {
    pattern: Option<String>,
    reset: Option<ResetRule>,
    first_counter: Option<i64>,
}

pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<NumberRange>>> {
    Ok(Json(PageOut::slice(
        state.numbers().list().await?,
        q.page()?,
    )))
}

pub async fn update(
    State(state): State<App>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiJsonBody(body): ApiJsonBody<NumberRangeInput>,
) -> ApiResult<Json<NumberRange>> {
    let pattern = body
        .pattern
        .ok_or_else(|| ApiError::field("pattern", ErrorCode::Required, "is required"))?;
    let reset = body
        .reset
        .ok_or_else(|| ApiError::field("reset", ErrorCode::Required, "is required"))?;
    let first_counter = body.first_counter.unwrap_or(1);
    let range = state
        .numbers()
        .update(&auth.actor(), &key, &pattern, reset, first_counter)
        .await?;
    Ok(Json(range))
}
