//! `GET/PUT /settings/pdf`: the document look (accent colour, font, tagline, columns, an own
//! template). A template is compiled against sample documents before it is stored; an error
//! names its line.

use axum::Json;
use axum::extract::State;
use kontor_pdf::look::Look;

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use crate::AppState;
use crate::auth::Auth;

pub async fn get_pdf(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<Look>> {
    Ok(Json(Look::from_setting(
        state.store.setting("pdf").await?.as_ref(),
    )))
}

pub async fn put_pdf(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<Look>,
) -> ApiResult<Json<Look>> {
    let checked = tokio::task::spawn_blocking(move || body.checked())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let look = checked.map_err(|problems| {
        let (field, message) = &problems[0];
        ApiError::field(*field, "invalid", message)
    })?;
    state
        .store
        .set_setting(&auth.actor(), "pdf", &look.to_value())
        .await?;
    Ok(Json(look))
}
