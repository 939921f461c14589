//! Just enough of the embedded XML to check it against its PDF envelope: the syntax (root
//! element) and the specification identifier (BT-24), as the official wrapper's `detect`.
//! The real reading and checking is [`crate::check::check_xml`].

const NS_UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_UBL_CREDITNOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const NS_ZF1: &str = "urn:ferd:CrossIndustryDocument:invoice:1p0";

/// Root-level syntax of an embedded XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    UblInvoice,
    UblCreditNote,
    Cii,
    /// ZUGFeRD 1.0 `CrossIndustryDocument` (not EN 16931).
    Zugferd1,
    Unknown,
}

impl Syntax {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Syntax::UblInvoice => "UBL 2.1 Invoice",
            Syntax::UblCreditNote => "UBL 2.1 CreditNote",
            Syntax::Cii => "UN/CEFACT CII D16B",
            Syntax::Zugferd1 => "ZUGFeRD 1.0 CrossIndustryDocument",
            Syntax::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlInfo {
    pub syntax: Syntax,
    /// BT-24 as written (trimmed), empty when absent.
    pub guideline: String,
}

impl XmlInfo {
    /// `true` for any XRechnung identifier (also unsupported versions), as the wrapper's `xr`.
    pub(crate) fn is_xrechnung(&self) -> bool {
        self.guideline.contains("xeinkauf.de:kosit")
            || self.guideline.contains("xoev-de:kosit:standard:xrechnung")
    }

    /// The Factur-X profile name the guideline declares (`MINIMUM`, `BASIC WL`, `BASIC`,
    /// `EN 16931`, `EXTENDED`), or `None`.
    pub(crate) fn profile(&self) -> Option<&'static str> {
        if self.is_xrechnung() {
            return None;
        }
        let g = self.guideline.as_str();
        if self.syntax == Syntax::Cii {
            match g {
                "urn:factur-x.eu:1p0:minimum" => return Some("MINIMUM"),
                "urn:factur-x.eu:1p0:basicwl" => return Some("BASIC WL"),
                "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic" => {
                    return Some("BASIC");
                }
                "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended" => {
                    return Some("EXTENDED");
                }
                _ => {}
            }
        }
        (g == "urn:cen.eu:en16931:2017").then_some("EN 16931")
    }

    /// The `fx:ConformanceLevel` this XML calls for, as the wrapper's `expect`.
    pub(crate) fn expected_level(&self) -> Option<&'static str> {
        if self.is_xrechnung() {
            Some("XRECHNUNG")
        } else {
            self.profile()
        }
    }
}

/// Decodes XML bytes to text for a quick look: UTF-8 (BOM dropped) or UTF-16 with a BOM.
pub(crate) fn xml_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return super::objects::decode_utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return super::objects::decode_utf16(rest, false);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads syntax and guideline; `None` when the XML is not well-formed or has a DOCTYPE (the
/// checker reports that).
pub(crate) fn inspect(bytes: &[u8]) -> Option<XmlInfo> {
    let text = xml_text(bytes);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 2_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, opts).ok()?;
    let root = doc.root_element();
    let tag = root.tag_name();
    let (ns, local) = (tag.namespace().unwrap_or(""), tag.name());
    let child_text = |node: roxmltree::Node, ns: &str, name: &str| -> Option<String> {
        node.children()
            .find(|c| {
                c.is_element()
                    && c.tag_name().namespace() == Some(ns)
                    && c.tag_name().name() == name
            })
            .map(|c| c.text().unwrap_or("").trim().to_string())
    };
    let (syntax, guideline) = match (ns, local) {
        (NS_UBL_INVOICE, "Invoice") => (
            Syntax::UblInvoice,
            child_text(root, NS_CBC, "CustomizationID"),
        ),
        (NS_UBL_CREDITNOTE, "CreditNote") => (
            Syntax::UblCreditNote,
            child_text(root, NS_CBC, "CustomizationID"),
        ),
        (NS_RSM, "CrossIndustryInvoice") => {
            let ctx = root.children().find(|c| {
                c.is_element()
                    && c.tag_name().namespace() == Some(NS_RSM)
                    && c.tag_name().name() == "ExchangedDocumentContext"
            });
            let param = ctx.and_then(|ctx| {
                ctx.children().find(|c| {
                    c.is_element()
                        && c.tag_name().namespace() == Some(NS_RAM)
                        && c.tag_name().name() == "GuidelineSpecifiedDocumentContextParameter"
                })
            });
            (Syntax::Cii, param.and_then(|p| child_text(p, NS_RAM, "ID")))
        }
        (NS_ZF1, "CrossIndustryDocument") => (Syntax::Zugferd1, None),
        _ => (Syntax::Unknown, None),
    };
    Some(XmlInfo {
        syntax,
        guideline: guideline.unwrap_or_default(),
    })
}

/// `true` when the bytes are a ZUGFeRD 1.0 document (cheap pre-check, then a parse).
pub(crate) fn is_zugferd1(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let marker = b"CrossIndustryDocument";
    if !head.windows(marker.len()).any(|w| w == marker) {
        return false;
    }
    inspect(bytes).is_some_and(|i| i.syntax == Syntax::Zugferd1)
}
