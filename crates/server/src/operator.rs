//! The operator API of cloud mode under `/operator/v1`: the tenant lifecycle of
//! `kontor tenant …` over HTTP, for the hosting operator only (a bearer token from the
//! operator's configuration, compared in constant time). Off unless a token is configured.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kontor_storage::tenants::{Provisioner, Tenant, TenantState};
use serde::Deserialize;
use serde_json::{Value, json};

use kontor_api::error::ApiError;

/// What the operator routes need.
#[derive(Clone)]
pub struct Operator {
    pub provisioner: Arc<Provisioner>,
    /// SHA-256 of the operator token.
    token_hash: [u8; 32],
}

impl Operator {
    pub fn new(provisioner: Provisioner, token: &str) -> Result<Operator, ApiError> {
        if token.trim().len() < 32 {
            return Err(ApiError::field(
                "operator_token",
                kontor_domain::ErrorCode::Invalid,
                "must be at least 32 characters",
            ));
        }
        Ok(Operator {
            provisioner: Arc::new(provisioner),
            token_hash: hash(token.trim()),
        })
    }
}

fn hash(s: &str) -> [u8; 32] {
    kontor_storage::tenants::hmac_sha256(b"kontor operator token", s.as_bytes())
}

/// The routes, to be nested under `/operator/v1`.
pub fn router(operator: Operator) -> Router {
    Router::new()
        .route("/tenants", get(list).post(create))
        .route("/tenants/{name}", get(show).delete(delete))
        .route("/tenants/{name}/suspend", post(suspend))
        .route("/tenants/{name}/resume", post(resume))
        .route("/tenants/{name}/export", get(export))
        .route("/migrate", post(migrate))
        .layer(axum::middleware::from_fn_with_state(
            operator.clone(),
            require_token,
        ))
        .with_state(operator)
}

async fn require_token(State(op): State<Operator>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(hash);
    // Hashes of equal length, compared without an early exit.
    let ok = given.is_some_and(|g| {
        g.iter()
            .zip(op.token_hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    });
    if !ok {
        return ApiError::unauthenticated("operator token required").into_response();
    }
    next.run(request).await
}

fn out(t: &Tenant) -> Value {
    json!({
        "name": t.slug, "display_name": t.name, "state": t.state.as_str(),
        "schema_version": t.schema_version, "created_at": t.created_at, "exported_at": t.exported_at,
    })
}

async fn list(State(op): State<Operator>) -> Result<Response, ApiError> {
    let tenants = op.provisioner.list().await?;
    Ok(axum::Json(json!({"items": tenants.iter().map(out).collect::<Vec<_>>()})).into_response())
}

async fn show(State(op): State<Operator>, Path(name): Path<String>) -> Result<Response, ApiError> {
    Ok(axum::Json(out(&op.provisioner.get(&name).await?)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    name: String,
    display_name: Option<String>,
    admin: String,
    password: String,
}

async fn create(State(op): State<Operator>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let new: NewTenant = serde_json::from_slice(&body).map_err(|e| {
        ApiError::field("body", kontor_domain::ErrorCode::InvalidJson, e.to_string())
    })?;
    let display = new.display_name.as_deref().unwrap_or(&new.name).to_string();
    let tenant = op
        .provisioner
        .create_with_admin(&new.name, &display, &new.admin, &new.password)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(out(&tenant))).into_response())
}

async fn suspend(
    State(op): State<Operator>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    Ok(axum::Json(out(&op.provisioner.suspend(&name).await?)).into_response())
}

async fn resume(
    State(op): State<Operator>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    Ok(axum::Json(out(&op.provisioner.resume(&name).await?)).into_response())
}

async fn export(
    State(op): State<Operator>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let tenant = op.provisioner.get(&name).await?;
    if tenant.state == TenantState::Deleted {
        return Err(ApiError::new(
            kontor_domain::ErrorCode::TenantState,
            format!("tenant: {name} is deleted"),
        ));
    }
    let store = op.provisioner.open_tenant_for_export(&tenant).await?;
    let zip = store.export_zip().await;
    store.close().await;
    op.provisioner.end_export(&tenant).await?;
    let zip = zip?;
    op.provisioner.record_export(&name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.zip\""),
            ),
        ],
        zip,
    )
        .into_response())
}

#[derive(Deserialize)]
struct Confirm {
    confirm: Option<String>,
}

async fn delete(
    State(op): State<Operator>,
    Path(name): Path<String>,
    Query(q): Query<Confirm>,
) -> Result<Response, ApiError> {
    let tenant = op
        .provisioner
        .delete(&name, q.confirm.as_deref().unwrap_or(""))
        .await?;
    Ok(axum::Json(out(&tenant)).into_response())
}

async fn migrate(State(op): State<Operator>) -> Result<Response, ApiError> {
    let report = op.provisioner.migrate_all().await?;
    let failed: Vec<Value> = report
        .failed
        .iter()
        .map(|(t, e)| json!({"name": t, "error": e}))
        .collect();
    Ok(axum::Json(
        json!({"migrated": report.migrated, "current": report.current, "failed": failed}),
    )
    .into_response())
}
