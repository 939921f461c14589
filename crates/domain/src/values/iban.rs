//! The International Bank Account Number (ISO 13616).

use thiserror::Error;

use super::{compact_code, mod97, text_value};

/// An IBAN with a valid structure and ISO 7064 mod-97 checksum, kept without spaces and
/// upper-cased ("DE02120300000000202051").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

/// Why a text is not an IBAN.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IbanError {
    #[error("an IBAN has 15 to 34 characters")]
    Length,
    #[error("an IBAN has only letters and digits and starts with a country code")]
    Format,
    #[error("the IBAN's checksum is wrong")]
    Checksum,
}

impl Iban {
    /// Parses an IBAN as people type it: spaces are dropped and letters upper-cased.
    pub fn parse(raw: &str) -> Result<Iban, IbanError> {
        let s = compact_code(raw);
        if !(15..=34).contains(&s.len()) {
            return Err(IbanError::Length);
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric())
            || !s[..2].chars().all(|c| c.is_ascii_alphabetic())
            || !s[2..4].chars().all(|c| c.is_ascii_digit())
        {
            return Err(IbanError::Format);
        }
        let rearranged = format!("{}{}", &s[4..], &s[..4]);
        if mod97(&rearranged) != Some(1) {
            return Err(IbanError::Checksum);
        }
        Ok(Iban(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code ("DE").
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The IBAN in groups of four, as printed for people to read and type
    /// ("DE02 1203 0000 0000 2020 51").
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + self.0.len() / 4);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The IBAN with only its country, check digits and last four characters shown, as on a
    /// direct-debit notice ("DE02 **** 2051").
    pub fn masked(&self) -> String {
        format!("{} **** {}", &self.0[..4], &self.0[self.0.len() - 4..])
    }
}

text_value!(Iban, IbanError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_ibans_as_typed() {
        let iban = Iban::parse("DE02120300000000202051").unwrap();
        assert_eq!(iban.as_str(), "DE02120300000000202051");
        assert_eq!(iban.country(), "DE");
        assert_eq!(Iban::parse("de02 1203 0000 0000 2020 51").unwrap(), iban);
        assert_eq!(iban.to_string(), "DE02120300000000202051");
        assert_eq!(iban.grouped(), "DE02 1203 0000 0000 2020 51");
        assert_eq!(
            "DE89370400440532013000".parse::<Iban>().unwrap().masked(),
            "DE89 **** 3000"
        );
    }

    #[test]
    fn refuses_wrong_ibans() {
        assert_eq!(
            Iban::parse("DE03120300000000202051"),
            Err(IbanError::Checksum)
        );
        assert_eq!(Iban::parse("XX"), Err(IbanError::Length));
        assert_eq!(Iban::parse(""), Err(IbanError::Length));
        assert_eq!(
            Iban::parse("1202120300000000202051"),
            Err(IbanError::Format)
        );
        assert_eq!(
            Iban::parse("DE02-1203-0000-0000-2020-51"),
            Err(IbanError::Format)
        );
        assert_eq!(Iban::parse(&"D".repeat(35)), Err(IbanError::Length));
    }

    #[test]
    fn serialises_as_the_plain_text() {
        let iban = Iban::parse("DE02120300000000202051").unwrap();
        assert_eq!(
            serde_json::to_string(&iban).unwrap(),
            "\"DE02120300000000202051\""
        );
        assert_eq!(
            serde_json::from_str::<Iban>("\"de02 1203 0000 0000 2020 51\"").unwrap(),
            iban
        );
        assert!(serde_json::from_str::<Iban>("\"DE03120300000000202051\"").is_err());
    }
}
