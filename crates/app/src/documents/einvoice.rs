//! The e-invoice view of an issued document: XRechnung in UBL and CII, and the Factur-X XML
//! that the hybrid PDF embeds.

use kontor_domain::{ErrorCode, Issued};
use kontor_einvoice::{Error as EinvoiceError, Invoice, Syntax};
use kontor_storage::blobs::Artefact;

use crate::{Error, Result};

fn render_failed(doc: &Issued, e: EinvoiceError) -> Error {
    Error::internal(
        ErrorCode::RenderFailed,
        format!("e-invoice XML of document {}: {e}", doc.number),
    )
}

/// The XRechnung files of record for an issued invoice, when its data allows them.
pub(super) fn artefacts(doc: &Issued) -> Result<Vec<Artefact>> {
    let inv = Invoice::from(doc);
    let mut out = Vec::new();
    for syntax in [Syntax::Ubl, Syntax::Cii] {
        match kontor_einvoice::write(&inv, syntax) {
            Ok(xml) => out.push(Artefact {
                kind: syntax.kind().into(),
                content_type: kontor_einvoice::CONTENT_TYPE.into(),
                data: xml,
            }),
            Err(EinvoiceError::NotAnInvoice(_) | EinvoiceError::Incomplete(_)) => {}
            Err(e) => return Err(render_failed(doc, e)),
        }
    }
    Ok(out)
}

/// The Factur-X / ZUGFeRD XML (profile EN 16931) that the hybrid PDF of an issued invoice
/// embeds as `factur-x.xml`; `None` for documents that are no invoice, or when the data does
/// not allow a valid one (issuing names what is missing before that can happen).
pub fn facturx_xml(doc: &Issued) -> Result<Option<Vec<u8>>> {
    match kontor_einvoice::facturx_cii(&Invoice::from(doc)) {
        Ok(xml) => Ok(Some(xml)),
        Err(EinvoiceError::NotAnInvoice(_) | EinvoiceError::Incomplete(_)) => Ok(None),
        Err(e) => Err(render_failed(doc, e)),
    }
}

/// Why an issued document has no XRechnung, in words naming the missing data.
pub(super) fn why_unavailable(doc: &Issued) -> String {
    match kontor_einvoice::check(&Invoice::from(doc)) {
        Err(e) => e.to_string(),
        Ok(()) => "no XRechnung was produced for this document".into(),
    }
}
