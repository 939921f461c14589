//! The one error type of the JSON API: status, stable code, field; internal details only in the log.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontor_domain::validation::Problem;
use kontor_storage::StoreError;
use serde::Serialize;

/// An error as the API client sees it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
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

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            problems: None,
            reference: None,
        }
    }

    /// A 422 about one field; the message is prefixed with the field so it reads on its own.
    pub fn field(field: impl Into<String>, code: &'static str, message: impl AsRef<str>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.as_ref());
        ApiError {
            field: Some(field),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        }
    }

    pub fn unauthenticated(message: &str) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// Replaces the message, keeping the reference at its end.
    fn with_message(mut self, message: &str) -> Self {
        self.message = match &self.reference {
            Some(r) => format!("{message}; please report reference {r}"),
            None => message.to_string(),
        };
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A server-side failure: logged in full under a reference, shown to the client only generically.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        let reference = new_reference();
        tracing::error!(reference = %reference, error = %detail, "internal error");
        ApiError {
            reference: Some(reference.clone()),
            ..ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("internal error; please report reference {reference}"),
            )
        }
    }
}

fn new_reference() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            StoreError::Invalid { field, message } => ApiError::field(field, "invalid", message),
            StoreError::NotIssuable(problems) => ApiError {
                problems: Some(problems),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_issuable",
                    "the document cannot be issued yet; see problems",
                )
            },
            StoreError::Database(_) | StoreError::Corrupt(_) | StoreError::UnsupportedUrl(_) => {
                ApiError::internal(&e)
            }
            // A file whose bytes cannot be delivered intact: never wrong bytes, a clear answer;
            // the object key and the store are logged under the reference, not shown.
            StoreError::BlobStore { .. } | StoreError::NoBlobStore { .. } => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "file_store_unavailable",
                ..ApiError::internal(&e)
            }
            .with_message("the file store cannot be reached; try again later"),
            StoreError::BlobMissing { .. } | StoreError::BlobCorrupt { .. } => ApiError {
                code: "file_damaged",
                ..ApiError::internal(&e)
            }
            .with_message("the stored file is missing or damaged in the file store"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.message,
            code: self.code,
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
        assert_eq!(e.code, "internal");
        assert!(!e.message.contains("xyz"));
        let reference = e.reference.clone().unwrap_or_default();
        assert_eq!(reference.len(), 16);
        assert!(e.message.contains(&reference));
    }

    #[test]
    fn store_errors_map_to_statuses() {
        let status = |e: StoreError| ApiError::from(e).status.as_u16();
        assert_eq!(status(StoreError::not_found("contact", 1)), 404);
        assert_eq!(status(StoreError::conflict("document_locked", "x")), 409);
        assert_eq!(status(StoreError::invalid("amount", "x")), 422);
        assert_eq!(status(StoreError::NotIssuable(vec![])), 422);
        let damaged = ApiError::from(StoreError::BlobCorrupt {
            store: "s3://b".into(),
            key: "kontor/ab/abc".into(),
        });
        assert_eq!(damaged.status.as_u16(), 500);
        assert_eq!(damaged.code, "file_damaged");
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
