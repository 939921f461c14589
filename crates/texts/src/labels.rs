//! The texts that name values of the domain's enums: the domain keeps its rules, the
//! catalogue their human names.

use kontor_domain::{DocumentType, VatCategory};

use crate::Msg;

impl Msg {
    /// The name of a document type ("Rechnung", "Invoice").
    pub fn doc_type(t: DocumentType) -> Msg {
        match t {
            DocumentType::Quote => Msg::DocTypeQuote,
            DocumentType::OrderConfirmation => Msg::DocTypeOrderConfirmation,
            DocumentType::DeliveryNote => Msg::DocTypeDeliveryNote,
            DocumentType::Invoice => Msg::DocTypeInvoice,
            DocumentType::DownPaymentInvoice => Msg::DocTypeDownPaymentInvoice,
            DocumentType::CreditNote => Msg::DocTypeCreditNote,
            DocumentType::Cancellation => Msg::DocTypeCancellation,
        }
    }

    /// The name of a unit code for pickers ("HUR" → "Stunde"); `None` for a code Kontor
    /// does not know.
    pub fn unit_name(code: &str) -> Option<Msg> {
        Msg::from_key(&format!("unit.{}", code.to_ascii_lowercase()))
    }

    /// What a VAT group is, in words, where the rate alone does not say it (the standard
    /// category needs no words: "USt 19 %").
    pub fn vat_category(c: VatCategory) -> Option<Msg> {
        match c {
            VatCategory::Standard => None,
            VatCategory::ZeroRated => Some(Msg::VatZeroRate),
            VatCategory::Exempt => Some(Msg::TaxSmallBusiness),
            VatCategory::ReverseCharge => Some(Msg::TaxReverseCharge),
            VatCategory::IntraCommunity => Some(Msg::TaxIntraEu),
            VatCategory::Export => Some(Msg::TaxExport),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_type_has_its_own_name() {
        let names: std::collections::HashSet<_> = DocumentType::ALL
            .into_iter()
            .map(|t| Msg::doc_type(t).key())
            .collect();
        assert_eq!(names.len(), DocumentType::ALL.len());
        for t in DocumentType::ALL {
            assert_eq!(Msg::doc_type(t).key(), format!("doc_type.{}", t.as_str()));
        }
    }

    #[test]
    fn every_unit_has_a_name_in_words() {
        let mut names = std::collections::HashSet::new();
        for (code, _, _) in kontor_domain::codes::UNITS {
            let msg = Msg::unit_name(code).unwrap_or_else(|| panic!("{code} has no name"));
            for lang in [crate::Language::De, crate::Language::En] {
                let name = msg.text(lang);
                assert_ne!(name, *code, "{code} is named by its code");
                assert!(
                    names.insert((lang, name)),
                    "two units are both called {name}"
                );
            }
        }
        assert_eq!(
            Msg::unit_name("HUR").map(|m| m.text(crate::Language::De)),
            Some("Stunde")
        );
        assert_eq!(Msg::unit_name("XYZ"), None);
    }
}
