//! The VAT rate of a line or an article, in percent.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A German VAT rate Kontor accepts, as an exact percent: 19 % (standard), 7 % (reduced) or
/// 0 % (zero-rated in the standard tax mode). The decimal is kept as written ("19" or "19.00"),
/// so that stored and sent values keep their text; rates compare by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatRate(Decimal);

/// Why a number or text is not a VAT rate Kontor accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VatRateError {
    #[error("not a number: {0:?}")]
    NotANumber(String),
    /// The message the API and the forms have always shown.
    #[error("unknown VAT rate (allowed: 19, 7, 0)")]
    NotAllowed(Decimal),
}

impl VatRate {
    /// The German standard rate, 19 % (§ 12 (1) UStG): the default of new lines and articles.
    pub const STANDARD: VatRate = VatRate(Decimal::from_parts(19, 0, 0, false, 0));
    /// The German reduced rate, 7 % (§ 12 (2) UStG).
    pub const REDUCED: VatRate = VatRate(Decimal::from_parts(7, 0, 0, false, 0));
    /// Zero-rated.
    pub const ZERO: VatRate = VatRate(Decimal::ZERO);
    /// Every rate Kontor accepts, highest first.
    pub const ALL: [VatRate; 3] = [VatRate::STANDARD, VatRate::REDUCED, VatRate::ZERO];

    /// The rate `percent`, if it is one Kontor accepts.
    pub fn new(percent: Decimal) -> Result<VatRate, VatRateError> {
        if VatRate::ALL.iter().any(|r| r.0 == percent) {
            Ok(VatRate(percent))
        } else {
            Err(VatRateError::NotAllowed(percent))
        }
    }

    /// Parses a rate written as a decimal with a point ("19", "7.00").
    pub fn parse(raw: &str) -> Result<VatRate, VatRateError> {
        let percent =
            Decimal::from_str(raw.trim()).map_err(|_| VatRateError::NotANumber(raw.to_string()))?;
        VatRate::new(percent)
    }

    /// The rate in percent, as written.
    pub fn percent(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The same rate without trailing zeros ("19.00" → "19").
    pub fn normalize(self) -> VatRate {
        VatRate(self.0.normalize())
    }
}

impl Default for VatRate {
    fn default() -> Self {
        VatRate::STANDARD
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for VatRate {
    type Err = VatRateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VatRate::parse(s)
    }
}

impl From<VatRate> for Decimal {
    fn from(rate: VatRate) -> Decimal {
        rate.0
    }
}

impl TryFrom<Decimal> for VatRate {
    type Error = VatRateError;
    fn try_from(percent: Decimal) -> Result<Self, Self::Error> {
        VatRate::new(percent)
    }
}

/// Serialised exactly as the decimal it holds (a JSON string such as "19").
impl Serialize for VatRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for VatRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        VatRate::new(<Decimal as Deserialize>::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn accepts_the_german_rates() {
        assert_eq!(VatRate::new(dec!(19)).unwrap(), VatRate::STANDARD);
        assert_eq!(VatRate::new(dec!(19.00)).unwrap(), VatRate::STANDARD);
        assert_eq!(VatRate::new(dec!(7)).unwrap(), VatRate::REDUCED);
        assert!(VatRate::new(dec!(0)).unwrap().is_zero());
        assert_eq!(VatRate::STANDARD.percent(), dec!(19));
        assert_eq!(VatRate::REDUCED.percent(), dec!(7));
        assert_eq!(VatRate::parse(" 7.0 ").unwrap(), VatRate::REDUCED);
        assert_eq!(VatRate::default(), VatRate::STANDARD);
    }

    #[test]
    fn refuses_other_rates() {
        for bad in [dec!(16), dec!(-19), dec!(100), dec!(19.01), dec!(5)] {
            assert_eq!(VatRate::new(bad), Err(VatRateError::NotAllowed(bad)));
        }
        assert!(matches!(
            VatRate::parse("19 %"),
            Err(VatRateError::NotANumber(_))
        ));
        assert!(matches!(
            VatRate::parse(""),
            Err(VatRateError::NotANumber(_))
        ));
    }

    #[test]
    fn keeps_the_written_form() {
        let written = VatRate::new(dec!(19.00)).unwrap();
        assert_eq!(written.to_string(), "19.00");
        assert_eq!(written.normalize().to_string(), "19");
        assert_eq!(serde_json::to_string(&written).unwrap(), "\"19.00\"");
        assert_eq!(serde_json::to_string(&VatRate::STANDARD).unwrap(), "\"19\"");
        assert_eq!(
            serde_json::from_str::<VatRate>("\"7\"").unwrap(),
            VatRate::REDUCED
        );
        assert_eq!(
            serde_json::from_str::<VatRate>("19").unwrap(),
            VatRate::STANDARD
        );
        assert!(serde_json::from_str::<VatRate>("\"16\"").is_err());
    }
}
