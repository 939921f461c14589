//! Finds the e-invoice XML inside a PDF (Factur-X / ZUGFeRD / XRechnung hybrid) and checks the
//! PDF envelope.
//!
//! Two steps, so that the risky one can run in an isolated worker process:
//! - [`extract`] parses the PDF with lopdf, touching only the document catalog (the
//!   `/Names /EmbeddedFiles` name tree, the `/AF` array, the file specifications with their
//!   embedded file streams, the `/Metadata` XMP stream, `/OutputIntents`) and the trailer; it
//!   never reads a page. It returns an [`Extracted`] that serialises to JSON (the XML as base64).
//! - [`check_extracted`] reads and checks the XML with [`crate::check::check_xml`] and merges
//!   the envelope findings in. [`check_pdf`] does both in-process.
//!
//! The envelope checks follow the official wrapper (`einvoice_validate.py`, `check_pdf` and the
//! PDF part of `validate_xml`) rule for rule: same rule ids (`FX-PDF-*`, `FX-XMP-*`, `PDFA-*`),
//! same severities (its "error" is [`Severity::Fatal`]), same order. Not done: its
//! `PDFA-FONTS` heuristic, which walks the pages' resources.
//!
//! Limits: the embedded XML and the XMP stream decode to at most [`MAX_XML_BYTES`] /
//! [`MAX_XMP_BYTES`], each object stream lopdf unpacks while loading to at most
//! [`MAX_OBJECT_STREAM_BYTES`]; the name tree walk is iterative and bounded (see
//! [`attachments`]). Nothing here panics on any input; a panic inside lopdf is caught and
//! reported as `PDF-PARSE` (a stack overflow cannot be caught: that is what the worker process
//! is for).

mod attachments;
mod objects;
mod xmlinfo;
mod xmp;

use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::{Document, LoadOptions, Object, Stream};
use serde::{Deserialize, Serialize};

use crate::check::{Container, check_xml};
use crate::{Checked, Finding, Format, ReadError, Severity};
use attachments::{Attachments, Candidate, basename, known_rank};
use objects::{get, get_array, get_dict, get_name, get_text, has};
use xmlinfo::Syntax;

pub use attachments::{MAX_FILES, MAX_TREE_DEPTH, MAX_TREE_NODES};

/// Largest embedded XML accepted, decoded.
pub const MAX_XML_BYTES: usize = 10 * 1024 * 1024;
/// Largest XMP metadata stream read, decoded.
pub const MAX_XMP_BYTES: usize = 4 * 1024 * 1024;
/// Largest object or cross-reference stream lopdf may unpack while loading.
pub const MAX_OBJECT_STREAM_BYTES: usize = 32 * 1024 * 1024;
/// How many same-named invoice candidates are decoded to prefer ZUGFeRD 2 over ZUGFeRD 1.
const MAX_DECODED_CANDIDATES: usize = 8;

/// What [`extract`] found in a PDF. Crosses a process boundary as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    /// The embedded invoice XML, exactly as stored (decoded from its filters, a BOM kept);
    /// base64 in JSON.
    #[serde(with = "base64_bytes", default)]
    pub xml: Option<Vec<u8>>,
    /// Its attachment name as written in the PDF (`factur-x.xml`, `xrechnung.xml`,
    /// `zugferd-invoice.xml`, ...), a path prefix stripped.
    pub embedded_name: Option<String>,
    /// Envelope findings (PDF/A, Factur-X attachment and XMP), including the ones that compare
    /// the XMP and the attachment with the XML's profile.
    pub findings: Vec<Finding>,
    /// Every embedded file (the invoice XML too), in name tree order, then files only
    /// reachable through `/AF`. Only the invoice XML is ever decoded.
    pub files: Vec<EmbeddedFile>,
}

/// One embedded file of a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedFile {
    /// `/UF`, else `/F`, else the name tree key.
    pub name: String,
    /// `/Subtype` of the embedded file stream (`text/xml`, `application/pdf`, ...).
    pub mime: Option<String>,
    /// Declared size (`/Params /Size`), else the stored (possibly compressed) length.
    pub size: Option<u64>,
    /// `/AFRelationship` (`Data`, `Source`, `Alternative`, ...).
    pub relationship: Option<String>,
}

/// `true` when the bytes start like a PDF (the header may follow some junk, as readers allow).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Extracts and checks the embedded XML of a PDF, in-process.
pub fn check_pdf(bytes: &[u8]) -> Checked {
    check_extracted(extract(bytes))
}

/// Finishes what [`extract`] started (in the parent process): reads and checks the XML, and
/// merges the envelope findings in (first).
pub fn check_extracted(extracted: Extracted) -> Checked {
    let Extracted {
        xml,
        embedded_name,
        findings: envelope,
        files: _,
    } = extracted;
    let Some(xml) = xml else {
        return Checked {
            format: Format::Pdf,
            invoice: None,
            xml: None,
            embedded_name,
            findings: envelope,
        };
    };
    let container = Container {
        embedded_name: embedded_name.clone().unwrap_or_default(),
    };
    match check_xml(&xml, Some(&container)) {
        Ok(checked) => {
            let mut findings = envelope;
            for f in checked.findings {
                // The checker may repeat an envelope-versus-XML finding that extract made.
                let dup = f.rule.starts_with("FX-")
                    && findings
                        .iter()
                        .any(|e| e.rule == f.rule && e.severity == f.severity);
                if !dup {
                    findings.push(f);
                }
            }
            Checked {
                format: Format::Facturx,
                invoice: checked.invoice,
                xml: Some(xml),
                embedded_name,
                findings,
            }
        }
        Err(err) => {
            let mut findings = envelope;
            findings.push(read_error_finding(
                &err,
                embedded_name.as_deref().unwrap_or(""),
            ));
            Checked {
                format: Format::Facturx,
                invoice: None,
                xml: Some(xml),
                embedded_name,
                findings,
            }
        }
    }
}

fn read_error_finding(err: &ReadError, name: &str) -> Finding {
    let (rule, de) = match err {
        ReadError::Empty => (
            "FX-PDF-EF",
            format!("Die eingebettete Datei '{name}' ist leer."),
        ),
        ReadError::TooLarge { limit } => (
            "FX-PDF-EF",
            format!("Die eingebettete Datei '{name}' ist größer als {limit} Bytes."),
        ),
        ReadError::UnknownFormat => (
            "SYNTAX",
            format!(
                "Die eingebettete Datei '{name}' ist keine lesbare E-Rechnung (weder UBL noch CII)."
            ),
        ),
        ReadError::NotAnInvoice(root) => (
            "SYNTAX",
            format!("Die eingebettete Datei '{name}' ist keine Rechnung: Wurzelelement {root}."),
        ),
    };
    fatal(rule, format!("embedded file '{name}': {err}"), de)
}

/// Reads the PDF's catalog: finds the invoice XML and checks the envelope. Never panics and
/// never reads page content; meant to run in an isolated worker for files from strangers.
pub fn extract(bytes: &[u8]) -> Extracted {
    match catch_unwind(AssertUnwindSafe(|| extract_inner(bytes))) {
        Ok(extracted) => extracted,
        Err(_) => Extracted {
            findings: vec![unreadable(
                "the PDF reader failed on this file (internal error)",
            )],
            ..Extracted::default()
        },
    }
}

pub(crate) type Findings = Vec<Finding>;

pub(crate) fn finding(rule: &str, severity: Severity, en: String, de: String) -> Finding {
    Finding {
        rule: rule.to_string(),
        severity,
        location: String::new(),
        message_de: de,
        message_en: en,
    }
}

pub(crate) fn fatal(rule: &str, en: String, de: String) -> Finding {
    finding(rule, Severity::Fatal, en, de)
}

pub(crate) fn warning(rule: &str, en: String, de: String) -> Finding {
    finding(rule, Severity::Warning, en, de)
}

fn unreadable(why: &str) -> Finding {
    fatal(
        "PDF-PARSE",
        format!("cannot parse PDF: {why}"),
        format!("Das PDF ist nicht lesbar: {why}"),
    )
}

fn load(bytes: &[u8]) -> Result<Document, String> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_OBJECT_STREAM_BYTES),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options).map_err(|e| e.to_string())
}

fn extract_inner(bytes: &[u8]) -> Extracted {
    let mut out = Extracted::default();
    let f = &mut out.findings;
    let doc = match load(bytes) {
        Ok(doc) => doc,
        Err(e) => {
            f.push(unreadable(&e));
            return out;
        }
    };
    if doc.was_encrypted() || doc.trailer.has(b"Encrypt") {
        f.push(fatal(
            "PDFA-ENCRYPT",
            "PDF is encrypted (PDF/A forbids encryption)".into(),
            "Das PDF ist verschlüsselt (PDF/A verbietet Verschlüsselung).".into(),
        ));
        if doc.trailer.has(b"Encrypt") {
            // Still locked: lopdf could not open it with the empty password.
            return out;
        }
    }
    header_checks(bytes, &doc, f);
    let Some(catalog) = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| objects::resolve(&doc, r))
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        f.push(unreadable("the trailer has no document catalog (/Root)"));
        return out;
    };

    // ---- output intent (PDF/A heuristic)
    let ok_oi = get_array(&doc, catalog, b"OutputIntents").is_some_and(|ois| {
        ois.iter()
            .filter_map(|o| objects::resolve(&doc, o))
            .any(|(_, oi)| {
                oi.as_dict().is_ok_and(|oi| {
                    get_name(&doc, oi, b"S").as_deref() == Some("GTS_PDFA1")
                        && has(&doc, oi, b"DestOutputProfile")
                })
            })
    });
    if !ok_oi {
        f.push(warning(
            "PDFA-OUTPUTINTENT",
            "no /OutputIntents entry with /S /GTS_PDFA1 and an ICC /DestOutputProfile (PDF/A needs it unless all colour is device-independent)".into(),
            "Kein /OutputIntents-Eintrag mit /S /GTS_PDFA1 und ICC-Profil /DestOutputProfile (PDF/A verlangt ihn, außer alle Farben sind geräteunabhängig).".into(),
        ));
    }

    // ---- attachments
    let att = Attachments::collect(&doc, catalog);
    if att.truncated {
        f.push(warning(
            "KONTOR-PDF-LIMIT",
            format!(
                "the embedded files name tree or /AF array has a loop, is deeper than {MAX_TREE_DEPTH} levels or lists more than {MAX_FILES} files; the rest was skipped"
            ),
            format!(
                "Der Namensbaum der eingebetteten Dateien oder das /AF-Array hat eine Schleife, ist tiefer als {MAX_TREE_DEPTH} Ebenen oder nennt mehr als {MAX_FILES} Dateien; der Rest wurde übergangen."
            ),
        ));
    }
    out.files = att
        .candidates
        .iter()
        .map(|c| {
            let stream = c.spec.stream(&doc).ok().flatten();
            EmbeddedFile {
                name: c.name.clone(),
                mime: stream.and_then(|s| attachments::mime(&doc, s)),
                size: stream.map(|s| attachments::size(&doc, s)),
                relationship: c.spec.relationship(&doc),
            }
        })
        .collect();
    if att.candidates.is_empty() {
        f.push(fatal(
            "FX-PDF-NO-ATTACHMENT",
            "PDF has no embedded files: not a ZUGFeRD / Factur-X document".into(),
            "Das PDF hat keine eingebetteten Dateien: kein ZUGFeRD- / Factur-X-Dokument.".into(),
        ));
        return out;
    }

    let (chosen, mut decoded) = match choose(&doc, &att.candidates) {
        Some(c) => c,
        None => {
            let names: Vec<&str> = att.candidates.iter().map(|c| c.name.as_str()).collect();
            let list = names.join(", ");
            f.push(fatal(
                "FX-PDF-NO-XML",
                format!("no embedded XML file (expected factur-x.xml / xrechnung.xml); attachments: {list}"),
                format!("Keine eingebettete XML-Datei (erwartet factur-x.xml / xrechnung.xml); Anhänge: {list}"),
            ));
            return out;
        }
    };
    let name = chosen.name.as_str();
    let base = basename(name);
    out.embedded_name = Some(base.to_string());
    match known_rank(name) {
        None => f.push(fatal(
            "FX-PDF-FILENAME",
            format!("embedded XML is named '{name}', expected 'factur-x.xml' (Factur-X / ZUGFeRD >= 2.1) or 'xrechnung.xml' (ZUGFeRD XRECHNUNG profile)"),
            format!("Die eingebettete XML-Datei heißt '{name}', erwartet wird 'factur-x.xml' (Factur-X / ZUGFeRD ab 2.1) oder 'xrechnung.xml' (ZUGFeRD-Profil XRECHNUNG)."),
        )),
        Some(_) if base != name => f.push(warning(
            "FX-PDF-FILENAME",
            format!("the embedded XML's name '{name}' carries a path; read as '{base}'"),
            format!("Der Name der eingebetteten XML-Datei '{name}' enthält einen Pfad; gelesen als '{base}'."),
        )),
        Some(_) => {}
    }
    if base.eq_ignore_ascii_case("zugferd-invoice.xml") {
        f.push(warning(
            "FX-PDF-FILENAME",
            format!("legacy ZUGFeRD attachment name '{base}' (ZUGFeRD 1.0/2.0); Factur-X / ZUGFeRD >= 2.1 use 'factur-x.xml'"),
            format!("Alter ZUGFeRD-Anhangname '{base}' (ZUGFeRD 1.0/2.0); Factur-X / ZUGFeRD ab 2.1 verwenden 'factur-x.xml'."),
        ));
    }
    if !chosen.in_tree {
        f.push(fatal(
            "FX-PDF-NAMETREE",
            format!("'{name}' is not listed in the /Names /EmbeddedFiles name tree"),
            format!("'{name}' steht nicht im Namensbaum /Names /EmbeddedFiles."),
        ));
    }
    let spec = chosen.spec;
    let spec_has = |k: &[u8]| spec.dict.is_some_and(|d| has(&doc, d, k));
    if !spec_has(b"F") || !spec_has(b"UF") {
        f.push(fatal(
            "PDFA-FILESPEC-F-UF",
            format!("file specification of '{name}' lacks /F or /UF (PDF/A-3 requires both)"),
            format!(
                "Der Dateispezifikation von '{name}' fehlt /F oder /UF (PDF/A-3 verlangt beide)."
            ),
        ));
    }
    let rel = spec.relationship(&doc);
    match rel.as_deref() {
        None => f.push(fatal(
            "FX-PDF-AFRELATIONSHIP",
            format!("file specification of '{name}' has no /AFRelationship (PDF/A-3 requires it; Factur-X allows /Data, /Source or /Alternative)"),
            format!("Die Dateispezifikation von '{name}' hat kein /AFRelationship (PDF/A-3 verlangt es; Factur-X erlaubt /Data, /Source oder /Alternative)."),
        )),
        Some("Data" | "Source" | "Alternative") => {}
        Some(r) => f.push(fatal(
            "FX-PDF-AFRELATIONSHIP",
            format!("/AFRelationship is /{r}; Factur-X allows /Data, /Source or /Alternative"),
            format!("/AFRelationship ist /{r}; Factur-X erlaubt /Data, /Source oder /Alternative."),
        )),
    }
    if !att.in_af(&spec) {
        f.push(fatal(
            "FX-PDF-AF",
            format!("the file specification of '{name}' is not referenced from the document catalog's /AF array (PDF/A-3 associated file)"),
            format!("Die Dateispezifikation von '{name}' wird im /AF-Array des Dokumentkatalogs nicht genannt (PDF/A-3 verknüpfte Datei)."),
        ));
    }
    let Ok(Some(stream)) = spec.stream(&doc) else {
        f.push(fatal(
            "FX-PDF-EF",
            format!("file specification of '{name}' has no /EF embedded file stream"),
            format!("Die Dateispezifikation von '{name}' hat keinen eingebetteten Datenstrom /EF."),
        ));
        return out;
    };
    match attachments::mime(&doc, stream).as_deref() {
        None => f.push(fatal(
            "PDFA-EF-SUBTYPE",
            "embedded file stream has no /Subtype (PDF/A-3 requires a MIME type; Factur-X: /text#2Fxml)".into(),
            "Der eingebettete Datenstrom hat keinen /Subtype (PDF/A-3 verlangt einen MIME-Typ; Factur-X: /text#2Fxml).".into(),
        )),
        Some("text/xml" | "application/xml") => {}
        Some(m) => f.push(warning(
            "PDFA-EF-SUBTYPE",
            format!("embedded file MIME type is /{m}, expected text/xml"),
            format!("Der MIME-Typ der eingebetteten Datei ist /{m}, erwartet wird text/xml."),
        )),
    }
    if !get_dict(&doc, &stream.dict, b"Params").is_some_and(|p| has(&doc, p, b"ModDate")) {
        f.push(warning(
            "PDFA-EF-MODDATE",
            "embedded file stream has no /Params /ModDate (expected by PDF/A-3)".into(),
            "Der eingebettete Datenstrom hat kein /Params /ModDate (von PDF/A-3 erwartet).".into(),
        ));
    }
    let xml = match decoded
        .take()
        .unwrap_or_else(|| decode(stream, MAX_XML_BYTES))
    {
        Ok(xml) => xml,
        Err(e) => {
            f.push(fatal(
                "FX-PDF-EF",
                format!("cannot decode embedded file: {e}"),
                format!("Die eingebettete Datei lässt sich nicht dekodieren: {e}"),
            ));
            return out;
        }
    };

    // ---- XMP
    let mut level = None;
    match get(&doc, catalog, b"Metadata") {
        None => f.push(fatal(
            "FX-XMP-MISSING",
            "document catalog has no /Metadata XMP stream (PDF/A and Factur-X require it)".into(),
            "Der Dokumentkatalog hat keinen /Metadata-XMP-Datenstrom (PDF/A und Factur-X verlangen ihn).".into(),
        )),
        Some(meta) => {
            let text = match meta {
                Object::Stream(s) => decode(s, MAX_XMP_BYTES).map(|raw| xmp::text_of(&raw)),
                _ => Err("/Metadata is not a stream".to_string()),
            };
            let parsed = text.and_then(|t| {
                let doc_xmp = xmp::parse(&t)?;
                let info = xmp::check(&doc_xmp, name, base, f);
                info_vs_xmp(&doc, &doc_xmp, f);
                Ok(info)
            });
            match parsed {
                Ok(info) => level = info.conformance_level,
                Err(e) => f.push(fatal(
                    "FX-XMP-PARSE",
                    format!("XMP metadata is not well-formed XML: {e}"),
                    format!("Die XMP-Metadaten sind kein wohlgeformtes XML: {e}"),
                )),
            }
        }
    }

    // ---- the XML versus its envelope
    if let Some(info) = xmlinfo::inspect(&xml)
        && !matches!(info.syntax, Syntax::Unknown | Syntax::Zugferd1)
    {
        xml_vs_envelope(&info, level.as_deref(), base, rel.as_deref(), f);
    }
    out.xml = Some(xml);
    out
}

/// Header, binary comment and trailer `/ID` (PDF/A heuristics).
fn header_checks(bytes: &[u8], doc: &Document, f: &mut Findings) {
    let head = &bytes[..bytes.len().min(16)];
    let header = head
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or(head);
    let version = header.strip_prefix(b"%PDF-").and_then(|v| match v {
        [maj, b'.', min, ..] if maj.is_ascii_digit() && min.is_ascii_digit() => {
            Some((maj - b'0', min - b'0'))
        }
        _ => None,
    });
    match version {
        None => f.push(fatal(
            "PDFA-HEADER",
            "file does not start with a %PDF-1.n header".into(),
            "Die Datei beginnt nicht mit einem Kopf %PDF-1.n.".into(),
        )),
        Some((1, 0..=7)) => {}
        Some(_) => {
            let h = String::from_utf8_lossy(header);
            f.push(fatal(
                "PDFA-HEADER",
                format!("PDF header {h}: PDF/A-3 requires %PDF-1.0 .. %PDF-1.7"),
                format!("PDF-Kopf {h}: PDF/A-3 verlangt %PDF-1.0 .. %PDF-1.7."),
            ));
        }
    }
    let rest = bytes.get(header.len()..).unwrap_or(&[]);
    let second = rest.get(..rest.len().min(12)).unwrap_or(&[]);
    let second = &second[second
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(second.len())..];
    let high = second
        .get(1..second.len().min(5))
        .unwrap_or(&[])
        .iter()
        .filter(|&&b| b > 127)
        .count();
    if !(second.first() == Some(&b'%') && high >= 4) {
        f.push(warning(
            "PDFA-BINARY-COMMENT",
            "header is not followed by a binary comment (%âãÏÓ...) as PDF/A requires".into(),
            "Auf den Kopf folgt kein Binärkommentar (%âãÏÓ...), wie PDF/A ihn verlangt.".into(),
        ));
    }
    if !doc.trailer.has(b"ID") {
        f.push(warning(
            "PDFA-TRAILER-ID",
            "trailer has no /ID file identifier (required by PDF/A)".into(),
            "Der Trailer hat keine Dateikennung /ID (von PDF/A verlangt).".into(),
        ));
    }
}

/// Info dictionary text entries must equal their XMP counterparts (PDF/A), as warnings.
fn info_vs_xmp(doc: &Document, xmp_doc: &roxmltree::Document, f: &mut Findings) {
    let Some(info) = get_dict(doc, &doc.trailer, b"Info") else {
        return;
    };
    let pairs: [(&[u8], &str, &str); 6] = [
        (b"Title", xmp::DC, "title"),
        (b"Author", xmp::DC, "creator"),
        (b"Subject", xmp::DC, "description"),
        (b"Producer", xmp::PDF, "Producer"),
        (b"Creator", xmp::XMP, "CreatorTool"),
        (b"Keywords", xmp::PDF, "Keywords"),
    ];
    for (key, ns, local) in pairs {
        let Some(v) = get_text(doc, info, key).filter(|v| !v.is_empty()) else {
            continue;
        };
        let xv = xmp::values(xmp_doc, ns, local);
        if xv.contains(&v) {
            continue;
        }
        let key = String::from_utf8_lossy(key);
        let short: String = v.chars().take(60).collect();
        let (have_en, have_de) = match xv.first() {
            None => ("missing".to_string(), "fehlt".to_string()),
            Some(x) => {
                let x: String = x.chars().take(60).collect();
                (format!("'{x}'"), format!("'{x}'"))
            }
        };
        f.push(warning(
            "PDFA-INFO-XMP",
            format!("Info /{key} '{short}' has no equal XMP {local} ({have_en})"),
            format!("Info /{key} '{short}' hat keine gleiche XMP-Angabe {local} ({have_de})."),
        ));
    }
}

/// The wrapper's consistency checks between the XML and the PDF (`validate_xml`, from_pdf).
fn xml_vs_envelope(
    info: &xmlinfo::XmlInfo,
    level: Option<&str>,
    name: &str,
    rel: Option<&str>,
    f: &mut Findings,
) {
    if info.syntax != Syntax::Cii {
        let s = info.syntax.label();
        f.push(fatal(
            "FX-PDF-SYNTAX",
            format!("the embedded XML of a Factur-X / ZUGFeRD PDF must be CII (found {s})"),
            format!(
                "Das eingebettete XML eines Factur-X- / ZUGFeRD-PDF muss CII sein (gefunden: {s})."
            ),
        ));
    }
    let expect = info.expected_level();
    if let (Some(lvl), Some(expect)) = (level.filter(|l| !l.is_empty()), expect)
        && lvl != expect
    {
        let g = &info.guideline;
        f.push(fatal(
            "FX-XMP-CONFORMANCELEVEL",
            format!("fx:ConformanceLevel is '{lvl}' but the XML declares profile {expect} ({g})"),
            format!(
                "fx:ConformanceLevel ist '{lvl}', das XML erklärt aber das Profil {expect} ({g})."
            ),
        ));
    }
    let xr = info.is_xrechnung();
    let lname = name.to_lowercase();
    if xr && lname == "factur-x.xml" {
        f.push(warning(
            "FX-PDF-FILENAME",
            "XRECHNUNG profile: ZUGFeRD >= 2.1.1 names the attachment 'xrechnung.xml'".into(),
            "Profil XRECHNUNG: ZUGFeRD ab 2.1.1 nennt den Anhang 'xrechnung.xml'.".into(),
        ));
    }
    if !xr && lname == "xrechnung.xml" {
        let p = info.profile().unwrap_or("unknown");
        f.push(warning(
            "FX-PDF-FILENAME",
            format!("attachment 'xrechnung.xml' but profile is {p}"),
            format!("Anhang 'xrechnung.xml', aber das Profil ist {p}."),
        ));
    }
    if let Some(rel) = rel
        && let Some(p @ ("MINIMUM" | "BASIC WL")) = info.profile()
        && rel != "Data"
    {
        f.push(fatal(
            "FX-PDF-AFRELATIONSHIP",
            format!("/AFRelationship is /{rel}; profiles MINIMUM and BASIC WL are not invoices and require /Data"),
            format!("/AFRelationship ist /{rel}; die Profile MINIMUM und BASIC WL ({p}) sind keine Rechnungen und verlangen /Data."),
        ));
    }
}

/// Decodes a stream's filters with a cap on the output.
fn decode(stream: &Stream, limit: usize) -> Result<Vec<u8>, String> {
    stream
        .decompressed_content_with_limit(limit)
        .map_err(|e| match e {
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                format!("it decodes to more than {limit} bytes")
            }
            e => e.to_string(),
        })
}

/// A decoded embedded file, or why it could not be decoded.
type Decoded = Result<Vec<u8>, String>;

/// Picks the invoice XML among the attachments: a known name (path prefix and case ignored,
/// `factur-x.xml` before `xrechnung.xml` before `zugferd-invoice.xml`), ZUGFeRD 1 content only
/// when nothing else is there; else the first `*.xml` (the wrapper's fallback). Returns the
/// decoded XML when it had to be decoded to decide.
fn choose<'c, 'a>(
    doc: &Document,
    candidates: &'c [Candidate<'a>],
) -> Option<(&'c Candidate<'a>, Option<Decoded>)> {
    let known: Vec<(usize, usize, &Candidate)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| known_rank(&c.name).map(|r| (r, i, c)))
        .collect();
    match known.as_slice() {
        [] => candidates
            .iter()
            .find(|c| c.name.to_lowercase().ends_with(".xml"))
            .map(|c| (c, None)),
        [(_, _, c)] => Some((c, None)),
        several => {
            // Decode the first few to tell ZUGFeRD 1 from the rest.
            let mut scored: Vec<(bool, usize, usize, &Candidate, Option<Decoded>)> = several
                .iter()
                .take(MAX_DECODED_CANDIDATES)
                .map(|&(rank, i, c)| {
                    let data = match c.spec.stream(doc) {
                        Ok(Some(s)) => Some(decode(s, MAX_XML_BYTES)),
                        _ => None,
                    };
                    let zf1 = matches!(&data, Some(Ok(x)) if xmlinfo::is_zugferd1(x));
                    (zf1, rank, i, c, data)
                })
                .collect();
            scored.sort_by_key(|(zf1, rank, i, _, _)| (*zf1, *rank, *i));
            scored
                .into_iter()
                .next()
                .map(|(_, _, _, c, data)| (c, data))
        }
    }
}

/// The XML as base64 text in JSON.
mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => s.serialize_some(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            STANDARD
                .decode(t.as_bytes())
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}
