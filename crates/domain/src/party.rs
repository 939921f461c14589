//! The parties of a document: the seller's company profile and the buyer's contact data.

use serde::{Deserialize, Serialize};

use crate::tax::TaxMode;
use crate::terms::{PaymentMethod, SkontoStep};
use crate::values::{
    Bic, CurrencyCode, Iban, LeitwegId, VatId, compact_code, parse_optional, stored,
};

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
    #[serde(with = "stored")]
    pub vat_id: Option<VatId>,
    pub registry: String,
    pub managing_directors: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    #[serde(with = "stored")]
    pub iban: Option<Iban>,
    #[serde(with = "stored")]
    pub bic: Option<Bic>,
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
    #[serde(with = "stored")]
    pub vat_id: Option<VatId>,
    pub tax_number: String,
    pub email: String,
    pub phone: String,
    /// BT-10: the buyer's reference, for public-sector buyers the Leitweg-ID.
    pub buyer_reference: String,
    /// The e-invoice format the contact wants (ZUGFeRD PDF, XRechnung UBL or CII).
    pub einvoice_format: EInvoiceFormat,
    pub language: Language,
    /// The currency of the contact's new documents; `None` is the document default (EUR).
    #[serde(with = "stored")]
    pub currency: Option<CurrencyCode>,
    pub payment_terms_days: Option<i64>,
    /// Skonto steps for this contact's documents; `None` takes the company's default.
    pub skonto: Option<Vec<SkontoStep>>,
    /// How this contact pays by default (transfer or SEPA direct debit).
    pub payment_method: PaymentMethod,
    /// SEPA direct debit mandate reference (EN 16931 BT-89).
    pub sepa_mandate_reference: String,
    /// The debited account's IBAN (EN 16931 BT-91).
    #[serde(with = "stored")]
    pub sepa_debtor_iban: Option<Iban>,
    pub tax_mode: Option<TaxMode>,
    pub is_customer: bool,
    pub is_supplier: bool,
    pub notes: String,
}

/// A field that failed validation and why (English; the UI may translate by field).
pub type FieldProblem = (&'static str, String);

/// Parses one optional coded field typed into a form: blank is none; a text that does not
/// parse adds a problem named by the field (the same message wherever it is typed).
pub fn parse_code<T: std::str::FromStr>(
    field: &'static str,
    raw: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<T> {
    parse_optional(raw).unwrap_or_else(|_| {
        problems.push((field, code_problem(field).into()));
        None
    })
}

/// Parses a VAT ID typed into a form, with its check digits (see [`VatId::parse_typed`]).
pub fn parse_vat_id(
    field: &'static str,
    raw: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<VatId> {
    if raw.trim().is_empty() {
        return None;
    }
    match VatId::parse_typed(raw) {
        Ok(id) => Some(id),
        Err(crate::values::VatIdError::CheckDigit) => {
            problems.push((field, VAT_ID_CHECK_DIGIT.into()));
            None
        }
        Err(_) => {
            problems.push((field, code_problem(field).into()));
            None
        }
    }
}

/// The problem of a VAT ID whose check digit does not match.
pub const VAT_ID_CHECK_DIGIT: &str =
    "is not a valid VAT ID: the check digit does not match (a typing error?)";

/// What is wrong with a coded field that does not parse.
fn code_problem(field: &str) -> &'static str {
    match field {
        "vat_id" => "must start with the country prefix, e.g. DE123456789",
        "currency" => "is not a supported ISO 4217 currency",
        "iban" | "sepa_debtor_iban" => "is not a valid IBAN (checksum)",
        "bic" => "is not a BIC (8 or 11 letters and digits)",
        _ => "is not valid",
    }
}

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
    /// The data as it is kept: country codes upper-cased (the coded fields are kept in one form
    /// by their types).
    pub fn normalized(mut self) -> ContactData {
        self.country = self.country.trim().to_uppercase();
        self.delivery_country = self.delivery_country.trim().to_uppercase();
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
        if !check_email(&self.email) {
            p.push(("email", "is not an e-mail address".into()));
        }
        if self.einvoice_format.is_xrechnung()
            && LeitwegId::is_shaped_like(&self.buyer_reference)
            && let Err(e) = LeitwegId::parse(&self.buyer_reference)
        {
            p.push(("buyer_reference", format!("is not a valid Leitweg-ID: {e}")));
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

    /// The profile as it is kept: the country upper-cased, the creditor ID without spaces (the
    /// other coded fields are kept in one form by their types).
    pub fn normalized(mut self) -> CompanyProfile {
        self.country = self.country.trim().to_uppercase();
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
            delivery_country: "at ".into(),
            ..Default::default()
        }
        .normalized();
        assert_eq!(
            (c.country.as_str(), c.delivery_country.as_str()),
            ("DE", "AT")
        );
        let p = CompanyProfile {
            creditor_id: "de98 zzz0 9999 9999 99".into(),
            ..Default::default()
        }
        .normalized();
        assert_eq!(p.creditor_id, "DE98ZZZ09999999999");
    }

    #[test]
    fn coded_fields_are_parsed_once_and_named_when_wrong() {
        let mut problems = Vec::new();
        let vat_id: Option<VatId> = parse_code("vat_id", "de 123 456 789", &mut problems);
        let currency: Option<CurrencyCode> = parse_code("currency", "eur", &mut problems);
        let blank: Option<Iban> = parse_code("sepa_debtor_iban", " ", &mut problems);
        assert_eq!(vat_id.unwrap().as_str(), "DE123456789");
        assert_eq!(currency, Some(CurrencyCode::EUR));
        assert_eq!(blank, None);
        assert!(problems.is_empty());
        let wrong: Option<Iban> = parse_code("iban", "DE03120300000000202051", &mut problems);
        let _: Option<Bic> = parse_code("bic", "COBADEFFX", &mut problems);
        assert_eq!(wrong, None);
        assert_eq!(
            problems,
            vec![
                ("iban", "is not a valid IBAN (checksum)".to_string()),
                (
                    "bic",
                    "is not a BIC (8 or 11 letters and digits)".to_string()
                )
            ]
        );
    }

    #[test]
    fn contact_problems_name_fields() {
        let c = ContactData {
            country: "XX".into(),
            email: "nope".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = c.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["name", "country", "email"]);
    }

    #[test]
    fn a_leitweg_id_with_a_wrong_check_digit_is_named_for_xrechnung_contacts() {
        let contact = |format, reference: &str| ContactData {
            name: "Stadt Musterhausen".into(),
            country: "DE".into(),
            einvoice_format: format,
            buyer_reference: reference.into(),
            ..Default::default()
        };
        let xr = EInvoiceFormat::XrechnungUbl;
        assert!(contact(xr, "04011000-12345-03").problems().is_empty());
        assert_eq!(
            contact(xr, "04011000-12345-04").problems(),
            vec![(
                "buyer_reference",
                "is not a valid Leitweg-ID: the Leitweg-ID's check digits are wrong".to_string()
            )]
        );
        // Order numbers of other shapes, and any reference for a ZUGFeRD contact, stay free.
        assert!(contact(xr, "PO-4711").problems().is_empty());
        assert!(contact(xr, "4500-12").problems().is_empty());
        assert!(
            contact(EInvoiceFormat::Zugferd, "04011000-12345-04")
                .problems()
                .is_empty()
        );
    }

    #[test]
    fn stored_snapshots_keep_their_shape() {
        let c = ContactData {
            vat_id: VatId::parse("DE123456789").ok(),
            ..Default::default()
        };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["vat_id"], "DE123456789");
        assert_eq!(json["currency"], "");
        assert_eq!(json["sepa_debtor_iban"], "");
        let back: ContactData = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
