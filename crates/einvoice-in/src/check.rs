//! The checks: XML schema essentials, EN 16931 business rules, XRechnung CIUS, and Kontor's
//! own arithmetic re-check.

use crate::{Checked, ReadError};

/// Where an XML came from when it was not a file of its own.
#[derive(Debug, Clone, Default)]
pub struct Container {
    /// Name of the embedded file inside the PDF.
    pub embedded_name: String,
}

/// Reads and checks one XML document.
pub fn check_xml(bytes: &[u8], container: Option<&Container>) -> Result<Checked, ReadError> {
    let _ = (bytes, container);
    Err(ReadError::UnknownFormat)
}
