//! The audit log: a document's history and the check of the whole hash chain.

use axum::Json;
use axum::extract::State;
use kontor_storage::AuditEntry;
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
    let entries = state
        .store()
        .audit_entries("document", &id.to_string(), MAX_ENTRIES)
        .await?;
    // Every document's creation is logged: no entries means no such document (ever). A deleted
    // draft keeps its history here.
    if entries.is_empty() {
        return Err(kontor_storage::StoreError::not_found("document", id).into());
    }
    Ok(Json(PageOut::slice(entries, q.page()?)))
}

#[derive(Debug, Serialize)]
pub struct AuditReportOut {
    ok: bool,
    entries: i64,
    problems: Vec<String>,
}

pub async fn verify(State(state): State<App>, _auth: Auth) -> ApiResult<Json<AuditReportOut>> {
    let report = state.store().audit_verify().await?;
    Ok(Json(AuditReportOut {
        ok: report.ok(),
        entries: report.entries,
        problems: report.problems,
    }))
}
