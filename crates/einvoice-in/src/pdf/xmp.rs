//! The XMP metadata checks of a Factur-X / ZUGFeRD PDF (PDF/A identification, the `fx:`
//! properties and their PDF/A extension schema, Info dictionary versus XMP), with the rule ids
//! and severities of the official wrapper (`einvoice_validate.py`, `check_pdf`).

use roxmltree::{Document, Node};

use super::{Findings, fatal, warning};

pub(crate) const FX_NS: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";
const LEGACY_NS: [(&str, &str); 2] = [
    (
        "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#",
        "ZUGFeRD 2.0",
    ),
    (
        "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#",
        "ZUGFeRD 1.0",
    ),
];
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const PDFAID: &str = "http://www.aiim.org/pdfa/ns/id/";
const PDFA_SCHEMA: &str = "http://www.aiim.org/pdfa/ns/schema#";
const PDFA_PROPERTY: &str = "http://www.aiim.org/pdfa/ns/property#";
pub(crate) const DC: &str = "http://purl.org/dc/elements/1.1/";
pub(crate) const PDF: &str = "http://ns.adobe.com/pdf/1.3/";
pub(crate) const XMP: &str = "http://ns.adobe.com/xap/1.0/";
const FX_PROPS: [&str; 4] = [
    "DocumentFileName",
    "DocumentType",
    "Version",
    "ConformanceLevel",
];
pub(crate) const CONFORMANCE_LEVELS: [&str; 6] = [
    "MINIMUM",
    "BASIC WL",
    "BASIC",
    "EN 16931",
    "EXTENDED",
    "XRECHNUNG",
];

/// What the later checks need from the XMP.
#[derive(Debug, Clone, Default)]
pub(crate) struct XmpInfo {
    pub conformance_level: Option<String>,
}

fn is(node: &Node, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

/// All values of an XMP simple property, written as element (text, or `rdf:li` items of an
/// `rdf:Alt` / `rdf:Seq` / `rdf:Bag`) or as an attribute of `rdf:Description`.
pub(crate) fn values(doc: &Document, ns: &str, local: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in doc.descendants().filter(|n| is(n, ns, local)) {
        if el.children().any(|c| c.is_element()) {
            out.extend(
                el.descendants()
                    .filter(|n| is(n, RDF, "li"))
                    .map(|li| li.text().unwrap_or("").trim().to_string()),
            );
        } else {
            out.push(el.text().unwrap_or("").trim().to_string());
        }
    }
    for desc in doc.descendants().filter(|n| is(n, RDF, "Description")) {
        if let Some(v) = desc.attribute((ns, local)) {
            out.push(v.trim().to_string());
        }
    }
    out
}

/// Parses the XMP packet (no DOCTYPE). The error is a message for `FX-XMP-PARSE`.
pub(crate) fn parse(text: &str) -> Result<Document<'_>, String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| e.to_string())
}

/// Prepares the metadata stream's bytes as the wrapper does (whitespace and trailing NULs
/// stripped), decoded to text.
pub(crate) fn text_of(raw: &[u8]) -> String {
    let trimmed = raw.trim_ascii();
    let end = trimmed.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let bytes = trimmed.get(..end).unwrap_or(trimmed);
    super::xmlinfo::xml_text(bytes)
}

/// The checks on a parsed XMP packet; `chosen` is the embedded XML's name as compared with
/// `fx:DocumentFileName`.
pub(crate) fn check(doc: &Document, chosen: &str, alt_chosen: &str, out: &mut Findings) -> XmpInfo {
    let mut info = XmpInfo::default();

    // ---- PDF/A identification
    let part = values(doc, PDFAID, "part");
    let conf = values(doc, PDFAID, "conformance");
    match part.first() {
        None => out.push(fatal(
            "PDFA-ID",
            "XMP has no pdfaid:part (PDF/A identification schema missing)".into(),
            "Die XMP-Metadaten haben kein pdfaid:part (PDF/A-Identifikation fehlt).".into(),
        )),
        Some(p) if p != "3" => out.push(fatal(
            "PDFA-ID",
            format!("XMP declares PDF/A-{p}; Factur-X / ZUGFeRD require PDF/A-3"),
            format!("Die XMP-Metadaten erklären PDF/A-{p}; Factur-X / ZUGFeRD verlangen PDF/A-3."),
        )),
        Some(_) => {}
    }
    if !part.is_empty() && conf.is_empty() {
        out.push(fatal(
            "PDFA-ID",
            "XMP has no pdfaid:conformance".into(),
            "Die XMP-Metadaten haben kein pdfaid:conformance.".into(),
        ));
    } else if let Some(c) = conf.first()
        && !matches!(c.to_uppercase().as_str(), "A" | "B" | "U")
    {
        out.push(fatal(
            "PDFA-ID",
            format!("pdfaid:conformance '{c}' is not A, B or U"),
            format!("pdfaid:conformance '{c}' ist nicht A, B oder U."),
        ));
    }

    // ---- Factur-X properties
    let has_ns = |ns: &str| {
        doc.descendants()
            .any(|n| n.is_element() && n.tag_name().namespace() == Some(ns))
            || doc
                .descendants()
                .filter(|n| is(n, RDF, "Description"))
                .any(|d| d.attributes().any(|a| a.namespace() == Some(ns)))
    };
    let fx_ns = std::iter::once(FX_NS)
        .chain(LEGACY_NS.iter().map(|(ns, _)| *ns))
        .find(|ns| has_ns(ns));
    let Some(fx_ns) = fx_ns else {
        out.push(fatal(
            "FX-XMP-FX",
            format!(
                "XMP has no Factur-X properties (namespace {FX_NS}: DocumentType, DocumentFileName, Version, ConformanceLevel)"
            ),
            format!(
                "Die XMP-Metadaten haben keine Factur-X-Eigenschaften (Namensraum {FX_NS}: DocumentType, DocumentFileName, Version, ConformanceLevel)."
            ),
        ));
        return info;
    };
    if let Some((ns, label)) = LEGACY_NS.iter().find(|(ns, _)| *ns == fx_ns) {
        out.push(warning(
            "FX-XMP-FX",
            format!("XMP uses legacy {label} namespace {ns}"),
            format!("Die XMP-Metadaten verwenden den alten {label}-Namensraum {ns}."),
        ));
    }
    let vals: Vec<Vec<String>> = FX_PROPS.iter().map(|p| values(doc, fx_ns, p)).collect();
    let first = |i: usize| vals.get(i).and_then(|v| v.first()).cloned();
    for (i, p) in FX_PROPS.iter().enumerate() {
        if vals.get(i).is_none_or(|v| v.is_empty()) {
            out.push(fatal(
                &format!("FX-XMP-{}", p.to_uppercase()),
                format!("XMP lacks fx:{p}"),
                format!("In den XMP-Metadaten fehlt fx:{p}."),
            ));
        }
    }
    if let Some(t) = first(1)
        && t != "INVOICE"
    {
        out.push(warning(
            "FX-XMP-DOCUMENTTYPE",
            format!("fx:DocumentType is '{t}', expected INVOICE"),
            format!("fx:DocumentType ist '{t}', erwartet wird INVOICE."),
        ));
    }
    if let Some(n) = first(0)
        && n != chosen
        && n != alt_chosen
    {
        out.push(fatal(
            "FX-XMP-DOCUMENTFILENAME",
            format!("fx:DocumentFileName '{n}' does not match the embedded file '{chosen}'"),
            format!("fx:DocumentFileName '{n}' passt nicht zur eingebetteten Datei '{chosen}'."),
        ));
    }
    if let Some(v) = first(2)
        && fx_ns == FX_NS
        && v != "1.0"
    {
        out.push(warning(
            "FX-XMP-VERSION",
            format!("fx:Version is '{v}', Factur-X 1.0 / ZUGFeRD 2.x use '1.0'"),
            format!("fx:Version ist '{v}'; Factur-X 1.0 / ZUGFeRD 2.x verwenden '1.0'."),
        ));
    }
    info.conformance_level = first(3);
    if let Some(l) = &info.conformance_level
        && !CONFORMANCE_LEVELS.contains(&l.as_str())
    {
        let all = CONFORMANCE_LEVELS.join(", ");
        out.push(fatal(
            "FX-XMP-CONFORMANCELEVEL",
            format!("fx:ConformanceLevel '{l}' is not one of {all}"),
            format!("fx:ConformanceLevel '{l}' ist keiner von {all}."),
        ));
    }

    // ---- PDF/A extension schema describing the fx: properties
    let mut schema_found = false;
    let mut described: Vec<String> = Vec::new();
    for nsu in doc
        .descendants()
        .filter(|n| is(n, PDFA_SCHEMA, "namespaceURI"))
    {
        if nsu.text().unwrap_or("").trim() != fx_ns {
            continue;
        }
        schema_found = true;
        if let Some(container) = nsu.parent_element() {
            for d in container.descendants() {
                if is(&d, PDFA_PROPERTY, "name") {
                    described.push(d.text().unwrap_or("").trim().to_string());
                }
                if let Some(v) = d.attribute((PDFA_PROPERTY, "name")) {
                    described.push(v.trim().to_string());
                }
            }
        }
    }
    for d in doc
        .descendants()
        .filter(|n| is(n, RDF, "Description") || is(n, RDF, "li"))
    {
        if d.attribute((PDFA_SCHEMA, "namespaceURI")).map(str::trim) == Some(fx_ns) {
            schema_found = true;
            described.extend(
                d.descendants()
                    .filter(|n| is(n, PDFA_PROPERTY, "name"))
                    .map(|n| n.text().unwrap_or("").trim().to_string()),
            );
        }
    }
    if !schema_found {
        out.push(fatal(
            "FX-XMP-EXTENSION-SCHEMA",
            format!(
                "XMP has no PDF/A extension schema (pdfaExtension:schemas) declaring namespace {fx_ns}; PDF/A validators reject the undeclared fx: properties"
            ),
            format!(
                "Die XMP-Metadaten haben kein PDF/A-Erweiterungsschema (pdfaExtension:schemas) für den Namensraum {fx_ns}; PDF/A-Prüfer weisen die nicht erklärten fx:-Eigenschaften zurück."
            ),
        ));
    } else {
        let lacking: Vec<&str> = FX_PROPS
            .iter()
            .copied()
            .filter(|p| !described.iter().any(|d| d == p))
            .collect();
        if !lacking.is_empty() {
            let list = lacking.join(", fx:");
            out.push(fatal(
                "FX-XMP-EXTENSION-SCHEMA",
                format!("PDF/A extension schema does not describe fx:{list}"),
                format!("Das PDF/A-Erweiterungsschema beschreibt fx:{list} nicht."),
            ));
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_elements_attributes_and_lists() {
        let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part=" 3 "/>
            <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">
              <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Rechnung</rdf:li></rdf:Alt></dc:title>
              <pdfaid:conformance xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">B</pdfaid:conformance>
            </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let doc = parse(xmp).unwrap();
        assert_eq!(values(&doc, PDFAID, "part"), vec!["3"]);
        assert_eq!(values(&doc, PDFAID, "conformance"), vec!["B"]);
        assert_eq!(values(&doc, DC, "title"), vec!["Rechnung"]);
    }

    #[test]
    fn doctype_refused() {
        assert!(parse("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>").is_err());
    }

    #[test]
    fn stream_text_is_trimmed() {
        assert_eq!(text_of(b"  <x/>\n\0\0"), "<x/>\n");
        assert_eq!(text_of(b"\0\0"), "");
    }
}
