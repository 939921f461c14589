//! `GET/POST /backups`: the backup schedule, targets and newest runs, and starting a backup
//! now (admins; only where `kontor serve` makes backups, else 404 naming how to set them up).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kontor_app::App;
use kontor_app::backups::BackupOverview;

use super::error::ApiResult;
use crate::auth::Auth;

pub async fn get(State(state): State<App>, _auth: Auth) -> ApiResult<Json<BackupOverview>> {
    Ok(Json(state.backups().overview(30).await?))
}

/// The started run, to be found in `GET /backups` while it goes on.
#[derive(Debug, serde::Serialize)]
pub struct StartedOut {
    id: String,
}

pub async fn start(
    State(state): State<App>,
    auth: Auth,
) -> ApiResult<(StatusCode, Json<StartedOut>)> {
    let id = state.backups().start(&auth.actor()).await?;
    Ok((StatusCode::ACCEPTED, Json(StartedOut { id })))
}
