//! Business data for tests: a complete company, contacts (German business, EU business,
//! consumer), an article, drafts and issued invoices; as values, as API bodies, and created
//! through the app's services.

use chrono::NaiveDate;
use kontor_app::App;
use kontor_app::documents::{self, LineInput};
use kontor_domain::document::{DocumentType, Line, LineKind};
use kontor_domain::{
    CompanyProfile, ContactData, ContactKind, Language, TaxMode, UnitCode, VatRate,
};
use kontor_storage::{Actor, Article, ArticleData, Contact, Document, DraftInput, DraftTexts};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// A date from `YYYY-MM-DD`.
#[track_caller]
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("YYYY-MM-DD")
}

/// A German GmbH with everything an invoice, an XRechnung and a SEPA direct debit need.
pub fn company_profile() -> CompanyProfile {
    CompanyProfile {
        name: "Muster GmbH".into(),
        legal_form: "GmbH".into(),
        street: "Hauptstr. 1".into(),
        postal_code: "10115".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        tax_number: "30/123/45678".into(),
        vat_id: kontor_domain::VatId::parse("DE123456788").ok(),
        registry: "HRB 12345, AG Charlottenburg".into(),
        managing_directors: "Erika Muster".into(),
        contact_name: "Erika Muster".into(),
        contact_phone: "+49 30 1234567".into(),
        contact_email: "info@muster.de".into(),
        iban: kontor_domain::Iban::parse("DE89370400440532013000").ok(),
        bic: kontor_domain::Bic::parse("COBADEFFXXX").ok(),
        bank_name: "Commerzbank".into(),
        small_business: false,
        default_payment_terms_days: 14,
        default_skonto: Vec::new(),
        creditor_id: "DE98ZZZ09999999999".into(),
    }
}

/// [`company_profile`] as the API takes it (`PUT /api/v1/company`), the IBAN typed with spaces.
pub fn company_json() -> Value {
    let c = company_profile();
    json!({
        "name": c.name, "legal_form": c.legal_form, "street": c.street,
        "postal_code": c.postal_code, "city": c.city, "country": c.country,
        "tax_number": c.tax_number, "vat_id": c.vat_id, "registry": c.registry,
        "managing_directors": c.managing_directors, "contact_name": c.contact_name,
        "contact_phone": c.contact_phone, "contact_email": c.contact_email,
        "iban": "DE89 3704 0044 0532 0130 00", "bic": c.bic, "bank_name": c.bank_name,
        "default_payment_terms_days": c.default_payment_terms_days,
        "creditor_id": c.creditor_id
    })
}

/// A German business customer (domestic supply, standard VAT).
pub fn german_b2b() -> ContactData {
    ContactData {
        kind: ContactKind::Company,
        name: "Kunde AG".into(),
        street: "Kundenweg 2".into(),
        postal_code: "80331".into(),
        city: "München".into(),
        country: "DE".into(),
        is_customer: true,
        ..Default::default()
    }
}

/// A business customer in the Netherlands with a VAT id (intra-community supply).
pub fn eu_business() -> ContactData {
    ContactData {
        kind: ContactKind::Company,
        name: "Klant B.V.".into(),
        street: "Keizersgracht 1".into(),
        postal_code: "1015 CJ".into(),
        city: "Amsterdam".into(),
        country: "NL".into(),
        vat_id: kontor_domain::VatId::parse("NL004495445B01").ok(),
        email: "inkoop@klant.example".into(),
        language: Language::En,
        tax_mode: Some(TaxMode::IntraEu),
        is_customer: true,
        ..Default::default()
    }
}

/// A private customer in Germany.
pub fn consumer() -> ContactData {
    ContactData {
        kind: ContactKind::Person,
        name: "Max Mustermann".into(),
        street: "Musterweg 5".into(),
        postal_code: "50667".into(),
        city: "Köln".into(),
        country: "DE".into(),
        email: "max@example.com".into(),
        is_customer: true,
        ..Default::default()
    }
}

/// A customer as the API takes it (`POST /api/v1/contacts`), complete enough to invoice.
pub fn customer_json() -> Value {
    json!({"name": "Kunde AG", "street": "Weg 2", "postal_code": "80331", "city": "München"})
}

/// Consulting by the hour at 19 %.
pub fn consulting() -> ArticleData {
    ArticleData {
        name: "Beratung".into(),
        description: "Beratung je Stunde".into(),
        unit: hours(),
        unit_price: Decimal::from(120),
        vat_rate: VatRate::STANDARD,
        active: true,
    }
}

fn hours() -> UnitCode {
    UnitCode::parse("HUR").expect("HUR is a unit")
}

/// An item line in hours; `vat_rate` must be a rate Kontor accepts.
pub fn item(description: &str, quantity: Decimal, price: Decimal, vat_rate: Decimal) -> Line {
    Line {
        kind: LineKind::Item,
        article_id: None,
        description: description.into(),
        quantity,
        unit: hours(),
        unit_price: price,
        vat_rate: VatRate::new(vat_rate).expect("a VAT rate Kontor accepts"),
        discount_percent: Decimal::ZERO,
    }
}

/// A draft dated 2026-11-26 with delivery on 2026-11-20; everything else from the contact
/// and the company.
pub fn draft(doc_type: DocumentType, contact_id: i64, lines: Vec<Line>) -> DraftInput {
    DraftInput {
        doc_type,
        contact_id,
        date: day("2026-11-26"),
        delivery_date: Some(day("2026-11-20")),
        due_date: None,
        payment_terms_days: None,
        tax_mode: None,
        currency: None,
        language: None,
        discount_percent: Decimal::ZERO,
        prepaid_amount: Decimal::ZERO,
        texts: DraftTexts::default(),
        lines,
        skonto: None,
        payment_method: None,
        exchange_rate: None,
    }
}

/// A document body for the API with one line of 1 × `price` at 19 %, dated and delivered
/// today.
pub fn simple_document(doc_type: &str, contact: i64, price: &str) -> Value {
    json!({
        "type": doc_type, "contact_id": contact, "date": crate::today(), "delivery_date": crate::today(),
        "lines": [{"description": "Beratung", "quantity": "1", "unit": "HUR", "unit_price": price, "vat_rate": "19"}]
    })
}

/// Stores [`company_profile`] as the business's company.
pub async fn setup_company(app: &App) -> CompanyProfile {
    let company = company_profile();
    app.store()
        .update_company(&Actor::system(), &company)
        .await
        .expect("company stored");
    company
}

pub async fn add_contact(app: &App, data: &ContactData) -> Contact {
    app.store()
        .create_contact(&Actor::system(), data)
        .await
        .expect("contact stored")
}

pub async fn add_article(app: &App, data: &ArticleData) -> Article {
    app.store()
        .create_article(&Actor::system(), None, data, app.today())
        .await
        .expect("article stored")
}

/// A draft invoice to `contact_id` of 3 hours of consulting at 100 € and 19 %, dated and
/// delivered today on the app's clock.
pub async fn draft_invoice(app: &App, contact_id: i64) -> Document {
    let line = LineInput {
        description: Some("Beratung".into()),
        quantity: Some(Decimal::from(3)),
        unit: Some("HUR".into()),
        unit_price: Some(Decimal::from(100)),
        vat_rate: Some(Decimal::from(19)),
        ..LineInput::default()
    };
    let input = documents::DraftInput {
        doc_type: Some(DocumentType::Invoice),
        contact_id: Some(contact_id),
        date: Some(app.today()),
        delivery_date: Some(app.today()),
        lines: vec![line],
        ..documents::DraftInput::default()
    };
    app.documents()
        .create(&Actor::system(), input)
        .await
        .expect("draft created")
}

/// [`draft_invoice`], issued (numbered, locked, its files archived).
pub async fn issued_invoice(app: &App, contact_id: i64) -> Document {
    let draft = draft_invoice(app, contact_id).await;
    app.documents()
        .issue(&Actor::system(), draft.id)
        .await
        .expect("invoice issued")
}

/// A business ready to invoice: the company, a German business customer, an article, a draft
/// and an issued invoice.
pub struct Business {
    pub company: CompanyProfile,
    pub customer: Contact,
    pub article: Article,
    pub draft: Document,
    pub issued: Document,
}

/// Creates a [`Business`] through the app's services.
pub async fn business(app: &App) -> Business {
    let company = setup_company(app).await;
    let customer = add_contact(app, &german_b2b()).await;
    let article = add_article(app, &consulting()).await;
    let draft = draft_invoice(app, customer.id).await;
    let issued = issued_invoice(app, customer.id).await;
    Business {
        company,
        customer,
        article,
        draft,
        issued,
    }
}
