//! The audit log: a document's history and the check of the whole hash chain.

use axum::Json;
use axum::extract::State;
use kontor_app::model::AuditEntry;
use serde::Serialize;

use super::PageOut;
use super::error::ApiResult;
use super::json::{ApiPath, QueryParams};
use crate::auth::Auth;
use kontor_app::App;

/// Most entries read for one record (storage's own cap).
const MAX_ENTRIES: i64 = 500;

pub async fn document_entries(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Json<PageOut<AuditEntry>>> {
    // A deleted draft keeps its history here; a document that never existed is not found.
    let entries = state.audit().document(id, MAX_ENTRIES).await?;
    Ok(Json(PageOut::slice(entries, q.page()?)))
}

#[derive(Debug, Serialize)]
pub struct AuditReportOut {
    ok: bool,
    entries: i64,
    problems: Vec<String>,
}

pub async fn verify(State(state): State<App>, _auth: Auth) -> ApiResult<Json<AuditReportOut>> {
    let report = state.audit().verify().await?;
    Ok(Json(AuditReportOut {
        ok: report.ok(),
        entries: report.entries,
        problems: report.problems,
    }))
}
