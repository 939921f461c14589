//! Sample documents for tests, benchmarks and the look of the layout (not used in serving).

use chrono::NaiveDate;
use kontor_domain::document::{DocumentContent, LineKind};
use kontor_domain::{
    CompanyProfile, ContactData, DocumentNumber, DocumentType, Draft, Issued, Language, Line,
    TaxMode, Texts, totals,
};
use rust_decimal::Decimal;

/// Lines that fill ten pages with the default layout (checked by a test).
pub const LINES_FOR_TEN_PAGES: usize = 300;

pub fn seller() -> CompanyProfile {
    CompanyProfile {
        name: "Müller & Söhne Werkzeugbau".into(),
        legal_form: "GmbH".into(),
        street: "Hauptstraße 12".into(),
        postal_code: "80331".into(),
        city: "München".into(),
        country: "DE".into(),
        tax_number: "143/123/45678".into(),
        vat_id: kontor_domain::VatId::parse("DE123456789").ok(),
        registry: "Amtsgericht München HRB 123456".into(),
        managing_directors: "Anna Müller, Jürgen Groß".into(),
        contact_name: "Łukasz Peña".into(),
        contact_phone: "+49 89 1234567".into(),
        contact_email: "rechnung@mueller-werkzeugbau.de".into(),
        iban: kontor_domain::Iban::parse("DE89 3704 0044 0532 0130 00").ok(),
        bic: kontor_domain::Bic::parse("COBADEFFXXX").ok(),
        bank_name: "Commerzbank München".into(),
        default_payment_terms_days: 14,
        ..Default::default()
    }
}

pub fn buyer() -> ContactData {
    ContactData {
        name: "Brauerei Weißbräu Straßberger KG".into(),
        street: "Am Mühlbach 7".into(),
        postal_code: "93047".into(),
        city: "Regensburg".into(),
        country: "DE".into(),
        buyer_reference: "PO-4711".into(),
        ..Default::default()
    }
}

const ITEMS: &[(&str, &str, i64, i64)] = &[
    (
        "Fräsarbeiten Gehäuse Typ A\nAluminium, eloxiert, nach Zeichnung 4711-B",
        "HUR",
        8550,
        19,
    ),
    ("Drehteil Welle Ø 20 mm", "H87", 1240, 19),
    ("Montage vor Ort", "HUR", 7200, 19),
    ("Fachbuch Zerspanungstechnik", "H87", 4990, 7),
    ("Materialzuschlag Edelstahl 1.4301", "KGM", 1875, 19),
    ("Anfahrtspauschale", "LS", 6500, 19),
];

/// An issued invoice with `n` lines (numbered, snapshots set).
#[expect(clippy::expect_used, reason = "a constant document number")]
pub fn invoice(n: usize, tax_mode: TaxMode, language: Language) -> Issued {
    let lines: Vec<Line> = (0..n)
        .map(|i| {
            let (desc, unit, cents, rate) = ITEMS[i % ITEMS.len()];
            Line {
                kind: LineKind::Item,
                article_id: None,
                description: desc.into(),
                quantity: Decimal::from((i % 7 + 1) as i64),
                unit: kontor_domain::UnitCode::parse(unit).unwrap_or_default(),
                unit_price: Decimal::new(cents, 2),
                vat_rate: kontor_domain::VatRate::new(Decimal::from(rate)).unwrap_or_default(),
                discount_percent: Decimal::ZERO,
            }
        })
        .collect();
    let content = DocumentContent {
        doc_type: DocumentType::Invoice,
        tax_mode,
        currency: kontor_domain::CurrencyCode::EUR,
        date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
        delivery_date: NaiveDate::from_ymd_opt(2026, 11, 20),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 10),
        discount_percent: Decimal::ZERO,
        prepaid_amount: Decimal::ZERO,
        down_payments: Vec::new(),
        lines,
        skonto: Vec::new(),
        payment_method: Default::default(),
        exchange_rate: None,
    };
    let totals = totals::compute(&content);
    Issued {
        number: DocumentNumber::parse("RE-2026-0042").expect("a valid number"),
        content,
        totals,
        language,
        texts: Texts {
            subject: String::new(),
            intro: "Sehr geehrte Damen und Herren,\nvielen Dank für Ihren Auftrag. Wir berechnen Ihnen folgende Leistungen:".into(),
            closing: "Mit freundlichen Grüßen\nMüller & Söhne Werkzeugbau GmbH".into(),
        },
        seller: seller(),
        buyer: buyer(),
        preceding: None,
        issued_at: chrono::DateTime::from_timestamp(1_795_687_200, 0).unwrap_or_default(),
    }
}

/// The same document as a draft (no number, no parties of its own).
pub fn draft(doc: Issued) -> Draft {
    Draft {
        content: doc.content,
        totals: doc.totals,
        language: doc.language,
        texts: doc.texts,
        preceding: doc.preceding,
    }
}
