//! A final invoice's PDF, read back with poppler's `pdftotext`: each deducted down-payment
//! invoice with its number, date, net amount and VAT per rate (§ 14 Abs. 5 UStG), the
//! deduction, the amount due, what remains per rate, and a note for one still unpaid.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::process::Command;

use chrono::NaiveDate;
use kontor_domain::totals::{self, compute_parts};
use kontor_domain::{
    DeductedDownPayment, DocumentNumber, Issued, Language, Line, LineKind, TaxMode, UnitCode,
    VatRate,
};
use kontor_pdf::{Extras, render, sample};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn item(qty: Decimal, price: Decimal, rate: Decimal) -> Line {
    Line {
        kind: LineKind::Item,
        article_id: None,
        description: "Leistung".into(),
        quantity: qty,
        unit: UnitCode::PIECE,
        unit_price: price,
        vat_rate: VatRate::new(rate).unwrap(),
        discount_percent: dec!(0),
    }
}

fn down_payment(number: &str, day: u32, lines: &[Line], paid: Decimal) -> DeductedDownPayment {
    let t = compute_parts(TaxMode::Standard, lines, dec!(0), dec!(0));
    DeductedDownPayment::of_invoice(
        DocumentNumber::parse(number).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        &t,
        paid,
    )
}

/// 10,000.00 at 19 % and 2,000.00 at 7 %, less AR-2026-0001 (3,000.00 at 19 %, paid) and
/// AR-2026-0002 (1,000.00 at 19 % and 500.00 at 7 %, unpaid).
fn final_invoice(mode: TaxMode, language: Language) -> Issued {
    let mut doc = sample::invoice(1, mode, language);
    doc.content.lines = vec![
        item(dec!(100), dec!(100), dec!(19)),
        item(dec!(40), dec!(50), dec!(7)),
    ];
    doc.content.down_payments = vec![
        down_payment(
            "AR-2026-0001",
            2,
            &[item(dec!(1), dec!(3000), dec!(19))],
            dec!(3570),
        ),
        down_payment(
            "AR-2026-0002",
            9,
            &[
                item(dec!(1), dec!(1000), dec!(19)),
                item(dec!(1), dec!(500), dec!(7)),
            ],
            dec!(0),
        ),
    ];
    doc.totals = totals::compute(&doc.content);
    doc
}

fn text(doc: &Issued) -> String {
    let pdf = render(doc.into(), &Extras::default()).expect("renders");
    let dir = tempfile_dir();
    let path = dir.join(format!(
        "final-{}-{}.pdf",
        doc.content.tax_mode.as_str(),
        doc.language.as_str()
    ));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/pdf");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn each_down_payment_is_deducted_with_net_and_vat_per_rate() {
    let doc = final_invoice(TaxMode::Standard, Language::De);
    assert_eq!(doc.totals.gross, dec!(14040));
    assert_eq!(doc.totals.due, dec!(8745));
    let t = text(&doc);
    for expected in [
        "Gesamtbetrag brutto 14.040,00 €",
        "Abzüglich Anzahlungsrechnungen (§ 14 Abs. 5 UStG)",
        "Anzahlungsrechnung Datum Netto USt.-Satz USt. Brutto",
        "AR-2026-0001 02.11.2026 3.000,00 € 19 % 570,00 € 3.570,00 €",
        "AR-2026-0002 09.11.2026 1.000,00 € 19 % 190,00 € 1.190,00 €",
        "500,00 € 7 % 35,00 € 535,00 €",
        "abzgl. Anzahlungsrechnungen -5.295,00 €",
        "Zahlbetrag 8.745,00 €",
        "verbleibendes Nettoentgelt 19 % 6.000,00 €",
        "verbleibende USt. 19 % 1.140,00 €",
        "verbleibendes Nettoentgelt 7 % 1.500,00 €",
        "verbleibende USt. 7 % 105,00 €",
        "Die Anzahlungsrechnung AR-2026-0002 ist noch nicht vollständig bezahlt.",
        "die offenen 1.725,00 € sind weiterhin auf die Anzahlungsrechnung zu zahlen",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
    assert!(
        !t.contains("Anzahlungsrechnung AR-2026-0001 ist noch"),
        "the paid one has no note: {t}"
    );
    assert!(
        !t.contains("abzgl. geleistete Anzahlungen"),
        "no single gross figure: {t}"
    );
}

#[test]
fn the_deduction_in_english() {
    let t = text(&final_invoice(TaxMode::Standard, Language::En));
    for expected in [
        "Less down-payment invoices (§ 14 (5) UStG)",
        "AR-2026-0001",
        "less down-payment invoices -€5,295.00",
        "Down-payment invoice AR-2026-0002 is not fully paid yet.",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
}

#[test]
fn a_small_business_deducts_without_rates_or_vat() {
    let mut doc = final_invoice(TaxMode::SmallBusiness, Language::De);
    // A § 19 small business's down payments carry no VAT either.
    for dp in &mut doc.content.down_payments {
        for g in &mut dp.groups {
            g.category = kontor_domain::VatCategory::Exempt;
            g.rate = dec!(0);
            g.vat = dec!(0);
        }
    }
    doc.totals = totals::compute(&doc.content);
    let t = text(&doc);
    assert!(t.contains("AR-2026-0001 02.11.2026 3.000,00 €"), "{t}");
    assert!(t.contains("abzgl. Anzahlungsrechnungen -4.500,00 €"), "{t}");
    assert!(t.contains("Zahlbetrag 7.500,00 €"), "{t}");
    assert!(
        !t.contains("USt."),
        "no VAT on a small business invoice: {t}"
    );
}
