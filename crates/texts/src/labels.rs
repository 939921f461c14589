//! The texts that name values of the domain's enums: the domain keeps its rules, the
//! catalogue their human names.

use kontor_domain::DocumentType;

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
}
