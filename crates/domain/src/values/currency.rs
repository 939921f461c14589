//! The ISO 4217 currency of a document.

use thiserror::Error;

use super::text_value;
use crate::codes::CURRENCIES;

/// One of the ISO 4217 currencies Kontor accepts on documents ([`CURRENCIES`]), as its
/// three-letter code ("EUR").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode(&'static str);

/// Why a text is not a currency Kontor accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CurrencyError {
    /// The message the API has always shown.
    #[error("unknown currency (use an ISO 4217 code such as EUR)")]
    Unknown(String),
}

impl CurrencyCode {
    /// The euro, Kontor's home currency.
    pub const EUR: CurrencyCode = CurrencyCode("EUR");

    /// Parses a currency code as people type it ("EUR", " eur").
    pub fn parse(raw: &str) -> Result<CurrencyCode, CurrencyError> {
        let code = raw.trim().to_uppercase();
        CURRENCIES
            .iter()
            .find(|c| **c == code)
            .map(|c| CurrencyCode(c))
            .ok_or_else(|| CurrencyError::Unknown(raw.to_string()))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    pub fn is_eur(self) -> bool {
        self == CurrencyCode::EUR
    }
}

impl Default for CurrencyCode {
    fn default() -> Self {
        CurrencyCode::EUR
    }
}

text_value!(CurrencyCode, CurrencyError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_accepted_currencies() {
        assert_eq!(CurrencyCode::parse("EUR").unwrap(), CurrencyCode::EUR);
        assert!(CurrencyCode::parse("CHF").is_ok_and(|c| !c.is_eur() && c.as_str() == "CHF"));
        for code in CURRENCIES {
            assert_eq!(CurrencyCode::parse(code).unwrap().as_str(), *code);
        }
    }

    #[test]
    fn refuses_other_texts() {
        for bad in ["EURO", "E UR", "", "XXX"] {
            assert!(CurrencyCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(CurrencyCode::parse(" eur").unwrap(), CurrencyCode::EUR);
    }

    #[test]
    fn serialises_as_the_plain_text() {
        assert_eq!(
            serde_json::to_string(&CurrencyCode::EUR).unwrap(),
            "\"EUR\""
        );
        assert_eq!(
            serde_json::from_str::<CurrencyCode>("\"USD\"")
                .unwrap()
                .as_str(),
            "USD"
        );
        assert!(serde_json::from_str::<CurrencyCode>("\"EURO\"").is_err());
    }
}
