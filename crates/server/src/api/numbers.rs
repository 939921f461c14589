//! Number ranges: the patterns documents, contacts and articles are numbered by.

use axum::Json;
use axum::extract::State;
use kontor_domain::numbering::ResetRule;
use kontor_storage::NumberRange;
use serde::Deserialize;

use super::PageOut;
use super::error::{ApiError, ApiResult};
use super::json::{ApiJson, ApiPath, QueryParams};
use crate::auth::Auth;
use crate::{AppState, today};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRangeInput {
    pattern: Option<String>,
    reset: Option<ResetRule>,
    first_counter: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<NumberRange>>> {
    Ok(Json(PageOut::slice(
        state.store.number_ranges(today()).await?,
        q.page()?,
    )))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<NumberRangeInput>,
) -> ApiResult<Json<NumberRange>> {
    let pattern = body
        .pattern
        .ok_or_else(|| ApiError::field("pattern", "required", "is required"))?;
    let reset = body
        .reset
        .ok_or_else(|| ApiError::field("reset", "required", "is required"))?;
    let first_counter = body.first_counter.unwrap_or(1);
    let range = state
        .store
        .update_number_range(
            &auth.actor(),
            &key,
            pattern.trim(),
            reset,
            first_counter,
            today(),
        )
        .await?;
    Ok(Json(range))
}
