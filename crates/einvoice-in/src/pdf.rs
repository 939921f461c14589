//! Finds the e-invoice XML inside a PDF (Factur-X / ZUGFeRD / XRechnung hybrid) and checks the
//! PDF envelope.

use crate::{Checked, Format};

/// `true` when the bytes start like a PDF (the header may follow some junk, as readers allow).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Extracts and checks the embedded XML of a PDF.
pub fn check_pdf(bytes: &[u8]) -> Checked {
    let _ = bytes;
    Checked {
        format: Format::Pdf,
        invoice: None,
        xml: None,
        embedded_name: None,
        findings: Vec::new(),
    }
}
