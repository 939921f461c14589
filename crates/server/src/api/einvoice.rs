//! `GET /documents/{id}/xrechnung?syntax=ubl|cii`: the XRechnung archived at issue, byte for
//! byte. Drafts answer 409 `not_issued`; issued documents whose data allowed no XRechnung
//! answer 409 `einvoice_unavailable` (see `kontor_web::einvoice`).

use axum::extract::State;
use axum::response::Response;

use super::error::{ApiError, ApiResult};
use super::json::{ApiPath, QueryParams};
use crate::AppState;
use crate::auth::Auth;

pub async fn xrechnung(
    State(state): State<AppState>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Response> {
    let syntax = kontor_web::einvoice::parse_syntax(q.str("syntax"))
        .ok_or_else(|| ApiError::field("syntax", "unknown_value", "must be ubl or cii"))?;
    let (bytes, name) = kontor_web::einvoice::document_xml(&state.store, id, syntax).await?;
    Ok(kontor_web::einvoice::xml_response(bytes, &name))
}
