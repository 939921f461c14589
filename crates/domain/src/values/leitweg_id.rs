//! The Leitweg-ID: the routing address of a German public-sector buyer, sent as the buyer
//! reference (BT-10) of an XRechnung.

use thiserror::Error;

use super::{mod97, text_value};

/// A Leitweg-ID (KoSIT format 2.0): coarse address of 2–12 digits, an optional fine address of
/// up to 30 letters and digits, and two check digits (ISO 7064 MOD 97-10), joined by hyphens
/// ("04011000-1234512345-06", "991-33333TEST-33"). Kept upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LeitwegId(String);

/// Why a text is not a Leitweg-ID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LeitwegIdError {
    #[error("a Leitweg-ID has two or three parts joined by hyphens")]
    Parts,
    #[error("a Leitweg-ID starts with 2 to 12 digits")]
    CoarseAddress,
    #[error("the middle part of a Leitweg-ID has 1 to 30 letters and digits")]
    FineAddress,
    #[error("a Leitweg-ID ends with two check digits")]
    CheckDigits,
    #[error("the Leitweg-ID's check digits are wrong")]
    Checksum,
}

impl LeitwegId {
    /// Parses a Leitweg-ID; surrounding spaces are dropped and letters upper-cased.
    pub fn parse(raw: &str) -> Result<LeitwegId, LeitwegIdError> {
        let s = raw.trim().to_uppercase();
        let parts: Vec<&str> = s.split('-').collect();
        let (coarse, fine, check) = match parts.as_slice() {
            [coarse, check] => (*coarse, "", *check),
            [coarse, fine, check] => (*coarse, *fine, *check),
            _ => return Err(LeitwegIdError::Parts),
        };
        if !(2..=12).contains(&coarse.len()) || !coarse.chars().all(|c| c.is_ascii_digit()) {
            return Err(LeitwegIdError::CoarseAddress);
        }
        if parts.len() == 3
            && (!(1..=30).contains(&fine.len()) || !fine.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(LeitwegIdError::FineAddress);
        }
        if check.len() != 2 || !check.chars().all(|c| c.is_ascii_digit()) {
            return Err(LeitwegIdError::CheckDigits);
        }
        if mod97(&format!("{coarse}{fine}{check}")) != Some(1) {
            return Err(LeitwegIdError::Checksum);
        }
        Ok(LeitwegId(s))
    }

    /// Whether a buyer reference has the full shape of a Leitweg-ID with a fine address
    /// ("04011000-12345-03": digits, letters and digits, two check digits), so that a wrong
    /// check digit is a typo rather than an order number of the buyer's own.
    pub fn is_shaped_like(raw: &str) -> bool {
        let parts: Vec<&str> = raw.trim().split('-').collect();
        matches!(parts.as_slice(), [coarse, fine, check]
            if (2..=12).contains(&coarse.len())
                && coarse.chars().all(|c| c.is_ascii_digit())
                && !fine.is_empty()
                && fine.chars().all(|c| c.is_ascii_alphanumeric())
                && check.len() == 2
                && check.chars().all(|c| c.is_ascii_digit()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_value!(LeitwegId, LeitwegIdError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_published_examples() {
        assert_eq!(
            LeitwegId::parse("04011000-1234512345-06").unwrap().as_str(),
            "04011000-1234512345-06"
        );
        assert_eq!(
            LeitwegId::parse(" 991-33333test-33 ").unwrap().as_str(),
            "991-33333TEST-33"
        );
    }

    #[test]
    fn refuses_malformed_ids() {
        use LeitwegIdError::*;
        assert_eq!(LeitwegId::parse(""), Err(Parts));
        assert_eq!(LeitwegId::parse("04011000"), Err(Parts));
        assert_eq!(LeitwegId::parse("1-2-3-4"), Err(Parts));
        assert_eq!(LeitwegId::parse("0A011000-12345-06"), Err(CoarseAddress));
        assert_eq!(LeitwegId::parse("4-12345-06"), Err(CoarseAddress));
        assert_eq!(LeitwegId::parse("04011000--06"), Err(FineAddress));
        assert_eq!(LeitwegId::parse("04011000-12_45-06"), Err(FineAddress));
        assert_eq!(LeitwegId::parse("04011000-1234512345-6"), Err(CheckDigits));
        assert_eq!(LeitwegId::parse("04011000-1234512345-07"), Err(Checksum));
        assert_eq!(LeitwegId::parse("991-33333TEST-34"), Err(Checksum));
    }

    #[test]
    fn serialises_as_the_plain_text() {
        let id = LeitwegId::parse("991-33333TEST-33").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"991-33333TEST-33\"");
        assert_eq!(
            serde_json::from_str::<LeitwegId>("\"991-33333TEST-33\"").unwrap(),
            id
        );
    }
}
