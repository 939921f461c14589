//! The errors storage operations report.

use kontor_domain::ErrorCode;
use kontor_domain::validation::Problem;

/// What went wrong in a storage operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The operation contradicts the state of the data (e.g. changing an issued document).
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// A field value is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        field: String,
        /// `ErrorCode::Invalid`, or a more specific code clients can branch on.
        code: ErrorCode,
        message: String,
    },
    /// The document cannot be issued; each problem names a field.
    #[error("document cannot be issued: {}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    NotIssuable(Vec<Problem>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database URL not supported: {0}")]
    UnsupportedUrl(String),
    /// The blob store (S3 bucket) could not be reached or refused a request.
    #[error("file store {store}: {key}: {message}")]
    BlobStore {
        store: String,
        key: String,
        message: String,
    },
    /// A file's object is not in the blob store.
    #[error("file store {store}: object {key} is missing")]
    BlobMissing { store: String, key: String },
    /// A file's object no longer matches its SHA-256.
    #[error("file store {store}: object {key} does not match its SHA-256 (altered or damaged)")]
    BlobCorrupt { store: String, key: String },
    /// A file lives in a blob store, but none is configured (or another one).
    #[error(
        "file {sha256} is kept in a blob store under {key}, but {reason} (--blob-store / KONTOR_BLOB_STORE)"
    )]
    NoBlobStore {
        sha256: String,
        key: String,
        reason: String,
    },
}

impl StoreError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::invalid_as(field, ErrorCode::Invalid, message)
    }

    /// A field error with its own code (e.g. `exceeds_open_amount`).
    pub fn invalid_as(
        field: impl Into<String>,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        StoreError::Invalid {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
