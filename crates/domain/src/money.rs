//! Exact decimal money helpers: EN 16931 rounding and parsing of user input.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Rounds to 2 decimals, half away from zero (commercial rounding, as EN 16931 expects).
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Why a decimal string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("is not a decimal number (use digits with a dot, e.g. \"12.50\")")]
    NotANumber,
    #[error("has more than {0} decimal places")]
    TooManyDecimals(u32),
    #[error("must not be negative")]
    Negative,
    #[error("is too large")]
    TooLarge,
}

/// Parses a decimal string such as `"12.5"` strictly: plain digits, optional sign and dot,
/// no exponent, no thousands separators, at most `max_dp` decimal places.
pub fn parse_decimal(
    input: &str,
    max_dp: u32,
    allow_negative: bool,
) -> Result<Decimal, DecimalError> {
    let s = input.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    let valid = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if !valid {
        return Err(DecimalError::NotANumber);
    }
    if digits.split('.').next().map(str::len).unwrap_or(0) > 15 {
        return Err(DecimalError::TooLarge);
    }
    let value = Decimal::from_str(s).map_err(|_| DecimalError::NotANumber)?;
    if value.scale() > max_dp && value.normalize().scale() > max_dp {
        return Err(DecimalError::TooManyDecimals(max_dp));
    }
    if value.is_sign_negative() && !value.is_zero() && !allow_negative {
        return Err(DecimalError::Negative);
    }
    Ok(value.normalize())
}

/// Formats an amount with exactly two decimals, as the API and e-invoices show money.
pub fn fmt2(value: Decimal) -> String {
    format!("{:.2}", round2(value))
}

/// Converts a 2-decimal amount to integer cents for storage (sums stay exact in SQL).
pub fn to_cents(value: Decimal) -> i64 {
    let cents = round2(value) * Decimal::ONE_HUNDRED;
    i64::try_from(cents).unwrap_or(i64::MAX)
}

/// Converts integer cents from storage back to a decimal amount.
pub fn from_cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round2(dec!(0.125)), dec!(0.13));
        assert_eq!(round2(dec!(0.124)), dec!(0.12));
        assert_eq!(round2(dec!(-0.125)), dec!(-0.13));
        assert_eq!(round2(dec!(11.3943)), dec!(11.39));
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(parse_decimal("2.5", 4, false), Ok(dec!(2.5)));
        assert_eq!(parse_decimal("85.0000", 4, false), Ok(dec!(85)));
        assert_eq!(
            parse_decimal("1e3", 4, false),
            Err(DecimalError::NotANumber)
        );
        assert_eq!(
            parse_decimal("1,5", 4, false),
            Err(DecimalError::NotANumber)
        );
        assert_eq!(parse_decimal("", 4, false), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal(".5", 4, false), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal("-1", 4, false), Err(DecimalError::Negative));
        assert_eq!(parse_decimal("-1", 4, true), Ok(dec!(-1)));
        assert_eq!(
            parse_decimal("1.23456", 4, false),
            Err(DecimalError::TooManyDecimals(4))
        );
        assert_eq!(parse_decimal("1.23450", 4, false), Ok(dec!(1.2345)));
        assert_eq!(
            parse_decimal("9999999999999999", 4, false),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn cents_round_trip() {
        assert_eq!(to_cents(dec!(76.70)), 7670);
        assert_eq!(from_cents(7670), dec!(76.70));
        assert_eq!(fmt2(dec!(5)), "5.00");
    }
}
