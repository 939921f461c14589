//! The unit of a line's quantity (UN/ECE Recommendation 20).

use thiserror::Error;

use super::text_value;
use crate::codes::UNITS;

/// One of the UN/ECE Rec 20 units Kontor knows ([`UNITS`]), as its code ("C62", "HUR").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(&'static str);

/// Why a text is not a unit Kontor knows.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnitError {
    /// The message the API and the forms have always shown.
    #[error("unknown unit (use a UN/ECE Rec 20 code such as C62, HUR, KGM)")]
    Unknown(String),
}

impl UnitCode {
    /// One piece ("C62"), the unit of a new line.
    pub const PIECE: UnitCode = UnitCode("C62");

    /// Parses a unit code exactly as written ("HUR").
    pub fn parse(raw: &str) -> Result<UnitCode, UnitError> {
        UNITS
            .iter()
            .find(|(c, _, _)| *c == raw)
            .map(|(c, _, _)| UnitCode(c))
            .ok_or_else(|| UnitError::Unknown(raw.to_string()))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The printed label in the given language ("de" or "en"): "Std." or "hour".
    pub fn label(self, lang: &str) -> &'static str {
        crate::codes::unit_label(self.0, lang)
    }
}

impl Default for UnitCode {
    fn default() -> Self {
        UnitCode::PIECE
    }
}

text_value!(UnitCode, UnitError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_units() {
        assert_eq!(UnitCode::parse("C62").unwrap(), UnitCode::PIECE);
        assert_eq!(UnitCode::parse("HUR").unwrap().label("de"), "Std.");
        assert_eq!(UnitCode::parse("HUR").unwrap().label("en"), "hour");
        for (code, _, _) in UNITS {
            assert_eq!(UnitCode::parse(code).unwrap().as_str(), *code);
        }
    }

    #[test]
    fn refuses_other_texts() {
        for bad in ["XYZ", "hur", "", " C62"] {
            assert!(UnitCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serialises_as_the_plain_text() {
        assert_eq!(serde_json::to_string(&UnitCode::PIECE).unwrap(), "\"C62\"");
        assert_eq!(
            serde_json::from_str::<UnitCode>("\"KGM\"")
                .unwrap()
                .as_str(),
            "KGM"
        );
        assert!(serde_json::from_str::<UnitCode>("\"XYZ\"").is_err());
    }
}
