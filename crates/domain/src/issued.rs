//! Drafts and issued documents as two types, and what a renderer prints: an issued document
//! with the parties as they were at issue, or a draft previewed with today's parties.
//!
//! An issued document always has its number, the seller and buyer snapshots and the time of
//! issue; a draft has none of them. Code that needs an issued document takes [`Issued`], so
//! it cannot be handed a draft by accident.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::document::DocumentContent;
use crate::party::{CompanyProfile, ContactData, Language};
use crate::totals::{self, Totals};

/// A document number as assigned at issue (e.g. `RE-2026-0001`, EN 16931 BT-1): not empty,
/// without surrounding spaces or control characters, at most [`DocumentNumber::MAX_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocumentNumber(String);

/// Why a text is no document number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("a document number cannot be empty")]
    Empty,
    #[error(
        "a document number has at most {} characters",
        DocumentNumber::MAX_CHARS
    )]
    TooLong,
    #[error("a document number cannot hold control characters")]
    ControlCharacter,
}

impl DocumentNumber {
    /// Number patterns have at most 40 characters; the counter and the customer number may
    /// make the number longer, but never this long.
    pub const MAX_CHARS: usize = 128;

    /// Parses a number, trimming surrounding whitespace.
    pub fn parse(s: &str) -> Result<DocumentNumber, NumberError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(NumberError::Empty);
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(NumberError::TooLong);
        }
        if s.chars().any(char::is_control) {
            return Err(NumberError::ControlCharacter);
        }
        Ok(DocumentNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DocumentNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocumentNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The texts around the lines: subject, the text before and the text after them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub subject: String,
    pub intro: String,
    pub closing: String,
}

/// The invoice a correction refers to (EN 16931 BG-3): its number and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preceding {
    pub number: DocumentNumber,
    pub date: NaiveDate,
}

/// A document that may still change: no number, no parties of its own yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub content: DocumentContent,
    pub totals: Totals,
    pub language: Language,
    pub texts: Texts,
    /// For a draft credit note: the issued invoice it corrects.
    pub preceding: Option<Preceding>,
}

impl Draft {
    /// A draft with the totals of its content.
    pub fn new(content: DocumentContent, language: Language, texts: Texts) -> Draft {
        Draft {
            totals: totals::compute(&content),
            content,
            language,
            texts,
            preceding: None,
        }
    }
}

/// A document as issued: numbered, with the seller and buyer as they were at issue. It never
/// changes (GoBD); corrections are new documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    pub number: DocumentNumber,
    pub content: DocumentContent,
    pub totals: Totals,
    pub language: Language,
    pub texts: Texts,
    pub seller: CompanyProfile,
    pub buyer: ContactData,
    /// For credit notes and cancellations: the corrected invoice.
    pub preceding: Option<Preceding>,
    pub issued_at: DateTime<Utc>,
}

/// What a PDF is rendered from: an issued document, or a draft previewed with the seller and
/// buyer as they are now (the PDF then carries the draft marking).
#[derive(Debug, Clone, Copy)]
pub enum Printable<'a> {
    Issued(&'a Issued),
    Preview {
        draft: &'a Draft,
        seller: &'a CompanyProfile,
        buyer: &'a ContactData,
    },
}

impl<'a> Printable<'a> {
    /// Whether this is a draft preview (watermarked, not archival).
    pub fn is_draft(&self) -> bool {
        matches!(self, Printable::Preview { .. })
    }
    /// The number; `None` for a draft.
    pub fn number(&self) -> Option<&'a DocumentNumber> {
        match self {
            Printable::Issued(doc) => Some(&doc.number),
            Printable::Preview { .. } => None,
        }
    }
    pub fn content(&self) -> &'a DocumentContent {
        match self {
            Printable::Issued(doc) => &doc.content,
            Printable::Preview { draft, .. } => &draft.content,
        }
    }
    pub fn totals(&self) -> &'a Totals {
        match self {
            Printable::Issued(doc) => &doc.totals,
            Printable::Preview { draft, .. } => &draft.totals,
        }
    }
    pub fn language(&self) -> Language {
        match self {
            Printable::Issued(doc) => doc.language,
            Printable::Preview { draft, .. } => draft.language,
        }
    }
    pub fn texts(&self) -> &'a Texts {
        match self {
            Printable::Issued(doc) => &doc.texts,
            Printable::Preview { draft, .. } => &draft.texts,
        }
    }
    pub fn seller(&self) -> &'a CompanyProfile {
        match self {
            Printable::Issued(doc) => &doc.seller,
            Printable::Preview { seller, .. } => seller,
        }
    }
    pub fn buyer(&self) -> &'a ContactData {
        match self {
            Printable::Issued(doc) => &doc.buyer,
            Printable::Preview { buyer, .. } => buyer,
        }
    }
    pub fn preceding(&self) -> Option<&'a Preceding> {
        match self {
            Printable::Issued(doc) => doc.preceding.as_ref(),
            Printable::Preview { draft, .. } => draft.preceding.as_ref(),
        }
    }
}

impl<'a> From<&'a Issued> for Printable<'a> {
    fn from(doc: &'a Issued) -> Self {
        Printable::Issued(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_parsed_once_and_trimmed() {
        assert_eq!(
            DocumentNumber::parse("  RE-2026-0001 ").map(|n| n.to_string()),
            Ok("RE-2026-0001".to_string())
        );
        assert_eq!(DocumentNumber::parse("   "), Err(NumberError::Empty));
        assert_eq!(
            DocumentNumber::parse("RE\n1"),
            Err(NumberError::ControlCharacter)
        );
        let long = "9".repeat(DocumentNumber::MAX_CHARS + 1);
        assert_eq!(DocumentNumber::parse(&long), Err(NumberError::TooLong));
        assert!(DocumentNumber::parse(&long[1..]).is_ok());
    }

    #[test]
    fn numbers_deserialise_only_valid() {
        let n: DocumentNumber = serde_json::from_str("\"AN-1\"").expect("valid");
        assert_eq!(n.as_str(), "AN-1");
        assert_eq!(serde_json::to_string(&n).expect("serialise"), "\"AN-1\"");
        assert!(serde_json::from_str::<DocumentNumber>("\"\"").is_err());
    }
}
