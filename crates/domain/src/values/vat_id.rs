//! The VAT identification number (USt-IdNr.).

use thiserror::Error;

use super::{compact_code, text_value};

/// A plausible VAT ID: a two-letter country prefix and 2–13 letters or digits, kept without
/// spaces and upper-cased ("DE123456789"; Greece uses the prefix "EL").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatId(String);

/// Why a text is not a VAT ID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VatIdError {
    #[error("a VAT ID starts with a two-letter country prefix")]
    Prefix,
    #[error("a VAT ID has 2 to 13 letters or digits after its country prefix")]
    Number,
}

impl VatId {
    /// Parses a VAT ID as people type it: spaces are dropped and letters upper-cased.
    pub fn parse(raw: &str) -> Result<VatId, VatIdError> {
        let s = compact_code(raw);
        if !s
            .get(0..2)
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_uppercase()))
        {
            return Err(VatIdError::Prefix);
        }
        let rest = &s[2..];
        if !(2..=13).contains(&rest.len()) || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(VatIdError::Number);
        }
        Ok(VatId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country prefix ("DE"; "EL" for Greece).
    pub fn country_prefix(&self) -> &str {
        &self.0[..2]
    }
}

text_value!(VatId, VatIdError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plausible_ids_as_typed() {
        assert_eq!(VatId::parse("DE123456789").unwrap().as_str(), "DE123456789");
        assert_eq!(
            VatId::parse("de 123 456 789").unwrap().as_str(),
            "DE123456789"
        );
        assert_eq!(VatId::parse("ATU12345678").unwrap().country_prefix(), "AT");
        assert_eq!(
            VatId::parse("FR12345678901").unwrap().country_prefix(),
            "FR"
        );
        assert_eq!(VatId::parse("EL123456789").unwrap().country_prefix(), "EL");
    }

    #[test]
    fn refuses_implausible_ids() {
        assert_eq!(VatId::parse("123456789"), Err(VatIdError::Prefix));
        assert_eq!(VatId::parse(""), Err(VatIdError::Prefix));
        assert_eq!(VatId::parse("DE"), Err(VatIdError::Number));
        assert_eq!(VatId::parse("DE1"), Err(VatIdError::Number));
        assert_eq!(VatId::parse("DE12345678901234"), Err(VatIdError::Number));
        assert_eq!(VatId::parse("DE1234-5678"), Err(VatIdError::Number));
        assert_eq!(VatId::parse("DÉ123456789"), Err(VatIdError::Prefix));
    }

    #[test]
    fn serialises_as_the_plain_text() {
        let id = VatId::parse("DE123456789").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"DE123456789\"");
        assert_eq!(
            serde_json::from_str::<VatId>("\"de123456789\"").unwrap(),
            id
        );
    }
}
