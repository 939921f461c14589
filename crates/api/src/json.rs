//! Request extraction that always answers with the API's JSON errors: bodies (naming the
//! failing field), path parameters and query strings, and the string-typed decimals and dates.

use std::fmt;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::NaiveDate;
use kontor_domain::money::{DecimalError, parse_decimal};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use kontor_domain::ErrorCode;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON body. An empty body counts as `{}`, so missing required fields are named.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        parse_body(&bytes).map(ApiJson)
    }
}

/// The JSON body of a PUT, which replaces a whole record: an empty body is refused, where
/// [`ApiJson`] would read `{}` and reset every field to its default.
pub struct ApiJsonBody<T>(pub T);

impl<S, T> FromRequest<S> for ApiJsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::new(
                ErrorCode::Required,
                "the request needs a JSON body: PUT replaces the whole record",
            ));
        }
        parse_body(&bytes).map(ApiJsonBody)
    }
}

/// The request's body, at most [`BODY_LIMIT`] bytes.
pub async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::BodyTooLarge, "the request body exceeds 2 MiB")
        } else {
            ApiError::new(
                ErrorCode::UnreadableBody,
                "the request body could not be read",
            )
        }
    })
}

/// Parses a JSON body, turning serde's error into a field error.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(&e))?;
    de.end().map_err(|e| syntax_error(&e))?;
    Ok(value)
}

fn syntax_error(e: &serde_json::Error) -> ApiError {
    ApiError {
        field: None,
        ..ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        )
    }
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return syntax_error(inner);
    }
    let path = e.path().to_string();
    let prefix = if path == "." {
        String::new()
    } else {
        format!("{path}.")
    };
    // serde_json appends " at line X column Y"; the field already says where.
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    if let Some(name) = backticked(&message, "missing field `") {
        return ApiError::field(
            format!("{prefix}{name}"),
            ErrorCode::Required,
            "is required",
        );
    }
    if let Some(name) = backticked(&message, "unknown field `") {
        // The path already ends at the unknown key.
        let field = if path == "." { name.to_string() } else { path };
        return ApiError::field(field, ErrorCode::UnknownField, "is not a known field");
    }
    let field = if path == "." {
        "body".to_string()
    } else {
        path
    };
    let code = if message.starts_with("invalid type") || message == DECIMAL_STRING {
        ErrorCode::InvalidType
    } else if message.starts_with("unknown variant") {
        ErrorCode::UnknownValue
    } else {
        ErrorCode::Invalid
    };
    ApiError::field(field, code, message)
}

fn backticked<'a>(message: &'a str, start: &str) -> Option<&'a str> {
    message.strip_prefix(start)?.split('`').next()
}

const DECIMAL_STRING: &str = "must be a decimal string";

/// A decimal given as a JSON string ("85.00"); a JSON number is refused, as floats lose cents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal string such as \"12.50\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Dec, E> {
                match parse_decimal(s, 10, true) {
                    Ok(v) => Ok(Dec(v)),
                    Err(DecimalError::TooManyDecimals(_)) => {
                        Err(E::custom("has too many decimal places"))
                    }
                    Err(e) => Err(E::custom(e)),
                }
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Dec, E> {
                Err(E::custom(DECIMAL_STRING))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Dec, E> {
                Err(E::custom(DECIMAL_STRING))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Dec, E> {
                Err(E::custom(DECIMAL_STRING))
            }
        }
        d.deserialize_any(V)
    }
}

/// A calendar date given as "YYYY-MM-DD".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date string \"YYYY-MM-DD\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
                parse_date(s)
                    .map(Date)
                    .ok_or_else(|| E::custom("must be a date \"YYYY-MM-DD\""))
            }
        }
        d.deserialize_str(V)
    }
}

/// Parses "YYYY-MM-DD" strictly (four-digit year, two-digit month and day).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let ok_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    ok_shape
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// A path parameter; a malformed one is a 404 (no resource has that name).
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::not_found(
                format!("no such resource ({})", e.body_text()),
            )),
            Err(e) => Err(ApiError::internal(&e)),
        }
    }
}

/// The decoded query string, read parameter by parameter with errors naming the parameter.
/// Empty values count as absent; unknown parameters are ignored.
pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::new(ErrorCode::InvalidQuery, "the query string is malformed"))?;
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    pub fn i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.str(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::field(name, ErrorCode::Invalid, "must be an integer"))
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.str(name) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(_) => Err(ApiError::field(
                name,
                ErrorCode::Invalid,
                "must be true or false",
            )),
        }
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.str(name)
            .map(|v| {
                parse_date(v).ok_or_else(|| {
                    ApiError::field(name, ErrorCode::Invalid, "must be a date \"YYYY-MM-DD\"")
                })
            })
            .transpose()
    }

    /// The list's order (`sort`): one of the list's columns, `-` first for descending; any
    /// other value is refused, naming the parameter and the values it takes.
    pub fn sort<K: kontor_app::model::SortKey + PartialEq>(
        &self,
    ) -> Result<Option<kontor_app::model::Sort<K>>, ApiError> {
        use kontor_app::model::Sort;
        self.str("sort")
            .map(|v| {
                Sort::<K>::parse(v).ok_or_else(|| {
                    ApiError::field(
                        "sort",
                        ErrorCode::UnknownValue,
                        format!("must be one of {}", Sort::<K>::all_params().join(", ")),
                    )
                })
            })
            .transpose()
    }

    /// The page and page size (`page`, `per_page`; capped by storage at 200).
    pub fn page(&self) -> Result<kontor_app::model::PageRequest, ApiError> {
        Ok(kontor_app::model::PageRequest::new(
            self.i64("page")?,
            self.i64("per_page")?,
        ))
    }
}
