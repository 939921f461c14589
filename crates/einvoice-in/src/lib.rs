//! E-invoices in: read what suppliers send — XRechnung UBL (Invoice, CreditNote), XRechnung
//! CII, ZUGFeRD / Factur-X (bare XML or embedded in a PDF) — into one model of the EN 16931
//! business terms ([`model::Invoice`]), and check it against the XML schema essentials, the
//! EN 16931 business rules and the XRechnung national rules, in Rust (no Java or Python at
//! run time). Every finding carries its official rule id.
//!
//! Entry point: [`check_bytes`] for any received file. Pure: no I/O, no panics on any input.
//! PDFs are parsed by [`pdf`]; callers that take files from strangers run that in an isolated
//! worker process (see the `kontor` binary), because a PDF parser is the riskiest code here.

pub mod check;
pub mod finding;
pub mod model;
pub mod pdf;
pub mod read;

pub use finding::{Finding, Severity};
pub use model::{Format, Invoice};

/// The official rule sets this checker follows; shown by `kontor einvoice check --version`.
pub const RULESET_VERSION: &str = "EN 16931 validation artefacts 1.3.15; XRechnung 3.0.x (KoSIT Schematron 2.5.0, validator configuration 2026-01-31); Factur-X / ZUGFeRD 1.09 (2.3)";

/// Largest file accepted (XML or PDF), in bytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The outcome of reading and checking one received file.
#[derive(Debug, Clone)]
pub struct Checked {
    pub format: Format,
    /// The business terms read, or `None` for a PDF without an e-invoice inside or an XML that
    /// is not well-formed.
    pub invoice: Option<Invoice>,
    /// The XML the checks ran on (for a PDF, the embedded XML; for an XML file, the file).
    pub xml: Option<Vec<u8>>,
    /// Name of the embedded XML inside a PDF (`factur-x.xml`, ...).
    pub embedded_name: Option<String>,
    pub findings: Vec<Finding>,
}

impl Checked {
    /// Valid when no finding is fatal (and there is an invoice).
    pub fn valid(&self) -> bool {
        self.invoice.is_some() && !self.findings.iter().any(|f| f.severity == Severity::Fatal)
    }
}

/// Why a file cannot be read as an e-invoice at all (the CLI's exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the file is neither XML nor PDF")]
    UnknownFormat,
    #[error("the XML is not an invoice: root element {0}")]
    NotAnInvoice(String),
}

impl ReadError {
    /// Stable code for the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "file_empty",
            ReadError::TooLarge { .. } => "file_too_large",
            ReadError::UnknownFormat => "not_an_einvoice",
            ReadError::NotAnInvoice(_) => "not_an_einvoice",
        }
    }
}

/// Reads and checks one received file: detects PDF versus XML, extracts the XML from a
/// PDF, reads the business terms and runs every check.
pub fn check_bytes(bytes: &[u8]) -> Result<Checked, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    if pdf::looks_like_pdf(bytes) {
        return Ok(pdf::check_pdf(bytes));
    }
    check::check_xml(bytes, None)
}
