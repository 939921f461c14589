//! What the letter says and where: the sender line in the envelope window (measured on the PDF
//! with poppler's `pdftotext -bbox`), and corrections that read as credits, not as bills.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::PathBuf;
use std::process::Command;

use kontor_domain::{DocumentType, Issued, Language, TaxMode};
use kontor_pdf::{Extras, format, render, sample};
use rust_decimal::Decimal;

/// Millimetres in PDF points.
fn mm(v: f64) -> f64 {
    v / 25.4 * 72.0
}

fn write(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/pdf");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write pdf");
    path
}

fn text_of(name: &str, pdf: &[u8]) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(write(name, pdf))
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout)
        .expect("utf-8 text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word on the page and its box in points (origin top left).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// The words of page 1 with their boxes (`pdftotext -bbox`).
fn words_of(name: &str, pdf: &[u8]) -> Vec<Word> {
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(write(name, pdf))
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext -bbox failed");
    let html = String::from_utf8(out.stdout).expect("utf-8");
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let rest = &tag[start..];
        rest[..rest.find('"').expect("quote")]
            .parse()
            .expect("number")
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').expect("tag end");
            let text = rest.split("</word>").next().unwrap_or_default();
            Word {
                text: text
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\""),
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
            }
        })
        .collect()
}

/// The window of a DL envelope as the layout places it: 25–105 mm from the left; the sender
/// line from 56 mm, the recipient from 63 mm from the top.
const WINDOW_LEFT: f64 = 25.0;
const WINDOW_RIGHT: f64 = 105.0;
const RECIPIENT_TOP: f64 = 63.0;

/// The sender line's words (above the recipient, in the window's column) and the recipient's.
fn window_words(words: &[Word]) -> (Vec<Word>, Vec<Word>) {
    let in_window: Vec<Word> = words
        .iter()
        .filter(|w| w.x0 >= mm(WINDOW_LEFT - 1.0) && w.x0 < mm(120.0))
        .filter(|w| w.y0 >= mm(50.0) && w.y1 <= mm(100.0))
        .cloned()
        .collect();
    let (sender, recipient) = in_window
        .into_iter()
        .partition(|w| w.y1 <= mm(RECIPIENT_TOP) + 0.5);
    (sender, recipient)
}

fn long_sender(doc: &mut Issued) {
    doc.seller.name = "Holzbau und Zimmerei Sebastian Maximilian Oberhuber-Schwarzenberger".into();
    doc.seller.legal_form = "GmbH & Co. KG".into();
    doc.seller.street = "Am Alten Marktplatz 12a".into();
    doc.seller.postal_code = "83209".into();
    doc.seller.city = "Prien am Chiemsee".into();
}

#[test]
fn a_long_sender_line_stays_one_line_inside_the_window_above_the_recipient() {
    let mut doc = sample::invoice(2, TaxMode::Standard, Language::De);
    long_sender(&mut doc);
    let pdf = render((&doc).into(), &Extras::default()).expect("renders");
    let words = words_of("sender-line-long", &pdf);
    let (sender, recipient) = window_words(&words);
    assert!(!sender.is_empty(), "a sender line: {words:?}");
    // One line: every word on the same baseline.
    let top = sender[0].y0;
    assert!(
        sender.iter().all(|w| (w.y0 - top).abs() < 1.0),
        "the sender line wraps: {sender:?}"
    );
    // Inside the window, and wholly above the recipient's first line.
    assert!(
        sender.iter().all(|w| w.x1 <= mm(WINDOW_RIGHT)),
        "the sender line leaves the window: {sender:?}"
    );
    let sender_bottom = sender.iter().map(|w| w.y1).fold(0.0, f64::max);
    let recipient_top = recipient.iter().map(|w| w.y0).fold(f64::MAX, f64::min);
    assert!(
        recipient.first().is_some_and(|w| w.text == "Brauerei"),
        "the recipient follows: {recipient:?}"
    );
    assert!(
        sender_bottom < recipient_top,
        "the sender line ({sender_bottom}) runs into the recipient ({recipient_top})"
    );
    // Shortened where it can be spared: the name, not the place a letter is returned to.
    let line = sender
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(line.starts_with("Holzbau und Zimmerei"), "{line}");
    assert!(line.contains('…'), "shortened with an ellipsis: {line}");
    assert!(
        line.ends_with("… · Am Alten Marktplatz 12a · 83209 Prien am Chiemsee"),
        "street and city kept: {line}"
    );
    // The letterhead and the footer still carry the full name.
    let text = text_of("sender-line-long-text", &pdf);
    assert!(
        text.contains("Holzbau und Zimmerei Sebastian Maximilian Oberhuber")
            && text.contains("Schwarzenberger GmbH & Co. KG"),
        "{text}"
    );

    // Even a street and place too long for the window alone give one line inside it.
    doc.seller.street =
        "Straße der Deutsch-Französischen Freundschaft und Völkerverständigung 1".into();
    doc.seller.city = "Hohenstein-Ernstthal an der Mulde im Erzgebirgsvorland".into();
    let pdf = render((&doc).into(), &Extras::default()).expect("renders");
    let (sender, _) = window_words(&words_of("sender-line-longest", &pdf));
    let top = sender[0].y0;
    assert!(
        sender
            .iter()
            .all(|w| (w.y0 - top).abs() < 1.0 && w.x1 <= mm(WINDOW_RIGHT)),
        "{sender:?}"
    );
}

#[test]
fn a_short_sender_line_is_printed_whole() {
    let doc = sample::invoice(2, TaxMode::Standard, Language::De);
    let pdf = render((&doc).into(), &Extras::default()).expect("renders");
    let (sender, _) = window_words(&words_of("sender-line-short", &pdf));
    let line = sender
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        line,
        "Müller & Söhne Werkzeugbau GmbH · Hauptstraße 12 · 80331 München"
    );
}

/// The sample invoice as a correction of the given type, with a payment on account.
fn correction(doc_type: DocumentType, lang: Language, prepaid: Decimal) -> Issued {
    let mut doc = sample::invoice(4, TaxMode::Standard, lang);
    doc.content.doc_type = doc_type;
    doc.content.due_date = None;
    doc.content.prepaid_amount = prepaid;
    doc.content.skonto = vec![kontor_domain::SkontoStep {
        days: 10,
        percent: Decimal::from(2),
    }];
    doc.totals = kontor_domain::totals::compute(&doc.content);
    doc
}

#[test]
fn a_cancellation_and_a_credit_note_show_negative_amounts_and_a_credit_not_a_bill() {
    let invoice = sample::invoice(4, TaxMode::Standard, Language::De);
    let bill = text_of(
        "correction-original",
        &render((&invoice).into(), &Extras::default()).unwrap(),
    );
    let gross = format::money(invoice.totals.gross, "EUR", false);
    // The original asks for payment (the words the corrections must not have).
    for asked in ["überweisen", "Mit Banking-App scannen", "Zahlbetrag"] {
        let wanted = asked != "Zahlbetrag";
        assert_eq!(
            bill.contains(asked),
            wanted,
            "{asked:?} in the invoice: {bill}"
        );
    }
    for (doc_type, name) in [
        (DocumentType::Cancellation, "cancellation"),
        (DocumentType::CreditNote, "credit-note"),
    ] {
        let doc = correction(doc_type, Language::De, Decimal::ZERO);
        let text = text_of(name, &render((&doc).into(), &Extras::default()).unwrap());
        let title = if doc_type == DocumentType::Cancellation {
            "Stornorechnung"
        } else {
            "Rechnungskorrektur"
        };
        assert!(text.contains(title), "{text}");
        assert!(
            text.contains(&format!("Gesamtbetrag brutto -{gross}")),
            "{name}: negative gross in {text}"
        );
        assert!(
            text.contains(&format!("Gutschrift zu Ihren Gunsten {gross}")),
            "{name}: the credit stated in {text}"
        );
        // Every net amount, VAT amount and line total is negative.
        let t = &doc.totals;
        let vat = t.vat_breakdown.iter().map(|g| g.vat);
        for v in [t.net].into_iter().chain(vat) {
            let amount = format::money(v, "EUR", false);
            assert!(
                text.contains(&format!("-{amount}")),
                "{name}: -{amount} in {text}"
            );
        }
        let first = kontor_domain::totals::line_amounts(&doc.content.lines[0]).net;
        let first = format::money(first, "EUR", false);
        assert!(
            text.contains(&format!("-{first}")),
            "{name}: line -{first} in {text}"
        );
        // No payment request: no transfer text, no Skonto, no GiroCode, no amount due.
        for asked in [
            "überweisen",
            "Skonto",
            "Mit Banking-App scannen",
            "Zahlbetrag",
            "Zahlbar",
        ] {
            assert!(!text.contains(asked), "{name}: {asked:?} in {text}");
        }
    }

    // With a payment on account the credit is what was left to pay, in English too.
    let doc = correction(DocumentType::Cancellation, Language::En, Decimal::from(100));
    let text = text_of(
        "cancellation-en",
        &render((&doc).into(), &Extras::default()).unwrap(),
    );
    let due = format::money(doc.totals.due, "EUR", true);
    assert!(
        text.contains(&format!("Credit in your favour {due}")),
        "{text}"
    );
    assert!(!text.contains("Amount due"), "{text}");
    assert!(text.contains("Total gross -€"), "{text}");
}
