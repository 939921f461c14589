//! E-invoices out: XRechnung 3.0.x as OASIS UBL 2.1 (Invoice / CreditNote) and as
//! UN/CEFACT CII D16B, and the Factur-X / ZUGFeRD 2.x XML of profile EN 16931 that the hybrid
//! PDF embeds as `factur-x.xml` — all built from an issued document's own snapshot (content,
//! totals, seller and buyer as issued), so a re-render gives the same bytes.
//!
//! The XML is written with quick-xml's event writer: values are escaped by quick-xml, never
//! concatenated into markup. The `en16931-formats` 0.8 crate was looked at: it brings its own
//! document model and a hand-rolled serialiser (19 k lines, one maintainer, 0.x), and mapping
//! Kontor's document into it would be as much code as writing the two syntaxes directly, with
//! less control over the XRechnung specifics (BR-DE-*). Decision: quick-xml directly.
//!
//! Mapping decisions (see also `kontor_domain::validation::{xrechnung_problems,
//! payment_problems}`):
//! - Profiles: [`write`] produces XRechnung (BT-24 [`CUSTOMIZATION_ID`], BT-23 the Peppol
//!   process). [`facturx_cii`] produces the same CII with BT-24 = [`FACTURX_GUIDELINE`]
//!   (`urn:cen.eu:en16931:2017`, Factur-X "EN 16931" / ZUGFeRD "COMFORT") and without BT-23;
//!   the XRechnung-only rules (BT-10 buyer reference, seller contact BR-DE-2/5/6/7, electronic
//!   addresses, an IBAN) are not required for it — the element is simply left out when empty.
//!   Without a valid seller IBAN the Factur-X has no BG-16 (EN 16931 BR-61 would need the
//!   account for code 58); BT-20 still states the terms.
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
//! - Payment (BG-16): a credit transfer is means 58 with the seller's IBAN/BIC (BG-17); a
//!   SEPA direct debit (document payment method `direct_debit`, receivables only) is means 59
//!   with the mandate reference BT-89, the debited IBAN BT-91 (BG-19) and the seller's SEPA
//!   creditor identifier BT-90 (UBL: seller `PartyIdentification` with scheme `SEPA`; CII:
//!   `CreditorReferenceID`); no seller account is written then (XRechnung BR-DE-25). Issuing a
//!   direct debit without these refuses, naming the field.
//! - BT-20 payment terms: a sentence in the document's language (due date, each Skonto step
//!   with its date and amount, the direct debit notice), then one line per Skonto step in the
//!   XRechnung form `#SKONTO#TAGE=n#PROZENT=p.pp#`, each ending with a line break (BR-DE-18).
//!   The Skonto base is the amount due BT-115 (Kontor computes Skonto on nothing else), so
//!   `BASISBETRAG` is never needed and not written. Factur-X gets the same text (ZUGFeRD
//!   readers understand the `#SKONTO#` convention; EN 16931 has no structured Skonto).
//! - Final invoice (§ 14 Abs. 5 UStG): the deducted down-payment invoices are BT-113 (with
//!   any other prepayment), so BT-115 = BT-112 − BT-113 as on the PDF; the VAT breakdown
//!   stays that of the whole supply. A note (BT-22) lists each down-payment invoice with its
//!   number, date, net amount and VAT per rate and what is still open on it. UBL also names
//!   each as a preceding invoice (BG-3); CII D16B allows only one `InvoiceReferencedDocument`,
//!   kept for the corrected invoice of a credit note. Negative lines per down payment were not
//!   chosen: they would make BT-112 the remainder instead of the supply's total.
//! - Foreign currency: BT-5 is the document currency. With a currency other than EUR the
//!   document must carry an exchange rate, stated as units of the document currency per 1 EUR
//!   (the ECB / Federal Ministry of Finance convention); BT-6 is then `EUR` and BT-111 (UBL: a
//!   second `TaxTotal` without subtotals; CII: a second `TaxTotalAmount`) is the VAT total
//!   divided by the rate, rounded to 2 decimals half away from zero. The per-group amounts stay
//!   in the document currency, as EN 16931 defines them.

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
use kontor_domain::{CompanyProfile, ContactData, Issued, Language};

/// The XRechnung specification identifier (BT-24).
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// The business process (BT-23), required by PEPPOL-EN16931-R001 which XRechnung includes.
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// The Factur-X / ZUGFeRD 2.x guideline of profile EN 16931 (BT-24, "COMFORT").
pub const FACTURX_GUIDELINE: &str = "urn:cen.eu:en16931:2017";

/// Which rules a CII file is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// XRechnung 3.0 (EN 16931 + the German CIUS, BR-DE-*).
    XRechnung,
    /// Factur-X / ZUGFeRD profile EN 16931: the XML inside the hybrid PDF.
    FacturX,
}

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

impl<'a> From<&'a Issued> for Invoice<'a> {
    /// The e-invoice view of an issued document: everything from its own snapshot.
    fn from(doc: &'a Issued) -> Self {
        Invoice {
            number: doc.number.as_str(),
            content: &doc.content,
            totals: &doc.totals,
            seller: &doc.seller,
            buyer: &doc.buyer,
            language: doc.language,
            subject: &doc.texts.subject,
            intro_text: &doc.texts.intro,
            closing_text: &doc.texts.closing,
            preceding_number: doc.preceding.as_ref().map(|p| p.number.as_str()),
            preceding_date: doc.preceding.as_ref().map(|p| p.date),
        }
    }
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
    check_profile(inv, Profile::XRechnung)
}

/// What stops an e-invoice of the given profile for this invoice (empty: it can be written).
pub fn check_profile(inv: &Invoice<'_>, profile: Profile) -> Result<(), Error> {
    let doc_type = inv.content.doc_type;
    if !doc_type.is_tax_invoice() {
        return Err(Error::NotAnInvoice(doc_type.as_str()));
    }
    let mut problems = match profile {
        Profile::XRechnung => validation::xrechnung_problems(inv.seller, inv.buyer),
        // EN 16931 itself has no buyer reference, seller contact or electronic address rule
        // (those are XRechnung's BR-DE-*); the typed IBAN cannot break BR-61.
        Profile::FacturX => Vec::new(),
    };
    problems.extend(validation::payment_problems(
        inv.content,
        inv.seller,
        inv.buyer,
    ));
    if inv.number.trim().is_empty() {
        problems.push(problem("number"));
    }
    if doc_type.is_correction() && inv.preceding_number.is_none_or(|n| n.trim().is_empty()) {
        problems.push(problem("reference"));
    }
    if inv.seller.vat_id.is_none() && inv.seller.tax_number.trim().is_empty() {
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
        message: format!("{field} is required for an e-invoice"),
    }
}

/// Builds and serialises the XRechnung in the given syntax.
pub fn write(inv: &Invoice<'_>, syntax: Syntax) -> Result<Vec<u8>, Error> {
    check(inv)?;
    Ok(match syntax {
        Syntax::Ubl => ubl::write(inv)?,
        Syntax::Cii => cii::write(inv, Profile::XRechnung)?,
    })
}

/// Builds and serialises the Factur-X / ZUGFeRD invoice (profile EN 16931, CII D16B) that
/// the hybrid PDF embeds as `factur-x.xml`.
pub fn facturx_cii(inv: &Invoice<'_>) -> Result<Vec<u8>, Error> {
    check_profile(inv, Profile::FacturX)?;
    Ok(cii::write(inv, Profile::FacturX)?)
}

#[cfg(test)]
mod tests;
