//! The stable, machine-readable codes of every error Kontor reports. API clients branch on
//! them, the pages and the API look their German and English texts up by them, and the
//! compiler checks that no code is misspelt.

use serde::Serialize;

/// What kind of failure a code stands for; the edges turn it into an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request itself cannot be read.
    BadRequest,
    /// 401.
    Unauthenticated,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 409: the operation contradicts the state of the data.
    Conflict,
    /// 413.
    TooLarge,
    /// 422: a value is not acceptable.
    Invalid,
    /// 500: the server failed; details only in the log.
    Internal,
    /// 503: a service Kontor needs cannot be reached.
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status code for this kind.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Invalid => 422,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident = $code:literal => $kind:ident,)*) => {
        /// A stable error code; `as_str` is what API clients see in `code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum ErrorCode {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, for tests that check each has its texts.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn kind(self) -> ErrorKind {
                match self {
                    $(ErrorCode::$variant => ErrorKind::$kind,)*
                }
            }

            pub fn parse(s: &str) -> Option<ErrorCode> {
                match s {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The request as a whole.
    UnreadableBody = "unreadable_body" => BadRequest,
    InvalidQuery = "invalid_query" => BadRequest,
    MalformedJson = "malformed_json" => Invalid,
    InvalidJson = "invalid_json" => Invalid,
    BodyTooLarge = "body_too_large" => TooLarge,
    Unauthenticated = "unauthenticated" => Unauthenticated,
    Forbidden = "forbidden" => Forbidden,
    Csrf = "csrf" => Forbidden,
    NotFound = "not_found" => NotFound,
    MethodNotAllowed = "method_not_allowed" => MethodNotAllowed,
    // One field of the input.
    Invalid = "invalid" => Invalid,
    Required = "required" => Invalid,
    UnknownField = "unknown_field" => Invalid,
    InvalidType = "invalid_type" => Invalid,
    UnknownValue = "unknown_value" => Invalid,
    OutOfRange = "out_of_range" => Invalid,
    TooMany = "too_many" => Invalid,
    TooLong = "too_long" => Invalid,
    TooManyDecimals = "too_many_decimals" => Invalid,
    Immutable = "immutable" => Invalid,
    UnknownVatRate = "unknown_vat_rate" => Invalid,
    UnknownUnit = "unknown_unit" => Invalid,
    UnknownCurrency = "unknown_currency" => Invalid,
    UnknownCountry = "unknown_country" => Invalid,
    InvalidVatId = "invalid_vat_id" => Invalid,
    InvalidEmail = "invalid_email" => Invalid,
    InvalidIban = "invalid_iban" => Invalid,
    InvalidBic = "invalid_bic" => Invalid,
    InvalidCreditorId = "invalid_creditor_id" => Invalid,
    SetupCodeWrong = "setup_code_wrong" => Invalid,
    ExceedsOpenAmount = "exceeds_open_amount" => Invalid,
    AmountNotPositive = "amount_not_positive" => Invalid,
    UnknownPaymentMethod = "unknown_payment_method" => Invalid,
    UsernameInvalid = "username_invalid" => Invalid,
    UsernameReserved = "username_reserved" => Invalid,
    UsernameTaken = "username_taken" => Invalid,
    PasswordTooShort = "password_too_short" => Invalid,
    PasswordMonotonous = "password_monotonous" => Invalid,
    PasswordGuessable = "password_guessable" => Invalid,
    PasswordWrong = "password_wrong" => Invalid,
    TwoFactorCodeWrong = "two_factor_code_wrong" => Invalid,
    NotCreatable = "not_creatable" => Invalid,
    UnknownArticle = "unknown_article" => Invalid,
    LogoTooLarge = "logo_too_large" => Invalid,
    LogoUnknownType = "logo_unknown_type" => Invalid,
    LogoUnsafeSvg = "logo_unsafe_svg" => Invalid,
    NotIssuable = "not_issuable" => Invalid,
    NotAnEinvoice = "not_an_einvoice" => Invalid,
    FileEmpty = "file_empty" => Invalid,
    FileTooLarge = "file_too_large" => TooLarge,
    // The state of the data.
    DocumentLocked = "document_locked" => Conflict,
    VersionConflict = "version_conflict" => Conflict,
    DocumentReferenced = "document_referenced" => Conflict,
    NumberTaken = "number_taken" => Conflict,
    NotIssued = "not_issued" => Conflict,
    AlreadyCancelled = "already_cancelled" => Conflict,
    NotCancellable = "not_cancellable" => Conflict,
    HasPayments = "has_payments" => Conflict,
    NotPayable = "not_payable" => Conflict,
    NotAQuote = "not_a_quote" => Conflict,
    PaymentReversed = "payment_reversed" => Conflict,
    IncomingState = "incoming_state" => Conflict,
    IncomingDuplicate = "incoming_duplicate" => Conflict,
    ContactInUse = "contact_in_use" => Conflict,
    EinvoiceUnavailable = "einvoice_unavailable" => Conflict,
    TotpEnabled = "totp_enabled" => Conflict,
    TotpNotPending = "totp_not_pending" => Conflict,
    TwoFactorRequired = "two_factor_required" => Conflict,
    AlreadySetUp = "already_set_up" => Conflict,
    IdempotencyKeyInUse = "idempotency_key_in_use" => Conflict,
    TenantExists = "tenant_exists" => Conflict,
    TenantState = "tenant_state" => Conflict,
    NotExported = "not_exported" => Conflict,
    Hosted = "hosted" => Conflict,
    BackupsNotConfigured = "backups_not_configured" => NotFound,
    BackupRunning = "backup_running" => Conflict,
    MailboxNotConfigured = "mailbox_not_configured" => Conflict,
    MailboxBusy = "mailbox_busy" => Conflict,
    MailboxLoginFailed = "mailbox_login_failed" => Conflict,
    // The server and the services it needs.
    Internal = "internal" => Internal,
    FileDamaged = "file_damaged" => Internal,
    RenderFailed = "render_failed" => Internal,
    FileStoreUnavailable = "file_store_unavailable" => Unavailable,
    DatabaseUnavailable = "database_unavailable" => Unavailable,
    MailboxUnreachable = "mailbox_unreachable" => Unavailable,
    MailboxFailed = "mailbox_failed" => Unavailable,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
        assert_eq!(ErrorCode::HasPayments.kind().status(), 409);
        assert_eq!(ErrorCode::Required.kind().status(), 422);
    }
}
