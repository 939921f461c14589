//! Microseconds to build and serialise a 10-line invoice as XRechnung UBL and CII and as the
//! Factur-X EN 16931 CII (target: ≤ 1 ms each). Run: `cargo bench -p kontor-einvoice --bench xml`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use kontor_einvoice::{Syntax, facturx_cii, sample, write};
use std::hint::black_box;

fn xml(c: &mut Criterion) {
    let s = sample::invoice(10);
    c.bench_function("xrechnung_ubl_10_lines", |b| {
        b.iter(|| write(black_box(&s.invoice()), Syntax::Ubl).expect("ubl"))
    });
    c.bench_function("xrechnung_cii_10_lines", |b| {
        b.iter(|| write(black_box(&s.invoice()), Syntax::Cii).expect("cii"))
    });
    c.bench_function("facturx_cii_10_lines", |b| {
        b.iter(|| facturx_cii(black_box(&s.invoice())).expect("factur-x"))
    });
}

criterion_group!(benches, xml);
criterion_main!(benches);
