//! The Business Identifier Code of a bank (ISO 9362, "SWIFT code").

use thiserror::Error;

use super::{compact_code, text_value};

/// A BIC: 8 or 11 letters and digits, upper-cased ("COBADEFFXXX").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bic(String);

/// Why a text is not a BIC.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BicError {
    #[error("a BIC has 8 or 11 letters and digits")]
    Format,
}

impl Bic {
    /// Parses a BIC as people type it ("COBA DE FF XXX"): spaces are dropped and letters
    /// upper-cased.
    pub fn parse(raw: &str) -> Result<Bic, BicError> {
        let s = compact_code(raw);
        if !matches!(s.len(), 8 | 11) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(BicError::Format);
        }
        Ok(Bic(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_value!(Bic, BicError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_eight_or_eleven_characters() {
        assert_eq!(Bic::parse(" cobadeffxxx ").unwrap().as_str(), "COBADEFFXXX");
        assert_eq!(Bic::parse("COBADEFF").unwrap().to_string(), "COBADEFF");
        assert_eq!(
            Bic::parse("COBA DE FF XXX").unwrap().as_str(),
            "COBADEFFXXX"
        );
    }

    #[test]
    fn refuses_other_lengths_and_characters() {
        for bad in [
            "",
            "COBADEF",
            "COBADEFFXX",
            "COBADEFFXXXX",
            "COBA-DEFF",
            "COBA DEF",
        ] {
            assert_eq!(Bic::parse(bad), Err(BicError::Format), "{bad}");
        }
    }

    #[test]
    fn serialises_as_the_plain_text() {
        let bic = Bic::parse("COBADEFFXXX").unwrap();
        assert_eq!(serde_json::to_string(&bic).unwrap(), "\"COBADEFFXXX\"");
        assert_eq!(serde_json::from_str::<Bic>("\"cobadeffxxx\"").unwrap(), bic);
        assert!(serde_json::from_str::<Bic>("\"nope\"").is_err());
    }
}
