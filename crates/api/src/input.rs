//! Field checks shared by the request bodies: decimals with limits, codes, IBAN, texts.

use kontor_domain::codes;
use kontor_domain::{Bic, CurrencyCode, Iban, UnitCode, VatId, VatRate};
use rust_decimal::Decimal;

use super::error::ApiError;
use kontor_domain::ErrorCode;

/// Checks the scale and range of a decimal field.
pub fn decimal(
    field: &str,
    value: Decimal,
    max_dp: u32,
    min: Decimal,
    max: Option<Decimal>,
) -> Result<Decimal, ApiError> {
    let value = value.normalize();
    if value.scale() > max_dp {
        return Err(ApiError::field(
            field,
            ErrorCode::TooManyDecimals,
            format!("has more than {max_dp} decimal places"),
        ));
    }
    if value < min {
        let message = if min.is_zero() {
            "must not be negative".to_string()
        } else {
            format!("must be at least {min}")
        };
        return Err(ApiError::field(field, ErrorCode::OutOfRange, message));
    }
    if let Some(max) = max
        && value > max
    {
        return Err(ApiError::field(
            field,
            ErrorCode::OutOfRange,
            format!("must be at most {max}"),
        ));
    }
    Ok(value)
}

/// A percentage between 0 and 100 with up to 2 decimals.
pub fn percent(field: &str, value: Decimal) -> Result<Decimal, ApiError> {
    decimal(field, value, 2, Decimal::ZERO, Some(Decimal::ONE_HUNDRED))
}

/// A VAT rate Kontor accepts (19, 7 or 0), without trailing zeros.
pub fn vat_rate(field: &str, value: Decimal) -> Result<VatRate, ApiError> {
    VatRate::new(value)
        .map(VatRate::normalize)
        .map_err(|e| ApiError::field(field, ErrorCode::UnknownVatRate, e.to_string()))
}

/// A UN/ECE Rec 20 unit code Kontor knows.
pub fn unit(field: &str, value: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(value)
        .map_err(|e| ApiError::field(field, ErrorCode::UnknownUnit, e.to_string()))
}

/// An ISO 4217 currency code Kontor accepts.
pub fn currency(field: &str, value: &str) -> Result<CurrencyCode, ApiError> {
    CurrencyCode::parse(value)
        .map_err(|e| ApiError::field(field, ErrorCode::UnknownCurrency, e.to_string()))
}

/// A required or optional ISO country code; an empty optional one stays empty.
pub fn country(field: &str, value: &str, required: bool) -> Result<String, ApiError> {
    let value = value.trim().to_ascii_uppercase();
    if value.is_empty() && !required {
        return Ok(value);
    }
    if !codes::is_country(&value) {
        return Err(ApiError::field(
            field,
            ErrorCode::UnknownCountry,
            "unknown country (use an ISO 3166 code such as DE)",
        ));
    }
    Ok(value)
}

/// A trimmed text of at most `max` characters; `required` refuses an empty one.
pub fn text(
    field: &str,
    value: Option<String>,
    max: usize,
    required: bool,
) -> Result<String, ApiError> {
    let value = value.unwrap_or_default().trim().to_string();
    if required && value.is_empty() {
        return Err(ApiError::field(field, ErrorCode::Required, "is required"));
    }
    if value.chars().count() > max {
        return Err(ApiError::field(
            field,
            ErrorCode::TooLong,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(value)
}

/// An optional VAT ID, upper-cased without spaces, that looks like one.
pub fn vat_id(field: &str, value: Option<String>) -> Result<Option<VatId>, ApiError> {
    optional(value, |v| {
        VatId::parse_typed(v).map_err(|e| {
            let message = match e {
                kontor_domain::VatIdError::CheckDigit => {
                    "is not a valid VAT ID: the check digit does not match (a typing error?)"
                }
                _ => "is not a plausible VAT ID (e.g. DE123456788)",
            };
            ApiError::field(field, ErrorCode::InvalidVatId, message)
        })
    })
}

/// `None` for an absent or blank text, else what `parse` makes of it.
fn optional<T>(
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, ApiError>,
) -> Result<Option<T>, ApiError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some),
    }
}

/// An optional e-mail address (only checked for an '@' between two parts).
pub fn email(field: &str, value: Option<String>) -> Result<String, ApiError> {
    let value = text(field, value, 254, false)?;
    let plausible = value
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@'));
    if !value.is_empty() && (!plausible || value.contains(char::is_whitespace)) {
        return Err(ApiError::field(
            field,
            ErrorCode::InvalidEmail,
            "is not an e-mail address",
        ));
    }
    Ok(value)
}

/// An optional IBAN, upper-cased without spaces, with a valid ISO 7064 mod-97 checksum.
pub fn iban(field: &str, value: Option<String>) -> Result<Option<Iban>, ApiError> {
    optional(value, |v| {
        Iban::parse(v).map_err(|_| {
            ApiError::field(
                field,
                ErrorCode::InvalidIban,
                "is not a valid IBAN (checksum or format wrong)",
            )
        })
    })
}

/// An optional BIC: 8 or 11 letters and digits.
pub fn bic(field: &str, value: Option<String>) -> Result<Option<Bic>, ApiError> {
    optional(value, |v| {
        Bic::parse(v).map_err(|_| {
            ApiError::field(
                field,
                ErrorCode::InvalidBic,
                "is not a BIC (8 or 11 letters and digits)",
            )
        })
    })
}

/// Payment terms in days (0 to 365, as the domain allows).
pub fn days(field: &str, value: i64) -> Result<i64, ApiError> {
    if !(0..=365).contains(&value) {
        return Err(ApiError::field(
            field,
            ErrorCode::OutOfRange,
            "must be between 0 and 365",
        ));
    }
    Ok(value)
}

/// One Skonto step as sent: `{"days": 14, "percent": "2"}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkontoInput {
    days: Option<i64>,
    percent: Option<super::json::Dec>,
}

/// Skonto steps (at most two; `0 < percent < 100` with up to 2 decimals, `0 < days`, the
/// second step longer and smaller), fields named `{field}[i].days` / `.percent`.
pub fn skonto(
    field: &str,
    steps: Vec<SkontoInput>,
) -> Result<Vec<kontor_domain::SkontoStep>, ApiError> {
    let mut out = Vec::with_capacity(steps.len());
    for (i, s) in steps.into_iter().enumerate() {
        let days = s.days.ok_or_else(|| {
            ApiError::field(
                format!("{field}[{i}].days"),
                ErrorCode::Required,
                "is required",
            )
        })?;
        let percent = s.percent.map(|d| d.0).ok_or_else(|| {
            ApiError::field(
                format!("{field}[{i}].percent"),
                ErrorCode::Required,
                "is required",
            )
        })?;
        out.push(kontor_domain::SkontoStep {
            days,
            percent: percent.normalize(),
        });
    }
    match kontor_domain::terms::skonto_problems(field, &out)
        .into_iter()
        .next()
    {
        Some((f, message)) => Err(ApiError::field(f, ErrorCode::Invalid, message)),
        None => Ok(out),
    }
}

/// An optional SEPA creditor identifier, upper-cased without spaces, with valid check digits.
pub fn creditor_id(field: &str, value: Option<String>) -> Result<String, ApiError> {
    let value: String = value
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !value.is_empty() && !kontor_domain::terms::is_valid_creditor_id(&value) {
        return Err(ApiError::field(
            field,
            ErrorCode::InvalidCreditorId,
            "is not a valid SEPA creditor identifier (e.g. DE98ZZZ09999999999)",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_ibans() {
        assert_eq!(
            iban("iban", Some("de89 3704 0044 0532 0130 00".into()))
                .ok()
                .flatten()
                .map(|i| i.to_string())
                .as_deref(),
            Some("DE89370400440532013000")
        );
        assert!(iban("iban", Some("DE89370400440532013001".into())).is_err());
        assert!(iban("iban", Some(String::new())).is_ok_and(|i| i.is_none()));
    }

    #[test]
    fn checks_emails() {
        assert!(email("e", Some("a@b.de".into())).is_ok());
        assert!(email("e", Some(String::new())).is_ok());
        assert!(email("e", Some("nope".into())).is_err());
        assert!(email("e", Some("@b".into())).is_err());
    }
}
