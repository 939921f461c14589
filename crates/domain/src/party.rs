//! The parties of a document: the seller's company profile and the buyer's contact data.

use serde::{Deserialize, Serialize};

use crate::tax::TaxMode;
use crate::terms::{PaymentMethod, SkontoStep};
use crate::values::{CurrencyCode, Iban, VatId, compact_code};

/// The one language type: of a contact's documents and correspondence, of a user's pages, of
/// messages. German is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    De,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The ISO 639-1 code, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The preferred language from an `Accept-Language` header (German unless English comes
    /// first).
    pub fn from_accept_language(header: &str) -> Language {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("de") {
                return Language::De;
            }
            if tag.starts_with("en") {
                return Language::En;
            }
        }
        Language::De
    }
}

/// A contact is a company or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    #[default]
    Company,
    Person,
}

impl ContactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Company => "company",
            ContactKind::Person => "person",
        }
    }
    pub fn parse(s: &str) -> Option<ContactKind> {
        match s {
            "company" => Some(ContactKind::Company),
            "person" => Some(ContactKind::Person),
            _ => None,
        }
    }
}

/// The electronic invoice format a contact wants to receive.
///
/// `Zugferd` (the default) is the invoice PDF, which becomes the ZUGFeRD hybrid once the PDF
/// renderer embeds the XML. The two XRechnung choices make the XRechnung rules (BR-DE-*, e.g.
/// the buyer reference BT-10) mandatory before a document for this contact may be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EInvoiceFormat {
    #[default]
    Zugferd,
    XrechnungUbl,
    XrechnungCii,
}

impl EInvoiceFormat {
    pub const ALL: [EInvoiceFormat; 3] = [
        EInvoiceFormat::Zugferd,
        EInvoiceFormat::XrechnungUbl,
        EInvoiceFormat::XrechnungCii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EInvoiceFormat::Zugferd => "zugferd",
            EInvoiceFormat::XrechnungUbl => "xrechnung_ubl",
            EInvoiceFormat::XrechnungCii => "xrechnung_cii",
        }
    }

    pub fn parse(s: &str) -> Option<EInvoiceFormat> {
        EInvoiceFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the contact wants an XRechnung, so that its rules apply before issuing.
    pub fn is_xrechnung(self) -> bool {
        self != EInvoiceFormat::Zugferd
    }
}

/// The seller: the business that runs Kontor. Snapshotted into every issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CompanyProfile {
    pub name: String,
    pub legal_form: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub tax_number: String,
    pub vat_id: String,
    pub registry: String,
    pub managing_directors: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub iban: String,
    pub bic: String,
    pub bank_name: String,
    /// Kleinunternehmer according to § 19 UStG.
    pub small_business: bool,
    pub default_payment_terms_days: i64,
    /// Skonto steps for new documents when the contact sets none.
    pub default_skonto: Vec<SkontoStep>,
    /// SEPA creditor identifier (Gläubiger-ID, EN 16931 BT-90), needed for direct debits.
    pub creditor_id: String,
}

/// A customer's or supplier's master data. Snapshotted as the buyer into issued documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ContactData {
    pub kind: ContactKind,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub delivery_street: String,
    pub delivery_postal_code: String,
    pub delivery_city: String,
    pub delivery_country: String,
    pub vat_id: String,
    pub tax_number: String,
    pub email: String,
    pub phone: String,
    /// BT-10: the buyer's reference, for public-sector buyers the Leitweg-ID.
    pub buyer_reference: String,
    /// The e-invoice format the contact wants (ZUGFeRD PDF, XRechnung UBL or CII).
    pub einvoice_format: EInvoiceFormat,
    pub language: Language,
    pub currency: String,
    pub payment_terms_days: Option<i64>,
    /// Skonto steps for this contact's documents; `None` takes the company's default.
    pub skonto: Option<Vec<SkontoStep>>,
    /// How this contact pays by default (transfer or SEPA direct debit).
    pub payment_method: PaymentMethod,
    /// SEPA direct debit mandate reference (EN 16931 BT-89).
    pub sepa_mandate_reference: String,
    /// The debited account's IBAN (EN 16931 BT-91).
    pub sepa_debtor_iban: String,
    pub tax_mode: Option<TaxMode>,
    pub is_customer: bool,
    pub is_supplier: bool,
    pub notes: String,
}

/// A field that failed validation and why (English; the UI may translate by field).
pub type FieldProblem = (&'static str, String);

fn check_email(v: &str) -> bool {
    v.is_empty() || (v.contains('@') && !v.contains(char::is_whitespace) && v.len() <= 254)
}

/// `FieldProblem` names are static: the Skonto fields that can occur.
fn skonto_field(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "skonto",
        "skonto[0].days",
        "skonto[0].percent",
        "skonto[1]",
        "skonto[1].days",
        "skonto[1].percent",
        "default_skonto",
        "default_skonto[0].days",
        "default_skonto[0].percent",
        "default_skonto[1]",
        "default_skonto[1].days",
        "default_skonto[1].percent",
    ];
    NAMES
        .iter()
        .find(|n| **n == name)
        .copied()
        .unwrap_or("skonto")
}

fn skonto_field_problems(steps: &[SkontoStep]) -> Vec<FieldProblem> {
    crate::terms::skonto_problems("skonto", steps)
        .into_iter()
        .map(|(f, m)| (skonto_field(&f), m))
        .collect()
}

impl ContactData {
    /// The data as it is kept: country and currency codes upper-cased, the VAT ID and the IBAN
    /// without spaces.
    pub fn normalized(mut self) -> ContactData {
        self.country = self.country.trim().to_uppercase();
        self.delivery_country = self.delivery_country.trim().to_uppercase();
        self.currency = self.currency.trim().to_uppercase();
        self.vat_id = compact_code(&self.vat_id);
        self.sepa_debtor_iban = compact_code(&self.sepa_debtor_iban);
        self
    }

    /// Checks the contact's fields; an empty list means it is acceptable.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push(("name", "is required".into()));
        }
        if !crate::codes::is_country(&self.country) {
            p.push((
                "country",
                "must be an ISO 3166 country code such as DE".into(),
            ));
        }
        if !self.delivery_country.is_empty() && !crate::codes::is_country(&self.delivery_country) {
            p.push((
                "delivery_country",
                "must be an ISO 3166 country code such as DE".into(),
            ));
        }
        if !self.vat_id.is_empty() && VatId::parse(&self.vat_id).is_err() {
            p.push((
                "vat_id",
                "must start with the country prefix, e.g. DE123456789".into(),
            ));
        }
        if !check_email(&self.email) {
            p.push(("email", "is not an e-mail address".into()));
        }
        if !self.currency.is_empty() && CurrencyCode::parse(&self.currency).is_err() {
            p.push(("currency", "is not a supported ISO 4217 currency".into()));
        }
        if self
            .payment_terms_days
            .is_some_and(|d| !(0..=365).contains(&d))
        {
            p.push(("payment_terms_days", "must be between 0 and 365".into()));
        }
        if let Some(steps) = &self.skonto {
            p.extend(skonto_field_problems(steps));
        }
        if !self.sepa_debtor_iban.is_empty() && Iban::parse(&self.sepa_debtor_iban).is_err() {
            p.push(("sepa_debtor_iban", "is not a valid IBAN (checksum)".into()));
        }
        if self.sepa_mandate_reference.chars().count() > 35
            || !self
                .sepa_mandate_reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+?/-:().,' ".contains(c))
        {
            p.push((
                "sepa_mandate_reference",
                "must have at most 35 characters: letters A-Z, digits and + ? / - : ( ) . , ' or space".into(),
            ));
        }
        for (field, value, max) in [
            ("name", &self.name, 200),
            ("street", &self.street, 200),
            ("city", &self.city, 100),
            ("notes", &self.notes, 5000),
        ] {
            if value.chars().count() > max {
                p.push((field, format!("is longer than {max} characters")));
            }
        }
        p
    }
}

impl CompanyProfile {
    /// The name as printed: the legal form appended unless the name already ends with it
    /// ("Holzwerk Sommer" + "GmbH" and "Holzwerk Sommer GmbH" + "GmbH" both give
    /// "Holzwerk Sommer GmbH").
    pub fn full_name(&self) -> String {
        let (name, form) = (self.name.trim(), self.legal_form.trim());
        let lower = name.to_lowercase();
        let form_lower = form.to_lowercase();
        let has_form = form.is_empty()
            || lower == form_lower
            || lower
                .strip_suffix(&form_lower)
                .is_some_and(|rest| rest.ends_with([' ', ',', '\u{a0}']));
        match (name.is_empty(), has_form) {
            (true, _) => form.to_string(),
            (false, true) => name.to_string(),
            (false, false) => format!("{name} {form}"),
        }
    }

    /// The profile as it is kept: the country and the BIC upper-cased, the VAT ID, the IBAN
    /// and the creditor ID without spaces.
    pub fn normalized(mut self) -> CompanyProfile {
        self.country = self.country.trim().to_uppercase();
        self.vat_id = compact_code(&self.vat_id);
        self.iban = compact_code(&self.iban);
        self.bic = self.bic.trim().to_uppercase();
        self.creditor_id = compact_code(&self.creditor_id);
        self
    }

    /// Checks the profile's fields; an empty list means it is acceptable.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push(("name", "is required".into()));
        }
        if !crate::codes::is_country(&self.country) {
            p.push((
                "country",
                "must be an ISO 3166 country code such as DE".into(),
            ));
        }
        if !self.vat_id.is_empty() && VatId::parse(&self.vat_id).is_err() {
            p.push((
                "vat_id",
                "must start with the country prefix, e.g. DE123456789".into(),
            ));
        }
        if !self.iban.is_empty() && Iban::parse(&self.iban).is_err() {
            p.push(("iban", "is not a valid IBAN (checksum)".into()));
        }
        if !check_email(&self.contact_email) {
            p.push(("contact_email", "is not an e-mail address".into()));
        }
        if !(0..=365).contains(&self.default_payment_terms_days) {
            p.push((
                "default_payment_terms_days",
                "must be between 0 and 365".into(),
            ));
        }
        if !self.creditor_id.is_empty() && !crate::terms::is_valid_creditor_id(&self.creditor_id) {
            p.push((
                "creditor_id",
                "is not a valid SEPA creditor identifier (e.g. DE98ZZZ09999999999)".into(),
            ));
        }
        for (field, msg) in crate::terms::skonto_problems("default_skonto", &self.default_skonto) {
            p.push((skonto_field(&field), msg));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_legal_form_is_printed_once() {
        let full = |name: &str, form: &str| {
            CompanyProfile {
                name: name.into(),
                legal_form: form.into(),
                ..Default::default()
            }
            .full_name()
        };
        assert_eq!(full("Holzwerk Sommer", "GmbH"), "Holzwerk Sommer GmbH");
        assert_eq!(full("Holzwerk Sommer GmbH", "GmbH"), "Holzwerk Sommer GmbH");
        assert_eq!(full("Holzwerk Sommer gmbh", "GmbH"), "Holzwerk Sommer gmbh");
        assert_eq!(
            full("Müller GmbH & Co. KG", "GmbH & Co. KG"),
            "Müller GmbH & Co. KG"
        );
        // A name that merely ends in the same letters still gets its legal form.
        assert_eq!(full("AgKG", "KG"), "AgKG KG");
        assert_eq!(full("Anna Schmidt", ""), "Anna Schmidt");
        assert_eq!(full("", "GmbH"), "GmbH");
    }

    use super::*;

    #[test]
    fn normalizing_keeps_codes_in_one_form() {
        let c = ContactData {
            country: " de".into(),
            currency: "eur".into(),
            vat_id: "de 123 456 789".into(),
            sepa_debtor_iban: "de02 1203 0000 0000 2020 51".into(),
            ..Default::default()
        }
        .normalized();
        assert_eq!(
            (c.country.as_str(), c.currency.as_str(), c.vat_id.as_str()),
            ("DE", "EUR", "DE123456789")
        );
        assert_eq!(c.sepa_debtor_iban, "DE02120300000000202051");
        let p = CompanyProfile {
            bic: " cobadeffxxx ".into(),
            creditor_id: "de98 zzz0 9999 9999 99".into(),
            ..Default::default()
        }
        .normalized();
        assert_eq!(p.bic, "COBADEFFXXX");
        assert_eq!(p.creditor_id, "DE98ZZZ09999999999");
    }

    #[test]
    fn contact_problems_name_fields() {
        let c = ContactData {
            country: "XX".into(),
            vat_id: "123".into(),
            email: "nope".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = c.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["name", "country", "vat_id", "email"]);
    }
}
