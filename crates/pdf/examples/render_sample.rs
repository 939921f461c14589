//! Renders invoices for looking at and for the benchmark script (`bench/pdf-peers.sh`).
//!
//!   render_sample OUT.pdf [LINES]                 one sample invoice
//!   render_sample --loop N LINES|PEER.json [OUT]  N invoices in a row (each with its own
//!                                                 number), prints JSON: median ms per document
//!                                                 and peak memory (VmHWM); with KONTOR_HYBRID=1
//!                                                 the ZUGFeRD hybrid instead of the plain PDF
//!
//! `PEER.json` is the shared peer benchmark's data file (`data-12.json`, `data-300.json`), so
//! Kontor renders the same content as WeasyPrint, Chromium, typst and reportlab.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::time::Instant;

use chrono::NaiveDate;
use kontor_domain::{DocumentNumber, Issued as Document, Language, Line, LineKind, TaxMode, codes};
use kontor_pdf::{Extras, render, sample};
use rust_decimal::Decimal;
use serde_json::Value;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// "1.234,56 €" / "19 %" / "2,00" to a decimal.
fn german_decimal(s: &str) -> Decimal {
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '-')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse().unwrap_or_default()
}

fn german_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d.%m.%Y").ok()
}

fn split_city(s: &str) -> (String, String) {
    match s.split_once(' ') {
        Some((zip, city)) => (zip.into(), city.into()),
        None => (String::new(), s.into()),
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

/// The peer benchmark's invoice as a Kontor document (issued, with snapshots).
fn peer_document(path: &str) -> Result<(Document, Extras), Box<dyn std::error::Error>> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let s = &v["seller"];
    let (seller_zip, seller_city) = split_city(&text(s, "city"));
    let seller = kontor_domain::CompanyProfile {
        name: text(s, "name"),
        street: text(s, "street"),
        postal_code: seller_zip,
        city: seller_city,
        country: "DE".into(),
        tax_number: text(s, "taxno").trim_start_matches("St.-Nr. ").into(),
        vat_id: kontor_domain::VatId::parse(text(s, "vatid").trim_start_matches("USt-IdNr. ")).ok(),
        registry: text(s, "court"),
        managing_directors: text(s, "ceo").trim_start_matches("GF: ").into(),
        contact_phone: text(s, "phone"),
        contact_email: text(s, "email"),
        iban: kontor_domain::Iban::parse(&text(s, "iban")).ok(),
        bic: kontor_domain::Bic::parse(&text(s, "bic")).ok(),
        bank_name: text(s, "bank"),
        ..Default::default()
    };
    let b = &v["buyer"];
    let (buyer_zip, buyer_city) = split_city(&text(b, "city"));
    let m = &v["meta"];
    let buyer = kontor_domain::ContactData {
        name: text(b, "name"),
        street: text(b, "street"),
        postal_code: buyer_zip,
        city: buyer_city,
        country: "DE".into(),
        buyer_reference: text(m, "ref"),
        ..Default::default()
    };
    let lines: Vec<Line> = v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let unit = text(i, "unit");
            let code = codes::UNITS
                .iter()
                .find(|(_, de, _)| de.trim_end_matches('.') == unit.trim_end_matches('.'))
                .and_then(|(c, _, _)| kontor_domain::UnitCode::parse(c).ok())
                .or_else(|| kontor_domain::UnitCode::parse(&unit).ok())
                .unwrap_or_default();
            Line {
                kind: LineKind::Item,
                article_id: None,
                description: format!("{}\n{}", text(i, "title"), text(i, "detail")),
                quantity: german_decimal(&text(i, "qty")),
                unit: code,
                unit_price: german_decimal(&text(i, "price")),
                vat_rate: kontor_domain::VatRate::new(german_decimal(&text(i, "vat")))
                    .unwrap_or_default(),
                discount_percent: Decimal::ZERO,
            }
        })
        .collect();
    let mut doc = sample::invoice(0, TaxMode::Standard, Language::De);
    doc.number = DocumentNumber::parse(&text(m, "number"))?;
    doc.content.date = german_date(&text(m, "date")).unwrap_or(doc.content.date);
    doc.content.due_date = german_date(&text(m, "due"));
    doc.content.delivery_date = None;
    doc.content.lines = lines;
    doc.totals = kontor_domain::totals::compute(&doc.content);
    doc.texts.subject = format!("Rechnung {}", text(m, "number"));
    doc.texts.intro =
        "Sehr geehrte Damen und Herren,\nfür unsere Leistungen berechnen wir Ihnen:".into();
    doc.texts.closing = "Vielen Dank für Ihren Auftrag.\nMit freundlichen Grüßen".into();
    doc.seller = seller;
    doc.buyer = buyer;
    let extras = Extras {
        customer_number: text(m, "customer"),
        ..Extras::default()
    };
    Ok((doc, extras))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--loop") {
        let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
        let what = args.get(2).cloned().unwrap_or_else(|| "12".into());
        let (doc, extras) = match what.parse::<usize>() {
            Ok(lines) => (
                sample::invoice(lines, TaxMode::Standard, Language::De),
                Extras::default(),
            ),
            Err(_) => peer_document(&what)?,
        };
        // KONTOR_HYBRID=1: the ZUGFeRD hybrid (PDF/A-3b with a 10-line Factur-X CII embedded),
        // to compare with the plain PDF of the same invoice.
        let mut extras = extras;
        if std::env::var_os("KONTOR_HYBRID").is_some() {
            let s = kontor_einvoice::sample::invoice(10);
            extras.facturx_xml = Some(kontor_einvoice::facturx_cii(&s.invoice())?);
        }
        let mut times = Vec::with_capacity(n);
        let mut pdf = Vec::new();
        let start = Instant::now();
        for i in 0..n {
            // Each invoice differs (number, first quantity), as in a server.
            let mut d = doc.clone();
            d.number = DocumentNumber::parse(&format!("RE-2026-{:05}", 1000 + i))?;
            if let Some(first) = d.content.lines.first_mut() {
                first.quantity = Decimal::from(i as i64 + 1);
            }
            d.totals = kontor_domain::totals::compute(&d.content);
            let t = Instant::now();
            pdf = render((&d).into(), &extras)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let total_s = start.elapsed().as_secs_f64();
        if let Some(out) = args.get(3) {
            std::fs::write(out, &pdf)?;
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"engine\": \"kontor-pdf\", \"n\": {n}, \"first_ms\": {first:.1}, \"median_ms\": {:.2}, \"min_ms\": {:.2}, \"max_ms\": {:.2}, \"total_s\": {total_s:.2}, \"bytes\": {}, \"vm_hwm_kib\": {}}}",
            times[n / 2],
            times[0],
            times[n - 1],
            pdf.len(),
            vm_hwm_kib()
        );
        return Ok(());
    }
    let out = args.first().cloned().unwrap_or_else(|| "sample.pdf".into());
    let (doc, extras) = match args.get(1) {
        Some(arg) if arg.ends_with(".json") => peer_document(arg)?,
        arg => (
            sample::invoice(
                arg.and_then(|s| s.parse().ok()).unwrap_or(12),
                TaxMode::Standard,
                Language::De,
            ),
            Extras::default(),
        ),
    };
    let pdf = render((&doc).into(), &extras)?;
    std::fs::write(&out, pdf)?;
    Ok(())
}
