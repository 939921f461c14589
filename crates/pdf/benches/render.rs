//! Warm rendering time per invoice: a 1-page (12 lines) and a 10-page invoice.
//! `cargo bench -p kontor-pdf --bench render`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use kontor_domain::{DocumentNumber, Language, TaxMode};
use kontor_pdf::{Extras, render, sample};
use rust_decimal::Decimal;

fn bench(c: &mut Criterion, name: &str, lines: usize) {
    let doc = sample::invoice(lines, TaxMode::Standard, Language::De);
    let extras = Extras::default();
    let mut i = 0i64;
    let mut group = c.benchmark_group("pdf");
    group.sample_size(if lines > 100 { 10 } else { 30 });
    group.bench_function(name, |b| {
        b.iter(|| {
            // A different invoice every time, as a server renders them.
            i += 1;
            let mut d = doc.clone();
            d.number = DocumentNumber::parse(&format!("RE-2026-{i:05}")).expect("a number");
            if let Some(first) = d.content.lines.first_mut() {
                first.quantity = Decimal::from(i % 50 + 1);
            }
            render((&d).into(), &extras).expect("renders")
        })
    });
    group.finish();
}

fn one_page(c: &mut Criterion) {
    bench(c, "invoice_1_page", 12);
}

fn ten_pages(c: &mut Criterion) {
    bench(c, "invoice_10_pages", sample::LINES_FOR_TEN_PAGES);
}

criterion_group!(benches, one_page, ten_pages);
criterion_main!(benches);
