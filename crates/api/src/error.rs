//! The one error type of the JSON API: status, stable code, field; internal details only in the
//! log. Service errors are mapped through the service layer's one table (`kontor_app::Error`),
//! so the API and the pages answer the same refusal with the same status and message.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontor_app::model::StoreError;
use kontor_domain::validation::Problem;
use kontor_domain::{ErrorCode, Language};
use serde::Serialize;

/// An error as the API client sees it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub problems: Option<Vec<Problem>>,
    /// For 5xx: the reference that is also in the log.
    pub reference: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    code: &'a str,
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [Problem]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ApiError {
    /// An error with the status its code stands for.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status: status_of(code),
            code,
            message: message.into(),
            field: None,
            problems: None,
            reference: None,
        }
    }

    /// An error about one field; the message is prefixed with the field so it reads on its own.
    pub fn field(field: impl Into<String>, code: ErrorCode, message: impl AsRef<str>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.as_ref());
        ApiError {
            field: Some(field),
            ..ApiError::new(code, message)
        }
    }

    pub fn unauthenticated(message: &str) -> Self {
        ApiError::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// A server-side failure: logged in full under a reference, shown to the client only
    /// generically.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        ApiError::failed(ErrorCode::Internal, detail)
    }

    fn failed(code: ErrorCode, detail: &dyn std::fmt::Display) -> Self {
        let reference = new_reference();
        tracing::error!(reference = %reference, code = %code, error = %detail, "internal error");
        let text = kontor_app::messages::error_text(code, Language::En, "");
        ApiError {
            reference: Some(reference.clone()),
            ..ApiError::new(code, format!("{text}; please report reference {reference}"))
        }
    }
}

fn new_reference() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

impl From<kontor_app::Error> for ApiError {
    fn from(e: kontor_app::Error) -> Self {
        if e.is_internal() {
            return ApiError::failed(e.code(), &e);
        }
        // The first problem of a document body, as the API has always reported one field.
        if let kontor_app::Error::Input(problems) = &e
            && let Some(p) = problems.first()
        {
            return ApiError::field(p.field.to_string(), p.code, p.message(Language::En));
        }
        ApiError {
            field: e.field_name().map(str::to_string),
            problems: e.problems().map(<[Problem]>::to_vec),
            ..ApiError::new(e.code(), e.message(Language::En))
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::from(kontor_app::Error::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.message,
            code: self.code.as_str(),
            field: self.field.as_deref(),
            problems: self.problems.as_deref(),
            reference: self.reference.as_deref(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_detail() {
        let e = ApiError::from(StoreError::Corrupt("secret table xyz".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains("xyz"));
        let reference = e.reference.clone().unwrap_or_default();
        assert_eq!(reference.len(), 16);
        assert!(e.message.contains(&reference));
    }

    #[test]
    fn store_errors_map_to_statuses() {
        let status = |e: StoreError| ApiError::from(e).status.as_u16();
        assert_eq!(status(StoreError::not_found("contact", 1)), 404);
        assert_eq!(
            status(StoreError::conflict(ErrorCode::DocumentLocked, "x")),
            409
        );
        assert_eq!(status(StoreError::invalid("amount", "x")), 422);
        assert_eq!(status(StoreError::NotIssuable(vec![])), 422);
        let damaged = ApiError::from(StoreError::BlobCorrupt {
            store: "s3://b".into(),
            key: "kontor/ab/abc".into(),
        });
        assert_eq!(damaged.status.as_u16(), 500);
        assert_eq!(damaged.code, ErrorCode::FileDamaged);
        assert!(!damaged.message.contains("kontor/ab"));
        let down = ApiError::from(StoreError::BlobStore {
            store: "s3://b".into(),
            key: "k".into(),
            message: "connection refused".into(),
        });
        assert_eq!(down.status.as_u16(), 503);
        let invalid = ApiError::from(StoreError::invalid("amount", "too much"));
        assert_eq!(invalid.field.as_deref(), Some("amount"));
    }
}
