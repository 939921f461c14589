//! Totals of a 100-line document. Run: `cargo bench -p kontor-domain --bench totals`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use kontor_domain::VatRate;
use kontor_domain::document::{Line, LineKind};
use kontor_domain::tax::TaxMode;
use kontor_domain::totals::compute_parts;
use rust_decimal::Decimal;
use std::hint::black_box;

fn hundred_lines() -> Vec<Line> {
    (0..100)
        .map(|i| Line {
            kind: LineKind::Item,
            article_id: None,
            description: format!("Position {i}"),
            quantity: Decimal::new(1 + i % 7 * 250, 2),
            unit: kontor_domain::UnitCode::parse("HUR").unwrap(),
            unit_price: Decimal::new(85_1234 + i * 1_0001, 4),
            vat_rate: if i % 3 == 0 {
                VatRate::REDUCED
            } else {
                VatRate::STANDARD
            },
            discount_percent: Decimal::from(i % 4 * 5),
        })
        .collect()
}

fn bench_totals(c: &mut Criterion) {
    let lines = hundred_lines();
    c.bench_function("totals_100_lines", |b| {
        b.iter(|| {
            compute_parts(
                TaxMode::Standard,
                black_box(&lines),
                Decimal::from(3),
                Decimal::ZERO,
            )
        })
    });
}

criterion_group!(benches, bench_totals);
criterion_main!(benches);
