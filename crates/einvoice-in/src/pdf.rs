//! Finds the e-invoice XML inside a PDF (Factur-X / ZUGFeRD / XRechnung hybrid) and checks the
//! PDF envelope.

use serde::{Deserialize, Serialize};

use crate::{Checked, Finding, Format};

/// A file embedded in the PDF, listed and never opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedFile {
    pub name: String,
    pub mime: Option<String>,
    pub size: Option<usize>,
    pub relationship: Option<String>,
}

/// What the PDF holds: the invoice XML (if any) and the envelope's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub xml: Option<Vec<u8>>,
    pub embedded_name: Option<String>,
    pub findings: Vec<Finding>,
    pub files: Vec<EmbeddedFile>,
}

/// `true` when the bytes start like a PDF (the header may follow some junk, as readers allow).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Finds the invoice XML in a PDF.
pub fn extract(bytes: &[u8]) -> Extracted {
    let _ = bytes;
    Extracted::default()
}

/// Checks what [`extract`] found.
pub fn check_extracted(extracted: Extracted) -> Checked {
    Checked {
        format: Format::Pdf,
        invoice: None,
        xml: extracted.xml,
        embedded_name: extracted.embedded_name,
        findings: extracted.findings,
    }
}

/// Extracts and checks the embedded XML of a PDF.
pub fn check_pdf(bytes: &[u8]) -> Checked {
    check_extracted(extract(bytes))
}
