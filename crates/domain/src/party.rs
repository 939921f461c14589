//! The parties of a document: the seller's company profile and the buyer's contact data.

use serde::{Deserialize, Serialize};

use crate::tax::TaxMode;

/// Document and correspondence language of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
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
    pub buyer_reference: String,
    pub language: Language,
    pub currency: String,
    pub payment_terms_days: Option<i64>,
    pub tax_mode: Option<TaxMode>,
    pub is_customer: bool,
    pub is_supplier: bool,
    pub notes: String,
}
