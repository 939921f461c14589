//! The one error type of the service layer. Every failure has a stable [`ErrorCode`]; the JSON
//! API and the pages both turn it into a status and a message through [`Error::status`] and
//! [`Error::message`], so the same refusal reads the same in both, in German and English.

use kontor_domain::party::FieldProblem;
use kontor_domain::validation::Problem;
use kontor_domain::{ErrorCode, ErrorKind, Language};
use kontor_storage::StoreError;

use crate::messages;

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// One field of the input is not acceptable.
    #[error("{field}: {message}")]
    Field {
        field: String,
        code: ErrorCode,
        message: String,
    },
    /// What a user sent for a document has problems, each naming its field (in the order the
    /// fields are checked).
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field, p.message(Language::En))).collect::<Vec<_>>().join("; "))]
    Input(crate::documents::FieldProblems),
    /// The operation is refused as the data stands (a conflict, a missing permission, a
    /// feature that is not set up). `message` is the English detail.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// The document cannot be issued; each problem names a field.
    #[error("document cannot be issued: {}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    NotIssuable(Vec<Problem>),
    /// A failure inside Kontor or a service it needs: the detail goes to the log only.
    #[error("{detail}")]
    Internal { code: ErrorCode, detail: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Error {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn field(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Field {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn internal(code: ErrorCode, detail: impl std::fmt::Display) -> Error {
        Error::Internal {
            code,
            detail: detail.to_string(),
        }
    }

    /// The first of a list of field problems (from the domain's checks) as an error; `Ok` when
    /// there is none.
    pub fn first_problem(problems: Vec<FieldProblem>) -> Result<()> {
        match problems.into_iter().next() {
            Some((field, message)) => Err(Error::field(field, ErrorCode::Invalid, message)),
            None => Ok(()),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Field { code, .. }
            | Error::Refused { code, .. }
            | Error::Internal { code, .. } => *code,
            Error::NotIssuable(_) => ErrorCode::NotIssuable,
            Error::Input(problems) => problems.first().map_or(ErrorCode::Invalid, |p| p.code),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    /// The HTTP status both edges answer with.
    pub fn status(&self) -> u16 {
        self.kind().status()
    }

    /// Whether the detail must stay in the log (server-side failures).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Internal { .. })
    }

    /// The field the error is about, if any.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Error::Field { field, .. } => Some(field),
            _ => None,
        }
    }

    /// What stops a document from being issued.
    pub fn problems(&self) -> Option<&[Problem]> {
        match self {
            Error::NotIssuable(problems) => Some(problems),
            _ => None,
        }
    }

    /// The message for a person in `lang`: in English the specific detail (as the API has
    /// always said it), in German the catalogue's text with the detail where it names data.
    /// Internal details never appear here.
    pub fn message(&self, lang: Language) -> String {
        // German: the field in words; the English detail of a field error is left out (the
        // code's own text says what is wrong). English: the detail as the API says it.
        let detail = match (self, lang) {
            (Error::Internal { .. } | Error::NotIssuable(_), _) => String::new(),
            (Error::Field { field, .. }, Language::De) => messages::field_label(field, lang),
            (Error::Field { field, message, .. }, Language::En) => format!("{field}: {message}"),
            (Error::Input(problems), Language::De) => {
                return problems
                    .first()
                    .map(|p| {
                        format!(
                            "{}: {}",
                            messages::field_label(&p.field.to_string(), lang),
                            p.message(lang)
                        )
                    })
                    .unwrap_or_default();
            }
            (Error::Input(problems), Language::En) => problems
                .first()
                .map(|p| format!("{}: {}", p.field, p.message(lang)))
                .unwrap_or_default(),
            (other, _) => other.to_string(),
        };
        messages::error_text(self.code(), lang, &detail)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::NotFound { entity, id } => Error::NotFound { entity, id },
            StoreError::Conflict { code, message } => Error::Refused { code, message },
            StoreError::Invalid {
                field,
                code,
                message,
            } => Error::Field {
                field,
                code,
                message,
            },
            StoreError::NotIssuable(problems) => Error::NotIssuable(problems),
            StoreError::BlobStore { .. } | StoreError::NoBlobStore { .. } => {
                Error::internal(ErrorCode::FileStoreUnavailable, e)
            }
            StoreError::BlobMissing { .. } | StoreError::BlobCorrupt { .. } => {
                Error::internal(ErrorCode::FileDamaged, e)
            }
            StoreError::Database(_) | StoreError::Corrupt(_) | StoreError::UnsupportedUrl(_) => {
                Error::internal(ErrorCode::Internal, e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_keep_their_codes_and_statuses() {
        let status = |e: StoreError| Error::from(e).status();
        assert_eq!(status(StoreError::not_found("contact", 1)), 404);
        assert_eq!(
            status(StoreError::conflict(ErrorCode::DocumentLocked, "x")),
            409
        );
        assert_eq!(status(StoreError::invalid("amount", "x")), 422);
        assert_eq!(status(StoreError::NotIssuable(vec![])), 422);
        let damaged = Error::from(StoreError::BlobCorrupt {
            store: "s3://b".into(),
            key: "kontor/ab/abc".into(),
        });
        assert_eq!(
            (damaged.status(), damaged.code()),
            (500, ErrorCode::FileDamaged)
        );
        assert!(!damaged.message(Language::En).contains("kontor/ab"));
        let down = Error::from(StoreError::BlobStore {
            store: "s3://b".into(),
            key: "k".into(),
            message: "connection refused".into(),
        });
        assert_eq!(down.status(), 503);
    }

    #[test]
    fn a_conflict_reads_the_same_detail_in_english_and_its_own_text_in_german() {
        let e = Error::refused(
            ErrorCode::HasPayments,
            "the invoice has payments; issue a credit note and refund instead",
        );
        assert_eq!(
            e.message(Language::En),
            "the invoice has payments; issue a credit note and refund instead"
        );
        assert!(e.message(Language::De).contains("Zahlung"));
    }

    #[test]
    fn internal_details_stay_out_of_messages() {
        let e = Error::internal(ErrorCode::Internal, "secret table xyz");
        assert!(!e.message(Language::En).contains("xyz"));
        assert!(!e.message(Language::De).contains("xyz"));
    }
}
