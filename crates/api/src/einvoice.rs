//! `GET /documents/{id}/xrechnung?syntax=ubl|cii`: the XRechnung archived at issue, byte for
//! byte. Drafts answer 409 `not_issued`; issued documents whose data allowed no XRechnung
//! answer 409 `einvoice_unavailable`, naming what is missing.

use axum::extract::State;
use axum::response::Response;
use kontor_app::App;
use kontor_app::documents::syntax_param;

use super::error::ApiResult;
use super::json::{ApiPath, QueryParams};
use crate::auth::Auth;

pub async fn xrechnung(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Response> {
    let syntax = syntax_param(q.str("syntax"))?;
    Ok(crate::files::response(
        state.documents().xrechnung(id, syntax).await?,
    ))
}
