//! E-invoices out (issue 5): XRechnung 3.0.x as OASIS UBL 2.1 (Invoice / CreditNote) and as
//! UN/CEFACT CII D16B, built from an issued document's own snapshot (content, totals, seller
//! and buyer as issued), so a re-render gives the same bytes.
//!
//! The XML is written with quick-xml's event writer: values are escaped by quick-xml, never
//! concatenated into markup. The `en16931-formats` 0.8 crate was looked at: it brings its own
//! document model and a hand-rolled serialiser (19 k lines, one maintainer, 0.x), and mapping
//! Kontor's document into it would be as much code as writing the two syntaxes directly, with
//! less control over the XRechnung specifics (BR-DE-*). Decision: quick-xml directly.
//!
//! Mapping decisions (see also `kontor_domain::validation::xrechnung_problems`):
//! - BT-3: invoice 380, down-payment invoice 326 (partial invoice; 386 is outside the codes
//!   XRechnung allows, BR-DE-17), credit note and cancellation 381 with positive amounts and
//!   the corrected invoice as BG-3.
//! - VAT categories come from the tax mode (`TaxMode::category`): S, Z (0 % standard mode),
//!   E (§ 19 UStG, reason text only: there is no VATEX code for it), AE (VATEX-EU-AE),
//!   K (VATEX-EU-IC, with the deliver-to country), G (VATEX-EU-G). Reason texts are the legal
//!   notes of the tax mode in the document's language.
//! - Document discount: one allowance per VAT group (BG-20) with reason code 95 "Rabatt",
//!   percentage and base amount; line discounts as line allowances (BG-27).
//! - BT-34 / BT-49: e-mail addresses with scheme EM; BT-10 is the contact's buyer reference
//!   (Leitweg-ID for public buyers). Without one no XRechnung is produced (BR-DE-15): Kontor
//!   invents no placeholder.
//! - Payment: means 58 (SEPA credit transfer) with the seller's IBAN, BT-20 as text with the
//!   due date. Skonto is not modelled in Kontor yet, so no `#SKONTO#` line is written.
//! - Foreign currency: BT-5 is the document currency; BT-6/BT-111 (VAT in EUR) need an
//!   exchange rate Kontor does not store yet, so they are not written (optional in EN 16931).

mod cii;
mod common;
#[doc(hidden)]
pub mod sample;
mod ubl;
mod xml;

use chrono::NaiveDate;
use kontor_domain::document::DocumentContent;
use kontor_domain::totals::Totals;
use kontor_domain::validation::{self, Problem};
use kontor_domain::{CompanyProfile, ContactData, Language};

/// The XRechnung specification identifier (BT-24).
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// The business process (BT-23), required by PEPPOL-EN16931-R001 which XRechnung includes.
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// The two XRechnung syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Ubl,
    Cii,
}

impl Syntax {
    pub fn parse(s: &str) -> Option<Syntax> {
        match s {
            "ubl" => Some(Syntax::Ubl),
            "cii" => Some(Syntax::Cii),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Ubl => "ubl",
            Syntax::Cii => "cii",
        }
    }
    /// The archive kind of this syntax ("xrechnung-ubl", "xrechnung-cii").
    pub fn kind(self) -> &'static str {
        match self {
            Syntax::Ubl => "xrechnung-ubl",
            Syntax::Cii => "xrechnung-cii",
        }
    }
}

pub const CONTENT_TYPE: &str = "application/xml";

/// Everything an e-invoice is made of: an issued document's snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Invoice<'a> {
    /// BT-1.
    pub number: &'a str,
    pub content: &'a DocumentContent,
    pub totals: &'a Totals,
    pub seller: &'a CompanyProfile,
    pub buyer: &'a ContactData,
    pub language: Language,
    pub subject: &'a str,
    pub intro_text: &'a str,
    pub closing_text: &'a str,
    /// BG-3: the corrected invoice's number, for credit notes and cancellations.
    pub preceding_number: Option<&'a str>,
    pub preceding_date: Option<NaiveDate>,
}

/// Why no e-invoice is written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a {0} is not an invoice; no e-invoice is produced")]
    NotAnInvoice(&'static str),
    #[error("the e-invoice lacks: {}", .0.iter().map(|p| p.field.as_str()).collect::<Vec<_>>().join(", "))]
    Incomplete(Vec<Problem>),
    #[error("writing XML: {0}")]
    Xml(#[from] std::io::Error),
}

/// What stops an XRechnung for this invoice (empty: it can be written). Beyond the checks
/// of `issue_problems` (which every issued document passed), the XRechnung needs what
/// `validation::xrechnung_problems` lists, and credit notes need the corrected invoice.
pub fn check(inv: &Invoice<'_>) -> Result<(), Error> {
    let doc_type = inv.content.doc_type;
    if !doc_type.is_tax_invoice() {
        return Err(Error::NotAnInvoice(doc_type.as_str()));
    }
    let mut problems = validation::xrechnung_problems(inv.seller, inv.buyer);
    if inv.number.trim().is_empty() {
        problems.push(problem("number"));
    }
    if doc_type.is_correction() && inv.preceding_number.is_none_or(|n| n.trim().is_empty()) {
        problems.push(problem("reference"));
    }
    if inv.seller.vat_id.trim().is_empty() && inv.seller.tax_number.trim().is_empty() {
        problems.push(problem("company.tax_number"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Incomplete(problems))
    }
}

fn problem(field: &str) -> Problem {
    Problem {
        field: field.to_string(),
        code: "einvoice_missing",
        message: format!("{field} is required for an XRechnung"),
    }
}

/// Builds and serialises the XRechnung in the given syntax.
pub fn write(inv: &Invoice<'_>, syntax: Syntax) -> Result<Vec<u8>, Error> {
    check(inv)?;
    Ok(match syntax {
        Syntax::Ubl => ubl::write(inv)?,
        Syntax::Cii => cii::write(inv)?,
    })
}

#[cfg(test)]
mod tests;
