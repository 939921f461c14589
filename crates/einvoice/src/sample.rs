//! A complete 10-line sample invoice, for tests and the benchmark.

use chrono::NaiveDate;
use kontor_domain::document::{DocumentContent, DocumentType, Line, LineKind};
use kontor_domain::totals::{self, Totals};
use kontor_domain::{CompanyProfile, ContactData, EInvoiceFormat, Language, TaxMode};
use rust_decimal::Decimal;

use crate::Invoice;

/// Owned parts of an invoice; [`Sample::invoice`] borrows them.
pub struct Sample {
    pub content: DocumentContent,
    pub totals: Totals,
    pub seller: CompanyProfile,
    pub buyer: ContactData,
}

pub fn seller() -> CompanyProfile {
    CompanyProfile {
        name: "Muster & Söhne GmbH".into(),
        street: "Hauptstraße 1".into(),
        postal_code: "10115".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        tax_number: "30/123/45678".into(),
        vat_id: kontor_domain::VatId::parse("DE123456789").ok(),
        registry: "HRB 12345, Amtsgericht Charlottenburg".into(),
        managing_directors: "Erika Muster".into(),
        contact_name: "Erika Muster".into(),
        contact_phone: "+49 30 1234567".into(),
        contact_email: "rechnung@muster.example".into(),
        iban: kontor_domain::Iban::parse("DE02120300000000202051").ok(),
        bic: kontor_domain::Bic::parse("BYLADEM1001").ok(),
        ..Default::default()
    }
}

pub fn buyer() -> ContactData {
    ContactData {
        name: "Stadt Musterhausen <Bauamt>".into(),
        street: "Rathausplatz 2".into(),
        postal_code: "80331".into(),
        city: "München".into(),
        country: "DE".into(),
        email: "einkauf@musterhausen.example".into(),
        buyer_reference: "04011000-12345-03".into(),
        einvoice_format: EInvoiceFormat::XrechnungUbl,
        ..Default::default()
    }
}

/// A standard-rated invoice with `n` lines at 19 % and 7 %, discounts and a prepaid amount.
#[expect(clippy::expect_used, reason = "a constant calendar date")]
pub fn invoice(n: usize) -> Sample {
    let d = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let lines = (0..n)
        .map(|i| Line {
            kind: LineKind::Item,
            article_id: None,
            description: format!("Position {i}: Beratung & Umsetzung"),
            quantity: Decimal::new(15 + i as i64, 1),
            unit: if i % 2 == 0 {
                kontor_domain::UnitCode::parse("HUR").unwrap_or_default()
            } else {
                kontor_domain::UnitCode::PIECE
            },
            unit_price: Decimal::new(851234 + 1000 * i as i64, 4),
            vat_rate: if i % 3 == 0 {
                kontor_domain::VatRate::REDUCED
            } else {
                kontor_domain::VatRate::STANDARD
            },
            discount_percent: if i % 4 == 0 {
                Decimal::from(10)
            } else {
                Decimal::ZERO
            },
        })
        .collect();
    let content = DocumentContent {
        doc_type: DocumentType::Invoice,
        tax_mode: TaxMode::Standard,
        currency: kontor_domain::CurrencyCode::EUR,
        date: d,
        delivery_date: Some(d),
        due_date: d.checked_add_days(chrono::Days::new(14)),
        discount_percent: Decimal::from(3),
        prepaid_amount: Decimal::from(100),
        down_payments: Vec::new(),
        lines,
        skonto: Vec::new(),
        payment_method: Default::default(),
        exchange_rate: None,
    };
    let totals = totals::compute(&content);
    Sample {
        content,
        totals,
        seller: seller(),
        buyer: buyer(),
    }
}

impl Sample {
    pub fn invoice(&self) -> Invoice<'_> {
        Invoice {
            number: "RE-2026-0001",
            content: &self.content,
            totals: &self.totals,
            seller: &self.seller,
            buyer: &self.buyer,
            language: Language::De,
            subject: "Rechnung für Beratung",
            intro_text: "Vielen Dank für Ihren Auftrag.",
            closing_text: "",
            preceding_number: None,
            preceding_date: None,
        }
    }
}
