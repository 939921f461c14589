//! Value types that can only exist valid: parsed once where text enters Kontor (forms, JSON,
//! stored rows), used everywhere after. Each serialises as its plain text (a VAT rate as its
//! decimal), so the JSON and the stored data keep their shape.

mod bic;
mod currency;
mod iban;
mod leitweg_id;
mod unit;
mod vat_id;
mod vat_rate;

pub use bic::{Bic, BicError};
pub use currency::{CurrencyCode, CurrencyError};
pub use iban::{Iban, IbanError};
pub use leitweg_id::{LeitwegId, LeitwegIdError};
pub use unit::{UnitCode, UnitError};
pub use vat_id::{VatId, VatIdError};
pub use vat_rate::{VatRate, VatRateError};

/// A code as people type it, as it is kept: without any whitespace, upper-cased (VAT IDs,
/// IBANs, creditor IDs).
pub fn compact_code(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// The ISO 7064 MOD 97-10 remainder of an alphanumeric string, letters counting as 10..=35
/// (IBAN, SEPA creditor ID, Leitweg-ID). `None` for any other character.
pub(crate) fn mod97(s: &str) -> Option<u32> {
    let mut rem: u32 = 0;
    for c in s.chars() {
        let v = c.to_digit(36)?;
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

/// Serde for an optional value kept as text where "" means none: how an empty IBAN, VAT ID or
/// currency has always been written in the company profile, the contacts and the snapshots.
pub mod empty_as_none {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.collect_str(v),
            None => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let raw = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        if raw.trim().is_empty() {
            return Ok(None);
        }
        raw.parse().map(Some).map_err(serde::de::Error::custom)
    }
}

/// Serde for an optional value read back from what Kontor itself stored (the company profile,
/// the contacts, the snapshots in issued documents): "" is none, and so is a text that today's
/// rules refuse, which only rows written before a rule existed can hold (a BIC typed with a
/// wrong length into an early settings form). Reading such a row must not fail: the page that
/// shows it asks for the value again. Input from people goes through `parse_optional` instead.
pub mod stored {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::empty_as_none::serialize(value, serializer)
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        D: Deserializer<'de>,
    {
        let raw = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        Ok(raw.parse().ok())
    }
}

/// An optional value as people type it into a form or a JSON field: blank is none, anything
/// else must parse.
pub fn parse_optional<T: std::str::FromStr>(raw: &str) -> Result<Option<T>, T::Err> {
    match raw.trim() {
        "" => Ok(None),
        text => text.parse().map(Some),
    }
}

/// Implements `Display`, `FromStr`, `AsRef<str>` and text serde for a type with `as_str` and
/// `parse`.
macro_rules! text_value {
    ($ty:ident, $err:ident) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use text_value;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(with = "empty_as_none", default)]
        iban: Option<Iban>,
    }

    #[test]
    fn an_empty_text_is_none_and_back() {
        let none: Holder = serde_json::from_str(r#"{"iban": ""}"#).unwrap();
        assert_eq!(none.iban, None);
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"iban":""}"#);
        let absent: Holder = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.iban, None);
        let some: Holder =
            serde_json::from_str(r#"{"iban": "de02 1203 0000 0000 2020 51"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&some).unwrap(),
            r#"{"iban":"DE02120300000000202051"}"#
        );
        assert!(serde_json::from_str::<Holder>(r#"{"iban": "DE03120300000000202051"}"#).is_err());
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Stored {
        #[serde(with = "stored", default)]
        bic: Option<Bic>,
    }

    #[test]
    fn a_stored_value_that_no_longer_parses_reads_as_none() {
        let bad: Stored = serde_json::from_str(r#"{"bic": "COBADEFFX"}"#).unwrap();
        assert_eq!(bad.bic, None);
        let good: Stored = serde_json::from_str(r#"{"bic": "COBADEFFXXX"}"#).unwrap();
        assert_eq!(good.bic.unwrap().as_str(), "COBADEFFXXX");
        let empty: Stored = serde_json::from_str(r#"{"bic": ""}"#).unwrap();
        assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"bic":""}"#);
    }

    #[test]
    fn optional_input_is_blank_or_valid() {
        assert_eq!(parse_optional::<Iban>("  "), Ok(None));
        assert!(
            parse_optional::<Iban>("DE02120300000000202051")
                .unwrap()
                .is_some()
        );
        assert!(parse_optional::<Iban>("DE03120300000000202051").is_err());
    }

    #[test]
    fn compacts_codes() {
        assert_eq!(compact_code(" de 123 456 789 "), "DE123456789");
    }
}
