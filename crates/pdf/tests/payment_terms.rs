//! The payment terms in the PDF, read back with poppler's `pdftotext`: Skonto steps
//! with their dates and amounts, the SEPA direct debit notice, and the VAT in EUR of a
//! foreign-currency invoice (§ 16 Abs. 6 UStG).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::process::Command;

use kontor_domain::Issued as Document;
use kontor_domain::{Language, PaymentMethod, SkontoStep, TaxMode, totals};
use kontor_pdf::{Extras, render, sample};
use rust_decimal::Decimal;

fn text(doc: &Document, seller_creditor: &str, mandate: (&str, &str)) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut seller = sample::seller();
    seller.creditor_id = seller_creditor.into();
    let mut buyer = sample::buyer();
    buyer.sepa_mandate_reference = mandate.0.into();
    buyer.sepa_debtor_iban = kontor_domain::Iban::parse(mandate.1).ok();
    let mut doc = doc.clone();
    doc.seller = seller;
    doc.buyer = buyer;
    let pdf = render((&doc).into(), &Extras::default()).expect("renders");
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("kontor-terms-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_totals(mut doc: Document) -> Document {
    doc.totals = totals::compute(&doc.content);
    doc
}

#[test]
fn skonto_steps_show_dates_and_amounts_in_both_languages() {
    let mut doc = sample::invoice(1, TaxMode::Standard, Language::De);
    doc.content.skonto = vec![SkontoStep {
        days: 7,
        percent: Decimal::from(2),
    }];
    let doc = with_totals(doc);
    let amount = kontor_domain::round2(doc.totals.due * Decimal::from(2) / Decimal::ONE_HUNDRED);
    let de = text(&doc, "", ("", ""));
    let expected = format!(
        "Zahlbar bis 10.12.2026 ohne Abzug; bei Zahlung bis 03.12.2026 2 % Skonto ({} €).",
        format!("{amount:.2}").replace('.', ",")
    );
    assert!(de.contains(&expected), "{expected}\nin\n{de}");
    let mut en_doc = doc.clone();
    en_doc.language = Language::En;
    let en = text(&en_doc, "", ("", ""));
    assert!(
        en.contains("Payable by 10 December 2026 without deduction; if paid by 3 December 2026 2% cash discount"),
        "{en}"
    );
}

#[test]
fn direct_debit_says_the_amount_is_debited_and_has_no_transfer_qr() {
    let mut doc = sample::invoice(1, TaxMode::Standard, Language::De);
    doc.content.payment_method = PaymentMethod::DirectDebit;
    let doc = with_totals(doc);
    let de = text(
        &doc,
        "DE98ZZZ09999999999",
        ("MANDAT-17", "DE02120300000000202051"),
    );
    assert!(
        de.contains("per SEPA-Lastschrift von Ihrem Konto IBAN DE02 **** 2051 eingezogen"),
        "{de}"
    );
    assert!(
        de.contains("Mandatsreferenz MANDAT-17, Gläubiger-ID DE98ZZZ09999999999"),
        "{de}"
    );
    assert!(!de.contains("Bitte überweisen"), "{de}");
    assert!(
        !de.contains("Mit Banking-App scannen"),
        "no GiroCode for a direct debit"
    );
    let mut en_doc = doc.clone();
    en_doc.language = Language::En;
    let en = text(
        &en_doc,
        "DE98ZZZ09999999999",
        ("MANDAT-17", "DE02120300000000202051"),
    );
    assert!(en.contains("will be debited on the due date 10 December 2026 from your account IBAN DE02 **** 2051 by SEPA direct debit"), "{en}");
}

#[test]
fn foreign_currency_shows_the_vat_in_eur() {
    let mut doc = sample::invoice(2, TaxMode::Standard, Language::De);
    doc.content.currency = kontor_domain::CurrencyCode::parse("USD").unwrap();
    doc.content.exchange_rate = Some(Decimal::new(10823, 4));
    let doc = with_totals(doc);
    let eur = kontor_domain::round2(doc.totals.vat / Decimal::new(10823, 4));
    let de = text(&doc, "", ("", ""));
    let expected = format!(
        "USt. in EUR (1 EUR = 1,0823 USD) {} €",
        format!("{eur:.2}").replace('.', ",")
    );
    assert!(de.contains(&expected), "{expected}\nin\n{de}");
}
