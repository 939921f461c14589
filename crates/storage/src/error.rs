//! The errors storage operations report.

use kontor_domain::validation::Problem;

/// What went wrong in a storage operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The operation contradicts the state of the data (e.g. changing an issued document).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A field value is not acceptable.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The document cannot be issued; each problem names a field.
    #[error("document cannot be issued: {}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    NotIssuable(Vec<Problem>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database URL not supported: {0}")]
    UnsupportedUrl(String),
}

impl StoreError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
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
