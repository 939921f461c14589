//! The `Idempotency-Key` header on creating POSTs: a client that lost the answer (a timeout, a
//! failover) sends the request again with the same key and gets the first answer back, marked
//! `Idempotency-Replayed: true`, instead of a second record. Keys belong to the calling user of
//! the tenant and are kept 24 hours; see the storage crate's idempotency module.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontor_app::model::{IdempotencyKey, StoredResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::json::{ApiJson, parse_body, read_body};
use crate::auth::Auth;
use kontor_domain::ErrorCode;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header on a replayed answer.
pub const REPLAYED: &str = "idempotency-replayed";

/// A JSON body (as [`ApiJson`]) and the request's idempotency key, if it sent one.
pub struct KeyedJson<T> {
    pub body: T,
    pub key: Option<IdempotencyKey>,
}

impl<S, T> FromRequest<S> for KeyedJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let header = match req.headers().get(HEADER) {
            None => None,
            Some(value) => Some(value.to_str().map(str::to_string).map_err(|_| {
                ApiError::field(
                    "Idempotency-Key",
                    ErrorCode::Invalid,
                    "must be visible ASCII characters, e.g. a UUID",
                )
            })?),
        };
        let Some(header) = header else {
            let ApiJson(body) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(KeyedJson { body, key: None });
        };
        let user_id = req
            .extensions()
            .get::<Auth>()
            .map(|auth| auth.user.id)
            .ok_or_else(|| ApiError::unauthenticated("authentication required"))?;
        let method = req.method().as_str().to_string();
        let path = req.uri().path().to_string();
        let bytes = read_body(req, state).await?;
        let key = IdempotencyKey::new(user_id, header.trim(), &method, &path, &bytes)?;
        Ok(KeyedJson {
            body: parse_body(&bytes)?,
            key: Some(key),
        })
    }
}

/// The answer to store with a key: what the client gets now, byte for byte.
pub fn stored<T: Serialize>(
    status: StatusCode,
    value: &T,
) -> kontor_app::model::StoreResult<StoredResponse> {
    Ok(StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_string(value)?,
    })
}

/// A JSON answer: stored with the key when there is one, else serialised now.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The first answer to a repeated key.
pub fn replay(first: StoredResponse) -> Response {
    let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
    let mut response = json_response(status, first.body);
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
