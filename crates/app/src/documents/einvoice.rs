//! The e-invoice view of an issued document: XRechnung in UBL and CII, and the Factur-X XML
//! that the hybrid PDF embeds.

use kontor_domain::ErrorCode;
use kontor_einvoice::{Error as EinvoiceError, Invoice, Syntax};
use kontor_storage::Document;
use kontor_storage::blobs::Artefact;

use crate::{Error, Result};

/// The e-invoice view of an issued document; `None` for drafts (no number, no snapshots).
pub fn invoice_of(doc: &Document) -> Option<Invoice<'_>> {
    Some(Invoice {
        number: doc.number.as_deref()?,
        content: &doc.content,
        totals: &doc.totals,
        seller: doc.seller.as_ref()?,
        buyer: doc.buyer.as_ref()?,
        language: doc.language,
        subject: &doc.texts.subject,
        intro_text: &doc.texts.intro_text,
        closing_text: &doc.texts.closing_text,
        preceding_number: doc.corrects_number.as_deref(),
        preceding_date: None,
    })
}

fn render_failed(doc: &Document, e: EinvoiceError) -> Error {
    Error::internal(
        ErrorCode::RenderFailed,
        format!("e-invoice XML of document {}: {e}", doc.id),
    )
}

/// The XRechnung files of record for an issued invoice, when its data allows them.
pub(super) fn artefacts(doc: &Document) -> Result<Vec<Artefact>> {
    let Some(inv) = invoice_of(doc) else {
        return Ok(Vec::new());
    };
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
/// embeds as `factur-x.xml`; `None` for drafts, documents that are no invoice, or when the
/// data does not allow a valid one (issuing names what is missing before that can happen).
pub fn facturx_xml(doc: &Document) -> Result<Option<Vec<u8>>> {
    let Some(inv) = invoice_of(doc) else {
        return Ok(None);
    };
    match kontor_einvoice::facturx_cii(&inv) {
        Ok(xml) => Ok(Some(xml)),
        Err(EinvoiceError::NotAnInvoice(_) | EinvoiceError::Incomplete(_)) => Ok(None),
        Err(e) => Err(render_failed(doc, e)),
    }
}

/// Why an issued document has no XRechnung, in words naming the missing data.
pub(super) fn why_unavailable(doc: &Document) -> String {
    match invoice_of(doc).map(|inv| kontor_einvoice::check(&inv)) {
        Some(Err(e)) => e.to_string(),
        _ => "no XRechnung was produced for this document".into(),
    }
}
