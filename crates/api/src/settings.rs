//! `GET/PUT /settings/pdf`: the document look (accent colour, font, tagline, columns, an own
//! template). A template is compiled against sample documents before it is stored; an error
//! names its line. `GET/PUT /settings/mailbox`: the mailbox received invoices arrive in; its
//! password is write-only.

use axum::Json;
use axum::extract::State;
use kontor_app::App;
use kontor_app::incoming::mailbox::{MailboxInput, MailboxView};
use kontor_domain::{ErrorCode, Language};
use kontor_pdf::look::Look;

use super::error::{ApiError, ApiResult};
use super::json::ApiJsonBody;
use crate::auth::Auth;

pub async fn get_pdf(State(state): State<App>, _auth: Auth) -> ApiResult<Json<Look>> {
    Ok(Json(state.settings().look().await?))
}

pub async fn put_pdf(
    State(state): State<App>,
    auth: Auth,
    ApiJsonBody(body): ApiJsonBody<Look>,
) -> ApiResult<Json<Look>> {
    let look = state
        .settings()
        .save_look(&auth.actor(), body, Language::En)
        .await?
        .map_err(|problems| match problems.first() {
            Some((field, message)) => ApiError::field(*field, ErrorCode::Invalid, message),
            None => ApiError::field("body", ErrorCode::Invalid, "is not acceptable"),
        })?;
    Ok(Json(look))
}

/// `GET /settings/mailbox`: the settings without the password (`password_set` says whether one
/// is stored).
pub async fn get_mailbox(State(state): State<App>, _auth: Auth) -> ApiResult<Json<MailboxView>> {
    Ok(Json(state.incoming().mailbox().view().await?))
}

/// `PUT /settings/mailbox`: replaces the settings; a missing or empty password keeps the stored
/// one, an empty host turns the mailbox off.
pub async fn put_mailbox(
    State(state): State<App>,
    auth: Auth,
    ApiJsonBody(body): ApiJsonBody<MailboxInput>,
) -> ApiResult<Json<MailboxView>> {
    Ok(Json(
        state.incoming().mailbox().save(&auth.actor(), body).await?,
    ))
}
