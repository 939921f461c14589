//! German tax cases and the VAT categories, rates and legal notes they force.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The tax treatment of a whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    /// Domestic supply with German VAT (19 %, 7 %, or 0 % zero-rated).
    Standard,
    /// Kleinunternehmer, § 19 UStG: no VAT is shown.
    SmallBusiness,
    /// Steuerschuldnerschaft des Leistungsempfängers, § 13b UStG.
    ReverseCharge,
    /// Tax-exempt intra-community supply, § 4 Nr. 1b / § 6a UStG.
    IntraEu,
    /// Tax-exempt export, § 4 Nr. 1a / § 6 UStG.
    Export,
}

impl TaxMode {
    pub const ALL: [TaxMode; 5] = [
        TaxMode::Standard,
        TaxMode::SmallBusiness,
        TaxMode::ReverseCharge,
        TaxMode::IntraEu,
        TaxMode::Export,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxMode::Standard => "standard",
            TaxMode::SmallBusiness => "small_business",
            TaxMode::ReverseCharge => "reverse_charge",
            TaxMode::IntraEu => "intra_eu",
            TaxMode::Export => "export",
        }
    }

    pub fn parse(s: &str) -> Option<TaxMode> {
        TaxMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The VAT category a line at `rate` gets under this mode (EN 16931 BT-151).
    pub fn category(self, rate: Decimal) -> VatCategory {
        match self {
            TaxMode::Standard if rate.is_zero() => VatCategory::ZeroRated,
            TaxMode::Standard => VatCategory::Standard,
            TaxMode::SmallBusiness => VatCategory::Exempt,
            TaxMode::ReverseCharge => VatCategory::ReverseCharge,
            TaxMode::IntraEu => VatCategory::IntraCommunity,
            TaxMode::Export => VatCategory::Export,
        }
    }

    /// Whether lines keep their own VAT rate (only the standard mode charges VAT).
    pub fn charges_vat(self) -> bool {
        self == TaxMode::Standard
    }

    /// The rate a line effectively carries: its own in the standard mode, 0 otherwise.
    pub fn effective_rate(self, line_rate: Decimal) -> Decimal {
        if self.charges_vat() {
            line_rate
        } else {
            Decimal::ZERO
        }
    }

    /// The legally required note on the document, in the document's language.
    pub fn legal_note(self, lang: &str) -> Option<&'static str> {
        let en = lang == "en";
        match self {
            TaxMode::Standard => None,
            TaxMode::SmallBusiness => Some(if en {
                "According to § 19 UStG (German VAT Act), no VAT is charged (small business)."
            } else {
                "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
            }),
            TaxMode::ReverseCharge => Some(if en {
                "Reverse charge: the recipient of the service is liable for VAT (§ 13b UStG)."
            } else {
                "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)."
            }),
            TaxMode::IntraEu => Some(if en {
                "Tax-exempt intra-community supply (§ 4 No. 1b in conjunction with § 6a UStG)."
            } else {
                "Steuerfreie innergemeinschaftliche Lieferung (§ 4 Nr. 1b i. V. m. § 6a UStG)."
            }),
            TaxMode::Export => Some(if en {
                "Tax-exempt export delivery (§ 4 No. 1a in conjunction with § 6 UStG)."
            } else {
                "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1a i. V. m. § 6 UStG)."
            }),
        }
    }
}

/// EN 16931 VAT category codes (UNTDID 5305 subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VatCategory {
    #[serde(rename = "S")]
    Standard,
    #[serde(rename = "Z")]
    ZeroRated,
    #[serde(rename = "E")]
    Exempt,
    #[serde(rename = "AE")]
    ReverseCharge,
    #[serde(rename = "K")]
    IntraCommunity,
    #[serde(rename = "G")]
    Export,
}

impl VatCategory {
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::ZeroRated => "Z",
            VatCategory::Exempt => "E",
            VatCategory::ReverseCharge => "AE",
            VatCategory::IntraCommunity => "K",
            VatCategory::Export => "G",
        }
    }

    pub fn parse(code: &str) -> Option<VatCategory> {
        [
            VatCategory::Standard,
            VatCategory::ZeroRated,
            VatCategory::Exempt,
            VatCategory::ReverseCharge,
            VatCategory::IntraCommunity,
            VatCategory::Export,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn modes_force_categories() {
        assert_eq!(TaxMode::Standard.category(dec!(19)), VatCategory::Standard);
        assert_eq!(TaxMode::Standard.category(dec!(0)), VatCategory::ZeroRated);
        assert_eq!(
            TaxMode::SmallBusiness.category(dec!(19)),
            VatCategory::Exempt
        );
        assert_eq!(
            TaxMode::ReverseCharge.category(dec!(19)),
            VatCategory::ReverseCharge
        );
        assert_eq!(
            TaxMode::IntraEu.category(dec!(7)),
            VatCategory::IntraCommunity
        );
        assert_eq!(TaxMode::Export.category(dec!(7)), VatCategory::Export);
        assert_eq!(TaxMode::Export.effective_rate(dec!(19)), dec!(0));
    }

    #[test]
    fn every_exempt_mode_has_a_note_in_both_languages() {
        for mode in TaxMode::ALL {
            assert_eq!(mode.legal_note("de").is_some(), mode != TaxMode::Standard);
            assert_eq!(mode.legal_note("en").is_some(), mode != TaxMode::Standard);
        }
        assert!(
            TaxMode::SmallBusiness
                .legal_note("de")
                .unwrap()
                .contains("§ 19 UStG")
        );
        assert!(
            TaxMode::ReverseCharge
                .legal_note("de")
                .unwrap()
                .contains("Steuerschuldnerschaft des Leistungsempfängers")
        );
        assert!(
            TaxMode::Export
                .legal_note("de")
                .unwrap()
                .contains("Ausfuhrlieferung")
        );
    }

    #[test]
    fn rates() {
        assert_eq!(TaxMode::parse("intra_eu"), Some(TaxMode::IntraEu));
        assert_eq!(TaxMode::parse("foo"), None);
    }
}
