//! The checks: XML schema essentials, EN 16931 business rules, XRechnung CIUS, Factur-X
//! profiles, and Kontor's own arithmetic re-check.
//!
//! Which rule sets run follows the official wrapper (`einvoice/lib/einvoice_validate.py`):
//! the declared specification identifier (BT-24) selects EN 16931, XRechnung and the
//! Factur-X profile rules; the KoSIT scenario severity overrides apply to XRechnung.

pub mod calc;
pub mod codes;
pub mod core;
pub mod facturx;
pub mod profile;
pub mod schema;
pub mod vat;
pub mod xrechnung;

use crate::finding::{Finding, Severity};
use crate::model::{Format, Invoice};
use crate::read::{self, Syntax, xml::N};
use crate::{Checked, ReadError};
use profile::Profile;

/// Where an XML came from when it was not a file of its own.
#[derive(Debug, Clone, Default)]
pub struct Container {
    /// Name of the embedded file inside the PDF.
    pub embedded_name: String,
}

/// Deepest element nesting accepted (real invoices stay below 15).
pub const MAX_DEPTH: usize = 64;
/// Most XML nodes accepted.
pub const MAX_NODES: u32 = 2_000_000;

/// Collects findings.
#[derive(Debug, Default)]
pub struct Out {
    pub list: Vec<Finding>,
}

impl Out {
    pub fn add(&mut self, rule: &str, severity: Severity, location: &str, de: &str, en: &str) {
        self.list.push(Finding {
            rule: rule.to_string(),
            severity,
            location: location.to_string(),
            message_de: de.to_string(),
            message_en: en.to_string(),
        });
    }

    pub fn fatal(&mut self, rule: &str, location: &str, de: &str, en: &str) {
        self.add(rule, Severity::Fatal, location, de, en);
    }

    pub fn warning(&mut self, rule: &str, location: &str, de: &str, en: &str) {
        self.add(rule, Severity::Warning, location, de, en);
    }
}

/// What every rule module sees: the DOM, the syntax, the business terms and the profile.
pub struct Ctx<'a> {
    pub root: N<'a>,
    pub syntax: Syntax,
    pub inv: &'a Invoice,
    pub profile: Profile,
}

impl Ctx<'_> {
    pub fn ubl(&self) -> bool {
        self.syntax.is_ubl()
    }

    /// Location of the document root as the official reports write it.
    pub fn root_path(&self) -> &'static str {
        match self.syntax {
            Syntax::UblInvoice => "/Invoice",
            Syntax::UblCreditNote => "/CreditNote",
            _ => "/rsm:CrossIndustryInvoice",
        }
    }
}

fn fatal_only(rule: &str, de: &str, en: &str, location: &str) -> Vec<Finding> {
    let mut out = Out::default();
    out.fatal(rule, location, de, en);
    out.list
}

/// The maximum element depth, computed without recursion (document order visits a parent
/// before its children).
fn depth_of(doc: &roxmltree::Document<'_>) -> usize {
    let total = doc.descendants().count();
    let mut depth = vec![0usize; total + 1];
    let mut max = 0;
    for n in doc.descendants() {
        let d = n
            .parent()
            .and_then(|p| depth.get(p.id().get_usize()).copied())
            .map_or(0, |d| d + 1);
        if let Some(slot) = depth.get_mut(n.id().get_usize()) {
            *slot = d;
        }
        max = max.max(d);
    }
    max
}

/// Reads and checks one XML document.
pub fn check_xml(bytes: &[u8], container: Option<&Container>) -> Result<Checked, ReadError> {
    let format = if container.is_some() {
        Format::Facturx
    } else {
        Format::Cii
    };
    let embedded_name = container.map(|c| c.embedded_name.clone());
    let not_wellformed = |msg: &str, format: Format| Checked {
        format,
        invoice: None,
        xml: Some(bytes.to_vec()),
        embedded_name: embedded_name.clone(),
        findings: fatal_only(
            "XML-WELLFORMED",
            &format!("Die Datei ist kein wohlgeformtes XML: {msg}"),
            &format!("The file is not well-formed XML: {msg}"),
            "",
        ),
    };
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > crate::MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            limit: crate::MAX_FILE_BYTES,
        });
    }
    let Some(text) = read::decode(bytes) else {
        if !looks_like_xml(bytes) {
            return Err(ReadError::UnknownFormat);
        }
        return Ok(not_wellformed(
            "ungültige Zeichenkodierung / invalid character encoding",
            format,
        ));
    };
    if !looks_like_xml(text.as_bytes()) {
        return Err(ReadError::UnknownFormat);
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(&text, opts) {
        Ok(d) => d,
        Err(roxmltree::Error::DtdDetected) => {
            return Ok(Checked {
                format,
                invoice: None,
                xml: Some(bytes.to_vec()),
                embedded_name,
                findings: fatal_only(
                    "XML-DOCTYPE",
                    "Eine DOCTYPE-Deklaration ist in einer E-Rechnung nicht erlaubt.",
                    "A DOCTYPE declaration is not allowed in an e-invoice.",
                    "",
                ),
            });
        }
        Err(e) => return Ok(not_wellformed(&e.to_string(), format)),
    };
    if depth_of(&doc) > MAX_DEPTH {
        return Ok(not_wellformed(
            &format!("Verschachtelung tiefer als {MAX_DEPTH} / nesting deeper than {MAX_DEPTH}"),
            format,
        ));
    }
    let root = doc.root_element();
    let Some(syntax) = Syntax::of(root) else {
        let tag = root.tag_name();
        return Err(ReadError::NotAnInvoice(match tag.namespace() {
            Some(ns) => format!("{{{ns}}}{}", tag.name()),
            None => tag.name().to_string(),
        }));
    };
    let format = if container.is_some() {
        Format::Facturx
    } else if syntax.is_ubl() {
        Format::Ubl
    } else {
        Format::Cii
    };
    let invoice = read::read(root, syntax);
    let findings = run_checks(root, syntax, &invoice, container.is_some());
    Ok(Checked {
        format,
        invoice: Some(invoice),
        xml: Some(bytes.to_vec()),
        embedded_name,
        findings,
    })
}

/// `true` when the text starts (after whitespace and a BOM) with markup.
fn looks_like_xml(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = b.iter().find(|c| !c.is_ascii_whitespace());
    matches!(first, Some(b'<')) || bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")
}

/// Runs every rule set that applies to the declared profile and returns the findings,
/// with the KoSIT severity overrides applied and duplicates merged.
pub fn run_checks(root: N<'_>, syntax: Syntax, inv: &Invoice, from_pdf: bool) -> Vec<Finding> {
    let mut out = Out::default();
    if syntax == Syntax::Zugferd1 {
        out.fatal(
            "SYNTAX",
            "",
            "ZUGFeRD 1.0 (CrossIndustryDocument) ist keine EN-16931-Rechnung und wird nicht geprüft.",
            "ZUGFeRD 1.0 (urn:ferd:CrossIndustryDocument:invoice:1p0) is not EN 16931 and is not validated here.",
        );
        return out.list;
    }
    let profile = Profile::detect(syntax, inv.customization_id.as_deref());
    profile.report(syntax, inv.customization_id.as_deref(), &mut out);
    let ctx = Ctx {
        root,
        syntax,
        inv,
        profile,
    };
    let fx = facturx::level(&ctx, from_pdf);
    schema::check(&ctx, fx, &mut out);

    // EN 16931 rules: not for MINIMUM / BASIC WL (not invoices) nor EXTENDED (which carries
    // its own adapted copy of them); those profiles get the mapped subset below.
    let mut en = Out::default();
    core::check(&ctx, &mut en);
    vat::check(&ctx, &mut en);
    codes::check(&ctx, &mut en);
    if profile.runs_en16931(syntax) {
        out.list.extend(en.list.iter().cloned());
    }
    if let Some(level) = fx {
        facturx::check(&ctx, level, &en.list, &mut out);
    }
    if profile.xrechnung().is_some() {
        xrechnung::check(&ctx, &mut out);
    }
    profile.apply_levels(syntax, &mut out.list);
    calc::check(&ctx, &mut out);
    dedupe(out.list)
}

/// The same rule at the same place is reported once (the wrapper's `<A + B>` merge); the
/// more severe one wins.
fn dedupe(list: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(list.len());
    for f in list {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.rule == f.rule && p.location == f.location)
        {
            if f.severity < prev.severity {
                prev.severity = f.severity;
            }
            continue;
        }
        out.push(f);
    }
    out
}
