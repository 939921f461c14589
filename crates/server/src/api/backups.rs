//! `GET/POST /backups`: the backup schedule, targets and newest runs, and starting a backup
//! now (admins; only where `kontor serve` makes backups, else 404 naming how to set them up).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kontor_web::backup_status::{BackupOverview, BackupStatus};

use super::error::{ApiError, ApiResult};
use crate::AppState;
use crate::auth::Auth;

fn configured(state: &AppState) -> ApiResult<&dyn BackupStatus> {
    state.backups.as_deref().ok_or_else(|| {
        ApiError::not_found(
            "backups are not set up for this installation (kontor serve --backup-recipient … --backup-target …)",
        )
    })
}

pub async fn get(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<BackupOverview>> {
    let overview = configured(&state)?
        .overview(30)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(overview))
}

pub async fn start(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let backups = configured(&state)?;
    if backups.hosted() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "hosted",
            "the operator of this installation runs its backups",
        ));
    }
    backups.start().await.map_err(|e| ApiError::internal(&e))?;
    state
        .store
        .security_event(
            &auth.actor(),
            "backup_started",
            "business",
            serde_json::json!({}),
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}
