//! Small conversions between database values and domain values.

use chrono::{NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

use crate::error::{Result, StoreError};

/// The current time as stored: RFC 3339 UTC with microseconds (sorts as text).
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

pub fn parse_opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

pub fn parse_dec(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::Corrupt(format!("decimal {s:?}: {e}")))
}

/// A value type read from a text column; one that no longer parses is a damaged row, not a
/// panic (e.g. a unit or VAT rate Kontor stopped accepting).
pub fn parse_value<T>(what: &str, s: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    T::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what} {s:?}: {e}")))
}

/// Lower-cased search text built from the given parts.
pub fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A LIKE pattern that matches `q` anywhere, with LIKE wildcards in `q` taken literally.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Marks SQL assembled in this crate from constant fragments and numbered placeholders
/// (never from user input) as audited for sqlx.
pub fn sql(s: impl AsRef<str>) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(s.as_ref().to_string())
}
