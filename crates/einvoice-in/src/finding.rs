//! A finding of the checker: one broken (or noteworthy) rule, with its official id.

use serde::{Deserialize, Serialize};

/// How bad a finding is. `Fatal` makes the invoice invalid (the official validator's
/// "error" / "fatal" flag); `Warning` and `Info` do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fatal,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding. `rule` is the official id (`BR-CO-15`, `BR-DE-17`, `PEPPOL-EN16931-R001`,
/// `XSD`, `XML-WELLFORMED`, `PROFILE`, `FX-PDF-AF`, ...) or a Kontor id for the arithmetic
/// re-check (`KONTOR-CALC-…`). `location` is a path to the element (e.g.
/// `/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount`) or empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub location: String,
    /// The message in German and in English.
    pub message_de: String,
    pub message_en: String,
}
