//! Readers from UBL and CII into [`crate::model::Invoice`], plus what both share: decoding the
//! bytes to text, the XRechnung Skonto convention and BG-24 attachments.

pub mod cii;
pub mod ubl;
pub mod xml;

use crate::model::{Attachment, Invoice, Skonto};
use base64::Engine;
use rust_decimal::Decimal;
use std::borrow::Cow;
use xml::{N, attr, text};

/// The XML vocabularies the checker knows, by root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    UblInvoice,
    UblCreditNote,
    Cii,
    /// ZUGFeRD 1.0 `CrossIndustryDocument`: recognised, not an EN 16931 syntax.
    Zugferd1,
}

impl Syntax {
    /// Recognises the root element; `None` for anything that is not an invoice.
    pub fn of(root: N<'_>) -> Option<Syntax> {
        let tag = root.tag_name();
        match (tag.namespace().unwrap_or(""), tag.name()) {
            (xml::NS_UBL_INVOICE, "Invoice") => Some(Syntax::UblInvoice),
            (xml::NS_UBL_CREDITNOTE, "CreditNote") => Some(Syntax::UblCreditNote),
            (xml::NS_RSM, "CrossIndustryInvoice") => Some(Syntax::Cii),
            (xml::NS_ZF1, "CrossIndustryDocument") => Some(Syntax::Zugferd1),
            _ => None,
        }
    }

    pub fn is_ubl(self) -> bool {
        matches!(self, Syntax::UblInvoice | Syntax::UblCreditNote)
    }
}

/// Reads the business terms of a recognised document (ZUGFeRD 1.0 gives only its header).
pub fn read(root: N<'_>, syntax: Syntax) -> Invoice {
    match syntax {
        Syntax::UblInvoice | Syntax::UblCreditNote => ubl::read(root),
        Syntax::Cii => cii::read(root),
        Syntax::Zugferd1 => Invoice {
            number: xml::t(root, "rsm:HeaderExchangedDocument/ram:ID").or_else(|| {
                root.descendants()
                    .find(|n| n.tag_name().name() == "HeaderExchangedDocument")
                    .and_then(|h| h.children().find(|c| c.tag_name().name() == "ID"))
                    .and_then(text)
            }),
            ..Invoice::default()
        },
    }
}

/// Decodes the bytes of an XML document to text: UTF-8 (a BOM is stripped), UTF-16 with a
/// BOM, or ISO-8859-1 / windows-1252 when the declaration says so. `None` when the bytes
/// are not text in the declared encoding.
pub fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).ok().map(Cow::Borrowed);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let le = bytes.starts_with(b"\xFF\xFE");
        let units: Vec<u16> = bytes
            .get(2..)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            })
            .collect();
        return String::from_utf16(&units).ok().map(Cow::Owned);
    }
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let latin1 = head.starts_with("<?xml")
        && head
            .split("?>")
            .next()
            .is_some_and(|decl| decl.contains("iso-8859-1") || decl.contains("windows-1252"));
    if latin1 {
        return Some(Cow::Owned(bytes.iter().map(|b| char::from(*b)).collect()));
    }
    std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
}

/// Largest attachment decoded into memory (bytes of base64 text); larger ones keep only
/// their size estimate.
const MAX_ATTACHMENT_B64: usize = 16 * 1024 * 1024;

/// Builds a BG-24 attachment; the embedded object (BT-125) is base64-decoded, never opened.
pub(crate) fn attachment(
    id: Option<String>,
    description: Option<String>,
    uri: Option<String>,
    object: Option<N<'_>>,
) -> Attachment {
    let mut a = Attachment {
        id,
        description,
        uri,
        ..Attachment::default()
    };
    if let Some(o) = object {
        a.filename = attr(o, "filename");
        a.mime = attr(o, "mimeCode");
        if let Some(b64) = text(o) {
            let clean: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            if clean.len() <= MAX_ATTACHMENT_B64 {
                if let Ok(bytes) =
                    base64::engine::general_purpose::STANDARD.decode(clean.as_bytes())
                {
                    a.size = Some(bytes.len());
                    a.content = Some(bytes);
                }
            } else {
                a.size = Some(clean.len() / 4 * 3);
            }
        }
    }
    a
}

/// Parses the XRechnung Skonto lines `#SKONTO#TAGE=n#PROZENT=p#[BASISBETRAG=b#]` of BT-20.
/// Lines that do not follow the convention are skipped (BR-DE-18 reports them).
pub fn parse_skonto(terms: &str) -> Vec<Skonto> {
    let mut out = Vec::new();
    for line in terms.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("#SKONTO#") else {
            continue;
        };
        let mut days = None;
        let mut percent = None;
        let mut base = None;
        for seg in rest.split('#') {
            if let Some(v) = seg.strip_prefix("TAGE=") {
                days = v.parse::<u32>().ok();
            } else if let Some(v) = seg.strip_prefix("PROZENT=") {
                percent = xml::decimal(v);
            } else if let Some(v) = seg.strip_prefix("BASISBETRAG=") {
                base = xml::decimal(v);
            }
        }
        if let (Some(days), Some(percent)) = (days, percent) {
            out.push(Skonto {
                days,
                percent,
                base_amount: base,
            });
        }
    }
    out
}

/// A decimal as written, for messages.
pub fn show(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skonto_lines() {
        let s = parse_skonto(
            "Zahlbar in 30 Tagen\n#SKONTO#TAGE=14#PROZENT=2.00#\n#SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=100.00#\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].days, 14);
        assert_eq!(s[1].base_amount, Some(Decimal::new(10000, 2)));
    }

    #[test]
    fn decode_variants() {
        assert_eq!(decode(b"\xEF\xBB\xBF<a/>").as_deref(), Some("<a/>"));
        assert_eq!(
            decode(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe4</a>").as_deref(),
            Some("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\u{e4}</a>")
        );
        assert!(decode(b"<a>\xff</a>").is_none());
    }
}
