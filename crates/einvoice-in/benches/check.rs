//! Parse + full check of a 20-line XRechnung UBL and CII invoice. The 20-line files are built
//! from the KoSIT test suite's 01.01a examples: the second line is repeated with new ids and
//! the totals are recomputed, and the setup asserts that the result is valid.

// Test helpers outside #[test] functions stop loudly too (see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use kontor_einvoice_in::check_bytes;
use std::hint::black_box;
use std::path::PathBuf;

const LINES: usize = 20;

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/einvoice/examples/xrechnung-testsuite-2026-01-31/business-cases/standard")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Line 1 is 288.79, every further line 26.07, all at 7 %.
fn totals() -> (String, String, String) {
    let cents = 28879 + 2607 * (LINES as i64 - 1);
    let vat = (cents * 7 + 50) / 100;
    let f = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    (f(cents), f(vat), f(cents + vat))
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let a = s.find(start).expect("start marker");
    let b = a + s[a..].find(end).expect("end marker") + end.len();
    &s[a..b]
}

fn ubl_20() -> String {
    let s = example("01.01a-INVOICE_ubl.xml");
    let second = s.rfind("<cac:InvoiceLine>").expect("line");
    let line = between(&s[second..], "<cac:InvoiceLine>", "</cac:InvoiceLine>").to_string();
    let extra: String = (2..LINES)
        .map(|i| {
            line.replace(
                "<cbc:ID>Porto + Versandkosten</cbc:ID>",
                &format!("<cbc:ID>L{i}</cbc:ID>"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n    ");
    let (net, vat, gross) = totals();
    s.replace("</ubl:Invoice>", &format!("    {extra}\n</ubl:Invoice>"))
        .replace(">314.86<", &format!(">{net}<"))
        .replace(">22.04<", &format!(">{vat}<"))
        .replace(">336.9<", &format!(">{gross}<"))
}

fn cii_20() -> String {
    let s = example("01.01a-INVOICE_uncefact.xml");
    let second = s
        .rfind("<ram:IncludedSupplyChainTradeLineItem>")
        .expect("line");
    let line = between(
        &s[second..],
        "<ram:IncludedSupplyChainTradeLineItem>",
        "</ram:IncludedSupplyChainTradeLineItem>",
    )
    .to_string();
    let extra: String = (2..LINES)
        .map(|i| {
            line.replace(
                "<ram:LineID>Porto + Versandkosten</ram:LineID>",
                &format!("<ram:LineID>L{i}</ram:LineID>"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n        ");
    let (net, vat, gross) = totals();
    s.replacen(
        "<ram:ApplicableHeaderTradeAgreement>",
        &format!("{extra}\n        <ram:ApplicableHeaderTradeAgreement>"),
        1,
    )
    .replace(">314.86<", &format!(">{net}<"))
    .replace(">22.04<", &format!(">{vat}<"))
    .replace(">336.9<", &format!(">{gross}<"))
}

fn bench(c: &mut Criterion) {
    for (name, xml) in [("ubl_20_lines", ubl_20()), ("cii_20_lines", cii_20())] {
        let checked = check_bytes(xml.as_bytes()).expect("readable");
        let lines = checked.invoice.as_ref().map_or(0, |i| i.lines.len());
        assert_eq!(lines, LINES, "{name}: {lines} lines");
        assert!(
            checked.valid(),
            "{name} is not valid: {:?}",
            checked.findings
        );
        c.bench_function(name, |b| b.iter(|| check_bytes(black_box(xml.as_bytes()))));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
