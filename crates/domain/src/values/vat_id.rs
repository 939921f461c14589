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
    #[error("the check digit does not match (a typing error?)")]
    CheckDigit,
}

/// The countries whose VAT IDs are checked by their check digits when typed in (Germany and
/// the neighbours Kontor's users trade with most). Other countries' IDs are checked for their
/// shape only.
pub const CHECKED_COUNTRIES: [&str; 6] = ["DE", "AT", "FR", "NL", "IT", "ES"];

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

    /// Parses a VAT ID that a person types in: [`VatId::parse`] plus the check digits of the
    /// [`CHECKED_COUNTRIES`]. Stored and received IDs are read with `parse` alone, so that an
    /// ID accepted before is never lost.
    pub fn parse_typed(raw: &str) -> Result<VatId, VatIdError> {
        let id = VatId::parse(raw)?;
        id.check_digits()?;
        Ok(id)
    }

    /// Checks the country's check-digit rule (ISO 7064 for DE, Luhn variants for AT and IT,
    /// SIREN key for FR, mod 11/97 for NL, the NIF/CIF rules for ES) with the
    /// `vat_id_validator` crate; IDs of other countries pass.
    pub fn check_digits(&self) -> Result<(), VatIdError> {
        let prefix = self.country_prefix();
        if !CHECKED_COUNTRIES.contains(&prefix) {
            return Ok(());
        }
        if vat_id_validator::check_vat_by_country(&self.0, prefix).is_valid {
            Ok(())
        } else {
            Err(VatIdError::CheckDigit)
        }
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
    fn typed_ids_are_checked_by_their_check_digits() {
        for valid in [
            "DE123456788",
            "DE 811 128 135",
            "ATU13585627",
            "FR40303265045",
            "NL004495445B01",
            "IT00743110157",
            "ESA28017895",
            "ES12345678Z",
            "BE0123456789",
        ] {
            assert!(VatId::parse_typed(valid).is_ok(), "{valid}");
        }
        for typo in [
            "DE123456789",
            "ATU13585628",
            "FR40303265046",
            "NL004495446B01",
            "IT00743110158",
            "ES12345678A",
        ] {
            assert_eq!(
                VatId::parse_typed(typo),
                Err(VatIdError::CheckDigit),
                "{typo}"
            );
            assert!(
                VatId::parse(typo).is_ok(),
                "{typo} stays readable when stored"
            );
        }
    }

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
